package monitor

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/lensix/lensix/internal/check"
	"github.com/lensix/lensix/internal/source/arm/funcs"
)

// TestIaCScannerEvaluatesTemplatesForItsDeploymentScope: the monitor's rescans of a Bicep file
// give the verdict `lensix scan --deployment-scope` gives, not the unknown of a scan without it.
func TestIaCScannerEvaluatesTemplatesForItsDeploymentScope(t *testing.T) {
	dir := t.TempDir()
	src := `resource apim 'Microsoft.ApiManagement/service@2023-05-01-preview' = {
  name: 'apim-prod'
  location: 'westeurope'
  identity: { type: resourceGroup().name == 'prod' ? 'SystemAssigned' : 'None' }
}
`
	if err := os.WriteFile(filepath.Join(dir, "main.bicep"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	const sub = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/"
	tests := []struct {
		name  string
		scope string
		want  check.Status
	}{
		{"without a scope the identity is unknown", "", check.Unknown},
		{"deployed to dev the service has no identity", sub + "dev", check.Fail},
		{"deployed to prod it has one", sub + "prod", check.Pass},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var scope funcs.Scope
			if tt.scope != "" {
				var err error
				if scope, err = funcs.ParseScope(tt.scope); err != nil {
					t.Fatal(err)
				}
			}
			r, err := IaCScanner{Checks: check.All(), Scope: scope}.Scan(context.Background(), Target{Name: "infra", Paths: []string{dir}})
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Findings) != 1 || r.Findings[0].Status != tt.want {
				t.Fatalf("findings %+v, want one %s", r.Findings, tt.want)
			}
		})
	}
}
