package policy

import (
	"fmt"
	"sort"
	"strings"
)

// The compiler turns a policyRule's JSON into the condition tree the evaluator walks, and checks
// everything that can be checked before a resource is seen: operators, functions, aliases, count.

type rule struct {
	cond condition
	then thenBlock
	// scopeFields are the built-in fields whose conditions decide applicability.
	scopeFields map[string]bool
}

type thenBlock struct {
	effect  tmpl
	details *details
}

// details is the part of then.details lensix evaluates.
type details struct {
	// auditIfNotExists / deployIfNotExists
	relatedType       tmpl
	relatedName       tmpl
	resourceGroupName tmpl
	existenceScope    tmpl
	existence         condition
	hasExistenceCheck bool
	// modify: operations; append: the details array itself
	operations []operation
}

type operation struct {
	kind      string // add, addOrReplace, remove; "append" for the append effect
	field     tmpl
	value     tmpl
	condition tmpl
}

// condition is a node of the if tree.
type condition interface{}

type (
	allOf  []condition
	anyOf  []condition
	notOp  struct{ c condition }
	simple struct {
		path string // JSON path, for messages
		lhs  operand
		op   string // canonical operator name
		rhs  tmpl
	}
)

type operand interface{}

type (
	fieldOperand struct {
		name tmpl // a literal name or an expression giving one
	}
	valueOperand struct{ value tmpl }
	countOperand struct {
		field string // the [*] alias counted, or ""
		value tmpl   // the array counted, when field is ""
		name  string
		where condition
	}
)

// operators maps each condition operator, in lower case, to its canonical name.
var operators = map[string]string{}

func init() {
	for _, op := range []string{"equals", "notEquals", "like", "notLike", "match", "matchInsensitively", "notMatch",
		"notMatchInsensitively", "contains", "notContains", "in", "notIn", "containsKey", "notContainsKey", "less",
		"lessOrEquals", "greater", "greaterOrEquals", "exists"} {
		operators[strings.ToLower(op)] = op
	}
}

// builtinFields are the field names every resource has, besides aliases.
var builtinFields = map[string]bool{"type": true, "name": true, "fullname": true, "kind": true, "location": true, "id": true, "tags": true}

type compiler struct {
	file      string
	aliases   *Aliases
	dataPlane bool // aliases of data-plane modes are not in the alias table
	params    map[string]Parameter
	warnings  []string
}

func appendOnce(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

func (c *compiler) errorf(path, format string, args ...any) error {
	return &Error{File: c.file, Path: path, Msg: fmt.Sprintf(format, args...)}
}

// decodeObject decodes raw as a JSON object and lists its keys sorted, so errors come in a stable order.
func decodeObject(raw any) (map[string]any, []string, error) {
	m, ok := raw.(map[string]any)
	if !ok {
		return nil, nil, fmt.Errorf("not an object")
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return m, keys, nil
}

func (c *compiler) compileRule(path string, raw any) (*rule, error) {
	m, _, err := decodeObject(raw)
	if err != nil {
		return nil, c.errorf(path, "policyRule must be an object with \"if\" and \"then\"")
	}
	ifRaw, ok := getFold(m, "if")
	if !ok {
		return nil, c.errorf(path, "policyRule has no \"if\"")
	}
	thenRaw, ok := getFold(m, "then")
	if !ok {
		return nil, c.errorf(path, "policyRule has no \"then\"")
	}
	cond, err := c.compileCondition(path+".if", ifRaw)
	if err != nil {
		return nil, err
	}
	then, err := c.compileThen(path+".then", thenRaw)
	if err != nil {
		return nil, err
	}
	return &rule{cond: cond, then: then, scopeFields: scopeFieldsOf(cond)}, nil
}

func getFold(m map[string]any, key string) (any, bool) {
	if v, ok := m[key]; ok {
		return v, true
	}
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return v, true
		}
	}
	return nil, false
}

