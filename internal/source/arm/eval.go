package arm

import (
	"errors"
	"fmt"
	"strings"

	"github.com/lensix/lensix/internal/diag"
	"github.com/lensix/lensix/internal/resource"
	"github.com/lensix/lensix/internal/source/arm/expr"
	"github.com/lensix/lensix/internal/source/arm/funcs"
	"github.com/lensix/lensix/internal/source/arm/jsonpos"
)

// maxCallDepth bounds user-function calls within calls; maxCalls bounds them in all, since
// functions that call each other twice over grow exponentially.
const (
	maxCallDepth = 64
	maxCalls     = 1 << 18
)

// evalCtx evaluates template values in one deployment, inside copy loops and lambdas, and
// collects the assumptions the values rest on.
type evalCtx struct {
	d       *deployment
	loops   []loop
	lambda  map[string]any // lambdaVariables in scope
	fnArgs  map[string]any // parameters of the user function being evaluated
	depth   int
	assumed assumptions
	// linkMode evaluates a linked template's location looking for its relative part:
	// uri(base, rel) with an unknown base gives rel, and variables are evaluated afresh.
	linkMode bool
	// withoutDefaults, when set, evaluates as if no parameter default were known: such
	// parameters are unknown and their names are collected here (see decidedByDefaults).
	withoutDefaults *counterfactual
}

type loop struct {
	name  string
	index any // int64, or *resource.Unknown when the count is unknown
	// resource marks a resource copy loop, the one a bare copyIndex() refers to; property and
	// variable loops must be named.
	resource bool
}

var _ funcs.Context = (*evalCtx)(nil)

func (c *evalCtx) Parameter(name string) (any, error) {
	if c.fnArgs != nil {
		if v, ok := c.fnArgs[strings.ToLower(name)]; ok {
			return v, nil
		}
		return nil, fmt.Errorf("the function has no parameter %q", name)
	}
	if c.withoutDefaults != nil {
		return c.d.parameterWithoutDefaults(c, name)
	}
	return c.d.parameter(c, name)
}

func (c *evalCtx) Variable(name string) (any, error) {
	if c.fnArgs != nil {
		return nil, fmt.Errorf("user-defined functions cannot read variables")
	}
	if c.withoutDefaults != nil {
		return c.d.variableWithoutDefaults(c, name)
	}
	if c.linkMode {
		v := c.d.vars[strings.ToLower(name)]
		if v == nil || c.depth >= maxCallDepth {
			return c.d.variable(c, name)
		}
		inner := *c
		inner.depth++
		if v.copy != nil {
			return inner.copyEntry(v.copy), nil
		}
		return inner.value(v.decl), nil
	}
	return c.d.variable(c, name)
}

func (c *evalCtx) CopyIndex(name string) (any, error) {
	for i := len(c.loops) - 1; i >= 0; i-- {
		if (name == "" && c.loops[i].resource) || (name != "" && strings.EqualFold(c.loops[i].name, name)) {
			return c.loops[i].index, nil
		}
	}
	if name == "" {
		return nil, fmt.Errorf("copyIndex() is used outside a copy loop")
	}
	return nil, fmt.Errorf("copyIndex('%s') is used outside the copy loop %q", name, name)
}

func (c *evalCtx) Scope() funcs.Scope { return c.d.scope }

// with returns a context for a copy loop iteration; assumptions are shared with c.
func (c *evalCtx) with(l loop) *evalCtx {
	inner := *c
	inner.loops = append(append([]loop{}, c.loops...), l)
	return &inner
}

