package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lensix/lensix/internal/store"
)

const oldReport = `{"schema":"lensix.scan/v1","version":"1","results":[
 {"check_id":"apimgmt_nomanagedidentity","status":"fail","resource":{"type":"Microsoft.ApiManagement/service","name":"old","address":"azurerm_api_management.old"},"source":{"kind":"terraform","file":"infra/main.tf","line":3}},
 {"check_id":"apimgmt_nomanagedidentity","status":"fail","resource":{"type":"Microsoft.ApiManagement/service","name":"kept","address":"azurerm_api_management.kept"},"source":{"kind":"terraform","file":"infra/main.tf","line":9}}
],"errors":[]}`

const newReport = `{"schema":"lensix.scan/v1","version":"1","results":[
 {"check_id":"apimgmt_nomanagedidentity","status":"pass","resource":{"type":"Microsoft.ApiManagement/service","name":"old","address":"azurerm_api_management.old"},"source":{"kind":"terraform","file":"infra/main.tf","line":3}},
 {"check_id":"apimgmt_nomanagedidentity","status":"fail","resource":{"type":"Microsoft.ApiManagement/service","name":"kept","address":"azurerm_api_management.kept"},"source":{"kind":"terraform","file":"infra/main.tf","line":9}},
 {"check_id":"apimgmt_nomanagedidentity","status":"fail","resource":{"type":"Microsoft.ApiManagement/service","name":"added","address":"azurerm_api_management.added"},"source":{"kind":"terraform","file":"infra/main.tf","line":20}}
],"errors":[]}`

func TestDiffBaselineListsNewAndResolved(t *testing.T) {
	dir := t.TempDir()
	oldFile, newFile := filepath.Join(dir, "old.json"), filepath.Join(dir, "new.json")
	os.WriteFile(oldFile, []byte(oldReport), 0o644)
	os.WriteFile(newFile, []byte(newReport), 0o644)

	code, out, errOut := run(t, "diff", "--baseline", oldFile, newFile, "-o", "json")
	if code != ExitFindings {
		t.Fatalf("exit %d (stderr %q); want %d because a failure is new", code, errOut, ExitFindings)
	}
	var got struct{ Changes []diffEntry }
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, c := range got.Changes {
		lines = append(lines, string(c.Kind)+" "+c.ResourceName)
	}
	if s := strings.Join(lines, ", "); s != "new added, resolved old" {
		t.Errorf("changes = %q, want \"new added, resolved old\"", s)
	}

	if code, out, _ := run(t, "diff", "--baseline", newFile, newFile); code != ExitOK || !strings.Contains(out, "No new") {
		t.Errorf("diff of a report with itself: exit %d, output %q", code, out)
	}
}

func TestDiffUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"nothing to compare is a usage error", []string{"diff"}},
		{"a baseline without the newer report is a usage error", []string{"diff", "--baseline", "a.json"}},
		{"both a baseline and a store is a usage error", []string{"diff", "--baseline", "a.json", "b.json", "--store", "x.db"}},
		{"an unknown format is a usage error", []string{"diff", "--store", "x.db", "-o", "xml"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if code, _, _ := run(t, tt.args...); code != ExitUsage {
				t.Errorf("exit %d, want %d", code, ExitUsage)
			}
		})
	}
}

func TestDiffStoreShowsLatestScanChanges(t *testing.T) {
	file := filepath.Join(t.TempDir(), "lensix.db")
	st, err := store.OpenSQLite(context.Background(), file)
	if err != nil {
		t.Fatal(err)
	}
	for i, status := range []string{"fail", "pass", "fail"} {
		o := store.Observation{Key: "k", CheckID: "apimgmt_nomanagedidentity", Status: status, ResourceName: "apim", Address: "azurerm_api_management.apim", File: "main.tf"}
		scan := store.Scan{Target: "infra", StartedAt: time.Unix(int64(1000+i), 0), Status: store.Complete}
		if _, _, err := st.RecordScan(context.Background(), scan, []store.Observation{o}); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	code, out, errOut := run(t, "diff", "--store", file)
	if code != ExitFindings || !strings.Contains(out, "reopened") || !strings.Contains(out, "azurerm_api_management.apim") {
		t.Errorf("exit %d, output %q, stderr %q; want the reopened finding and exit 1", code, out, errOut)
	}
}

func TestScanStoreRecordsTheScan(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "lensix.db")
	// ExitPartial is allowed: the table reporter may not be merged yet; the store is written before reports.
	if code, _, errOut := run(t, "scan", dir, "--store", file); code != ExitOK && code != ExitPartial {
		t.Fatalf("scan exit %d: %s", code, errOut)
	}
	st, err := store.OpenSQLite(context.Background(), file)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	scans, err := st.Scans(context.Background(), "", 0)
	if err != nil || len(scans) != 1 || scans[0].Target != filepath.ToSlash(dir) {
		t.Fatalf("scans = %+v, %v; want one scan of %s", scans, err, dir)
	}
}

