package scan

import (
	"context"
	"fmt"
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
