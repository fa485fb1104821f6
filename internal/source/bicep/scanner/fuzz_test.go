package scanner_test

import (
	"testing"

	"github.com/lensix/lensix/internal/corpus"
	"github.com/lensix/lensix/internal/source/bicep/scanner"
	"github.com/lensix/lensix/internal/source/bicep/token"
)

// FuzzScan checks that scanning any input ends, never panics, and yields positions that only go
// forward.
func FuzzScan(f *testing.F) {
	for _, seed := range []string{"", "'a${b}c'", "$$'''x$${y}'''", "/* x", "#disable-next-line a\nb", "'\\u{", "\"x"} {
		f.Add([]byte(seed))
	}
	corpus.AddSeeds(f, "bicep-baselines/*/*/main.bicep")
	f.Fuzz(func(t *testing.T, src []byte) {
		var s scanner.Scanner
		s.Init(token.NewFile("fuzz.bicep", src), nil)
		last := token.NoPos
		for n := 0; ; n++ {
			pos, tok, _ := s.Scan()
			if pos < last {
				t.Fatalf("position went back from %d to %d", last, pos)
			}
			last = pos
			if tok == token.EOF {
				return
			}
			if n > len(src)+1 {
				t.Fatal("more tokens than bytes: the scanner does not advance")
			}
		}
	})
}
