package policy

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// corpusDir returns the shared corpus (LENSIX_CORPUS, else ../shared/corpus beside the module
// root), skipping the test when it is absent.
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
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("module root not found")
		}
		dir = parent
	}
	corpus := filepath.Join(dir, "..", "shared", "corpus")
	if _, err := os.Stat(corpus); err != nil {
		t.Skipf("corpus not found at %s (set LENSIX_CORPUS)", corpus)
	}
	return corpus
}

// corpusDefinitionFiles lists every definition in the corpus, by path relative to it.
func corpusDefinitionFiles(t *testing.T, corpus string) []string {
	t.Helper()
	var files []string
	for _, sub := range []string{"azure-policy/definitions", "azure-policy/samples", "policy"} {
		err := filepath.WalkDir(filepath.Join(corpus, sub), func(p string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && strings.HasSuffix(p, ".json") {
				rel, _ := filepath.Rel(corpus, p)
				files = append(files, filepath.ToSlash(rel))
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	sort.Strings(files)
	return files
}

func TestEveryCorpusDefinitionLoads(t *testing.T) {
	corpus := corpusDir(t)
	files := corpusDefinitionFiles(t, corpus)
	if len(files) < 90 {
		t.Fatalf("found %d corpus definitions, want at least 90", len(files))
	}
	for _, f := range files {
		def, err := ParseFile(filepath.Join(corpus, f))
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if def.Name == "" || def.rule == nil {
			t.Errorf("%s: loaded without a name or rule", f)
		}
	}
}
