package resource

import (
	"fmt"
	"strings"
	"testing"
)

func TestLookup(t *testing.T) {
	body := map[string]any{
		"identity":   map[string]any{"type": "SystemAssigned"},
		"tags":       nil,
		"properties": map[string]any{"hostnames": []any{"a", "b"}, "vnet": &Unknown{Reason: "known after apply"}},
	}
	tests := []struct {
		name      string
		path      []string
		want      any
		wantFound bool
	}{
		{"a nested key is found", []string{"identity", "type"}, "SystemAssigned", true},
		{"keys match without regard to case", []string{"Identity", "TYPE"}, "SystemAssigned", true},
		{"an absent key is not found", []string{"sku"}, nil, false},
		{"an explicit null is found as nil", []string{"tags"}, nil, true},
		{"an array index is followed", []string{"properties", "hostnames", "1"}, "b", true},
		{"an index past the end is not found", []string{"properties", "hostnames", "2"}, nil, false},
		{"a path through a scalar is not found", []string{"identity", "type", "x"}, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, found := Lookup(body, tt.path...)
			if found != tt.wantFound || got != tt.want {
				t.Errorf("Lookup(%v) = %v, %v; want %v, %v", tt.path, got, found, tt.want, tt.wantFound)
			}
		})
	}
	t.Run("an unknown met on the way is the answer", func(t *testing.T) {
		got, found := Lookup(body, "properties", "vnet", "subnet", "id")
		if u, ok := got.(*Unknown); !found || !ok || u.Reason != "known after apply" {
			t.Errorf("got %v, %v; want the unknown", got, found)
		}
	})
}

func TestUnknownsListsEveryUnknownWithItsPath(t *testing.T) {
	body := map[string]any{
		"identity":   map[string]any{"type": &Unknown{Reason: "r1"}},
		"properties": map[string]any{"list": []any{"x", &Unknown{Reason: "r2"}}},
	}
	got := Unknowns(body)
	if len(got) != 2 || got[0].Path != "identity.type" || got[1].Path != "properties.list[1]" {
		t.Errorf("Unknowns = %+v", got)
	}
}

