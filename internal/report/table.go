package report

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/lensix/lensix/internal/check"
	"github.com/lensix/lensix/internal/diag"
)

// The table is for people at a terminal: findings grouped by file (or by status), one aligned line
// each — status, severity, check, resource, file:line — and below it, indented, what was found,
// what was assumed or unknown, and for failures the fix and the az CLI command. It ends with the
// input errors and a summary line. Text from the input is stripped of control characters so a
// resource name cannot drive the terminal.

// Grouping of the table.
const (
	GroupByFile   = "file"
	GroupByStatus = "status"
)

const (
	ansiReset   = "\x1b[0m"
	ansiBold    = "\x1b[1m"
	ansiDim     = "\x1b[2m"
	ansiRed     = "\x1b[31m"
	ansiGreen   = "\x1b[32m"
	ansiYellow  = "\x1b[33m"
	ansiBlue    = "\x1b[34m"
	ansiMagenta = "\x1b[35m"
	ansiGray    = "\x1b[90m"
)

// wrapWidth is where the explanation lines of a finding wrap.
const wrapWidth = 100

type tableWriter struct {
	b     strings.Builder
	color bool
}

func (t *tableWriter) paint(codes, s string) string {
	if !t.color || codes == "" {
		return s
	}
	return codes + s + ansiReset
}

func writeTable(w io.Writer, r *Report, opts Options) error {
	t := &tableWriter{color: opts.Color}
	findings := sortedFindings(r)
	groups, err := tableGroups(findings, opts)
	if err != nil {
		return err
	}
	widths := columnWidths(findings)
	for i, g := range groups {
		if i > 0 {
			t.b.WriteString("\n")
		}
		fmt.Fprintf(&t.b, "%s\n", t.paint(ansiBold, g.title))
		for _, f := range g.findings {
			if err := t.finding(f, widths, opts); err != nil {
				return err
			}
		}
	}
	if len(findings) == 0 {
		t.b.WriteString("No resources matched a check.\n")
	}
	if err := t.howToFix(findings); err != nil {
		return err
	}
	if len(r.Errors) > 0 {
		heading := "Warnings"
		if r.Errors.HasErrors() {
			heading = "Input errors (results for these inputs may be missing)"
		}
		fmt.Fprintf(&t.b, "\n%s\n", t.paint(ansiBold, heading))
		for _, d := range r.Errors {
			level := t.paint(ansiRed, "error")
			if d.Severity == diag.Warning {
				level = t.paint(ansiYellow, "warning")
			}
			d.Range.Filename = relPath(d.Range.Filename, opts.WorkDir)
			where := d.Range.String()
			if where != "" {
				where += ": "
			}
			msg := d.Summary
			if d.Detail != "" {
				msg += ": " + d.Detail
			}
			fmt.Fprintf(&t.b, "  %s%s: %s\n", clean(where), level, clean(msg))
		}
	}
	t.b.WriteString("\n" + t.summary(r.Summary()) + "\n")
	_, err = io.WriteString(w, t.b.String())
	return err
}

type tableGroup struct {
	title    string
	findings []check.Finding
}

func tableGroups(findings []check.Finding, opts Options) ([]tableGroup, error) {
	switch opts.GroupBy {
	case "", GroupByFile:
		var groups []tableGroup
		for _, f := range findings {
			title := fileGroup(f, opts)
			if n := len(groups); n == 0 || groups[n-1].title != title {
				groups = append(groups, tableGroup{title: title})
			}
			groups[len(groups)-1].findings = append(groups[len(groups)-1].findings, f)
		}
		return groups, nil
	case GroupByStatus:
		order := []check.Status{check.Fail, check.Unknown, check.Suppressed, check.Pass}
		byStatus := map[check.Status][]check.Finding{}
		for _, f := range findings {
			byStatus[f.Status] = append(byStatus[f.Status], f)
		}
		var groups []tableGroup
		for _, s := range order {
			if fs := byStatus[s]; len(fs) > 0 {
				groups = append(groups, tableGroup{title: fmt.Sprintf("%s (%d)", strings.ToUpper(string(s)), len(fs)), findings: fs})
			}
		}
		return groups, nil
	default:
		return nil, fmt.Errorf("unknown table grouping %q (want %s or %s)", opts.GroupBy, GroupByFile, GroupByStatus)
	}
}

