package bicep_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/lensix/lensix/internal/corpus"
	"github.com/lensix/lensix/internal/source/bicep"
	"github.com/lensix/lensix/internal/source/bicep/parser"
)

func baselineFiles(b *testing.B) []string {
	dir := corpus.Dir(b)
	files, _ := filepath.Glob(filepath.Join(dir, "bicep-baselines", "*", "*", "main.bicep"))
	if len(files) == 0 {
		b.Skip("no Bicep baselines")
	}
	return files
}

// BenchmarkParseBaselines parses every valid and invalid baseline once per iteration.
func BenchmarkParseBaselines(b *testing.B) {
	files := baselineFiles(b)
	srcs := make([][]byte, len(files))
	total := 0
	for i, f := range files {
		srcs[i], _ = os.ReadFile(f)
		total += len(srcs[i])
	}
	b.SetBytes(int64(total))
	b.ReportAllocs()
	for b.Loop() {
		for i, src := range srcs {
			parser.ParseFile(files[i], src)
		}
	}
}

// BenchmarkLoadBaselines reads, parses and evaluates every valid baseline (modules included) once
// per iteration.
func BenchmarkLoadBaselines(b *testing.B) {
	dir := corpus.Dir(b)
	files, _ := filepath.Glob(filepath.Join(dir, "bicep-baselines", "valid", "*", "main.bicep"))
	b.ReportAllocs()
	resources := 0
	for b.Loop() {
		resources = 0
		for _, f := range files {
			rs, _ := bicep.Load([]string{filepath.ToSlash(f)}, bicep.Options{})
			resources += len(rs)
		}
	}
	b.ReportMetric(float64(resources), "resources/op")
}

// generatedFile is one file of the synthetic tree: a parameter, variables, an API Management
// service (one in three without identity), a storage account and a loop of two containers; the
// first file of each folder uses the second as a module.
const generatedFile = `@description('Name of the service')
param name string = 'apim-%[1]d'
param location string = resourceGroup().location
var tags = { env: 'prod', owner: 'team-%[1]d' }
var containers = ['logs', 'data']

resource apim 'Microsoft.ApiManagement/service@2023-05-01-preview' = {
  name: name
  location: location
  sku: { name: 'Developer', capacity: 1 }
  tags: tags
  properties: {
    publisherName: 'Example Ops'
    publisherEmail: 'ops@example.com'
  }
%[2]s}

resource sa 'Microsoft.Storage/storageAccounts@2023-01-01' = {
  name: 'sa${uniqueString(name)}'
  location: location
  kind: 'StorageV2'
  sku: { name: 'Standard_LRS' }
  properties: { minimumTlsVersion: 'TLS1_2' }
  resource blob 'blobServices' = {
    name: 'default'
    resource container 'containers' = [for c in containers: {
      name: c
    }]
  }
}
%[3]s
output apimName string = apim.name
`

// generateTree writes folders × perFolder Bicep files and returns their paths.
func generateTree(b *testing.B, folders, perFolder int) []string {
	root := b.TempDir()
	var files []string
	for m := range folders {
		dir := filepath.Join(root, fmt.Sprintf("mod%d", m))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			b.Fatal(err)
		}
		for f := range perFolder {
			i := m*perFolder + f
			identity := "  identity: { type: 'SystemAssigned' }\n"
			if i%3 == 0 {
				identity = ""
			}
			module := ""
			if f == 0 && perFolder > 1 {
				module = "module next './file1.bicep' = {\n  name: 'next-" + fmt.Sprint(i) + "'\n  params: { name: 'apim-next-" + fmt.Sprint(i) + "' }\n}"
			}
			path := filepath.Join(dir, fmt.Sprintf("file%d.bicep", f))
			if err := os.WriteFile(path, []byte(fmt.Sprintf(generatedFile, i, identity, module)), 0o644); err != nil {
				b.Fatal(err)
			}
			files = append(files, filepath.ToSlash(path))
		}
	}
	return files
}

// BenchmarkLoadGeneratedTree2000 evaluates a generated tree of 2,000 Bicep files (40 folders of
// 50) in one Load.
func BenchmarkLoadGeneratedTree2000(b *testing.B) {
	files := generateTree(b, 40, 50)
	b.ReportAllocs()
	resources := 0
	for b.Loop() {
		rs, diags := bicep.Load(files, bicep.Options{})
		if len(diags) > 0 {
			b.Fatalf("generated tree has diagnostics: %v", diags[0])
		}
		resources = len(rs)
	}
	b.ReportMetric(float64(resources), "resources/op")
}
