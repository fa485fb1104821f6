package policy

import (
	"fmt"
	"strings"

	"github.com/lensix/lensix/internal/resource"
	"github.com/lensix/lensix/internal/source/arm/funcs"
)

// evalContext is the state of evaluating one rule on one resource.
type evalContext struct {
	env *Env
	// definition is the definition being evaluated, for policy(); nil in tests of expressions.
	definition *Definition
	params     map[string]any
	// target is the resource "field" conditions read: the evaluated resource, or in an
	// existenceCondition the related resource.
	target *resource.Resource
	// subject is the resource the rule is evaluated for; field() reads it everywhere.
	subject *resource.Resource
	// scopes are the enclosing count iterations, innermost last.
	scopes []scope
	// unknown is the first unknown value a condition met, to say why a verdict is unknown.
	unknown *resource.Unknown
}

// note remembers the first unknown value in v.
func (ctx *evalContext) note(v any) {
	if ctx.unknown == nil {
		ctx.unknown = funcs.FindUnknown(v)
	}
}

// noted applies an operator and remembers what made it unknown.
func (ctx *evalContext) noted(op string, v any, found bool, operand any) (Truth, error) {
	t, err := applyOperator(op, v, found, operand)
	if t == Unknown && err == nil {
		ctx.note(v)
		ctx.note(operand)
	}
	return t, err
}

// scope is one iteration of a count: the array element being looked at.
type scope struct {
	path    path // the counted alias path, ending in [*]; nil for a value count
	name    string
	element any
}

// slot is one value a field reads: found is false when the property is absent.
type slot struct {
	v     any
	found bool
}

// fieldValue is what a field reads: one slot, or with a [*] alias one slot per array element.
type fieldValue struct {
	slots []slot
	multi bool
}

func single(v any, found bool) fieldValue { return fieldValue{slots: []slot{{v, found}}} }

// asValue is the field as template functions see it: the value, null when absent, or for a [*]
// alias the array of the values present.
func (f fieldValue) asValue() any {
	if !f.multi {
		if !f.slots[0].found {
			return nil
		}
		return f.slots[0].v
	}
	out := []any{}
	for _, s := range f.slots {
		if s.found {
			out = append(out, s.v)
		}
	}
	return out
}

// resolveField reads a field of r. With useScopes, array aliases inside a count read the current
// element rather than the whole array.
func (ctx *evalContext) resolveField(r *resource.Resource, name string, useScopes bool) (fieldValue, error) {
	lower := strings.ToLower(name)
	switch lower {
	case "type":
		if r.Type != "" {
			return single(r.Type, true), nil
		}
		v, found := resource.Lookup(r.Body, "type")
		return single(v, found), nil
	case "name", "fullname":
		// Resource.Name holds an unresolved name's source text; the body says it is unknown.
		if v, found := resource.Lookup(r.Body, "name"); found && (r.Name == "" || resource.IsUnknown(v)) {
			if s, ok := v.(string); ok && lower == "name" {
				v = s[strings.LastIndex(s, "/")+1:]
			}
			return single(v, true), nil
		}
		if r.Name == "" {
			return single(nil, false), nil
		}
		if lower == "name" {
			return single(r.Name[strings.LastIndex(r.Name, "/")+1:], true), nil
		}
		return single(r.Name, true), nil
	case "id":
		if r.ID != "" {
			return single(r.ID, true), nil
		}
		if v, found := resource.Lookup(r.Body, "id"); found {
			return single(v, true), nil
		}
		return single(&resource.Unknown{Reason: "the resource ID is known only once the resource is deployed"}, true), nil
	}
	if builtinFields[lower] || strings.HasPrefix(lower, "tags[") || strings.HasPrefix(lower, "tags.") || strings.HasPrefix(lower, "identity.") {
		p, err := parsePath(name)
		if err != nil {
			return fieldValue{}, err
		}
		return walk(r.Body, true, p), nil
	}
	p, ok, absent := ctx.env.aliases().lookup(r.Type, name)
	if !ok {
		if !absent {
			return single(&resource.Unknown{Reason: fmt.Sprintf("lensix has no alias data for %s on %s", name, r.Type)}, true), nil
		}
		// An alias of another resource type: the property does not exist on this one.
		return single(nil, false), nil
	}
	if useScopes {
		if s, rest, ok := ctx.bind(p); ok {
			fv := walk(s.element, true, rest)
			// A [*] alias stays an array inside a count: field() gives [current value].
			fv.multi = fv.multi || p.hasWildcard()
			return fv, nil
		}
	}
	return walk(r.Body, true, p), nil
}

