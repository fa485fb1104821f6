package bicep

import (
	"fmt"
	"slices"
	"strings"

	"github.com/lensix/lensix/internal/resource"
	"github.com/lensix/lensix/internal/source/arm"
	"github.com/lensix/lensix/internal/source/arm/funcs"
	"github.com/lensix/lensix/internal/source/bicep/ast"
)

// counterfactual is an evaluation as if no parameter default were known, to tell whether the
// defaults decided a value.
type counterfactual struct {
	used []string // the parameters whose defaults were left out
	// nested are those of them that a module declares and was not passed.
	nested map[string]bool
	// variables holds the variables evaluated again so far (nil while one is being evaluated),
	// so a diamond of variables is evaluated once and a cycle ends.
	variables map[*symbol]any
	// try gives parameters of the root (by name) a value, to test whether a suggested value
	// deploys the resource.
	try map[string]any
}

// defaultParams lists the parameters whose defaults assumptions rest on: their keys are
// param.name.
func defaultParams(assumed map[string]string) []string {
	var names []string
	for k := range assumed {
		if name, ok := strings.CutPrefix(k, "param."); ok {
			names = append(names, name)
		}
	}
	return names
}

// paramWithoutDefaults is a parameter's value, or unknown when it rests on a default: its own,
// or one of those a module's caller passed it.
func (d *deployment) paramWithoutDefaults(sym *symbol, st *state) any {
	v := d.param(sym, st)
	if v, ok := d.tried(st.withoutDefaults.try, sym); ok {
		return v
	}
	used := defaultParams(sym.assumed)
	if len(used) == 0 {
		return v
	}
	cf := st.withoutDefaults
	cf.used = append(cf.used, used...)
	if name := sym.decl.(*ast.ParamDecl).Name.Name; d.l.rootParams[name] != sym && sym.assumed["param."+name] != "" {
		cf.nested[name] = true
	}
	return &resource.Unknown{Reason: "the parameter rests on a default"}
}

// tried is the value try gives sym: its own when it is the root's parameter, else the one of the
// root parameter a module declaration passes to it as is.
func (d *deployment) tried(try map[string]any, sym *symbol) (any, bool) {
	if try == nil {
		return nil, false
	}
	name := sym.decl.(*ast.ParamDecl).Name.Name
	if d.l.rootParams[name] == sym {
		v, ok := try[name]
		return v, ok
	}
	sp, ok := d.suppliedValue(name)
	used := defaultParams(sp.assumed)
	if !ok || len(used) != 1 || sp.passes != used[0] {
		return nil, false
	}
	// The root parameter's value passed on unchanged (through a module between them too).
	if root := d.l.rootParams[used[0]]; root == nil || !funcs.Equal(root.value, sp.value) {
		return nil, false
	}
	v, ok := try[used[0]]
	return v, ok
}

// variableWithoutDefaults evaluates a variable that rests on parameter defaults again, without
// them.
func (d *deployment) variableWithoutDefaults(sym *symbol, st *state) any {
	v := d.variable(sym, st)
	if len(defaultParams(sym.assumed)) == 0 {
		return v
	}
	cf := st.withoutDefaults
	if again, seen := cf.variables[sym]; seen {
		if again == nil { // a cycle, already reported: keep the value it had
			return v
		}
		return again
	}
	cf.variables[sym] = nil
	again := d.eval(sym.decl.(*ast.VarDecl).Value, nil, &state{withoutDefaults: cf})
	cf.variables[sym] = again
	return again
}

// offByDefaults records the resource declaration sym as not deployed when the parameter
// defaults that x (its condition or loop range) rests on decided that it is off; sw says how,
// and off tells an off value.
func (d *deployment) offByDefaults(sym *resourceSym, x ast.Expr, e *env, sw string, off func(any) bool) {
	typ, _ := splitType(sym.decl.Type, d.file)
	for p := sym.parent; p != nil && (!strings.Contains(typ, "/") || !strings.Contains(typ, ".")); p = p.parent {
		parentType, _ := splitType(p.decl.Type, d.file)
		typ = parentType + "/" + typ
	}
	d.recordOff(sym.decl, typ, sym.name, resourceBody(sym.decl.Value), x, e, sw, off, nil)
}

