package suppress

import (
	"strings"
	"testing"
	"time"

	"github.com/lensix/lensix/internal/check"
	"github.com/lensix/lensix/internal/resource"
)

func TestParseRejectsIncompleteConfig(t *testing.T) {
	tests := []struct {
		name, yaml, wantErr string
	}{
		{"a suppression without a reason is rejected", "suppressions:\n  - check: a\n    resource: b\n", "needs a `reason`"},
		{"a suppression without a resource is rejected", "suppressions:\n  - check: a\n    reason: r\n", "needs both"},
		{"an expiry that is not a date is rejected", "suppressions:\n  - check: a\n    resource: b\n    reason: r\n    expires: soon\n", "not a date"},
		{"an unknown key is rejected", "supressions: []\n", "supressions"},
		{"an unknown key in the deployment section is rejected", "deployment:\n  resource-group: prod\n", "resource-group"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(".lensix.yaml", []byte(tt.yaml))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), ".lensix.yaml") {
				t.Errorf("error %q does not name the file", err)
			}
		})
	}
	t.Run("an empty file is an empty config", func(t *testing.T) {
		if _, err := Parse(".lensix.yaml", nil); err != nil {
			t.Fatal(err)
		}
	})
}

func TestDeploymentSectionIsRead(t *testing.T) {
	cfg, err := Parse(".lensix.yaml", []byte("deployment:\n  scope: /subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590/resourceGroups/prod\n  location: westeurope\n  tenant-id: 72f988bf-86f1-41af-91ab-2d7cd011db47\n  name: release\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := Deployment{Scope: "/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590/resourceGroups/prod", Location: "westeurope",
		TenantID: "72f988bf-86f1-41af-91ab-2d7cd011db47", Name: "release"}
	if cfg.Deployment != want {
		t.Errorf("deployment = %+v, want %+v", cfg.Deployment, want)
	}
}

func TestExcluded(t *testing.T) {
	cfg := &Config{ExcludePaths: []string{"legacy/**", "*.generated.tf", "./vendor/"}}
	tests := []struct {
		path string
		want bool
	}{
		{"legacy/main.tf", true},
		{"legacy/deep/er/main.tf", true},
		{"infra/legacy/main.tf", false},
		{"main.generated.tf", true},
		{"infra/main.generated.tf", false},
		{"vendor/x.tf", true},
		{"infra/main.tf", false},
	}
	for _, tt := range tests {
		if got := cfg.Excluded(tt.path); got != tt.want {
			t.Errorf("Excluded(%q) = %v, want %v", tt.path, got, tt.want)
		}
	}
}

func TestApply(t *testing.T) {
	cfg, err := Parse(".lensix.yaml", []byte(`
suppressions:
  - check: apimgmt_nomanagedidentity
    resource: module.legacy.*
    reason: decommissioned in Q1
    expires: 2030-01-31
  - check: "*"
    resource: "/subscriptions/*/resourceGroups/sandbox/*"
    reason: sandbox
  - check: apimgmt_nomanagedidentity
    resource: azurerm_api_management.old
    reason: was fixed long ago
    expires: 2020-01-01
  - check: APIMGMT_NoManagedIdentity
    resource: azurerm_api_management.shouty
    reason: legacy
`))
	if err != nil {
		t.Fatal(err)
	}
	c := &check.Check{Metadata: check.Metadata{ID: "apimgmt_nomanagedidentity"}}
	finding := func(status check.Status, r *resource.Resource) check.Finding {
		return check.Finding{Check: c, Resource: r, Status: status}
	}
	inline := &resource.Resource{Provenance: resource.Provenance{Address: "azurerm_api_management.a"},
		Suppressions: []resource.Suppression{{CheckID: "apimgmt_nomanagedidentity", Reason: "accepted risk"}}}
	shouted := &resource.Resource{Suppressions: []resource.Suppression{{CheckID: "APIMGMT_NoManagedIdentity", Reason: "legacy"}}}
	unexplained := &resource.Resource{Provenance: resource.Provenance{Address: "azurerm_api_management.b"},
		Suppressions: []resource.Suppression{{CheckID: "apimgmt_nomanagedidentity", Range: resource.Range{Filename: "main.tf", Start: resource.Pos{Line: 7}}}}}
	unexplainedJSON := &resource.Resource{Suppressions: []resource.Suppression{{CheckID: "apimgmt_nomanagedidentity", InMetadata: true,
		Range: resource.Range{Filename: "main.json", Start: resource.Pos{Line: 18}}}}}
	tests := []struct {
		name       string
		finding    check.Finding
		now        time.Time
		wantStatus check.Status
		wantKind   string
		wantNote   string
	}{
		{"an inline comment suppresses a failure", finding(check.Fail, inline), time.Now(), check.Suppressed, "inline", ""},
		{"an inline comment suppresses an unknown", finding(check.Unknown, inline), time.Now(), check.Suppressed, "inline", ""},
		{"an inline comment without a reason suppresses but notes that no reason was given", finding(check.Fail, unexplained), time.Now(), check.Suppressed, "inline", "main.tf:7: no reason given; write why after the ]: lensix:ignore[apimgmt_nomanagedidentity] reason"},
		{"an ARM metadata entry without a reason notes the JSON to add", finding(check.Fail, unexplainedJSON), time.Now(), check.Suppressed, "inline", `main.json:18: no reason given; add "reason": "why"`},
		{"an inline comment naming the check in another case suppresses", finding(check.Fail, shouted), time.Now(), check.Suppressed, "inline", ""},
		{"a pass is never suppressed", finding(check.Pass, inline), time.Now(), check.Pass, "", ""},
		{"a config rule matches a module address by glob", finding(check.Fail, &resource.Resource{Provenance: resource.Provenance{Address: "module.legacy.azurerm_api_management.this[0]"}}),
			time.Date(2030, 1, 31, 23, 0, 0, 0, time.UTC), check.Suppressed, "config", ""},
		{"a config rule matches a resource ID without regard to case", finding(check.Fail, &resource.Resource{ID: "/subscriptions/1/resourceGroups/SANDBOX/providers/Microsoft.ApiManagement/service/x"}),
			time.Now(), check.Suppressed, "config", ""},
		{"a rule past its expiry lets the failure return with a note", finding(check.Fail, &resource.Resource{Provenance: resource.Provenance{Address: "azurerm_api_management.old"}}),
			time.Now(), check.Fail, "", "expired on 2020-01-01"},
		{"a config rule naming the check in another case suppresses", finding(check.Fail, &resource.Resource{Provenance: resource.Provenance{Address: "azurerm_api_management.shouty"}}),
			time.Now(), check.Suppressed, "config", ""},
		{"a rule for another resource does not apply", finding(check.Fail, &resource.Resource{Provenance: resource.Provenance{Address: "azurerm_api_management.new"}}),
			time.Now(), check.Fail, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := []check.Finding{tt.finding}
			Apply(fs, cfg, tt.now)
			got := fs[0]
			if got.Status != tt.wantStatus {
				t.Fatalf("status = %s, want %s", got.Status, tt.wantStatus)
			}
			if tt.wantKind != "" && (got.Suppression == nil || got.Suppression.Kind != tt.wantKind || got.Suppression.Hides != tt.finding.Status) {
				t.Errorf("suppression = %+v, want kind %s hiding %s", got.Suppression, tt.wantKind, tt.finding.Status)
			}
			if tt.wantNote != "" && (len(got.Notes) != 1 || !strings.Contains(got.Notes[0], tt.wantNote)) {
				t.Errorf("notes = %q, want one containing %q", got.Notes, tt.wantNote)
			}
			if tt.wantNote == "" && len(got.Notes) > 0 {
				t.Errorf("notes = %q, want none", got.Notes)
			}
		})
	}
}

func TestPolicyFoldersAreRelativeToTheConfigFile(t *testing.T) {
	cfg, err := Parse("infra/.lensix.yaml", []byte("policies: [policies, /abs/defs]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(cfg.Policies, ","); got != "infra/policies,/abs/defs" {
		t.Errorf("policies = %s", got)
	}
}