// bind finds the innermost count scope whose alias path is a prefix of p, and the rest of p.
func (ctx *evalContext) bind(p path) (scope, path, bool) {
	for i := len(ctx.scopes) - 1; i >= 0; i-- {
		s := ctx.scopes[i]
		if s.path == nil || len(s.path) > len(p) {
			continue
		}
		if pathHasPrefix(p, s.path) {
			return s, p[len(s.path):], true
		}
	}
	return scope{}, nil, false
}

func pathHasPrefix(p, prefix path) bool {
	for i, st := range prefix {
		if st.wildcard != p[i].wildcard || !strings.EqualFold(st.key, p[i].key) {
			return false
		}
	}
	return true
}

// walk follows p from v. Absent stays absent; an unknown value stops the walk, since the path
// might exist below it; [*] expands an array into one slot per element.
func walk(v any, found bool, p path) fieldValue {
	out := fieldValue{slots: []slot{{v, found}}}
	for _, st := range p {
		var next []slot
		for _, s := range out.slots {
			if !s.found || resource.IsUnknown(s.v) {
				next = append(next, s)
				continue
			}
			if st.wildcard {
				out.multi = true
				arr, ok := s.v.([]any)
				if !ok {
					next = append(next, slot{nil, false})
					continue
				}
				for _, e := range arr {
					next = append(next, slot{e, true})
				}
				continue
			}
			m, ok := s.v.(map[string]any)
			if !ok {
				next = append(next, slot{nil, false})
				continue
			}
			child, ok := resource.Lookup(m, st.key)
			next = append(next, slot{child, ok})
		}
		out.slots = next
	}
	return out
}

// current is current(name): the element of the count called name, or an array alias's element
// value in the count over it.
func (ctx *evalContext) current(name string) (any, error) {
	for i := len(ctx.scopes) - 1; i >= 0; i-- {
		if ctx.scopes[i].name != "" && strings.EqualFold(ctx.scopes[i].name, name) {
			return ctx.scopes[i].element, nil
		}
	}
	p, ok := ctx.env.aliases().Path(ctx.target.Type, name)
	if ok {
		if s, rest, ok := ctx.bind(p); ok {
			return walk(s.element, true, rest).asValue(), nil
		}
	}
	return nil, fmt.Errorf("current('%s') is not inside a count over %s", name, name)
}

// evalCondition evaluates a condition. allOf stops at the first false and anyOf at the first true,
// as Azure does, so later conditions guarded by earlier ones do not fail.
func (ctx *evalContext) evalCondition(c condition) (Truth, error) {
	switch c := c.(type) {
	case allOf:
		result := True
		for _, item := range c {
			t, err := ctx.evalCondition(item)
			if err != nil {
				return Unknown, err
			}
			if t == False {
				return False, nil
			}
			result = result.And(t)
		}
		return result, nil
	case anyOf:
		result := False
		for _, item := range c {
			t, err := ctx.evalCondition(item)
			if err != nil {
				return Unknown, err
			}
			if t == True {
				return True, nil
			}
			result = result.Or(t)
		}
		return result, nil
	case notOp:
		t, err := ctx.evalCondition(c.c)
		return t.Not(), err
	case simple:
		t, err := ctx.evalSimple(c)
		if err != nil {
			return Unknown, fmt.Errorf("%s: %w", c.path, err)
		}
		return t, nil
	}
	return Unknown, fmt.Errorf("unsupported condition %T", c)
}

