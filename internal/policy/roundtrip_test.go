package policy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lensix/lensix/internal/check"
	"github.com/lensix/lensix/internal/checks/apimgmt"
	"github.com/lensix/lensix/internal/corpus"
	"github.com/lensix/lensix/internal/resource"
	"github.com/lensix/lensix/internal/source/arm/expr"
)

// exportedDefinition exports the check and parses the exported definition back, as Azure would
// receive it.
func exportedDefinition(t *testing.T, c *check.Check, effect string) *Definition {
	t.Helper()
	exp, err := Export([]*check.Check{c}, ExportOptions{Effect: effect})
	if err != nil {
		t.Fatal(err)
	}
	data, err := exp.Definitions[0].JSON()
	if err != nil {
		t.Fatal(err)
	}
	def, err := Parse("exported.json", data)
	if err != nil {
		t.Fatalf("the exported definition does not parse: %v\n%s", err, data)
	}
	return def
}

// policyStatus is the check status a policy result stands for.
func policyStatus(res *Result, na *NotApplicable) check.Status {
	if na != nil {
		return "not applicable: " + check.Status(na.Reason)
	}
	switch res.Compliance {
	case Compliant:
		return check.Pass
	case NonCompliant:
		return check.Fail
	}
	return check.Unknown
}

func apim(body map[string]any) *resource.Resource {
	b := map[string]any{"type": apimgmt.ServiceType, "name": "apim", "location": "westeurope"}
	for k, v := range body {
		b[k] = v
	}
	return &resource.Resource{Type: apimgmt.ServiceType, Name: "apim", Body: b}
}

func identityCases() []struct {
	name string
	r    *resource.Resource
} {
	unknown := &resource.Unknown{Reason: "var.identity_type has no value"}
	return []struct {
		name string
		r    *resource.Resource
	}{
		{"service without identity fails", apim(nil)},
		{"null identity fails", apim(map[string]any{"identity": nil})},
		{"empty identity object fails", apim(map[string]any{"identity": map[string]any{}})},
		{"identity with null type fails", apim(map[string]any{"identity": map[string]any{"type": nil}})},
		{"identity type None fails", apim(map[string]any{"identity": map[string]any{"type": "None"}})},
		{"identity type none in lower case fails", apim(map[string]any{"identity": map[string]any{"type": "none"}})},
		{"empty identity type fails", apim(map[string]any{"identity": map[string]any{"type": ""}})},
		{"blank identity type fails", apim(map[string]any{"identity": map[string]any{"type": "  "}})},
		{"identity type None padded with spaces fails", apim(map[string]any{"identity": map[string]any{"type": " None "}})},
		{"unrecognised identity type fails", apim(map[string]any{"identity": map[string]any{"type": "Bogus"}})},
		{"numeric identity type fails", apim(map[string]any{"identity": map[string]any{"type": 5.0}})},
		{"identity that is a string fails", apim(map[string]any{"identity": "SystemAssigned"})},
		{"SystemAssigned passes", apim(map[string]any{"identity": map[string]any{"type": "SystemAssigned"}})},
		{"systemassigned in lower case passes", apim(map[string]any{"identity": map[string]any{"type": "systemassigned"}})},
		{"UserAssigned passes", apim(map[string]any{"identity": map[string]any{"type": "UserAssigned", "userAssignedIdentities": map[string]any{"/subscriptions/x/id": map[string]any{}}}})},
		{"SystemAssigned, UserAssigned passes", apim(map[string]any{"identity": map[string]any{"type": "SystemAssigned, UserAssigned"}})},
		{"SystemAssigned,UserAssigned without a space passes", apim(map[string]any{"identity": map[string]any{"type": "SystemAssigned,UserAssigned"}})},
		{"systemassigned , userassigned in odd spacing passes", apim(map[string]any{"identity": map[string]any{"type": "systemassigned , userassigned"}})},
		{"UserAssigned, SystemAssigned in reverse order passes", apim(map[string]any{"identity": map[string]any{"type": "UserAssigned, SystemAssigned"}})},
		{"SystemAssigned with an unrecognised second type fails", apim(map[string]any{"identity": map[string]any{"type": "SystemAssigned, Bogus"}})},
		{"unknown identity is unknown", apim(map[string]any{"identity": unknown})},
		{"unknown identity type is unknown", apim(map[string]any{"identity": map[string]any{"type": unknown}})},
	}
}

func TestExportedNoManagedIdentityRuleGivesTheChecksVerdicts(t *testing.T) {
	c := apimgmt.NoManagedIdentity
	def := exportedDefinition(t, c, "Audit")
	params, err := def.Bind(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range identityCases() {
		t.Run(tc.name, func(t *testing.T) {
			want := c.Evaluate(tc.r).Status
			got := policyStatus(def.Evaluate(tc.r, params, nil))
			if got != want {
				t.Errorf("policy says %s, check says %s (body %v)", got, want, tc.r.Body)
			}
		})
	}
}

// corpusServices finds every API Management service object in the corpus's ARM templates and
// REST API examples. Template expressions become unknown values, as a source without inputs
// would leave them.
func corpusServices(t *testing.T, dir string) []*resource.Resource {
	t.Helper()
	var out []*resource.Resource
	for _, sub := range []string{"arm", "armrest"} {
		_ = filepath.WalkDir(filepath.Join(dir, sub), func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".json") {
				return err
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			var doc any
			if json.Unmarshal(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), &doc) != nil {
				return nil
			}
			rel, _ := filepath.Rel(dir, p)
			var visit func(v any, at string)
			visit = func(v any, at string) {
				switch x := v.(type) {
				case map[string]any:
					if typ, ok := x["type"].(string); ok && strings.EqualFold(typ, apimgmt.ServiceType) {
						if _, named := x["name"]; named {
							body := withUnknowns(deepCopy(x)).(map[string]any)
							r := &resource.Resource{Type: apimgmt.ServiceType, Name: stringForm(x["name"]), Body: body}
							r.Provenance.Address = rel + at
							out = append(out, r)
						}
					}
					for k, e := range x {
						visit(e, at+"."+k)
					}
				case []any:
					for i, e := range x {
						visit(e, fmt.Sprintf("%s[%d]", at, i))
					}
				}
			}
			visit(doc, "")
			return nil
		})
	}
	return out
}

func withUnknowns(v any) any {
	switch x := v.(type) {
	case string:
		if expr.IsExpression(x) {
			return &resource.Unknown{Reason: "template expression", Expr: x}
		}
	case map[string]any:
		for k, e := range x {
			x[k] = withUnknowns(e)
		}
	case []any:
		for i, e := range x {
			x[i] = withUnknowns(e)
		}
	}
	return v
}

func TestExportedRuleAgreesWithTheCheckOnCorpusServices(t *testing.T) {
	dir := corpus.Dir(t)
	c := apimgmt.NoManagedIdentity
	def := exportedDefinition(t, c, "Deny")
	params, err := def.Bind(nil)
	if err != nil {
		t.Fatal(err)
	}
	services := corpusServices(t, dir)
	if len(services) < 20 {
		t.Fatalf("found %d API Management services in the corpus, want at least 20", len(services))
	}
	counts := map[check.Status]int{}
	for _, r := range services {
		want := c.Evaluate(r).Status
		got := policyStatus(def.Evaluate(r, params, nil))
		counts[want]++
		if got != want {
			t.Errorf("%s: policy says %s, check says %s (identity %v)", r.Provenance.Address, got, want, r.Body["identity"])
		}
	}
	t.Logf("%d services: %v", len(services), counts)
}
