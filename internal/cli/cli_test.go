package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// run executes a command line the way main does and returns exit code, stdout and stderr.
func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Run("test", args, Test(&out, &errOut))
	return code, out.String(), errOut.String()
}

func TestScanExamplesEndToEnd(t *testing.T) {
	code, out, stderr := run(t, "scan", "../../examples", "--format", "json")
	if code != ExitFindings {
		t.Fatalf("exit code = %d, want %d (the examples hold a failing service); stderr: %s", code, ExitFindings, stderr)
	}
	var doc struct {
		Schema  string `json:"schema"`
		Results []struct {
			CheckID  string `json:"check_id"`
			Status   string `json:"status"`
			Resource struct {
				Name    string `json:"name"`
				Address string `json:"address"`
			} `json:"resource"`
			Source struct {
				File string `json:"file"`
				Line int    `json:"line"`
			} `json:"source"`
		} `json:"results"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, out)
	}
	got := map[string]string{}
	for _, r := range doc.Results {
		got[r.Resource.Address] = r.Status
		if r.Source.File == "" || r.Source.Line == 0 {
			t.Errorf("%s has no source position", r.Resource.Address)
		}
	}
	want := map[string]string{
		"module.partner_gateway.azurerm_api_management.this":  "fail",
		"module.internal_gateway.azurerm_api_management.this": "pass",
		"azurerm_api_management.sandbox":                      "suppressed",
	}
	for addr, status := range want {
		if got[addr] != status {
			t.Errorf("%s: status %q, want %q (all: %v)", addr, got[addr], status, got)
		}
	}
}

func TestScanUsageErrorsExit2(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"an unknown format", []string{"scan", "--format", "pdf", "."}, `unknown format "pdf"`},
		{"an unknown severity", []string{"scan", "--fail-on", "severe", "."}, "unknown severity"},
		{"an unknown check", []string{"scan", "--check", "nope", "."}, `unknown check "nope"`},
		{"an unknown flag", []string{"scan", "--frobnicate"}, "unknown flag"},
		{"a missing config file that was named", []string{"scan", "--config", "missing.yaml", "."}, "missing.yaml"},
		{"a --var without =", []string{"scan", "--var", "bad", "."}, `--var "bad": want NAME=VALUE`},
		{"a --var without a name", []string{"scan", "--var", "=x", "."}, "want NAME=VALUE"},
		{"a --param without =", []string{"scan", "--param", "bad", "."}, `--param "bad": want NAME=VALUE`},
		{"a --parameters file that does not exist", []string{"scan", "--parameters", "missing.json", "."}, "--parameters missing.json"},
		{"a --var-file that does not exist", []string{"scan", "--var-file", "missing.tfvars", "."}, "--var-file missing.tfvars"},
		{"a --var-file that is a folder", []string{"scan", "--var-file", ".", "."}, "is a folder"},
		{"resources with a --var without =", []string{"resources", "--var", "bad", "."}, "want NAME=VALUE"},
		{"the same format twice to standard output", []string{"scan", "-o", "json", "-o", "json", "."}, "only one format can go to standard output"},
		{"two formats to standard output", []string{"scan", "-o", "json", "-o", "table", "."}, "-o sarif=lensix.sarif"},
		{"a format to - beside one to standard output", []string{"scan", "-o", "sarif=-", "-o", "table", "."}, "only one format"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := run(t, tt.args...)
			if code != ExitUsage || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want exit 2 mentioning %q", code, stderr, tt.want)
			}
		})
	}
}

func TestScanWritesEachFormatWhereAsked(t *testing.T) {
	dir := t.TempDir()
	sarif, junit := filepath.Join(dir, "lensix.sarif"), filepath.Join(dir, "lensix.xml")
	code, out, stderr := run(t, "scan", "../../examples", "-o", "sarif="+sarif, "-o", "junit="+junit, "-o", "markdown")
	if code != ExitFindings {
		t.Fatalf("exit code = %d; stderr: %s", code, stderr)
	}
	for _, f := range []string{sarif, junit} {
		if data, err := os.ReadFile(f); err != nil || len(data) == 0 {
			t.Errorf("%s not written: %v", f, err)
		}
	}
	if !strings.Contains(out, "apimgmt_nomanagedidentity") {
		t.Errorf("markdown on stdout lacks the check:\n%s", out)
	}
}

func TestReportWriteErrorsLeaveTheResultsInCharge(t *testing.T) {
	clean := t.TempDir()
	missing := filepath.Join(t.TempDir(), "no", "such", "folder")
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"a failing scan whose report cannot be written still exits 1", []string{"scan", "../../examples", "-o", "json=" + filepath.Join(missing, "x.json")}, ExitFindings},
		{"--soft-fail exits 0 although the report cannot be written", []string{"scan", "../../examples", "--soft-fail", "-o", "json=" + filepath.Join(missing, "x.json")}, ExitOK},
		{"a clean scan whose report cannot be written exits 3", []string{"scan", clean, "-o", "json=" + filepath.Join(missing, "x.json")}, ExitPartial},
	}
	if _, err := os.Stat("/dev/full"); err == nil {
		tests = append(tests, struct {
			name string
			args []string
			want int
		}{"a failing scan whose report hits a full disk still exits 1", []string{"scan", "../../examples", "-o", "json=/dev/full"}, ExitFindings})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := run(t, tt.args...)
			if code != tt.want || !strings.Contains(stderr, "write json report") {
				t.Errorf("exit %d, stderr %q; want exit %d and the write error", code, stderr, tt.want)
			}
		})
	}
	if _, err := os.Stat(filepath.Dir(missing)); !os.IsNotExist(err) {
		t.Errorf("a folder for the report was created (%v); lensix must not create folders", err)
	}
}

func TestUnreadableInputExits3(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte("variable \"x\" {\n  default = \n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, _ := run(t, "scan", dir, "--format", "json")
	if code != ExitPartial {
		t.Fatalf("exit code = %d, want %d; stdout: %s", code, ExitPartial, out)
	}
	var doc struct {
		Errors []struct {
			File string `json:"file"`
			Line int    `json:"line"`
		} `json:"errors"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || len(doc.Errors) == 0 {
		t.Fatalf("want errors in the JSON report: %v\n%s", err, out)
	}
	if e := doc.Errors[0]; !strings.HasSuffix(e.File, "main.tf") || e.Line < 2 {
		t.Errorf("the error should name main.tf and the line of the syntax error, got %+v", e)
	}
	if code, _, _ = run(t, "scan", dir, "--format", "json", "--ignore-errors"); code != ExitOK {
		t.Errorf("with --ignore-errors exit code = %d, want 0", code)
	}
}

func TestChecksAndExplain(t *testing.T) {
	code, out, _ := run(t, "checks", "--format", "json")
	var list []map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &list) != nil || len(list) == 0 || list[0]["id"] != "apimgmt_nomanagedidentity" {
		t.Fatalf("checks --format json: exit %d, %s", code, out)
	}
	code, out, _ = run(t, "explain", "apimgmt_nomanagedidentity")
	if code != 0 || !strings.Contains(out, "az apim update") || !strings.Contains(out, "identity.type") {
		t.Errorf("explain: exit %d, %s", code, out)
	}
	if code, _, stderr := run(t, "explain", "nope"); code != ExitUsage || !strings.Contains(stderr, "lensix checks") {
		t.Errorf("explain of an unknown check: exit %d, %s", code, stderr)
	}
}