func TestInlineSuppressions(t *testing.T) {
	src := strings.Join([]string{
		`# lensix:ignore[apimgmt_nomanagedidentity] legacy service, retired in Q1`, // 1
		`resource "azurerm_api_management" "a" {`,                                  // 2
		`}`,                   // 3
		``,                    // 4
		`# unrelated comment`, // 5
		`// lensix:ignore[check_a, check_b] shared reason`, // 6
		`resource "azurerm_api_management" "b" {`,          // 7
		`}`, // 8
		`# lensix:ignore[check_c] separated by a blank line`, // 9
		``, // 10
		`resource "x" "c" { # lensix:ignore[check_d] on the same line`,                                               // 11
		`resource "x" "d" { name = "d # lensix:ignore[check_e] in string" }`,                                         // 12
		`resource b 'Microsoft.ApiManagement/service@2022-08-01' = { // lensix:ignore[check_f] after a Bicep string`, // 13
		`  name: 'it\'s // lensix:ignore[check_g] in a Bicep string'`,                                                // 14
		`resource "x" "e" { name = "say \"# lensix:ignore[check_h]\" quoted" } # lensix:ignore[check_i] after`,       // 15
		`resource "x" "f" { /* note */ /* lensix:ignore[check_j] second block */`,                                    // 16
		`  "name": "[concat('a', '# lensix:ignore[check_k]')]",`,                                                     // 17
		`# lensix:ignore[*] wildcard`,    // 18
		`# LENSIX:IGNORE[CHECK_L] upper`, // 19
		`resource "x" "g" {`,             // 20
	}, "\n")
	tests := []struct {
		name string
		line int
		want []string // check:reason
	}{
		{"a comment directly above applies", 2, []string{"apimgmt_nomanagedidentity:legacy service, retired in Q1"}},
		{"a comment may name several checks and sit under other comments", 7, []string{"check_a:shared reason", "check_b:shared reason"}},
		{"a comment separated by a blank line does not apply, one on the same line does", 11, []string{"check_d:on the same line"}},
		{"a line outside the file has none", 99, nil},
		{"a marker inside a string literal is not a comment", 12, nil},
		{"a comment after a single-quoted Bicep string applies", 13, []string{"check_f:after a Bicep string"}},
		{"a marker inside a Bicep string with an escaped quote is not a comment", 14, nil},
		{"an escaped quote does not end the string, the comment after it applies", 15, []string{"check_i:after"}},
		{"a second block comment on the line is read", 16, []string{"check_j:second block"}},
		{"a marker in an ARM expression's inner string is not a comment", 17, nil},
		{"a wildcard and an upper-case marker both apply", 20, []string{"CHECK_L:upper", "*:wildcard"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, s := range InlineSuppressions("main.tf", []byte(src), tt.line) {
				got = append(got, s.CheckID+":"+s.Reason)
			}
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRedact(t *testing.T) {
	body := map[string]any{
		"properties": map[string]any{
			"publisherEmail":   "ops@example.com",
			"primaryKey":       "c2VjcmV0",
			"connectionString": "Endpoint=sb://x;SharedAccessKey=abc",
			"keyVaultId":       "https://vault.vault.azure.net/secrets/x",
			"credentials":      map[string]any{"header": map[string]any{"x-api-key": []any{"k"}}},
			"adminPassword":    &Unknown{Reason: "variable has no value"},
		},
	}
	got := Redact("Microsoft.ApiManagement/service", body)
	props := got["properties"].(map[string]any)
	for _, key := range []string{"primaryKey", "connectionString", "credentials"} {
		if props[key] != Redacted {
			t.Errorf("%s = %v, want redacted", key, props[key])
		}
	}
	if props["publisherEmail"] != "ops@example.com" || props["keyVaultId"] == Redacted {
		t.Errorf("non-secrets were redacted: %v", props)
	}
	if _, ok := props["adminPassword"].(*Unknown); !ok {
		t.Errorf("an unknown holds no secret and should stay unknown, got %v", props["adminPassword"])
	}
	if body["properties"].(map[string]any)["primaryKey"] != "c2VjcmV0" {
		t.Error("Redact changed its input")
	}
	nv := Redact("Microsoft.ApiManagement/service/namedValues", map[string]any{"properties": map[string]any{"displayName": "db", "value": "hunter2"}})
	if nv["properties"].(map[string]any)["value"] != Redacted {
		t.Errorf("named value not redacted: %v", nv)
	}
}

func TestMaskSecrets(t *testing.T) {
	secrets := []string{`p"ss<w0rd>`, "hunter2-long", "no"}
	text := `name: apim-hunter2-long; json: "p\"ss\u003cw0rd\u003e" json without HTML escapes: "p\"ss<w0rd>" xml: p&#34;ss&lt;w0rd&gt; raw: p"ss<w0rd> short: no`
	got := string(MaskSecrets([]byte(text), secrets))
	for _, leak := range []string{"hunter2", `ss<w0rd`, `ss&lt;w0rd`, `ss\u003cw0rd`} {
		if strings.Contains(got, leak) {
			t.Errorf("%q leaks %q", got, leak)
		}
	}
	if !strings.Contains(got, "short: no") {
		t.Errorf("secrets shorter than %d characters should not be masked: %q", minSecretLength, got)
	}
}

func TestMaskSecretsHidesEveryFormOfASecret(t *testing.T) {
	tests := []struct {
		name   string
		secret string
		text   string
		leak   string
	}{
		{"a secret quoted Go-style in a message is masked", `pa"ss\w<o>rd&1`, `value "pa\"ss\\w<o>rd&1" is set`, `ss\\w`},
		{"a Go-quoted secret escaped again as JSON is masked", `pa"ss\w<o>rd&1`, `"msg": "value \"pa\\\"ss\\\\w\u003co\u003erd\u00261\""`, `ss\\\\w`},
		{"a lower-cased secret is masked", "S3cretViaVar", "name: s3cretviavar", "s3cretviavar"},
		{"an upper-cased secret is masked", "S3cretViaVar", "name: S3CRETVIAVAR", "S3CRETVIAVAR"},
		{"a base64-encoded secret is masked", "S3cretViaVar", "data: UzNjcmV0VmlhVmFy", "UzNjcmV0VmlhVmFy"},
		{"a secret written as is is masked", "S3cretViaVar", "x S3cretViaVar y", "S3cretViaVar"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := MaskString(tt.text, []string{tt.secret})
			if strings.Contains(got, tt.leak) || !strings.Contains(got, Redacted) {
				t.Errorf("MaskString(%q) = %q, leaks %q", tt.text, got, tt.leak)
			}
		})
	}
}

// BenchmarkMaskString masks a finding's message with a set of ten secrets, as check.Run does for
// every finding of a resource that carries secrets.
func BenchmarkMaskString(b *testing.B) {
	secrets := make([]string, 10)
	for i := range secrets {
		secrets[i] = fmt.Sprintf("Secret-Value-%02d", i)
	}
	msg := `API Management service has no valid managed identity: identity.type "secret-value-07" is not one Azure accepts (SystemAssigned, UserAssigned or both)`
	for b.Loop() {
		MaskString(msg, secrets)
	}
}
