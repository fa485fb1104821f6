package scan

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/lensix/lensix/internal/check"
	"github.com/lensix/lensix/internal/diag"
	"github.com/lensix/lensix/internal/suppress"
)

const armSchema = `"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "contentVersion": "1.0.0.0"`

func TestResourcesReportsJSONThatDoesNotParse(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	write(t, "arm/badarm.json", []byte(`{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "resources": [ {"type": "Microsoft.ApiManagement/service", "name": "x",, } ] }`))
	write(t, "arm/trunc.json", []byte(`{ "resources": [ { "type": "Microsoft.ApiManagement/service", `))
	write(t, "arm/empty.json", nil)
	write(t, "arm/ok.json", []byte(`{`+armSchema+`, "resources": [{"type": "Microsoft.ApiManagement/service", "apiVersion": "2022-08-01", "name": "ok", "location": "x"}]}`))
	write(t, "arm/ok.parameters.json", []byte(`{"parameters": {"a": }}`))
	write(t, "web/package.json", []byte(`{"name": "x" "version": "1.0.0"}`))
	write(t, "web/tsconfig.json", []byte("{\n  // comments are fine\n  \"compilerOptions\": {}\n}"))

	resources, diags := Resources(context.Background(), Options{Paths: []string{"."}, Config: &suppress.Config{}})
	var got []string
	for _, d := range diags {
		got = append(got, fmt.Sprintf("%s %s:%d", d.Severity, d.Range.Filename, d.Range.Start.Line))
	}
	sort.Strings(got)
	want := []string{
		"error arm/badarm.json:1",
		"error arm/ok.parameters.json:1", // once, though the scan and the template pairing both read it
		"error arm/trunc.json:1",
		"warning arm/empty.json:0",
		"warning web/package.json:1",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("diagnostics:\n%s\nwant:\n%s\n(%v)", strings.Join(got, "\n"), strings.Join(want, "\n"), diags)
	}
	if len(resources) != 1 || resources[0].Name != "ok" {
		t.Errorf("resources %v, want the one of arm/ok.json", resources)
	}
}

func TestResourcesMarkWhatRedactHidesAsSecrets(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	write(t, "azuredeploy.json", []byte(`{`+armSchema+`, "resources": [
		{"type": "Microsoft.KeyVault/vaults/secrets", "apiVersion": "2023-07-01", "name": "kv/db", "properties": {"value": "Kv-Secret-42"}},
		{"type": "Microsoft.Web/sites", "apiVersion": "2023-01-01", "name": "app", "location": "x",
			"properties": {"siteConfig": {"appSettings": [{"name": "DB_PASSWORD", "value": "Hunter2!x"}]}}}]}`))
	resources, diags := Resources(context.Background(), Options{Paths: []string{"."}, Config: &suppress.Config{}})
	if len(diags) != 0 || len(resources) != 2 {
		t.Fatalf("resources %d, diags %v", len(resources), diags)
	}
	want := map[string]string{"kv/db": "Kv-Secret-42", "app": "Hunter2!x"}
	for _, r := range resources {
		if !slices.Contains(r.Secrets, want[r.Name]) {
			t.Errorf("%s: secrets %q lack %q", r.Name, r.Secrets, want[r.Name])
		}
	}
}

