package resource

import (
	"bytes"
	"regexp"
	"strings"
)

// inlineIgnore matches a lensix suppression comment that starts where a comment starts:
// `# lensix:ignore[check_id] reason` (also `//` and `/* */`), with one or more comma-separated
// check IDs in any case, or * for every check.
var inlineIgnore = regexp.MustCompile(`^(?:#|//|/\*)\s*(?i:lensix:ignore)\[([A-Za-z0-9_*,\s]+)\]\s*(.*?)\s*(?:\*/)?\s*$`)

// InlineSuppressions reads the suppression comments that apply to a declaration starting on line
// (1-based) of src: one on that line itself, and the unbroken run of comment lines directly above
// it. file names src in the returned ranges.
func InlineSuppressions(file string, src []byte, line int) []Suppression {
	lines := bytes.Split(src, []byte("\n"))
	if line < 1 || line > len(lines) {
		return nil
	}
	var out []Suppression
	add := func(n int) {
		m := findIgnore(lines[n-1])
		if m == nil {
			return
		}
		for _, id := range strings.Split(string(m[1]), ",") {
			if id = strings.TrimSpace(id); id != "" {
				out = append(out, Suppression{
					CheckID: id,
					Reason:  string(m[2]),
					Range:   Range{Filename: file, Start: Pos{Line: n, Column: 1}, End: Pos{Line: n, Column: len(lines[n-1]) + 1}},
				})
			}
		}
	}
	add(line)
	for n := line - 1; n >= 1; n-- {
		text := bytes.TrimSpace(lines[n-1])
		if !(bytes.HasPrefix(text, []byte("#")) || bytes.HasPrefix(text, []byte("//")) || bytes.HasPrefix(text, []byte("/*")) || bytes.HasPrefix(text, []byte("*"))) {
			break
		}
		add(n)
	}
	return out
}

// findIgnore matches inlineIgnore at each comment of line, skipping "..." and '...' string
// literals (with backslash escapes), so a marker written inside a string suppresses nothing.
func findIgnore(line []byte) [][]byte {
	var quote byte // the quote of the string literal being skipped, 0 outside strings
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case quote != 0 && c == '\\':
			i++
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '#' || bytes.HasPrefix(line[i:], []byte("//")):
			return inlineIgnore.FindSubmatch(line[i:]) // a line comment runs to the end
		case bytes.HasPrefix(line[i:], []byte("/*")):
			if m := inlineIgnore.FindSubmatch(line[i:]); m != nil {
				return m
			}
			end := bytes.Index(line[i+2:], []byte("*/"))
			if end < 0 {
				return nil
			}
			i += 2 + end + 1
		}
	}
	return nil
}
