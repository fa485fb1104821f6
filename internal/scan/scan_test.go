package scan

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

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
