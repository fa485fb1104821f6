package bicep

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/lensix/lensix/internal/resource"
	"github.com/lensix/lensix/internal/source/arm/funcs"
	"github.com/lensix/lensix/internal/source/bicep/ast"
	"github.com/lensix/lensix/internal/source/bicep/token"
)

// env binds local names: loop variables, lambda and function parameters.
type env struct {
	names  map[string]any
	parent *env
}

func (e *env) with(names map[string]any) *env { return &env{names: names, parent: e} }

func (e *env) lookup(name string) (any, bool) {
	for ; e != nil; e = e.parent {
		if v, ok := e.names[name]; ok {
			return v, true
		}
	}
	return nil, false
}

// unknownAt makes an unknown value whose reason says why, with the expression's source text.
func (d *deployment) unknownAt(x ast.Node, format string, args ...any) *resource.Unknown {
	return &resource.Unknown{Reason: fmt.Sprintf(format, args...), Expr: d.file.text(x)}
}

// fail reports an evaluation error at x and returns an unknown value in its place, so the rest of
// the resource is still judged.
func (d *deployment) fail(x ast.Node, err error) any {
	if re := (*funcs.RuntimeError)(nil); errors.As(err, &re) {
		return d.wouldFail(x, err.Error())
	}
	d.errorAt(x, "Cannot evaluate the expression: "+err.Error(), "lensix treats the value as unknown; fix the expression if it is wrong")
	return d.unknownAt(x, "the expression cannot be evaluated: %v", err)
}

// wouldFail warns that Resource Manager would stop the deployment at x — the expression is well
// formed, but its values fail (see funcs.RuntimeError) — and returns an unknown value in its place.
func (d *deployment) wouldFail(x ast.Node, msg string) any {
	d.warnAt(x, "The deployment would fail here: "+msg, "Resource Manager stops a deployment whose values do this; lensix treats the value as unknown")
	return d.unknownAt(x, "the deployment would fail here: %s", msg)
}

// eval evaluates a Bicep expression to a plain value (see package resource), a *funcs.Lambda, or
// a reference to a resource or module.
func (d *deployment) eval(x ast.Expr, e *env, st *state) any {
	if d.l.steps++; d.l.steps > maxSteps {
		return d.tooLarge(x)
	}
	switch n := x.(type) {
	case nil:
		return nil
	case *ast.BadExpr:
		return d.unknownAt(n, "the expression has a syntax error")
	case *ast.IntLit:
		return n.Value
	case *ast.BoolLit:
		return n.Value
	case *ast.NullLit:
		return nil
	case *ast.StringLit:
		return d.interpolate(n, e, st)
	case *ast.Ident:
		return d.ident(n, e, st)
	case *ast.ParenExpr:
		return d.eval(n.X, e, st)
	case *ast.NonNullExpr:
		return d.eval(n.X, e, st)
	case *ast.ObjectLit:
		return d.object(n, e, st)
	case *ast.ArrayLit:
		out := make([]any, 0, len(n.Items))
		for _, item := range n.Items {
			if spread, ok := item.Value.(*ast.SpreadExpr); ok {
				switch v := d.eval(spread.X, e, st).(type) {
				case []any:
					out = append(out, v...)
				case *resource.Unknown:
					return v
				default:
					return d.fail(spread, fmt.Errorf("only an array can be spread into an array, not %s", funcs.TypeName(v)))
				}
				continue
			}
			out = append(out, d.eval(item.Value, e, st))
		}
		return out
	case *ast.UnaryExpr:
		return d.unary(n, e, st)
	case *ast.BinaryExpr:
		return d.binary(n, e, st)
	case *ast.TernaryExpr:
		switch c := d.eval(n.Cond, e, st).(type) {
		case bool:
			if c {
				return d.eval(n.Then, e, st)
			}
			return d.eval(n.Else, e, st)
		case *resource.Unknown:
			then, els := d.eval(n.Then, e, st), d.eval(n.Else, e, st)
			if funcs.FindUnknown(then) == nil && funcs.Equal(then, els) {
				return then
			}
			return &resource.Unknown{Reason: "it depends on a condition that is unknown: " + c.Reason, Expr: d.file.text(n)}
		default:
			return d.fail(n.Cond, fmt.Errorf("the condition is %s, not a bool", funcs.TypeName(c)))
		}
	case *ast.SelectorExpr:
		return d.selector(n, e, st)
	case *ast.IndexExpr:
		return d.index(n, e, st)
	case *ast.ResourceAccessExpr:
		return d.resourceAccess(n, e, st)
	case *ast.CallExpr:
		return d.call(n, e, st)
	case *ast.LambdaExpr:
		return d.lambda(n, e, st)
	case *ast.ForExpr:
		return d.forValues(n, e, st)
	}
	return d.unknownAt(x, "this kind of expression is not evaluated")
}

