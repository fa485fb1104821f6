package azure_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/lensix/lensix/internal/armsim"
	"github.com/lensix/lensix/internal/check"
	"github.com/lensix/lensix/internal/checks/apimgmt"
	"github.com/lensix/lensix/internal/corpus"
	"github.com/lensix/lensix/internal/source/azure"
)

// armrestCases counts the expected verdicts of the corpus's armrest rows by case folder,
// skipping the test when there are none.
func armrestCases(t *testing.T) map[string]map[string]int {
	cases := map[string]map[string]int{}
	for _, r := range corpus.Rows(t, "armrest") {
		if cases[r.Case()] == nil {
			cases[r.Case()] = map[string]int{}
		}
		cases[r.Case()][r.Verdict]++
	}
	if len(cases) == 0 {
		t.Skip("no armrest rows in the corpus")
	}
	return cases
}

// verdictsMatch reports whether the flagship check's results on a case are its expected
// verdicts: every PASS, and as many fail or unknown as FAIL and UNKNOWN rows, no more unknown.
func verdictsMatch(got map[check.Status]int, want map[string]int) bool {
	return got[check.Pass] == want["PASS"] && got[check.Fail]+got[check.Unknown] == want["FAIL"]+want["UNKNOWN"] && got[check.Unknown] <= want["UNKNOWN"]
}

// TestCorpusRESTExamplesAsSnapshots reads each armrest example's response bodies as a saved list
// response and holds the flagship check's verdicts against EXPECTED.tsv.
func TestCorpusRESTExamplesAsSnapshots(t *testing.T) {
	dir := corpus.Dir(t)
	cases := armrestCases(t)
	for c, want := range cases {
		t.Run(c, func(t *testing.T) {
			got := map[check.Status]int{}
			err := filepath.WalkDir(filepath.Join(dir, c), func(p string, d os.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				raw, err := os.ReadFile(p)
				if err != nil {
					return err
				}
				snap, err := corpus.Snapshot(raw)
				if err != nil {
					return err
				}
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
			if !verdictsMatch(got, want) {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}
}

// TestCorpusRESTExamplesServedByArmsim serves each armrest example's response bodies from armsim
// and scans them live, through Resource Graph and through Resource Manager, holding the flagship
// check's verdicts against EXPECTED.tsv.
func TestCorpusRESTExamplesServedByArmsim(t *testing.T) {
	dir := corpus.Dir(t)
	cases := armrestCases(t)
	for c, want := range cases {
		for _, mode := range modes {
			t.Run(c+" "+mode.name, func(t *testing.T) {
				tenant := armsim.NewTenant("corpus-tenant")
				err := filepath.WalkDir(filepath.Join(dir, c), func(p string, d os.DirEntry, err error) error {
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
					for _, body := range corpus.ResponseBodies(doc) {
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
				if !verdictsMatch(got, want) {
					t.Errorf("got %v, want %v", got, want)
				}
			})
		}
	}
}