// value evaluates a template JSON value: expressions in strings and keys, and property copy
// loops ("copy": [{name, count, input}]) in objects.
func (c *evalCtx) value(n *jsonpos.Node) any {
	if n == nil {
		return nil
	}
	switch n.Kind {
	case jsonpos.String:
		return c.str(n)
	case jsonpos.Array:
		out := make([]any, len(n.Elems))
		for i, e := range n.Elems {
			out[i] = c.value(e)
		}
		return out
	case jsonpos.Object:
		out := make(map[string]any, len(n.Fields))
		for _, f := range n.Fields {
			if strings.EqualFold(f.Key, "copy") && isPropertyCopy(f.Value) {
				for _, entry := range f.Value.Elems {
					name := entry.Get("name")
					out[name.Str] = c.copyEntry(entry)
				}
				continue
			}
			out[c.key(f)] = c.value(f.Value)
		}
		return out
	}
	return n.Value()
}

// key evaluates an object key; a key that is an expression with no known string value keeps
// its source text, so the object stays readable.
func (c *evalCtx) key(f jsonpos.Field) string {
	if !expr.IsExpression(f.Key) {
		return expr.LiteralValue(f.Key)
	}
	if s, ok := c.str(&jsonpos.Node{Kind: jsonpos.String, Start: f.KeyStart, Str: f.Key}).(string); ok {
		return s
	}
	return f.Key
}

func isPropertyCopy(n *jsonpos.Node) bool {
	if n.Kind != jsonpos.Array || len(n.Elems) == 0 {
		return false
	}
	for _, e := range n.Elems {
		name := e.Get("name")
		if e.Kind != jsonpos.Object || name == nil || name.Kind != jsonpos.String || e.Get("count") == nil || e.Get("input") == nil {
			return false
		}
	}
	return true
}

// maxCopy is ARM's limit on the iterations of one copy loop.
const maxCopy = 800

// copyEntry evaluates a property or variable loop {name, count, input} into an array, one
// input per index.
func (c *evalCtx) copyEntry(entry *jsonpos.Node) any { return c.loop(entry, false) }

// copyArray evaluates an output's loop {count, input}, where a bare copyIndex() refers to it.
func (c *evalCtx) copyArray(entry *jsonpos.Node) any { return c.loop(entry, true) }

func (c *evalCtx) loop(entry *jsonpos.Node, unnamed bool) any {
	name := ""
	if n := entry.Get("name"); n != nil {
		name = n.Str
	}
	count, u := c.count(entry)
	if u != nil {
		return u
	}
	input := entry.Get("input")
	out := make([]any, count)
	for i := range out {
		if input != nil {
			out[i] = c.with(loop{name: name, index: int64(i), resource: unnamed}).value(input)
		}
	}
	return out
}

// count evaluates a copy loop's count, reporting one that is not a whole number in range.
func (c *evalCtx) count(entry *jsonpos.Node) (int, *resource.Unknown) {
	cn := entry.Get("count")
	if cn == nil {
		c.d.l.report(c.d.src.file, entry.Start, diag.Error, "The copy loop has no count", "add \"count\": a number or an expression")
		return 0, &resource.Unknown{Reason: "the copy loop has no count"}
	}
	v := c.value(cn)
	if u, ok := v.(*resource.Unknown); ok {
		return 0, &resource.Unknown{Reason: "the copy loop's count is unknown: " + u.Reason, Expr: u.Expr}
	}
	n, ok := funcs.AsInt(v)
	if !ok || n < 0 || n > maxCopy {
		got := describeType(v)
		switch v := v.(type) {
		case int64, float64, bool:
			got = fmt.Sprint(v)
		case string:
			got = fmt.Sprintf("%s (%q)", got, v)
		}
		c.d.l.report(c.d.src.file, cn.Start, diag.Error, "The copy loop's count is "+got,
			fmt.Sprintf("the count must be a whole number from 0 to %d", maxCopy))
		return 0, &resource.Unknown{Reason: "the copy loop's count is invalid"}
	}
	return int(n), nil
}