func (d *deployment) interpolate(n *ast.StringLit, e *env, st *state) any {
	if len(n.Exprs) == 0 {
		return n.Parts[0]
	}
	var b strings.Builder
	b.WriteString(n.Parts[0])
	for i, hole := range n.Exprs {
		v := d.eval(hole, e, st)
		s, err := stringOf(v)
		if err != nil {
			return d.fail(hole, err)
		}
		if u, ok := s.(*resource.Unknown); ok {
			return &resource.Unknown{Reason: u.Reason, Expr: d.file.text(n)}
		}
		b.WriteString(s.(string))
		b.WriteString(n.Parts[i+1])
	}
	return b.String()
}

// stringOf converts a value for string interpolation as ARM's string() does.
func stringOf(v any) (any, error) {
	switch x := v.(type) {
	case string, *resource.Unknown:
		return x, nil
	case *resourceRef:
		return x.property("id"), nil
	}
	return funcs.ToString(plain(v))
}

func (d *deployment) ident(n *ast.Ident, e *env, st *state) any {
	if v, ok := e.lookup(n.Name); ok {
		if nested, ok := v.(nestedName); ok {
			return d.reference(nested.sym, st)
		}
		return v
	}
	if sym := d.params[n.Name]; sym != nil {
		if st != nil && st.withoutDefaults != nil {
			return d.paramWithoutDefaults(sym, st)
		}
		return d.withExpr(d.param(sym, st), n)
	}
	if sym := d.vars[n.Name]; sym != nil {
		if st != nil && st.withoutDefaults != nil {
			return d.variableWithoutDefaults(sym, st)
		}
		return d.withExpr(d.variable(sym, st), n)
	}
	if sym := d.resources[n.Name]; sym != nil {
		return d.reference(sym, st)
	}
	if m := d.modules[n.Name]; m != nil {
		return d.moduleReference(m, st)
	}
	if imp := d.imports[n.Name]; imp != nil && imp.name != "" {
		return imp.from.exported(imp.name, st)
	}
	if _, ok := d.functions[n.Name]; ok {
		return d.fail(n, fmt.Errorf("%s is a function; call it with ()", n.Name))
	}
	return d.fail(n, fmt.Errorf("the name %q does not exist here", n.Name))
}

// withExpr names an unknown value after the expression x that reads it here (a parameter's or
// variable's name), so a report reads "identity.type is idType (parameter idType has no value...)"
// rather than quoting text from another declaration or file.
func (d *deployment) withExpr(v any, x ast.Node) any {
	if u, ok := v.(*resource.Unknown); ok && u.Expr != d.file.text(x) {
		return &resource.Unknown{Reason: u.Reason, Expr: d.file.text(x)}
	}
	return v
}

// exported evaluates a variable that another file imports from this one (functions are called
// through callUser).
func (d *deployment) exported(name string, st *state) any {
	if sym := d.vars[name]; sym != nil {
		return d.variable(sym, st)
	}
	return &resource.Unknown{Reason: fmt.Sprintf("%q is not a variable of %s", name, d.file.path)}
}

func (d *deployment) object(n *ast.ObjectLit, e *env, st *state) any {
	if at, ok := d.file.looseSyntaxError(n); ok {
		return d.unreadable(at, n)
	}
	out := make(map[string]any, len(n.Items))
	for _, item := range n.Items {
		switch it := item.(type) {
		case *ast.Property:
			key, ok := d.key(it.Key, e, st)
			if !ok {
				continue
			}
			out[key] = d.propertyValue(it, e, st)
		case *ast.SpreadExpr:
			switch v := d.eval(it.X, e, st).(type) {
			case map[string]any:
				for k, val := range v {
					out[k] = val
				}
			case nil:
			case *resource.Unknown:
				return &resource.Unknown{Reason: "it spreads an unknown object: " + v.Reason, Expr: d.file.text(n)}
			default:
				return d.fail(it, fmt.Errorf("only an object can be spread into an object, not %s", funcs.TypeName(v)))
			}
		}
	}
	return out
}