func (ctx *evalContext) evalSimple(c simple) (Truth, error) {
	rhs, err := c.rhs.eval(ctx)
	if err != nil {
		return Unknown, err
	}
	switch lhs := c.lhs.(type) {
	case fieldOperand:
		nameValue, err := lhs.name.eval(ctx)
		if err != nil {
			return Unknown, err
		}
		if u, ok := nameValue.(*resource.Unknown); ok {
			ctx.note(u)
			return Unknown, nil
		}
		name, ok := nameValue.(string)
		if !ok {
			return Unknown, fmt.Errorf("field name is %s, not a string", describe(nameValue))
		}
		fv, err := ctx.resolveField(ctx.target, name, true)
		if err != nil {
			return Unknown, err
		}
		if !fv.multi {
			return ctx.noted(c.op, fv.slots[0].v, fv.slots[0].found, rhs)
		}
		// A [*] alias outside a count: true when every element satisfies the condition.
		result := True
		for _, s := range fv.slots {
			t, err := ctx.noted(c.op, s.v, s.found, rhs)
			if err != nil {
				return Unknown, err
			}
			result = result.And(t)
		}
		return result, nil
	case valueOperand:
		v, err := lhs.value.eval(ctx)
		if err != nil {
			return Unknown, err
		}
		return ctx.noted(c.op, v, true, rhs)
	case countOperand:
		low, high, err := ctx.evalCount(lhs)
		if err != nil {
			return Unknown, err
		}
		if high < 0 {
			return Unknown, nil
		}
		result, err := ctx.noted(c.op, float64(low), true, rhs)
		if err != nil {
			return Unknown, err
		}
		for n := low + 1; n <= high; n++ {
			t, err := applyOperator(c.op, float64(n), true, rhs)
			if err != nil {
				return Unknown, err
			}
			if t != result {
				return Unknown, nil
			}
		}
		return result, nil
	}
	return Unknown, fmt.Errorf("unsupported operand %T", c.lhs)
}

// evalCount counts the elements that satisfy where. With unknowns the count is a range
// [low, high]; high is -1 when even the array is unknown.
func (ctx *evalContext) evalCount(c countOperand) (low, high int, err error) {
	var elements []any
	var countedPath path
	if c.field != "" {
		p, ok, absent := ctx.env.aliases().lookup(ctx.target.Type, c.field)
		if !ok {
			if !absent {
				ctx.note(&resource.Unknown{Reason: fmt.Sprintf("lensix has no alias data for %s on %s", c.field, ctx.target.Type)})
				return 0, -1, nil
			}
			return 0, 0, nil // an alias of another type: nothing to count
		}
		countedPath = p
		base := p[:len(p)-1]
		var fv fieldValue
		if s, rest, ok := ctx.bind(base); ok && len(rest) < len(base) {
			fv = walk(s.element, true, rest)
		} else {
			fv = walk(ctx.target.Body, true, base)
		}
		for _, s := range fv.slots {
			if !s.found || s.v == nil {
				continue
			}
			if resource.IsUnknown(s.v) {
				ctx.note(s.v)
				return 0, -1, nil
			}
			if arr, ok := s.v.([]any); ok {
				elements = append(elements, arr...)
			}
		}
	} else {
		v, err := c.value.eval(ctx)
		if err != nil {
			return 0, 0, err
		}
		switch x := v.(type) {
		case *resource.Unknown:
			ctx.note(x)
			return 0, -1, nil
		case []any:
			elements = x
		case nil:
		default:
			return 0, 0, fmt.Errorf("count.value must be an array, found %s", describe(v))
		}
	}
	if c.where == nil {
		return len(elements), len(elements), nil
	}
	for _, e := range elements {
		ctx.scopes = append(ctx.scopes, scope{path: countedPath, name: c.name, element: e})
		t, err := ctx.evalCondition(c.where)
		ctx.scopes = ctx.scopes[:len(ctx.scopes)-1]
		if err != nil {
			return 0, 0, err
		}
		switch t {
		case True:
			low++
			high++
		case Unknown:
			high++
		}
	}
	return low, high, nil
}

