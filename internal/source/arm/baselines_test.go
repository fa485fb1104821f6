package arm_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/lensix/lensix/internal/corpus"
	"github.com/lensix/lensix/internal/diag"
	"github.com/lensix/lensix/internal/source/arm"
)

// baselineDefects are Bicep compiler baselines that compile but would fail in Resource Manager
// too: the evaluator reports what Azure would reject.
var baselineDefects = map[string]string{
	"LoopsIndexed_LF": "variables('regions')[add(i, i)] indexes past the end of a two-element array for i = 1, as the deployment would",
	"Modules_CRLF":    "div(range(1, 2)[copyIndex('b')], copyIndex('b')) divides by zero at index 0, as the deployment would",
	"Resources_CRLF":  "its main.parameters.json stub gives cosmosDb {} without the account property the template reads",
}

func TestBicepBaselinesEvaluateWithoutErrors(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join(corpus.Dir(t), "bicep-baselines", "valid", "*"))
	if err != nil || len(dirs) == 0 {
		t.Skip("no bicep-baselines in the corpus")
	}
	passed := 0
	for _, dir := range dirs {
		name := filepath.Base(dir)
		file := filepath.ToSlash(filepath.Join(dir, "main.json"))
		if _, err := os.Stat(file); err != nil {
			continue
		}
		t.Run(name, func(t *testing.T) {
			_, diags := arm.Load([]string{file}, arm.Options{})
			var errs diag.Diagnostics
			for _, d := range diags {
				if d.Severity == diag.Error {
					errs = append(errs, d)
				}
			}
			if reason, ok := baselineDefects[name]; ok {
				if len(errs) == 0 {
					t.Errorf("listed as defective (%s), yet it evaluates without errors: remove it from baselineDefects", reason)
				}
				return
			}
			for _, d := range errs {
				t.Error(d.Error())
			}
			if len(errs) == 0 {
				passed++
			}
		})
	}
	t.Logf("%d of %d baselines evaluate without errors; %d are listed as defective", passed, len(dirs), len(baselineDefects))
}
