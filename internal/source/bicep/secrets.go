package bicep

import (
	"maps"
	"slices"
	"sort"
	"strings"

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
		if !ok || x.Name == nil || d.params[x.Name.Name] == nil || d.params[x.Name.Name].decl != x {
			continue
		}
		if isSecure(x.Decorators) {
			leafStrings(d.param(d.params[x.Name.Name], nil), add)
		} else if d.declaresSecure(x.Type) {
			d.secretsIn(x.Type, d.param(d.params[x.Name.Name], nil), func(v any) (any, bool) {
				leafStrings(v, add)
				return v, false
			}, 0, nil)
		}
	}
	sort.Strings(d.secretValues)
	return slices.Clip(d.secretValues)
}

// isSecure reports whether the decorators include @secure() (or @sys.secure()).
func isSecure(decorators []*ast.Decorator) bool {
	for _, dec := range decorators {
		if name, _ := decoratorCall(dec); name == "secure" {
			return true
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

// maxTypeDepth bounds how far a type is followed through the types it names, so types that
// name each other in a cycle end.
const maxTypeDepth = 32

// typeDecl finds the declaration of a type named in a type expression — declared in this file or
// imported, by name or through a wildcard namespace — and the deployment it belongs to.
func (d *deployment) typeDecl(t ast.Expr) (*ast.TypeDecl, *deployment) {
	switch x := t.(type) {
	case *ast.Ident:
		if td := d.types[x.Name]; td != nil {
			return td, d
		}
		if imp := d.imports[x.Name]; imp != nil && imp.name != "" && imp.from != nil {
			return imp.from.types[imp.name], imp.from
		}
	case *ast.SelectorExpr:
		if ns, ok := x.X.(*ast.Ident); ok && x.Sel != nil {
			if imp := d.imports[ns.Name]; imp != nil && imp.name == "" && imp.from != nil {
				return imp.from.types[x.Sel.Name], imp.from
			}
		}
	}
	return nil, nil
}

// secretsIn applies secure to the parts of v that its type t declares secure: all of v for a
// @secure() type, else the values of @secure() properties and elements, at any depth. It returns
// v with those parts replaced by what secure gives, and whether it changed; v is not changed.
// seen holds the declared types already applied to v, so aliases and unions that name each other
// end; it starts afresh for each property or element.
func (d *deployment) secretsIn(t ast.Expr, v any, secure func(any) (any, bool), depth int, seen map[*ast.TypeDecl]bool) (any, bool) {
	if depth > maxTypeDepth || t == nil {
		return v, false
	}
	if seen == nil {
		seen = map[*ast.TypeDecl]bool{}
	}
	switch x := t.(type) {
	case *ast.NullableType:
		return d.secretsIn(x.X, v, secure, depth+1, seen)
	case *ast.Ident, *ast.SelectorExpr:
		td, owner := d.typeDecl(x)
		if td == nil || seen[td] {
			return v, false
		}
		if isSecure(td.Decorators) {
			return secure(v)
		}
		seen[td] = true
		return owner.secretsIn(td.Type, v, secure, depth+1, seen)
	case *ast.UnionType:
		// The member a value matches is not worked out: a property secure in any member is.
		changed := false
		for _, m := range x.Members {
			var c bool
			v, c = d.secretsIn(m, v, secure, depth+1, seen)
			changed = changed || c
		}
		return v, changed
	case *ast.ArrayType:
		arr, _ := v.([]any)
		return replaceElems(arr, v, func(_ int, e any) (any, bool) { return d.secretsIn(x.Elem, e, secure, depth+1, nil) })
	case *ast.ArrayLit:
		arr, _ := v.([]any)
		return replaceElems(arr, v, func(i int, e any) (any, bool) {
			switch {
			case i >= len(x.Items):
				return e, false
			case isSecure(x.Items[i].Decorators):
				return secure(e)
			}
			return d.secretsIn(x.Items[i].Value, e, secure, depth+1, nil)
		})
	case *ast.ObjectLit:
		obj, ok := v.(map[string]any)
		if !ok {
			return v, false
		}
		declared := map[string]*ast.Property{}
		var additional *ast.Property
		for _, item := range x.Items {
			p, ok := item.(*ast.Property)
			if !ok {
				continue
			}
			name, ok := propertyName(p)
			if !ok {
				additional = p
				continue
			}
			for k := range obj {
				if strings.EqualFold(k, name) {
					declared[k] = p
				}
			}
		}
		var out map[string]any
		for _, k := range slices.Sorted(maps.Keys(obj)) {
			p := declared[k]
			if p == nil {
				p = additional
			}
			if p == nil {
				continue
			}
			var nv any
			var changed bool
			if isSecure(p.Decorators) {
				nv, changed = secure(obj[k])
			} else {
				nv, changed = d.secretsIn(p.Value, obj[k], secure, depth+1, nil)
			}
			if changed {
				if out == nil {
					out = maps.Clone(obj)
				}
				out[k] = nv
			}
		}
		if out != nil {
			return out, true
		}
	}
	return v, false
}

// replaceElems returns v, the array arr, with each element replaced by what f gives, copied
// when one changes, and whether one did; v as it is when it is no array.
func replaceElems(arr []any, v any, f func(int, any) (any, bool)) (any, bool) {
	var out []any
	for i, e := range arr {
		if nv, changed := f(i, e); changed {
			if out == nil {
				out = slices.Clone(arr)
			}
			out[i] = nv
		}
	}
	if out != nil {
		return out, true
	}
	return v, false
}

// declaresSecure reports whether a type is @secure(), or holds a @secure() property or element
// at any depth: Bicep compiles those to securestring and secureObject.
func (d *deployment) declaresSecure(t ast.Expr) bool {
	return d.findSecure(t, 0, map[*ast.TypeDecl]bool{})
}

// findSecure is declaresSecure; seen holds the declared types already looked into, so types
// that name each other are looked into once.
func (d *deployment) findSecure(t ast.Expr, depth int, seen map[*ast.TypeDecl]bool) bool {
	if depth > maxTypeDepth || t == nil {
		return false
	}
	switch x := t.(type) {
	case *ast.NullableType:
		return d.findSecure(x.X, depth+1, seen)
	case *ast.Ident, *ast.SelectorExpr:
		if td, owner := d.typeDecl(x); td != nil && !seen[td] {
			seen[td] = true
			return isSecure(td.Decorators) || owner.findSecure(td.Type, depth+1, seen)
		}
	case *ast.UnionType:
		for _, m := range x.Members {
			if d.findSecure(m, depth+1, seen) {
				return true
			}
		}
	case *ast.ArrayType:
		return d.findSecure(x.Elem, depth+1, seen)
	case *ast.ArrayLit:
		for _, item := range x.Items {
			if isSecure(item.Decorators) || d.findSecure(item.Value, depth+1, seen) {
				return true
			}
		}
	case *ast.ObjectLit:
		for _, item := range x.Items {
			if p, ok := item.(*ast.Property); ok && (isSecure(p.Decorators) || d.findSecure(p.Value, depth+1, seen)) {
				return true
			}
		}
	}
	return false
}

// propertyName is the name of an object type's property; false for the "*: type" entry.
func propertyName(p *ast.Property) (string, bool) {
	switch k := p.Key.(type) {
	case *ast.Ident:
		return k.Name, true
	case *ast.StringLit:
		return k.Literal()
	}
	return "", false
}
