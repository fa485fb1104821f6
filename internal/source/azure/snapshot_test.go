package azure

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/lensix/lensix/internal/resource"
)

const apimID = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apim1"

func TestIsSnapshot(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want bool
	}{
		{"one resource as a GET returns it is a snapshot", `{"id": "` + apimID + `", "name": "apim1", "type": "Microsoft.ApiManagement/service", "properties": {}}`, true},
		{"a list response is a snapshot", `{"value": [{"id": "` + apimID + `", "name": "apim1", "type": "Microsoft.ApiManagement/service"}], "nextLink": null}`, true},
		{"an empty list response is a snapshot", `{"value": []}`, true},
		{"az graph query output is a snapshot", `{"count": 1, "data": [{"id": "` + apimID + `", "name": "apim1", "type": "microsoft.apimanagement/service"}], "skip_token": null, "total_records": 1}`, true},
		{"az apim list output is a snapshot", `[{"id": "` + apimID + `", "name": "apim1", "type": "Microsoft.ApiManagement/service", "publisherEmail": "a@b.c"}]`, true},
		{"a lensix snapshot is a snapshot", `{"lensixSnapshot": 1, "resources": []}`, true},
		{"an ARM template is not a snapshot", `{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "resources": [{"type": "Microsoft.ApiManagement/service", "name": "x"}]}`, false},
		{"a list of things that are not resources is not a snapshot", `{"value": [{"a": 1}]}`, false},
		{"an empty array is not a snapshot", `[]`, false},
		{"a lone object without an ID is not a snapshot", `{"name": "apim1", "type": "Microsoft.ApiManagement/service"}`, false},
		{"a Terraform plan is not a snapshot", `{"format_version": "1.2", "terraform_version": "1.9.0", "planned_values": {}}`, false},
		{"broken JSON is not a snapshot", `{"value": [`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsSnapshot([]byte(tt.src)); got != tt.want {
				t.Errorf("IsSnapshot = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestReadSnapshotMapsResources(t *testing.T) {
	src := "{\n  \"value\": [\n    {\n      \"id\": \"" + apimID + "\",\n      \"name\": \"apim1\",\n      \"type\": \"microsoft.apimanagement/service\",\n      \"identity\": {\"type\": \"SystemAssigned, UserAssigned\"},\n      \"properties\": {\"publisherEmail\": \"a@b.c\"}\n    },\n    {\"no\": \"resource\"}\n  ]\n}\n"
	rs, ds := ReadSnapshot("saved/list.json", []byte(src))
	if len(rs) != 1 {
		t.Fatalf("got %d resources, want 1", len(rs))
	}
	r := rs[0]
	if r.Type != "Microsoft.ApiManagement/service" {
		t.Errorf("Type = %q, want the canonical casing", r.Type)
	}
	if r.Name != "apim1" || r.ID != apimID || r.ResourceGroup != "rg1" || r.SubscriptionID != "00000000-0000-0000-0000-000000000001" {
		t.Errorf("names = %q %q %q %q", r.Name, r.ID, r.ResourceGroup, r.SubscriptionID)
	}
	want := resource.Provenance{Source: "snapshot", Address: apimID, Range: resource.Range{Filename: "saved/list.json", Start: resource.Pos{Line: 3, Column: 5, Byte: 19}, End: resource.Pos{Line: 9, Column: 6, Byte: 340}}}
	if r.Provenance != want {
		t.Errorf("Provenance = %+v, want %+v", r.Provenance, want)
	}
	if v, _ := r.Get("identity.type"); v != "SystemAssigned, UserAssigned" {
		t.Errorf("identity.type = %v", v)
	}
	if len(ds) != 1 || ds[0].Range.Start.Line != 10 || !strings.Contains(ds[0].Summary, "item 1 is not an Azure resource") {
		t.Errorf("diagnostics = %v, want one warning at line 10 about item 1", ds)
	}
}

func TestReadSnapshotPutsFlattenedCLIPropertiesBack(t *testing.T) {
	src := `[{"id": "` + apimID + `", "name": "apim1", "type": "Microsoft.ApiManagement/service", "resourceGroup": "rg1", "identity": null, "publisherEmail": "a@b.c", "virtualNetworkType": "None"}]`
	rs, ds := ReadSnapshot("apim-list.json", []byte(src))
	if len(rs) != 1 || len(ds) != 0 {
		t.Fatalf("got %d resources, %v", len(rs), ds)
	}
	if v, ok := rs[0].Get("properties.virtualNetworkType"); !ok || v != "None" {
		t.Errorf("properties.virtualNetworkType = %v, %v", v, ok)
	}
	if v, ok := rs[0].Get("identity"); !ok || v != nil {
		t.Errorf("identity = %v, %v; want an explicit null", v, ok)
	}
}

func TestReadSnapshotReportsBrokenJSONWithItsPosition(t *testing.T) {
	_, ds := ReadSnapshot("bad.json", []byte("{\n  \"value\": [\n    {\"id\": }\n  ]\n}"))
	if len(ds) != 1 || !ds.HasErrors() || ds[0].Range.Start.Line != 3 {
		t.Fatalf("diagnostics = %v, want one error on line 3", ds)
	}
}

func TestSnapshotRoundTripKeepsScopeErrors(t *testing.T) {
	var buf bytes.Buffer
	err := WriteSnapshot(&buf, &Snapshot{
		CreatedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		TenantID:  "tenant-1",
		Errors:    []ScopeError{{SubscriptionID: "sub-403", Message: "AuthorizationFailed"}},
		Resources: []map[string]any{{"id": apimID, "name": "apim1", "type": "Microsoft.ApiManagement/service"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if !IsSnapshot(buf.Bytes()) {
		t.Fatal("IsSnapshot is false for a snapshot WriteSnapshot wrote")
	}
	rs, ds := ReadSnapshot("snap.json", buf.Bytes())
	if len(rs) != 1 || rs[0].Provenance.TenantID != "tenant-1" {
		t.Fatalf("resources = %+v", rs)
	}
	if len(ds) != 1 || !ds.HasErrors() || !strings.Contains(ds[0].Summary, "sub-403") {
		t.Errorf("diagnostics = %v, want the recorded error for sub-403", ds)
	}
}

func FuzzReadSnapshot(f *testing.F) {
	f.Add([]byte(`{"value": [{"id": "/subscriptions/s/resourceGroups/r/providers/A.B/c/d", "name": "d", "type": "A.B/c"}]}`))
	f.Add([]byte(`[{"id": "/x", "name": "n", "type": "a/b", "k": [1, 2.5, true, null]}]`))
	f.Add([]byte(`{"lensixSnapshot": 1, "errors": [{"message": "m"}], "resources": [{"name": "n", "type": "a/b"}]}`))
	f.Fuzz(func(t *testing.T, src []byte) {
		if IsSnapshot(src) {
			ReadSnapshot("fuzz.json", src)
		}
		ReadSnapshot("fuzz.json", src)
	})
}