func TestRunWarnsAtSuppressionsOfNoCheck(t *testing.T) {
	apim := `{"type": "Microsoft.ApiManagement/service", "apiVersion": "2022-08-01", "name": "a", "location": "x",
  "metadata": {"lensix": {"ignore": [
    {"check": "apimgmt_nomanagedidentiy", "reason": "typo"}
  ]}}}`
	tests := []struct {
		name, file, src string
		line            int
	}{
		{"a misspelled check in ARM metadata is warned at its entry", "main.json", `{` + armSchema + `, "resources": [` + apim + `]}`, 3},
		{"a misspelled check in a Terraform comment is warned at the comment", "main.tf",
			"resource \"azurerm_resource_group\" \"rg\" {\n  name = \"rg\"\n  location = \"x\"\n}\n\n# lensix:ignore[apimgmt_nomanagedidentiy] typo\nresource \"azurerm_api_management\" \"a\" {\n  name = \"a\"\n}\n", 6},
		{"a misspelled check in a Bicep comment is warned at the comment", "main.bicep",
			"// lensix:ignore[apimgmt_nomanagedidentiy] typo\nresource a 'Microsoft.ApiManagement/service@2022-08-01' = {\n  name: 'a'\n  location: 'x'\n}\n", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Chdir(t.TempDir())
			write(t, tt.file, []byte(tt.src))
			rep, err := Run(context.Background(), Options{Paths: []string{"."}, Checks: check.All(), Config: &suppress.Config{}, Now: time.Now()})
			if err != nil {
				t.Fatal(err)
			}
			var found bool
			for _, d := range rep.Errors {
				if d.Range.Filename == tt.file && d.Range.Start.Line == tt.line && strings.Contains(d.Summary, `"apimgmt_nomanagedidentiy"`) &&
					strings.Contains(d.Detail, "apimgmt_nomanagedidentity?") {
					found = true
				}
			}
			if !found {
				t.Errorf("no warning at %s:%d naming the check; diagnostics %v", tt.file, tt.line, rep.Errors)
			}
		})
	}
}

func TestANamedParametersFileIsScannedWithItsTemplate(t *testing.T) {
	template := `{` + armSchema + `, "parameters": {"apimName": {"type": "string", "defaultValue": "default"}},
  "resources": [{"type": "Microsoft.ApiManagement/service", "apiVersion": "2022-08-01", "name": "[parameters('apimName')]", "location": "x"}]}`
	params := `{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#", "contentVersion": "1.0.0.0",
  "parameters": {"apimName": {"value": "from-parameters"}}}`
	tests := []struct {
		name      string
		files     map[string]string
		paths     []string
		wantNames []string
		warning   string // in the detail of a warning at the named parameters file; "" for no diagnostic
	}{
		{"a parameters file named alone scans the template it pairs with",
			map[string]string{"azuredeploy.json": template, "azuredeploy.parameters.json": params},
			[]string{"azuredeploy.parameters.json"}, []string{"from-parameters"}, ""},
		{"a parameters file named with its template scans the template once",
			map[string]string{"azuredeploy.json": template, "azuredeploy.parameters.json": params},
			[]string{"azuredeploy.parameters.json", "azuredeploy.json"}, []string{"from-parameters"}, ""},
		{"a parameters file named alone without its template says which template to scan",
			map[string]string{"azuredeploy.parameters.json": params},
			[]string{"azuredeploy.parameters.json"}, nil, "No ARM template azuredeploy.json is beside it"},
		{"a parameters file beside a JSON file that is no template says so",
			map[string]string{"app.json": `{"name": "app"}`, "app.parameters.json": params},
			[]string{"app.parameters.json"}, nil, "app.json beside it is no ARM template"},
		{"a parameters file named otherwise points to --parameters",
			map[string]string{"prod.json": params},
			[]string{"prod.json"}, nil, "--parameters prod.json"},
		{"a parameters file found in a folder without its template is no warning",
			map[string]string{"azuredeploy.parameters.json": params},
			[]string{"."}, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Chdir(t.TempDir())
			for name, src := range tt.files {
				write(t, name, []byte(src))
			}
			resources, diags := Resources(context.Background(), Options{Paths: tt.paths, Config: &suppress.Config{}})
			var names []string
			for _, r := range resources {
				names = append(names, r.Name)
			}
			if !slices.Equal(names, tt.wantNames) {
				t.Errorf("resources %v, want %v", names, tt.wantNames)
			}
			switch {
			case tt.warning == "" && len(diags) > 0:
				t.Errorf("diagnostics %v, want none", diags)
			case tt.warning != "" && (len(diags) != 1 || diags[0].Severity != diag.Warning || diags[0].Range.Filename != tt.paths[0] ||
				!strings.Contains(diags[0].Detail, tt.warning)):
				t.Errorf("diagnostics %v, want one warning at %s saying %q", diags, tt.paths[0], tt.warning)
			}
		})
	}
}

