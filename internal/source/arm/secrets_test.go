package arm_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/lensix/lensix/internal/resource"
	"github.com/lensix/lensix/internal/source/arm"
)

const apimUsing = `{"type": "Microsoft.ApiManagement/service", "apiVersion": "2022-08-01", "name": "apim", "location": "x", "properties": {"publisherName": %s}}`

func apim(value string) string { return strings.Replace(apimUsing, "%s", value, 1) }

func TestSecureParameterValuesAreSecrets(t *testing.T) {
	tests := []struct {
		name  string
		files []string
		opts  arm.Options
		want  []string // secrets every resource carries
		not   []string // values that are not secrets
	}{
		{
			name: "a securestring default is a secret",
			files: []string{"t.json", template(`"parameters": {"pw": {"type": "securestring", "defaultValue": "DefaultSecret1"}, "plain": {"type": "string", "defaultValue": "PlainValue1"}},
				"resources": [` + apim(`"[concat(parameters('plain'), parameters('pw'))]"`) + `]`)},
			want: []string{"DefaultSecret1"},
			not:  []string{"PlainValue1"},
		},
		{
			name: "a secureObject from the paired parameters file gives its string leaves",
			files: []string{"t.json", template(`"parameters": {"conn": {"type": "secureObject"}}, "resources": [` + apim(`"x"`) + `]`),
				"t.parameters.json", `{"contentVersion": "1.0.0.0", "parameters": {"conn": {"value": {"user": "LeafUser1", "nested": {"pass": ["LeafPass1"]}, "port": 5432}}}}`},
			want: []string{"LeafUser1", "LeafPass1"},
		},
		{
			name:  "a securestring given with --param is a secret",
			files: []string{"t.json", template(`"parameters": {"PW": {"type": "SecureString"}}, "resources": [` + apim(`"x"`) + `]`)},
			opts:  arm.Options{Params: []string{"pw=CliSecret1"}},
			want:  []string{"CliSecret1"},
		},
		{
			name:  "a securestring without a value gives no secret",
			files: []string{"t.json", template(`"parameters": {"pw": {"type": "securestring"}}, "resources": [` + apim(`"x"`) + `]`)},
		},
		{
			name: "a secure value passed into a nested deployment marks its resources",
			files: []string{"t.json", template(`"parameters": {"pw": {"type": "securestring", "defaultValue": "PassedIn1"}},
				"resources": [{"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "inner",
					"properties": {"mode": "Incremental", "expressionEvaluationOptions": {"scope": "inner"},
						"parameters": {"p": {"value": "[parameters('pw')]"}},
						"template": {` + schema + `, "parameters": {"p": {"type": "string"}}, "resources": [` + apim(`"[parameters('p')]"`) + `]}}}]`)},
			want: []string{"PassedIn1"},
		},
		{
			name: "a securestring output of a nested deployment read through reference() is a secret",
			files: []string{"t.json", template(`"resources": [{"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "nested",
					"properties": {"mode": "Incremental", "expressionEvaluationOptions": {"scope": "inner"},
						"template": {` + schema + `, "resources": [], "outputs": {"o": {"type": "securestring", "value": "SecureOut1"}}}}},
				` + apim(`"[reference('nested').outputs.o.value]"`) + `]`)},
			want: []string{"SecureOut1"},
		},
		{
			name: "a secureObject output's string leaves are secrets",
			files: []string{"t.json", template(`"resources": [{"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "nested",
					"properties": {"mode": "Incremental", "expressionEvaluationOptions": {"scope": "inner"},
						"template": {` + schema + `, "resources": [], "outputs": {"o": {"type": "secureObject", "value": {"k": "SecureObjOut2"}}}}}},
				` + apim(`"[reference('nested').outputs.o.value.k]"`) + `]`)},
			want: []string{"SecureObjOut2"},
		},
		{
			name: "a string output of a nested deployment is no secret",
			files: []string{"t.json", template(`"resources": [{"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "nested",
					"properties": {"mode": "Incremental", "expressionEvaluationOptions": {"scope": "inner"},
						"template": {` + schema + `, "resources": [], "outputs": {"o": {"type": "string", "value": "PlainOut3"}}}}},
				` + apim(`"[reference('nested').outputs.o.value]"`) + `]`)},
			not: []string{"PlainOut3"},
		},
		{
			name: "a part of a securestring is a secret, what else the function got is not",
			files: []string{"t.json", template(`"parameters": {"pw": {"type": "securestring", "defaultValue": "Secret-Part2"}, "plain": {"type": "string", "defaultValue": "PlainValue1"}},
				"resources": [` + apim(`"[concat(parameters('plain'), '-', last(split(parameters('pw'), '-')), toUpper(parameters('plain')))]"`) + `]`)},
			want: []string{"Secret-Part2", "Part2"},
			not:  []string{"PlainValue1", "PLAINVALUE1", "PlainValue1-Part2PLAINVALUE1"},
		},
		{
			name: "a parameter whose name holds a secure value's text is no secret",
			files: []string{"t.json", template(`"parameters": {"adminUser": {"type": "secureObject", "defaultValue": {"u": "adminUser"}}, "adminUserName": {"type": "string", "defaultValue": "PlainName1"}},
				"resources": [` + apim(`"[concat(parameters('adminUser').u, '-', parameters('adminUserName'))]"`) + `]`)},
			want: []string{"adminUser"},
			not:  []string{"PlainName1"},
		},
		{
			name: "a part of a securestring cut in a nested deployment is a secret of the root's resources",
			files: []string{"t.json", template(`"parameters": {"pw": {"type": "securestring", "defaultValue": "PassedIn1-Nested"}},
				"resources": [{"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "inner",
					"properties": {"mode": "Incremental", "expressionEvaluationOptions": {"scope": "inner"},
						"parameters": {"p": {"value": "[parameters('pw')]"}},
						"template": {` + schema + `, "parameters": {"p": {"type": "string"}}, "resources": [` + apim(`"[skip(parameters('p'), 3)]"`) + `]}}},
				` + apim(`"x"`) + `]`)},
			want: []string{"PassedIn1-Nested", "sedIn1-Nested"},
		},
		{
			name: "a securestring output's part read through reference() is a secret",
			files: []string{"t.json", template(`"resources": [{"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "nested",
					"properties": {"mode": "Incremental", "expressionEvaluationOptions": {"scope": "inner"},
						"template": {` + schema + `, "resources": [], "outputs": {"o": {"type": "securestring", "value": "SecureOut1-Tail"}}}}},
				` + apim(`"[substring(reference('nested').outputs.o.value, 2, 8)]"`) + `]`)},
			want: []string{"SecureOut1-Tail", "cureOut1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs, diags := load(t, tt.opts, tt.files...)
			if diags.HasErrors() || len(rs) == 0 {
				t.Fatalf("resources %d, diags %v", len(rs), diags)
			}
			for _, r := range rs {
				for _, w := range tt.want {
					if !slices.Contains(r.Secrets, w) {
						t.Errorf("%s: secrets %q lack %q", r.Provenance.Address, r.Secrets, w)
					}
				}
				for _, n := range tt.not {
					if slices.Contains(r.Secrets, n) {
						t.Errorf("%s: secrets %q hold the plain value %q", r.Provenance.Address, r.Secrets, n)
					}
				}
				if len(tt.want) == 0 && len(r.Secrets) != 0 {
					t.Errorf("%s: secrets %q, want none", r.Provenance.Address, r.Secrets)
				}
			}
		})
	}
}

