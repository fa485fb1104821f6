package azure

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/lensix/lensix/internal/diag"
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
		{"broken JSON that is not shaped like Azure output is not a snapshot", `{"items": [`, false},
		{"a truncated list response is a snapshot, so its reader reports where it breaks", `{"value": [`, true},
		{"a truncated az apim list output is a snapshot", `[{"id":"/subscriptions/1/resourceGroups/r/providers/Microsoft.ApiManagement/service/x","type":"Microsoft.ApiManagement/service","identity":null}`, true},
		{"a truncated ARM template is not a snapshot", `{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "resources": [{"id": "/subscriptions/1/x", "type": "Microsoft.ApiManagement/service"`, false},
		{"a resource list without names is a snapshot: the name is the ID's last segment", `[{"id":"/subscriptions/1/resourceGroups/r/providers/Microsoft.ApiManagement/service/x","type":"Microsoft.ApiManagement/service","identity":null}]`, true},
		{"a resource list with a trailing comma is a snapshot", `[{"id":"/subscriptions/1/resourceGroups/r/providers/Microsoft.ApiManagement/service/x","type":"Microsoft.ApiManagement/service","identity":null,}]`, true},
		{"a list response with comments is a snapshot", "{\"value\": [ // saved by hand\n{\"id\": \"" + apimID + "\", \"type\": \"Microsoft.ApiManagement/service\"}]}", true},
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
	f.Add([]byte(`{"count": 1, "data": [{"id": "/subscriptions/s/x", "type": "a/b"}], "skip_token": "t", "total_records": 9}`))
	f.Add([]byte(`[{"id": "/subscriptions/s/x/", "type": "a/b",}] // saved by hand`))
	f.Add([]byte(`[{"id": "/", "type": "a/b"}`))
	f.Fuzz(func(t *testing.T, src []byte) {
		if IsSnapshot(src) {
			ReadSnapshot("fuzz.json", src)
		}
		rs, _ := ReadSnapshot("fuzz.json", src)
		for _, r := range rs {
			if r.Type == "" || r.Name == "" {
				t.Errorf("resource without a type or a name: %+v", r)
			}
		}
	})
}

func TestReadSnapshotLenientAndBroken(t *testing.T) {
	tests := []struct {
		name      string
		src       string
		wantNames []string
		wantError string // substring of an error's summary; "" means no error
		wantLine  int
		wantCol   int
	}{
		{"a resource without a name takes it from its ID", `[{"id":"` + apimID + `","type":"Microsoft.ApiManagement/service","identity":null}]`, []string{"apim1"}, "", 0, 0},
		{"a trailing comma is accepted", `[{"id":"` + apimID + `","type":"Microsoft.ApiManagement/service","identity":null,}]`, []string{"apim1"}, "", 0, 0},
		{"a truncated file is an error at the list left open", "\n [{\"id\":\"" + apimID + "\",\n\"type\":\"Microsoft.ApiManagement/service\",\"identity\":null}", nil, "array not closed", 2, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs, ds := ReadSnapshot("s.json", []byte(tt.src))
			var names []string
			for _, r := range rs {
				names = append(names, r.Name)
			}
			if strings.Join(names, ",") != strings.Join(tt.wantNames, ",") {
				t.Errorf("names = %v, want %v", names, tt.wantNames)
			}
			var errs []string
			for _, d := range ds {
				if d.Severity == diag.Error {
					errs = append(errs, d.Summary)
					if d.Range.Start.Line != tt.wantLine || d.Range.Start.Column != tt.wantCol {
						t.Errorf("error at %d:%d, want %d:%d", d.Range.Start.Line, d.Range.Start.Column, tt.wantLine, tt.wantCol)
					}
				}
			}
			if tt.wantError == "" && len(errs) > 0 || tt.wantError != "" && (len(errs) != 1 || !strings.Contains(errs[0], tt.wantError)) {
				t.Errorf("errors = %q, want one containing %q", errs, tt.wantError)
			}
		})
	}
}

