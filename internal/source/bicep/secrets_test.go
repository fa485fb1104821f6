package bicep_test

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/lensix/lensix/internal/resource"
	"github.com/lensix/lensix/internal/source/bicep"
)

func TestWhatFunctionsMakeOfSecureValuesIsSecret(t *testing.T) {
	const secure = "@secure()\nparam pw string = 'Xq7SuperSecret-Pw1z'\nparam plain string = 'PlainValue1'\n"
	tests := []struct {
		name  string
		files map[string]string
		tag   string // the expression of the tag t of resource r
		want  []string
		not   []string
		value any // the tag's value, when the test says it
	}{
		{name: "a part of a @secure() parameter is a secret", tag: "substring(pw, 3, 8)", want: []string{"SuperSec"}, value: "SuperSec"},
		{name: "the parts of a split @secure() parameter are secrets", tag: "split(pw, '-')", want: []string{"Xq7SuperSecret", "Pw1z"}},
		{name: "a part too short to mask is unknown", tag: "take(pw, 2)", value: &resource.Unknown{Reason: resource.DerivedReason, Expr: "take(pw, 2)"}},
		{name: "a plain parameter beside a secure one in a call is no secret", tag: "concat([pw], [plain])", not: []string{"PlainValue1"}},
		{name: "what a function makes of a plain parameter is no secret", tag: "toUpper(plain)", not: []string{"PLAINVALUE1"}, value: "PLAINVALUE1"},
		{name: "an interpolation around a part stays readable", tag: "'${plain}-${skip(pw, 15)}'", want: []string{"Pw1z"}, not: []string{"PlainValue1-Pw1z"}, value: "PlainValue1-Pw1z"},
		{name: "plain text split where the secret's first letters stand in it gives secrets, as where it was cut tells them",
			tag: "split('0123456789Xq7Sabcdefghij', take(pw, 4))", want: []string{"0123456789", "abcdefghij"}},
		{name: "text split where the secret's first letters stand, beside the secret, is a secret whole",
			tag: "split('0123456789Xq7Sabcdefghij-${skip(pw, 1)}', take(pw, 4))[1]", want: []string{"abcdefghij-q7SuperSecret-Pw1z"}},
		{name: "text whose part where the secret's first letters stand is replaced by the secret is a secret whole",
			tag: "replace('0123456789Xq7Sabcdefghij', take(pw, 4), pw)", want: []string{"0123456789Xq7SuperSecret-Pw1zabcdefghij"}},
		{name: "a part made by a lambda is a secret", tag: "map(split(pw, '-'), s => skip(s, 1))", want: []string{"q7SuperSecret"}},
		{name: "a part of a @secure() output a module gives is a secret",
			files: map[string]string{"mod.bicep": "@secure()\noutput o string = 'ModuleSecret-Outer'\n"},
			tag:   "last(split(m.outputs.o, '-'))", want: []string{"ModuleSecret-Outer", "Outer"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string]string{"main.bicep": secure + "module m 'mod.bicep' = {\n  name: 'm'\n}\nresource r 'T/u@1' = {\n  name: 'r'\n  tags: { t: " + tt.tag + " }\n}\n",
				"mod.bicep": "output o string = 'x'\n"}
			for name, src := range tt.files {
				files[name] = src
			}
			dir := writeFiles(t, files)
			rs, diags := bicep.Load([]string{dir + "/main.bicep"}, bicep.Options{})
			r := byAddress(rs)["r"]
			if r == nil || diags.HasErrors() {
				t.Fatalf("resources %v, diagnostics %v", rs, diags)
			}
			for _, w := range tt.want {
				if !slices.Contains(r.Secrets, w) {
					t.Errorf("secrets %q lack %q", r.Secrets, w)
				}
			}
			for _, n := range tt.not {
				if slices.Contains(r.Secrets, n) {
					t.Errorf("secrets %q hold the plain value %q", r.Secrets, n)
				}
			}
			if tt.value != nil {
				if got := get(t, r, "tags.t"); !reflect.DeepEqual(got, tt.value) {
					t.Errorf("tags.t = %#v, want %#v", got, tt.value)
				}
			}
		})
	}
}

