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
	// LENSIX_TF_TREE names a tree generated beforehand (bench/tf-tree.sh sets it).
	root := os.Getenv("LENSIX_TF_TREE")
	if root == "" {
		root = b.TempDir()
		if err := generateTree(root, 100, 50); err != nil {
			b.Fatal(err)
		}
	}
	dirs, err := filepath.Glob(filepath.Join(root, "mod*"))
	if err != nil || len(dirs) != 100 {
		b.Fatalf("want 100 module dirs in %s, found %d (%v)", root, len(dirs), err)
	}
	for i := range dirs {
		dirs[i] = filepath.ToSlash(dirs[i])
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