func TestReadSnapshotReportsOnePageOfALongerList(t *testing.T) {
	row := func(name string) string {
		return `{"id": "/subscriptions/1/resourceGroups/r/providers/Microsoft.ApiManagement/service/` + name + `", "name": "` + name + `", "type": "microsoft.apimanagement/service", "identity": null}`
	}
	tests := []struct {
		name      string
		src       string
		wantRows  int
		wantError []string // substrings of the one error; nil means no error
	}{
		{"a Resource Manager list with a nextLink is one page", `{"value": [` + row("a") + `], "nextLink": "https://management.azure.com/x?$skiptoken=abc"}`, 1, []string{"one page of a longer list", "nextLink", "--save"}},
		{"a Resource Manager list with a null nextLink is complete", `{"value": [` + row("a") + `], "nextLink": null}`, 1, nil},
		{"az graph query output with a skip token is one page, counted", `{"count": 2, "data": [` + row("a") + `,` + row("b") + `], "skip_token": "ew0K", "total_records": 5000}`, 2, []string{"2 of 5000 rows", "--first 1000"}},
		{"Resource Graph REST output with a $skipToken is one page", `{"count": 1, "data": [` + row("a") + `], "$skipToken": "ew0K", "totalRecords": 7, "resultTruncated": "false"}`, 1, []string{"1 of 7 rows"}},
		{"Resource Graph output with fewer rows than its total is one page", `{"count": 1, "data": [` + row("a") + `], "skip_token": null, "total_records": 3}`, 1, []string{"1 of 3 rows"}},
		{"az graph query output with a null skip token and all rows is complete", `{"count": 1, "data": [` + row("a") + `], "skip_token": null, "total_records": 1}`, 1, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs, ds := ReadSnapshot("page.json", []byte(tt.src))
			if len(rs) != tt.wantRows {
				t.Errorf("got %d resources, want %d: the rows present are still judged", len(rs), tt.wantRows)
			}
			var errs diag.Diagnostics
			for _, d := range ds {
				if d.Severity == diag.Error {
					errs = append(errs, d)
				}
			}
			if tt.wantError == nil {
				if len(errs) != 0 {
					t.Errorf("errors = %v, want none", errs)
				}
				return
			}
			if len(errs) != 1 {
				t.Fatalf("errors = %v, want one", errs)
			}
			text := errs[0].Summary + " " + errs[0].Detail
			for _, w := range tt.wantError {
				if !strings.Contains(text, w) {
					t.Errorf("error %q does not say %q", text, w)
				}
			}
		})
	}
}

func TestReadSnapshotGraphRowIdentity(t *testing.T) {
	tests := []struct {
		name        string
		src         string
		wantUnknown bool
	}{
		{"an az graph query row without an identity column has an unknown identity", `{"count": 1, "data": [{"id": "` + apimID + `", "name": "apim1", "type": "microsoft.apimanagement/service"}], "skip_token": null, "total_records": 1}`, true},
		{"an az graph query row with a null identity keeps the null", `{"count": 1, "data": [{"id": "` + apimID + `", "name": "apim1", "type": "microsoft.apimanagement/service", "identity": null}], "skip_token": null, "total_records": 1}`, false},
		{"a Resource Manager list item without identity keeps it absent", `{"value": [{"id": "` + apimID + `", "name": "apim1", "type": "Microsoft.ApiManagement/service"}]}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs, _ := ReadSnapshot("g.json", []byte(tt.src))
			if len(rs) != 1 {
				t.Fatalf("got %d resources", len(rs))
			}
			v, _ := rs[0].Get("identity")
			u, isUnknown := v.(*resource.Unknown)
			if isUnknown != tt.wantUnknown {
				t.Fatalf("identity = %#v, want unknown: %v", v, tt.wantUnknown)
			}
			if isUnknown && !strings.Contains(u.Reason, "no identity column") {
				t.Errorf("reason = %q", u.Reason)
			}
		})
	}
}
