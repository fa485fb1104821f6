package arm_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/lensix/lensix/internal/corpus"
	"github.com/lensix/lensix/internal/source/arm"
)

// BenchmarkLoadLargestCorpusTemplate evaluates the largest main.json of the corpus
// (bicep-baselines LargeTemplate_Stress_LF, 170 KB) once per iteration.
func BenchmarkLoadLargestCorpusTemplate(b *testing.B) {
	file := filepath.ToSlash(filepath.Join(corpus.Dir(b), "bicep-baselines", "valid", "LargeTemplate_Stress_LF", "main.json"))
	st, err := os.Stat(file)
	if err != nil {
		b.Skip(err)
	}
	b.SetBytes(st.Size())
	b.ReportAllocs()
	for b.Loop() {
		if _, diags := arm.Load([]string{file}, arm.Options{}); diags.HasErrors() {
			b.Fatal(diags)
		}
	}
}

// BenchmarkLoadGenerated5MB evaluates a generated 5 MB template of API Management services
// with expressions, to show how reading and evaluation scale with size.
func BenchmarkLoadGenerated5MB(b *testing.B) {
	file, _ := bigTemplate(b, 5<<20)
	st, _ := os.Stat(file)
	b.SetBytes(st.Size())
	b.ReportAllocs()
	for b.Loop() {
		if _, diags := arm.Load([]string{file}, arm.Options{}); diags.HasErrors() {
			b.Fatal(diags)
		}
	}
}

// BenchmarkLoadCopiedDeployments evaluates a 700-byte template that a copy loop multiplies into
// 10,000 API Management services (100 inline deployments of 100 each), to show the memory
// each evaluated resource instance costs.
func BenchmarkLoadCopiedDeployments(b *testing.B) {
	dir := b.TempDir()
	file := filepath.ToSlash(filepath.Join(dir, "main.json"))
	if err := os.WriteFile(file, []byte(copiedDeployments(100, 100)), 0o644); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if rs, diags := arm.Load([]string{file}, arm.Options{}); diags.HasErrors() || len(rs) != 100*101 {
			b.Fatal(len(rs), diags)
		}
	}
}
