package policy

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/lensix/lensix/internal/checks/apimgmt"
	"github.com/lensix/lensix/internal/corpus"
	"github.com/lensix/lensix/internal/resource"
)

// BenchmarkEvaluateCorpus evaluates every corpus definition on every resource of the corpus
// cases: one op is one pass over all (definition, resource) pairs.
func BenchmarkEvaluateCorpus(b *testing.B) {
	dir := corpus.Dir(b)
	data, err := os.ReadFile("testdata/corpus_cases.json")
	if err != nil {
		b.Fatal(err)
	}
	var cases []corpusCase
	if err := json.Unmarshal(data, &cases); err != nil {
		b.Fatal(err)
	}
	var defs []*Definition
	var params []map[string]any
	var resources []*resource.Resource
	for _, tc := range cases {
		def, err := ParseFile(filepath.Join(dir, tc.File))
		if err != nil {
			b.Skipf("corpus not readable: %v", err)
		}
		p, err := def.Bind(tc.Params)
		if err != nil {
			b.Fatal(err)
		}
		defs, params = append(defs, def), append(params, p)
		for _, body := range append([]map[string]any{tc.Bad, tc.Good}, append(tc.BadRelated, tc.GoodRelated...)...) {
			if body != nil {
				resources = append(resources, armResource(deepCopy(body).(map[string]any)))
			}
		}
	}
	env := &Env{Resources: resources}
	for b.Loop() {
		for i, d := range defs {
			for _, r := range resources {
				d.Evaluate(r, params[i], env)
			}
		}
	}
	pairs := float64(len(defs) * len(resources))
	b.ReportMetric(pairs, "pairs/op")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/pairs, "ns/pair")
}

// BenchmarkNoManagedIdentityRule evaluates the exported flagship rule on one service.
func BenchmarkNoManagedIdentityRule(b *testing.B) {
	doc, _ := json.Marshal(map[string]any{"name": "x", "properties": map[string]any{"mode": "All",
		"parameters": map[string]any{"effect": map[string]any{"type": "String", "defaultValue": "Audit"}},
		"policyRule": json.RawMessage(apimgmt.NoManagedIdentity.PolicyRule)}})
	def, err := Parse("x.json", doc)
	if err != nil {
		b.Fatal(err)
	}
	params, _ := def.Bind(nil)
	r := res(apimgmt.ServiceType, "apim", map[string]any{"location": "westeurope", "identity": map[string]any{"type": "SystemAssigned, UserAssigned"}})
	for b.Loop() {
		def.Evaluate(r, params, nil)
	}
}

// BenchmarkParseCorpusDefinition parses and compiles the largest API Management built-in.
func BenchmarkParseCorpusDefinition(b *testing.B) {
	dir := corpus.Dir(b)
	data, err := os.ReadFile(filepath.Join(dir, "azure-policy/definitions/API Management/BasePolicy_Audit.json"))
	if err != nil {
		b.Skip(err)
	}
	BuiltinAliases()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Parse("x.json", data); err != nil {
			b.Fatal(err)
		}
	}
}
