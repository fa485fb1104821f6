package arm

import (
	"fmt"
	"regexp"
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
	// try gives parameters of the root template (by lower-case name) a value, to test whether a
	// suggested value deploys the resource.
	try map[string]any
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
	if v, ok := d.tried(c.withoutDefaults.try, p); ok {
		return v, nil
	}
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

// passThrough matches a value a nested deployment passes that is a parameter of its own, as is.
var passThrough = regexp.MustCompile(`^"\[\s*parameters\(\s*'([^']+)'\s*\)\s*\]"`)

// tried is the value try gives p: p's own when it is the root template's, else the one of the root
// parameter a nested deployment passes to p as is.
func (d *deployment) tried(try map[string]any, p *param) (any, bool) {
	if try == nil {
		return nil, false
	}
	if p.supplied == nil {
		v, ok := try[strings.ToLower(p.name)]
		return v, ok && d.l.rootParams[strings.ToLower(p.name)] == p
	}
	used := defaultParams(p.supplied.assumed)
	if p.supplied.file == nil || len(used) != 1 {
		return nil, false
	}
	// The root parameter's value passed on unchanged (through a nested template between them too).
	root := d.l.rootParams[strings.ToLower(used[0])]
	m := passThrough.FindSubmatch(p.supplied.file.Source()[p.supplied.valueAt:])
	if m == nil || !strings.EqualFold(string(m[1]), used[0]) || root == nil || !funcs.Equal(root.value, p.supplied.value) {
		return nil, false
	}
	v, ok := try[strings.ToLower(used[0])]
	return v, ok
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
		Fix:        c.fixDefaults(n, what, used, nested),
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

// fixDefaults says how to give the parameters in used a value so that n (what: the condition or
// the copy count) deploys the resource: --param for those of the template the user deploys, with
// values that were tried and do, else a placeholder; a nested template's own come from the
// deployment that deploys it.
func (c *evalCtx) fixDefaults(n *jsonpos.Node, what string, used []string, nested bool) string {
	l := c.d.l
	choices := make([][]any, len(used))
	for i, name := range used {
		p := l.rootParams[strings.ToLower(name)]
		if nested || p == nil || p.supplied != nil {
			return fmt.Sprintf("have the nested deployment that deploys it pass %s", resource.ParameterList(used))
		}
		choices[i] = c.d.constraints(p).OtherValues(p.value)
	}
	deploys, want := func(v any) bool { return v == true }, "true"
	if what == "copy count" {
		deploys, want = func(v any) bool { n, ok := funcs.AsInt(v); return ok && n > 0 }, "more than 0"
	}
	if values := c.firstThatDeploys(n, used, choices, deploys); values != nil {
		flags := make([]string, len(used))
		for i, name := range used {
			flags[i] = fmt.Sprintf("--param %s=%s", l.rootParams[strings.ToLower(name)].name, FlagValue(values[i]))
		}
		return "pass " + strings.Join(flags, " ")
	}
	flags := make([]string, len(used))
	for i, name := range used {
		flags[i] = fmt.Sprintf("--param %s=VALUE", l.rootParams[strings.ToLower(name)].name)
	}
	values := "a value that makes"
	if len(used) > 1 {
		values = "values that make"
	}
	return fmt.Sprintf("pass %s with %s %s %s", strings.Join(flags, " "), values, n.Str, want)
}

// maxTries bounds the combinations of suggested values evaluated for one declaration.
const maxTries = 64

// FirstCombination calls accept with combinations of choices, one value for each slot (the last
// slot's choices turning fastest), at most maxTries of them, and returns the first it accepts;
// nil when none is, or a slot has no choice. Both front ends search suggested values with it.
func FirstCombination(choices [][]any, accept func(values []any) bool) []any {
	pick := make([]int, len(choices))
	for tries := 0; tries < maxTries; tries++ {
		values := make([]any, len(choices))
		for i := range choices {
			if len(choices[i]) == 0 {
				return nil // a value lensix cannot guess
			}
			values[i] = choices[i][pick[i]]
		}
		if accept(values) {
			return values
		}
		i := len(pick) - 1
		for ; i >= 0; i-- {
			if pick[i]++; pick[i] < len(choices[i]) {
				break
			}
			pick[i] = 0
		}
		if i < 0 {
			return nil
		}
	}
	return nil
}

// firstThatDeploys evaluates n again with each combination of the choices for the parameters in
// used and returns the first whose value deploys, or nil.
func (c *evalCtx) firstThatDeploys(n *jsonpos.Node, used []string, choices [][]any, deploys func(any) bool) []any {
	c.d.l.quiet++ // n's problems were reported when it was evaluated
	defer func() { c.d.l.quiet-- }()
	return FirstCombination(choices, func(values []any) bool {
		try := map[string]any{}
		for i, name := range used {
			try[strings.ToLower(name)] = values[i]
		}
		again := *c
		again.assumed = assumptions{}
		again.withoutDefaults = &counterfactual{variables: map[*variable]any{}, try: try}
		return deploys(again.value(n))
	})
}