func TestConditionsOnWhetherASecureValueIsEmptyStayKnown(t *testing.T) {
	tests := []struct {
		name string
		expr string
		want any
	}{
		{"empty() of a @secure() parameter is known", "empty(pw)", false},
		{"a @secure() parameter compared with the empty string is known", "pw != ''", true},
		{"contains() of a key of a @secure() object is known", "contains(so, 'user')", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{"main.bicep": "@secure()\nparam pw string = 'Qz7kXw9Jm2Rt5Lp8'\n@secure()\nparam so object = { user: 'LeafUser1' }\n" +
				"resource r 'T/u@1' = {\n  name: 'r'\n  tags: { t: " + tt.expr + " }\n}\n"})
			rs, _ := bicep.Load([]string{dir + "/main.bicep"}, bicep.Options{})
			r := byAddress(rs)["r"]
			if r == nil {
				t.Fatalf("resources %v", rs)
			}
			if got := get(t, r, "tags.t"); got != tt.want {
				t.Errorf("tags.t = %#v, want %v", got, tt.want)
			}
		})
	}
}

func TestATemplateWithoutSecureValuesHasNoSecrets(t *testing.T) {
	dir := writeFiles(t, map[string]string{"main.bicep": "param p string = 'Plain-Value-1'\nresource r 'T/u@1' = {\n  name: skip(p, 2)\n  tags: { a: split(p, '-'), b: first(p) }\n}\n"})
	rs, diags := bicep.Load([]string{dir + "/main.bicep"}, bicep.Options{})
	if len(rs) != 1 || diags.HasErrors() {
		t.Fatalf("resources %v, diagnostics %v", rs, diags)
	}
	if len(rs[0].Secrets) != 0 || get(t, rs[0], "tags.b") != "P" {
		t.Errorf("secrets %q, tags.b %v: want none and P", rs[0].Secrets, get(t, rs[0], "tags.b"))
	}
}

func TestASecureValueCannotBeSpelledOutThroughPlainText(t *testing.T) {
	const pw = "Qz7kXw9Jm2Rt5Lp8"
	tests := []struct {
		name string
		expr string // the name of resource r; s is pw followed by an alphabet
	}{
		{"characters cut by index and joined are not printed", "join(map(range(0, 16), i => substring(s, i, 1)), '.')"},
		{"characters split apart and joined are not printed", "join(split(s, ''), '.')"},
		{"characters mapped one by one are not printed", "join(map(split(s, ''), c => '${c}.'), '')"},
		{"characters gathered by reduce are not printed", "reduce(range(0, 16), '', (acc, i) => '${acc}.${take(skip(s, i), 1)}')"},
		{"an array of characters made a string is not printed", "string(map(range(0, 16), i => last(take(s, i + 1))))"},
		{"characters formatted into one string are not printed",
			"format('{0}.{1}.{2}.{3}.{4}.{5}.{6}.{7}', substring(s, 0, 1), substring(s, 1, 1), substring(s, 2, 1), substring(s, 3, 1), substring(s, 4, 1), substring(s, 5, 1), substring(s, 6, 1), substring(s, 7, 1))"},
		{"pairs cut by index and joined are not printed", "join(map(range(0, 8), i => substring(s, i * 2, 2)), '.')"},
		{"letters chosen by comparing the secret with each are not printed", "join(filter(['q', 'z', '7', 'k', 'x'], c => contains(pw, c)), '.')"},
		{"letters chosen by an operator are not printed", "'${take(pw, 4) =~ 'qz7k' ? 'q' : '-'}.${take(pw, 5) =~ 'qz7kx' ? 'z7kx' : '-'}'"},
		{"letters chosen by comparing with a comparand made of the secret are not printed",
			"'${endsWith(pw, '7${skip(pw, 3)}') ? '7' : '-'}${endsWith(pw, 'k${skip(pw, 4)}') ? 'k' : '-'}${endsWith(pw, 'x${skip(pw, 5)}') ? 'x' : '-'}'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{"main.bicep": "@secure()\nparam pw string = '" + pw + "'\nvar s = '${pw}abcdefghijklmnopqrstuvwxyz0123456789'\n" +
				"resource r 'T/u@1' = {\n  name: 'r'\n  tags: { t: " + tt.expr + " }\n}\n"})
			rs, _ := bicep.Load([]string{dir + "/main.bicep"}, bicep.Options{})
			r := byAddress(rs)["r"]
			if r == nil {
				t.Fatalf("resources %v", rs)
			}
			printed, _ := json.Marshal(withoutUnknowns(get(t, r, "tags.t")))
			if spelled := spelledOut(resource.MaskString(string(printed), r.Secrets), pw); spelled != "" {
				t.Errorf("tag %s, masked, spells %q of the secret", printed, spelled)
			}
		})
	}
}

