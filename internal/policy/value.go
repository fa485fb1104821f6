package policy

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/lensix/lensix/internal/resource"
)

// Values are JSON-shaped trees as in resource bodies: nil, bool, numbers (float64, int64, int),
// string, []any, map[string]any, and *resource.Unknown.

// number returns v as a float64 when it is a JSON number.
func number(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case int64:
		return float64(n), true
	case int:
		return float64(n), true
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	}
	return 0, false
}

// numberLike returns v as a number when it is one or is a string that reads as one.
func numberLike(v any) (float64, bool) {
	if f, ok := number(v); ok {
		return f, true
	}
	if s, ok := v.(string); ok {
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		return f, err == nil
	}
	return 0, false
}

// formatNumber writes whole numbers without a decimal point, as ARM does.
func formatNumber(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// stringForm is v as ARM's string() writes it: strings as they are, scalars in JSON form,
// containers as compact JSON.
func stringForm(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case *resource.Unknown:
		return x.String()
	}
	if f, ok := number(v); ok {
		return formatNumber(f)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// valuesEqual compares as Azure Policy's equals does: strings without regard to case, a boolean
// or number against its string form ("true", "5"), containers element by element, null as "".
func valuesEqual(a, b any) Truth {
	if _, ok := a.(*resource.Unknown); ok {
		return Unknown
	}
	if _, ok := b.(*resource.Unknown); ok {
		return Unknown
	}
	switch x := a.(type) {
	case []any:
		y, ok := b.([]any)
		if !ok {
			return False
		}
		if len(x) != len(y) {
			return False
		}
		t := True
		for i := range x {
			t = t.And(valuesEqual(x[i], y[i]))
		}
		return t
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return False
		}
		t := True
		for k, xv := range x {
			yv, found := resource.Lookup(y, k)
			if !found {
				return False
			}
			t = t.And(valuesEqual(xv, yv))
		}
		return t
	}
	switch b.(type) {
	case []any, map[string]any:
		return False
	}
	if fa, ok := number(a); ok {
		if fb, ok := numberLike(b); ok {
			return truthOf(fa == fb)
		}
	}
	if fb, ok := number(b); ok {
		if fa, ok := numberLike(a); ok {
			return truthOf(fa == fb)
		}
	}
	return truthOf(strings.EqualFold(stringForm(a), stringForm(b)))
}

// compareOrdered orders a and b for less/greater: numerically when both read as numbers, as
// instants when both are ISO 8601 date-times, else as strings without regard to case.
func compareOrdered(a, b any) (int, error) {
	if fa, ok := numberLike(a); ok {
		if fb, ok := numberLike(b); ok {
			switch {
			case fa < fb:
				return -1, nil
			case fa > fb:
				return 1, nil
			}
			return 0, nil
		}
	}
	sa, aok := a.(string)
	sb, bok := b.(string)
	if !aok || !bok {
		return 0, fmt.Errorf("cannot order %s and %s", describe(a), describe(b))
	}
	if ta, err := time.Parse(time.RFC3339Nano, sa); err == nil {
		if tb, err := time.Parse(time.RFC3339Nano, sb); err == nil {
			return ta.Compare(tb), nil
		}
	}
	return strings.Compare(strings.ToLower(sa), strings.ToLower(sb)), nil
}

// describe names a value for an error message.
func describe(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	case string:
		return fmt.Sprintf("string %q", v)
	}
	return stringForm(v)
}

// matchPattern reports whether s matches Azure Policy's match pattern: '#' a digit, '?' a letter,
// '.' any character, anything else itself.
func matchPattern(s, pattern string, ignoreCase bool) bool {
	var b strings.Builder
	b.WriteString("^")
	if ignoreCase {
		b.WriteString("(?i)")
	}
	for _, r := range pattern {
		switch r {
		case '#':
			b.WriteString("[0-9]")
		case '?':
			b.WriteString(`\p{L}`)
		case '.':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString("$")
	re, err := regexp.Compile(b.String())
	return err == nil && re.MatchString(s)
}

// deepCopy copies a JSON-shaped tree so changes to the copy leave the original alone.
func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = deepCopy(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = deepCopy(e)
		}
		return out
	}
	return v
}
