package bicep

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/lensix/lensix/internal/corpus"
	"github.com/lensix/lensix/internal/resource"
	"github.com/lensix/lensix/internal/source/arm/funcs"
)

// literalOutputs returns the outputs of a compiled template whose values are plain JSON (the
// compiler emitted no expression for them).
func literalOutputs(t *testing.T, path string) map[string]any {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Skip(err)
	}
	var doc struct {
		Outputs map[string]struct {
			Value any `json:"value"`
		} `json:"outputs"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	out := map[string]any{}
	for name, o := range doc.Outputs {
		if o.Value != nil && !hasExpression(o.Value) {
			out[name] = normalizeJSON(o.Value)
		}
	}
	return out
}

func hasExpression(v any) bool {
	switch x := v.(type) {
	case string:
		return strings.HasPrefix(x, "[") && !strings.HasPrefix(x, "[[")
	case []any:
		for _, e := range x {
			if hasExpression(e) {
				return true
			}
		}
	case map[string]any:
		for _, e := range x {
			if hasExpression(e) {
				return true
			}
		}
	}
	return false
}

// TestBaselineOutputsMatchTheCompilersConstants compares the outputs lensix evaluates with those
// the Bicep compiler wrote as plain values into main.json.
func TestBaselineOutputsMatchTheCompilersConstants(t *testing.T) {
	dir := corpus.Dir(t)
	files, _ := filepath.Glob(filepath.Join(dir, "bicep-baselines", "valid", "*", "main.bicep"))
	compared := 0
	for _, file := range files {
		want := literalOutputs(t, filepath.Join(filepath.Dir(file), "main.json"))
		if len(want) == 0 {
			continue
		}
		t.Run(filepath.Base(filepath.Dir(file)), func(t *testing.T) {
			l := &loader{files: map[string]*sourceFile{}}
			f := l.read(filepath.ToSlash(file))
			d := l.newDeployment(f, nil, "", nil)
			got := d.outputsValue(&state{})
			for name, w := range want {
				g := final(got[name])
				if funcs.FindUnknown(g) != nil {
					t.Errorf("output %s is unknown (%v), the compiler wrote %v", name, resource.Unknowns(g), w)
					continue
				}
				compared++
				if !reflect.DeepEqual(g, w) {
					t.Errorf("output %s = %#v, the compiler wrote %#v", name, g, w)
				}
			}
		})
	}
	t.Logf("compared %d outputs", compared)
}