// str evaluates a template string: an expression, or a literal (with the "[[" escape removed).
func (c *evalCtx) str(n *jsonpos.Node) any {
	s := n.Str
	if !expr.IsExpression(s) {
		return expr.LiteralValue(s)
	}
	ast, ok := c.d.l.parsed[n]
	if !ok {
		var err error
		ast, err = expr.Parse(s)
		if err != nil {
			var pe *expr.Error
			pos := expr.Pos(0)
			msg := err.Error()
			if errors.As(err, &pe) {
				pos, msg = pe.Pos, pe.Msg
			}
			c.d.reportAt(n, pos, diag.Error, "Invalid expression: "+msg,
				fmt.Sprintf("in %s: fix the expression; its value is treated as unknown", s))
		}
		c.d.l.parsed[n] = ast
	}
	if ast == nil {
		return &resource.Unknown{Reason: "the expression does not parse", Expr: s}
	}
	v, err := c.eval(ast)
	if err != nil {
		var ee *exprError
		pos := ast.Pos()
		if errors.As(err, &ee) {
			pos = ee.pos
		}
		var re *funcs.RuntimeError
		if errors.As(err, &re) {
			c.d.reportAt(n, pos, diag.Warning, "The deployment would fail here: "+err.Error(),
				fmt.Sprintf("in %s: Resource Manager stops a deployment whose values do this; lensix treats the value as unknown", s))
			return &resource.Unknown{Reason: "the deployment would fail here: " + err.Error(), Expr: s}
		}
		switch {
		case errors.Is(err, errStopped):
			return &resource.Unknown{Reason: "lensix stopped evaluating: the scan reached a limit", Expr: s}
		case errors.Is(err, errWalked):
			c.d.l.stop(c.d.src.file, n.Start, fmt.Sprintf("the function results of the scan add up to more than %d values", maxWalked))
			return &resource.Unknown{Reason: "lensix stopped evaluating: the scan reached a limit", Expr: s}
		}
		detail := fmt.Sprintf("in %s: fix the expression; its value is treated as unknown", s)
		if errors.Is(err, errTooLarge) {
			detail = fmt.Sprintf("in %s: lensix stops evaluating values this large to bound its memory; its value is treated as unknown", s)
		}
		c.d.reportAt(n, pos, diag.Error, "Cannot evaluate expression: "+err.Error(), detail)
		return &resource.Unknown{Reason: "the expression cannot be evaluated: " + err.Error(), Expr: s}
	}
	if u, ok := v.(*resource.Unknown); ok && u.Expr == "" {
		return &resource.Unknown{Reason: u.Reason, Expr: s}
	}
	if _, ok := v.(*funcs.Lambda); ok {
		c.d.reportAt(n, ast.Pos(), diag.Error, "A lambda is not a value", "lambdas can only be passed to map, filter, reduce and the like")
		return &resource.Unknown{Reason: "a lambda is not a value", Expr: s}
	}
	return v
}

func at(pos expr.Pos, err error) error {
	var ee *exprError
	if errors.As(err, &ee) {
		return err
	}
	return &exprError{pos, err}
}

// eval evaluates an expression tree. if, and, or and coalesce evaluate their arguments lazily,
// as ARM does, so an untaken branch may refer to what does not exist.
func (c *evalCtx) eval(n expr.Node) (any, error) {
	switch n := n.(type) {
	case *expr.String:
		return n.Value, nil
	case *expr.Number:
		return n.Value, nil
	case *expr.Literal:
		return n.Value, nil
	case *expr.Member, *expr.Index:
		v, _, err := c.operand(n)
		return v, err
	case *expr.Call:
		return c.call(n)
	}
	return nil, fmt.Errorf("unsupported expression")
}

