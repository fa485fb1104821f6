package terraform_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/lensix/lensix/internal/source/terraform"
)

// addSeeds adds every file matching pattern as a seed.
func addSeeds(f *testing.F, pattern string) {
	names, err := filepath.Glob(pattern)
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range names {
		src, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src)
	}
}

// FuzzLoad feeds arbitrary bytes to the module loader as a module's main.tf: whatever the input,
// Load must return (resources and diagnostics) without panicking or hanging.
func FuzzLoad(f *testing.F) {
	addSeeds(f, "testdata/*/main.tf")
	addSeeds(f, "testdata/*/*/main.tf")
	f.Add([]byte("resource \"azurerm_api_management\" \"x\" {\n  dynamic \"identity\" {\n    for_each = {a = 1}\n    content { type = identity.key }\n  }\n}\n"))
	f.Add([]byte("locals { a = local.a }\nresource \"azapi_resource\" \"x\" { type = local.a\n body = jsondecode(local.a) }"))
	f.Add([]byte("module \"m\" { source = \"./\" }\nresource \"azurerm_api_management\" \"x\" { count = -1 }"))
	f.Fuzz(func(t *testing.T, src []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "main.tf"), src, 0o644); err != nil {
			t.Fatal(err)
		}
		resources, _ := terraform.Load([]string{filepath.ToSlash(dir)}, terraform.Options{})
		for _, r := range resources {
			if r.Body == nil || r.Provenance.Address == "" {
				t.Fatalf("resource without body or address: %+v", r)
			}
		}
	})
}

// FuzzReadPlan feeds arbitrary bytes to the plan reader.
func FuzzReadPlan(f *testing.F) {
	addSeeds(f, "testdata/plan/*.json")
	f.Add([]byte(`{"format_version":"1.2","resource_changes":[{"address":"a.b","mode":"managed","type":"azurerm_api_management","change":{"after":{"identity":[{"type":null}]},"after_unknown":{"identity":[true,{"x":[true]}]}}}]}`))
	f.Add([]byte(`{"format_version":"1.2","planned_values":{"root_module":{"resources":[{"address":"azapi_resource.x","mode":"managed","type":"azapi_resource","values":{"type":"@","body":"[1]"}}]}}}`))
	f.Fuzz(func(t *testing.T, src []byte) {
		_ = terraform.IsPlan(src)
		_, _ = terraform.ReadPlan("plan.json", src)
	})
}