// withoutUnknowns is v with its unknown values null: their expressions quote the template, which
// holds the letters it tries.
func withoutUnknowns(v any) any {
	switch x := v.(type) {
	case *resource.Unknown:
		return nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = withoutUnknowns(e)
		}
		return out
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			out[k] = withoutUnknowns(e)
		}
		return out
	}
	return v
}

// spelledOut returns the longest run (of 3 characters or more) of secret that text holds once
// everything but letters and digits is cut out of it, ignoring case, or "".
func spelledOut(text, secret string) string {
	var b strings.Builder
	for _, c := range strings.ToLower(text) {
		if unicode.IsLetter(c) || unicode.IsDigit(c) {
			b.WriteRune(c)
		}
	}
	secret = strings.ToLower(secret)
	for n := len(secret); n >= 3; n-- {
		for i := 0; i+n <= len(secret); i++ {
			if strings.Contains(b.String(), secret[i:i+n]) {
				return secret[i : i+n]
			}
		}
	}
	return ""
}

func TestNumbersOfASecureValueAreNotPrinted(t *testing.T) {
	tests := []struct {
		name   string
		params string
		tag    string
	}{
		{"a number of a @secure() object made a string is not printed", "@secure()\nparam so object = { a: 98765, b: true }\n", "'apim-${so.a}'"},
		{"a @secure() object made a string does not print its numbers", "@secure()\nparam so object = { a: 98765, b: true }\n", "string(so)"},
		{"a number of a @secure() object used as it is is not printed", "@secure()\nparam so object = { a: 98765 }\n", "so.a"},
		{"a @secure() int is not printed", "@secure()\nparam n int = 98765\n", "'apim-${n}'"},
		{"a number in a @secure() object property of a declared type is not printed",
			"type conf = {\n  name: string\n  @secure()\n  db: object\n}\nparam c conf = { name: 'n', db: { port: 98765 } }\n", "'apim-${c.db.port}'"},
		{"a number in a @secure() object element of a tuple type is not printed",
			"param c [string, @secure() object] = ['n', { port: 98765 }]\n", "string(c)"},
		{"a number of a @secure() object output of a module is not printed", "", "m.outputs.o.a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{
				"main.bicep": tt.params + "module m 'mod.bicep' = {\n  name: 'm'\n}\nresource r 'T/u@1' = {\n  name: 'r'\n  tags: { t: " + tt.tag + " }\n}\n",
				"mod.bicep":  "@secure()\noutput o object = { a: 98765 }\n"})
			rs, _ := bicep.Load([]string{dir + "/main.bicep"}, bicep.Options{})
			r := byAddress(rs)["r"]
			if r == nil {
				t.Fatalf("resources %v", rs)
			}
			printed, _ := json.Marshal(get(t, r, "tags.t"))
			if masked := resource.MaskString(string(printed), r.Secrets); strings.Contains(masked, "98765") {
				t.Errorf("tag %s prints the secure number", masked)
			}
		})
	}
}

func TestSecureOnATypeOtherThanStringOrObjectIsWarned(t *testing.T) {
	tests := []struct {
		name string
		decl string
		warn bool
	}{
		{"@secure() on an int parameter is warned", "@secure()\nparam n int = 4242\n", true},
		{"@secure() on a nullable bool parameter is warned", "@secure()\nparam b bool?\n", true},
		{"@secure() on an array output is warned", "@secure()\noutput a array = []\n", true},
		{"@secure() on a typed array parameter is warned", "@secure()\nparam a string[] = []\n", true},
		{"@secure() on a string parameter is not warned", "@secure()\nparam s string = 'x'\n", false},
		{"@secure() on an object parameter is not warned", "@secure()\nparam o object = {}\n", false},
		{"@secure() on a nullable string parameter is not warned", "@secure()\nparam s string?\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{"main.bicep": tt.decl})
			_, diags := bicep.Load([]string{dir + "/main.bicep"}, bicep.Options{})
			var warned []string
			for _, d := range diags {
				if strings.Contains(d.Summary, "@secure()") {
					warned = append(warned, d.Summary)
					if d.Range.Start.Line != 1 {
						t.Errorf("warned at line %d, want the decorator's line 1: %v", d.Range.Start.Line, d)
					}
				}
			}
			if (len(warned) > 0) != tt.warn {
				t.Errorf("warnings %q, want a warning: %v", warned, tt.warn)
			}
		})
	}
}

