package arm

import (
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/lensix/lensix/internal/diag"
	"github.com/lensix/lensix/internal/resource"
	"github.com/lensix/lensix/internal/source/arm/expr"
	"github.com/lensix/lensix/internal/source/arm/funcs"
	"github.com/lensix/lensix/internal/source/arm/jsonpos"
)

// maxNesting bounds nested and linked deployments: a chain of distinct linked files, or of
// inline templates inside each other (a file linked again on its own chain is a cycle).
const maxNesting = 16

// deployment is one template being evaluated: the root one, or a nested or linked one.
type deployment struct {
	l    *loader
	src  *sourceFile
	tmpl *jsonpos.Node
	// scope is what the template functions read; target is where the resources deploy. They
	// differ in an outer-scope nested template, whose expressions are the parent's.
	scope, target funcs.Scope
	path          string // address prefix of the resources it deploys
	depth         int
	// loops are the copy loops around an outer-scope nested template, whose expressions may
	// read the deployment's copyIndex().
	loops []loop
	// unusedPass is set while evaluating what no resource used: its problems are warnings,
	// since Resource Manager never evaluates them either.
	unusedPass bool
	params     map[string]*param
	vars       map[string]*variable
	fns        map[string]*userFunc
	// typeRoot is the template a "$ref" of a parameter's or output's type points into.
	typeRoot *jsonpos.Node
	// deployments are the nested deployments evaluated so far, by lower-case name and symbolic
	// name, so reference() can read their outputs.
	deployments map[string]*deployment
	// decls are the top-level resource declarations, in the order they are evaluated;
	// evaluated are the resources evaluated so far, for reference(), which finds the first
	// indexed of them in refs by their keys.
	decls     []*declState
	evaluated []*declared
	refs      map[string][]*declared
	indexed   int
	// outputs are the deployment's evaluated outputs ({"type", "value"} by name) and what they
	// rest on.
	outputs        map[string]any
	outputsAssumed assumptions
	// varStack lists the variables being evaluated, innermost last, to name a cycle.
	varStack []string
	// passedBy is the address of the nested deployment that passes this template its
	// parameters; "" for a template the user deploys.
	passedBy string
	// declared maps each resource deployed so far (type, name and where) to the offset of
	// its declaration, to report one declared twice.
	declared map[string]int
	// chain lists the template files of the deployments that led here, outermost first, so a
	// file that links back to one of them is a cycle rather than an endless expansion.
	chain []chainLink
}

// chainLink is a template file on the chain of linked deployments, and the address prefix of
// the deployment that evaluates it.
type chainLink struct {
	file, path string
}

type state uint8

const (
	pending state = iota
	evaluating
	done
)

type param struct {
	name     string
	decl     *jsonpos.Node
	supplied *suppliedParam
	state    state
	value    any
	err      error // lensix did not evaluate the value: too large, or the scan stopped
	assumed  assumptions
}

type variable struct {
	name    string
	decl    *jsonpos.Node
	copy    *jsonpos.Node // a "copy" entry of the variables section that defines it
	state   state
	value   any
	err     error // lensix did not evaluate the value: too large, or the scan stopped
	assumed assumptions
}

type userFunc struct {
	name   string
	params []string
	output *jsonpos.Node
}

// assumptions maps an assumed input ("parameters('x')") to what was assumed.
type assumptions map[string]string

func (a *assumptions) add(from assumptions) {
	for k, v := range from {
		a.set(k, v)
	}
}

func (a *assumptions) set(path, msg string) {
	if *a == nil {
		*a = assumptions{}
	}
	(*a)[path] = msg
}