func TestResourcesShowsWhatTheChecksSee(t *testing.T) {
	code, out, stderr := run(t, "resources", "../../examples")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var doc struct {
		Resources []struct {
			Type   string         `json:"type"`
			Body   map[string]any `json:"body"`
			Source struct {
				Address string `json:"address"`
			} `json:"source"`
		} `json:"resources"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range doc.Resources {
		if r.Source.Address == "module.internal_gateway.azurerm_api_management.this" {
			found = true
			identity, _ := r.Body["identity"].(map[string]any)
			if identity["type"] != "SystemAssigned" {
				t.Errorf("identity = %v, want type SystemAssigned", r.Body["identity"])
			}
		}
	}
	if !found {
		t.Errorf("internal gateway not among resources:\n%s", out)
	}
}

func TestCheckIDsAreAcceptedInAnyCase(t *testing.T) {
	if code, out, stderr := run(t, "explain", "APIMGMT_NoManagedIdentity"); code != ExitOK || !strings.Contains(out, "apimgmt_nomanagedidentity") {
		t.Errorf("explain in mixed case: exit %d, stderr %q", code, stderr)
	}
	results := func(args ...string) []string {
		t.Helper()
		code, out, stderr := run(t, append([]string{"scan", "../../examples", "-o", "json", "--soft-fail"}, args...)...)
		if code != ExitOK {
			t.Fatalf("scan %v: exit %d: %s", args, code, stderr)
		}
		var doc struct {
			Results []struct {
				CheckID string `json:"check_id"`
			} `json:"results"`
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, r := range doc.Results {
			ids = append(ids, r.CheckID)
		}
		return ids
	}
	only := results("--check", "APIMGMT_NOMANAGEDIDENTITY")
	if len(only) == 0 {
		t.Fatal("--check in upper case ran nothing")
	}
	for _, id := range only {
		if id != "apimgmt_nomanagedidentity" {
			t.Errorf("--check APIMGMT_NOMANAGEDIDENTITY reported %q; want the registered ID only", id)
		}
	}
	for _, id := range results("--skip-check", "Apimgmt_NoManagedIdentity") {
		if id == "apimgmt_nomanagedidentity" {
			t.Errorf("--skip-check in mixed case still ran the check")
		}
	}
}

func TestScanOfANamedVariablesFileExits3(t *testing.T) {
	file := filepath.Join(t.TempDir(), "prod.tfvars")
	os.WriteFile(file, []byte(`location = "westeurope"`), 0o644)
	code, _, stderr := run(t, "scan", file, "-o", "json")
	if code != ExitPartial {
		t.Errorf("exit %d (%s); want 3: a file named on the command line was not read", code, stderr)
	}
}

func TestResourcesSourceHasTheShapeOfScanJSON(t *testing.T) {
	code, out, stderr := run(t, "resources", "../../examples")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var doc struct {
		Resources []struct {
			Source map[string]any `json:"source"`
		} `json:"resources"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || len(doc.Resources) == 0 {
		t.Fatalf("%v: %s", err, out)
	}
	for _, r := range doc.Resources {
		src := r.Source
		if _, nested := src["range"]; nested {
			t.Fatalf("source still nests a range: %v", src)
		}
		file, _ := src["file"].(string)
		line, _ := src["line"].(float64)
		endLine, _ := src["end_line"].(float64)
		if src["kind"] == "" || file == "" || line < 1 || endLine < line || src["column"] == nil || src["end_column"] == nil || src["address"] == "" {
			t.Errorf("source = %v; want kind, file, line, column, end_line, end_column and address as in scan JSON", src)
		}
	}
}

// The README shows the example scan's real output; this test fails when the two drift apart.
func TestReadmeShowsTheExampleScanAsItIs(t *testing.T) {
	t.Chdir("../..")
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	const prompt = "$ go run ./cmd/lensix scan examples/\n"
	start := strings.Index(string(readme), prompt)
	if start < 0 {
		t.Fatalf("README.md has no %q block", strings.TrimSpace(prompt))
	}
	shown := string(readme[start+len(prompt):])
	shown = shown[:strings.Index(shown, "\n```")]
	code, out, _ := run(t, "scan", "examples/")
	if code != ExitFindings {
		t.Errorf("exit code = %d, want %d", code, ExitFindings)
	}
	if strings.TrimSpace(out) != strings.TrimSpace(shown) {
		t.Errorf("README.md shows another output than the example scan gives; paste this:\n%s", out)
	}
}
