package report

import (
	"strings"
	"testing"
)

func TestMarkdownEscapesHostileNames(t *testing.T) {
	out := writeString(t, "markdown", hostileReport(), Options{WorkDir: testWorkDir})
	if strings.Contains(out, "\x1b") {
		t.Errorf("output contains a control character:\n%q", out)
	}
	// Fenced code is literal in Markdown; everywhere else the name must be inert.
	if prose := withoutCodeBlocks(out); strings.Contains(prose, "<script>") {
		t.Errorf("raw <script> outside code blocks:\n%s", prose)
	}
	if !strings.Contains(out, "&lt;script&gt;&amp;\"\\|x\\|") {
		t.Errorf("escaped name not found:\n%s", out)
	}
	// The findings table must keep six cells per row despite pipes in the name.
	for _, line := range strings.Split(out, "\n") {
		if !strings.HasPrefix(line, "| ❌") {
			continue
		}
		if cells := strings.Count(strings.ReplaceAll(line, `\|`, ""), "|"); cells != 7 {
			t.Errorf("row has %d unescaped pipes, want 7: %s", cells, line)
		}
	}
}

func TestMarkdownCodeBlocksDropControlCharacters(t *testing.T) {
	r := hostileReport()
	r.Findings[0].Resource.Name = "apim<b>\x07"
	out := writeString(t, "markdown", r, Options{})
	// A name Azure would not accept never reaches a command; a placeholder stands in.
	if !strings.Contains(out, "az apim update --name <name> ") {
		t.Errorf("the rendered command should name a placeholder, not the hostile name:\n%s", out)
	}
	if strings.Contains(out, "\x07") {
		t.Errorf("a control character reached the output: %q", out)
	}
}

func TestMdEscape(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"HTML becomes text", `<img src=x onerror=alert(1)>`, `&lt;img src=x onerror=alert(1)&gt;`},
		{"pipes cannot split a table cell", "a|b", `a\|b`},
		{"emphasis and code markers are literal", "*a* _b_ `c`", "\\*a\\* \\_b\\_ \\`c\\`"},
		{"links cannot be formed", "[x](http://evil)", `\[x\](http://evil)`},
		{"line breaks stay inside the cell", "a\nb", "a b"},
		{"control characters are dropped", "a\x1b[31mb", `a\[31mb`},
		{"entities are not interpreted", "&lt;", "&amp;lt;"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := mdEscape(tc.in); got != tc.want {
				t.Errorf("mdEscape(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestMarkdownShowsTheFixInTheSourceLanguage(t *testing.T) {
	out := writeString(t, "markdown", fixtureReport(), Options{WorkDir: testWorkDir})
	terraform := out[strings.Index(out, "### ❌ azurerm\\_api\\_management.this"):]
	if !strings.Contains(terraform, "<summary>Terraform</summary>") || !strings.Contains(terraform, "type = \"SystemAssigned\"") {
		t.Errorf("terraform failure lacks the Terraform fix:\n%s", terraform)
	}
	if strings.Contains(out, "### ❌ azurerm\\_api\\_management.ok") {
		t.Error("a pass got a section")
	}
}

func TestMarkdownOfACleanScanSaysSo(t *testing.T) {
	r := fixtureReport()
	r.Errors = nil
	r.Findings = r.Findings[2:3] // the pass
	out := writeString(t, "markdown", r, Options{})
	if !strings.Contains(out, "No problems found.") || strings.Contains(out, "| Status |") {
		t.Errorf("clean scan:\n%s", out)
	}
}

func TestCodeFenceOutlastsBackticksInTheBody(t *testing.T) {
	if got := codeFence("a ```` b"); got != "`````" {
		t.Errorf("codeFence = %q", got)
	}
	if got := codeFence("plain"); got != "```" {
		t.Errorf("codeFence = %q", got)
	}
}

// withoutCodeBlocks drops fenced code blocks from Markdown.
func withoutCodeBlocks(md string) string {
	var b strings.Builder
	fence := ""
	for _, line := range strings.Split(md, "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case fence == "" && strings.HasPrefix(trimmed, "```"):
			fence = trimmed[:len(trimmed)-len(strings.TrimLeft(trimmed, "`"))]
		case fence != "" && trimmed == fence:
			fence = ""
		case fence == "":
			b.WriteString(line + "\n")
		}
	}
	return b.String()
}
