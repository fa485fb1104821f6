package cli

import (
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
	inputWarning := diag.Diagnostics{{Severity: diag.Warning, Summary: "run terraform init"}}
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
