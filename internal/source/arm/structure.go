package arm

import (
	"fmt"
	"strings"

	"github.com/lensix/lensix/internal/diag"
	"github.com/lensix/lensix/internal/resource"
	"github.com/lensix/lensix/internal/source/arm/funcs"
	"github.com/lensix/lensix/internal/source/arm/jsonpos"
)

// checkName reports what Resource Manager refuses in a resource's evaluated name: a number of
// segments that does not fit its type ("incorrect segment lengths"), and a type and name
// declared twice in one deployment ("defined multiple times"). A name that rests on defaults
// is left alone: the values it is deployed with may differ. Duplicates are not looked for among
// copies of loops, which the Bicep compiler emits with names alike in templates it accepts, nor
// where a condition is unknown: two resources of one name behind conditions that exclude each
// other ("new or existing") deploy one of them (Azure/bicep#15909).
func (d *deployment) checkName(rn *jsonpos.Node, typ, name, extensionOf string, target funcs.Scope, restsOnDefaults, notOnce bool) {
	nameNode := rn.Get("name")
	if name == "" || nameNode == nil || restsOnDefaults {
		return
	}
	namespace, types, _ := strings.Cut(typ, "/")
	want := strings.Count(types, "/") + 1
	if got := strings.Count(name, "/") + 1; strings.Contains(namespace, ".") && types != "" && got != want {
		d.l.report(d.src.file, nameNode.Start, diag.Error,
			fmt.Sprintf("The name %q has %s; a %s needs %d", name, segments(got), typ, want),
			fmt.Sprintf("Resource Manager rejects the template (incorrect segment lengths): a name has one segment per type after the namespace, %s; a child's starts with its parent's name. lensix checks the resource as named", segmentsExample(typ)))
	}
	if notOnce {
		return
	}
	key := strings.ToLower(typ + "\x00" + name + "\x00" + extensionOf)
	if strings.EqualFold(typ, deploymentsType) {
		for _, where := range []string{"resourceGroup", "subscriptionId", "scope"} {
			if rn.Get(where) != nil && target.SubscriptionID == "" && target.ResourceGroup == "" && target.ManagementGroup == "" {
				return // deployed somewhere not known offline: it may differ from the other
			}
		}
		key += strings.ToLower(fmt.Sprintf("\x00%d/%s/%s/%s", target.Level, target.ManagementGroup, target.SubscriptionID, target.ResourceGroup))
	}
	first, seen := d.declared[key]
	if !seen {
		d.declared[key] = rn.Start
		return
	}
	at := d.src.file.Position(first)
	d.l.report(d.src.file, rn.Start, diag.Error,
		fmt.Sprintf("The resource %s %q is defined multiple times in the template", typ, name),
		fmt.Sprintf("Resource Manager rejects the template: names compare without regard to case, and line %d:%d declares it too. lensix checks both", at.Line, at.Column))
}

// passedValue is the value of a nested deployment's parameter given as an evaluated object,
// {"value": ...} or {"reference": ...}.
func passedValue(given any, name string) any {
	if u, ok := given.(*resource.Unknown); ok {
		return u
	}
	if m, ok := given.(map[string]any); ok {
		if v, ok := m["value"]; ok {
			return v
		}
		if _, ok := m["reference"]; ok {
			return &resource.Unknown{Reason: fmt.Sprintf("parameter %q is a Key Vault secret reference, read at deployment", name)}
		}
	}
	return &resource.Unknown{Reason: fmt.Sprintf("parameter %q is passed as neither {\"value\": ...} nor {\"reference\": ...}", name)}
}

// checkPassed reports each parameter a nested deployment's template requires and the
// deployment does not pass: Resource Manager rejects the deployment.
func (d *deployment) checkPassed(rn, tmpl *jsonpos.Node, name string) {
	ps := tmpl.Get("parameters")
	if ps == nil || ps.Kind != jsonpos.Object {
		return
	}
	at, passed := rn.Start, map[string]bool{}
	if given := rn.Get("properties").Get("parameters"); given != nil {
		if given.Kind != jsonpos.Object {
			return // an expression: which it passes is known only when evaluated
		}
		at = given.Start
		for _, f := range given.Fields { // in any form: a value, a reference, a copy, an expression
			passed[strings.ToLower(f.Key)] = true
		}
	}
	if name == "" {
		name = "the nested deployment"
	}
	for _, f := range ps.Fields {
		if passed[strings.ToLower(f.Key)] || !required(tmpl, f.Value) {
			continue
		}
		d.l.report(d.src.file, at, diag.Error, fmt.Sprintf("Deployment %s does not pass required parameter %q", name, f.Key),
			fmt.Sprintf(`Resource Manager rejects the deployment: its template declares the parameter without a defaultValue; pass it in properties.parameters as "%s": {"value": ...}. lensix evaluates it as unknown`, f.Key))
	}
}

// required reports whether a template parameter must be given: it has no defaultValue and is
// not nullable, itself or through the definitions its $ref names.
func required(tmpl, decl *jsonpos.Node) bool {
	if decl.Kind != jsonpos.Object || decl.Get("defaultValue") != nil {
		return false
	}
	for range 8 { // a few $ref hops; a cycle ends
		if isTrue(decl.Get("nullable")) {
			return false
		}
		ref := decl.Get("$ref")
		if ref == nil || ref.Kind != jsonpos.String {
			return true
		}
		def, ok := strings.CutPrefix(ref.Str, "#/definitions/")
		if decl = tmpl.Get("definitions").Get(def); !ok || decl == nil {
			return true
		}
	}
	return true
}

// restsOn reports whether an assumption bears on the top-level property key.
func restsOn(affects map[string][]string, key string) bool {
	for _, keys := range affects {
		for _, k := range keys {
			if k == key {
				return true
			}
		}
	}
	return false
}

func segments(n int) string {
	if n == 1 {
		return "1 segment"
	}
	return fmt.Sprintf("%d segments", n)
}

// segmentsExample shows the name a type needs: Microsoft.ApiManagement/service/apis takes
// "service/apis" → "<service name>/<apis name>".
func segmentsExample(typ string) string {
	_, types, _ := strings.Cut(typ, "/")
	parts := strings.Split(types, "/")
	for i, p := range parts {
		parts[i] = "<" + p + " name>"
	}
	return strings.Join(parts, "/")
}
