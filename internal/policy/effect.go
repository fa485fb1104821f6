package policy

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/lensix/lensix/internal/resource"
)

// effects maps each effect, in lower case, to its canonical name.
var effects = map[string]string{}

func init() {
	for _, e := range []string{"Audit", "Deny", "Disabled", "Append", "Modify", "AuditIfNotExists", "DeployIfNotExists", "DenyAction", "Manual", "AuditAction"} {
		effects[strings.ToLower(e)] = e
	}
}

func effectNames() string {
	names := make([]string, 0, len(effects))
	for _, e := range effects {
		names = append(names, e)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// Env is what evaluation may consult besides the resource itself.
type Env struct {
	// Resources are all resources of the scan: auditIfNotExists and deployIfNotExists look for
	// related resources among them.
	Resources []*resource.Resource
	// Now is the time utcNow() returns; zero means the time of the call.
	Now time.Time
	// Aliases is the alias table; nil means the one shipped in the binary.
	Aliases *Aliases
	// ResourceGroupTags holds the tags of resource groups by name, and SubscriptionTags those of
	// the subscription, for the tag-inheritance built-ins; tags not given are unknown.
	ResourceGroupTags map[string]map[string]any
	SubscriptionTags  map[string]any
}

func (e *Env) aliases() *Aliases {
	if e == nil || e.Aliases == nil {
		return BuiltinAliases()
	}
	return e.Aliases
}

func (e *Env) now() time.Time {
	if e == nil || e.Now.IsZero() {
		return time.Now()
	}
	return e.Now
}

// Compliance is a definition's verdict on one resource.
type Compliance string

// Compliance states, as Azure Policy names them, plus Unknown for values lensix cannot resolve.
const (
	Compliant    Compliance = "Compliant"
	NonCompliant Compliance = "NonCompliant"
	Undetermined Compliance = "Unknown"
)

// Result is what one definition says about one resource it applies to.
type Result struct {
	Definition *Definition
	Resource   *resource.Resource
	// Effect is the effect in force, canonical case ("Audit", "Deny", "Modify", ...).
	Effect     string
	Compliance Compliance
	// Message says what was found, in one sentence.
	Message string
	// Changes are what append and modify would write.
	Changes []Change
	// Err is set when evaluation failed (a function on a value of the wrong type, a missing
	// property in an expression); the compliance is then Unknown.
	Err error
}

// Change is one write append or modify would make.
type Change struct {
	Operation string `json:"operation"` // add, addOrReplace, remove, append
	Field     string `json:"field"`
	Value     any    `json:"value,omitempty"`
}

func (c Change) String() string {
	if c.Operation == "remove" {
		return "remove " + c.Field
	}
	return fmt.Sprintf("%s %s = %s", c.Operation, c.Field, stringForm(c.Value))
}

// NotApplicable explains why a definition does not judge a resource at all.
type NotApplicable struct{ Reason string }

func (n *NotApplicable) Error() string { return n.Reason }

// Evaluate evaluates the definition on r with bound parameters (see Bind). It returns nil and a
// *NotApplicable when the definition does not judge r: another type, a mode that excludes it, or
// a disabled effect.
func (d *Definition) Evaluate(r *resource.Resource, params map[string]any, env *Env) (*Result, *NotApplicable) {
	if env == nil {
		env = &Env{}
	}
	switch {
	case excludedResourceType(r.Type):
		return nil, &NotApplicable{"Azure Policy does not evaluate " + r.Type}
	case isDataPlaneMode(d.Mode):
		return nil, &NotApplicable{fmt.Sprintf("mode %s judges data-plane objects, which lensix does not read", d.Mode)}
	case strings.EqualFold(d.Mode, "Indexed") && !indexed(r):
		return nil, &NotApplicable{"mode Indexed judges only resources with tags and a location"}
	}
	ctx := &evalContext{env: env, definition: d, params: params, target: r, subject: r}
	res := &Result{Definition: d, Resource: r}
	effectValue, err := d.rule.then.effect.eval(ctx)
	if err != nil {
		res.Compliance, res.Err, res.Message = Undetermined, err, "cannot evaluate the effect: "+err.Error()
		return res, nil
	}
	if u, ok := effectValue.(*resource.Unknown); ok {
		res.Compliance, res.Message = Undetermined, "the effect is unknown: "+u.String()
		return res, nil
	}
	effect, ok := effects[strings.ToLower(stringForm(effectValue))]
	if !ok {
		err := fmt.Errorf("unknown effect %s (want %s)", describe(effectValue), effectNames())
		res.Compliance, res.Err, res.Message = Undetermined, err, err.Error()
		return res, nil
	}
	res.Effect = effect
	switch effect {
	case "Disabled":
		return nil, &NotApplicable{"the effect is Disabled"}
	case "DenyAction", "AuditAction", "Manual":
		return nil, &NotApplicable{fmt.Sprintf("effect %s acts on requests or attestations, not on a resource's configuration", effect)}
	}
	ifNotExists := effect == "AuditIfNotExists" || effect == "DeployIfNotExists"
	if !ifNotExists && ctx.applicable(d.rule.cond, false, d.rule.scopeFields) == False {
		return nil, &NotApplicable{"the resource's type, name or kind is outside the definition"}
	}
	matched, err := ctx.evalCondition(d.rule.cond)
	if err != nil {
		res.Compliance, res.Err = Undetermined, err
		res.Message = "cannot evaluate the policy rule: " + err.Error()
		return res, nil
	}
	if !ifNotExists {
		d.judgeMatch(ctx, res, matched)
		return res, nil
	}
	// An IfNotExists policy applies to the resources its whole if matches.
	if matched == False {
		return nil, &NotApplicable{"the resource does not match the policy rule's if"}
	}
	d.judgeExistence(ctx, res, matched)
	return res, nil
}

// excludedResourceType reports the Microsoft.Resources types Azure Policy never evaluates: all but
// subscriptions and resource groups (deployments, template specs, ...).
func excludedResourceType(t string) bool {
	lower := strings.ToLower(t)
	return strings.HasPrefix(lower, "microsoft.resources/") && lower != "microsoft.resources/subscriptions" &&
		lower != "microsoft.resources/subscriptions/resourcegroups" && lower != "microsoft.resources/resourcegroups"
}

// indexed approximates Azure's Indexed mode — resource types that support tags and location — by
// the resource carrying either in its body, as tracked resources do.
func indexed(r *resource.Resource) bool {
	_, hasLocation := resource.Lookup(r.Body, "location")
	_, hasTags := resource.Lookup(r.Body, "tags")
	return hasLocation || hasTags
}

func (d *Definition) judgeMatch(ctx *evalContext, res *Result, matched Truth) {
	switch matched {
	case False:
		res.Compliance, res.Message = Compliant, "the resource does not match the policy rule"
		return
	case Unknown:
		res.Compliance = Undetermined
		res.Message = "whether the resource matches the policy rule depends on a value unknown until deployment" + because(ctx.unknown)
		return
	}
	res.Compliance = NonCompliant
	switch res.Effect {
	case "Deny":
		res.Message = "Azure Policy would deny deploying this resource: it matches the policy rule"
	case "Append", "Modify":
		changes, err := d.changes(ctx)
		if err != nil {
			res.Err = err
		}
		res.Changes = changes
		parts := make([]string, len(changes))
		for i, c := range changes {
			parts[i] = c.String()
		}
		res.Message = fmt.Sprintf("Azure Policy would %s this resource: %s", strings.ToLower(res.Effect), strings.Join(parts, "; "))
		if err != nil {
			res.Message += " (" + err.Error() + ")"
		}
	default:
		res.Message = "the resource matches the policy rule"
	}
}

// changes lists what append or modify would write.
func (d *Definition) changes(ctx *evalContext) ([]Change, error) {
	if d.rule.then.details == nil {
		return nil, nil
	}
	var out []Change
	for _, op := range d.rule.then.details.operations {
		if op.condition.set {
			cond, err := op.condition.eval(ctx)
			if err != nil {
				return out, err
			}
			if b, ok := cond.(bool); ok && !b {
				continue
			}
		}
		field, err := op.field.eval(ctx)
		if err != nil {
			return out, err
		}
		c := Change{Operation: op.kind, Field: stringForm(field)}
		if op.value.set {
			v, err := op.value.eval(ctx)
			if err != nil {
				return out, err
			}
			c.Value = deepCopy(v)
		}
		out = append(out, c)
	}
	return out, nil
}

// judgeExistence decides auditIfNotExists and deployIfNotExists: the resource complies when a
// related resource of details.type in the same scan satisfies details.existenceCondition.
func (d *Definition) judgeExistence(ctx *evalContext, res *Result, matched Truth) {
	if matched == False {
		res.Compliance, res.Message = Compliant, "the resource does not match the policy rule"
		return
	}
	det := d.rule.then.details
	if det == nil || !det.relatedType.set {
		res.Compliance, res.Err = Undetermined, fmt.Errorf("%s needs details.type", res.Effect)
		res.Message = res.Err.Error()
		return
	}
	typeValue, err := det.relatedType.eval(ctx)
	relatedType, ok := typeValue.(string)
	if err != nil || !ok {
		res.Compliance, res.Message = Undetermined, "the related resource type is unknown"
		return
	}
	var wantName string
	if det.relatedName.set {
		v, err := det.relatedName.eval(ctx)
		if err != nil || resource.IsUnknown(v) {
			res.Compliance, res.Message = Undetermined, "the related resource's name is unknown"
			return
		}
		wantName = stringForm(v)
	}
	scopeValue, _ := det.existenceScope.eval(ctx)
	subscriptionScope := strings.EqualFold(stringForm(scopeValue), "subscription")
	var wantGroup string
	if det.resourceGroupName.set {
		v, err := det.resourceGroupName.eval(ctx)
		if err != nil || resource.IsUnknown(v) {
			res.Compliance, res.Message = Undetermined, "the related resource's resource group is unknown"
			return
		}
		wantGroup = stringForm(v)
	}

	exists := False
	var satisfied string
	found := 0
	candidates := ctx.env.Resources
	self := strings.EqualFold(relatedType, res.Resource.Type)
	if self {
		// details.type naming the resource's own type (with name [field('name')]) checks the
		// resource itself.
		candidates = []*resource.Resource{res.Resource}
	}
	for _, other := range candidates {
		switch {
		case self:
		case other == res.Resource:
			continue
		case wantGroup != "":
			if !strings.EqualFold(other.ResourceGroup, wantGroup) || !strings.EqualFold(extensionType(other), relatedType) ||
				(res.Resource.SubscriptionID != "" && !strings.EqualFold(other.SubscriptionID, res.Resource.SubscriptionID)) {
				continue
			}
		case !related(res.Resource, other, relatedType, subscriptionScope):
			continue
		}
		if wantName != "" && !strings.EqualFold(lastSegment(other.Name), wantName) {
			continue
		}
		found++
		t := True
		if det.hasExistenceCheck {
			view := *other // aliases resolve against the extension's own type
			view.Type = extensionType(other)
			inner := &evalContext{env: ctx.env, definition: ctx.definition, params: ctx.params, target: &view, subject: res.Resource}
			t, err = inner.evalCondition(det.existence)
			if err != nil {
				t = Unknown
			}
			ctx.note(inner.unknown)
		}
		if t == True && satisfied == "" {
			satisfied = describeResource(other)
		}
		exists = exists.Or(t)
	}
	// The resource complies when the if does not match or a related resource exists.
	verdict := matched.Not().Or(exists)
	switch verdict {
	case True:
		res.Compliance = Compliant
		if satisfied != "" {
			res.Message = fmt.Sprintf("a related %s satisfies the existence condition: %s", relatedType, satisfied)
		} else {
			res.Message = "the resource does not match the policy rule"
		}
	case False:
		if found == 0 && !self && inventoried(res.Resource) && !scanHolds(ctx.env.Resources, relatedType) {
			res.Compliance = Undetermined
			res.Message = fmt.Sprintf("the scan's inventory holds no %s resources, so lensix cannot tell whether one exists; scan them too or evaluate the IaC that deploys them", relatedType)
			return
		}
		res.Compliance = NonCompliant
		if found == 0 {
			res.Message = fmt.Sprintf("no related %s for this resource in the scanned input", relatedType)
		} else {
			res.Message = fmt.Sprintf("none of the %d related %s in the scanned input satisfies the existence condition", found, relatedType)
		}
		if res.Effect == "DeployIfNotExists" {
			res.Message += "; Azure Policy would deploy one (remediation task)"
		}
	default:
		res.Compliance = Undetermined
		res.Message = fmt.Sprintf("whether a related %s satisfies the existence condition depends on a value unknown until deployment", relatedType) + because(ctx.unknown)
	}
}

// inventoried reports whether r came from a live inventory or snapshot, which holds only the
// resource types lensix asked for, unlike IaC, which is the whole deployment.
func inventoried(r *resource.Resource) bool {
	return r.Provenance.Source == "azure" || r.Provenance.Source == "snapshot"
}

// scanHolds reports whether any resource of the scan has the given type.
func scanHolds(resources []*resource.Resource, typ string) bool {
	for _, r := range resources {
		if strings.EqualFold(extensionType(r), typ) {
			return true
		}
	}
	return false
}

// because says which unknown value a verdict rests on.
func because(u *resource.Unknown) string {
	if u == nil {
		return ""
	}
	return ": " + u.String()
}

// extensionTypes are resource types that attach to another resource rather than living beside it.
var extensionTypes = map[string]bool{
	"microsoft.insights/diagnosticsettings":                      true,
	"microsoft.authorization/locks":                              true,
	"microsoft.authorization/roleassignments":                    true,
	"microsoft.guestconfiguration/guestconfigurationassignments": true,
	"microsoft.security/advancedthreatprotectionsettings":        true,
	"microsoft.resources/tags":                                   true,
}

// related reports whether other is a resource of relatedType that belongs to r the way Azure
// looks for it: below r for child and extension types, else in r's resource group (or
// subscription). Sources that do not know resource groups are matched within one folder.
func related(r, other *resource.Resource, relatedType string, subscriptionScope bool) bool {
	if !strings.EqualFold(extensionType(other), relatedType) {
		return false
	}
	lowerType := strings.ToLower(relatedType)
	if strings.HasPrefix(lowerType, strings.ToLower(r.Type)+"/") || extensionTypes[lowerType] {
		return below(r, other)
	}
	if subscriptionScope {
		return sameKnown(r.SubscriptionID, other.SubscriptionID, r, other)
	}
	if r.ResourceGroup != "" && other.ResourceGroup != "" {
		return strings.EqualFold(r.ResourceGroup, other.ResourceGroup) && strings.EqualFold(r.SubscriptionID, other.SubscriptionID)
	}
	return sameDeployment(r, other)
}

// extensionType is the resource's type, with ARM's nested form of an extension resource (type
// "<parent type>/providers/diagnosticSettings", name "<parent>/Microsoft.Insights/<name>") read
// as the extension's own type, "Microsoft.Insights/diagnosticSettings".
func extensionType(r *resource.Resource) string {
	i := strings.Index(strings.ToLower(r.Type), "/providers/")
	segments := strings.Split(r.Name, "/")
	if i < 0 || len(segments) < 2 {
		return r.Type
	}
	return segments[len(segments)-2] + "/" + r.Type[i+len("/providers/"):]
}

// sameDeployment stands in for "same resource group" when a source does not know groups: two
// resources declared in one folder (a Terraform module, a template and its siblings).
func sameDeployment(r, other *resource.Resource) bool {
	a, b := r.Provenance.Range.Filename, other.Provenance.Range.Filename
	return a != "" && b != "" && a[:strings.LastIndex(a, "/")+1] == b[:strings.LastIndex(b, "/")+1]
}

func sameKnown(a, b string, r, other *resource.Resource) bool {
	if a != "" && b != "" {
		return strings.EqualFold(a, b)
	}
	return sameDeployment(r, other)
}

// below reports whether other is a child or extension of r: by resource ID, by the ARM/Bicep
// "scope" property, or by the parent/child name ARM templates use.
func below(r, other *resource.Resource) bool {
	if r.ID != "" && other.ID != "" {
		return strings.HasPrefix(strings.ToLower(other.ID), strings.ToLower(r.ID)+"/")
	}
	if scope, ok := other.Body["scope"].(string); ok && scope != "" {
		lower := strings.ToLower(scope)
		return (r.ID != "" && strings.EqualFold(scope, r.ID)) ||
			strings.EqualFold(scope, r.Name) ||
			strings.HasSuffix(lower, strings.ToLower(r.Type+"/"+r.Name))
	}
	return r.Name != "" && strings.HasPrefix(strings.ToLower(other.Name), strings.ToLower(r.Name)+"/")
}

func lastSegment(name string) string { return name[strings.LastIndex(name, "/")+1:] }

func describeResource(r *resource.Resource) string {
	if r.Provenance.Address != "" {
		return r.Provenance.Address
	}
	if r.ID != "" {
		return r.ID
	}
	return r.Type + " " + r.Name
}
