package terraform_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/lensix/lensix/internal/checks/apimgmt"
	"github.com/lensix/lensix/internal/corpus"
	"github.com/lensix/lensix/internal/resource"
	"github.com/lensix/lensix/internal/source/terraform"
)

// readExpected reads the corpus's terraform and tfplan rows, each distinct row once.
func readExpected(t *testing.T) []corpus.Row {
	var rows []corpus.Row
	seen := map[corpus.Row]bool{}
	for _, row := range corpus.Rows(t, "terraform", "tfplan") {
		row.Notes = "" // rows that differ only in their notes are the same expectation
		if !seen[row] {
			seen[row] = true
			rows = append(rows, row)
		}
	}
	return rows
}

// TestCorpus loads every terraform and tfplan case of the shared corpus and checks, per file,
// that the API Management services found are exactly the expected ones and that the check's
// verdict on each matches EXPECTED.tsv.
func TestCorpus(t *testing.T) {
	dir := corpus.Dir(t)
	rows := readExpected(t)
	if len(rows) == 0 {
		t.Skip("no terraform or tfplan rows in EXPECTED.tsv")
	}

	// Load each case folder (format/case) once, the way a scan would: every directory below it.
	found := map[string][]*resource.Resource{} // by file path relative to the corpus
	loaded := map[string]bool{}
	for _, row := range rows {
		caseDir := filepath.Join(dir, filepath.FromSlash(row.Case()))
		if loaded[caseDir] {
			continue
		}
		loaded[caseDir] = true
		for _, r := range loadCase(t, row.Format, caseDir) {
			rel, _ := filepath.Rel(dir, filepath.FromSlash(r.Provenance.Range.Filename))
			found[filepath.ToSlash(rel)] = append(found[filepath.ToSlash(rel)], r)
		}
	}

	byFile := map[string][]corpus.Row{}
	var files []string
	for _, row := range rows {
		if byFile[row.Path] == nil {
			files = append(files, row.Path)
		}
		byFile[row.Path] = append(byFile[row.Path], row)
	}
	sort.Strings(files)
	for _, file := range files {
		for _, row := range byFile[file] {
			name := file + "/" + row.Resource
			t.Run(name, func(t *testing.T) {
				apims := apimsIn(found[file])
				if row.Verdict == "NONE" {
					if len(apims) != 0 {
						t.Errorf("found API Management services %v, want none", keys(apims))
					}
					return
				}
				r, ok := apims[row.Resource]
				if !ok {
					t.Fatalf("no API Management service %s; found %v", row.Resource, keys(apims))
				}
				got := apimgmt.NoManagedIdentity.Evaluate(r).Status
				if want := strings.ToLower(row.Verdict); string(got) != want {
					identity, _ := r.Get("identity")
					t.Errorf("verdict %s, want %s (identity = %#v)", got, want, identity)
				}
			})
		}
		t.Run(file+"/no unexpected services", func(t *testing.T) {
			want := map[string]bool{}
			for _, row := range byFile[file] {
				want[row.Resource] = true
			}
			for addr := range apimsIn(found[file]) {
				if !want[addr] {
					t.Errorf("found %s, which EXPECTED.tsv does not list", addr)
				}
			}
		})
	}
}

func loadCase(t *testing.T, format, caseDir string) []*resource.Resource {
	if format == "tfplan" {
		var out []*resource.Resource
		_ = filepath.WalkDir(caseDir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".json") {
				return nil
			}
			src, err := os.ReadFile(p)
			if err != nil {
				t.Error(err)
				return nil
			}
			if !terraform.IsPlan(src) {
				t.Errorf("%s is not recognised as a plan", p)
				return nil
			}
			resources, diags := terraform.ReadPlan(filepath.ToSlash(p), src)
			for _, d := range diags {
				t.Errorf("%s", d.Error())
			}
			out = append(out, resources...)
			return nil
		})
		return out
	}
	var dirs []string
	_ = filepath.WalkDir(caseDir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			dirs = append(dirs, filepath.ToSlash(p))
		}
		return nil
	})
	resources, _ := terraform.Load(dirs, terraform.Options{})
	return resources
}

func apimsIn(resources []*resource.Resource) map[string]*resource.Resource {
	out := map[string]*resource.Resource{}
	for _, r := range resources {
		if r.IsType(apimgmt.ServiceType) {
			out[r.Provenance.Address] = r
		}
	}
	return out
}

func keys(m map[string]*resource.Resource) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