func (l *loader) newDeployment(src *sourceFile, tmpl *jsonpos.Node, scope funcs.Scope, prefix string, supplied map[string]suppliedParam, outer *deployment) *deployment {
	if cv := tmpl.Get("contentVersion"); cv != nil && cv.Kind == jsonpos.String {
		scope.ContentVersion = cv.Str
	}
	d := &deployment{l: l, src: src, tmpl: tmpl, scope: scope, target: scope, path: prefix, typeRoot: tmpl, declared: map[string]int{}}
	if outer != nil {
		// An outer-scope nested template reads the parameters, variables and functions of the
		// template it sits in.
		d.params, d.vars, d.fns, d.depth = outer.params, outer.vars, outer.fns, outer.depth+1
		d.deployments, d.chain = outer.deployments, outer.chain
		d.typeRoot = outer.typeRoot
		return d
	}
	d.chain = []chainLink{{file: path.Clean(src.name), path: prefix}}
	d.params, d.vars, d.fns = map[string]*param{}, map[string]*variable{}, map[string]*userFunc{}
	d.deployments = map[string]*deployment{}
	if ps := tmpl.Get("parameters"); ps != nil && ps.Kind == jsonpos.Object {
		for _, f := range ps.Fields {
			p := &param{name: f.Key, decl: f.Value}
			if s, ok := supplied[strings.ToLower(f.Key)]; ok {
				p.supplied = &s
			}
			d.params[strings.ToLower(f.Key)] = p
		}
	}
	if vs := tmpl.Get("variables"); vs != nil && vs.Kind == jsonpos.Object {
		for _, f := range vs.Fields {
			if strings.EqualFold(f.Key, "copy") && f.Value.Kind == jsonpos.Array {
				for _, c := range f.Value.Elems {
					if n := c.Get("name"); n != nil && n.Kind == jsonpos.String {
						d.vars[strings.ToLower(n.Str)] = &variable{name: n.Str, copy: c}
					}
				}
				continue
			}
			d.vars[strings.ToLower(f.Key)] = &variable{name: f.Key, decl: f.Value}
		}
	}
	if fs := tmpl.Get("functions"); fs != nil && fs.Kind == jsonpos.Array {
		for _, ns := range fs.Elems {
			nsName := ns.Get("namespace")
			members := ns.Get("members")
			if nsName == nil || nsName.Kind != jsonpos.String || members == nil || members.Kind != jsonpos.Object {
				continue
			}
			for _, m := range members.Fields {
				fn := &userFunc{name: nsName.Str + "." + m.Key}
				if ps := m.Value.Get("parameters"); ps != nil {
					for _, p := range ps.Elems {
						if n := p.Get("name"); n != nil {
							fn.params = append(fn.params, n.Str)
						}
					}
				}
				if out := m.Value.Get("output"); out != nil {
					fn.output = out.Get("value")
				}
				d.fns[strings.ToLower(fn.name)] = fn
			}
		}
	}
	return d
}

