package arm_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lensix/lensix/internal/corpus"
	"github.com/lensix/lensix/internal/diag"
	"github.com/lensix/lensix/internal/source/arm"
)

// failingDeployments are Bicep compiler baselines that compile but whose values make Resource
// Manager stop the deployment. They evaluate without errors; lensix warns where the deployment
// would fail (line:col of main.json) and treats those values as unknown.
var failingDeployments = map[string]string{
	// variables('regions')[add(i, i)] reads past the end of a two-element array for i = 1.
	"LoopsIndexed_LF": "287:137 index 2 is out of range: the array has 2 elements",
	// div(range(1, 2)[copyIndex('b')], copyIndex('b')) divides by zero at index 0.
	"Modules_CRLF": "1551:30 div: division by zero",
	// The main.parameters.json stub gives cosmosDb as {}, which has no account.
	"Resources_CRLF": `36:104 the object has no property "account"`,
}

func TestBicepBaselinesEvaluateWithoutErrors(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join(corpus.Dir(t), "bicep-baselines", "valid", "*"))
	if err != nil || len(dirs) == 0 {
		t.Skip("no bicep-baselines in the corpus")
	}
	evaluated := 0
	for _, dir := range dirs {
		name := filepath.Base(dir)
		file := filepath.ToSlash(filepath.Join(dir, "main.json"))
		if _, err := os.Stat(file); err != nil {
			continue
		}
		evaluated++
		t.Run(name, func(t *testing.T) {
			_, diags := arm.Load([]string{file}, arm.Options{})
			var failures []string
			for _, d := range diags {
				switch {
				case d.Severity == diag.Error:
					t.Error(d.Error())
				case strings.HasPrefix(d.Summary, "The deployment would fail here: "):
					failures = append(failures, fmt.Sprintf("%d:%d %s", d.Range.Start.Line, d.Range.Start.Column,
						strings.TrimPrefix(d.Summary, "The deployment would fail here: ")))
				}
			}
			want, listed := failingDeployments[name]
			switch {
			case listed && (len(failures) == 0 || failures[0] != want):
				t.Errorf("first failing value: got %q, want %q", failures, want)
			case !listed && len(failures) > 0:
				t.Errorf("warned that the deployment would fail: %q", failures)
			}
		})
	}
	if evaluated < 39 {
		t.Errorf("evaluated %d baselines, the corpus has 39", evaluated)
	}
}