// fileGroup titles a finding's group when grouping by file: the file, or the subscription of a
// live resource.
func fileGroup(f check.Finding, opts Options) string {
	r := f.Resource
	if file := r.Provenance.Range.Filename; file != "" && !isLive(r) {
		return clean(relPath(file, opts.WorkDir))
	}
	if r.SubscriptionID != "" {
		return "Azure subscription " + clean(r.SubscriptionID)
	}
	return "Azure"
}

type widths struct{ status, severity, check, resource int }

// maxResourceWidth keeps one long address from pushing every location off the screen.
const maxResourceWidth = 60

func columnWidths(findings []check.Finding) widths {
	var w widths
	for _, f := range findings {
		w.status = max(w.status, len(string(f.Status)))
		w.severity = max(w.severity, len(f.Check.Severity.String()))
		w.check = max(w.check, utf8.RuneCountInString(f.Check.ID))
		w.resource = max(w.resource, min(maxResourceWidth, utf8.RuneCountInString(clean(displayName(f.Resource)))))
	}
	return w
}

func (t *tableWriter) finding(f check.Finding, w widths, opts Options) error {
	status := strings.ToUpper(string(f.Status))
	sev := f.Check.Severity.String()
	name := clean(displayName(f.Resource))
	loc := clean(where(f.Resource, opts.WorkDir))
	if loc == name {
		loc = ""
	}
	line := "  " + t.paint(statusColor(f.Status), pad(status, w.status)) +
		"  " + t.paint(severityColor(f.Check.Severity), pad(sev, w.severity)) +
		"  " + pad(f.Check.ID, w.check) +
		"  " + t.paint(ansiBold, pad(name, w.resource))
	if loc != "" {
		line += "  " + t.paint(ansiGray, loc)
	}
	t.b.WriteString(strings.TrimRight(line, " ") + "\n")

	const indent = "      "
	t.wrapped(indent, "", f.Message)
	if f.Status == check.Pass {
		return nil
	}
	for _, a := range assumptionTexts(f) {
		t.wrapped(indent, "assumed: ", a)
	}
	if verdict(f) == check.Unknown && !messageExplainsUnknown(f) {
		t.wrapped(indent, "unknown: ", unknownText(f))
	}
	if f.Suppression != nil && f.Status == check.Suppressed {
		t.wrapped(indent, "suppressed: ", suppressionText(f.Suppression)+" (the check said "+string(f.Suppression.Hides)+")")
	}
	for _, n := range f.Notes {
		t.wrapped(indent, "note: ", n)
	}
	if f.Status != check.Fail {
		return nil
	}
	rem, err := remediation(f)
	if err != nil {
		return fmt.Errorf("check %s: render remediation for %s: %w", f.Check.ID, displayName(f.Resource), err)
	}
	cmds, more := firstCommands(rem.CLI)
	for i, cmd := range cmds {
		label := "fix: "
		if i > 0 {
			label = "     "
		}
		t.b.WriteString(indent + t.paint(ansiGray, label) + t.paint(ansiDim, clean(cmd)) + "\n")
	}
	if more && f.Check.BuiltIn {
		t.b.WriteString(indent + "     " + t.paint(ansiGray, "(further steps: lensix explain "+f.Check.ID+")") + "\n")
	}
	if summary := fixSummary(f.Check, rem); len(cmds) == 0 && summary != "" {
		t.wrapped(indent, "fix: ", summary)
	}
	return nil
}

// firstCommands picks the commands of the first paragraph of a CLI remediation — the fix itself —
// without comments, and reports whether later paragraphs hold more commands.
func firstCommands(cli string) (cmds []string, more bool) {
	for _, paragraph := range strings.Split(strings.TrimSpace(cli), "\n\n") {
		var lines []string
		for _, line := range strings.Split(paragraph, "\n") {
			if trimmed := strings.TrimSpace(line); trimmed != "" && !strings.HasPrefix(trimmed, "#") {
				lines = append(lines, line)
			}
		}
		switch {
		case len(lines) == 0:
		case cmds == nil:
			cmds = lines
		default:
			return cmds, true
		}
	}
	return cmds, false
}

