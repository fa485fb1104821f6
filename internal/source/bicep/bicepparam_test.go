package bicep

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/lensix/lensix/internal/corpus"
	"github.com/lensix/lensix/internal/source/arm/funcs"
)

// TestBicepparamBaselinesGiveTheCompiledValues evaluates each valid .bicepparam baseline and
// compares every value lensix can know offline with the compiled parameters.json.
func TestBicepparamBaselinesGiveTheCompiledValues(t *testing.T) {
	dir := corpus.Dir(t)
	files, _ := filepath.Glob(filepath.Join(dir, "bicep-baselines", "bicepparam", "valid", "*", "parameters.bicepparam"))
	if len(files) == 0 {
		t.Skip("no .bicepparam baselines")
	}
	compared, unknown := 0, 0
	for _, file := range files {
		t.Run(filepath.Base(filepath.Dir(file)), func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(filepath.Dir(file), "parameters.json"))
			if err != nil {
				t.Skip("no compiled parameters.json")
			}
			var compiled struct {
				Parameters map[string]map[string]any `json:"parameters"`
			}
			if err := json.Unmarshal(data, &compiled); err != nil {
				t.Fatal(err)
			}
			l := &loader{files: map[string]*sourceFile{}}
			f := l.read(filepath.ToSlash(file))
			got := map[string]suppliedParam{}
			l.bicepparamValues(f, got)
			for _, d := range l.diags {
				if d.Severity == 0 && d.Range.Filename == f.path {
					t.Errorf("diagnostic: %v", d)
				}
			}
			for name, entry := range compiled.Parameters {
				want, ok := entry["value"]
				if !ok {
					continue // a Key Vault reference
				}
				g, ok := got[name]
				if !ok {
					t.Errorf("parameter %s has no value; the compiler gave %v", name, want)
					continue
				}
				if funcs.FindUnknown(g.value) != nil {
					unknown++
					continue
				}
				compared++
				if w := normalizeJSON(want); !reflect.DeepEqual(final(g.value), w) {
					t.Errorf("parameter %s = %#v, the compiler gave %#v", name, final(g.value), w)
				}
			}
		})
	}
	t.Logf("compared %d parameter values; %d are unknown offline", compared, unknown)
}
