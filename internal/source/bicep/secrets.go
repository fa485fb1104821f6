package bicep

import (
	"slices"
	"sort"

	"github.com/lensix/lensix/internal/resource"
	"github.com/lensix/lensix/internal/source/bicep/ast"
)

// secrets are the known values of the deployment's @secure() parameters (every string of a
// secure object), with those of the deployments above it: whatever resource of this deployment
// carries them, reports mask them.
func (d *deployment) secrets() []string {
	if d.secretsDone {
		return slices.Clip(d.secretValues) // shared by every resource: an append must copy
	}
	d.secretsDone = true
	seen := map[string]bool{}
	add := func(s string) {
		if s != "" && !seen[s] {
			seen[s] = true
			d.secretValues = append(d.secretValues, s)
		}
	}
	for _, s := range d.inheritedSecrets {
		add(s)
	}
	for _, decl := range d.file.ast.Decls {
		x, ok := decl.(*ast.ParamDecl)
		if !ok || x.Name == nil || !isSecure(x.Decorators) || d.params[x.Name.Name] == nil || d.params[x.Name.Name].decl != x {
			continue
		}
		leafStrings(d.param(d.params[x.Name.Name], nil), add)
	}
	sort.Strings(d.secretValues)
	return slices.Clip(d.secretValues)
}

// isSecure reports whether the decorators include @secure() (or @sys.secure()).
func isSecure(decorators []*ast.Decorator) bool {
	for _, dec := range decorators {
		call, ok := dec.X.(*ast.CallExpr)
		if !ok {
			continue
		}
		switch f := call.Fun.(type) {
		case *ast.Ident:
			if f.Name == "secure" {
				return true
			}
		case *ast.SelectorExpr:
			if ns, ok := f.X.(*ast.Ident); ok && ns.Name == "sys" && f.Sel.Name == "secure" {
				return true
			}
		}
	}
	return false
}

// leafStrings calls add with every string in v, however deep in objects and arrays.
func leafStrings(v any, add func(string)) {
	switch x := v.(type) {
	case string:
		add(x)
	case map[string]any:
		for _, val := range x {
			leafStrings(val, add)
		}
	case []any:
		for _, val := range x {
			leafStrings(val, add)
		}
	case *resource.Unknown:
	}
}

// mergeSecrets adds the secrets of more to list, once each.
func mergeSecrets(list, more []string) []string {
	seen := map[string]bool{}
	for _, s := range list {
		seen[s] = true
	}
	for _, s := range more {
		if !seen[s] {
			seen[s] = true
			list = append(list, s)
		}
	}
	return list
}
