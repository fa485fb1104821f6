package funcs

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"

	"github.com/lensix/lensix/internal/resource"
)

// Level is the kind of scope a template deploys to.
type Level uint8

// Levels of deployment scope; the zero value is the resource group, the default of ARM templates
// and Bicep files.
const (
	ResourceGroupLevel Level = iota
	SubscriptionLevel
	ManagementGroupLevel
	TenantLevel
)

func (l Level) String() string {
	switch l {
	case SubscriptionLevel:
		return "subscription"
	case ManagementGroupLevel:
		return "management group"
	case TenantLevel:
		return "tenant"
	}
	return "resource group"
}

// Scope is where a deployment runs. An empty field is not known offline; functions that need it
// return an unknown value whose reason is Reason(field).
type Scope struct {
	Level           Level
	TenantID        string
	ManagementGroup string
	SubscriptionID  string
	ResourceGroup   string
	Location        string
	DeploymentName  string
	// ContentVersion is the template's contentVersion, which deployment() reports.
	ContentVersion string
	// Why says, by field (the keys of unsetReasons), why an empty field is unknown when the reason
	// is not that nobody gave it: the template names it with a value unknown offline, or the
	// deployment's level has no such thing.
	Why map[string]string
}

// Scope fields, as Why and Reason name them.
const (
	FieldTenant          = "tenantId"
	FieldManagementGroup = "managementGroup"
	FieldSubscription    = "subscriptionId"
	FieldResourceGroup   = "resourceGroup"
	FieldLocation        = "location"
	FieldDeploymentName  = "deploymentName"
)

// unsetReasons say why a field nobody gave is unknown, and which flag gives it.
var unsetReasons = map[string]string{
	FieldTenant:          "the tenant is known only at deployment: give it with --tenant-id",
	FieldManagementGroup: "the management group is chosen when deploying: give it with --deployment-scope /providers/Microsoft.Management/managementGroups/<id>",
	FieldSubscription:    "the subscription is chosen when deploying: give it with --deployment-scope /subscriptions/<id>",
	FieldResourceGroup:   "the resource group is chosen when deploying: give it with --deployment-scope /subscriptions/<id>/resourceGroups/<name>",
	FieldLocation:        "the location is chosen when deploying: give it with --location",
	FieldDeploymentName:  "the deployment name is chosen when deploying: give it with --deployment-name",
}

// Reason says why field is unknown.
func (s Scope) Reason(field string) string {
	if why := s.Why[field]; why != "" {
		return why
	}
	return unsetReasons[field]
}

func (s Scope) value(field, v string) any {
	if v == "" {
		return &resource.Unknown{Reason: s.Reason(field)}
	}
	return v
}

func (s *Scope) because(field, why string) {
	m := make(map[string]string, len(s.Why)+1)
	for k, v := range s.Why {
		m[k] = v
	}
	m[field] = why
	s.Why = m
}

// For is the scope a template of the given level sees when the user deployed it to s: a
// subscription template given a resource group's scope takes its subscription, for instance, so
// one --deployment-scope serves a folder of templates of different levels.
func (s Scope) For(level Level) Scope {
	out := Scope{Level: level, TenantID: s.TenantID, Location: s.Location, DeploymentName: s.DeploymentName, Why: s.Why}
	none := fmt.Sprintf("a %s deployment has no ", level)
	switch level {
	case ResourceGroupLevel:
		out.SubscriptionID, out.ResourceGroup = s.SubscriptionID, s.ResourceGroup
	case SubscriptionLevel:
		out.SubscriptionID = s.SubscriptionID
		out.because(FieldResourceGroup, none+"resource group")
	case ManagementGroupLevel:
		out.ManagementGroup = s.ManagementGroup
		out.because(FieldSubscription, none+"subscription")
		out.because(FieldResourceGroup, none+"resource group")
	case TenantLevel:
		out.because(FieldManagementGroup, none+"management group")
		out.because(FieldSubscription, none+"subscription")
		out.because(FieldResourceGroup, none+"resource group")
	}
	return out
}

