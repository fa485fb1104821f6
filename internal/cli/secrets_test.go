package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lensix/lensix/internal/report"
	"github.com/lensix/lensix/internal/resource"
)

// fragmentSecret is the secure value the fragment tests pass with --param pw=...
const fragmentSecret = "Xq7SuperSecret-Pw1z"

// fragmentCase is a template whose API Management service takes a part of the secure parameter
// pw into its name (which every report format quotes in the az command) and a tag.
type fragmentCase struct {
	name  string
	files map[string]string
	leaks []string // parts of the secret no output may hold, compared without case
	// unknownTag is set when the tag is too short a part to mask: it must be unknown.
	unknownTag bool
}

func armFragment(name, expr string, leaks ...string) fragmentCase {
	return fragmentCase{name: name, files: map[string]string{"main.json": armFragmentTemplate(expr, "")}, leaks: leaks}
}

// armFragmentTemplate puts expr (an expression over parameters('pw'), without brackets) in the
// service's name, when it is a string, and in a tag.
func armFragmentTemplate(expr, more string) string {
	return `{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "contentVersion": "1.0.0.0",
  "parameters": {"pw": {"type": "securestring"}}, ` + more + `
  "resources": [{"type": "Microsoft.ApiManagement/service", "apiVersion": "2022-08-01",
    "name": "[concat('apim-', string(` + expr + `))]", "location": "westeurope",
    "sku": {"name": "Developer", "capacity": 1}, "tags": {"t": "[` + expr + `]", "plain": "Plain-Tag-Value"},
    "properties": {"publisherEmail": "a@example.com", "publisherName": "x"}}]}`
}

func bicepFragment(name, expr string, leaks ...string) fragmentCase {
	return fragmentCase{name: name, files: map[string]string{"main.bicep": bicepFragmentTemplate(expr, "")}, leaks: leaks}
}

func bicepFragmentTemplate(expr, more string) string {
	return "@secure()\nparam pw string\n" + more + `
resource apim 'Microsoft.ApiManagement/service@2022-08-01' = {
  name: 'apim-${` + expr + `}'
  location: 'westeurope'
  sku: { name: 'Developer', capacity: 1 }
  tags: { t: ` + expr + `, plain: 'Plain-Tag-Value' }
  properties: { publisherEmail: 'a@example.com', publisherName: 'x' }
}
`
}

