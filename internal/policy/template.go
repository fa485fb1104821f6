package policy

import (
	"fmt"
	"sort"
	"strings"
)

// tmpl is a JSON value from a policy rule in which strings may be template expressions.
type tmpl struct {
	set     bool
	literal any             // the value when nothing in it is an expression
	expr    exprNode        // a string expression
	items   []tmpl          // an array holding an expression
	fields  map[string]tmpl // an object holding an expression
}

func (t tmpl) isDynamic() bool { return t.expr != nil || t.items != nil || t.fields != nil }

func (c *compiler) compileValue(path string, v any) (tmpl, error) {
	switch x := v.(type) {
	case string:
		return c.compileString(path, x)
	case []any:
		items := make([]tmpl, len(x))
		dynamic := false
		for i, e := range x {
			t, err := c.compileValue(fmt.Sprintf("%s[%d]", path, i), e)
			if err != nil {
				return tmpl{}, err
			}
			items[i] = t
			dynamic = dynamic || t.isDynamic()
		}
		if dynamic {
			return tmpl{set: true, items: items}, nil
		}
		out := make([]any, len(items))
		for i, t := range items {
			out[i] = t.literal
		}
		return tmpl{set: true, literal: out}, nil
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		fields := map[string]tmpl{}
		dynamic := false
		for _, k := range keys {
			t, err := c.compileValue(path+"."+k, x[k])
			if err != nil {
				return tmpl{}, err
			}
			fields[k] = t
			dynamic = dynamic || t.isDynamic()
		}
		if dynamic {
			return tmpl{set: true, fields: fields}, nil
		}
		out := make(map[string]any, len(fields))
		for k, t := range fields {
			out[k] = t.literal
		}
		return tmpl{set: true, literal: out}, nil
	}
	return tmpl{set: true, literal: v}, nil
}

func (c *compiler) compileString(path, s string) (tmpl, error) {
	if !isExpression(s) {
		return tmpl{set: true, literal: unescapeLiteral(s)}, nil
	}
	n, err := parseExpression(s[1 : len(s)-1])
	if err != nil {
		return tmpl{}, c.errorf(path, "%v", err)
	}
	err = walkCalls(n, func(call call) error {
		name := strings.ToLower(call.name)
		fn, ok := functions[name]
		if !ok {
			return c.errorf(path, "unknown function %q in %s (lensix evaluates: %s)", call.name, s, functionNames())
		}
		if len(call.args) < fn.minArgs || (fn.maxArgs >= 0 && len(call.args) > fn.maxArgs) {
			return c.errorf(path, "%s() takes %s, found %d in %s", call.name, arity(fn), len(call.args), s)
		}
		if len(call.args) == 1 {
			lit, isLiteral := call.args[0].(literal)
			name0, isString := lit.value.(string)
			switch {
			case name == "field" && isLiteral && isString:
				return c.checkField(path, name0)
			case name == "parameters" && isLiteral && isString:
				if _, ok := lookupFoldParam(c.params, name0); !ok {
					return c.errorf(path, "parameters('%s') names no parameter of the definition", name0)
				}
			}
		}
		return nil
	})
	if err != nil {
		return tmpl{}, err
	}
	return tmpl{set: true, expr: n}, nil
}

func arity(fn function) string {
	switch {
	case fn.maxArgs < 0:
		return fmt.Sprintf("at least %d argument(s)", fn.minArgs)
	case fn.minArgs == fn.maxArgs:
		return fmt.Sprintf("%d argument(s)", fn.minArgs)
	default:
		return fmt.Sprintf("%d to %d arguments", fn.minArgs, fn.maxArgs)
	}
}

func functionNames() string {
	names := make([]string, 0, len(functions))
	for n := range functions {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// eval evaluates the template for one resource.
func (t tmpl) eval(ctx *evalContext) (any, error) {
	switch {
	case t.expr != nil:
		return ctx.evalExpr(t.expr)
	case t.items != nil:
		out := make([]any, len(t.items))
		for i, item := range t.items {
			v, err := item.eval(ctx)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	case t.fields != nil:
		out := make(map[string]any, len(t.fields))
		for k, f := range t.fields {
			v, err := f.eval(ctx)
			if err != nil {
				return nil, err
			}
			out[k] = v
		}
		return out, nil
	}
	return t.literal, nil
}
