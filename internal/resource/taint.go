package resource

import (
	"maps"
	"slices"
	"strings"
)

// Taint tracks the secrets of one evaluation of a template: the known values of its secure
// inputs, and every string a function made from them. An evaluator calls Track with each secure
// value it reads and Derive with each function result; Secrets then go to Resource.Secrets,
// which every output masks (see MaskSecrets). The zero value tracks nothing and costs nothing.
type Taint struct {
	secrets []string
	seen    map[string]bool
	// forms are the lower-cased forms, as MaskSecrets masks them, of the tracked secrets long
	// enough to mask: a string that contains one carries a secret. inputForms are those of the
	// secure values themselves (Track), not of what was derived from them.
	forms, inputForms []string
	derived           int
}

// DerivedReason is the reason of the unknown value that stands for a string derived from a
// secure value that is too short to mask.
const DerivedReason = "derived from a secure value: too short to mask in reports, so lensix does not use it"

// maxDerived bounds the strings Derive tracks: each is masked in every output line, so a loop
// that makes thousands of them would make every report slow. Beyond it, derived strings are
// unknown.
const maxDerived = 1000

// Track adds every string of v, however deep in arrays and objects (not keys), as a secret.
func (t *Taint) Track(v any) {
	switch x := v.(type) {
	case string:
		t.inputForms = append(t.inputForms, t.add(x)...)
	case []any:
		for _, e := range x {
			t.Track(e)
		}
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(x)) { // the same input tracks in the same order
			t.Track(x[k])
		}
	}
}

// add tracks s and returns the forms it added.
func (t *Taint) add(s string) []string {
	if t.seen[s] {
		return nil
	}
	if t.seen == nil {
		t.seen = map[string]bool{}
	}
	t.seen[s] = true
	t.secrets = append(t.secrets, s)
	if len(s) < minSecretLength {
		return nil
	}
	forms := secretForms(s)
	for i, f := range forms {
		forms[i] = strings.ToLower(f)
	}
	t.forms = append(t.forms, forms...)
	return forms
}

// Secrets returns the tracked secrets in the order they were tracked. Appending to the result
// copies it.
func (t *Taint) Secrets() []string { return slices.Clip(t.secrets) }

// Derive returns result, the value a function made of args, with its secrets tracked. When an
// argument carries a secret (one of its strings or keys contains a tracked one as MaskSecrets
// would find it), every string of result that was not passed through from an argument and does
// not hold a whole secure value is a part or transformation of a secret — substring, skip,
// take, split, trim, replace, a hash — and becomes a tracked secret itself. A string that holds
// a whole secure value was built around it (concat, format, toUpper): the rest is the
// template's own text, and masking the value is enough. A derived string shorter than
// MaskSecrets masks (first(pw) is one character; masking every "a" would garble every report)
// becomes an unknown value with DerivedReason instead, so it is neither printed nor judged; so
// does one beyond maxDerived. An empty string stays: it holds no character of the secret.
// Object keys of the result are not tracked: functions make them from names (items() gives
// "key" and "value"), not from values. result is not changed: what changes is copied.
func (t *Taint) Derive(result any, args []any) any {
	if len(t.forms) == 0 || !slices.ContainsFunc(args, t.carries) {
		return result
	}
	passed := map[string]bool{}
	for _, a := range args {
		eachString(a, func(s string) { passed[s] = true })
	}
	v, _ := t.derive(result, passed)
	return v
}

func (t *Taint) carries(v any) bool {
	switch x := v.(type) {
	case string:
		return contains(x, t.forms)
	case []any:
		return slices.ContainsFunc(x, t.carries)
	case map[string]any:
		for k, e := range x {
			if contains(k, t.forms) || t.carries(e) {
				return true
			}
		}
	}
	return false
}

// contains reports whether s contains one of forms, ignoring case.
func contains(s string, forms []string) bool {
	if len(s) < minSecretLength {
		return false
	}
	lower := strings.ToLower(s)
	for _, f := range forms {
		if strings.Contains(lower, f) {
			return true
		}
	}
	return false
}

// derive tracks the new strings of v and reports whether v had to change.
func (t *Taint) derive(v any, passed map[string]bool) (any, bool) {
	switch x := v.(type) {
	case string:
		if x == "" || passed[x] || contains(x, t.inputForms) {
			return x, false
		}
		if t.seen[x] {
			return x, false
		}
		if len(x) < minSecretLength || t.derived >= maxDerived {
			return &Unknown{Reason: DerivedReason}, true
		}
		t.derived++
		t.add(x)
	case []any:
		var out []any
		for i, e := range x {
			if d, changed := t.derive(e, passed); changed {
				if out == nil {
					out = slices.Clone(x)
				}
				out[i] = d
			}
		}
		if out != nil {
			return out, true
		}
	case map[string]any:
		var out map[string]any
		for _, k := range slices.Sorted(maps.Keys(x)) {
			if d, changed := t.derive(x[k], passed); changed {
				if out == nil {
					out = maps.Clone(x)
				}
				out[k] = d
			}
		}
		if out != nil {
			return out, true
		}
	}
	return v, false
}

// eachString calls f with every string and object key in v.
func eachString(v any, f func(string)) {
	switch x := v.(type) {
	case string:
		f(x)
	case []any:
		for _, e := range x {
			eachString(e, f)
		}
	case map[string]any:
		for k, e := range x {
			f(k)
			eachString(e, f)
		}
	}
}
