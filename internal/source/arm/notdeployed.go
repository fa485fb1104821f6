package arm

import (
	"fmt"
	"slices"
	"strings"

	"github.com/lensix/lensix/internal/resource"
	"github.com/lensix/lensix/internal/source/arm/expr"
	"github.com/lensix/lensix/internal/source/arm/funcs"
	"github.com/lensix/lensix/internal/source/arm/jsonpos"
)

// counterfactual is an evaluation as if no parameter default were known, to tell whether the
// defaults decided a value.
type counterfactual struct {
	used []string // the parameters whose defaults were left out
	// nested is set when one of them is a nested template's own, which no deployment passed.
	nested bool
	// variables holds the variables evaluated again so far (nil while one is being evaluated),
	// so a diamond of variables is evaluated once and a cycle ends.
	variables map[*variable]any
}

// defaultParams lists the parameters whose defaults assumptions rest on: their keys are
// parameters('name').
func defaultParams(a assumptions) []string {
	var names []string
	for k := range a {
		if name, ok := strings.CutPrefix(k, "parameters('"); ok {
			names = append(names, strings.TrimSuffix(name, "')"))
		}
	}
	return names
}

// parameterWithoutDefaults is a parameter's value, or unknown when it rests on a default: its own,
// or one of the values a nested deployment passed it.
func (d *deployment) parameterWithoutDefaults(c *evalCtx, name string) (any, error) {
	v, err := d.parameter(c, name)
	if err != nil {
		return v, err
	}
	p := d.params[strings.ToLower(name)]
	used := defaultParams(p.assumed)
	if p.supplied != nil {
		used = defaultParams(p.supplied.assumed)
	}
	if len(used) == 0 {
		return v, nil
	}
	c.withoutDefaults.used = append(c.withoutDefaults.used, used...)
	if p.supplied == nil && d.l.rootParams[strings.ToLower(name)] != p {
		c.withoutDefaults.nested = true
	}
	return &resource.Unknown{Reason: fmt.Sprintf("parameter %q rests on a default", p.name)}, nil
}

// variableWithoutDefaults evaluates a variable that rests on parameter defaults again, without them.
func (d *deployment) variableWithoutDefaults(c *evalCtx, name string) (any, error) {
	v, err := d.variable(c, name)
	vr := d.vars[strings.ToLower(name)]
	if err != nil || vr == nil || len(defaultParams(vr.assumed)) == 0 {
		return v, err
	}
	cf := c.withoutDefaults
	if again, seen := cf.variables[vr]; seen {
		if again == nil { // a cycle, already reported: keep the value it had
			return v, nil
		}
		return again, nil
	}
	cf.variables[vr] = nil
	inner := d.ctx()
	inner.withoutDefaults = cf
	if vr.copy != nil {
		v = inner.copyEntry(vr.copy)
	} else {
		v = inner.value(vr.decl)
	}
	cf.variables[vr] = v
	return v, nil
}

// offByDefaults records the declaration rn as not deployed when the parameter defaults that
// its condition or copy count n rests on decided that it is off; what names n and value is
// its off value.
func (d *deployment) offByDefaults(rn *jsonpos.Node, c *evalCtx, p *parent, n *jsonpos.Node, what, value string, off func(any) bool) {
	key := fmt.Sprintf("%s:%d", d.src.name, rn.Start)
	if n == nil || n.Kind != jsonpos.String || d.l.notDeployedAt[key] { // a literal rests on no default
		return
	}
	used, nested := c.decidedByDefaults(n, off)
	if len(used) == 0 {
		return
	}
	if d.l.notDeployedAt == nil {
		d.l.notDeployedAt = map[string]bool{}
	}
	d.l.notDeployedAt[key] = true
	quiet := *c
	quiet.assumed = assumptions{}
	d.l.quiet++
	typ, _ := quiet.value(rn.Get("type")).(string)
	name, ok := quiet.value(rn.Get("name")).(string)
	d.l.quiet--
	if p != nil && !strings.Contains(typ, "/") {
		typ = p.typ + "/" + typ
	}
	if nn := rn.Get("name"); (!ok || rn.Get("copy") != nil) && nn != nil && nn.Kind == jsonpos.String {
		// A copy loop's declaration stands for every copy: its name expression, not the first name.
		name = nn.Str
	}
	d.l.notDeployed = append(d.l.notDeployed, resource.NotDeployed{
		Type:       typ,
		Name:       name,
		Provenance: resource.Provenance{Source: "arm", Range: d.src.file.Range(rn.Start, rn.End)},
		Switch:     fmt.Sprintf("its %s %s is %s", what, n.Str, value),
		Defaults:   used,
		Fix:        d.l.fixDefaults(used, nested),
		Deploys:    d.deployedTypes(rn, quiet, 0),
	})
}