// Target is where a nested deployment or a module says it deploys. Each of ManagementGroup,
// SubscriptionID and ResourceGroup is nil when not named (the parent's applies), a string, or a
// *resource.Unknown; Location likewise for the deployment's own location.
type Target struct {
	Level                                          Level
	ManagementGroup, SubscriptionID, ResourceGroup any
	Location                                       any
}

// Nested is the scope of a deployment named name (a string or an unknown) that s deploys to
// target, as Resource Manager resolves it: what the target does not name is the parent's. what
// names the deployment in reasons ("module apim"); it may be "".
func (s Scope) Nested(target Target, name any, what string) Scope {
	out := Scope{Level: target.Level, TenantID: s.TenantID}
	if why, ok := s.Why[FieldTenant]; ok {
		out.because(FieldTenant, why)
	}
	set := func(field string, into *string, v any, inherited string) {
		switch v := v.(type) {
		case nil:
			*into = inherited
			if inherited == "" {
				if why, ok := s.Why[field]; ok {
					out.because(field, why)
				}
			}
		case string:
			*into = v
		case *resource.Unknown:
			out.because(field, fmt.Sprintf("the %s that %s deploys to is unknown: %s", fieldNoun[field], what, v.Reason))
		}
	}
	set(FieldDeploymentName, &out.DeploymentName, name, "")
	none := fmt.Sprintf("a %s deployment has no ", target.Level)
	switch target.Level {
	case ResourceGroupLevel:
		set(FieldSubscription, &out.SubscriptionID, target.SubscriptionID, s.SubscriptionID)
		parentGroup := ""
		if s.Level == ResourceGroupLevel {
			parentGroup = s.ResourceGroup
		}
		set(FieldResourceGroup, &out.ResourceGroup, target.ResourceGroup, parentGroup)
		if target.ResourceGroup == nil && s.Level != ResourceGroupLevel {
			out.because(FieldResourceGroup, fmt.Sprintf("%s names no resource group to deploy to", what))
		}
		sameGroup := s.Level == ResourceGroupLevel && target.SubscriptionID == nil &&
			(target.ResourceGroup == nil || strings.EqualFold(fmt.Sprint(target.ResourceGroup), s.ResourceGroup))
		switch {
		case sameGroup:
			set(FieldLocation, &out.Location, nil, s.Location)
		case out.ResourceGroup != "" && what == "":
			out.because(FieldLocation, fmt.Sprintf("the location of resource group %q is not known offline", out.ResourceGroup))
		case out.ResourceGroup != "":
			out.because(FieldLocation, fmt.Sprintf("the location of resource group %q, which %s deploys to, is not known offline", out.ResourceGroup, what))
		default:
			out.because(FieldLocation, out.Reason(FieldResourceGroup))
		}
	default:
		switch target.Level {
		case SubscriptionLevel:
			set(FieldSubscription, &out.SubscriptionID, target.SubscriptionID, s.SubscriptionID)
		case ManagementGroupLevel:
			set(FieldManagementGroup, &out.ManagementGroup, target.ManagementGroup, s.ManagementGroup)
			out.because(FieldSubscription, none+"subscription")
		case TenantLevel:
			out.because(FieldManagementGroup, none+"management group")
			out.because(FieldSubscription, none+"subscription")
		}
		out.because(FieldResourceGroup, none+"resource group")
		inherited := ""
		if s.Level != ResourceGroupLevel {
			inherited = s.Location // a module's location defaults to its parent's deployment().location
		}
		set(FieldLocation, &out.Location, target.Location, inherited)
	}
	return out
}

var fieldNoun = map[string]string{
	FieldTenant: "tenant", FieldManagementGroup: "management group", FieldSubscription: "subscription",
	FieldResourceGroup: "resource group", FieldLocation: "location", FieldDeploymentName: "name",
}

