package report

import (
	"testing"

	"github.com/lensix/lensix/internal/diag"
)

func TestSummaryCountsErrorsAndWarningsApart(t *testing.T) {
	errAt := diag.Diagnostic{Severity: diag.Error, Summary: "cannot parse"}
	warnAt := diag.Diagnostic{Severity: diag.Warning, Summary: "skipped"}
	for _, tc := range []struct {
		name                 string
		diags                diag.Diagnostics
		wantErrors, wantWarn int
	}{
		{"no diagnostics count nothing", nil, 0, 0},
		{"a warning alone is no input error", diag.Diagnostics{warnAt}, 0, 1},
		{"an error alone is an input error", diag.Diagnostics{errAt}, 1, 0},
		{"errors and warnings are counted apart", diag.Diagnostics{errAt, warnAt, warnAt}, 1, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := (&Report{Errors: tc.diags}).Summary()
			if s.Errors != tc.wantErrors || s.Warnings != tc.wantWarn {
				t.Errorf("errors %d, warnings %d; want %d, %d", s.Errors, s.Warnings, tc.wantErrors, tc.wantWarn)
			}
		})
	}
}