// operand evaluates an expression whose property or element may be read. what names the part
// of a declared resource read through reference() it is ("" for any other value): what that
// part lacks is runtime state, unknown rather than absent.
func (c *evalCtx) operand(n expr.Node) (v any, what string, err error) {
	switch n := n.(type) {
	case *expr.Member:
		x, what, err := c.operand(n.X)
		if err != nil {
			return nil, "", err
		}
		v, err := funcs.Property(x, n.Name)
		return c.part(v, err, what, "."+n.Name, n.NamePos)
	case *expr.Index:
		x, what, err := c.operand(n.X)
		if err != nil {
			return nil, "", err
		}
		i, err := c.eval(n.Index)
		if err != nil {
			return nil, "", err
		}
		v, err := funcs.Index(x, i)
		return c.part(v, err, what, fmt.Sprintf("[%v]", i), n.Lbrack)
	case *expr.Call:
		if strings.EqualFold(n.Name, "reference") {
			return c.reference(n)
		}
	}
	v, err = c.eval(n)
	return v, "", err
}

// part is the result of reading sub (".name" or "[i]") of a value; what names the declared
// resource part the value is, if any.
func (c *evalCtx) part(v any, err error, what, sub string, pos expr.Pos) (any, string, error) {
	if err == nil {
		switch {
		case what == "" || strings.HasSuffix(what, ".properties") && strings.EqualFold(sub, ".outputs"):
			// The outputs of a nested deployment are all known: one it lacks is a mistake.
			what = ""
		default:
			what += sub
		}
		return v, what, nil
	}
	if what != "" {
		return &resource.Unknown{Reason: what + sub + " is not declared: it is known only after deployment"}, "", nil
	}
	v, err = c.absent(pos, err)
	return v, "", err
}

// absent handles a property or element that is not there. When the value rests on assumed
// defaults, the real input may well have it, so the answer is unknown; otherwise the template
// is wrong and it is an error.
func (c *evalCtx) absent(pos expr.Pos, err error) (any, error) {
	if len(c.assumed) > 0 {
		return &resource.Unknown{Reason: err.Error() + " in the assumed default value"}, nil
	}
	return nil, at(pos, err)
}

func (c *evalCtx) call(n *expr.Call) (any, error) {
	switch name := strings.ToLower(n.Name); name {
	case "if":
		if len(n.Args) != 3 {
			return nil, at(n.NamePos, fmt.Errorf("if takes 3 arguments, got %d", len(n.Args)))
		}
		cond, err := c.eval(n.Args[0])
		if err != nil {
			return nil, err
		}
		if b, ok := cond.(bool); ok {
			if b {
				return c.eval(n.Args[1])
			}
			return c.eval(n.Args[2])
		}
		return c.callWith(n, []any{cond}, n.Args[1:])
	case "and", "or":
		stopOn := name == "or"
		var args []any
		for _, a := range n.Args {
			v, err := c.eval(a)
			if err != nil {
				return nil, err
			}
			if b, ok := v.(bool); ok && b == stopOn {
				return stopOn, nil
			}
			args = append(args, v)
		}
		return c.apply(n, args)
	case "coalesce":
		var args []any
		for _, a := range n.Args {
			v, err := c.eval(a)
			if err != nil {
				return nil, err
			}
			args = append(args, v)
			if v != nil {
				break
			}
		}
		return c.apply(n, args)
	case "reference":
		v, _, err := c.reference(n)
		return v, err
	case "lambda":
		return c.lambdaValue(n)
	case "lambdavariables":
		if len(n.Args) != 1 {
			return nil, at(n.NamePos, fmt.Errorf("lambdaVariables takes 1 argument"))
		}
		v, err := c.eval(n.Args[0])
		if err != nil {
			return nil, err
		}
		s, _ := v.(string)
		if val, ok := c.lambda[strings.ToLower(s)]; ok {
			return val, nil
		}
		return nil, at(n.NamePos, fmt.Errorf("no lambda variable %q is in scope", s))
	}
	if fn, ok := c.d.fns[strings.ToLower(n.Name)]; ok {
		return c.userCall(n, fn)
	}
	return c.callWith(n, nil, n.Args)
}