func fragmentCases() []fragmentCase {
	tooShortARM := armFragment("first() of an ARM securestring is unknown, not printed", "first(parameters('pw'))")
	tooShortARM.unknownTag = true
	tooShortBicep := bicepFragment("last() of a @secure() Bicep parameter is unknown, not printed", "last(pw)")
	tooShortBicep.unknownTag = true
	return []fragmentCase{
		armFragment("skip() of an ARM securestring is masked", "skip(parameters('pw'), 1)", "q7SuperSecret-Pw1z"),
		armFragment("take() of an ARM securestring is masked", "take(parameters('pw'), 6)", "Xq7Sup"),
		armFragment("substring() of an ARM securestring is masked", "substring(parameters('pw'), 3, 8)", "SuperSec"),
		armFragment("the last part of split() of an ARM securestring is masked", "last(split(parameters('pw'), '-'))", "Pw1z"),
		armFragment("split() of an ARM securestring is masked part by part", "split(parameters('pw'), '-')", "Xq7SuperSecret", "Pw1z"),
		armFragment("replace() that removes characters of an ARM securestring is masked", "replace(parameters('pw'), 'Super', '')", "Xq7Secret-Pw1z"),
		armFragment("padLeft() of a part of an ARM securestring is masked", "padLeft(take(parameters('pw'), 5), 8, '0')", "000Xq7Su", "Xq7Su"),
		armFragment("a slice cut where indexOf() finds a character of an ARM securestring is masked",
			"substring(parameters('pw'), add(indexOf(parameters('pw'), '-'), 1))", "Pw1z"),
		armFragment("an upper-cased part of an ARM securestring is masked", "toUpper(skip(parameters('pw'), 3))", "SuperSecret-Pw1z"),
		armFragment("base64() of a part of an ARM securestring is masked", "base64(take(parameters('pw'), 8))", "Xq7Super", "WHE3U3VwZXI"),
		tooShortARM,
		{name: "a part of an ARM securestring made in a user-defined function is masked",
			files: map[string]string{"main.json": armFragmentTemplate("ns.frag(parameters('pw'))",
				`"functions": [{"namespace": "ns", "members": {"frag": {"parameters": [{"name": "s", "type": "string"}],
					"output": {"type": "string", "value": "[substring(parameters('s'), 1, 6)]"}}}}],`)},
			leaks: []string{"q7Supe"}},
		{name: "a part of an ARM securestring kept in a variable is masked",
			files: map[string]string{"main.json": armFragmentTemplate("variables('v')", `"variables": {"v": "[skip(parameters('pw'), 4)]"},`)},
			leaks: []string{"uperSecret-Pw1z"}},
		{name: "an ARM securestring spelled out character by character beside an alphabet is not printed",
			files: map[string]string{"main.json": armFragmentTemplate("concat(substring(variables('s'), 0, 1), '.', substring(variables('s'), 1, 1), '.', substring(variables('s'), 2, 1), '.', substring(variables('s'), 3, 1))",
				`"variables": {"s": "[concat(parameters('pw'), 'abcdefghijklmnopqrstuvwxyz0123456789')]"},`)},
			leaks: []string{"x.q.7.s"}},
		armFragment("an ARM securestring spelled out by comparing it with letters is not printed",
			"concat(if(startsWith(parameters('pw'), 'x'), 'x', '-'), '.', if(startsWith(parameters('pw'), 'xq'), 'q', '-'), '.', if(startsWith(parameters('pw'), 'xq7'), '7', '-'))", "x.q.7"),
		bicepFragment("a @secure() Bicep parameter spelled out character by character beside an alphabet is not printed",
			"join(map(range(0, 6), i => substring('${pw}abcdefghijklmnopqrstuvwxyz0123456789', i, 1)), '.')", "x.q.7.s.u.p"),
		bicepFragment("a @secure() Bicep parameter spelled out by comparing it with letters is not printed",
			"join(filter(['X', 'q', '7', 'S'], c => contains(pw, c)), '.')", "x.q.7.s"),
		bicepFragment("skip() of a @secure() Bicep parameter is masked", "skip(pw, 1)", "q7SuperSecret-Pw1z"),
		bicepFragment("take() of a @secure() Bicep parameter is masked", "take(pw, 6)", "Xq7Sup"),
		bicepFragment("substring() of a @secure() Bicep parameter is masked", "substring(pw, 3, 8)", "SuperSec"),
		bicepFragment("an element of split() of a @secure() Bicep parameter is masked", "split(pw, '-')[1]", "Pw1z"),
		bicepFragment("replace() that removes characters of a @secure() Bicep parameter is masked", "replace(pw, 'Super', '')", "Xq7Secret-Pw1z"),
		bicepFragment("trim() of a part of a @secure() Bicep parameter is masked", "trim(' ${take(pw, 7)} ')", "Xq7Supe"),
		bicepFragment("a lambda's part of a @secure() Bicep parameter is masked", "join(map(split(pw, '-'), p => take(p, 5)), '+')", "Xq7Su+Pw1z", "Xq7Su"),
		bicepFragment("a part of a @secure() Bicep parameter chosen by a ternary is masked", "length(pw) > 3 ? skip(pw, 2) : 'short'", "7SuperSecret-Pw1z"),
		tooShortBicep,
		{name: "a part of a @secure() Bicep parameter made in a user-defined function is masked",
			files: map[string]string{"main.bicep": bicepFragmentTemplate("frag(pw)", "func frag(s string) string => substring(s, 1, 6)\n")},
			leaks: []string{"q7Supe"}},
		{name: "a part of a @secure() Bicep parameter passed into a module is masked there",
			files: map[string]string{
				"main.bicep": "@secure()\nparam pw string\nmodule m 'mod.bicep' = {\n  name: 'm'\n  params: { inner: skip(pw, 5) }\n}\n",
				"mod.bicep":  strings.Replace(bicepFragmentTemplate("inner", ""), "@secure()\nparam pw string", "param inner string", 1)},
			leaks: []string{"perSecret-Pw1z"}},
		{name: "a part of a @secure() Bicep parameter cut in an ARM template module is masked",
			files: map[string]string{
				"main.bicep": "@secure()\nparam pw string\nmodule m 'inner.json' = {\n  name: 'm'\n  params: { pw: pw }\n}\n",
				"inner.json": strings.Replace(armFragmentTemplate("skip(parameters('pw'), 2)", ""), `{"type": "securestring"}`, `{"type": "string"}`, 1)},
			leaks: []string{"7SuperSecret-Pw1z"}},
		{name: "a part of a @secure() Bicep parameter a module hands back in a plain output is masked",
			files: map[string]string{
				"main.bicep": "@secure()\nparam pw string\nmodule m 'mod.bicep' = {\n  name: 'm'\n  params: { inner: pw }\n}\n" +
					strings.Replace(bicepFragmentTemplate("m.outputs.o", ""), "@secure()\nparam pw string", "", 1),
				"mod.bicep": "@secure()\nparam inner string\noutput o string = skip(inner, 6)\n"},
			leaks: []string{"erSecret-Pw1z"}},
	}
}

