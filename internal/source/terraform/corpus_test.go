package terraform_test

import (
	"bufio"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/lensix/lensix/internal/checks/apimgmt"
	"github.com/lensix/lensix/internal/resource"
	"github.com/lensix/lensix/internal/source/terraform"
)

// corpusDir is LENSIX_CORPUS, or ../shared/corpus beside the module root.
func corpusDir(t *testing.T) string {
	if dir := os.Getenv("LENSIX_CORPUS"); dir != "" {
		return dir
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return filepath.Join(d, "..", "shared", "corpus")
		}
		if filepath.Dir(d) == d {
			return filepath.Join(wd, "corpus-not-found")
		}
	}
}

type expectedRow struct {
	path, format, resource, verdict string
}

func readExpected(t *testing.T, corpus string) []expectedRow {
	f, err := os.Open(filepath.Join(corpus, "EXPECTED.tsv"))
	if err != nil {
		t.Skipf("corpus not available: %v", err)
	}
	defer f.Close()
	var rows []expectedRow
	seen := map[expectedRow]bool{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for first := true; sc.Scan(); first = false {
		cols := strings.Split(sc.Text(), "\t")
		if first || len(cols) < 4 || (cols[1] != "terraform" && cols[1] != "tfplan") {
			continue
		}
		row := expectedRow{cols[0], cols[1], cols[2], cols[3]}
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
	corpus := corpusDir(t)
	rows := readExpected(t, corpus)
	if len(rows) == 0 {
		t.Skip("no terraform or tfplan rows in EXPECTED.tsv")
	}

	// Load each case folder (format/case) once, the way a scan would: every directory below it.
	found := map[string][]*resource.Resource{} // by file path relative to the corpus
	loaded := map[string]bool{}
	for _, row := range rows {
		parts := strings.SplitN(row.path, "/", 3)
		caseDir := filepath.Join(corpus, parts[0], parts[1])
		if loaded[caseDir] {
			continue
		}
		loaded[caseDir] = true
		for _, r := range loadCase(t, row.format, caseDir) {
			rel, _ := filepath.Rel(corpus, filepath.FromSlash(r.Provenance.Range.Filename))
			found[filepath.ToSlash(rel)] = append(found[filepath.ToSlash(rel)], r)
		}
	}

	byFile := map[string][]expectedRow{}
	var files []string
	for _, row := range rows {
		if byFile[row.path] == nil {
			files = append(files, row.path)
		}
		byFile[row.path] = append(byFile[row.path], row)
	}
	sort.Strings(files)
	for _, file := range files {
		for _, row := range byFile[file] {
			name := file + "/" + row.resource
			t.Run(name, func(t *testing.T) {
				apims := apimsIn(found[file])
				if row.verdict == "NONE" {
					if len(apims) != 0 {
						t.Errorf("found API Management services %v, want none", keys(apims))
					}
					return
				}
				r, ok := apims[row.resource]
				if !ok {
					t.Fatalf("no API Management service %s; found %v", row.resource, keys(apims))
				}
				got := apimgmt.NoManagedIdentity.Evaluate(r).Status
				if want := strings.ToLower(row.verdict); string(got) != want {
					identity, _ := r.Get("identity")
					t.Errorf("verdict %s, want %s (identity = %#v)", got, want, identity)
				}
			})
		}
		t.Run(file+"/no unexpected services", func(t *testing.T) {
			want := map[string]bool{}
			for _, row := range byFile[file] {
				want[row.resource] = true
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
