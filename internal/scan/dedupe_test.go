package scan

import (
	"testing"

	"github.com/lensix/lensix/internal/resource"
)

func TestDedupe(t *testing.T) {
	const id = "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.ApiManagement/service/a"
	first := &resource.Resource{ID: id, Provenance: resource.Provenance{Address: "first"}}
	tests := []struct {
		name string
		in   []*resource.Resource
		want []string // addresses kept
	}{
		{"the same ID read twice is one resource, the first read", []*resource.Resource{first, {ID: id, Provenance: resource.Provenance{Address: "second"}}}, []string{"first"}},
		{"IDs that differ only in letter case are the same resource", []*resource.Resource{first, {ID: "/SUBSCRIPTIONS/s1/resourcegroups/RG/providers/microsoft.apimanagement/service/A", Provenance: resource.Provenance{Address: "upper"}}}, []string{"first"}},
		{"resources without an ID are all kept", []*resource.Resource{{Provenance: resource.Provenance{Address: "x"}}, {Provenance: resource.Provenance{Address: "y"}}}, []string{"x", "y"}},
		{"different IDs are different resources", []*resource.Resource{first, {ID: id + "2", Provenance: resource.Provenance{Address: "other"}}}, []string{"first", "other"}},
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
