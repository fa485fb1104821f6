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
	// enough to mask: a string that contains one carries a secret.
	forms   []string
	derived int
}

// DerivedReason is the reason of the unknown value that stands for a string derived from a
// secure value that is too short to mask.
const DerivedReason = "derived from a secure value: too short to mask in reports, so lensix does not use it"

// DerivedNumberReason is the reason of the unknown value that stands for a number derived from a
// secure value (its length, where a character is in it): printed, such numbers could spell the
// secret out.
const DerivedNumberReason = "derived from a secure value: a number made of it could spell it out, so lensix does not use it"

// DerivedBoolReason is the reason of the unknown value that stands for a boolean that compares a
// secure value with another value (startsWith(pw, 'a'), pw == x): one such bit per character
// tried, each choosing a letter to print, spells the secret out. Booleans that ask only whether
// it is empty, or whether a secure object has a key, stay: conditions need them.
const DerivedBoolReason = "derived from a secure value: comparing it with other values could spell it out, so lensix does not use it"

// maxDerived bounds the strings Derive tracks: each is masked in every output line, so a loop
// that makes thousands of them would make every report slow. Beyond it, derived strings are
// unknown.
const maxDerived = 1000

// SecureNumberReason is the reason of the unknown value that stands for a number of a secure
// value (a member of a secureObject): outputs mask strings only, so a number printed as it is
// (a capacity, or string() of it in a name) would show the secret.
const SecureNumberReason = "a number of a secure value: reports could print it, so lensix does not use it"

// Secure tracks v as a secure value, as Track does, and returns it with every number, however
// deep in arrays and objects, replaced by an unknown value with SecureNumberReason, and whether
// it had to change. Booleans stay: one bit each, and conditions need them. v is not changed:
// what changes is copied.
func (t *Taint) Secure(v any) (any, bool) {
	t.Track(v)
	return withoutNumbers(v)
}

// withoutNumbers returns v with its numbers unknown (SecureNumberReason), and whether it changed.
func withoutNumbers(v any) (any, bool) {
	switch x := v.(type) {
	case int64, float64, int:
		return &Unknown{Reason: SecureNumberReason}, true
	case []any:
		var out []any
		for i, e := range x {
			if nv, changed := withoutNumbers(e); changed {
				if out == nil {
					out = slices.Clone(x)
				}
				out[i] = nv
			}
		}
		if out != nil {
			return out, true
		}
	case map[string]any:
		var out map[string]any
		for _, k := range slices.Sorted(maps.Keys(x)) {
			if nv, changed := withoutNumbers(x[k]); changed {
				if out == nil {
					out = maps.Clone(x)
				}
				out[k] = nv
			}
		}
		if out != nil {
			return out, true
		}
	}
	return v, false
}

