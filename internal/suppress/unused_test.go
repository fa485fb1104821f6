package suppress

import (
	"strings"
	"testing"
	"time"

	"github.com/lensix/lensix/internal/check"
	"github.com/lensix/lensix/internal/diag"
	"github.com/lensix/lensix/internal/resource"
)

func TestUnusedWarnsAtSuppressionsThatMatchNoResult(t *testing.T) {
	apim := &check.Check{Metadata: check.Metadata{ID: "apimgmt_nomanagedidentity"}}
	storage := &check.Check{Metadata: check.Metadata{ID: "storage_publicaccess"}}
	at := func(file string, line int) resource.Range {
		return resource.Range{Filename: file, Start: resource.Pos{Line: line}}
	}
	ignore := func(id string, line int) resource.Suppression {
		return resource.Suppression{CheckID: id, Reason: "r", Range: at("main.json", line)}
	}
	res := func(typ, name string, ss ...resource.Suppression) *resource.Resource {
		return &resource.Resource{Type: typ, Name: name, Provenance: resource.Provenance{Address: name}, Suppressions: ss}
	}
	const service = "Microsoft.ApiManagement/service"
	type result struct {
		check  *check.Check
		on     int // index into resources
		status check.Status
	}
	cfgYAML := `
suppressions:
  - check: apimgmt_nomanagedidentity
    resource: apim-gone
    reason: removed last year
  - check: APIMGMT_NoManagedIdentity
    resource: apim-old
    reason: migrating
  - check: apimgmt_nomanagedidentity
    resource: apim-fixed
    reason: was broken
  - check: storage_publicaccess
    resource: "*"
    reason: not our storage
  - check: apimgmt_nomanagedidentity
    resource: apim-lapsed
    reason: was accepted
    expires: 2020-01-01
`
	tests := []struct {
		name      string
		resources []*resource.Resource
		results   []result
		ran       []string
		allRan    bool
		config    bool
		want      []warning
	}{
		{"a comment on a resource that passes is warned at the comment",
			[]*resource.Resource{res(service, "a", ignore("apimgmt_nomanagedidentity", 4))},
			[]result{{apim, 0, check.Pass}}, []string{apim.ID}, false, false,
			[]warning{{4, "Suppression of apimgmt_nomanagedidentity matches no result: the resource passes or the check does not apply to it; remove it", "apimgmt_nomanagedidentity passes on it"}}},
		{"a comment that silenced a failure is no warning",
			[]*resource.Resource{res(service, "a", ignore("apimgmt_nomanagedidentity", 4))},
			[]result{{apim, 0, check.Fail}}, []string{apim.ID}, false, false, nil},
		{"a comment that silenced an unknown result is no warning",
			[]*resource.Resource{res(service, "a", ignore("APIMGMT_NoManagedIdentity", 4))},
			[]result{{apim, 0, check.Unknown}}, []string{apim.ID}, false, false, nil},
		{"an entry on a nested deployment says it does not reach the resources the deployment deploys",
			[]*resource.Resource{res("Microsoft.Resources/deployments", "mod", ignore("apimgmt_nomanagedidentity", 12)), res(service, "inmod")},
			[]result{{apim, 1, check.Fail}}, []string{apim.ID}, false, false,
			[]warning{{12, "Suppression of apimgmt_nomanagedidentity matches no result", "does not reach the resources it deploys"}}},
		{"a comment for a check deselected from the scan is no warning",
			[]*resource.Resource{res(service, "a", ignore("storage_publicaccess", 4))},
			[]result{{apim, 0, check.Fail}}, []string{apim.ID}, false, false, nil},
		{"a comment naming an unknown check is left to the unknown-check warning",
			[]*resource.Resource{res(service, "a", ignore("apimgmt_nomanagedidentiy", 4))},
			[]result{{apim, 0, check.Pass}}, []string{apim.ID}, true, false, nil},
		{"a comment on a loop is used when one copy's failure matched it",
			[]*resource.Resource{res(service, "a0", ignore("apimgmt_nomanagedidentity", 4)), res(service, "a1", ignore("apimgmt_nomanagedidentity", 4))},
			[]result{{apim, 0, check.Pass}, {apim, 1, check.Fail}}, []string{apim.ID}, false, false, nil},
		{"a comment on a loop whose copies all pass is warned once",
			[]*resource.Resource{res(service, "a0", ignore("apimgmt_nomanagedidentity", 4)), res(service, "a1", ignore("apimgmt_nomanagedidentity", 4))},
			[]result{{apim, 0, check.Pass}, {apim, 1, check.Pass}}, []string{apim.ID}, false, false,
			[]warning{{4, "matches no result", "passes on it"}}},
		{"a wildcard is not judged when some checks did not run",
			[]*resource.Resource{res(service, "a", ignore("*", 4))},
			[]result{{apim, 0, check.Pass}}, []string{apim.ID}, false, false, nil},
		{"a wildcard is warned when every check ran and passes",
			[]*resource.Resource{res(service, "a", ignore("*", 4))},
			[]result{{apim, 0, check.Pass}}, []string{apim.ID, storage.ID}, true, false,
			[]warning{{4, "Suppression of * matches no result", "Every check that ran passes on it"}}},
		{"a wildcard that silenced a failure is no warning",
			[]*resource.Resource{res(service, "a", ignore("*", 4))},
			[]result{{apim, 0, check.Fail}}, []string{apim.ID, storage.ID}, true, false, nil},
		{"config entries that matched nothing or only passes are warned at their line, an expired one that matched is not",
			[]*resource.Resource{res(service, "apim-old"), res(service, "apim-fixed"), res(service, "apim-lapsed")},
			[]result{{apim, 0, check.Fail}, {apim, 1, check.Pass}, {apim, 2, check.Fail}}, []string{apim.ID}, false, true,
			[]warning{
				{3, "Suppression of apimgmt_nomanagedidentity for apim-gone in .lensix.yaml matches no result; remove it", `No resource of this scan has an address, name or ID matching "apim-gone"`},
				{9, "Suppression of apimgmt_nomanagedidentity for apim-fixed in .lensix.yaml matches no result; remove it", "The resources it names pass or the check does not apply to them"},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var cfg *Config
			if tt.config {
				var err error
				if cfg, err = Parse(".lensix.yaml", []byte(cfgYAML)); err != nil {
					t.Fatal(err)
				}
			}
			var findings []check.Finding
			for _, r := range tt.results {
				findings = append(findings, check.Finding{Check: r.check, Resource: tt.resources[r.on], Status: r.status})
			}
			Apply(findings, cfg, time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC))
			got := Unused(findings, tt.resources, cfg, tt.ran, tt.allRan)
			if len(got) != len(tt.want) {
				t.Fatalf("got %d diagnostics %v, want %d", len(got), got, len(tt.want))
			}
			for i, d := range got {
				w := tt.want[i]
				file := "main.json"
				if tt.config {
					file = ".lensix.yaml"
				}
				if d.Severity != diag.Warning || d.Range.Filename != file || d.Range.Start.Line != w.line ||
					!strings.Contains(d.Summary, w.summary) || !strings.Contains(d.Detail, w.detail) {
					t.Errorf("got %s at %v: %s / %s, want a warning at %s:%d: %s / %s", d.Severity, d.Range, d.Summary, d.Detail, file, w.line, w.summary, w.detail)
				}
				if tt.config && d.Range.Start.Column != 5 {
					t.Errorf("warning at column %d, want 5, where the entry starts", d.Range.Start.Column)
				}
			}
		})
	}
}
