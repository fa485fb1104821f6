package parser_test

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/lensix/lensix/internal/corpus"
	"github.com/lensix/lensix/internal/source/bicep/parser"
)

// baselines lists the Bicep baselines of a kind (valid or invalid): every main.bicep, and every
// parameters.bicepparam of the .bicepparam baselines.
func baselines(t testing.TB, kind string) []string {
	dir := corpus.Dir(t)
	files, _ := filepath.Glob(filepath.Join(dir, "bicep-baselines", kind, "*", "main.bicep"))
	params, _ := filepath.Glob(filepath.Join(dir, "bicep-baselines", "bicepparam", kind, "*", "parameters.bicepparam"))
	files = append(files, params...)
	if len(files) == 0 {
		t.Skipf("no %s Bicep baselines in %s", kind, dir)
	}
	return files
}

// name names a baseline in subtests: its folder, and the file for .bicepparam ones.
func name(file string) string {
	if strings.HasSuffix(file, ".bicepparam") {
		return "bicepparam-" + filepath.Base(filepath.Dir(file))
	}
	return filepath.Base(filepath.Dir(file))
}

// diagnosticsFile is the baseline's expected diagnostics: main.diagnostics.bicep or
// parameters.diagnostics.bicepparam beside it.
func diagnosticsFile(file string) string {
	base := filepath.Base(file)
	ext := filepath.Ext(base)
	return filepath.Join(filepath.Dir(file), strings.TrimSuffix(base, ext)+".diagnostics"+ext)
}

func TestValidBaselinesParseWithoutErrors(t *testing.T) {
	for _, file := range baselines(t, "valid") {
		t.Run(name(file), func(t *testing.T) {
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			_, errs := parser.ParseFile(file, src)
			for _, e := range errs {
				t.Error(e)
			}
		})
	}
}

// syntaxCodes are the diagnostics Bicep's lexer and parser raise (Lexer.cs, Parser.cs,
// BaseParser.cs); the other BCP codes come from name binding and type checking.
var syntaxCodes = map[string]bool{
	"BCP001": true, "BCP002": true, "BCP003": true, "BCP004": true, "BCP005": true, "BCP006": true,
	"BCP007": true, "BCP008": true, "BCP009": true, "BCP010": true, "BCP012": true, "BCP013": true,
	"BCP015": true, "BCP016": true, "BCP017": true, "BCP018": true, "BCP019": true, "BCP020": true,
	"BCP022": true, "BCP024": true, "BCP064": true, "BCP068": true, "BCP090": true, "BCP096": true,
	"BCP097": true, "BCP103": true, "BCP117": true, "BCP118": true, "BCP123": true, "BCP132": true,
	"BCP140": true, "BCP162": true, "BCP167": true, "BCP226": true, "BCP236": true, "BCP238": true,
	"BCP243": true, "BCP249": true, "BCP266": true, "BCP279": true, "BCP325": true, "BCP346": true,
	"BCP347": true, "BCP358": true,
}

var diagnosticLine = regexp.MustCompile(`^//@\[\d+:\d+\) \[(BCP\d+) \(Error\)\]`)

// expectedSyntaxErrorLines reads a main.diagnostics.bicep: the source interleaved with
// "//@[startCol:endCol) [BCPnnn (Error)] ..." lines that annotate the source line above them.
func expectedSyntaxErrorLines(t *testing.T, path string) map[int][]string {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := map[int][]string{}
	line := 0
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		text := sc.Text()
		if bytes.HasPrefix([]byte(text), []byte("//@[")) {
			if m := diagnosticLine.FindStringSubmatch(text); m != nil && syntaxCodes[m[1]] {
				want[line] = append(want[line], m[1])
			}
			continue
		}
		line++
	}
	return want
}

func TestInvalidBaselinesReportEverySyntaxError(t *testing.T) {
	for _, file := range baselines(t, "invalid") {
		t.Run(name(file), func(t *testing.T) {
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			want := expectedSyntaxErrorLines(t, diagnosticsFile(file))
			_, errs := parser.ParseFile(file, src)
			got := map[int]bool{}
			for _, e := range errs {
				got[e.Pos.Line] = true
			}
			var lines []int
			for line := range want {
				lines = append(lines, line)
			}
			sort.Ints(lines)
			for _, line := range lines {
				if !got[line] {
					t.Errorf("line %d: Bicep reports %v, lensix reports no error", line, want[line])
				}
			}
		})
	}
}
