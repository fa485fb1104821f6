package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lensix/lensix/internal/check"
	"github.com/lensix/lensix/internal/diag"
	"github.com/lensix/lensix/internal/report"
)

func TestExitCode(t *testing.T) {
	medium := &check.Check{Metadata: check.Metadata{ID: "m", Severity: check.Medium}}
	findings := func(statuses ...check.Status) []check.Finding {
		var fs []check.Finding
		for _, s := range statuses {
			fs = append(fs, check.Finding{Check: medium, Status: s})
		}
		return fs
	}
	inputError := diag.Diagnostics{{Severity: diag.Error, Summary: "bad file"}}
	inputWarning := diag.Diagnostics{{Severity: diag.Warning, Summary: "an unused variable"}}
	unchecked := diag.Diagnostics{{Severity: diag.Warning, Summary: "run terraform init", Unchecked: true}}
	tests := []struct {
		name   string
		opts   ScanOptions
		report report.Report
		want   int
	}{
		{"a clean scan exits 0", ScanOptions{}, report.Report{Findings: findings(check.Pass)}, ExitOK},
		{"a failure exits 1", ScanOptions{}, report.Report{Findings: findings(check.Pass, check.Fail)}, ExitFindings},
		{"a failure below --fail-on exits 0", ScanOptions{FailOn: "high"}, report.Report{Findings: findings(check.Fail)}, ExitOK},
		{"a failure at --fail-on exits 1", ScanOptions{FailOn: "medium"}, report.Report{Findings: findings(check.Fail)}, ExitFindings},
		{"a suppressed failure exits 0", ScanOptions{}, report.Report{Findings: findings(check.Suppressed)}, ExitOK},
		{"an unknown result warns by default and exits 0", ScanOptions{}, report.Report{Findings: findings(check.Unknown)}, ExitOK},
		{"an unknown result fails with --unknown=fail", ScanOptions{Unknown: "fail"}, report.Report{Findings: findings(check.Unknown)}, ExitFindings},
		{"an unreadable input with no failure exits 3", ScanOptions{}, report.Report{Findings: findings(check.Pass), Errors: inputError}, ExitPartial},
		{"a warning about the input alone exits 0", ScanOptions{}, report.Report{Errors: inputWarning}, ExitOK},
		{"failures win over unreadable input", ScanOptions{}, report.Report{Findings: findings(check.Fail), Errors: inputError}, ExitFindings},
		{"resources left unchecked only warn by default", ScanOptions{}, report.Report{Findings: findings(check.Pass), Errors: unchecked}, ExitOK},
		{"resources left unchecked exit 3 with --unknown=fail", ScanOptions{Unknown: "fail"}, report.Report{Findings: findings(check.Pass), Errors: unchecked}, ExitPartial},
		{"--ignore-errors lets unchecked resources pass even with --unknown=fail", ScanOptions{Unknown: "fail", IgnoreErrors: true}, report.Report{Errors: unchecked}, ExitOK},
		{"--ignore-errors turns exit 3 into 0", ScanOptions{IgnoreErrors: true}, report.Report{Errors: inputError}, ExitOK},
		{"--soft-fail exits 0 whatever failed", ScanOptions{SoftFail: true}, report.Report{Findings: findings(check.Fail), Errors: inputError}, ExitOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.opts.FailOn == "" {
				tt.opts.FailOn = "low"
			}
			if tt.opts.Unknown == "" {
				tt.opts.Unknown = "warn"
			}
			g, err := newGate(&tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if got := g.exitCode(&tt.report); got != tt.want {
				t.Errorf("exit code = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestGateRejectsBadFlags(t *testing.T) {
	for _, opts := range []ScanOptions{{FailOn: "severe", Unknown: "warn"}, {FailOn: "low", Unknown: "maybe"}} {
		if _, err := newGate(&opts); err == nil {
			t.Errorf("newGate(%+v) accepted bad flags", opts)
		} else if e, ok := err.(*ExitError); !ok || e.Code != ExitUsage {
			t.Errorf("newGate(%+v) = %v, want a usage error", opts, err)
		}
	}
}

func TestReportPathsThatWouldOverwriteAreUsageErrors(t *testing.T) {
	dir := t.TempDir()
	infra := filepath.Join(dir, "infra")
	elsewhere := filepath.Join(dir, "elsewhere")
	for _, d := range []string{infra, elsewhere} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	files := map[string]string{
		filepath.Join(infra, "main.tf"):           `resource "azurerm_resource_group" "rg" {}`,
		filepath.Join(infra, "main.bicep"):        `param location string`,
		filepath.Join(infra, "template.json"):     `{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "contentVersion": "1.0.0.0", "resources": []}`,
		filepath.Join(infra, "old-report.json"):   `{"schema": "lensix-report", "results": []}`,
		filepath.Join(elsewhere, "other.tf"):      `# not scanned, still Terraform`,
		filepath.Join(elsewhere, "template.json"): `{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "contentVersion": "1.0.0.0", "resources": []}`,
	}
	for name, text := range files {
		if err := os.WriteFile(name, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name    string
		outputs []string
		want    string // "" when the scan may write its reports
	}{
		{"a report over a scanned Terraform file is refused", []string{"json=" + filepath.Join(infra, "main.tf")}, "would overwrite an input"},
		{"a report over a Terraform file outside the scan is refused", []string{"json=" + filepath.Join(elsewhere, "other.tf")}, "would overwrite an input"},
		{"a report over a scanned Bicep file is refused", []string{"sarif=" + filepath.Join(infra, "main.bicep")}, "would overwrite an input"},
		{"a report over an ARM template in a scanned folder is refused", []string{"json=" + filepath.Join(infra, "template.json")}, "would overwrite an input"},
		{"two formats to one file are refused", []string{"json=" + filepath.Join(dir, "r.out"), "sarif=" + filepath.Join(dir, "r.out")}, "both go to"},
		{"two spellings of one file are refused", []string{"json=" + filepath.Join(dir, "r.out"), "sarif=" + filepath.Join(infra, "..", "r.out")}, "both go to"},
		{"a report over a previous report in a scanned folder is written", []string{"json=" + filepath.Join(infra, "old-report.json")}, ""},
		{"a report over an ARM template outside the scan is written", []string{"json=" + filepath.Join(elsewhere, "template.json")}, ""},
		{"reports to their own new files are written", []string{"json=" + filepath.Join(dir, "a.json"), "sarif=" + filepath.Join(dir, "a.sarif")}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := []string{"scan", infra}
			for _, o := range tc.outputs {
				args = append(args, "-o", o)
			}
			code, _, errOut := run(t, args...)
			if tc.want == "" {
				if code == ExitUsage {
					t.Errorf("exit %d: %s", code, errOut)
				}
				return
			}
			if code != ExitUsage || !strings.Contains(errOut, tc.want) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, errOut, ExitUsage, tc.want)
			}
		})
	}
	if data, _ := os.ReadFile(filepath.Join(infra, "main.tf")); string(data) != files[filepath.Join(infra, "main.tf")] {
		t.Errorf("main.tf was overwritten: %s", data)
	}
}

func TestRepositoryRootIsTheFolderHoldingGit(t *testing.T) {
	root := t.TempDir()
	for _, dir := range []string{".git", "infra/prod"} {
		if err := os.MkdirAll(filepath.Join(root, dir), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if got := repositoryRoot(filepath.Join(root, "infra", "prod")); got != root {
		t.Errorf("repositoryRoot(infra/prod) = %q, want %q", got, root)
	}
	if got := repositoryRoot(t.TempDir()); got != "" {
		t.Errorf("outside a repository: %q, want none", got)
	}
}
