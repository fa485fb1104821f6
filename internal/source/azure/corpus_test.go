package azure_test

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lensix/lensix/internal/armsim"
	"github.com/lensix/lensix/internal/check"
	"github.com/lensix/lensix/internal/checks/apimgmt"
	"github.com/lensix/lensix/internal/source/azure"
)

// corpusDir finds ../shared/corpus from the module root, or $LENSIX_CORPUS.
func corpusDir(t *testing.T) string {
	t.Helper()
	if dir := os.Getenv("LENSIX_CORPUS"); dir != "" {
		return dir
	}
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "..", "shared", "corpus")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("no go.mod above the test folder")
		}
		dir = parent
	}
}

// expectedRows reads the EXPECTED.tsv rows of one format, grouped by case folder.
func expectedRows(t *testing.T, corpus, format string) map[string]map[string]int {
	t.Helper()
	f, err := os.Open(filepath.Join(corpus, "EXPECTED.tsv"))
	if err != nil {
		t.Skipf("corpus not available: %v", err)
	}
	defer f.Close()
	cases := map[string]map[string]int{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for first := true; sc.Scan(); first = false {
		cols := strings.Split(sc.Text(), "\t")
		if first || len(cols) < 4 || cols[1] != format {
			continue
		}
		parts := strings.SplitN(cols[0], "/", 3)
		c := parts[0] + "/" + parts[1]
		if cases[c] == nil {
			cases[c] = map[string]int{}
		}
		cases[c][cols[3]]++
	}
	return cases
}

// responseBodies collects the ARM resources in the response bodies of a REST API example, the
// way tools/corpus-check does: bodies, their "value" lists, deduplicated by ID.
func responseBodies(doc any) []any {
	found := map[string]any{}
	var order []string
	addBody := func(b any) {
		items := []any{b}
		if m, ok := b.(map[string]any); ok {
			if list, ok := m["value"].([]any); ok {
				items = list
			}
		}
		for _, it := range items {
			m, ok := it.(map[string]any)
			typ, _ := m["type"].(string)
			if !ok || !strings.Contains(typ, "/") || m["name"] == nil {
				continue
			}
			key, _ := m["id"].(string)
			if key == "" {
				key = typ + "/" + m["name"].(string)
			}
			key = strings.ToLower(key)
			if _, seen := found[key]; !seen {
				order = append(order, key)
			}
			found[key] = m
		}
	}
	var walk func(x any, inResponses bool)
	walk = func(x any, inResponses bool) {
		switch v := x.(type) {
		case map[string]any:
			for k, child := range v {
				switch {
				case k == "responses":
					walk(child, true)
				case k == "body" && inResponses:
					addBody(child)
				default:
					walk(child, inResponses)
				}
			}
		case []any:
			for _, child := range v {
				walk(child, inResponses)
			}
		}
	}
	walk(doc, false)
	out := make([]any, 0, len(order))
	for _, k := range order {
		out = append(out, found[k])
	}
	return out
}

// TestCorpusRESTExamplesAsSnapshots reads each armrest example's response bodies as a saved list
// response and holds the flagship check's verdicts against EXPECTED.tsv.
func TestCorpusRESTExamplesAsSnapshots(t *testing.T) {
	corpus := corpusDir(t)
	cases := expectedRows(t, corpus, "armrest")
	if len(cases) == 0 {
		t.Skip("no armrest rows in the corpus")
	}
	for c, want := range cases {
		t.Run(c, func(t *testing.T) {
			got := map[check.Status]int{}
			err := filepath.WalkDir(filepath.Join(corpus, c), func(p string, d os.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				raw, err := os.ReadFile(p)
				if err != nil {
					return err
				}
				var doc any
				if err := json.Unmarshal(raw, &doc); err != nil {
					return err
				}
				snap, _ := json.MarshalIndent(map[string]any{"value": responseBodies(doc)}, "", " ")
				if !azure.IsSnapshot(snap) {
					t.Errorf("%s: IsSnapshot is false for its response bodies", p)
				}
				rs, ds := azure.ReadSnapshot(filepath.ToSlash(p), snap)
				if ds.HasErrors() {
					t.Errorf("%s: %v", p, ds)
				}
				for _, f := range check.Run([]*check.Check{apimgmt.NoManagedIdentity}, rs) {
					got[f.Status]++
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if got[check.Pass] != want["PASS"] || got[check.Fail]+got[check.Unknown] != want["FAIL"]+want["UNKNOWN"] || got[check.Unknown] > want["UNKNOWN"] {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}
}

// TestCorpusRESTExamplesServedByArmsim serves each armrest example's response bodies from armsim
// and scans them live, through Resource Graph and through Resource Manager, holding the flagship
// check's verdicts against EXPECTED.tsv.
func TestCorpusRESTExamplesServedByArmsim(t *testing.T) {
	corpus := corpusDir(t)
	cases := expectedRows(t, corpus, "armrest")
	if len(cases) == 0 {
		t.Skip("no armrest rows in the corpus")
	}
	for c, want := range cases {
		for _, mode := range modes {
			t.Run(c+" "+mode.name, func(t *testing.T) {
				tenant := armsim.NewTenant("corpus-tenant")
				err := filepath.WalkDir(filepath.Join(corpus, c), func(p string, d os.DirEntry, err error) error {
					if err != nil || d.IsDir() {
						return err
					}
					raw, err := os.ReadFile(p)
					if err != nil {
						return err
					}
					var doc any
					if err := json.Unmarshal(raw, &doc); err != nil {
						return err
					}
					for _, body := range responseBodies(doc) {
						if err := tenant.AddResource(body.(map[string]any)); err != nil {
							t.Logf("not served: %v", err)
						}
					}
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				if len(tenant.Subscriptions()) == 0 {
					tenant.AddSubscription("00000000-0000-0000-0000-000000000000", "empty")
				}
				_, opts := simulate(t, tenant, armsim.Faults{})
				opts.NoResourceGraph = mode.noResourceGraph
				inv, ds := scan(t, opts)
				if ds.HasErrors() {
					t.Errorf("diagnostics: %v", ds)
				}
				got := map[check.Status]int{}
				for _, f := range check.Run([]*check.Check{apimgmt.NoManagedIdentity}, inv.Resources) {
					got[f.Status]++
				}
				if got[check.Pass] != want["PASS"] || got[check.Fail]+got[check.Unknown] != want["FAIL"]+want["UNKNOWN"] || got[check.Unknown] > want["UNKNOWN"] {
					t.Errorf("got %v, want %v", got, want)
				}
			})
		}
	}
}
