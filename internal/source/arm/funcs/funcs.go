// Package funcs is the one library of Azure Resource Manager template functions, shared by the
// ARM and Bicep front ends. It works on plain values — the JSON-shaped Go values of the resource
// model (nil, bool, int64, float64, string, []any, map[string]any) and *resource.Unknown — and
// reads everything about the deployment through a Context, so it knows no file format.
package funcs

import (
	"errors"
	"fmt"
	"strings"

	"github.com/lensix/lensix/internal/resource"
)

// Context is what the functions read from the deployment being evaluated.
type Context interface {
	// Parameter returns a parameter's value (its default when the deployment gave none).
	Parameter(name string) (any, error)
	// Variable returns a variable's value.
	Variable(name string) (any, error)
	// CopyIndex returns the current index of the named copy loop ("" for the innermost): an
	// int64, or an unknown when the loop's count is unknown.
	CopyIndex(loop string) (any, error)
	// Scope describes where the deployment runs.
	Scope() Scope
}

// Lambda is a function value made by the lambda() template function; map, filter, reduce and
// the other higher-order functions call it.
type Lambda struct {
	Params []string
	Call   func(args []any) (any, error)
}

// ErrUnknownFunction is returned (wrapped) for a name that is no template function.
var ErrUnknownFunction = errors.New("unknown function")

// RuntimeError is a failure that depends on the values evaluated — an index past the end of an
// array, a division by zero, a property the object does not have — which Resource Manager meets
// only while it deploys. The template is well formed; with these values its deployment would
// fail. Front ends report it as a warning and carry the value as unknown.
type RuntimeError struct{ Msg string }

func (e *RuntimeError) Error() string { return e.Msg }

func runtimeErr(format string, args ...any) error {
	return &RuntimeError{Msg: fmt.Sprintf(format, args...)}
}

type function struct {
	min, max int // argument counts; max -1 for any number
	unknowns unknownPolicy
	call     func(ctx Context, args []any) (any, error)
}

// unknownPolicy says how much of an unknown argument a function can work with.
type unknownPolicy uint8

const (
	// strict functions answer unknown when any argument holds an unknown anywhere inside.
	strict unknownPolicy = iota
	// shallow functions answer unknown for an unknown argument, but carry unknowns nested in
	// arrays and objects through (union, length, first, ...).
	shallow
	// lenient functions handle unknown arguments themselves (if, and, or, coalesce, createArray).
	lenient
)

var library map[string]function

func isList(name string) bool { return len(name) > 4 && strings.EqualFold(name[:4], "list") }

// Call applies the template function name to evaluated arguments. Unknown arguments make an
// unknown result carrying the first one's reason, except in functions that can answer anyway
// (if, and, or, coalesce, union, length, ...).
func Call(ctx Context, name string, args []any) (any, error) {
	fn, ok := library[strings.ToLower(name)]
	if !ok {
		if isList(name) {
			return unknown("%s() reads keys or secrets from the deployed resource", name), nil
		}
		return nil, fmt.Errorf("%w %q", ErrUnknownFunction, name)
	}
	if len(args) < fn.min || (fn.max >= 0 && len(args) > fn.max) {
		return nil, fmt.Errorf("%s takes %s, got %d", name, arity(fn.min, fn.max), len(args))
	}
	for _, a := range args {
		var u *resource.Unknown
		switch fn.unknowns {
		case strict:
			u = FindUnknown(a)
		case shallow:
			u, _ = a.(*resource.Unknown)
		}
		if u != nil {
			return &resource.Unknown{Reason: u.Reason}, nil
		}
	}
	v, err := fn.call(ctx, args)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return v, nil
}

// Arity returns how many arguments the template function name takes (max -1: any number); ok is
// false when name is no template function. Front ends use it to check calls before evaluating.
func Arity(name string) (min, max int, ok bool) {
	fn, ok := library[strings.ToLower(name)]
	if !ok {
		if isList(name) {
			return 0, -1, true
		}
		return 0, 0, false
	}
	return fn.min, fn.max, true
}