func TestNoOutputPrintsAPartOfASecureValue(t *testing.T) {
	for _, tt := range fragmentCases() {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, src := range tt.files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			param := "pw=" + fragmentSecret
			code, out, stderr := run(t, "resources", dir, "--param", param)
			if code != 0 {
				t.Fatalf("resources: exit %d: %s", code, stderr)
			}
			tt.assertNoLeak(t, "resources", out+stderr)
			tags := apimTags(t, out)
			if tags["plain"] != "Plain-Tag-Value" {
				t.Errorf("the plain tag = %v, want Plain-Tag-Value: a value beside the secret is no secret", tags["plain"])
			}
			if u, _ := tags["t"].(map[string]any); tt.unknownTag && (u == nil || u["reason"] != resource.DerivedReason) {
				t.Errorf("tag t = %v, want unknown because %q", tags["t"], resource.DerivedReason)
			}
			for _, format := range report.Formats() {
				code, out, stderr := run(t, "scan", dir, "--param", param, "--format", format)
				if code != ExitFindings {
					t.Fatalf("scan -o %s: exit %d, want %d: the service has no identity whatever its name; %s", format, code, ExitFindings, stderr)
				}
				tt.assertNoLeak(t, format, out+stderr)
			}
		})
	}
}

func TestPartsOfASecureValueLeaveVerdictsThatDoNotDependOnThemAlone(t *testing.T) {
	withIdentity := strings.NewReplacer(
		`"location": "westeurope",`, `"location": "westeurope", "identity": {"type": "SystemAssigned"},`,
		"  location: 'westeurope'\n", "  location: 'westeurope'\n  identity: { type: 'SystemAssigned' }\n")
	for _, tt := range fragmentCases() {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, src := range tt.files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(withIdentity.Replace(src)), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			code, out, stderr := run(t, "scan", dir, "--param", "pw="+fragmentSecret, "--format", "json")
			var doc struct {
				Results []struct {
					CheckID string `json:"check_id"`
					Status  string `json:"status"`
				} `json:"results"`
			}
			if err := json.Unmarshal([]byte(out), &doc); err != nil {
				t.Fatalf("exit %d, stdout is not JSON: %v\n%s%s", code, err, out, stderr)
			}
			passed := 0
			for _, r := range doc.Results {
				if r.Status == "pass" {
					passed++
				}
			}
			if code != 0 || len(doc.Results) == 0 || passed != len(doc.Results) {
				t.Errorf("exit %d, results %+v, want each to pass: the service has a system-assigned identity; %s", code, doc.Results, stderr)
			}
		})
	}
}

func (tt fragmentCase) assertNoLeak(t *testing.T, what, out string) {
	t.Helper()
	for _, leak := range tt.leaks {
		if strings.Contains(strings.ToLower(out), strings.ToLower(leak)) {
			t.Errorf("%s output holds %q:\n%s", what, leak, out)
		}
	}
}