// callWith evaluates the remaining argument nodes after the values already known, then applies
// the function.
func (c *evalCtx) callWith(n *expr.Call, have []any, rest []expr.Node) (any, error) {
	args := append([]any{}, have...)
	for _, a := range rest {
		v, err := c.eval(a)
		if err != nil {
			return nil, err
		}
		args = append(args, v)
	}
	return c.apply(n, args)
}

func (c *evalCtx) apply(n *expr.Call, args []any) (any, error) {
	if c.linkMode && strings.EqualFold(n.Name, "uri") && len(args) == 2 && resource.IsUnknown(args[0]) {
		if rel, ok := args[1].(string); ok {
			return rel, nil
		}
	}
	v, err := funcs.Call(c, n.Name, args)
	if err != nil {
		if errors.Is(err, funcs.ErrUnknownFunction) {
			return nil, at(n.NamePos, fmt.Errorf("unknown function %q", n.Name))
		}
		return nil, at(n.NamePos, err)
	}
	// The values of parameters and variables were sized once, when they were evaluated.
	if !strings.EqualFold(n.Name, "parameters") && !strings.EqualFold(n.Name, "variables") {
		if err := c.d.l.sized(v); err != nil {
			return nil, at(n.NamePos, err)
		}
	}
	if strings.EqualFold(n.Name, "parameters") || strings.EqualFold(n.Name, "variables") {
		// A name that happens to hold a secret's text says nothing of the value it reads, whose
		// secrets were tracked when it was made.
		return v, nil
	}
	// What a function makes of a secure value (skip, substring, split...) is secret too.
	if (strings.EqualFold(n.Name, "split") || strings.EqualFold(n.Name, "replace")) && len(args) > 1 {
		return c.d.l.taint.DeriveCuts(v, args, args[1]), nil
	}
	return c.d.l.taint.Derive(v, args), nil
}

func (c *evalCtx) lambdaValue(n *expr.Call) (any, error) {
	if len(n.Args) < 1 {
		return nil, at(n.NamePos, fmt.Errorf("lambda needs a body"))
	}
	var params []string
	for _, a := range n.Args[:len(n.Args)-1] {
		s, ok := a.(*expr.String)
		if !ok {
			return nil, at(a.Pos(), fmt.Errorf("lambda parameter names must be string literals"))
		}
		params = append(params, s.Value)
	}
	body := n.Args[len(n.Args)-1]
	return &funcs.Lambda{Params: params, Call: func(args []any) (any, error) {
		inner := *c
		inner.lambda = make(map[string]any, len(c.lambda)+len(params))
		for k, v := range c.lambda {
			inner.lambda[k] = v
		}
		for i, p := range params {
			inner.lambda[strings.ToLower(p)] = args[i]
		}
		v, err := inner.eval(body)
		c.assumed.add(inner.assumed)
		return v, err
	}}, nil
}

func (c *evalCtx) userCall(n *expr.Call, fn *userFunc) (any, error) {
	if c.depth >= maxCallDepth {
		return nil, at(n.NamePos, fmt.Errorf("user-defined functions call each other more than %d deep", maxCallDepth))
	}
	if c.d.l.calls++; c.d.l.calls > maxCalls {
		return nil, at(n.NamePos, fmt.Errorf("more than %d user-defined function calls: the template's functions call each other without end", maxCalls))
	}
	if len(n.Args) != len(fn.params) {
		return nil, at(n.NamePos, fmt.Errorf("%s takes %d arguments, got %d", fn.name, len(fn.params), len(n.Args)))
	}
	if fn.output == nil {
		return nil, at(n.NamePos, fmt.Errorf("%s has no output value", fn.name))
	}
	inner := &evalCtx{d: c.d, fnArgs: map[string]any{}, depth: c.depth + 1, assumed: assumptions{}}
	for i, a := range n.Args {
		v, err := c.eval(a)
		if err != nil {
			return nil, err
		}
		inner.fnArgs[strings.ToLower(fn.params[i])] = v
	}
	v := inner.value(fn.output)
	c.assumed.add(inner.assumed)
	return v, nil
}