func arity(min, max int) string {
	switch {
	case min == max && min == 1:
		return "1 argument"
	case min == max:
		return fmt.Sprintf("%d arguments", min)
	case max < 0:
		return fmt.Sprintf("at least %d arguments", min)
	}
	return fmt.Sprintf("%d to %d arguments", min, max)
}

// FindUnknown returns the first unknown value inside v (in array order and, in objects, under the
// least key, so messages are the same on every run), or nil when v is fully known.
func FindUnknown(v any) *resource.Unknown {
	switch x := v.(type) {
	case *resource.Unknown:
		return x
	case []any:
		for _, e := range x {
			if u := FindUnknown(e); u != nil {
				return u
			}
		}
	case map[string]any:
		var found *resource.Unknown
		var foundKey string
		for k, e := range x {
			if found != nil && k >= foundKey {
				continue
			}
			if u := FindUnknown(e); u != nil {
				found, foundKey = u, k
			}
		}
		return found
	}
	return nil
}

func unknown(format string, args ...any) *resource.Unknown {
	return &resource.Unknown{Reason: fmt.Sprintf(format, args...)}
}

// TypeName names a value's template type for messages.
func TypeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "bool"
	case int64, int, float64:
		return "int"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	case *Lambda:
		return "lambda"
	case *resource.Unknown:
		return "unknown"
	}
	return fmt.Sprintf("%T", v)
}

func typeErr(what string, want string, v any) error {
	return fmt.Errorf("%s must be %s, not %s", what, want, TypeName(v))
}

func asString(what string, v any) (string, error) {
	if s, ok := v.(string); ok {
		return s, nil
	}
	return "", typeErr(what, "a string", v)
}

// AsInt reads an integer value, accepting a float64 that holds a whole number.
func AsInt(v any) (int64, bool) {
	switch n := v.(type) {
	case int64:
		return n, true
	case int:
		return int64(n), true
	case float64:
		if n == float64(int64(n)) {
			return int64(n), true
		}
	}
	return 0, false
}

func asInt(what string, v any) (int64, error) {
	if n, ok := AsInt(v); ok {
		return n, nil
	}
	return 0, typeErr(what, "an integer", v)
}

func asBool(what string, v any) (bool, error) {
	if b, ok := v.(bool); ok {
		return b, nil
	}
	return false, typeErr(what, "a bool", v)
}

func asArray(what string, v any) ([]any, error) {
	if a, ok := v.([]any); ok {
		return a, nil
	}
	return nil, typeErr(what, "an array", v)
}

func asObject(what string, v any) (map[string]any, error) {
	if m, ok := v.(map[string]any); ok {
		return m, nil
	}
	return nil, typeErr(what, "an object", v)
}

func asLambda(what string, v any) (*Lambda, error) {
	if l, ok := v.(*Lambda); ok {
		return l, nil
	}
	return nil, typeErr(what, "a lambda", v)
}

// Property returns v.name as a template expression reads it: an unknown stays unknown, a
// missing property is an error as in ARM.
func Property(v any, name string) (any, error) {
	switch x := v.(type) {
	case *resource.Unknown:
		return x, nil
	case map[string]any:
		if val, ok := resource.Lookup(x, name); ok {
			return val, nil
		}
		return nil, runtimeErr("the object has no property %q", name)
	case nil:
		return nil, runtimeErr("cannot read property %q of null", name)
	}
	return nil, fmt.Errorf("cannot read property %q of a %s", name, TypeName(v))
}

// Index returns v[index]: an array element by integer, or an object property by string.
func Index(v any, index any) (any, error) {
	if u, ok := v.(*resource.Unknown); ok {
		return u, nil
	}
	if u, ok := index.(*resource.Unknown); ok {
		return u, nil
	}
	switch x := v.(type) {
	case []any:
		i, ok := AsInt(index)
		if !ok {
			return nil, typeErr("an array index", "an integer", index)
		}
		if i < 0 || i >= int64(len(x)) {
			return nil, runtimeErr("index %d is out of range: the array has %d elements", i, len(x))
		}
		return x[i], nil
	case map[string]any:
		key, ok := index.(string)
		if !ok {
			return nil, typeErr("an object index", "a string", index)
		}
		return Property(x, key)
	}
	return nil, fmt.Errorf("cannot index a %s", TypeName(v))
}
