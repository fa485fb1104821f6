package bicep

import (
	"fmt"
	"strings"

	"github.com/lensix/lensix/internal/resource"
	"github.com/lensix/lensix/internal/source/arm/funcs"
	"github.com/lensix/lensix/internal/source/bicep/ast"
)

// targetLevel reads a file's targetScope declaration; a file without one deploys to a resource
// group.
func targetLevel(f *sourceFile) funcs.Level {
	for _, decl := range f.ast.Decls {
		ts, ok := decl.(*ast.TargetScopeDecl)
		if !ok {
			continue
		}
		lit, ok := ts.Value.(*ast.StringLit)
		if !ok {
			break
		}
		switch v, _ := lit.Literal(); v {
		case "subscription":
			return funcs.SubscriptionLevel
		case "managementGroup":
			return funcs.ManagementGroupLevel
		case "tenant":
			return funcs.TenantLevel
		}
		break
	}
	return funcs.ResourceGroupLevel
}

// scopeCall names the scope function x calls (resourceGroup, subscription, managementGroup,
// tenant, with or without az.), or "" when x is no such call.
func (d *deployment) scopeCall(x ast.Expr) (string, *ast.CallExpr) {
	call, ok := x.(*ast.CallExpr)
	if !ok {
		return "", nil
	}
	name := ""
	switch f := call.Fun.(type) {
	case *ast.Ident:
		if d.functions[f.Name] != nil || d.imports[f.Name] != nil {
			return "", nil
		}
		name = f.Name
	case *ast.SelectorExpr:
		if ns, ok := f.X.(*ast.Ident); ok && ns.Name == "az" {
			name = f.Sel.Name
		}
	}
	switch name {
	case "resourceGroup", "subscription", "managementGroup", "tenant":
		return name, call
	}
	return "", nil
}

// scopeTarget reads the scope property of a module or resource: a scope function
// (resourceGroup('rg'), subscription('id'), managementGroup('mg'), tenant()) or the symbolic
// name of a resource group or management group. ok is false for anything else.
func (d *deployment) scopeTarget(x ast.Expr, e *env, st *state) (target funcs.Target, ok bool) {
	if name, call := d.scopeCall(x); call != nil {
		args := make([]any, len(call.Args))
		for i, a := range call.Args {
			args[i] = scopeArg(plain(d.eval(a, e, st)))
		}
		switch name {
		case "resourceGroup":
			target.Level = funcs.ResourceGroupLevel
			switch len(args) {
			case 1:
				target.ResourceGroup = args[0]
			case 2:
				target.SubscriptionID, target.ResourceGroup = args[0], args[1]
			}
		case "subscription":
			target.Level = funcs.SubscriptionLevel
			if len(args) == 1 {
				target.SubscriptionID = args[0]
			}
		case "managementGroup":
			target.Level = funcs.ManagementGroupLevel
			if len(args) == 1 {
				target.ManagementGroup = args[0]
			}
		case "tenant":
			target.Level = funcs.TenantLevel
		}
		return target, true
	}
	ref, isRef := d.eval(x, e, st).(*resourceRef)
	if !isRef || ref.unknownCopy != nil {
		return target, false
	}
	switch {
	case strings.EqualFold(ref.inst.typ, "Microsoft.Resources/resourceGroups"):
		target.Level, target.ResourceGroup = funcs.ResourceGroupLevel, scopeArg(ref.inst.ownName)
		return target, true
	case strings.EqualFold(ref.inst.typ, "Microsoft.Management/managementGroups"):
		target.Level, target.ManagementGroup = funcs.ManagementGroupLevel, scopeArg(ref.inst.ownName)
		return target, true
	}
	return target, false
}

// unknownTarget is a scope at level whose every part is unknown for reason.
func unknownTarget(level funcs.Level, reason string) funcs.Target {
	u := &resource.Unknown{Reason: reason}
	return funcs.Target{Level: level, ManagementGroup: u, SubscriptionID: u, ResourceGroup: u}
}

// scopeArg keeps a string or an unknown; any other value cannot name a scope.
func scopeArg(v any) any {
	switch v.(type) {
	case string, *resource.Unknown:
		return v
	}
	return &resource.Unknown{Reason: fmt.Sprintf("a scope is named by a string, not a %s", funcs.TypeName(v))}
}

// scopeFunction evaluates resourceGroup, subscription and managementGroup called with the
// arguments only Bicep gives them: another resource group, subscription or management group,
// whose ID is known from the deployment's scope.
func (d *deployment) scopeFunction(name string, args []any) (any, bool) {
	s := d.scope
	switch {
	case strings.EqualFold(name, "resourceGroup") && (len(args) == 1 || len(args) == 2):
		group := scopeArg(args[len(args)-1])
		target := funcs.Target{Level: funcs.ResourceGroupLevel, ResourceGroup: group}
		if len(args) == 2 {
			target.SubscriptionID = scopeArg(args[0])
		}
		in := s.Nested(target, nil, "")
		var id, location any = nil, in.Location
		switch {
		case funcs.FindUnknown(args) != nil:
			id = funcs.FindUnknown(args)
			location = id
		case in.SubscriptionID == "":
			id = &resource.Unknown{Reason: in.Reason(funcs.FieldSubscription)}
		default:
			id = "/subscriptions/" + in.SubscriptionID + "/resourceGroups/" + in.ResourceGroup
		}
		if location == "" {
			location = &resource.Unknown{Reason: in.Reason(funcs.FieldLocation)}
		}
		return map[string]any{
			"id": id, "name": group, "type": "Microsoft.Resources/resourceGroups", "location": location,
			"managedBy": &resource.Unknown{Reason: "resourceGroup().managedBy is known only at deployment"},
			"tags":      &resource.Unknown{Reason: "resourceGroup().tags is known only at deployment"},
		}, true
	case strings.EqualFold(name, "subscription") && len(args) == 1:
		sub := scopeArg(args[0])
		id := any(sub)
		if v, ok := sub.(string); ok {
			id = "/subscriptions/" + v
		}
		tenant := any(s.TenantID)
		if s.TenantID == "" {
			tenant = &resource.Unknown{Reason: s.Reason(funcs.FieldTenant)}
		}
		return map[string]any{
			"id": id, "subscriptionId": sub, "tenantId": tenant,
			"displayName": &resource.Unknown{Reason: "the subscription's display name is known only at deployment"},
		}, true
	}
	return nil, false
}
