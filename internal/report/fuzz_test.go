package report

import (
	"encoding/json"
	"encoding/xml"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzHostileText feeds arbitrary resource names and messages to every writer: JSON and SARIF
// must stay valid JSON, JUnit must parse back with the same name (up to characters XML cannot
// carry), and Markdown outside code blocks must hold no raw HTML.
// go test ./internal/report -run '^$' -fuzz FuzzHostileText -fuzztime 30s
func FuzzHostileText(f *testing.F) {
	f.Add(`<script>&"`, "a|b\nc")
	f.Add("]]><![CDATA[", "\x1b[31mred")
	f.Add("\x00\ufffe\U0001F600", "` ``` `")
	f.Fuzz(func(t *testing.T, name, message string) {
		if !utf8.ValidString(name) || !utf8.ValidString(message) {
			t.Skip("sources hand over UTF-8")
		}
		r := hostileReport()
		r.Findings[0].Resource.Provenance.Address = name
		r.Findings[0].Resource.Name = name
		r.Findings[0].Message = message
		for _, format := range []string{"json", "sarif"} {
			if out := writeString(t, format, r, Options{WorkDir: testWorkDir}); !json.Valid([]byte(out)) {
				t.Fatalf("%s output is not valid JSON", format)
			}
		}
		var in junitIn
		if err := xml.Unmarshal([]byte(writeString(t, "junit", r, Options{})), &in); err != nil {
			t.Fatalf("JUnit does not parse: %v", err)
		}
		if got := in.Suites[0].Cases[0].Name; got != xmlRoundTrip(displayName(r.Findings[0].Resource)) {
			t.Fatalf("JUnit name %q, want %q", got, name)
		}
		prose := withoutCodeBlocks(writeString(t, "markdown", r, Options{}))
		for _, ours := range []string{"<details>", "</details>", "<summary>", "</summary>"} {
			prose = strings.ReplaceAll(prose, ours, "")
		}
		if strings.Contains(prose, "<") {
			t.Fatalf("raw HTML from the input in Markdown:\n%s", prose)
		}
	})
}

// xmlRoundTrip is what an XML parser reads back from an attribute encoding/xml wrote: characters
// outside XML's range become U+FFFD, and attribute line breaks are kept as escaped.
func xmlRoundTrip(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			return r
		case r < 0x20, r >= 0xD800 && r <= 0xDFFF, r == 0xFFFE, r == 0xFFFF:
			return '\uFFFD'
		default:
			return r
		}
	}, s)
}