func (c *compiler) compileCondition(path string, raw any) (condition, error) {
	m, keys, err := decodeObject(raw)
	if err != nil {
		return nil, c.errorf(path, "a condition must be a JSON object")
	}
	if len(m) == 0 {
		return nil, c.errorf(path, "empty condition")
	}
	for _, logical := range []string{"allOf", "anyOf", "not"} {
		sub, ok := getFold(m, logical)
		if !ok {
			continue
		}
		if len(m) != 1 {
			return nil, c.errorf(path, "%q cannot be combined with %s in one condition", logical, strings.Join(otherKeys(keys, logical), ", "))
		}
		p := path + "." + logical
		if logical == "not" {
			inner, err := c.compileCondition(p, sub)
			if err != nil {
				return nil, err
			}
			return notOp{inner}, nil
		}
		items, ok := sub.([]any)
		if !ok {
			return nil, c.errorf(p, "%s must be an array of conditions", logical)
		}
		out := make([]condition, 0, len(items))
		for i, item := range items {
			ci, err := c.compileCondition(fmt.Sprintf("%s[%d]", p, i), item)
			if err != nil {
				return nil, err
			}
			out = append(out, ci)
		}
		if logical == "allOf" {
			return allOf(out), nil
		}
		return anyOf(out), nil
	}
	return c.compileSimple(path, m, keys)
}

func otherKeys(keys []string, except string) []string {
	var out []string
	for _, k := range keys {
		if !strings.EqualFold(k, except) {
			out = append(out, fmt.Sprintf("%q", k))
		}
	}
	return out
}

func (c *compiler) compileSimple(path string, m map[string]any, keys []string) (condition, error) {
	s := simple{path: path}
	var lhsKeys []string
	for _, k := range keys {
		raw := m[k]
		lower := strings.ToLower(k)
		switch lower {
		case "field":
			name, ok := raw.(string)
			if !ok {
				return nil, c.errorf(path+".field", "field must be a string")
			}
			t, err := c.compileString(path+".field", name)
			if err != nil {
				return nil, err
			}
			if t.expr == nil {
				if err := c.checkField(path+".field", name); err != nil {
					return nil, err
				}
			}
			s.lhs = fieldOperand{name: t}
			lhsKeys = append(lhsKeys, k)
		case "value":
			t, err := c.compileValue(path+".value", raw)
			if err != nil {
				return nil, err
			}
			s.lhs = valueOperand{value: t}
			lhsKeys = append(lhsKeys, k)
		case "count":
			cnt, err := c.compileCount(path+".count", raw)
			if err != nil {
				return nil, err
			}
			s.lhs = cnt
			lhsKeys = append(lhsKeys, k)
		default:
			op, ok := operators[lower]
			if !ok {
				return nil, c.errorf(path+"."+k, "unknown condition %q (want one of equals, notEquals, like, notLike, match, matchInsensitively, notMatch, notMatchInsensitively, contains, notContains, in, notIn, containsKey, notContainsKey, less, lessOrEquals, greater, greaterOrEquals, exists), or field, value, count, allOf, anyOf, not", k)
			}
			if s.op != "" {
				return nil, c.errorf(path, "a condition has one operator, found %q and %q", s.op, op)
			}
			t, err := c.compileValue(path+"."+k, raw)
			if err != nil {
				return nil, err
			}
			if err := checkOperand(op, t); err != nil {
				return nil, c.errorf(path+"."+k, "%v", err)
			}
			s.op, s.rhs = op, t
		}
	}
	switch {
	case len(lhsKeys) == 0:
		return nil, c.errorf(path, "the condition has no field, value or count to test")
	case len(lhsKeys) > 1:
		return nil, c.errorf(path, "a condition tests one of field, value or count, found %s", strings.Join(lhsKeys, " and "))
	case s.op == "":
		return nil, c.errorf(path, "the condition has no operator (equals, in, exists, ...)")
	}
	return s, nil
}