func TestScanStoreTellsProjectsScannedAsDotApart(t *testing.T) {
	root := t.TempDir()
	file := filepath.Join(root, "h.db")
	for _, project := range []string{"tf1", "tf1b"} {
		dir := filepath.Join(root, project)
		os.Mkdir(dir, 0o755)
		os.WriteFile(filepath.Join(dir, "main.tf"), []byte(`resource "azurerm_api_management" "x" { name = "`+project+`" }`), 0o644)
		t.Chdir(dir)
		if code, _, errOut := run(t, "scan", ".", "--store", file, "-o", "json"); code != ExitFindings {
			t.Fatalf("scan of %s: exit %d: %s", project, code, errOut)
		}
	}
	st, err := store.OpenSQLite(context.Background(), file)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	scans, _ := st.Scans(context.Background(), "", 0)
	if len(scans) != 2 || scans[0].Target == scans[1].Target {
		t.Fatalf("scans = %+v; want one target per project", scans)
	}
	for _, s := range scans {
		if !filepath.IsAbs(filepath.FromSlash(s.Target)) {
			t.Errorf("target %q is not an absolute path", s.Target)
		}
	}
	if code, _, errOut := run(t, "diff", "--store", file); code != ExitUsage || !strings.Contains(errOut, "several targets") {
		t.Errorf("diff --store over two projects: exit %d, %s; want it to ask for --target", code, errOut)
	}
}

func TestScanTargetIsTheSortedAbsolutePaths(t *testing.T) {
	t.Chdir(t.TempDir())
	wd, _ := os.Getwd()
	want := filepath.ToSlash(filepath.Join(wd, "a")) + " " + filepath.ToSlash(filepath.Join(wd, "b"))
	for _, paths := range [][]string{{"b", "a"}, {"./a/", "b/../b"}} {
		if got := scanTarget(paths); got != want {
			t.Errorf("scanTarget(%q) = %q, want %q", paths, got, want)
		}
	}
}

// TestDiffReadsTheJSONReporter runs the real scan and JSON reporter twice over a Terraform
// folder the test edits, so diff is tested against the contract as written, not as imagined.
func TestDiffReadsTheJSONReporter(t *testing.T) {
	dir := t.TempDir()
	tf := func(identity string) string {
		return `resource "azurerm_api_management" "prod" {
  name                = "apim-prod"
  location            = "westeurope"
  resource_group_name = "rg"
  publisher_name      = "Contoso"
  publisher_email     = "apim@contoso.com"
  sku_name            = "Developer_1"
` + identity + `
}
`
	}
	main := filepath.Join(dir, "main.tf")
	oldJSON, newJSON := filepath.Join(dir, "old.json"), filepath.Join(dir, "new.json")
	os.WriteFile(main, []byte(tf(`  identity {
    type = "SystemAssigned"
  }`)), 0o644)
	if code, _, errOut := run(t, "scan", dir, "-o", "json="+oldJSON); code != ExitOK {
		t.Fatalf("first scan exit %d: %s", code, errOut)
	}
	os.WriteFile(main, []byte(tf("")), 0o644)
	if code, _, errOut := run(t, "scan", dir, "-o", "json="+newJSON); code != ExitFindings {
		t.Fatalf("second scan exit %d: %s", code, errOut)
	}
	code, out, errOut := run(t, "diff", "--baseline", oldJSON, newJSON)
	if code != ExitFindings || !strings.Contains(out, "new") || !strings.Contains(out, "azurerm_api_management.prod") {
		t.Errorf("diff: exit %d, output %q, stderr %q; want the new failure", code, out, errOut)
	}
	code, out, _ = run(t, "diff", "--baseline", newJSON, oldJSON)
	if code != ExitOK || !strings.Contains(out, "resolved") {
		t.Errorf("reverse diff: exit %d, output %q; want it resolved", code, out)
	}
}

func TestDiffTableNeutralisesControlCharacters(t *testing.T) {
	var out bytes.Buffer
	opts := &DiffOptions{IO: Test(&out, &out), Format: "table"}
	writeDiff(opts, []diffEntry{{Kind: store.ChangeNew, CheckID: "c", Address: "apim\x1b]0;pwned\x07", File: "main.tf", Line: 1}})
	if strings.ContainsAny(out.String(), "\x1b\x07") {
		t.Errorf("table carries control characters: %q", out.String())
	}
}