// howToFix lists, once per failing check, what to do and where the full remediation is.
func (t *tableWriter) howToFix(findings []check.Finding) error {
	var failing []check.Finding
	seen := map[string]bool{}
	for _, f := range findings {
		if f.Status == check.Fail && !seen[f.Check.ID] {
			seen[f.Check.ID] = true
			failing = append(failing, f)
		}
	}
	if len(failing) == 0 {
		return nil
	}
	sort.Slice(failing, func(i, j int) bool { return failing[i].Check.ID < failing[j].Check.ID })
	fmt.Fprintf(&t.b, "\n%s\n", t.paint(ansiBold, "How to fix"))
	for _, f := range failing {
		rem, err := remediation(f)
		if err != nil {
			return fmt.Errorf("check %s: render remediation: %w", f.Check.ID, err)
		}
		t.b.WriteString("  " + f.Check.ID + "\n")
		if summary := fixSummary(f.Check, rem); summary != "" {
			t.wrapped("      ", "", summary)
		}
		switch u := helpURL(f.Check); {
		case f.Check.BuiltIn:
			t.wrapped("      ", "", "Terraform, Bicep and ARM changes and every command: lensix explain "+f.Check.ID)
		case u != "":
			t.wrapped("      ", "", "More: "+u)
		}
	}
	return nil
}

// wrapped writes label+text, wrapped at wrapWidth, continuation lines indented under the text.
func (t *tableWriter) wrapped(indent, label, text string) {
	text = clean(text)
	if text == "" {
		return
	}
	first := indent
	if label != "" {
		first += t.paint(ansiGray, label)
	}
	cont := indent + strings.Repeat(" ", len(label))
	width := max(wrapWidth-len(indent)-len(label), 20)
	line, lineLen := "", 0
	prefix := first
	for _, word := range strings.Fields(text) {
		n := utf8.RuneCountInString(word)
		if lineLen > 0 && lineLen+1+n > width {
			t.b.WriteString(prefix + line + "\n")
			prefix, line, lineLen = cont, "", 0
		}
		if lineLen > 0 {
			line += " "
			lineLen++
		}
		line += word
		lineLen += n
	}
	t.b.WriteString(prefix + line + "\n")
}

func (t *tableWriter) summary(s Summary) string {
	count := func(color string, n int, label string) string {
		text := fmt.Sprintf("%d %s", n, label)
		if n == 1 {
			text = strings.TrimSuffix(text, "s")
		}
		if n == 0 {
			return text
		}
		return t.paint(color, text)
	}
	parts := []string{
		count("", s.Resources, "resources"),
		count(ansiRed, s.Fail, "failed"),
		count(ansiYellow, s.Unknown, "unknown"),
		count(ansiGray, s.Suppressed, "suppressed"),
		count(ansiGreen, s.Pass, "passed"),
		count(ansiRed, s.Errors, "input errors"),
		count(ansiYellow, s.Warnings, "warnings"),
	}
	return t.paint(ansiBold, "Summary:") + " " + strings.Join(parts, ", ")
}

func statusColor(s check.Status) string {
	switch s {
	case check.Fail:
		return ansiBold + ansiRed
	case check.Unknown:
		return ansiYellow
	case check.Suppressed:
		return ansiGray
	default:
		return ansiGreen
	}
}

func severityColor(s check.Severity) string {
	switch s {
	case check.Critical:
		return ansiBold + ansiMagenta
	case check.High:
		return ansiRed
	case check.Medium:
		return ansiYellow
	default:
		return ansiBlue
	}
}

// pad right-pads s with spaces to n characters.
func pad(s string, n int) string {
	if k := utf8.RuneCountInString(s); k < n {
		return s + strings.Repeat(" ", n-k)
	}
	return s
}

// clean removes control characters (escape sequences included) from text bound for a terminal.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' {
			return ' '
		}
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
}