// run evaluates the deployment's resources and outputs, then every parameter and variable
// nothing used, so that mistakes in those are reported too (as warnings: nothing depends on them).
func (d *deployment) run() []*resource.Resource {
	out := d.resources()
	d.outputs = map[string]any{}
	if outputs := d.tmpl.Get("outputs"); outputs != nil && outputs.Kind == jsonpos.Object {
		for _, o := range outputs.Fields {
			c := d.ctx()
			if cond := o.Value.Get("condition"); cond != nil {
				if b, ok := c.value(cond).(bool); ok && !b {
					continue
				}
			}
			var v any
			if cp := o.Value.Get("copy"); cp != nil {
				v = c.copyArray(cp)
			} else {
				v = c.value(o.Value.Get("value"))
			}
			// A consumer reads it through reference(): mask it in the root's resources.
			v, _ = d.trackSecrets(o.Value, v, 0)
			output := map[string]any{"value": v}
			if t := o.Value.Get("type"); t != nil && t.Kind == jsonpos.String {
				output["type"] = t.Str
			}
			d.outputs[o.Key] = output
			d.outputsAssumed.add(c.assumed)
		}
	}
	d.unusedPass = true
	for _, k := range sortedKeys(d.params) {
		_, _ = d.ctx().Parameter(d.params[k].name)
	}
	for _, k := range sortedKeys(d.vars) {
		_, _ = d.ctx().Variable(d.vars[k].name)
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func (d *deployment) ctx() *evalCtx { return &evalCtx{d: d, loops: d.loops, assumed: assumptions{}} }

// parameter resolves a parameter: the value given, else its default (an assumption), else
// unknown.
func (d *deployment) parameter(c *evalCtx, name string) (any, error) {
	p := d.params[strings.ToLower(name)]
	if p == nil {
		return nil, fmt.Errorf("the template declares no parameter %q", name)
	}
	switch p.state {
	case evaluating:
		return nil, fmt.Errorf("parameter %q refers to itself through its defaultValue", name)
	case pending:
		p.state = evaluating
		switch {
		case p.supplied != nil:
			p.value = p.supplied.value
			if p.supplied.raw != nil && d.isStringType(p.decl) {
				p.value = *p.supplied.raw
			}
			d.checkValue(p)
			p.assumed.add(p.supplied.assumed)
		case p.decl.Get("defaultValue") != nil:
			dc := d.ctx()
			p.value = dc.value(p.decl.Get("defaultValue"))
			p.assumed.add(dc.assumed)
			p.assumed.set("parameters('"+p.name+"')", fmt.Sprintf("parameter %q was not given; its defaultValue was used", p.name))
		case isTrue(d.typeAttr(p.decl, "nullable")):
			p.value = nil
			p.assumed.set("parameters('"+p.name+"')", fmt.Sprintf("parameter %q was not given; it is nullable, so null was used", p.name))
		case d.passedBy != "":
			p.value = &resource.Unknown{Reason: fmt.Sprintf("parameter %q has no value: nested deployment %s does not pass it", p.name, d.passedBy)}
		default:
			p.value = &resource.Unknown{Reason: fmt.Sprintf("parameter %q has no value and no default: pass --param %s=VALUE or a parameters file", p.name, p.name)}
		}
		p.err = d.l.sized(p.value)
		p.state = done
		p.value, _ = d.trackSecrets(p.decl, p.value, 0)
	}
	c.assumed.add(p.assumed)
	if p.err != nil {
		return nil, p.err
	}
	return p.value, nil
}

// checkValue warns when a given value breaks its parameter's declared type, limits or
// allowedValues, as Resource Manager would reject it. The value itself is not shown: it may be a
// secret.
func (d *deployment) checkValue(p *param) {
	for _, v := range d.constraints(p).Check(p.value) {
		d.reportValue(p, d.typeAttr(p.decl, v.Constraint),
			fmt.Sprintf("The value given for parameter %q (from %s) %s", p.name, p.supplied.from, v.Problem),
			"Resource Manager would reject the deployment; lensix evaluated the value as given")
	}
}

// constraints reads what p's declaration asks of a value, through "$ref" types.
func (d *deployment) constraints(p *param) Constraints {
	c := Constraints{Type: d.typeName(p.decl)}
	c.MinValue, c.MaxValue = d.intAttr(p.decl, "minValue"), d.intAttr(p.decl, "maxValue")
	c.MinLength, c.MaxLength = d.intAttr(p.decl, "minLength"), d.intAttr(p.decl, "maxLength")
	if allowed := d.typeAttr(p.decl, "allowedValues"); allowed != nil && allowed.Kind == jsonpos.Array {
		c.AllowedValues = allowed.Value().([]any)
	}
	return c
}

// reportValue reports a problem with a given value where it is written, or, for a --param value,
// at the constraint it breaks.
func (d *deployment) reportValue(p *param, constraint *jsonpos.Node, summary, detail string) {
	if p.supplied.file != nil {
		d.l.report(p.supplied.file, p.supplied.valueAt, diag.Warning, summary, detail)
		return
	}
	offset := p.decl.Start
	if constraint != nil {
		offset = constraint.Start
	}
	d.l.report(d.src.file, offset, diag.Warning, summary, detail)
}

// intAttr is an integer constraint of a type (minValue, maxLength ...), or nil.
func (d *deployment) intAttr(t *jsonpos.Node, key string) *int64 {
	n := d.typeAttr(t, key)
	if n == nil || n.Kind != jsonpos.Number {
		return nil
	}
	switch x := n.Num.(type) {
	case int64:
		return &x
	case float64:
		if x == float64(int64(x)) {
			i := int64(x)
			return &i
		}
	}
	return nil
}

func isTrue(n *jsonpos.Node) bool { return n != nil && n.Kind == jsonpos.Bool && n.Bool }

// variable resolves a variable once, lazily, detecting cycles.
func (d *deployment) variable(c *evalCtx, name string) (any, error) {
	v := d.vars[strings.ToLower(name)]
	if v == nil {
		return nil, fmt.Errorf("the template declares no variable %q", name)
	}
	switch v.state {
	case evaluating:
		chain := []string{}
		for i, n := range d.varStack {
			if strings.EqualFold(n, v.name) {
				chain = append(chain, d.varStack[i:]...)
				break
			}
		}
		return nil, fmt.Errorf("variable %q refers to itself: %s", v.name, strings.Join(append(chain, v.name), " → "))
	case pending:
		v.state = evaluating
		d.varStack = append(d.varStack, v.name)
		defer func() { d.varStack = d.varStack[:len(d.varStack)-1] }()
		vc := d.ctx()
		if v.copy != nil {
			v.value = vc.copyEntry(v.copy)
		} else {
			v.value = vc.value(v.decl)
		}
		v.assumed = vc.assumed
		v.err = d.l.sized(v.value)
		v.state = done
	}
	c.assumed.add(v.assumed)
	if v.err != nil {
		return nil, v.err
	}
	return v.value, nil
}

// exprError is an evaluation error at an offset of the expression string.
type exprError struct {
	pos expr.Pos
	err error
}

func (e *exprError) Error() string { return e.err.Error() }
func (e *exprError) Unwrap() error { return e.err }

// reportAt reports a problem with the string node n at an offset inside it.
func (d *deployment) reportAt(n *jsonpos.Node, pos expr.Pos, sev diag.Severity, summary, detail string) {
	offset := n.Start
	if n.Kind == jsonpos.String && !n.Escaped {
		offset = n.Start + 1 + int(pos)
	}
	if d.unusedPass && sev == diag.Error {
		sev = diag.Warning
		detail += " (the value is not used by any resource)"
	}
	d.l.report(d.src.file, offset, sev, summary, detail)
}
