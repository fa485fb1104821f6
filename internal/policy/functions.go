package policy

import (
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/lensix/lensix/internal/resource"
	"github.com/lensix/lensix/internal/source/arm/funcs"
)

// policyFunction is a function only Azure Policy has, or one whose meaning in a policy rule
// differs from a template's; every other template function is package funcs'. Unknown arguments
// never reach it: the evaluator answers with the first one instead.
type policyFunction struct {
	min, max int // max -1: any number
	call     func(ctx *evalContext, args []any) (any, error)
}

// policyFunctions are keyed by lower-case name.
var policyFunctions map[string]policyFunction

func init() {
	// Assigned in init because field() and current() refer back to the evaluator.
	policyFunctions = map[string]policyFunction{
		"field":           {1, 1, fnField},
		"current":         {0, 1, fnCurrent},
		"requestcontext":  {0, 0, fnRequestContext},
		"policy":          {0, 0, fnPolicy},
		"iprangecontains": {2, 2, fnIPRangeContains},
		"adddays":         {2, 2, fnAddDays},
		// A template's utcNow() is the deployment time and unknown offline; a rule's is now.
		"utcnow": {0, 0, fnUtcNow},
		// A template's resourceGroup() and subscription() are the deployment's; a rule's are the
		// evaluated resource's, with the tags Env knows.
		"resourcegroup": {0, 0, fnResourceGroup},
		"subscription":  {0, 0, fnSubscription},
		// Built-ins guard int(field(...)) with equals(field(...), ''): in a rule a missing field,
		// null, equals the empty string.
		"equals": {2, 2, fnEquals},
	}
}

func fnField(ctx *evalContext, a []any) (any, error) {
	name, ok := a[0].(string)
	if !ok {
		return nil, fmt.Errorf("the field name is %s, not a string", describe(a[0]))
	}
	r := ctx.subject
	if ctx.subject != ctx.target {
		// In an existenceCondition field() reads the evaluated resource, except for aliases of the
		// related resource's type only (built-ins rely on both readings).
		aliases := ctx.env.aliases()
		_, ofTarget := aliases.Path(ctx.target.Type, name)
		_, ofSubject := aliases.Path(ctx.subject.Type, name)
		if ofTarget && !ofSubject {
			r = ctx.target
		}
	}
	fv, err := ctx.resolveField(r, name, r == ctx.target)
	if err != nil {
		return nil, err
	}
	return fv.asValue(), nil
}

func fnCurrent(ctx *evalContext, a []any) (any, error) {
	if len(a) == 0 {
		if len(ctx.scopes) == 0 {
			return nil, fmt.Errorf("current() is used outside a count")
		}
		return ctx.scopes[len(ctx.scopes)-1].element, nil
	}
	name, ok := a[0].(string)
	if !ok {
		return nil, fmt.Errorf("the name is %s, not a string", describe(a[0]))
	}
	return ctx.current(name)
}

// timeLayout is the ISO 8601 form Azure Policy's utcNow() returns: yyyy-MM-ddTHH:mm:ss.fffffffZ.
const timeLayout = "2006-01-02T15:04:05.0000000Z"

func fnUtcNow(ctx *evalContext, _ []any) (any, error) {
	return ctx.env.now().UTC().Format(timeLayout), nil
}

func fnAddDays(_ *evalContext, a []any) (any, error) {
	s, ok := a[0].(string)
	if !ok {
		return nil, fmt.Errorf("date is %s, not a string", describe(a[0]))
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return nil, fmt.Errorf("date %q is not ISO 8601: %v", s, err)
	}
	days, ok := numberLike(a[1])
	if !ok {
		return nil, fmt.Errorf("days is %s, not a number", describe(a[1]))
	}
	return t.Add(time.Duration(days * float64(24*time.Hour))).UTC().Format(timeLayout), nil
}

// fnIPRangeContains reports whether range holds all of targetRange. Either is an address, a CIDR
// range or a first-last range; mixing IPv4 and IPv6 is an error, as in Azure.
func fnIPRangeContains(_ *evalContext, a []any) (any, error) {
	outer, err := parseIPRange(stringForm(a[0]))
	if err != nil {
		return nil, err
	}
	inner, err := parseIPRange(stringForm(a[1]))
	if err != nil {
		return nil, err
	}
	if outer.first.Is4() != inner.first.Is4() {
		return nil, fmt.Errorf("cannot compare an IPv4 range with an IPv6 range")
	}
	return outer.first.Compare(inner.first) <= 0 && inner.last.Compare(outer.last) <= 0, nil
}

// ipRange is the addresses from first to last, both included.
type ipRange struct{ first, last netip.Addr }

