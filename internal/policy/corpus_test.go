package policy

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/lensix/lensix/internal/corpus"
)

// corpusDefinitionFiles lists every definition in the corpus, by path relative to it.
func corpusDefinitionFiles(t *testing.T, dir string) []string {
	t.Helper()
	var files []string
	for _, sub := range []string{"azure-policy/definitions", "azure-policy/samples", "policy"} {
		err := filepath.WalkDir(filepath.Join(dir, sub), func(p string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && strings.HasSuffix(p, ".json") {
				rel, _ := filepath.Rel(dir, p)
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
	dir := corpus.Dir(t)
	files := corpusDefinitionFiles(t, dir)
	if len(files) < 90 {
		t.Fatalf("found %d corpus definitions, want at least 90", len(files))
	}
	for _, f := range files {
		def, err := ParseFile(filepath.Join(dir, f))
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if def.Name == "" || def.rule == nil {
			t.Errorf("%s: loaded without a name or rule", f)
		}
	}
}
