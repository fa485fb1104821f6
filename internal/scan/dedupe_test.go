package scan

import (
	"testing"

	"github.com/lensix/lensix/internal/resource"
)

func TestDedupe(t *testing.T) {
	const id = "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.ApiManagement/service/a"
	saved := func(rid, address string) *resource.Resource {
		return &resource.Resource{ID: rid, Provenance: resource.Provenance{Source: "snapshot", Address: address}}
	}
	first := saved(id, "first")
	tests := []struct {
		name string
		in   []*resource.Resource
		want []string // addresses kept
	}{
		{"the same ID read twice is one resource, the first read", []*resource.Resource{first, saved(id, "second")}, []string{"first"}},
		{"a live resource and a saved one with the same ID are one resource", []*resource.Resource{{ID: id, Provenance: resource.Provenance{Source: "azure", Address: "live"}}, saved(id, "saved")}, []string{"live"}},
		{"an IaC declaration and the running resource are judged apart", []*resource.Resource{{ID: id, Provenance: resource.Provenance{Source: "arm", Address: "template"}}, saved(id, "saved")}, []string{"template", "saved"}},
		{"IDs that differ only in letter case are the same resource", []*resource.Resource{first, saved("/SUBSCRIPTIONS/s1/resourcegroups/RG/providers/microsoft.apimanagement/service/A", "upper")}, []string{"first"}},
		{"resources without an ID are all kept", []*resource.Resource{saved("", "x"), saved("", "y")}, []string{"x", "y"}},
		{"different IDs are different resources", []*resource.Resource{first, saved(id+"2", "other")}, []string{"first", "other"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Dedupe(tt.in)
			if len(got) != len(tt.want) {
				t.Fatalf("kept %d resources, want %d", len(got), len(tt.want))
			}
			for i, r := range got {
				if r.Provenance.Address != tt.want[i] {
					t.Errorf("kept[%d] = %s, want %s", i, r.Provenance.Address, tt.want[i])
				}
			}
		})
	}
}
