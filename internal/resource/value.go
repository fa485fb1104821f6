package resource

import (
	"sort"
	"strconv"
	"strings"
)

// A resource body is a JSON-shaped tree: nil (JSON null), bool, float64 or int64, string, []any,
// map[string]any — and *Unknown wherever a source could not resolve a value. A key that is absent
// from a map is absent from the resource; a key present with nil is an explicit null. Checks tell
// the three apart.

// Unknown is a value that cannot be known from the input alone: a parameter without a value, an
// attribute known only after apply, a module that was not downloaded. Reason says which, in words
// a user can act on; Expr is the source text of the expression, when there is one.
type Unknown struct {
	Reason string `json:"reason"`
	Expr   string `json:"expression,omitempty"`
}

func (u *Unknown) String() string {
	if u.Expr != "" {
		return u.Expr + " (" + u.Reason + ")"
	}
	return u.Reason
}

// IsUnknown reports whether v is an unknown value.
func IsUnknown(v any) bool {
	_, ok := v.(*Unknown)
	return ok
}

// Lookup walks path through v, one object key or array index (as a decimal string) per step.
// Keys match exactly first and then case-insensitively, because Azure Resource Manager treats
// property names without regard to case. found is false when a key is absent or v is not a
// container. An unknown value met on the way is returned as the result with found true: the path
// might exist below it, so the caller must treat the answer as unknown.
func Lookup(v any, path ...string) (result any, found bool) {
	for _, step := range path {
		switch node := v.(type) {
		case *Unknown:
			return node, true
		case map[string]any:
			next, ok := lookupKey(node, step)
			if !ok {
				return nil, false
			}
			v = next
		case []any:
			i, ok := parseIndex(step)
			if !ok || i >= len(node) {
				return nil, false
			}
			v = node[i]
		default:
			return nil, false
		}
	}
	return v, true
}

func lookupKey(m map[string]any, key string) (any, bool) {
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

func parseIndex(s string) (int, bool) {
	if s == "" || len(s) > 9 {
		return 0, false
	}
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// Unknowns lists every unknown value below v with its dotted path, sorted by path, so a user can
// see what lensix could not resolve.
func Unknowns(v any) []UnknownAt {
	var out []UnknownAt
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch node := v.(type) {
		case *Unknown:
			out = append(out, UnknownAt{Path: path, Unknown: *node})
		case map[string]any:
			for k, child := range node {
				walk(joinPath(path, k), child)
			}
		case []any:
			for i, child := range node {
				walk(path+"["+strconv.Itoa(i)+"]", child)
			}
		}
	}
	walk("", v)
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// UnknownAt is an unknown value and where it sits in a resource body.
type UnknownAt struct {
	Path string `json:"path"`
	Unknown
}

func joinPath(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}