// key evaluates a property name. A name that cannot be known (an interpolation of a runtime
// value, like '${identity.id}') is kept as its source text: objects cannot have unknown keys.
func (d *deployment) key(k ast.Expr, e *env, st *state) (string, bool) {
	switch x := k.(type) {
	case *ast.Ident:
		return x.Name, true
	case *ast.StringLit:
		switch v := d.interpolate(x, e, st).(type) {
		case string:
			return v, true
		default:
			return strings.Trim(d.file.text(x), "'"), true
		}
	}
	return "", false
}

func (d *deployment) unary(n *ast.UnaryExpr, e *env, st *state) any {
	v := d.eval(n.X, e, st)
	if u, ok := v.(*resource.Unknown); ok {
		return u
	}
	switch n.Op {
	case token.NOT:
		if b, ok := v.(bool); ok {
			return !b
		}
		return d.fail(n, fmt.Errorf("! needs a bool, not %s", funcs.TypeName(v)))
	case token.SUB:
		if i, ok := funcs.AsInt(v); ok {
			return -i
		}
		return d.fail(n, fmt.Errorf("- needs an int, not %s", funcs.TypeName(v)))
	}
	return d.unknownAt(n, "unsupported operator")
}

func (d *deployment) binary(n *ast.BinaryExpr, e *env, st *state) any {
	switch n.Op {
	case token.LAND, token.LOR:
		return d.logic(n, e, st)
	case token.COALESCE:
		x := d.eval(n.X, e, st)
		switch x.(type) {
		case nil:
			return d.eval(n.Y, e, st)
		case *resource.Unknown:
			return x
		}
		return x
	}
	x, y := d.eval(n.X, e, st), d.eval(n.Y, e, st)
	if u := firstUnknown(x, y); u != nil {
		return &resource.Unknown{Reason: u.Reason, Expr: d.file.text(n)}
	}
	x, y = plain(x), plain(y)
	// A comparison of a secure value is secret as a function's result is; see resource.Taint.
	compared := func(b bool) any {
		if u, ok := d.l.taint.Derive(b, []any{x, y}).(*resource.Unknown); ok {
			return &resource.Unknown{Reason: u.Reason, Expr: d.file.text(n)}
		}
		return b
	}
	switch n.Op {
	case token.EQ:
		return compared(funcs.Equal(x, y))
	case token.NEQ:
		return compared(!funcs.Equal(x, y))
	case token.EQI, token.NEQI:
		xs, ok1 := x.(string)
		ys, ok2 := y.(string)
		if !ok1 || !ok2 {
			return d.fail(n, fmt.Errorf("%s compares strings, not %s and %s", n.Op, funcs.TypeName(x), funcs.TypeName(y)))
		}
		return compared(strings.EqualFold(xs, ys) == (n.Op == token.EQI))
	case token.LT, token.LEQ, token.GT, token.GEQ:
		c, err := compare(x, y)
		if err != nil {
			return d.fail(n, err)
		}
		switch n.Op {
		case token.LT:
			return compared(c < 0)
		case token.LEQ:
			return compared(c <= 0)
		case token.GT:
			return compared(c > 0)
		}
		return compared(c >= 0)
	}
	a, ok1 := funcs.AsInt(x)
	b, ok2 := funcs.AsInt(y)
	if !ok1 || !ok2 {
		return d.fail(n, fmt.Errorf("%s needs ints, not %s and %s", n.Op, funcs.TypeName(x), funcs.TypeName(y)))
	}
	switch n.Op {
	case token.ADD:
		return a + b
	case token.SUB:
		return a - b
	case token.MUL:
		return a * b
	case token.QUO, token.REM:
		if b == 0 {
			return d.wouldFail(n, "division by zero")
		}
		if n.Op == token.QUO {
			return a / b
		}
		return a % b
	}
	return d.unknownAt(n, "unsupported operator")
}

