// Package report formats the outcome of a scan. Reporters only format: they consume findings and
// input errors, never sources, and never re-evaluate.
package report

import (
	"bytes"
	"fmt"
	"io"
	"sort"

	"github.com/lensix/lensix/internal/check"
	"github.com/lensix/lensix/internal/diag"
	"github.com/lensix/lensix/internal/resource"
)

// Report is everything one scan produced.
type Report struct {
	// Version is lensix's version.
	Version string
	// Findings hold one entry per (check, resource), passes included.
	Findings []check.Finding
	// Errors are problems with the input: files that could not be read or evaluated.
	Errors diag.Diagnostics
	// Checks are the checks that ran, for reports that list rules (SARIF, JUnit).
	Checks []*check.Check
	// Resources is how many resources the sources derived.
	Resources int
	// Secrets are the secrets of every resource the scan derived, with or without findings (a
	// Key Vault secret's value may flow into a service's name): every format masks them all.
	Secrets []string
}

// Summary counts a report's findings by status.
type Summary struct {
	Resources  int `json:"resources"`
	Pass       int `json:"pass"`
	Fail       int `json:"fail"`
	Unknown    int `json:"unknown"`
	Suppressed int `json:"suppressed"`
	Errors     int `json:"errors"`
	Warnings   int `json:"warnings"`
}

// Summary counts the report's findings by status, and its diagnostics as errors or warnings:
// only errors mean results may be missing.
func (r *Report) Summary() Summary {
	s := Summary{Resources: r.Resources}
	for _, d := range r.Errors {
		if d.Severity == diag.Error {
			s.Errors++
		} else {
			s.Warnings++
		}
	}
	for _, f := range r.Findings {
		switch f.Status {
		case check.Pass:
			s.Pass++
		case check.Fail:
			s.Fail++
		case check.Unknown:
			s.Unknown++
		case check.Suppressed:
			s.Suppressed++
		}
	}
	return s
}

// Options tune a reporter's output.
type Options struct {
	// Color turns on ANSI colors (the table only); the CLI decides it from the TTY and NO_COLOR.
	Color bool
	// WorkDir is the absolute directory file paths in findings are relative to; SARIF names it
	// as %SRCROOT%.
	WorkDir string
	// SourceRoot is the absolute directory SARIF paths are relative to (%SRCROOT%): the root of
	// the repository lensix runs in, so code scanning finds the files whichever folder it ran
	// from. Empty means WorkDir.
	SourceRoot string
	// GroupBy groups the table by GroupByFile (the default when empty) or GroupByStatus.
	GroupBy string
}

// Writer writes a report in one format.
type Writer func(w io.Writer, r *Report, opts Options) error

// writers maps each format name to its writer; one file per format.
var writers = map[string]Writer{
	"table":    writeTable,
	"json":     writeJSON,
	"sarif":    writeSARIF,
	"junit":    writeJUnit,
	"markdown": writeMarkdown,
}

// Write writes r in the named format, with every secret the sources marked masked.
func Write(w io.Writer, format string, r *Report, opts Options) error {
	write, ok := writers[format]
	if !ok {
		return fmt.Errorf("unknown format %q (want one of %v)", format, Formats())
	}
	var buf bytes.Buffer
	if err := write(&buf, r, opts); err != nil {
		return err
	}
	mask := resource.Redacted
	if format == "junit" {
		// "<" cannot stand in an XML attribute, and "&lt;" would show as is in CDATA.
		mask = "[redacted]"
	}
	_, err := w.Write(resource.MaskSecretsAs(buf.Bytes(), r.secrets(), mask))
	return err
}

// secrets gathers, once each, the scan's secrets and those of every resource a finding is about.
func (r *Report) secrets() []string {
	var all []string
	seen := map[string]bool{}
	add := func(secrets []string) {
		for _, s := range secrets {
			if !seen[s] {
				seen[s] = true
				all = append(all, s)
			}
		}
	}
	add(r.Secrets)
	for _, f := range r.Findings {
		if f.Resource != nil {
			add(f.Resource.Secrets)
		}
	}
	return all
}

// Formats lists the format names, sorted.
func Formats() []string {
	names := make([]string, 0, len(writers))
	for name := range writers {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}