// deployedTypes lists the resource types a nested deployment's template declares (inline, or
// linked by a relative path), those of its own nested deployments included; nil for another
// resource.
func (d *deployment) deployedTypes(rn *jsonpos.Node, c evalCtx, depth int) []string {
	if typ := rn.Get("type"); typ == nil || typ.Kind != jsonpos.String || !strings.EqualFold(typ.Str, deploymentsType) || depth >= maxNesting {
		return nil
	}
	props := rn.Get("properties")
	tmpl := props.Get("template")
	if link := props.Get("templateLink"); tmpl == nil && link != nil {
		d.l.quiet++
		rel, _ := c.value(link.Get("relativePath")).(string)
		d.l.quiet--
		if name := d.localPath(rel); name != "" && fileExists(name) {
			if f := d.l.read(name); f != nil {
				tmpl = f.root
			}
		}
	}
	var types []string
	var walk func(resources *jsonpos.Node, parent string)
	walk = func(resources *jsonpos.Node, parent string) {
		var decls []*jsonpos.Node
		switch resources.Kind {
		case jsonpos.Array:
			decls = resources.Elems
		case jsonpos.Object:
			for _, f := range resources.Fields {
				decls = append(decls, f.Value)
			}
		}
		for _, r := range decls {
			t := r.Get("type")
			if t == nil || t.Kind != jsonpos.String || expr.IsExpression(t.Str) || isTrue(r.Get("existing")) {
				continue
			}
			typ := t.Str
			if parent != "" && !strings.Contains(typ, "/") {
				typ = parent + "/" + typ
			}
			types = append(types, typ)
			types = append(types, d.deployedTypes(r, c, depth+1)...)
			if children := r.Get("resources"); children != nil {
				walk(children, typ)
			}
		}
	}
	if resources := tmpl.Get("resources"); resources != nil {
		walk(resources, "")
	}
	slices.Sort(types)
	return slices.Compact(types)
}

// decidedByDefaults evaluates n again without the parameter defaults it rests on and, when it
// is then no longer off, names the parameters whose defaults decided it, and whether some of
// them are a nested template's own.
func (c *evalCtx) decidedByDefaults(n *jsonpos.Node, off func(any) bool) ([]string, bool) {
	c.d.l.quiet++ // n's problems were reported when it was evaluated
	defer func() { c.d.l.quiet-- }()
	first := *c
	first.assumed = assumptions{}
	first.value(n)
	if len(defaultParams(first.assumed)) == 0 {
		return nil, false
	}
	cf := &counterfactual{variables: map[*variable]any{}}
	again := *c
	again.assumed, again.withoutDefaults = assumptions{}, cf
	if off(again.value(n)) {
		return nil, false
	}
	slices.Sort(cf.used)
	return slices.Compact(cf.used), cf.nested
}

// fixDefaults says how to give the parameters in used a value: --param for those of the
// template the user deploys; a nested template's own come from the deployment that deploys it.
func (l *loader) fixDefaults(used []string, nested bool) string {
	var flags []string
	for _, name := range used {
		p := l.rootParams[strings.ToLower(name)]
		if nested || p == nil || p.supplied != nil {
			return fmt.Sprintf("have the nested deployment that deploys it pass %s", resource.ParameterList(used))
		}
		flags = append(flags, fmt.Sprintf("--param %s=%s", p.name, otherValue(p.decl)))
	}
	return "pass " + strings.Join(flags, " ")
}

// otherValue suggests a value for a parameter other than its default: the other bool, a count
// of one, else a placeholder.
func otherValue(decl *jsonpos.Node) string {
	switch def := decl.Get("defaultValue"); {
	case def != nil && def.Kind == jsonpos.Bool:
		return fmt.Sprint(!def.Bool)
	case def != nil && def.Kind == jsonpos.Number:
		if n, ok := funcs.AsInt(def.Value()); ok && n == 0 {
			return "1"
		}
	}
	return "VALUE"
}