// apimTags returns the tags of the API Management service in lensix resources output.
func apimTags(t *testing.T, out string) map[string]any {
	t.Helper()
	var doc struct {
		Resources []struct {
			Type string         `json:"type"`
			Body map[string]any `json:"body"`
		} `json:"resources"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("resources output is not JSON: %v\n%s", err, out)
	}
	for _, r := range doc.Resources {
		if r.Type == "Microsoft.ApiManagement/service" {
			tags, _ := r.Body["tags"].(map[string]any)
			return tags
		}
	}
	t.Fatalf("no API Management service in\n%s", out)
	return nil
}

// TestSecretsThatFlowElsewhereAreMaskedInEveryOutput: a secret that reaches another resource's
// name, resource group or assumptions — from a Key Vault secret, an app setting, a secure
// parameter used as a deployment's resource group or in a condition — is printed by no format.
func TestSecretsThatFlowElsewhereAreMaskedInEveryOutput(t *testing.T) {
	const armSchema = `"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "contentVersion": "1.0.0.0"`
	apimARM := func(name, more string) string {
		return `{"type": "Microsoft.ApiManagement/service", "apiVersion": "2022-08-01", "name": "` + name + `", "location": "westeurope",` + more +
			` "sku": {"name": "Developer", "capacity": 1}, "properties": {"publisherEmail": "a@b.c", "publisherName": "x"}}`
	}
	tests := []struct {
		name   string
		file   string
		src    string
		secret string
		args   []string
	}{
		{"a Terraform Key Vault secret's value in a service's name", "main.tf", `resource "azurerm_key_vault_secret" "s" {
  name         = "s1"
  value        = "Kv5ab"
  key_vault_id = "kv"
}
resource "azurerm_api_management" "a" {
  name                = "apim-${azurerm_key_vault_secret.s.value}"
  location            = "westeurope"
  resource_group_name = "rg"
  publisher_name      = "x"
  publisher_email     = "a@b.c"
  sku_name            = "Developer_1"
}
`, "Kv5ab", nil},
		{"a Terraform app setting as a service's resource group", "main.tf", `resource "azurerm_linux_web_app" "w" {
  name                = "w"
  resource_group_name = "rg"
  location            = "westeurope"
  service_plan_id     = "x"
  site_config {}
  app_settings = { API_KEY = "Ak1zz" }
}
resource "azurerm_api_management" "a" {
  name                = "apim"
  location            = "westeurope"
  resource_group_name = azurerm_linux_web_app.w.app_settings["API_KEY"]
  publisher_name      = "x"
  publisher_email     = "a@b.c"
  sku_name            = "Developer_1"
}
`, "Ak1zz", nil},
		{"a short secure parameter as a nested deployment's resource group", "main.json", `{` + armSchema + `,
  "parameters": {"pw": {"type": "securestring", "defaultValue": "Qz7k"}},
  "resources": [{"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "nested", "resourceGroup": "[parameters('pw')]",
    "properties": {"mode": "Incremental", "expressionEvaluationOptions": {"scope": "inner"},
      "template": {` + armSchema + `, "resources": [` + apimARM("apimA", "") + `]}}}]}`,
			"Qz7k", []string{"--deployment-scope", "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg1"}},
		{"a short secure parameter quoted in an assumption", "main.json", `{` + armSchema + `,
  "parameters": {"pw": {"type": "securestring", "defaultValue": "Qz7k"}},
  "resources": [` + apimARM("apimB", ` "condition": "[equals(cidrSubnet(parameters('pw'), 24, 0), 'x')]",`) + `]}`, "Qz7k", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, tt.file), []byte(tt.src), 0o644); err != nil {
				t.Fatal(err)
			}
			_, out, stderr := run(t, append([]string{"resources", dir}, tt.args...)...)
			if strings.Contains(out+stderr, tt.secret) {
				t.Errorf("resources prints %s:\n%s", tt.secret, out+stderr)
			}
			for _, format := range report.Formats() {
				_, out, stderr := run(t, append([]string{"scan", dir, "--format", format}, tt.args...)...)
				if strings.Contains(out+stderr, tt.secret) {
					t.Errorf("scan -o %s prints %s:\n%s", format, tt.secret, out+stderr)
				}
			}
		})
	}
}