func TestParameterNamesAreCheckedAcrossARMAndBicepTemplates(t *testing.T) {
	tests := []struct {
		name   string
		params []string
		want   []string // warnings, as summaries
	}{
		{"a --param only the Bicep template declares is no warning", []string{"idType=SystemAssigned"}, nil},
		{"a --param only the ARM template declares is no warning", []string{"sku=Premium"}, nil},
		{"a --param no template declares is one warning", []string{"zz=1"}, []string{`Parameter "zz" (from --param) is not declared by any of the templates scanned`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Chdir(t.TempDir())
			write(t, "main.bicep", []byte("param idType string = 'None'\nresource s 'Microsoft.ApiManagement/service@2022-08-01' = {\n  name: 's'\n  identity: { type: idType }\n}\n"))
			write(t, "arm.json", []byte(`{`+armSchema+`, "parameters": {"sku": {"type": "string", "defaultValue": "Developer"}}, "resources": []}`))
			opts := Options{Paths: []string{"."}, Config: &suppress.Config{}}
			opts.ARM.Params, opts.Bicep.Params = tt.params, tt.params
			_, diags := Resources(context.Background(), opts)
			var got []string
			for _, d := range diags {
				got = append(got, d.Summary)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("diagnostics %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRunWarnsAtSuppressionsThatMatchNoResultOfACheckThatRan(t *testing.T) {
	ignore := func(check string) string {
		return `"metadata": {"lensix": {"ignore": [{"check": "` + check + `", "reason": "r"}]}}`
	}
	template := func(resources ...string) string {
		return `{` + armSchema + `, "resources": [` + strings.Join(resources, ",\n") + `]}`
	}
	const fixed = `{"type": "Microsoft.ApiManagement/service", "apiVersion": "2022-08-01", "name": "fixed", "location": "x", "identity": {"type": "SystemAssigned"}, `
	const loop = `{"type": "Microsoft.ApiManagement/service", "apiVersion": "2022-08-01", "name": "[concat('a', copyIndex())]", "location": "x",
  "copy": {"name": "l", "count": 2}, "identity": "[if(equals(copyIndex(), 0), createObject('type', 'SystemAssigned'), null())]", `
	tests := []struct {
		name     string
		src      string
		checks   []*check.Check
		policies []string
		want     int
	}{
		{"a suppression on a resource that passes is warned", template(fixed + ignore("apimgmt_nomanagedidentity") + `}`), check.All(), nil, 1},
		{"a suppression of a check deselected by --skip-checks is no warning", template(fixed + ignore("apimgmt_nomanagedidentity") + `}`), nil, nil, 0},
		{"a suppression that silenced one copy of a loop is used", template(loop + ignore("apimgmt_nomanagedidentity") + `}`), check.All(), nil, 0},
		{"a wildcard on a resource that passes every check is warned", template(fixed + ignore("*") + `}`), check.All(), nil, 1},
		{"a wildcard is no warning while policy definitions run beside the checks", template(fixed + ignore("*") + `}`), check.All(), []string{"deny-eastus"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Chdir(t.TempDir())
			write(t, "main.json", []byte(tt.src))
			rep, err := Run(context.Background(), Options{Paths: []string{"."}, Checks: tt.checks, PolicyIDs: tt.policies, Config: &suppress.Config{}, Now: time.Now()})
			if err != nil {
				t.Fatal(err)
			}
			var got int
			for _, d := range rep.Errors {
				if strings.Contains(d.Summary, "matches no result") {
					got++
					if d.Range.Filename != "main.json" || d.Range.Start.Line == 0 {
						t.Errorf("warning %v is not at the suppression", d)
					}
				}
			}
			if got != tt.want {
				t.Errorf("got %d unused-suppression warnings, want %d; diagnostics %v", got, tt.want, rep.Errors)
			}
		})
	}
}
