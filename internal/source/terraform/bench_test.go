package terraform

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// BenchmarkLoadTree loads the synthetic tree the project compares scanners on: 100 module dirs of
// 50 files, each file a resource group, an API Management service and a storage account.
func BenchmarkLoadTree(b *testing.B) {
	root := b.TempDir()
	if err := generateTree(root, 100, 50); err != nil {
		b.Fatal(err)
	}
	dirs := make([]string, 100)
	for m := range dirs {
		dirs[m] = filepath.ToSlash(filepath.Join(root, fmt.Sprintf("mod%d", m)))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		resources, diags := Load(dirs, Options{})
		if len(resources) != 5000 || len(diags) != 0 {
			b.Fatalf("got %d resources and %d diagnostics, want 5000 and 0", len(resources), len(diags))
		}
	}
}

// generateTree writes the tree with the shared generator when it is present, else with
// writeTree, which produces the same files.
func generateTree(root string, modules, files int) error {
	script := filepath.Join(moduleRoot(), "..", "shared", "bench", "gen_tf_tree.py")
	if _, err := os.Stat(script); err == nil {
		if out, err := exec.Command("python3", script, root, fmt.Sprint(modules), fmt.Sprint(files)).CombinedOutput(); err == nil {
			return nil
		} else {
			return fmt.Errorf("%s: %v: %s", script, err, out)
		}
	}
	return writeTree(root, modules, files)
}
