package scan

import (
	"testing"

	"github.com/lensix/lensix/internal/check"
	"github.com/lensix/lensix/internal/diag"
	"github.com/lensix/lensix/internal/resource"
)

func TestResourcesNotDeployedWithTheDefaultsWarnWhenACheckAppliesToThem(t *testing.T) {
	apimCheck := &check.Check{Metadata: check.Metadata{ID: "apimgmt_x", ResourceTypes: []string{"Microsoft.ApiManagement/service"}}}
	at := resource.Range{Filename: "main.json", Start: resource.Pos{Line: 8, Column: 5}}
	off := func(typ string, defaults ...string) resource.NotDeployed {
		return resource.NotDeployed{Type: typ, Name: "apim-prod", Provenance: resource.Provenance{Source: "arm", Range: at},
			Switch: "its condition [parameters('deployApim')] is false", Defaults: defaults, Fix: "pass --param deployApim=true"}
	}
	tests := []struct {
		name   string
		off    resource.NotDeployed
		checks []*check.Check
		want   []diag.Diagnostic
	}{
		{
			name: "a type a selected check applies to is a warning at the declaration",
			off:  off("Microsoft.ApiManagement/service", "deployApim"), checks: []*check.Check{apimCheck},
			want: []diag.Diagnostic{{Severity: diag.Warning, Range: at,
				Summary: "apim-prod (Microsoft.ApiManagement/service) is not deployed with the defaults",
				Detail:  "its condition [parameters('deployApim')] is false because parameter deployApim was not given; pass --param deployApim=true to check it"}},
		},
		{
			name: "the type matches without regard to case and several defaults are named",
			off:  off("microsoft.apimanagement/SERVICE", "a", "b", "c"), checks: []*check.Check{apimCheck},
			want: []diag.Diagnostic{{Severity: diag.Warning, Range: at,
				Summary: "apim-prod (microsoft.apimanagement/SERVICE) is not deployed with the defaults",
				Detail:  "its condition [parameters('deployApim')] is false because parameters a, b and c were not given; pass --param deployApim=true to check it"}},
		},
		{
			name: "a module that would deploy a checked type is a warning that says so",
			off: resource.NotDeployed{Type: "Microsoft.Resources/deployments", Name: "apim", Provenance: resource.Provenance{Source: "bicep", Range: at},
				Switch: "its condition (deployApim) is false", Defaults: []string{"deployApim"}, Fix: "pass --param deployApim=true",
				Deploys: []string{"Microsoft.ApiManagement/service", "Microsoft.Authorization/locks"}},
			checks: []*check.Check{apimCheck},
			want: []diag.Diagnostic{{Severity: diag.Warning, Range: at,
				Summary: "apim (Microsoft.Resources/deployments) is not deployed with the defaults",
				Detail:  "its condition (deployApim) is false because parameter deployApim was not given, so neither is the Microsoft.ApiManagement/service it deploys; pass --param deployApim=true to check it"}},
		},
		{
			name: "a module that deploys only locks is quiet when no check applies to locks",
			off: resource.NotDeployed{Type: "Microsoft.Resources/deployments", Name: "lock", Provenance: resource.Provenance{Source: "bicep", Range: at},
				Switch: "its condition (lock) is false", Defaults: []string{"lock"}, Fix: "pass --param lock=true",
				Deploys: []string{"Microsoft.Authorization/locks"}},
			checks: []*check.Check{apimCheck},
		},
		{
			name: "a lock switched off by default is quiet when no check applies to locks",
			off:  off("Microsoft.Authorization/locks", "lock"), checks: []*check.Check{apimCheck},
		},
		{
			name: "nothing warns when no check is selected",
			off:  off("Microsoft.ApiManagement/service", "deployApim"),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := notDeployedWarnings([]resource.NotDeployed{tt.off}, tt.checks)
			if len(got) != len(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("got  %#v\nwant %#v", got[i], tt.want[i])
				}
			}
		})
	}
}