// moduleOffByDefaults is offByDefaults for a module, which switches off what its file deploys.
func (d *deployment) moduleOffByDefaults(m *moduleSym, x ast.Expr, e *env, sw string, off func(any) bool) {
	var deploys []string
	if path, ok := m.decl.Path.Literal(); ok && strings.HasSuffix(strings.ToLower(path), ".bicep") {
		deploys = d.l.declaredTypes(d.file.resolve(path), map[string]bool{})
		slices.Sort(deploys)
		deploys = slices.Compact(deploys)
	}
	d.recordOff(m.decl, "Microsoft.Resources/deployments", m.decl.Name.Name, resourceBody(m.decl.Value), x, e, sw, off, deploys)
}

// recordOff records decl, of type typ and named by its body's name property (else by symbol),
// when the defaults decided that x is off.
func (d *deployment) recordOff(decl ast.Decl, typ, symbol string, body *ast.ObjectLit, x ast.Expr, e *env, sw string, off func(any) bool, deploys []string) {
	if d.l.notDeployedAt[decl] {
		return
	}
	used, nested := d.decidedByDefaults(x, e, off)
	if len(used) == 0 {
		return
	}
	if d.l.notDeployedAt == nil {
		d.l.notDeployedAt = map[ast.Decl]bool{}
	}
	d.l.notDeployedAt[decl] = true
	name := symbol
	if body != nil && !isLoop(decl) { // a loop's declaration stands for every copy: its symbolic name
		for _, item := range body.Items {
			if prop, ok := item.(*ast.Property); ok && d.file.text(prop.Key) == "name" {
				d.l.quiet++
				if s, ok := d.eval(prop.Value, e, &state{}).(string); ok {
					name = s
				}
				d.l.quiet--
			}
		}
	}
	d.l.notDeployed = append(d.l.notDeployed, resource.NotDeployed{
		Type:       typ,
		Name:       resource.MaskString(name, d.secrets()),
		Provenance: resource.Provenance{Source: "bicep", Range: d.file.rangeOf(decl.Pos(), decl.End()), Address: d.prefix + symbol},
		Switch:     fmt.Sprintf(sw, d.file.text(x)),
		Defaults:   used,
		Fix:        d.fixDefaults(x, e, strings.Contains(sw, "loop"), used, nested),
		Deploys:    deploys,
	})
}

func isLoop(decl ast.Decl) bool {
	var value ast.Expr
	switch x := decl.(type) {
	case *ast.ResourceDecl:
		value = x.Value
	case *ast.ModuleDecl:
		value = x.Value
	}
	_, ok := value.(*ast.ForExpr)
	return ok
}

// declaredTypes lists the resource types a local Bicep file declares, those of its nested
// resources and local modules included; seen ends module cycles.
func (l *loader) declaredTypes(file string, seen map[string]bool) []string {
	if seen[file] || !fileExists(file) {
		return nil
	}
	seen[file] = true
	f := l.read(file)
	if f == nil {
		return nil
	}
	var types []string
	var walk func(x *ast.ResourceDecl, parent string)
	walk = func(x *ast.ResourceDecl, parent string) {
		typ, _ := splitType(x.Type, f)
		if parent != "" && (!strings.Contains(typ, "/") || !strings.Contains(typ, ".")) {
			typ = parent + "/" + typ
		}
		if !x.Existing {
			types = append(types, typ)
		}
		if body := resourceBody(x.Value); body != nil {
			for _, item := range body.Items {
				if child, ok := item.(*ast.ResourceDecl); ok {
					walk(child, typ)
				}
			}
		}
	}
	for _, decl := range f.ast.Decls {
		switch x := decl.(type) {
		case *ast.ResourceDecl:
			walk(x, "")
		case *ast.ModuleDecl:
			if path, ok := x.Path.Literal(); ok && strings.HasSuffix(strings.ToLower(path), ".bicep") {
				types = append(types, "Microsoft.Resources/deployments")
				types = append(types, l.declaredTypes(f.resolve(path), seen)...)
			}
		}
	}
	return types
}

