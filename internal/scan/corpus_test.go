package scan

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/lensix/lensix/internal/check"
	"github.com/lensix/lensix/internal/checks/apimgmt"
	"github.com/lensix/lensix/internal/corpus"
	"github.com/lensix/lensix/internal/suppress"
)

// corpusFormats are the corpus formats lensix reads end to end through scan.Run.
var corpusFormats = map[string]bool{"terraform": true, "tfplan": true, "arm": true, "bicep": true, "armrest": true}

// expectedCase is one corpus folder and the verdicts its rows expect for the flagship check.
type expectedCase struct {
	format              string
	fail, pass, unknown int
	rows                []string // "resource=VERDICT", shown when the case does not match
}

func readExpected(t *testing.T) map[string]*expectedCase {
	cases := map[string]*expectedCase{}
	for _, row := range corpus.Rows(t) {
		c := cases[row.Case()]
		if c == nil {
			c = &expectedCase{format: row.Format}
			cases[row.Case()] = c
		}
		switch row.Verdict {
		case "FAIL":
			c.fail++
		case "PASS":
			c.pass++
		case "UNKNOWN":
			c.unknown++
		}
		c.rows = append(c.rows, row.Resource+"="+row.Verdict)
	}
	return cases
}

// TestCorpus scans each case folder of the real-world corpus on its own, as a user would, and
// holds the flagship check's verdicts to the labels: FAIL and PASS rows exactly, UNKNOWN rows as
// unknown or as fail resting on an assumed default, NONE rows as no result at all.
func TestCorpus(t *testing.T) {
	dir := corpus.Dir(t)
	cases := readExpected(t)
	names := make([]string, 0, len(cases))
	for name := range cases {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		c := cases[name]
		if !corpusFormats[c.format] {
			continue
		}
		t.Run(name, func(t *testing.T) {
			target := filepath.Join(dir, name)
			if c.format == "armrest" {
				target = restExampleSnapshots(t, target)
			}
			rep, err := Run(context.Background(), Options{
				Paths:  []string{target},
				Checks: []*check.Check{apimgmt.NoManagedIdentity},
				Config: &suppress.Config{},
				Now:    time.Now(),
			})
			if err != nil {
				t.Fatal(err)
			}
			var fail, pass, unknown, failOnAssumption int
			var got []string
			for _, f := range rep.Findings {
				got = append(got, fmt.Sprintf("%s=%s", f.Resource.Provenance.Address, f.Status))
				switch f.Status {
				case check.Fail:
					fail++
					if len(f.Resource.Assumptions) > 0 {
						failOnAssumption++
					}
				case check.Pass:
					pass++
				case check.Unknown:
					unknown++
				default:
					t.Errorf("unexpected status %s for %s", f.Status, f.Resource.Provenance.Address)
				}
			}
			unknownAsFail := fail - c.fail
			ok := pass == c.pass && unknown+unknownAsFail == c.unknown && unknownAsFail >= 0 && unknownAsFail <= failOnAssumption
			if !ok {
				t.Errorf("want %v\n got %v\n(errors: %v)", c.rows, got, rep.Errors)
			}
			for _, d := range rep.Errors {
				t.Logf("input diagnostic: %v", d)
			}
		})
	}
}

// restExampleSnapshots turns the Azure REST API examples in dir into the saved list responses a
// user would scan, one per example, in a temporary folder.
func restExampleSnapshots(t *testing.T, dir string) string {
	t.Helper()
	out := t.TempDir()
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no REST examples in %s: %v", dir, err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		snapshot, err := corpus.Snapshot(data)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if err := os.WriteFile(filepath.Join(out, filepath.Base(f)), snapshot, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return out
}
