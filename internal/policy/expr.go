package policy

import (
	"fmt"
	"strings"

	"github.com/lensix/lensix/internal/resource"
	"github.com/lensix/lensix/internal/source/arm/expr"
	"github.com/lensix/lensix/internal/source/arm/funcs"
)

// A policy string that starts with "[" and ends with "]" is a template expression, as in ARM
// templates: "[concat('tags[', parameters('tagName'), ']')]". It is parsed by the ARM expression
// parser, and its template functions are the ARM function library's (package funcs), except the
// policy-only functions of functions.go and those Azure Policy does not allow.

// notInPolicy are the template functions Azure Policy does not allow in a rule ("Policy
// functions" in Microsoft's definition structure documentation); list* are refused as well.
var notInPolicy = map[string]bool{
	"copyindex": true, "datetimeadd": true, "datetimefromepoch": true, "datetimetoepoch": true,
	"deployment": true, "environment": true, "extensionresourceid": true, "lambda": true,
	"managementgroup": true, "newguid": true, "pickzones": true, "providers": true, "reference": true,
	"resourceid": true, "subscriptionresourceid": true, "tenantresourceid": true, "tenant": true,
	"variables": true,
}

// lambdaFunctions take a lambda, which a policy rule cannot make.
var lambdaFunctions = map[string]bool{
	"filter": true, "groupby": true, "map": true, "mapvalues": true, "reduce": true, "sort": true,
	"toobject": true,
}

// checkCall checks a call's name and argument count against what Azure Policy evaluates.
func checkCall(call *expr.Call) error {
	name := strings.ToLower(call.Name)
	if notInPolicy[name] || strings.HasPrefix(name, "list") {
		return fmt.Errorf("%s() is not available in Azure Policy rules", call.Name)
	}
	if lambdaFunctions[name] {
		return fmt.Errorf("%s() needs a lambda, and lambda() is not available in Azure Policy rules", call.Name)
	}
	if name == "utcnow" && len(call.Args) > 0 {
		return fmt.Errorf("utcNow(format) is not available in Azure Policy rules; use utcNow() without arguments")
	}
	min, max, ok := 0, 0, false
	if fn, own := policyFunctions[name]; own {
		min, max, ok = fn.min, fn.max, true
	} else {
		min, max, ok = funcs.Arity(name)
	}
	if !ok {
		return fmt.Errorf("unknown function %q", call.Name)
	}
	if len(call.Args) < min || (max >= 0 && len(call.Args) > max) {
		return fmt.Errorf("%s() takes %s, found %d", call.Name, arity(min, max), len(call.Args))
	}
	return nil
}

func arity(min, max int) string {
	switch {
	case max < 0:
		return fmt.Sprintf("at least %d argument(s)", min)
	case min == max:
		return fmt.Sprintf("%d argument(s)", min)
	}
	return fmt.Sprintf("%d to %d arguments", min, max)
}

// walkCalls calls visit for every function call in n, outermost first.
func walkCalls(n expr.Node, visit func(*expr.Call) error) error {
	switch n := n.(type) {
	case *expr.Call:
		if err := visit(n); err != nil {
			return err
		}
		for _, a := range n.Args {
			if err := walkCalls(a, visit); err != nil {
				return err
			}
		}
	case *expr.Member:
		return walkCalls(n.X, visit)
	case *expr.Index:
		if err := walkCalls(n.X, visit); err != nil {
			return err
		}
		return walkCalls(n.Index, visit)
	}
	return nil
}

// evalExpr evaluates a parsed expression for one resource.
func (ctx *evalContext) evalExpr(n expr.Node) (any, error) {
	switch n := n.(type) {
	case *expr.String:
		return n.Value, nil
	case *expr.Number:
		return n.Value, nil
	case *expr.Literal:
		return n.Value, nil
	case *expr.Member:
		x, err := ctx.evalExpr(n.X)
		if err != nil {
			return nil, err
		}
		return funcs.Property(x, n.Name)
	case *expr.Index:
		x, err := ctx.evalExpr(n.X)
		if err != nil {
			return nil, err
		}
		i, err := ctx.evalExpr(n.Index)
		if err != nil {
			return nil, err
		}
		return funcs.Index(x, i)
	case *expr.Call:
		return ctx.evalCall(n)
	}
	return nil, fmt.Errorf("unsupported expression")
}

// evalCall evaluates if, and, or and coalesce lazily, as Azure does, so an untaken branch may
// read what is not there; the policy functions here; every other function through funcs.
func (ctx *evalContext) evalCall(c *expr.Call) (any, error) {
	name := strings.ToLower(c.Name)
	var args []any
	switch name {
	case "if":
		cond, err := ctx.evalExpr(c.Args[0])
		if err != nil {
			return nil, err
		}
		if b, ok := cond.(bool); ok {
			if b {
				return ctx.evalExpr(c.Args[1])
			}
			return ctx.evalExpr(c.Args[2])
		}
		if u, ok := cond.(*resource.Unknown); ok {
			// Either branch may be the one taken: only branches that agree make a known answer,
			// and a branch that fails makes the answer unknown, not an error.
			a, errA := ctx.evalExpr(c.Args[1])
			b, errB := ctx.evalExpr(c.Args[2])
			if errA != nil || errB != nil {
				return u, nil
			}
			args = []any{u, a, b}
		} else {
			args = []any{cond, nil, nil}
		}
	case "and", "or":
		stopOn := name == "or"
		for _, a := range c.Args {
			v, err := ctx.evalExpr(a)
			if err != nil {
				return nil, err
			}
			if b, ok := v.(bool); ok && b == stopOn {
				return stopOn, nil
			}
			args = append(args, v)
		}
	case "coalesce":
		for _, a := range c.Args {
			v, err := ctx.evalExpr(a)
			if err != nil {
				return nil, err
			}
			args = append(args, v)
			if v != nil {
				break
			}
		}
	default:
		args = make([]any, len(c.Args))
		for i, a := range c.Args {
			v, err := ctx.evalExpr(a)
			if err != nil {
				return nil, err
			}
			args[i] = v
		}
	}
	if fn, ok := policyFunctions[name]; ok {
		for _, a := range args {
			if u, ok := a.(*resource.Unknown); ok {
				return u, nil
			}
		}
		v, err := fn.call(ctx, args)
		if err != nil {
			return nil, fmt.Errorf("%s(): %w", c.Name, err)
		}
		return v, nil
	}
	return funcs.Call(ctx, c.Name, args)
}

// The evaluation context is the funcs.Context of a policy rule: parameters are the definition's,
// and the deployment-only values do not exist (compile refuses the functions that read them).

func (ctx *evalContext) Parameter(name string) (any, error) {
	for k, v := range ctx.params {
		if strings.EqualFold(k, name) {
			return v, nil
		}
	}
	return nil, fmt.Errorf("the definition has no parameter %q", name)
}

func (ctx *evalContext) Variable(string) (any, error) {
	return nil, fmt.Errorf("a policy rule has no variables")
}

func (ctx *evalContext) CopyIndex(string) (any, error) {
	return nil, fmt.Errorf("a policy rule has no copy loops")
}

func (ctx *evalContext) Scope() funcs.Scope {
	r := ctx.subject
	return funcs.Scope{TenantID: r.Provenance.TenantID, SubscriptionID: r.SubscriptionID, ResourceGroup: r.ResourceGroup}
}
