package suppress

import (
	"strings"
	"testing"

	"github.com/lensix/lensix/internal/diag"
	"github.com/lensix/lensix/internal/resource"
)

type warning struct {
	line            int
	summary, detail string
}

func TestUnknownChecksWarnsAtSuppressionsThatNameNoCheck(t *testing.T) {
	at := func(line int) resource.Range {
		return resource.Range{Filename: "main.json", Start: resource.Pos{Line: line}}
	}
	on := func(ss ...resource.Suppression) *resource.Resource { return &resource.Resource{Suppressions: ss} }
	known := []string{"apimgmt_nomanagedidentity", "storage_publicaccess"}
	tests := []struct {
		name      string
		resources []*resource.Resource
		want      []warning
	}{
		{"a misspelled check ID is warned at the entry with the closest ID",
			[]*resource.Resource{on(resource.Suppression{CheckID: "apimgmt_nomanagedidentiy", Range: at(18)})},
			[]warning{{18, `unknown check "apimgmt_nomanagedidentiy"`, "Did you mean apimgmt_nomanagedidentity?"}}},
		{"a known check ID in another letter case is no warning",
			[]*resource.Resource{on(resource.Suppression{CheckID: "APIMGMT_NoManagedIdentity", Range: at(3)})}, nil},
		{"the wildcard is no warning",
			[]*resource.Resource{on(resource.Suppression{CheckID: "*", Range: at(3)})}, nil},
		{"a policy definition run beside the checks is no warning",
			[]*resource.Resource{on(resource.Suppression{CheckID: "deny-eastus", Range: at(3)})}, nil},
		{"an ID like no check points to the list of checks",
			[]*resource.Resource{on(resource.Suppression{CheckID: "CKV_AZURE_107", Range: at(5)})},
			[]warning{{5, `unknown check "CKV_AZURE_107"`, "lensix checks"}}},
		{"copies of one declaration warn once",
			[]*resource.Resource{
				on(resource.Suppression{CheckID: "storage_publicacess", Range: at(9)}),
				on(resource.Suppression{CheckID: "storage_publicacess", Range: at(9)}),
			},
			[]warning{{9, `unknown check "storage_publicacess"`, "Did you mean storage_publicaccess?"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := UnknownChecks(tt.resources, append(known, "deny-eastus"))
			if len(got) != len(tt.want) {
				t.Fatalf("got %d diagnostics %v, want %d", len(got), got, len(tt.want))
			}
			for i, d := range got {
				w := tt.want[i]
				if d.Severity != diag.Warning || d.Range.Filename != "main.json" || d.Range.Start.Line != w.line ||
					!strings.Contains(d.Summary, w.summary) || !strings.Contains(d.Detail, w.detail) {
					t.Errorf("got %s at %v: %s / %s, want a warning at line %d: %s / %s", d.Severity, d.Range, d.Summary, d.Detail, w.line, w.summary, w.detail)
				}
			}
		})
	}
}
