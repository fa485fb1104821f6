package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/lensix/lensix/internal/check"
)

// JUnit XML in the shape Azure DevOps (PublishTestResults, testResultsFormat: JUnit) and GitLab
// (artifacts:reports:junit) read: a testsuite per check, a testcase per (check, resource) whose
// classname is the file (or the resource ID for live resources) and whose name is the resource's
// address. A fail is a <failure>; suppressed and unknown verdicts are <skipped> with a message
// saying which — both CI systems count them as skipped/not executed rather than passed or failed.
// Input errors are testcases with an <error> in a suite of their own. Times are 0: lensix does not
// time checks, and the same input must give the same bytes.

// junitErrorSuite names the suite holding input errors.
const junitErrorSuite = "lensix input errors"

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string           `xml:"name,attr"`
	Tests      int              `xml:"tests,attr"`
	Failures   int              `xml:"failures,attr"`
	Errors     int              `xml:"errors,attr"`
	Skipped    int              `xml:"skipped,attr"`
	Time       string           `xml:"time,attr"`
	Properties *junitProperties `xml:"properties,omitempty"`
	Cases      []junitCase      `xml:"testcase"`
}

type junitProperties struct {
	Property []junitProperty `xml:"property"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitProblem `xml:"failure,omitempty"`
	Error     *junitProblem `xml:"error,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
	SystemOut *junitCDATA   `xml:"system-out,omitempty"`
}

// junitCDATA keeps multi-line text readable in the file; encoding/xml splits any "]]>" in it.
type junitCDATA struct {
	Text string `xml:",cdata"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",cdata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

// writeJUnit writes the report as JUnit XML. encoding/xml escapes every attribute and text, and
// replaces characters XML cannot carry, so untrusted names cannot break the document.
func writeJUnit(w io.Writer, r *Report, opts Options) error {
	suites := junitSuites{Name: "lensix", Time: "0"}
	bySuite := map[string]int{}
	for _, c := range sortedChecks(r) {
		bySuite[c.ID] = len(suites.Suites)
		suites.Suites = append(suites.Suites, junitSuite{
			Name: c.ID,
			Time: "0",
			Properties: &junitProperties{Property: []junitProperty{
				{Name: "title", Value: c.Title},
				{Name: "severity", Value: c.Severity.String()},
			}},
		})
	}
	for _, f := range sortedFindings(r) {
		tc, err := junitCaseOf(f, opts)
		if err != nil {
			return err
		}
		s := &suites.Suites[bySuite[f.Check.ID]]
		s.Cases = append(s.Cases, tc)
		s.Tests++
		switch {
		case tc.Failure != nil:
			s.Failures++
		case tc.Skipped != nil:
			s.Skipped++
		}
	}
	if len(r.Errors) > 0 {
		errs := junitSuite{Name: junitErrorSuite, Time: "0"}
		for _, d := range r.Errors {
			file := relPath(d.Range.Filename, opts.WorkDir)
			name := file
			if d.Range.Start.Line > 0 {
				name = fmt.Sprintf("%s:%d:%d", file, d.Range.Start.Line, d.Range.Start.Column)
			}
			if name == "" {
				name = "(input)"
			}
			errs.Cases = append(errs.Cases, junitCase{
				Name:      name,
				Classname: file,
				Time:      "0",
				Error:     &junitProblem{Message: d.Summary, Type: d.Severity.String(), Text: xmlText(d.Error())},
			})
			errs.Tests++
			errs.Errors++
		}
		suites.Suites = append(suites.Suites, errs)
	}
	for _, s := range suites.Suites {
		suites.Tests += s.Tests
		suites.Failures += s.Failures
		suites.Errors += s.Errors
		suites.Skipped += s.Skipped
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(suites); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func junitCaseOf(f check.Finding, opts Options) (junitCase, error) {
	r := f.Resource
	tc := junitCase{Name: displayName(r), Time: "0"}
	if isLive(r) || r.Provenance.Range.Filename == "" {
		tc.Classname = r.ID
	} else {
		tc.Classname = relPath(r.Provenance.Range.Filename, opts.WorkDir)
	}
	if tc.Classname == "" {
		tc.Classname = r.Type
	}
	switch f.Status {
	case check.Pass:
		return tc, nil
	case check.Suppressed:
		msg := "suppressed (" + suppressionText(f.Suppression) + ")"
		if f.Suppression != nil && f.Suppression.Hides != "" {
			msg += "; the check said " + string(f.Suppression.Hides)
		}
		tc.Skipped = &junitSkipped{Message: msg}
	case check.Unknown:
		tc.Skipped = &junitSkipped{Message: "unknown: " + unknownText(f)}
	default:
		detail, err := junitDetail(f, opts)
		if err != nil {
			return junitCase{}, err
		}
		tc.Failure = &junitProblem{Message: f.Message, Type: f.Check.Severity.String(), Text: xmlText(detail)}
		return tc, nil
	}
	detail, err := junitDetail(f, opts)
	if err != nil {
		return junitCase{}, err
	}
	tc.SystemOut = &junitCDATA{Text: xmlText(detail)}
	return tc, nil
}

// junitDetail is the body of a failure: where, why, what was assumed and how to fix it.
func junitDetail(f check.Finding, opts Options) (string, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s, %s)\n", f.Check.Title, f.Check.ID, f.Check.Severity)
	fmt.Fprintf(&b, "resource: %s (%s)\n", displayName(f.Resource), f.Resource.Type)
	if loc := where(f.Resource, opts.WorkDir); loc != "" && loc != displayName(f.Resource) {
		fmt.Fprintf(&b, "location: %s\n", loc)
	}
	fmt.Fprintf(&b, "message: %s\n", f.Message)
	evidence := evidenceOf(f)
	for _, k := range sortedKeys(evidence) {
		fmt.Fprintf(&b, "evidence: %s = %s\n", k, evidence[k])
	}
	for _, a := range assumptionTexts(f) {
		fmt.Fprintf(&b, "assumption: %s\n", a)
	}
	for _, n := range f.Notes {
		fmt.Fprintf(&b, "note: %s\n", n)
	}
	rem, err := remediation(f)
	if err != nil {
		return "", fmt.Errorf("check %s: render remediation for %s: %w", f.Check.ID, displayName(f.Resource), err)
	}
	if summary := fixSummary(f.Check, rem); summary != "" {
		fmt.Fprintf(&b, "fix: %s\n", summary)
	}
	if rem.CLI != "" {
		fmt.Fprintf(&b, "az CLI:\n%s\n", rem.CLI)
	}
	return b.String(), nil
}

// xmlText drops the characters XML 1.0 cannot carry at all. encoding/xml replaces them in
// attributes and escaped text, but writes CDATA sections as they are.
func xmlText(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			return r
		case r < 0x20, r >= 0xD800 && r <= 0xDFFF, r == 0xFFFE, r == 0xFFFF:
			return -1
		default:
			return r
		}
	}, s)
}