// logic evaluates && and || in three-valued logic: false && unknown is false.
func (d *deployment) logic(n *ast.BinaryExpr, e *env, st *state) any {
	stop := n.Op == token.LOR // the value that decides the result on its own
	x := d.eval(n.X, e, st)
	if b, ok := x.(bool); ok && b == stop {
		return stop
	}
	y := d.eval(n.Y, e, st)
	if b, ok := y.(bool); ok && b == stop {
		return stop
	}
	if u := firstUnknown(x, y); u != nil {
		return &resource.Unknown{Reason: u.Reason, Expr: d.file.text(n)}
	}
	if _, ok := x.(bool); !ok {
		return d.fail(n.X, fmt.Errorf("%s needs bools, not %s", n.Op, funcs.TypeName(x)))
	}
	if _, ok := y.(bool); !ok {
		return d.fail(n.Y, fmt.Errorf("%s needs bools, not %s", n.Op, funcs.TypeName(y)))
	}
	return !stop
}

func compare(x, y any) (int, error) {
	if a, ok := funcs.AsInt(x); ok {
		if b, ok := funcs.AsInt(y); ok {
			switch {
			case a < b:
				return -1, nil
			case a > b:
				return 1, nil
			}
			return 0, nil
		}
	}
	if a, ok := x.(string); ok {
		if b, ok := y.(string); ok {
			return strings.Compare(a, b), nil
		}
	}
	return 0, fmt.Errorf("cannot compare %s with %s", funcs.TypeName(x), funcs.TypeName(y))
}

func firstUnknown(vs ...any) *resource.Unknown {
	for _, v := range vs {
		if u, ok := v.(*resource.Unknown); ok {
			return u
		}
	}
	return nil
}

func (d *deployment) selector(n *ast.SelectorExpr, e *env, st *state) any {
	// ns.name where ns is a wildcard import.
	if id, ok := n.X.(*ast.Ident); ok {
		if imp := d.imports[id.Name]; imp != nil && imp.name == "" {
			if _, local := e.lookup(id.Name); !local {
				return imp.from.exported(n.Sel.Name, st)
			}
		}
	}
	return d.property(d.eval(n.X, e, st), n.Sel.Name, n.Safe, n, st)
}

// property reads v.name. A property an object lacks is unknown, not an error: in valid Bicep it
// is a runtime property (a resource's principalId) or comes from an input lensix does not have.
// A resource's declared property rests on what the resource rests on, as reference() does in
// the ARM it compiles to; its id, name, type and API version are written into that ARM as they are.
func (d *deployment) property(v any, name string, safe bool, at ast.Node, st *state) any {
	switch x := v.(type) {
	case *resource.Unknown:
		return x
	case *resourceRef:
		switch strings.ToLower(name) {
		case "id", "name", "type", "apiversion":
		default:
			if x.unknownCopy == nil {
				st.add(x.inst.assumed)
			}
		}
		return x.property(name)
	case *moduleRef:
		return x.property(name, at)
	case map[string]any:
		if val, ok := resource.Lookup(x, name); ok {
			return val
		}
		if safe {
			return nil
		}
		return d.unknownAt(at, "the object has no property %q here; it may be set at deployment", name)
	case nil:
		if safe {
			return nil
		}
		return d.wouldFail(at, fmt.Sprintf("cannot read property %q of null; use .? to allow null", name))
	case []any:
		if safe {
			return nil
		}
	}
	return d.fail(at, fmt.Errorf("cannot read property %q of %s", name, funcs.TypeName(v)))
}