func TestValuesRedactHidesAreNotQuotedInErrorsOrAssumptions(t *testing.T) {
	tests := []struct {
		name     string
		declared string // the resource s holding the secret
		read     string // an expression that reads it
		secret   string
	}{
		{"a named value's value quoted by a failing function is masked",
			"resource s 'Microsoft.ApiManagement/service/namedValues@2022-08-01' = {\n  name: 'apimX/nv1'\n  properties: { displayName: 'nv1', value: 'Nv8hj', secret: true }\n}\n",
			"s.properties.value", "Nv8hj"},
		{"a Key Vault secret's value quoted by a failing function is masked",
			"resource s 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {\n  name: 'kv/s1'\n  properties: { value: 'Kv5ab' }\n}\n",
			"s.properties.value", "Kv5ab"},
		{"an app setting's value quoted by a failing function is masked",
			"resource s 'Microsoft.Web/sites@2022-03-01' = {\n  name: 'site1'\n  location: 'x'\n  properties: { siteConfig: { appSettings: [ { name: 'DB_PASSWORD', value: 'Db9kk' } ] } }\n}\n",
			"s.properties.siteConfig.appSettings[0].value", "Db9kk"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{"main.bicep": tt.declared +
				"resource r 'Microsoft.ApiManagement/service@2022-08-01' = if (cidrSubnet(" + tt.read + ", 24, 0) == 'x') {\n  name: 'r'\n  location: 'x'\n  tags: { t: cidrSubnet(" + tt.read + ", 24, 0) }\n}\n"})
			rs, diags := bicep.Load([]string{dir + "/main.bicep"}, bicep.Options{})
			if len(diags) == 0 {
				t.Fatal("want a diagnostic for cidrSubnet of a value that is no network")
			}
			for _, d := range diags {
				if strings.Contains(d.Summary+d.Detail, tt.secret) {
					t.Errorf("diagnostic quotes the secret: %v", d)
				}
			}
			r := byAddress(rs)["r"]
			if r == nil {
				t.Fatalf("resources %v", rs)
			}
			for _, a := range r.Assumptions {
				if strings.Contains(a.Message, tt.secret) {
					t.Errorf("assumption quotes the secret: %s", a.Message)
				}
			}
			reason, _ := json.Marshal(get(t, r, "tags.t"))
			if strings.Contains(resource.MaskString(string(reason), r.Secrets), tt.secret) {
				t.Errorf("unknown reason %s, masked with the resource's secrets %q, quotes the secret", reason, r.Secrets)
			}
		})
	}
}

func TestValuesRedactHidesAreSecretsOfEveryResourceTheyFlowInto(t *testing.T) {
	tests := []struct {
		name     string
		declared string
		read     string
		secret   string
	}{
		{"a named value's value in another resource's name is its secret",
			"resource s 'Microsoft.ApiManagement/service/namedValues@2022-08-01' = {\n  name: 'apimX/nv1'\n  properties: { displayName: 'nv1', value: 'Nv8hj', secret: true }\n}\n",
			"s.properties.value", "Nv8hj"},
		{"a Key Vault secret's value in another resource's name is its secret",
			"resource s 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {\n  name: 'kv/s1'\n  properties: { value: 'Kv5ab' }\n}\n",
			"s.properties.value", "Kv5ab"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{"main.bicep": tt.declared + "resource r 'Microsoft.ApiManagement/service@2022-08-01' = {\n  name: 'apim-${" + tt.read + "}'\n  location: 'x'\n}\n"})
			rs, _ := bicep.Load([]string{dir + "/main.bicep"}, bicep.Options{})
			r := byAddress(rs)["r"]
			if r == nil {
				t.Fatalf("resources %v", rs)
			}
			if name, _ := r.Get("name"); strings.Contains(resource.MaskString(name.(string), r.Secrets), tt.secret) {
				t.Errorf("name %v, masked with the resource's secrets %q, shows the secret", name, r.Secrets)
			}
		})
	}
}
