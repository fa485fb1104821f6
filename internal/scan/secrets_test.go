package scan

import (
	"bytes"
	"context"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/lensix/lensix/internal/check"
	_ "github.com/lensix/lensix/internal/checks" // the real check, whose message quotes identity.type
	"github.com/lensix/lensix/internal/report"
	"github.com/lensix/lensix/internal/suppress"
)

const apimTF = `resource "azurerm_api_management" "x" {
  name                = "apim-x"
  location            = "westeurope"
  resource_group_name = "rg"
  publisher_name      = "x"
  publisher_email     = "a@b.c"
  sku_name            = "Developer_1"
  identity {
    type = %s
  }
}
`

const apimBicep = "resource a 'Microsoft.ApiManagement/service@2022-08-01' = {\n  name: 'a'\n  location: 'westeurope'\n  sku: { name: 'Developer', capacity: 1 }\n  identity: { type: %s }\n  properties: { publisherEmail: 'a@b.c', publisherName: 'x' }\n}\n"

func apimARM(identityType string) string {
	return `{"type": "Microsoft.ApiManagement/service", "apiVersion": "2022-08-01", "name": "arm-a", "location": "westeurope", "sku": {"name": "Developer", "capacity": 1}, "identity": {"type": "` + identityType + `"}, "properties": {"publisherEmail": "a@b.c", "publisherName": "x"}}`
}

func TestNoReportFormatPrintsASecretInAnyForm(t *testing.T) {
	tfVar := "variable \"secret\" {\n  sensitive = true\n  default   = %q\n}\n"
	tests := []struct {
		name  string
		files map[string]string
		leaks []string // texts no output may hold, compared without case
	}{
		{"a secret with quotes, backslashes and markup quoted by the check is masked",
			map[string]string{"main.tf": strings.Replace(tfVar, "%q", `"Pa\"ss\\w<o>rd&1"`, 1) + strings.Replace(apimTF, "%s", "var.secret", 1)},
			[]string{`w<o>rd`, `w\u003co\u003erd`, `w&lt;o&gt;rd`, `ss\\w`}},
		{"a lower-cased Terraform secret is masked",
			map[string]string{"main.tf": strings.Replace(tfVar, "%q", `"Zq9-Secret-Val"`, 1) + strings.Replace(apimTF, "%s", "lower(var.secret)", 1)},
			[]string{"zq9-secret"}},
		{"a Terraform secret with characters replaced is masked",
			map[string]string{"main.tf": strings.Replace(tfVar, "%q", `"Zq9-Secret-Val"`, 1) + strings.Replace(apimTF, "%s", `replace(var.secret, "-", "+")`, 1)},
			[]string{"zq9+secret"}},
		{"a substring of a Terraform secret is masked",
			map[string]string{"main.tf": strings.Replace(tfVar, "%q", `"Zq9-Secret-Val"`, 1) + strings.Replace(apimTF, "%s", `substr(var.secret, 1, 9)`, 1)},
			[]string{"q9-secret"}},
		{"an upper-cased ARM securestring is masked",
			map[string]string{"t.json": `{` + armSchema + `, "parameters": {"pw": {"type": "securestring", "defaultValue": "Zq9-Secret-Val"}}, "resources": [` + apimARM("[toUpper(parameters('pw'))]") + `]}`},
			[]string{"zq9-secret"}},
		{"a base64-encoded ARM securestring is masked",
			map[string]string{"t.json": `{` + armSchema + `, "parameters": {"pw": {"type": "securestring", "defaultValue": "Zq9-Secret-Val"}}, "resources": [` + apimARM("[base64(parameters('pw'))]") + `]}`},
			[]string{base64.StdEncoding.EncodeToString([]byte("Zq9-Secret-Val"))}},
		{"a lower-cased @secure() Bicep parameter passed into a module is masked",
			map[string]string{
				"main.bicep": "@secure()\nparam pw string = 'Zq9-Secret-Val'\nmodule m 'mod.bicep' = {\n  name: 'm'\n  params: { inner: pw }\n}\n",
				"mod.bicep":  "param inner string\n" + strings.Replace(apimBicep, "%s", "toLower(inner)", 1)},
			[]string{"zq9-secret"}},
		{"a @secure() Bicep output read by its consumer is masked",
			map[string]string{
				"main.bicep": "module m 'mod.bicep' = {\n  name: 'm'\n}\n" + strings.Replace(apimBicep, "%s", "m.outputs.o", 1),
				"mod.bicep":  "@secure()\noutput o string = 'Zq9-Secret-Out'\n"},
			[]string{"zq9-secret"}},
		{"an ARM securestring output read through reference() is masked",
			map[string]string{"t.json": `{` + armSchema + `, "resources": [{"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "nested",
				"properties": {"mode": "Incremental", "expressionEvaluationOptions": {"scope": "inner"},
					"template": {` + armSchema + `, "resources": [], "outputs": {"o": {"type": "securestring", "value": "Zq9-Secret-Out"}}}}},
				` + apimARM("[reference('nested').outputs.o.value]") + `]}`},
			[]string{"zq9-secret"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			t.Chdir(dir)
			for name, src := range tt.files {
				write(t, name, []byte(src))
			}
			opts := Options{Paths: []string{"."}, Checks: check.All(), Config: &suppress.Config{}, Now: time.Now()}
			resources, diags := Resources(context.Background(), opts)
			rep := Evaluate(resources, diags, opts)
			if len(rep.Findings) == 0 {
				t.Fatalf("no finding; diagnostics %v", diags)
			}
			for _, format := range report.Formats() {
				var out bytes.Buffer
				if err := report.Write(&out, format, rep, report.Options{}); err != nil {
					t.Fatal(err)
				}
				for _, leak := range tt.leaks {
					if strings.Contains(strings.ToLower(out.String()), strings.ToLower(leak)) {
						t.Errorf("%s output holds %q:\n%s", format, leak, out.String())
					}
				}
			}
		})
	}
}