// decidedByDefaults evaluates x again without the parameter defaults it rests on and, when it
// is then no longer off, names the parameters whose defaults decided it, and whether some of
// them are a module's own.
func (d *deployment) decidedByDefaults(x ast.Expr, e *env, off func(any) bool) ([]string, bool) {
	d.l.quiet++ // x's problems were reported when it was evaluated
	defer func() { d.l.quiet-- }()
	first := &state{}
	d.eval(x, e, first)
	if len(defaultParams(first.assumed)) == 0 {
		return nil, false
	}
	cf := &counterfactual{variables: map[*symbol]any{}, nested: map[string]bool{}}
	if off(d.eval(x, e, &state{withoutDefaults: cf})) {
		return nil, false
	}
	slices.Sort(cf.used)
	return slices.Compact(cf.used), len(cf.nested) > 0
}

// fixDefaults says how to give the parameters in used a value so that x (a condition, or a loop's
// range when loop is set) deploys the resource: --param for those of the root template, with
// values that were tried and do, else a placeholder; a module's own (nested) come from the module
// declaration that deploys it.
func (d *deployment) fixDefaults(x ast.Expr, e *env, loop bool, used []string, nested bool) string {
	l := d.l
	choices := make([][]any, len(used))
	for i, name := range used {
		sym := l.rootParams[name]
		if nested || sym == nil || sym.assumed["param."+name] == "" {
			return fmt.Sprintf("have the module declaration that deploys it pass %s", resource.ParameterList(used))
		}
		choices[i] = l.rootDeployment.otherValues(sym)
	}
	deploys, want := func(v any) bool { return v == true }, "true"
	if loop {
		deploys, want = func(v any) bool { a, ok := v.([]any); return ok && len(a) > 0 }, "not empty"
	}
	if values := d.firstThatDeploys(x, e, used, choices, deploys); values != nil {
		flags := make([]string, len(used))
		for i, name := range used {
			flags[i] = fmt.Sprintf("--param %s=%s", name, arm.FlagValue(values[i]))
		}
		return "pass " + strings.Join(flags, " ")
	}
	flags := make([]string, len(used))
	for i, name := range used {
		flags[i] = fmt.Sprintf("--param %s=VALUE", name)
	}
	values := "a value that makes"
	if len(used) > 1 {
		values = "values that make"
	}
	if p, ok := x.(*ast.ParenExpr); ok { // an if's parentheses are no part of the condition
		x = p.X
	}
	return fmt.Sprintf("pass %s with %s %s %s", strings.Join(flags, " "), values, d.file.text(x), want)
}

// firstThatDeploys evaluates x again with each combination of the choices for the parameters in
// used and returns the first whose value deploys, or nil.
func (d *deployment) firstThatDeploys(x ast.Expr, e *env, used []string, choices [][]any, deploys func(any) bool) []any {
	d.l.quiet++ // x's problems were reported when it was evaluated
	defer func() { d.l.quiet-- }()
	return arm.FirstCombination(choices, func(values []any) bool {
		try := map[string]any{}
		for i, name := range used {
			try[name] = values[i]
		}
		cf := &counterfactual{variables: map[*symbol]any{}, nested: map[string]bool{}, try: try}
		return deploys(d.eval(x, e, &state{withoutDefaults: cf}))
	})
}

// otherValues lists values to try for a root parameter instead of its default: the other allowed
// values, the other bool, or a count of one for an integer that defaults to 0.
func (d *deployment) otherValues(sym *symbol) []any {
	c, _ := d.constraints(sym.decl.(*ast.ParamDecl))
	return c.OtherValues(sym.value)
}