// Place says where a resource of type typ ("Namespace/type/child") named name ("parent/child";
// "" when unknown) deployed at s lands: its ID as Resource Manager makes it ("" when part of it
// is unknown), subscription and resource group. extensionOf is the resource's scope property,
// set for an extension resource: a resource ID, or a type and name relative to s
// ("Microsoft.ApiManagement/service/apim").
func (s Scope) Place(typ, name, extensionOf string) (id, subscriptionID, resourceGroup string) {
	subscriptionID, resourceGroup = s.SubscriptionID, s.ResourceGroup
	if s.Level == SubscriptionLevel && strings.EqualFold(typ, "Microsoft.Resources/resourceGroups") && !strings.Contains(name, "/") {
		resourceGroup = name
	}
	types, names := strings.Split(typ, "/"), strings.Split(name, "/")
	if len(types) < 2 || len(names) != len(types)-1 || containsEmpty(types) || containsEmpty(names) {
		return "", subscriptionID, resourceGroup
	}
	base, ok := s.prefix()
	switch {
	case strings.HasPrefix(extensionOf, "/"):
		base, ok = strings.TrimSuffix(extensionOf, "/"), true
		subscriptionID, resourceGroup = idScope(base)
	case extensionOf != "":
		// A relative scope is a resource's type and name: Namespace/type/name[/type/name...].
		if segs := strings.Split(extensionOf, "/"); len(segs) < 3 || len(segs)%2 == 0 || containsEmpty(segs) {
			return "", subscriptionID, resourceGroup
		}
		base += "/providers/" + extensionOf
	case s.Level == SubscriptionLevel && strings.EqualFold(typ, "Microsoft.Resources/resourceGroups"):
		return base + "/resourceGroups/" + name, subscriptionID, resourceGroup
	}
	if !ok {
		return "", subscriptionID, resourceGroup
	}
	var b strings.Builder
	b.WriteString(base + "/providers/" + types[0])
	for i, n := range names {
		b.WriteString("/" + types[i+1] + "/" + n)
	}
	return b.String(), subscriptionID, resourceGroup
}

// idScope reads the subscription and resource group an ID lies in, as live resources are read.
func idScope(id string) (subscriptionID, resourceGroup string) {
	segs := strings.Split(strings.Trim(id, "/"), "/")
	for i := 0; i+1 < len(segs) && !strings.EqualFold(segs[i], "providers"); i += 2 {
		switch {
		case strings.EqualFold(segs[i], "subscriptions"):
			subscriptionID = segs[i+1]
		case strings.EqualFold(segs[i], "resourceGroups"):
			resourceGroup = segs[i+1]
		}
	}
	return subscriptionID, resourceGroup
}

// prefix is the ID of the scope itself ("" for the tenant), and false when it is unknown.
func (s Scope) prefix() (string, bool) {
	switch s.Level {
	case ResourceGroupLevel:
		if s.SubscriptionID == "" || s.ResourceGroup == "" {
			return "", false
		}
		return "/subscriptions/" + s.SubscriptionID + "/resourceGroups/" + s.ResourceGroup, true
	case SubscriptionLevel:
		return "/subscriptions/" + s.SubscriptionID, s.SubscriptionID != ""
	case ManagementGroupLevel:
		return "/providers/Microsoft.Management/managementGroups/" + s.ManagementGroup, s.ManagementGroup != ""
	}
	return "", true
}

// Missing says why the ID of the scope itself is unknown, or "" when it is known.
func (s Scope) Missing() string {
	switch {
	case s.Level == ResourceGroupLevel && s.SubscriptionID == "", s.Level == SubscriptionLevel && s.SubscriptionID == "":
		return s.Reason(FieldSubscription)
	case s.Level == ResourceGroupLevel && s.ResourceGroup == "":
		return s.Reason(FieldResourceGroup)
	case s.Level == ManagementGroupLevel && s.ManagementGroup == "":
		return s.Reason(FieldManagementGroup)
	}
	return ""
}

// ManagementGroupOf reads a management group from a scope property:
// "Microsoft.Management/managementGroups/<id>", with or without a leading "/providers/".
func ManagementGroupOf(scope string) (string, bool) {
	segs := strings.Split(strings.Trim(scope, "/"), "/")
	if len(segs) == 4 && strings.EqualFold(segs[0], "providers") {
		segs = segs[1:]
	}
	if len(segs) == 3 && strings.EqualFold(segs[0], "Microsoft.Management") && strings.EqualFold(segs[1], "managementGroups") && segs[2] != "" {
		return segs[2], true
	}
	return "", false
}

