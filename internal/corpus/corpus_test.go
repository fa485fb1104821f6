package corpus

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/lensix/lensix/internal/check"
)

func TestRowCase(t *testing.T) {
	tests := []struct {
		name, path, want string
	}{
		{"a file in a case folder belongs to that folder", "arm/qs-multiregion/azuredeploy.json", "arm/qs-multiregion"},
		{"a file deep below a case folder belongs to that folder", "terraform/a/modules/apim/main.tf", "terraform/a"},
		{"a path of one element is its own case", "README.md", "README.md"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := (Row{Path: tt.path}).Case(); got != tt.want {
				t.Errorf("Case() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestSnapshotKeepsResponseResourcesOnce(t *testing.T) {
	example := []byte(`{
		"parameters": {"parameters": {"type": "Microsoft.ApiManagement/service", "name": "request"}},
		"responses": {
			"200": {"body": {"id": "/s/1", "type": "Microsoft.ApiManagement/service", "name": "a"}},
			"201": {"body": {"id": "/S/1", "type": "Microsoft.ApiManagement/service", "name": "a"}},
			"202": {"body": {"value": [{"type": "Microsoft.ApiManagement/service", "name": "b"}, {"name": "no type"}]}},
			"default": {"body": {"error": {"code": "x"}}}
		}
	}`)
	snap, err := Snapshot(example)
	if err != nil {
		t.Fatal(err)
	}
	var got struct{ Value []map[string]any }
	if err := json.Unmarshal(snap, &got); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range got.Value {
		names = append(names, r["name"].(string))
	}
	if len(names) == 2 && names[0] == "b" {
		names[0], names[1] = names[1], names[0] // the walk order over response codes is not fixed
	}
	if want := []string{"a", "b"}; !reflect.DeepEqual(names, want) {
		t.Errorf("snapshot resources %v, want %v", names, want)
	}
}

func TestSnapshotRejectsInvalidJSON(t *testing.T) {
	if _, err := Snapshot([]byte(`{"responses":`)); err == nil {
		t.Error("Snapshot of truncated JSON gave no error")
	}
}

func TestRowAccepts(t *testing.T) {
	tests := []struct {
		name     string
		verdict  string
		status   check.Status
		assumed  bool
		accepted bool
	}{
		{"a FAIL row accepts fail", "FAIL", check.Fail, false, true},
		{"a FAIL row refuses unknown", "FAIL", check.Unknown, false, false},
		{"a PASS row accepts pass", "PASS", check.Pass, false, true},
		{"a PASS row refuses fail on an assumed default", "PASS", check.Fail, true, false},
		{"an UNKNOWN row accepts unknown", "UNKNOWN", check.Unknown, false, true},
		{"an UNKNOWN row accepts fail on an assumed default", "UNKNOWN", check.Fail, true, true},
		{"an UNKNOWN row refuses fail on given values", "UNKNOWN", check.Fail, false, false},
		{"an UNKNOWN row refuses pass on an assumed default", "UNKNOWN", check.Pass, true, false},
		{"a NONE row accepts no status, not even pass", "NONE", check.Pass, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := (Row{Verdict: tt.verdict}).Accepts(tt.status, tt.assumed); got != tt.accepted {
				t.Errorf("Accepts(%s, %v) = %v, want %v", tt.status, tt.assumed, got, tt.accepted)
			}
		})
	}
}

func TestDirSkipsWhenTheCorpusIsAbsent(t *testing.T) {
	t.Setenv("LENSIX_CORPUS", filepath.Join(t.TempDir(), "missing"))
	skipped := false
	t.Run("inner", func(t *testing.T) {
		defer func() { skipped = t.Skipped() }()
		Dir(t)
	})
	if !skipped {
		t.Error("Dir did not skip the test for a LENSIX_CORPUS folder that does not exist")
	}
}

func TestRowsReadsTheRowsOfTheGivenFormats(t *testing.T) {
	dir := t.TempDir()
	tsv := "path\tformat\tresource\tverdict\tnotes\n" +
		"arm/a/main.json\tarm\t[parameters('name')]\tFAIL\t\"no identity, \"\"quoted\"\"\"\n" +
		"bicep/b/main.bicep\tbicep\tapim\tPASS\tsystem\n" +
		"arm/c/x/main.json\tarm\t-\tNONE\n"
	if err := os.WriteFile(filepath.Join(dir, "EXPECTED.tsv"), []byte(tsv), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("LENSIX_CORPUS", dir)
	got := Rows(t, "arm")
	want := []Row{
		{Path: "arm/a/main.json", Format: "arm", Resource: "[parameters('name')]", Verdict: "FAIL", Notes: `no identity, "quoted"`},
		{Path: "arm/c/x/main.json", Format: "arm", Resource: "-", Verdict: "NONE"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Rows(arm) = %+v, want %+v", got, want)
	}
	if all := Rows(t); len(all) != 3 {
		t.Errorf("Rows() gave %d rows, want all 3", len(all))
	}
}
