package arm

import (
	"fmt"
	"slices"
	"strings"

	"github.com/lensix/lensix/internal/source/arm/funcs"
)

// Constraints are what a parameter's declaration asks of a value given at deployment, which
// Resource Manager checks before it deploys anything.
type Constraints struct {
	// Type is the parameter type in lower case (string, securestring, int, bool, object,
	// secureobject, array); "" when any value will do.
	Type                                     string
	MinValue, MaxValue, MinLength, MaxLength *int64
	// AllowedValues is nil when any value will do.
	AllowedValues []any
}

// Violation is one way a value breaks its constraints.
type Violation struct {
	// Constraint names what it breaks: "type", "minValue", "maxValue", "minLength", "maxLength"
	// or "allowedValues".
	Constraint string
	// Problem completes "The value given for parameter x": "is a number, not of its type string".
	Problem string
}

// Check lists how v breaks c. A null or unknown value breaks nothing lensix can tell. Strings are
// compared with allowedValues without regard to case, as Resource Manager compares them (Bicep's
// @allowed is stricter at compile time, Azure/bicep#2489); each element of an array must be
// allowed.
func (c Constraints) Check(v any) []Violation {
	if v == nil || funcs.FindUnknown(v) != nil {
		return nil
	}
	if c.Type != "" && !hasType(v, c.Type) {
		return []Violation{{"type", fmt.Sprintf("is %s, not of its type %s", describeType(v), c.Type)}}
	}
	var out []Violation
	if n, ok := v.(int64); ok {
		if c.MinValue != nil && n < *c.MinValue {
			out = append(out, Violation{"minValue", fmt.Sprintf("is less than its minValue %d", *c.MinValue)})
		}
		if c.MaxValue != nil && n > *c.MaxValue {
			out = append(out, Violation{"maxValue", fmt.Sprintf("is greater than its maxValue %d", *c.MaxValue)})
		}
	}
	length := -1
	switch v := v.(type) {
	case string:
		length = utf16Length(v)
	case []any:
		length = len(v)
	}
	if length >= 0 && c.MinLength != nil && int64(length) < *c.MinLength {
		out = append(out, Violation{"minLength", fmt.Sprintf("is shorter than its minLength %d", *c.MinLength)})
	}
	if length >= 0 && c.MaxLength != nil && int64(length) > *c.MaxLength {
		out = append(out, Violation{"maxLength", fmt.Sprintf("is longer than its maxLength %d", *c.MaxLength)})
	}
	if c.AllowedValues != nil {
		values := []any{v}
		if arr, ok := v.([]any); ok {
			values = arr
		}
		for _, e := range values {
			if !slices.ContainsFunc(c.AllowedValues, func(a any) bool { return allowedEqual(e, a) }) {
				out = append(out, Violation{"allowedValues", "is not one of its allowedValues"})
				break
			}
		}
	}
	return out
}

// allowedEqual compares a value with an allowed one as Resource Manager does: strings without
// regard to case.
func allowedEqual(v, allowed any) bool {
	if s, ok := v.(string); ok {
		if a, ok := allowed.(string); ok {
			return strings.EqualFold(s, a)
		}
	}
	return funcs.Equal(v, allowed)
}

// hasType reports whether a value is of a parameter type (lower case).
func hasType(v any, typ string) bool {
	switch typ {
	case "string", "securestring":
		_, ok := v.(string)
		return ok
	case "int":
		switch n := v.(type) {
		case int64:
			return true
		case float64:
			return n == float64(int64(n))
		}
		return false
	case "bool":
		_, ok := v.(bool)
		return ok
	case "object", "secureobject":
		_, ok := v.(map[string]any)
		return ok
	case "array":
		_, ok := v.([]any)
		return ok
	}
	return true // a type lensix does not know is Resource Manager's to judge
}

// describeType names the JSON type of a value for a message.
func describeType(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case int64, float64:
		return "a number"
	case bool:
		return "a bool"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	}
	return "null"
}

// utf16Length is the length of a string as Resource Manager (.NET) counts it.
func utf16Length(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// OtherValues lists values to try for a parameter instead of def, its default, to switch on a
// resource the default switches off: the other allowed values (scalars), else the other bool, or
// a count of one for an integer whose default is 0. nil when lensix cannot guess one.
func (c Constraints) OtherValues(def any) []any {
	if c.AllowedValues != nil {
		var out []any
		for _, v := range c.AllowedValues {
			switch v.(type) {
			case string, bool, int64, float64:
				if !funcs.Equal(v, def) {
					out = append(out, v)
				}
			}
		}
		return out
	}
	switch c.Type {
	case "bool":
		if b, ok := def.(bool); ok {
			return []any{!b}
		}
		return []any{true, false}
	case "int":
		if n, ok := funcs.AsInt(def); ok && n == 0 {
			return []any{int64(1)}
		}
	}
	return nil
}

// FlagValue writes a scalar as --param takes it, quoted for a shell where it must be.
func FlagValue(v any) string {
	if n, ok := funcs.AsInt(v); ok {
		return fmt.Sprint(n)
	}
	s := fmt.Sprint(v)
	if s == "" || strings.ContainsFunc(s, func(r rune) bool { return !strings.ContainsRune(shellSafe, r) }) {
		return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
	}
	return s
}

const shellSafe = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-:/@+,"