// applyOperator applies a condition operator to a value (found false: absent) and an operand.
func applyOperator(op string, v any, found bool, operand any) (Truth, error) {
	if resource.IsUnknown(v) || resource.IsUnknown(operand) {
		return Unknown, nil
	}
	if op == "exists" {
		want, err := existsWanted(operand)
		if err != nil {
			return Unknown, err
		}
		// Azure Policy treats a null property as one that does not exist.
		return truthOf((found && v != nil) == want), nil
	}
	if !found {
		v = nil
	}
	switch op {
	case "equals":
		return valuesEqual(v, operand), nil
	case "notEquals":
		return valuesEqual(v, operand).Not(), nil
	case "like", "notLike", "match", "notMatch", "matchInsensitively", "notMatchInsensitively":
		if funcs.FindUnknown(v) != nil {
			return Unknown, nil
		}
		pattern, ok := operand.(string)
		if !ok {
			return Unknown, fmt.Errorf("%s needs a string pattern, found %s", op, describe(operand))
		}
		var matched bool
		switch v.(type) {
		case []any, map[string]any:
		default:
			s := stringForm(v)
			switch op {
			case "like", "notLike":
				matched = funcs.Like(s, pattern)
			case "match", "notMatch":
				matched = matchPattern(s, pattern, false)
			default:
				matched = matchPattern(s, pattern, true)
			}
		}
		if strings.HasPrefix(op, "not") {
			matched = !matched
		}
		return truthOf(matched), nil
	case "contains", "notContains":
		t := containsOp(v, operand)
		if op == "notContains" {
			t = t.Not()
		}
		return t, nil
	case "in", "notIn":
		list, ok := operand.([]any)
		if !ok {
			return Unknown, fmt.Errorf("%s needs an array, found %s", op, describe(operand))
		}
		t := False
		for _, e := range list {
			t = t.Or(valuesEqual(v, e))
		}
		if op == "notIn" {
			t = t.Not()
		}
		return t, nil
	case "containsKey", "notContainsKey":
		t := False
		if m, ok := v.(map[string]any); ok {
			_, found := resource.Lookup(m, stringForm(operand))
			t = truthOf(found)
		}
		if op == "notContainsKey" {
			t = t.Not()
		}
		return t, nil
	case "less", "lessOrEquals", "greater", "greaterOrEquals":
		if v == nil {
			return False, nil
		}
		if funcs.FindUnknown(v) != nil {
			return Unknown, nil
		}
		cmp, err := compareOrdered(v, operand)
		if err != nil {
			return Unknown, fmt.Errorf("%s: %w", op, err)
		}
		switch op {
		case "less":
			return truthOf(cmp < 0), nil
		case "lessOrEquals":
			return truthOf(cmp <= 0), nil
		case "greater":
			return truthOf(cmp > 0), nil
		default:
			return truthOf(cmp >= 0), nil
		}
	}
	return Unknown, fmt.Errorf("unsupported operator %q", op)
}

// containsOp is the contains condition: a substring without regard to case, or an array element.
func containsOp(v, operand any) Truth {
	switch x := v.(type) {
	case nil:
		return False
	case string:
		return truthOf(strings.Contains(strings.ToLower(x), strings.ToLower(stringForm(operand))))
	case []any:
		t := False
		for _, e := range x {
			t = t.Or(valuesEqual(e, operand))
		}
		return t
	case map[string]any:
		return False
	}
	return truthOf(strings.Contains(strings.ToLower(stringForm(v)), strings.ToLower(stringForm(operand))))
}

// applicable evaluates only the if's conditions on the fields in scopeFields and takes every
// other condition as satisfied (false under a not), as Azure does to decide whether a resource
// is in a policy's scope at all.
func (ctx *evalContext) applicable(c condition, negated bool, scopeFields map[string]bool) Truth {
	switch c := c.(type) {
	case allOf:
		result := True
		for _, item := range c {
			result = result.And(ctx.applicable(item, negated, scopeFields))
		}
		return result
	case anyOf:
		result := False
		for _, item := range c {
			result = result.Or(ctx.applicable(item, negated, scopeFields))
		}
		return result
	case notOp:
		return ctx.applicable(c.c, !negated, scopeFields).Not()
	case simple:
		if scopeFields[builtinFieldOf(c)] {
			t, err := ctx.evalSimple(c)
			if err != nil {
				return Unknown
			}
			return t
		}
		return truthOf(!negated)
	}
	return True
}

// builtinFieldOf is "type", "name" or "kind" for a condition on that field, else "".
func builtinFieldOf(c simple) string {
	f, ok := c.lhs.(fieldOperand)
	if !ok || f.name.isDynamic() {
		return ""
	}
	switch name := strings.ToLower(stringForm(f.name.literal)); name {
	case "type", "name", "kind":
		return name
	}
	return ""
}

// scopeFieldsOf picks the fields whose conditions decide applicability, by Azure's rules: type,
// name and kind conditions; when the if holds nothing else, only type conditions (so a rule of
// name or kind conditions alone applies to every resource).
func scopeFieldsOf(c condition) map[string]bool {
	fields := map[string]bool{}
	other := false
	var visit func(c condition)
	visit = func(c condition) {
		switch c := c.(type) {
		case allOf:
			for _, item := range c {
				visit(item)
			}
		case anyOf:
			for _, item := range c {
				visit(item)
			}
		case notOp:
			visit(c.c)
		case simple:
			if f := builtinFieldOf(c); f != "" {
				fields[f] = true
			} else {
				other = true
			}
		}
	}
	visit(c)
	if !other {
		return map[string]bool{"type": fields["type"]}
	}
	return fields
}
