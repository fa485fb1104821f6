package parser_test

import (
	"testing"

	"github.com/lensix/lensix/internal/corpus"
	"github.com/lensix/lensix/internal/source/bicep/parser"
)

// FuzzParseFile checks that parsing any input ends without a panic and that every error names a
// line of the file.
func FuzzParseFile(f *testing.F) {
	for _, seed := range []string{
		"", "resource r 'T@v' = {\n name: 'x'\n}", "var x = [for (a, b) in c: if (d) {\n}]",
		"var f = (a, b) => a", "type t = {\n *: string\n}", "var s = '${'${x}'}'", "param p (",
	} {
		f.Add([]byte(seed))
	}
	corpus.AddSeeds(f, "bicep-baselines/*/*/main.bicep")
	f.Fuzz(func(t *testing.T, src []byte) {
		_, errs := parser.ParseFile("fuzz.bicep", src)
		for _, e := range errs {
			if e.Pos.Line < 1 {
				t.Fatalf("error without a line: %v", e)
			}
		}
	})
}