// checkOperand rejects literal operands that cannot work with their operator.
func checkOperand(op string, t tmpl) error {
	if t.isDynamic() {
		return nil
	}
	switch op {
	case "in", "notIn":
		if _, ok := t.literal.([]any); !ok {
			return fmt.Errorf("%s needs an array, found %s", op, describe(t.literal))
		}
	case "exists":
		if _, err := existsWanted(t.literal); err != nil {
			return err
		}
	}
	return nil
}

func existsWanted(v any) (bool, error) {
	switch x := v.(type) {
	case bool:
		return x, nil
	case string:
		switch strings.ToLower(x) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
	}
	return false, fmt.Errorf("exists needs true or false, found %s", describe(v))
}

func (c *compiler) compileCount(path string, raw any) (countOperand, error) {
	m, keys, err := decodeObject(raw)
	if err != nil {
		return countOperand{}, c.errorf(path, "count must be an object with field or value, and optionally name and where")
	}
	var cnt countOperand
	var hasField, hasValue bool
	for _, k := range keys {
		raw := m[k]
		switch strings.ToLower(k) {
		case "field":
			field, ok := raw.(string)
			if !ok {
				return countOperand{}, c.errorf(path+".field", "count.field must be a string")
			}
			cnt.field = field
			if !strings.HasSuffix(cnt.field, "[*]") {
				return countOperand{}, c.errorf(path+".field", "count.field must be an array alias ending in [*], found %q", cnt.field)
			}
			if err := c.checkField(path+".field", cnt.field); err != nil {
				return countOperand{}, err
			}
			hasField = true
		case "value":
			t, err := c.compileValue(path+".value", raw)
			if err != nil {
				return countOperand{}, err
			}
			cnt.value = t
			hasValue = true
		case "name":
			name, ok := raw.(string)
			if cnt.name = name; !ok || name == "" {
				return countOperand{}, c.errorf(path+".name", "count.name must be a non-empty string")
			}
		case "where":
			w, err := c.compileCondition(path+".where", raw)
			if err != nil {
				return countOperand{}, err
			}
			cnt.where = w
		default:
			return countOperand{}, c.errorf(path+"."+k, "unknown count property %q (want field or value, name, where)", k)
		}
	}
	if hasField == hasValue {
		return countOperand{}, c.errorf(path, "count needs exactly one of field and value")
	}
	return cnt, nil
}

// checkField makes sure a literal field name is a built-in field or a known alias.
func (c *compiler) checkField(path, name string) error {
	lower := strings.ToLower(name)
	if builtinFields[lower] || strings.HasPrefix(lower, "tags[") || strings.HasPrefix(lower, "tags.") ||
		strings.HasPrefix(lower, "identity.") {
		_, err := parsePath(name)
		if err != nil {
			return c.errorf(path, "%v", err)
		}
		return nil
	}
	if c.dataPlane || c.aliases.Known(name) {
		return nil
	}
	if !strings.Contains(name, "/") {
		return c.errorf(path, "unknown field %q: use a built-in field (type, name, fullName, kind, location, id, identity.type, tags) or a property alias such as Microsoft.Storage/storageAccounts/sku.name", name)
	}
	if !c.aliases.Covers(name) {
		// lensix has no alias data for this namespace: the field evaluates as unknown.
		c.warnings = appendOnce(c.warnings, fmt.Sprintf("alias %q is not in lensix's alias table, which holds only some %s types; conditions on it are unknown", name, namespaceOf(name)))
		return nil
	}
	return c.errorf(path, "unknown alias %q: it is not a built-in field (type, name, fullName, kind, location, id, identity.type, tags) and not in lensix's alias table (%d resource types; list aliases with `az provider show --namespace NS --expand \"resourceTypes/aliases\"`)", name, c.aliases.Len())
}