// Track adds every string of v, however deep in arrays and objects (not keys), as a secret.
func (t *Taint) Track(v any) {
	switch x := v.(type) {
	case string:
		t.add(x)
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

func (t *Taint) add(s string) {
	if s == "" || t.seen[s] { // an empty string hides nothing
		return
	}
	if t.seen == nil {
		t.seen = map[string]bool{}
	}
	t.seen[s] = true
	t.secrets = append(t.secrets, s)
	if len(s) >= minSecretLength {
		for _, f := range secretForms(s) {
			t.forms = append(t.forms, strings.ToLower(f))
		}
	}
}

// Secrets returns the tracked secrets in the order they were tracked. Appending to the result
// copies it.
func (t *Taint) Secrets() []string { return slices.Clip(t.secrets) }

// Derive returns result, the value a function made of args, with its secrets tracked. When an
// argument carries a secret (one of its strings or keys contains a tracked one as MaskSecrets
// would find it), every string of result is taken to be made of the secret — a part or a
// transformation of it: substring, skip, take, split, trim, replace, a hash — and becomes a
// tracked secret itself, unless it was passed through from an argument, or it holds a tracked
// secret and what remains of it once every tracked secret in it is cut out is text that stands in
// the arguments only outside their secrets (concat('apim-', pw) leaves "apim-"): masking the
// secrets in it is then enough, and the rest stays readable. A string that holds no secret is
// derived even when its text stands in the arguments: the secret may have chosen where it was
// cut (substring(concat(pw, 'abc…'), 5, 1) gives "e", split(text, take(pw, 4)) cuts text where
// the secret's first letters stand in it).
//
// A derived string shorter than MaskSecrets masks (first(pw) is one character; masking every
// "a" would garble every report) becomes an unknown value with DerivedReason instead, so it is
// neither printed nor judged; so does one beyond maxDerived, and a derived number
// (DerivedNumberReason). An empty string stays: it holds no
// character of the secret. Object keys of the result are not tracked: functions make them from
// names (items() gives "key" and "value"), not from values. result is not changed: what
// changes is copied.
func (t *Taint) Derive(result any, args []any) any {
	return t.derivation(result, args, false)
}

// DeriveCuts is Derive for a function that cuts or rewrites text where pattern stands in it
// (split at a separator, replace a pattern): when the pattern carries a secret, where the cuts fall
// tells it (split(text, take(pw, 4)), with text holding every run of four letters), and so does
// whether text came back whole or empty, so every string of result is derived, plain-looking,
// passed-through and empty ones included.
func (t *Taint) DeriveCuts(result any, args []any, pattern any) any {
	return t.derivation(result, args, len(t.forms) > 0 && t.carries(pattern))
}

func (t *Taint) derivation(result any, args []any, cut bool) any {
	if len(t.forms) == 0 || !t.carriesAny(args) {
		return result
	}
	if _, ok := result.(bool); ok && !t.asksOnlyEmptyOrKeys(args) {
		return &Unknown{Reason: DerivedBoolReason}
	}
	d := derivation{passed: map[string]bool{}, cut: cut}
	var text strings.Builder
	for _, a := range args {
		eachString(a, func(s string) {
			d.passed[s] = true
			text.WriteString(strings.ToLower(s))
			d.secret = append(d.secret, t.covered(strings.ToLower(s))...)
		})
	}
	d.text = text.String()
	v, _ := t.derive(result, &d)
	return v
}

// asksOnlyEmptyOrKeys reports whether a boolean made of args, some of which carry a secret, says
// no more than whether one secret value is empty (empty(pw), or pw equal to the empty string) or
// whether a secure object has a key (contains(so, 'name')). A comparand that carries a secret too
// may be made of it (endsWith(pw, concat('a', skip(pw, 5))) tells its fifth letter), so it counts.
func (t *Taint) asksOnlyEmptyOrKeys(args []any) bool {
	carriers, object, allEmpty, plainStrings := 0, false, true, true
	for _, a := range args {
		if t.carries(a) {
			carriers++
			_, object = a.(map[string]any)
			continue
		}
		switch x := a.(type) {
		case string:
			allEmpty = allEmpty && x == ""
		case nil:
		default:
			plainStrings = false
			allEmpty = allEmpty && isEmptyContainer(x)
		}
	}
	return carriers == 1 && (allEmpty || object && plainStrings)
}

// isEmptyContainer reports whether v is an empty array or object.
func isEmptyContainer(v any) bool {
	switch x := v.(type) {
	case []any:
		return len(x) == 0
	case map[string]any:
		return len(x) == 0
	}
	return false
}

// derivation is what Derive knows of the arguments: their strings, and their text lower-cased
// and run together as concat would, with the bytes that tracked secrets cover.
type derivation struct {
	passed map[string]bool
	text   string
	secret []bool
	cut    bool // a secret chose where (and whether) the result's strings were cut: none is plain
}

func (t *Taint) carriesAny(values []any) bool {
	for _, v := range values {
		if t.carries(v) {
			return true
		}
	}
	return false
}

func (t *Taint) carries(v any) bool {
	switch x := v.(type) {
	case string:
		return contains(x, t.forms)
	case []any:
		return t.carriesAny(x)
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
func (t *Taint) derive(v any, d *derivation) (any, bool) {
	switch x := v.(type) {
	case int64, float64:
		// length() and indexOf() of a secret, and their like, would spell it out number by number.
		return &Unknown{Reason: DerivedNumberReason}, true
	case string:
		if t.seen[x] || !d.cut && (x == "" || d.passed[x] || contains(x, t.forms) && t.plainAround(x, d)) {
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
			if v, changed := t.derive(e, d); changed {
				if out == nil {
					out = slices.Clone(x)
				}
				out[i] = v
			}
		}
		if out != nil {
			return out, true
		}
	case map[string]any:
		var out map[string]any
		for _, k := range slices.Sorted(maps.Keys(x)) {
			if v, changed := t.derive(x[k], d); changed {
				if out == nil {
					out = maps.Clone(x)
				}
				out[k] = v
			}
		}
		if out != nil {
			return out, true
		}
	}
	return v, false
}

// plainAround reports whether s, outside the tracked secrets it holds, is only text that stands
// in the arguments, and there only outside their secrets.
func (t *Taint) plainAround(s string, d *derivation) bool {
	lower := strings.ToLower(s)
	for _, run := range plainRuns(t.covered(lower)) {
		if !onlyOutside(d.text, d.secret, lower[run[0]:run[1]]) {
			return false
		}
	}
	return true
}

// onlyOutside reports whether sub stands in text, and never where secret covers a byte of it.
func onlyOutside(text string, secret []bool, sub string) bool {
	found := false
	for from := 0; ; {
		i := strings.Index(text[from:], sub)
		if i < 0 {
			return found
		}
		if slices.Contains(secret[from+i:from+i+len(sub)], true) {
			return false
		}
		found = true
		from += i + 1
	}
}

// covered reports, for each byte of lower, whether a tracked secret covers it.
func (t *Taint) covered(lower string) []bool {
	covered := make([]bool, len(lower))
	for _, f := range t.forms {
		for from := 0; ; {
			i := strings.Index(lower[from:], f)
			if i < 0 {
				break
			}
			for j := from + i; j < from+i+len(f); j++ {
				covered[j] = true
			}
			from += i + 1
		}
	}
	return covered
}

// plainRuns returns the [start, end) byte ranges that covered does not cover.
func plainRuns(covered []bool) [][2]int {
	var runs [][2]int
	for start := 0; start < len(covered); {
		if covered[start] {
			start++
			continue
		}
		end := start
		for end < len(covered) && !covered[end] {
			end++
		}
		runs = append(runs, [2]int{start, end})
		start = end
	}
	return runs
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
