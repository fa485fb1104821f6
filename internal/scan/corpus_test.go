package scan

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/lensix/lensix/internal/check"
	"github.com/lensix/lensix/internal/checks/apimgmt"
	"github.com/lensix/lensix/internal/suppress"
)

// corpusFormats are the corpus formats lensix reads end to end through scan.Run.
var corpusFormats = map[string]bool{"terraform": true, "tfplan": true, "arm": true, "bicep": true, "armrest": true}

// corpusDir finds the shared real-world corpus: $LENSIX_CORPUS, else ../shared/corpus beside the
// module root.
func corpusDir(t *testing.T) string {
	t.Helper()
	if dir := os.Getenv("LENSIX_CORPUS"); dir != "" {
		return dir
	}
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	for ; dir != filepath.Dir(dir); dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "..", "shared", "corpus")
		}
	}
	t.Fatal("no go.mod above the test")
	return ""
}

// expectedCase is one corpus folder and the verdicts its rows expect for the flagship check.
type expectedCase struct {
	format              string
	fail, pass, unknown int
	rows                []string // "resource=VERDICT", shown when the case does not match
}

func readExpected(t *testing.T, corpus string) map[string]*expectedCase {
	f, err := os.Open(filepath.Join(corpus, "EXPECTED.tsv"))
	if os.IsNotExist(err) {
		t.Skipf("no corpus at %s (set LENSIX_CORPUS)", corpus)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comma, r.LazyQuotes, r.FieldsPerRecord = '\t', true, -1
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]*expectedCase{}
	for _, row := range rows[1:] {
		path, format, res, verdict := row[0], row[1], row[2], row[3]
		parts := strings.SplitN(path, "/", 3)
		name := parts[0] + "/" + parts[1]
		c := cases[name]
		if c == nil {
			c = &expectedCase{format: format}
			cases[name] = c
		}
		switch verdict {
		case "FAIL":
			c.fail++
		case "PASS":
			c.pass++
		case "UNKNOWN":
			c.unknown++
		}
		c.rows = append(c.rows, res+"="+verdict)
	}
	return cases
}

// TestCorpus scans each case folder of the real-world corpus on its own, as a user would, and
// holds the flagship check's verdicts to the labels: FAIL and PASS rows exactly, UNKNOWN rows as
// unknown or as fail resting on an assumed default, NONE rows as no result at all.
func TestCorpus(t *testing.T) {
	corpus := corpusDir(t)
	cases := readExpected(t, corpus)
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
			target := filepath.Join(corpus, name)
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
// user would scan ({"value": [...]}, as `az rest` saves them): every response body's resources,
// the way ../shared/tools/corpus-check does. Request bodies are not resources Azure returned.
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
		var example struct {
			Responses map[string]struct {
				Body json.RawMessage `json:"body"`
			} `json:"responses"`
		}
		if err := json.Unmarshal(data, &example); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		var items []json.RawMessage
		for _, code := range sortedKeys(map[string]bool{"200": true, "201": true, "202": true}) {
			body := example.Responses[code].Body
			var list struct {
				Value []json.RawMessage `json:"value"`
			}
			var one struct {
				Type string `json:"type"`
			}
			switch {
			case len(body) == 0:
			case json.Unmarshal(body, &list) == nil && list.Value != nil:
				items = append(items, list.Value...)
			case json.Unmarshal(body, &one) == nil && one.Type != "":
				items = append(items, body)
			}
		}
		snapshot, err := json.Marshal(map[string]any{"value": items})
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(out, filepath.Base(f)), snapshot, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return out
}