func parseIPRange(s string) (ipRange, error) {
	s = strings.TrimSpace(s)
	if from, to, isRange := strings.Cut(s, "-"); isRange {
		first, err := netip.ParseAddr(strings.TrimSpace(from))
		if err != nil {
			return ipRange{}, err
		}
		last, err := netip.ParseAddr(strings.TrimSpace(to))
		if err != nil {
			return ipRange{}, err
		}
		if first.Is4() != last.Is4() || first.Compare(last) > 0 {
			return ipRange{}, fmt.Errorf("%q is not a range from a lower to a higher address of one family", s)
		}
		return ipRange{first, last}, nil
	}
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return ipRange{}, err
		}
		p = p.Masked()
		last := p.Addr().AsSlice()
		for bit := p.Bits(); bit < len(last)*8; bit++ {
			last[bit/8] |= 0x80 >> (bit % 8)
		}
		end, _ := netip.AddrFromSlice(last)
		return ipRange{p.Addr(), end}, nil
	}
	addr, err := netip.ParseAddr(s)
	if err != nil {
		return ipRange{}, err
	}
	return ipRange{addr, addr}, nil
}

// The functions below describe the deployment context. A source knows the resource group and
// subscription names at best; whatever it does not know is unknown, never made up.

func fnResourceGroup(ctx *evalContext, _ []any) (any, error) {
	r := ctx.subject
	var tags any = &resource.Unknown{Reason: "the resource group's tags are not part of the scanned input"}
	if t, ok := ctx.env.ResourceGroupTags[strings.ToLower(r.ResourceGroup)]; ok && r.ResourceGroup != "" {
		tags = t
	}
	rg := map[string]any{
		"tags":     tags,
		"location": &resource.Unknown{Reason: "the resource group's location is not part of the scanned input"},
	}
	if r.ResourceGroup != "" {
		rg["name"] = r.ResourceGroup
	} else {
		rg["name"] = &resource.Unknown{Reason: "the resource group is not known from the input"}
	}
	if r.SubscriptionID != "" && r.ResourceGroup != "" {
		rg["id"] = "/subscriptions/" + r.SubscriptionID + "/resourceGroups/" + r.ResourceGroup
	} else {
		rg["id"] = &resource.Unknown{Reason: "the resource group ID is not known from the input"}
	}
	return rg, nil
}

func fnSubscription(ctx *evalContext, _ []any) (any, error) {
	r := ctx.subject
	if r.SubscriptionID == "" {
		u := &resource.Unknown{Reason: "the subscription is not known from the input"}
		return map[string]any{"subscriptionId": u, "id": u, "displayName": u, "tenantId": u, "tags": u}, nil
	}
	return map[string]any{
		"subscriptionId": r.SubscriptionID,
		"id":             "/subscriptions/" + r.SubscriptionID,
		"displayName":    &resource.Unknown{Reason: "the subscription's display name is not part of the scanned input"},
		"tenantId":       orUnknown(r.Provenance.TenantID, "the tenant is not known from the input"),
		"tags":           subscriptionTags(ctx.env),
	}, nil
}

func subscriptionTags(env *Env) any {
	if env.SubscriptionTags != nil {
		return env.SubscriptionTags
	}
	return &resource.Unknown{Reason: "the subscription's tags are not part of the scanned input"}
}

func fnRequestContext(ctx *evalContext, _ []any) (any, error) {
	apiVersion, found := resource.Lookup(ctx.subject.Body, "apiVersion")
	if !found {
		apiVersion = &resource.Unknown{Reason: "the resource has no apiVersion in the input"}
	}
	return map[string]any{"apiVersion": apiVersion}, nil
}

func fnEquals(ctx *evalContext, a []any) (any, error) {
	if (a[0] == nil && a[1] == "") || (a[0] == "" && a[1] == nil) {
		return true, nil
	}
	return funcs.Call(ctx, "equals", a)
}

// fnPolicy is policy(): what is known of the definition being evaluated. lensix evaluates a
// definition, not an assignment, so the assignment's values are unknown.
func fnPolicy(ctx *evalContext, _ []any) (any, error) {
	var id string
	if ctx.definition != nil {
		id = ctx.definition.ID
	}
	notAssigned := &resource.Unknown{Reason: "lensix evaluates the definition without a policy assignment"}
	return map[string]any{
		"assignmentId":          notAssigned,
		"definitionId":          orUnknown(id, "the definition has no id"),
		"setDefinitionId":       notAssigned,
		"definitionReferenceId": notAssigned,
	}, nil
}

func orUnknown(s, reason string) any {
	if s == "" {
		return &resource.Unknown{Reason: reason}
	}
	return s
}