func containsEmpty(s []string) bool {
	for _, e := range s {
		if e == "" {
			return true
		}
	}
	return false
}

// ParseScope reads an ARM scope ID as `az deployment` commands target them: "/" (the tenant),
// "/providers/Microsoft.Management/managementGroups/<id>", "/subscriptions/<guid>" or
// "/subscriptions/<guid>/resourceGroups/<name>". The level of the scope is the returned Level.
func ParseScope(id string) (Scope, error) {
	const want = "want /, /providers/Microsoft.Management/managementGroups/<id>, /subscriptions/<guid> or /subscriptions/<guid>/resourceGroups/<name>"
	if id == "/" {
		return Scope{Level: TenantLevel}, nil
	}
	if !strings.HasPrefix(id, "/") {
		return Scope{}, fmt.Errorf("%q is not a scope ID: %s", id, want)
	}
	segs := strings.Split(strings.TrimSuffix(id[1:], "/"), "/")
	switch {
	case len(segs) == 4 && strings.EqualFold(segs[0], "providers") && strings.EqualFold(segs[1], "Microsoft.Management") && strings.EqualFold(segs[2], "managementGroups"):
		if err := CheckManagementGroupID(segs[3]); err != nil {
			return Scope{}, err
		}
		return Scope{Level: ManagementGroupLevel, ManagementGroup: segs[3]}, nil
	case (len(segs) == 2 || len(segs) == 4) && strings.EqualFold(segs[0], "subscriptions"):
		if err := CheckSubscriptionID(segs[1]); err != nil {
			return Scope{}, err
		}
		if len(segs) == 2 {
			return Scope{Level: SubscriptionLevel, SubscriptionID: segs[1]}, nil
		}
		if !strings.EqualFold(segs[2], "resourceGroups") {
			break
		}
		if err := CheckResourceGroupName(segs[3]); err != nil {
			return Scope{}, err
		}
		return Scope{Level: ResourceGroupLevel, SubscriptionID: segs[1], ResourceGroup: segs[3]}, nil
	}
	return Scope{}, fmt.Errorf("%q is not a scope ID: %s", id, want)
}

var guid = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// CheckSubscriptionID refuses a subscription ID that is not a GUID.
func CheckSubscriptionID(id string) error {
	if !guid.MatchString(id) {
		return fmt.Errorf("subscription %q is not a GUID like 00000000-0000-0000-0000-000000000000", id)
	}
	return nil
}

// CheckTenantID refuses a tenant ID that is not a GUID.
func CheckTenantID(id string) error {
	if !guid.MatchString(id) {
		return fmt.Errorf("tenant %q is not a GUID like 00000000-0000-0000-0000-000000000000", id)
	}
	return nil
}

// CheckResourceGroupName applies Azure's rules for resource group names: 1 to 90 letters,
// digits, underscores, hyphens, periods and parentheses, not ending in a period.
func CheckResourceGroupName(name string) error {
	return checkName("resource group", name, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) })
}

// CheckManagementGroupID applies Azure's rules for management group IDs: 1 to 90 ASCII letters,
// digits, underscores, hyphens, periods and parentheses, not ending in a period.
func CheckManagementGroupID(id string) error {
	return checkName("management group", id, func(r rune) bool {
		return r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r))
	})
}

func checkName(what, name string, alnum func(rune) bool) error {
	const rule = "1 to 90 letters, digits, underscores, hyphens, periods and parentheses, not ending in a period"
	if n := len([]rune(name)); n == 0 || n > 90 || strings.HasSuffix(name, ".") {
		return fmt.Errorf("%s name %q is not valid: Azure allows %s", what, name, rule)
	}
	for _, r := range name {
		if !alnum(r) && !strings.ContainsRune("_-.()", r) {
			return fmt.Errorf("%s name %q is not valid: %q is not allowed; Azure allows %s", what, name, r, rule)
		}
	}
	return nil
}
