package store

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/lensix/lensix/internal/check"
	"github.com/lensix/lensix/internal/diag"
	"github.com/lensix/lensix/internal/report"
	"github.com/lensix/lensix/internal/resource"
)

// A project scanned from its root and from inside its infra folder names the same file in two
// ways; the store must see one finding, not one resolved and one new.
func TestTheSameFileScannedFromTwoFoldersIsOneFinding(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "infra"), 0o755); err != nil {
		t.Fatal(err)
	}
	c := &check.Check{Metadata: check.Metadata{ID: "apimgmt_nomanagedidentity", Severity: check.Medium}}
	observe := func(dir, file string) (Observation, []string) {
		t.Chdir(dir)
		r := &resource.Resource{Type: "Microsoft.ApiManagement/service", Name: "apim",
			Provenance: resource.Provenance{Source: "terraform", Address: "azurerm_api_management.this",
				Range: resource.Range{Filename: file, Start: resource.Pos{Line: 1, Column: 1}}}}
		rep := &report.Report{
			Findings: []check.Finding{{Check: c, Resource: r, Status: check.Fail}},
			Errors:   diag.Diagnostics{{Severity: diag.Error, Summary: "broken", Range: resource.Range{Filename: file}}},
		}
		obs, scopes := Observe(rep)
		return obs[0], scopes
	}
	fromRoot, rootScopes := observe(root, "infra/main.tf")
	fromInfra, infraScopes := observe(filepath.Join(root, "infra"), "main.tf")
	if fromRoot.Key != fromInfra.Key {
		t.Errorf("keys differ: %q from the root, %q from infra/", fromRoot.Key, fromInfra.Key)
	}
	if len(rootScopes) != 1 || rootScopes[0] != infraScopes[0] || !Blind(infraScopes, fromRoot) {
		t.Errorf("the unreadable file should be one scope whatever the folder: %v vs %v", rootScopes, infraScopes)
	}
}
