package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/lensix/lensix/internal/check"
)

// Markdown for pull-request comments and the GitHub Actions step summary: the counts, a table of
// what needs attention, then a section per failing resource with its fix. Passes are counted, not
// listed. Every piece of text that comes from the input is escaped, so a resource called
// "<script>" or "a|b" renders as text and cannot break the table.

func writeMarkdown(w io.Writer, r *Report, opts Options) error {
	var b strings.Builder
	s := r.Summary()
	b.WriteString("## lensix scan\n\n")
	fmt.Fprintf(&b, "| Resources | Failed | Unknown | Suppressed | Passed | Input errors | Warnings |\n")
	fmt.Fprintf(&b, "|---:|---:|---:|---:|---:|---:|---:|\n")
	fmt.Fprintf(&b, "| %d | %d | %d | %d | %d | %d | %d |\n\n", s.Resources, s.Fail, s.Unknown, s.Suppressed, s.Pass, s.Errors, s.Warnings)

	findings := sortedFindings(r)
	var attention []check.Finding
	for _, f := range findings {
		if f.Status != check.Pass {
			attention = append(attention, f)
		}
	}
	if len(attention) == 0 && len(r.Errors) == 0 {
		b.WriteString("No problems found.\n")
		_, err := io.WriteString(w, b.String())
		return err
	}
	if len(attention) > 0 {
		b.WriteString("| Status | Severity | Check | Resource | Location | Details |\n")
		b.WriteString("|---|---|---|---|---|---|\n")
		for _, f := range attention {
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n",
				mdStatus(f.Status), f.Check.Severity, mdEscape(f.Check.ID), mdEscape(displayName(f.Resource)),
				mdEscape(where(f.Resource, opts.WorkDir)), mdEscape(mdDetails(f)))
		}
		b.WriteString("\n")
	}
	for _, f := range attention {
		if f.Status != check.Fail {
			continue
		}
		if err := mdFailure(&b, f, opts); err != nil {
			return err
		}
	}
	if len(r.Errors) > 0 {
		if r.Errors.HasErrors() {
			b.WriteString("### Input errors\n\nThese inputs could not be read completely; results for them may be missing.\n\n")
		} else {
			b.WriteString("### Warnings\n\n")
		}
		for _, d := range r.Errors {
			fmt.Fprintf(&b, "- %s\n", mdEscape(d.Error()))
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func mdStatus(s check.Status) string {
	switch s {
	case check.Fail:
		return "❌ fail"
	case check.Unknown:
		return "❔ unknown"
	case check.Suppressed:
		return "🔕 suppressed"
	default:
		return "✅ pass"
	}
}

// mdDetails is the one-line explanation in the table: the message, why it is unknown, or why it
// is suppressed.
func mdDetails(f check.Finding) string {
	switch f.Status {
	case check.Unknown:
		return unknownText(f)
	case check.Suppressed:
		text := suppressionText(f.Suppression)
		if len(f.Notes) > 0 {
			text += " — " + strings.Join(f.Notes, "; ")
		}
		return text
	default:
		text := f.Message
		if len(f.Notes) > 0 {
			text += " — " + strings.Join(f.Notes, "; ")
		}
		return text
	}
}

func mdFailure(b *strings.Builder, f check.Finding, opts Options) error {
	rem, err := remediation(f)
	if err != nil {
		return fmt.Errorf("check %s: render remediation for %s: %w", f.Check.ID, displayName(f.Resource), err)
	}
	fmt.Fprintf(b, "### ❌ %s — %s\n\n", mdEscape(displayName(f.Resource)), mdEscape(f.Check.Title))
	if u := helpURL(f.Check); u != "" {
		fmt.Fprintf(b, "- **Check:** [%s](%s) (%s)\n", mdEscape(f.Check.ID), u, f.Check.Severity)
	} else {
		fmt.Fprintf(b, "- **Check:** %s (%s)\n", mdEscape(f.Check.ID), f.Check.Severity)
	}
	fmt.Fprintf(b, "- **Resource:** %s (%s)\n", mdEscape(displayName(f.Resource)), mdEscape(f.Resource.Type))
	if loc := where(f.Resource, opts.WorkDir); loc != "" && loc != displayName(f.Resource) {
		fmt.Fprintf(b, "- **Location:** %s\n", mdEscape(loc))
	}
	fmt.Fprintf(b, "- **Found:** %s\n", mdEscape(f.Message))
	for _, a := range assumptionTexts(f) {
		fmt.Fprintf(b, "- **Assumed:** %s\n", mdEscape(a))
	}
	for _, n := range f.Notes {
		fmt.Fprintf(b, "- **Note:** %s\n", mdEscape(n))
	}
	if summary := fixSummary(f.Check, rem); summary != "" {
		fmt.Fprintf(b, "\n**Fix:** %s\n\n", mdEscape(summary))
	} else {
		b.WriteString("\n")
	}
	fix := rem.CLI
	lang, title := "sh", "Azure CLI"
	if f.Resource.Provenance.Source == "terraform" && rem.Terraform != "" {
		// In a pull request the fix belongs in the code under review.
		fix, lang, title = rem.Terraform, "hcl", "Terraform"
	} else if f.Resource.Provenance.Source == "bicep" && rem.Bicep != "" {
		fix, lang, title = rem.Bicep, "bicep", "Bicep"
	}
	fix, cli := codeText(fix), codeText(rem.CLI)
	if fix != "" {
		fence := codeFence(fix)
		fmt.Fprintf(b, "<details><summary>%s</summary>\n\n%s%s\n%s\n%s\n\n</details>\n\n", title, fence, lang, fix, fence)
	}
	if fix != cli && cli != "" {
		fence := codeFence(cli)
		fmt.Fprintf(b, "<details><summary>Azure CLI</summary>\n\n%ssh\n%s\n%s\n\n</details>\n\n", fence, cli, fence)
	}
	return nil
}

// mdEscape makes untrusted text inert in Markdown, in table cells too: HTML is entity-escaped,
// characters with Markdown meaning are backslash-escaped, and line breaks become spaces.
func mdEscape(s string) string {
	var b strings.Builder
	for _, c := range s {
		switch c {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '\n', '\r', '\t':
			b.WriteByte(' ')
		case '\\', '`', '*', '_', '[', ']', '#', '|', '~':
			b.WriteByte('\\')
			b.WriteRune(c)
		default:
			if c < 0x20 || c == 0x7f {
				continue
			}
			b.WriteRune(c)
		}
	}
	return b.String()
}

// codeText keeps fenced code literal and printable: control characters other than line breaks
// and tabs are dropped.
func codeText(s string) string {
	return strings.Map(func(r rune) rune {
		if r != '\n' && r != '\t' && (r < 0x20 || r == 0x7f) {
			return -1
		}
		return r
	}, s)
}
