package report

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// TestGolden writes the fixture report in every format and compares the bytes with
// testdata/golden. Regenerate with: go test ./internal/report -run Golden -update
func TestGolden(t *testing.T) {
	cases := []struct {
		file   string
		format string
		opts   Options
	}{
		{"report.txt", "table", Options{WorkDir: testWorkDir}},
		{"report.color.txt", "table", Options{WorkDir: testWorkDir, Color: true}},
		{"report.by-status.txt", "table", Options{WorkDir: testWorkDir, GroupBy: GroupByStatus}},
		{"report.json", "json", Options{WorkDir: testWorkDir}},
		{"report.sarif", "sarif", Options{WorkDir: testWorkDir}},
		{"report.xml", "junit", Options{WorkDir: testWorkDir}},
		{"report.md", "markdown", Options{WorkDir: testWorkDir}},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Write(&buf, tc.format, fixtureReport(), tc.opts); err != nil {
				t.Fatalf("Write(%s): %v", tc.format, err)
			}
			golden := filepath.Join("testdata", "golden", tc.file)
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got := buf.Bytes(); !bytes.Equal(got, want) {
				t.Errorf("%s differs from the golden file (run with -update if the change is intended)\n%s", tc.file, firstDifference(string(want), string(got)))
			}
		})
	}
}

// firstDifference shows the first line where two texts differ.
func firstDifference(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return "line " + strconv.Itoa(i+1) + ":\n  want: " + w + "\n  got:  " + g
		}
	}
	return ""
}