func (d *deployment) index(n *ast.IndexExpr, e *env, st *state) any {
	x := d.eval(n.X, e, st)
	i := d.eval(n.Index, e, st)
	if u, ok := i.(*resource.Unknown); ok {
		// One copy of a resource loop, which is unknown: its type and API version are still known.
		if arr, ok := x.([]any); ok && len(arr) > 0 {
			if ref, ok := arr[0].(*resourceRef); ok {
				return &resourceRef{inst: ref.inst, unknownCopy: u}
			}
		}
	}
	if u := firstUnknown(x, i); u != nil {
		return u
	}
	if x == nil && n.Safe {
		return nil
	}
	switch arr := x.(type) {
	case []any:
		k, ok := funcs.AsInt(i)
		if !ok {
			return d.fail(n, fmt.Errorf("an array index must be an int, not %s", funcs.TypeName(i)))
		}
		if n.FromEnd {
			k = int64(len(arr)) - k
		}
		if k < 0 || k >= int64(len(arr)) {
			if n.Safe {
				return nil
			}
			return d.wouldFail(n, fmt.Sprintf("index %d is out of range: the array has %d elements", k, len(arr)))
		}
		return arr[k]
	case map[string]any, *resourceRef, *moduleRef:
		key, ok := i.(string)
		if !ok {
			return d.fail(n, fmt.Errorf("an object index must be a string, not %s", funcs.TypeName(i)))
		}
		return d.property(arr, key, n.Safe, n, st)
	}
	return d.fail(n, fmt.Errorf("cannot index %s", funcs.TypeName(x)))
}

func (d *deployment) lambda(n *ast.LambdaExpr, e *env, st *state) any {
	params := make([]string, len(n.Params))
	for i, p := range n.Params {
		params[i] = p.Name
	}
	return &funcs.Lambda{Params: params, Call: func(args []any) (any, error) {
		names := make(map[string]any, len(params))
		for i, p := range params {
			if i < len(args) {
				names[p] = args[i]
			}
		}
		return d.eval(n.Body, e.with(names), st), nil
	}}
}

// forValues evaluates a value loop [for x in range: body] (with an optional if filter).
func (d *deployment) forValues(n *ast.ForExpr, e *env, st *state) any {
	items, u := d.loopRange(n, e, st)
	if u != nil {
		return u
	}
	out := []any{}
	for i, item := range items {
		if d.l.steps > maxSteps {
			return d.tooLarge(n)
		}
		inner := e.with(loopNames(n, item, i))
		body := n.Body
		if f, ok := body.(*ast.IfExpr); ok {
			switch c := d.eval(f.Cond, inner, st).(type) {
			case bool:
				if !c {
					continue
				}
			case *resource.Unknown:
				return &resource.Unknown{Reason: "a loop filter is unknown: " + c.Reason, Expr: d.file.text(n)}
			}
			body = f.Body
		}
		out = append(out, d.eval(body, inner, st))
	}
	return out
}

// loopRange evaluates what a loop iterates: an array (an object iterates its items()).
func (d *deployment) loopRange(n *ast.ForExpr, e *env, st *state) ([]any, *resource.Unknown) {
	switch v := d.eval(n.Range, e, st).(type) {
	case []any:
		return v, nil
	case *resource.Unknown:
		return nil, &resource.Unknown{Reason: "the loop's range is unknown: " + v.Reason, Expr: d.file.text(n.Range)}
	case map[string]any:
		items, err := funcs.Call(ctx{d.scope}, "items", []any{v})
		if arr, ok := items.([]any); ok && err == nil {
			return arr, nil
		}
	default:
		d.fail(n.Range, fmt.Errorf("a loop needs an array, not %s", funcs.TypeName(v)))
	}
	return nil, &resource.Unknown{Reason: "the loop's range is not an array", Expr: d.file.text(n.Range)}
}

// loopInstances returns the loop variables of each copy of a resource or module loop. When the
// range is unknown, one copy stands for all, with unknown item and index.
func (d *deployment) loopInstances(n *ast.ForExpr, e *env, st *state, what string) []map[string]any {
	items, u := d.loopRange(n, e, st)
	if u != nil {
		d.warnAt(n.Range, fmt.Sprintf("The %s loop's range is unknown", what), u.Reason+"; lensix evaluates one copy with unknown loop variables")
		names := map[string]any{}
		if n.Item != nil {
			names[n.Item.Name] = u
		}
		if n.Index != nil {
			names[n.Index.Name] = u
		}
		return []map[string]any{names}
	}
	out := make([]map[string]any, len(items))
	for i, item := range items {
		out[i] = loopNames(n, item, i)
	}
	return out
}

func loopNames(n *ast.ForExpr, item any, i int) map[string]any {
	names := map[string]any{}
	if n.Item != nil {
		names[n.Item.Name] = item
	}
	if n.Index != nil {
		names[n.Index.Name] = int64(i)
	}
	return names
}

