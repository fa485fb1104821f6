package store

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lensix/lensix/internal/check"
	_ "github.com/lensix/lensix/internal/checks" // the real check, whose message quotes identity.type
	"github.com/lensix/lensix/internal/scan"
	"github.com/lensix/lensix/internal/suppress"
)

// apimWith is a Terraform file with a sensitive variable and one API Management service whose
// name and identity type are the given expressions.
func apimWith(name, identityType string) string {
	return `variable "secret" {
  type      = string
  sensitive = true
  default   = "S3cretViaVarDefault"
}
locals { s = var.secret }
resource "azurerm_api_management" "x" {
  name                = ` + name + `
  location            = "westeurope"
  resource_group_name = "rg"
  publisher_name      = "x"
  publisher_email     = "a@b.c"
  sku_name            = "Developer_1"
  identity {
    type = ` + identityType + `
  }
}
`
}

func TestStoredFindingsAndTheirDiffCarryNoSecret(t *testing.T) {
	tests := []struct {
		name string
		tf   string
	}{
		{"a sensitive variable flowing into identity.type through a local is redacted", apimWith(`"apim-x"`, "local.s")},
		{"a sensitive variable flowing into the resource name is redacted", apimWith(`"apim-${var.secret}"`, `"None"`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(tt.tf), 0o644); err != nil {
				t.Fatal(err)
			}
			opts := scan.Options{Paths: []string{dir}, Checks: check.All(), Config: &suppress.Config{}, Now: time.Now()}
			resources, diags := scan.Resources(context.Background(), opts)
			observed, blind := Observe(scan.Evaluate(resources, diags, opts))
			s := openTemp(t)
			_, changes, err := s.RecordScan(context.Background(), Scan{Target: "infra", StartedAt: time.Now(), Status: Complete, BlindScopes: blind}, observed)
			if err != nil {
				t.Fatal(err)
			}
			stored, err := s.Findings(context.Background(), FindingFilter{})
			if err != nil {
				t.Fatal(err)
			}
			added, _ := Diff(nil, observed, nil)
			out, err := json.Marshal(map[string]any{"changes": changes, "findings": stored, "diff": added})
			if err != nil {
				t.Fatal(err)
			}
			if len(stored) == 0 || len(added) == 0 {
				t.Fatalf("no finding was stored: %s", out)
			}
			if strings.Contains(string(out), "S3cretViaVarDefault") {
				t.Errorf("the store and diff hold the secret: %s", out)
			}
			if !strings.Contains(string(out), `\u003credacted\u003e`) {
				t.Errorf("the store and diff do not show where the secret was: %s", out)
			}
		})
	}
}
