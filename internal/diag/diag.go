// Package diag carries problems found in the input beside the partial result, the way
// hcl.Diagnostics does: severity, summary, detail and the range they apply to. Callers decide what
// is fatal; a bad file is a diagnostic, never a panic and never the end of a scan.
package diag

import (
	"fmt"
	"sort"

	"github.com/lensix/lensix/internal/resource"
)

// Severity of a diagnostic.
type Severity int

const (
	// Error: part of the input could not be read or evaluated; results may be missing.
	Error Severity = iota
	// Warning: the input was read, but something in it deserves attention.
	Warning
)

func (s Severity) String() string {
	if s == Warning {
		return "warning"
	}
	return "error"
}

// Diagnostic is one problem with the input. Summary is a short sentence; Detail says what to do.
type Diagnostic struct {
	Severity Severity
	Summary  string
	Detail   string
	Range    resource.Range
	// Unchecked marks a warning about resources the input deploys from somewhere lensix does not
	// read (a remote or template-spec linked template, a module not downloaded): no check saw
	// them, so a strict gate (--unknown=fail) treats the warning as an error.
	Unchecked bool
}

func (d Diagnostic) Error() string {
	msg := d.Summary
	if d.Detail != "" {
		msg += ": " + d.Detail
	}
	if where := d.Range.String(); where != "" {
		return where + ": " + msg
	}
	return msg
}

// Diagnostics is a list of problems, in the order found.
type Diagnostics []Diagnostic

// Errorf makes an error diagnostic at rng.
func Errorf(rng resource.Range, format string, args ...any) Diagnostic {
	return Diagnostic{Severity: Error, Summary: fmt.Sprintf(format, args...), Range: rng}
}

// HasErrors reports whether any diagnostic is an error.
func (ds Diagnostics) HasErrors() bool {
	for _, d := range ds {
		if d.Severity == Error {
			return true
		}
	}
	return false
}

// Mask hides secrets in the summaries and details (see resource.MaskSecrets).
func (ds Diagnostics) Mask(secrets []string) {
	if len(secrets) == 0 {
		return
	}
	for i := range ds {
		ds[i].Summary = resource.MaskString(ds[i].Summary, secrets)
		ds[i].Detail = resource.MaskString(ds[i].Detail, secrets)
	}
}

// HasUnchecked reports whether any diagnostic says resources went unchecked (see Unchecked).
func (ds Diagnostics) HasUnchecked() bool {
	for _, d := range ds {
		if d.Unchecked {
			return true
		}
	}
	return false
}

// Sort orders diagnostics by file, line and column, as go/scanner.ErrorList does.
func (ds Diagnostics) Sort() {
	sort.SliceStable(ds, func(i, j int) bool {
		a, b := ds[i].Range, ds[j].Range
		if a.Filename != b.Filename {
			return a.Filename < b.Filename
		}
		if a.Start.Line != b.Start.Line {
			return a.Start.Line < b.Start.Line
		}
		return a.Start.Column < b.Start.Column
	})
}
