package resource

import (
	"bytes"
	"testing"
)

// FuzzInlineSuppressions feeds arbitrary lines to the quote-aware comment scan: it must never
// panic, and a suppression it reports must lie on the declaration line or above it.
func FuzzInlineSuppressions(f *testing.F) {
	f.Add([]byte(`resource "x" "d" { name = "d # lensix:ignore[a] in string" } // lensix:ignore[b] why`), 1)
	f.Add([]byte("  name: 'it\\'s'  /* x */ /* lensix:ignore[*] */\nresource a 'T@1' = {"), 2)
	f.Add([]byte(`"\`), 1)
	f.Fuzz(func(t *testing.T, src []byte, line int) {
		for _, s := range InlineSuppressions("f", src, line) {
			if s.Range.Start.Line < 1 || s.Range.Start.Line > line || s.Range.Start.Line > bytes.Count(src, []byte("\n"))+1 {
				t.Fatalf("suppression on line %d for a declaration on line %d", s.Range.Start.Line, line)
			}
		}
	})
}