// call evaluates a function call: a user-defined function, a Bicep-only function, a method on a
// resource, or a template function of the shared library.
func (d *deployment) call(n *ast.CallExpr, e *env, st *state) any {
	name := ""
	switch f := n.Fun.(type) {
	case *ast.Ident:
		name = f.Name
		if fn := d.functions[name]; fn != nil {
			return d.callUser(d, fn, n, e, st)
		}
		if imp := d.imports[name]; imp != nil && imp.name != "" {
			if fn := imp.from.functions[imp.name]; fn != nil {
				return d.callUser(imp.from, fn, n, e, st)
			}
		}
	case *ast.SelectorExpr:
		if ns, ok := f.X.(*ast.Ident); ok {
			if _, local := e.lookup(ns.Name); !local && d.params[ns.Name] == nil && d.vars[ns.Name] == nil && d.resources[ns.Name] == nil && d.modules[ns.Name] == nil {
				if imp := d.imports[ns.Name]; imp != nil && imp.name == "" {
					if fn := imp.from.functions[f.Sel.Name]; fn != nil {
						return d.callUser(imp.from, fn, n, e, st)
					}
				}
				if ns.Name == "az" || ns.Name == "sys" {
					name = f.Sel.Name
					break
				}
			}
		}
		// A method on a value: resource.listKeys(), keyVault.getSecret('name').
		recv := d.eval(f.X, e, st)
		if u, ok := recv.(*resource.Unknown); ok {
			return u
		}
		return d.unknownAt(n, "%s() reads the deployed resource at deployment time", f.Sel.Name)
	default:
		return d.fail(n, errors.New("only functions can be called"))
	}
	args := make([]any, len(n.Args))
	for i, a := range n.Args {
		args[i] = d.eval(a, e, st)
	}
	if v, handled := d.bicepFunction(name, args, n); handled {
		return v
	}
	for i := range args {
		args[i] = plain(args[i])
	}
	if v, handled := d.scopeFunction(name, args); handled {
		return v
	}
	v, err := funcs.Call(ctx{d.scope}, name, args)
	if err != nil {
		return d.fail(n, err)
	}
	// What a function makes of a secure value (skip, substring, split...) is secret too. Bicep's
	// own functions above give names, file contents or unknowns, nothing made of their arguments;
	// operators give bools and ints, and index and property access pass values through.
	if (name == "split" || name == "replace") && len(args) > 1 {
		v = d.l.taint.DeriveCuts(v, args, args[1])
	} else {
		v = d.l.taint.Derive(v, args)
	}
	if u, ok := v.(*resource.Unknown); ok && u.Expr == "" {
		return &resource.Unknown{Reason: u.Reason, Expr: d.file.text(n)}
	}
	return v
}

// maxSteps bounds the expressions evaluated for one root template (with its modules), so that
// nested loops over large ranges end.
const maxSteps = 5_000_000

// tooLarge reports, once per root template, that the evaluation budget is spent.
func (d *deployment) tooLarge(x ast.Node) any {
	if !d.l.budgetReported && x != nil && d.l.quiet == 0 { // a quiet evaluation would swallow the report
		d.l.budgetReported = true
		d.errorAt(x, "The template is too large to evaluate", fmt.Sprintf("lensix evaluates at most %d expressions per template; the values from here on are unknown", maxSteps))
	}
	return &resource.Unknown{Reason: "the evaluation was stopped: the template evaluates too many expressions"}
}

// maxCallDepth bounds nested calls of user-defined functions, which Bicep forbids to recurse.
const maxCallDepth = 64

// callUser calls a user-defined function declared in the deployment def (this file or the one it
// was imported from). Its body sees only its parameters and the functions of its file.
func (d *deployment) callUser(def *deployment, fn *ast.FuncDecl, n *ast.CallExpr, e *env, st *state) any {
	if len(n.Args) != len(fn.Params) {
		return d.fail(n, fmt.Errorf("%s takes %d arguments, got %d", fn.Name.Name, len(fn.Params), len(n.Args)))
	}
	if d.l.callDepth >= maxCallDepth {
		return d.fail(n, fmt.Errorf("%s calls itself more than %d times deep", fn.Name.Name, maxCallDepth))
	}
	d.l.callDepth++
	defer func() { d.l.callDepth-- }()
	names := make(map[string]any, len(fn.Params))
	for i, p := range fn.Params {
		names[p.Name.Name] = d.eval(n.Args[i], e, st)
	}
	return def.eval(fn.Body, (*env)(nil).with(names), st)
}

