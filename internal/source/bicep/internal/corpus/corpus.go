// Package corpus finds lensix's shared test corpus for the Bicep packages' tests.
package corpus

import (
	"os"
	"path/filepath"
)

// Dir returns the corpus directory: $LENSIX_CORPUS, else ../shared/corpus beside the directory
// holding go.mod (found by walking up from the working directory). ok is false when it is absent,
// and tests then skip.
func Dir() (dir string, ok bool) {
	if env := os.Getenv("LENSIX_CORPUS"); env != "" {
		dir = env
	} else {
		wd, err := os.Getwd()
		if err != nil {
			return "", false
		}
		for {
			if _, err := os.Stat(filepath.Join(wd, "go.mod")); err == nil {
				break
			}
			parent := filepath.Dir(wd)
			if parent == wd {
				return "", false
			}
			wd = parent
		}
		dir = filepath.Join(wd, "..", "shared", "corpus")
	}
	if info, err := os.Stat(dir); err != nil || !info.IsDir() {
		return "", false
	}
	return dir, true
}
