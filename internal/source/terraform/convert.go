package terraform

import (
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"

	"github.com/lensix/lensix/internal/resource"
)

// converter turns evaluated cty values into resource body values, collecting the variable
// defaults they were derived from and the top-level arguments whose values used them.
type converter struct {
	defaults map[string]*defaultUse
	// argument is the top-level argument or block being converted; "" while converting what
	// bears on the whole resource (count, for_each).
	argument string
	// text is the source text of an expression, for the Expr of unknowns.
	text func(hcl.Expression) string
	// secrets are the known string leaves of the values marked sensitive that were converted.
	secrets []string
}

// defaultUse is one variable default a resource's values rest on.
type defaultUse struct {
	message   string
	arguments map[string]bool // "" stands for the whole resource
}

func (c *converter) addMarks(marks cty.ValueMarks) {
	for m := range marks {
		if d, ok := m.(defaultMark); ok {
			if c.defaults == nil {
				c.defaults = map[string]*defaultUse{}
			}
			use := c.defaults[d.name]
			if use == nil {
				use = &defaultUse{message: d.message, arguments: map[string]bool{}}
				c.defaults[d.name] = use
			}
			use.arguments[c.argument] = true
		}
	}
}

// attr converts the value of expr; a null attribute is absent, as Terraform treats it.
func (c *converter) attr(v cty.Value, expr hcl.Expression) (any, bool) {
	unmarked, marks := v.Unmark()
	if unmarked.IsKnown() && unmarked.IsNull() {
		c.addMarks(marks)
		return nil, false
	}
	return c.toGo(v, expr, ""), true
}

// toGo converts v, the value of expr (nil if none); an unknown part's Expr is the text of the
// innermost object or tuple item that produced it, else of expr.
func (c *converter) toGo(v cty.Value, expr hcl.Expression, inherited string) any {
	v, marks := v.Unmark()
	c.addMarks(marks)
	if _, ok := marks[sensitiveMark{}]; ok {
		c.secrets = appendSecrets(c.secrets, v)
	}
	reason := reasonOf(marks, inherited)
	if !v.IsKnown() {
		if reason == "" {
			reason = "depends on a value " + afterApply
		}
		u := &resource.Unknown{Reason: reason}
		if expr != nil && c.text != nil {
			u.Expr = c.text(expr)
		}
		return u
	}
	if v.IsNull() {
		return nil
	}
	ty := v.Type()
	switch {
	case ty == cty.String:
		return v.AsString()
	case ty == cty.Bool:
		return v.True()
	case ty == cty.Number:
		bf := v.AsBigFloat()
		if bf.IsInt() {
			if i, acc := bf.Int64(); acc == 0 {
				return i
			}
		}
		f, _ := bf.Float64()
		return f
	case ty.IsObjectType() || ty.IsMapType():
		out := map[string]any{}
		for it := v.ElementIterator(); it.Next(); {
			k, elem := it.Element()
			out[k.AsString()] = c.toGo(elem, itemExpr(expr, k), reason)
		}
		return out
	case ty.IsListType() || ty.IsSetType() || ty.IsTupleType():
		out := make([]any, 0, v.LengthInt())
		for it := v.ElementIterator(); it.Next(); {
			i, elem := it.Element()
			out = append(out, c.toGo(elem, itemExpr(expr, i), reason))
		}
		return out
	}
	u := &resource.Unknown{Reason: "value of type " + ty.FriendlyName() + " has no JSON form"}
	if expr != nil && c.text != nil {
		u.Expr = c.text(expr)
	}
	return u
}

// itemExpr is the expression that gives the element at key of the value of expr: an item of an
// object or tuple constructor, or expr itself when the element has no expression of its own.
func itemExpr(expr hcl.Expression, key cty.Value) hcl.Expression {
	switch e := expr.(type) {
	case *hclsyntax.ObjectConsExpr:
		if key.Type() != cty.String {
			return expr
		}
		for _, item := range e.Items {
			if k, d := item.KeyExpr.Value(nil); !d.HasErrors() && k.Type() == cty.String && k.IsKnown() && !k.IsNull() && k.AsString() == key.AsString() {
				return item.ValueExpr
			}
		}
	case *hclsyntax.TupleConsExpr:
		if key.Type() != cty.Number {
			return expr
		}
		if i, acc := key.AsBigFloat().Int64(); acc == 0 && i >= 0 && int(i) < len(e.Exprs) {
			return e.Exprs[i]
		}
	}
	return expr
}

// reasonOf picks the reason an unknown value carries, or fallback.
func reasonOf(marks cty.ValueMarks, fallback string) string {
	var reasons []string
	for m := range marks {
		if u, ok := m.(unknownMark); ok {
			reasons = append(reasons, u.reason)
		}
	}
	if len(reasons) == 0 {
		return fallback
	}
	sort.Strings(reasons)
	return reasons[0]
}

// unsupportedFunctions returns stand-ins for the functions expr calls that lensix does not
// implement: each returns an unknown value naming the function, instead of an error.
func unsupportedFunctions(expr hcl.Expression, funcs map[string]function.Function) map[string]function.Function {
	syntaxExpr, ok := expr.(hclsyntax.Expression)
	if !ok {
		return nil
	}
	var stubs map[string]function.Function
	_ = hclsyntax.VisitAll(syntaxExpr, func(node hclsyntax.Node) hcl.Diagnostics {
		call, ok := node.(*hclsyntax.FunctionCallExpr)
		if !ok {
			return nil
		}
		if _, known := funcs[call.Name]; known {
			return nil
		}
		if stubs == nil {
			stubs = map[string]function.Function{}
		}
		stubs[call.Name] = unsupportedFunction(call.Name)
		return nil
	})
	return stubs
}

func unsupportedFunction(name string) function.Function {
	reason := "function " + name + " is not evaluated by lensix"
	if strings.Contains(name, "::") {
		reason = "provider function " + name + " is not evaluated by lensix"
	}
	return function.New(&function.Spec{
		VarParam: &function.Parameter{Name: "args", Type: cty.DynamicPseudoType, AllowUnknown: true, AllowNull: true, AllowDynamicType: true, AllowMarked: true},
		Type:     function.StaticReturnType(cty.DynamicPseudoType),
		Impl: func([]cty.Value, cty.Type) (cty.Value, error) {
			return unknownVal(reason), nil
		},
	})
}
