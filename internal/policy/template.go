package policy

import (
	"fmt"
	"sort"
	"strings"

	"github.com/lensix/lensix/internal/source/arm/expr"
)

// tmpl is a JSON value from a policy rule in which strings may be template expressions.
type tmpl struct {
	set     bool
	literal any             // the value when nothing in it is an expression
	expr    expr.Node       // a string expression
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
	if !expr.IsExpression(s) {
		return tmpl{set: true, literal: expr.LiteralValue(s)}, nil
	}
	n, err := expr.Parse(s)
	if err != nil {
		return tmpl{}, c.errorf(path, "expression %q, %v", s, err)
	}
	err = walkCalls(n, func(call *expr.Call) error {
		if err := checkCall(call); err != nil {
			return c.errorf(path, "%v in %s", err, s)
		}
		if len(call.Args) != 1 {
			return nil
		}
		name, isLiteral := call.Args[0].(*expr.String)
		switch {
		case !isLiteral:
		case strings.EqualFold(call.Name, "field"):
			return c.checkField(path, name.Value)
		case strings.EqualFold(call.Name, "parameters"):
			if _, ok := lookupFoldParam(c.params, name.Value); !ok {
				return c.errorf(path, "parameters('%s') names no parameter of the definition", name.Value)
			}
		}
		return nil
	})
	if err != nil {
		return tmpl{}, err
	}
	return tmpl{set: true, expr: n}, nil
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