func (c *compiler) compileThen(path string, raw any) (thenBlock, error) {
	m, _, err := decodeObject(raw)
	if err != nil {
		return thenBlock{}, c.errorf(path, "then must be an object with an effect")
	}
	effectRaw, ok := getFold(m, "effect")
	if !ok {
		return thenBlock{}, c.errorf(path, "then has no effect")
	}
	effect, err := c.compileValue(path+".effect", effectRaw)
	if err != nil {
		return thenBlock{}, err
	}
	if !effect.isDynamic() {
		s, _ := effect.literal.(string)
		if _, ok := effects[strings.ToLower(s)]; !ok {
			return thenBlock{}, c.errorf(path+".effect", "unknown effect %s (want %s)", describe(effect.literal), effectNames())
		}
	}
	tb := thenBlock{effect: effect}
	if dRaw, ok := getFold(m, "details"); ok {
		d, err := c.compileDetails(path+".details", dRaw)
		if err != nil {
			return thenBlock{}, err
		}
		tb.details = d
	}
	return tb, nil
}

func (c *compiler) compileDetails(path string, raw any) (*details, error) {
	d := &details{}
	if items, ok := raw.([]any); ok { // append: a list of {field, value}
		for i, item := range items {
			op, err := c.compileOperation(fmt.Sprintf("%s[%d]", path, i), item, "append")
			if err != nil {
				return nil, err
			}
			d.operations = append(d.operations, op)
		}
		return d, nil
	}
	m, _, err := decodeObject(raw)
	if err != nil {
		return nil, c.errorf(path, "details must be an object or, for append, an array")
	}
	for key, dst := range map[string]*tmpl{"type": &d.relatedType, "name": &d.relatedName, "existenceScope": &d.existenceScope, "resourceGroupName": &d.resourceGroupName} {
		if v, ok := getFold(m, key); ok {
			t, err := c.compileValue(path+"."+key, v)
			if err != nil {
				return nil, err
			}
			*dst = t
		}
	}
	if v, ok := getFold(m, "existenceCondition"); ok {
		cond, err := c.compileCondition(path+".existenceCondition", v)
		if err != nil {
			return nil, err
		}
		d.existence, d.hasExistenceCheck = cond, true
	}
	if v, ok := getFold(m, "operations"); ok {
		items, ok := v.([]any)
		if !ok {
			return nil, c.errorf(path+".operations", "operations must be an array")
		}
		for i, item := range items {
			op, err := c.compileOperation(fmt.Sprintf("%s.operations[%d]", path, i), item, "")
			if err != nil {
				return nil, err
			}
			d.operations = append(d.operations, op)
		}
	}
	return d, nil
}

func (c *compiler) compileOperation(path string, raw any, kind string) (operation, error) {
	m, keys, err := decodeObject(raw)
	if err != nil {
		return operation{}, c.errorf(path, "an operation must be an object")
	}
	op := operation{kind: kind}
	for _, k := range keys {
		v := m[k]
		switch strings.ToLower(k) {
		case "operation":
			if kind == "append" {
				return operation{}, c.errorf(path+"."+k, "append details have field and value only")
			}
			s, _ := v.(string)
			switch strings.ToLower(s) {
			case "add":
				op.kind = "add"
			case "addorreplace":
				op.kind = "addOrReplace"
			case "remove":
				op.kind = "remove"
			default:
				return operation{}, c.errorf(path+"."+k, "unknown modify operation %s (want add, addOrReplace or remove)", describe(v))
			}
		case "field", "value", "condition":
			t, err := c.compileValue(path+"."+k, v)
			if err != nil {
				return operation{}, err
			}
			switch strings.ToLower(k) {
			case "field":
				op.field = t
				if s, ok := t.literal.(string); ok && !t.isDynamic() {
					if err := c.checkField(path+"."+k, s); err != nil {
						return operation{}, err
					}
				}
			case "value":
				op.value = t
			default:
				op.condition = t
			}
		default:
			return operation{}, c.errorf(path+"."+k, "unknown operation property %q (want operation, field, value, condition)", k)
		}
	}
	if op.kind == "" {
		return operation{}, c.errorf(path, "the operation has no \"operation\" (add, addOrReplace or remove)")
	}
	if !op.field.set {
		return operation{}, c.errorf(path, "the operation has no field")
	}
	return op, nil
}