// bicepFunction evaluates the functions Bicep adds to the template library.
func (d *deployment) bicepFunction(name string, args []any, n *ast.CallExpr) (any, bool) {
	switch strings.ToLower(name) {
	case "any":
		if len(args) == 1 {
			return args[0], true
		}
	case "loadtextcontent", "loadjsoncontent", "loadyamlcontent", "loadfileasbase64":
		return d.loadFile(strings.ToLower(name), args, n), true
	case "getsecret":
		return d.unknownAt(n, "getSecret() reads a Key Vault secret at deployment"), true
	case "readenvironmentvariable", "externalinput":
		return d.unknownAt(n, "%s() is read when the deployment runs", name), true
	case "nameof":
		if len(n.Args) == 1 {
			switch a := n.Args[0].(type) {
			case *ast.Ident:
				return a.Name, true
			case *ast.SelectorExpr:
				return a.Sel.Name, true
			case *ast.IndexExpr:
				if s, ok := a.Index.(*ast.StringLit); ok {
					if text, ok := s.Literal(); ok {
						return text, true
					}
				}
			}
		}
	}
	return nil, false
}

// loadFile implements loadTextContent, loadJsonContent and loadFileAsBase64 for files under the
// scanned folder; loadYamlContent and JSONPath selections give unknown values.
func (d *deployment) loadFile(name string, args []any, n *ast.CallExpr) any {
	if len(args) == 0 {
		return d.fail(n, fmt.Errorf("%s() needs the path of the file to load", d.file.text(n.Fun)))
	}
	rel, ok := args[0].(string)
	if !ok {
		if u, ok := args[0].(*resource.Unknown); ok {
			return &resource.Unknown{Reason: u.Reason, Expr: d.file.text(n)}
		}
		return d.fail(n.Args[0], fmt.Errorf("the file path is %s, not a string", funcs.TypeName(args[0])))
	}
	if name == "loadyamlcontent" {
		return d.unknownAt(n, "loadYamlContent() is not evaluated offline")
	}
	file := d.file.resolve(rel)
	data, err := d.l.readUnderRoot(file)
	switch {
	case errors.Is(err, errOutsideRoot):
		d.warnAt(n, "The file a load function names is outside the scanned folder",
			fmt.Sprintf("%s is not under %s; lensix does not read it, so the value is unknown — scan the folder that holds it to evaluate it", absolute(file), filepath.ToSlash(d.l.root)))
		return d.unknownAt(n, "the file %q is outside the scanned folder", rel)
	case err != nil:
		d.warnAt(n, "Cannot read the file a load function names", err.Error())
		return d.unknownAt(n, "the file %q cannot be read", rel)
	}
	switch name {
	case "loadtextcontent":
		return string(data)
	case "loadfileasbase64":
		return base64.StdEncoding.EncodeToString(data)
	}
	if len(args) > 1 {
		return d.unknownAt(n, "loadJsonContent() with a JSONPath is not evaluated")
	}
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return d.fail(n, fmt.Errorf("the file %q is not JSON: %v", rel, err))
	}
	return normalizeJSON(v)
}

// plain turns references to resources and modules into plain values before they reach the
// function library: a resource becomes its ID, a module unknown. Values without references are
// returned as they are; others are copied, since variables share their cached values.
func plain(v any) any {
	if !hasReference(v) {
		return v
	}
	switch x := v.(type) {
	case *resourceRef:
		return x.property("id")
	case *moduleRef:
		return &resource.Unknown{Reason: "a module is not a value"}
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, val := range x {
			out[k] = plain(val)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, val := range x {
			out[i] = plain(val)
		}
		return out
	}
	return v
}

func hasReference(v any) bool {
	switch x := v.(type) {
	case *resourceRef, *moduleRef:
		return true
	case map[string]any:
		for _, val := range x {
			if hasReference(val) {
				return true
			}
		}
	case []any:
		for _, val := range x {
			if hasReference(val) {
				return true
			}
		}
	}
	return false
}