func TestDiagnosticsDoNotQuoteSecureParameters(t *testing.T) {
	_, diags := load(t, arm.Options{}, "t.json", template(`"parameters": {"pw": {"type": "securestring", "defaultValue": "Leak{Secret9"}},
		"resources": [`+apim(`"[format(parameters('pw'), 1)]"`)+`]`))
	if len(diags) == 0 {
		t.Fatal("want a diagnostic for the broken format string")
	}
	for _, d := range diags {
		if strings.Contains(d.Summary+d.Detail, "Leak{Secret9") {
			t.Errorf("diagnostic quotes the secure value: %v", d)
		}
	}
}

func TestASecureValueCannotBeSpelledOutThroughPlainText(t *testing.T) {
	const pw = "Qz7kXw9Jm2Rt5Lp8"
	tests := []struct {
		name string
		expr string // the publisherName; variable s is pw followed by an alphabet
	}{
		{"characters cut by index and concatenated are not printed",
			"[concat('apim-', substring(variables('s'), 0, 1), '-', substring(variables('s'), 1, 1), '-', substring(variables('s'), 2, 1), '-', substring(variables('s'), 3, 1), '-', substring(variables('s'), 4, 1))]"},
		{"characters cut by a lambda and joined are not printed", "[join(map(range(0, 16), lambda('i', substring(variables('s'), lambdaVariables('i'), 1))), '.')]"},
		{"characters gathered by reduce are not printed", "[reduce(range(0, 16), '', lambda('acc', 'i', concat(lambdaVariables('acc'), '.', take(skip(variables('s'), lambdaVariables('i')), 1))))]"},
		{"an array of characters made a string is not printed", "[string(createArray(first(variables('s')), substring(variables('s'), 1, 1), substring(variables('s'), 2, 1), substring(variables('s'), 3, 1)))]"},
		{"characters formatted into one string are not printed",
			"[format('{0}.{1}.{2}.{3}.{4}', substring(variables('s'), 0, 1), substring(variables('s'), 1, 1), substring(variables('s'), 2, 1), substring(variables('s'), 3, 1), substring(variables('s'), 4, 1))]"},
		{"letters chosen by comparing the secret with each are not printed",
			"[concat(if(startsWith(parameters('pw'), 'q'), 'q', 'x'), '.', if(startsWith(parameters('pw'), 'qz'), 'z', 'x'), '.', if(startsWith(parameters('pw'), 'qz7'), '7', 'x'))]"},
		{"letters chosen by comparing with a comparand made of the secret are not printed",
			"[concat(if(endsWith(parameters('pw'), concat('7', skip(parameters('pw'), 3))), '7', 'x'), if(endsWith(parameters('pw'), concat('k', skip(parameters('pw'), 4))), 'k', 'x'), if(endsWith(parameters('pw'), concat('x', skip(parameters('pw'), 5))), 'x', 'y'))]"},
		{"pairs cut by index and joined are not printed", "[join(map(range(0, 8), lambda('i', substring(variables('s'), mul(lambdaVariables('i'), 2), 2))), '.')]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, _ := json.Marshal(tt.expr)
			rs, _ := load(t, arm.Options{}, "t.json", template(`"parameters": {"pw": {"type": "securestring", "defaultValue": "`+pw+`"}},
				"variables": {"s": "[concat(parameters('pw'), 'abcdefghijklmnopqrstuvwxyz0123456789')]"},
				"resources": [`+apim(string(body))+`]`))
			if len(rs) != 1 {
				t.Fatalf("resources %v", rs)
			}
			printed, _ := json.Marshal(withoutUnknowns(get(t, rs[0], "properties.publisherName")))
			if spelled := spelledOut(resource.MaskString(string(printed), rs[0].Secrets), pw); spelled != "" {
				t.Errorf("publisherName %s, masked, spells %q of the secret", printed, spelled)
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

func TestTextCutWhereASecretStandsIsASecretWhole(t *testing.T) {
	const pw = "Xq7SuperSecret-Pw1z"
	tests := []struct {
		name string
		expr string // the publisherName
		want string // the secret it must be tracked as
	}{
		{"text split where the secret's first letters stand, beside the secret, is a secret whole",
			"[split(concat('0123456789Xq7Sabcdefghij-', skip(parameters('pw'), 1)), take(parameters('pw'), 4))[1]]", "abcdefghij-" + pw[1:]},
		{"text whose part where the secret's first letters stand is replaced by the secret is a secret whole",
			"[replace('0123456789Xq7Sabcdefghij', take(parameters('pw'), 4), parameters('pw'))]", "0123456789" + pw + "abcdefghij"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, _ := json.Marshal(tt.expr)
			rs, _ := load(t, arm.Options{}, "t.json", template(`"parameters": {"pw": {"type": "securestring", "defaultValue": "`+pw+`"}},
				"resources": [`+apim(string(body))+`]`))
			if len(rs) != 1 {
				t.Fatalf("resources %v", rs)
			}
			if got := get(t, rs[0], "properties.publisherName"); got != tt.want || !slices.Contains(rs[0].Secrets, tt.want) {
				t.Errorf("publisherName %v, secrets %q: want %q tracked whole, as its plain text says where the secret stood", got, rs[0].Secrets, tt.want)
			}
		})
	}
}

func TestNumbersOfASecureObjectAreNotPrinted(t *testing.T) {
	tests := []struct {
		name string
		expr string // the publisherName
	}{
		{"a number of a secureObject made a string is not printed", `"[concat('apim-', string(parameters('so').a))]"`},
		{"a secureObject made a string does not print its numbers", `"[string(parameters('so'))]"`},
		{"a number of a secureObject used as it is is not printed", `"[parameters('so').a]"`},
		{"a number of a secureObject passed through an output is not printed", `"[reference('nested').outputs.o.value.a]"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs, _ := load(t, arm.Options{}, "t.json", template(`"parameters": {"so": {"type": "secureObject", "defaultValue": {"a": 98765, "b": true}}},
				"resources": [{"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "nested",
					"properties": {"mode": "Incremental", "expressionEvaluationOptions": {"scope": "inner"},
						"template": {`+schema+`, "resources": [], "outputs": {"o": {"type": "secureObject", "value": {"a": 98765}}}}}}, `+apim(tt.expr)+`]`))
			r := byAddress(rs)["apim"]
			if r == nil {
				t.Fatalf("resources %v", rs)
			}
			printed, _ := json.Marshal(get(t, r, "properties.publisherName"))
			if masked := resource.MaskString(string(printed), r.Secrets); strings.Contains(masked, "98765") {
				t.Errorf("publisherName %s prints the secure number", masked)
			}
		})
	}
}

func TestValuesRedactHidesAreNotQuotedInErrorsOrAssumptions(t *testing.T) {
	namedValue := `{"type": "Microsoft.ApiManagement/service/namedValues", "apiVersion": "2022-08-01", "name": "apimB/nv1", "properties": {"displayName": "nv1", "value": "Nv8hj", "secret": true}}`
	keyVaultSecret := `{"type": "Microsoft.KeyVault/vaults/secrets", "apiVersion": "2023-07-01", "name": "kv/s1", "properties": {"value": "Kv5ab"}}`
	tests := []struct {
		name     string
		declared string // the resource holding the secret
		read     string // an expression that reads it
		secret   string
	}{
		{"a named value's value quoted by a failing function is masked", namedValue,
			"reference(resourceId('Microsoft.ApiManagement/service/namedValues', 'apimB', 'nv1')).value", "Nv8hj"},
		{"a Key Vault secret's value quoted by a failing function is masked", keyVaultSecret,
			"reference(resourceId('Microsoft.KeyVault/vaults/secrets', 'kv', 's1')).value", "Kv5ab"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			service := `{"type": "Microsoft.ApiManagement/service", "apiVersion": "2022-08-01", "name": "apimB", "location": "x",
				"condition": "[equals(cidrSubnet(` + tt.read + `, 24, 0), 'x')]",
				"tags": {"t": "[cidrSubnet(` + tt.read + `, 24, 0)]"}, "properties": {"publisherName": "x"}}`
			rs, diags := load(t, arm.Options{}, "t.json", template(`"resources": [`+tt.declared+`, `+service+`]`))
			if len(diags) == 0 {
				t.Fatal("want a diagnostic for cidrSubnet of a value that is no network")
			}
			for _, d := range diags {
				if strings.Contains(d.Summary+d.Detail, tt.secret) {
					t.Errorf("diagnostic quotes the secret: %v", d)
				}
			}
			r := byAddress(rs)["apimB"]
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
	rs, _ := load(t, arm.Options{}, "t.json", template(`"resources": [
		{"type": "Microsoft.ApiManagement/service/namedValues", "apiVersion": "2022-08-01", "name": "apimB/nv1", "properties": {"displayName": "nv1", "value": "Nv8hj", "secret": true}},
		`+apim(`"[concat('apim-', reference(resourceId('Microsoft.ApiManagement/service/namedValues', 'apimB', 'nv1')).value)]"`)+`]`))
	r := byAddress(rs)["apim"]
	if r == nil {
		t.Fatalf("resources %v", rs)
	}
	if name := get(t, r, "properties.publisherName").(string); strings.Contains(resource.MaskString(name, r.Secrets), "Nv8hj") {
		t.Errorf("publisherName %s, masked with the resource's secrets %q, shows the named value's value", name, r.Secrets)
	}
}
