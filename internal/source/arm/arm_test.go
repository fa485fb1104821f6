package arm_test

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/lensix/lensix/internal/diag"
	"github.com/lensix/lensix/internal/resource"
	"github.com/lensix/lensix/internal/source/arm"
)

// writeFiles writes files into a fresh directory and returns their slash paths, in order.
func writeFiles(t *testing.T, files ...string) []string {
	t.Helper()
	dir := t.TempDir()
	var paths []string
	for i := 0; i < len(files); i += 2 {
		p := filepath.Join(dir, files[i])
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(files[i+1]), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, filepath.ToSlash(p))
	}
	return paths
}

const schema = `"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "contentVersion": "1.0.0.0"`

func template(body string) string { return "{" + schema + ", " + body + "}" }

func load(t *testing.T, opts arm.Options, files ...string) ([]*resource.Resource, diag.Diagnostics) {
	t.Helper()
	paths := writeFiles(t, files...)
	return arm.Load(paths[:1], opts)
}

func byAddress(rs []*resource.Resource) map[string]*resource.Resource {
	out := map[string]*resource.Resource{}
	for _, r := range rs {
		out[r.Provenance.Address] = r
	}
	return out
}

func get(t *testing.T, r *resource.Resource, path string) any {
	t.Helper()
	v, ok := r.Get(path)
	if !ok {
		t.Fatalf("%s has no %s; body %v", r.Provenance.Address, path, r.Body)
	}
	return v
}

func TestIdentityEvaluatesThroughVariables(t *testing.T) {
	rs, diags := load(t, arm.Options{}, "t.json", template(`
		"parameters": {"system": {"type": "bool", "defaultValue": true}},
		"variables": {
			"identityType": "[if(parameters('system'), 'SystemAssigned', 'None')]",
			"identity": "[createObject('type', variables('identityType'))]"
		},
		"resources": [{"type": "Microsoft.ApiManagement/service", "apiVersion": "2022-08-01", "name": "apim",
			"identity": "[variables('identity')]"}]`))
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	if len(rs) != 1 {
		t.Fatalf("got %d resources", len(rs))
	}
	if got := get(t, rs[0], "identity.type"); got != "SystemAssigned" {
		t.Errorf("identity.type = %v", got)
	}
	// The default bears on the identity alone, so a finding about another property will not show it.
	want := []resource.Assumption{{Path: "parameters('system')", Message: `parameter "system" was not given; its defaultValue was used`, Affects: []string{"identity"}}}
	if !reflect.DeepEqual(rs[0].Assumptions, want) {
		t.Errorf("assumptions = %v, want %v", rs[0].Assumptions, want)
	}
}

func TestAssumptionsNameThePropertiesTheyBearOn(t *testing.T) {
	rs, diags := load(t, arm.Options{}, "t.json", template(`
		"parameters": {
			"deploy": {"type": "bool", "defaultValue": true},
			"name": {"type": "string", "defaultValue": "apim"},
			"location": {"type": "string", "defaultValue": "westeurope"},
			"identityType": {"type": "string", "defaultValue": "None"}
		},
		"resources": [{"condition": "[parameters('deploy')]", "type": "Microsoft.ApiManagement/service", "apiVersion": "2022-08-01",
			"name": "[parameters('name')]", "location": "[parameters('location')]",
			"identity": {"type": "[parameters('identityType')]"},
			"tags": {"region": "[parameters('location')]"}}]`))
	if diags.HasErrors() || len(rs) != 1 {
		t.Fatalf("got %d resources, diagnostics %v", len(rs), diags)
	}
	got := map[string]string{}
	for _, a := range rs[0].Assumptions {
		got[a.Path] = strings.Join(a.Affects, ",")
	}
	want := map[string]string{
		"parameters('deploy')":       "", // the condition decides whether the resource exists at all
		"parameters('name')":         "name",
		"parameters('location')":     "location,tags",
		"parameters('identityType')": "identity",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("affected properties = %v, want %v", got, want)
	}
}

func TestParameters(t *testing.T) {
	body := template(`
		"parameters": {"name": {"type": "string"}, "sku": {"type": "string", "defaultValue": "Developer"}},
		"resources": [
			{"type": "A.B/c", "apiVersion": "1", "name": "[parameters('name')]", "sku": {"name": "[parameters('sku')]"}},
			{"type": "A.B/c", "apiVersion": "1", "name": "plain"}
		]`)
	t.Run("a parameter without value or default is unknown", func(t *testing.T) {
		rs, _ := load(t, arm.Options{}, "t.json", body)
		r := byAddress(rs)["[parameters('name')]"]
		u, ok := get(t, r, "name").(*resource.Unknown)
		if !ok || !strings.Contains(u.Reason, `parameter "name" has no value and no default`) || u.Expr != "[parameters('name')]" {
			t.Errorf("name = %#v", get(t, r, "name"))
		}
		if r.Name != "[parameters('name')]" {
			t.Errorf("Name = %q, want the name expression", r.Name)
		}
	})
	t.Run("a default is an assumption only on the resources that use it", func(t *testing.T) {
		rs, _ := load(t, arm.Options{}, "t.json", body)
		m := byAddress(rs)
		if got := m["[parameters('name')]"].Assumptions; len(got) != 1 || got[0].Path != "parameters('sku')" {
			t.Errorf("assumptions = %v", got)
		}
		if got := m["plain"].Assumptions; len(got) != 0 {
			t.Errorf("plain resource has assumptions %v", got)
		}
	})
	t.Run("the paired parameters file supplies values", func(t *testing.T) {
		rs, diags := load(t, arm.Options{}, "azuredeploy.json", body, "azuredeploy.parameters.json",
			`{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#", "contentVersion": "1.0.0.0",
			  "parameters": {"name": {"value": "apim1"}, "sku": {"value": "Premium"}}}`)
		if len(diags) > 0 {
			t.Fatal(diags)
		}
		r := byAddress(rs)["[parameters('name')]"]
		if r.Name != "apim1" || get(t, r, "sku.name") != "Premium" || len(r.Assumptions) != 0 {
			t.Errorf("Name %q, sku %v, assumptions %v", r.Name, get(t, r, "sku.name"), r.Assumptions)
		}
	})
	t.Run("--param values are JSON when they parse, else strings", func(t *testing.T) {
		rs, _ := load(t, arm.Options{Params: []string{"name=apim2", "cfg={\"x\": 1}"}}, "t.json", template(`
			"parameters": {"name": {"type": "string"}, "cfg": {"type": "object"}},
			"resources": [{"type": "A.B/c", "apiVersion": "1", "name": "[parameters('name')]", "properties": "[parameters('cfg')]"}]`))
		r := byAddress(rs)["[parameters('name')]"]
		if r.Name != "apim2" || !reflect.DeepEqual(get(t, r, "properties"), map[string]any{"x": int64(1)}) {
			t.Errorf("Name %q, properties %v", r.Name, get(t, r, "properties"))
		}
	})
	t.Run("a --param for a string parameter stays a string", func(t *testing.T) {
		rs, _ := load(t, arm.Options{Params: []string{"name=123"}}, "t.json", body)
		if r := byAddress(rs)["[parameters('name')]"]; r.Name != "123" || get(t, r, "name") != "123" {
			t.Errorf("name = %#v", get(t, r, "name"))
		}
	})
	t.Run("a value outside allowedValues is a warning that does not show the value", func(t *testing.T) {
		_, diags := load(t, arm.Options{Params: []string{"sku=Secret123"}}, "t.json", template(`
			"parameters": {"sku": {"type": "string", "allowedValues": ["Developer", "Premium"]}},
			"resources": [{"type": "A.B/c", "apiVersion": "1", "name": "[parameters('sku')]"}]`))
		if len(diags) != 1 || diags[0].Severity != diag.Warning || !strings.Contains(diags[0].Summary, "allowedValues") ||
			strings.Contains(diags[0].Error(), "Secret123") {
			t.Errorf("diags = %v", diags)
		}
	})
	t.Run("a malformed --param is reported", func(t *testing.T) {
		_, diags := load(t, arm.Options{Params: []string{"novalue"}}, "t.json", body)
		if !diags.HasErrors() || !strings.Contains(diags[0].Summary, "NAME=VALUE") {
			t.Errorf("diags = %v", diags)
		}
	})
	t.Run("a Key Vault reference is an unknown value", func(t *testing.T) {
		rs, _ := load(t, arm.Options{}, "t.json", body, "t.parameters.json",
			`{"contentVersion": "1.0.0.0", "parameters": {"name": {"reference": {"keyVault": {"id": "x"}, "secretName": "s"}}}}`)
		r := byAddress(rs)["[parameters('name')]"]
		if u, ok := get(t, r, "name").(*resource.Unknown); !ok || !strings.Contains(u.Reason, "Key Vault") {
			t.Errorf("name = %#v", get(t, r, "name"))
		}
	})
}

// The identity logic of the Azure Verified Modules API Management module, as Bicep compiles it.
const avmIdentity = `"languageVersion": "2.0",
	"parameters": {"managedIdentities": {"type": "object", "nullable": true}},
	"variables": {
		"formattedUserAssignedIdentities": "[reduce(map(coalesce(tryGet(parameters('managedIdentities'), 'userAssignedResourceIds'), createArray()), lambda('id', createObject(format('{0}', lambdaVariables('id')), createObject()))), createObject(), lambda('cur', 'next', union(lambdaVariables('cur'), lambdaVariables('next'))))]",
		"identity": "[if(not(empty(parameters('managedIdentities'))), createObject('type', if(coalesce(tryGet(parameters('managedIdentities'), 'systemAssigned'), false()), if(not(empty(coalesce(tryGet(parameters('managedIdentities'), 'userAssignedResourceIds'), createObject()))), 'SystemAssigned,UserAssigned', 'SystemAssigned'), if(not(empty(coalesce(tryGet(parameters('managedIdentities'), 'userAssignedResourceIds'), createObject()))), 'UserAssigned', null())), 'userAssignedIdentities', if(not(empty(variables('formattedUserAssignedIdentities'))), variables('formattedUserAssignedIdentities'), null())), null())]"
	},
	"resources": {"service": {"type": "Microsoft.ApiManagement/service", "apiVersion": "2024-05-01", "name": "apim", "identity": "[variables('identity')]"}}`

func TestVerifiedModuleIdentity(t *testing.T) {
	tests := []struct {
		name   string
		params []string
		want   any
	}{
		{"no managed identities gives a null identity", nil, nil},
		{"a system-assigned identity", []string{`managedIdentities={"systemAssigned": true}`}, "SystemAssigned"},
		{"user-assigned identities", []string{`managedIdentities={"userAssignedResourceIds": ["/subscriptions/s/resourceGroups/g/providers/Microsoft.ManagedIdentity/userAssignedIdentities/u"]}`}, "UserAssigned"},
		{"both", []string{`managedIdentities={"systemAssigned": true, "userAssignedResourceIds": ["/u"]}`}, "SystemAssigned,UserAssigned"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs, diags := load(t, arm.Options{Params: tt.params}, "main.json", template(avmIdentity))
			if len(diags) > 0 {
				t.Fatal(diags)
			}
			identity := get(t, rs[0], "identity")
			if tt.want == nil {
				if identity != nil || len(rs[0].Assumptions) != 1 {
					t.Errorf("identity = %#v, assumptions %v", identity, rs[0].Assumptions)
				}
				return
			}
			if got := get(t, rs[0], "identity.type"); got != tt.want {
				t.Errorf("identity = %#v", identity)
			}
		})
	}
}

func TestResourceSemantics(t *testing.T) {
	tests := []struct {
		name  string
		body  string
		check func(t *testing.T, rs []*resource.Resource)
	}{
		{"a false condition deploys nothing", `"resources": [{"type": "A.B/c", "apiVersion": "1", "name": "x", "condition": "[equals(1, 2)]"}]`,
			func(t *testing.T, rs []*resource.Resource) {
				if len(rs) != 0 {
					t.Errorf("got %d resources", len(rs))
				}
			}},
		{"an unknown condition deploys the resource with an assumption",
			`"parameters": {"on": {"type": "bool"}}, "resources": [{"type": "A.B/c", "apiVersion": "1", "name": "x", "condition": "[parameters('on')]"}]`,
			func(t *testing.T, rs []*resource.Resource) {
				if len(rs) != 1 || len(rs[0].Assumptions) != 1 || rs[0].Assumptions[0].Path != "condition" {
					t.Errorf("got %v", rs)
				}
			}},
		{"an existing resource is a reference, not a deployment", `"resources": [{"type": "A.B/c", "apiVersion": "1", "name": "x", "existing": true}]`,
			func(t *testing.T, rs []*resource.Resource) {
				if len(rs) != 0 {
					t.Errorf("got %d resources", len(rs))
				}
			}},
		{"a copy loop deploys one resource per index",
			`"variables": {"names": ["a", "b", "c"]}, "resources": [{"type": "A.B/c", "apiVersion": "1", "name": "[variables('names')[copyIndex()]]",
			  "copy": {"name": "loop", "count": "[length(variables('names'))]"}, "properties": {"i": "[copyIndex('loop', 1)]"}}]`,
			func(t *testing.T, rs []*resource.Resource) {
				var names []string
				for _, r := range rs {
					names = append(names, r.Name+"@"+r.Provenance.Address)
					if r.Name == "c" && get(t, r, "properties.i") != int64(3) {
						t.Errorf("copyIndex('loop', 1) = %v", get(t, r, "properties.i"))
					}
				}
				want := []string{"a@[variables('names')[copyIndex()]][0]", "b@[variables('names')[copyIndex()]][1]", "c@[variables('names')[copyIndex()]][2]"}
				if !reflect.DeepEqual(names, want) {
					t.Errorf("got %v, want %v", names, want)
				}
			}},
		{"a property copy loop builds an array",
			`"resources": [{"type": "A.B/c", "apiVersion": "1", "name": "x", "properties": {"copy": [{"name": "items", "count": 2, "input": {"n": "[copyIndex('items')]"}}]}}]`,
			func(t *testing.T, rs []*resource.Resource) {
				want := []any{map[string]any{"n": int64(0)}, map[string]any{"n": int64(1)}}
				if got := get(t, rs[0], "properties.items"); !reflect.DeepEqual(got, want) {
					t.Errorf("items = %v", got)
				}
			}},
		{"a copy variable is an array",
			`"variables": {"copy": [{"name": "v", "count": 2, "input": "[concat('n', copyIndex('v'))]"}]},
			 "resources": [{"type": "A.B/c", "apiVersion": "1", "name": "[variables('v')[1]]"}]`,
			func(t *testing.T, rs []*resource.Resource) {
				if rs[0].Name != "n1" {
					t.Errorf("name = %q", rs[0].Name)
				}
			}},
		{"nested child resources compose type and name",
			`"resources": [{"type": "Microsoft.ApiManagement/service", "apiVersion": "1", "name": "apim",
			  "resources": [{"type": "apis", "apiVersion": "1", "name": "echo", "resources": [{"type": "operations", "apiVersion": "1", "name": "get"}]}]}]`,
			func(t *testing.T, rs []*resource.Resource) {
				var got []string
				for _, r := range rs {
					got = append(got, r.Type+" "+r.Name)
				}
				want := []string{"Microsoft.ApiManagement/service apim", "Microsoft.ApiManagement/service/apis apim/echo",
					"Microsoft.ApiManagement/service/apis/operations apim/echo/get"}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("got %v", got)
				}
			}},
		{"symbolic-name resources of languageVersion 2.0 are addressed by symbol",
			`"languageVersion": "2.0", "resources": {"apim": {"type": "A.B/c", "apiVersion": "1", "name": "x"}, "old": {"type": "A.B/c", "apiVersion": "1", "name": "y", "existing": true}}`,
			func(t *testing.T, rs []*resource.Resource) {
				if len(rs) != 1 || rs[0].Provenance.Address != "apim" || rs[0].Name != "x" {
					t.Errorf("got %v", rs)
				}
			}},
		{"metadata lensix ignore becomes a suppression",
			`"resources": [{"type": "A.B/c", "apiVersion": "1", "name": "x", "metadata": {"lensix": {"ignore": [{"check": "apimgmt_nomanagedidentity", "reason": "dev only"}]}}}]`,
			func(t *testing.T, rs []*resource.Resource) {
				s := rs[0].Suppressions
				if len(s) != 1 || s[0].CheckID != "apimgmt_nomanagedidentity" || s[0].Reason != "dev only" || s[0].Range.Start.Line == 0 || !s[0].InMetadata {
					t.Errorf("suppressions = %v", s)
				}
				if _, ok := rs[0].Body["metadata"]; ok {
					t.Error("metadata is kept in the body")
				}
			}},
		{"a lensix:ignore comment above the resource becomes a suppression",
			"\"resources\": [\n  // lensix:ignore[apimgmt_nomanagedidentity] legacy service\n  {\"type\": \"A.B/c\", \"apiVersion\": \"1\", \"name\": \"x\"}\n]",
			func(t *testing.T, rs []*resource.Resource) {
				s := rs[0].Suppressions
				if len(s) != 1 || s[0].CheckID != "apimgmt_nomanagedidentity" || s[0].Reason != "legacy service" || s[0].Range.Start.Line != 2 || s[0].InMetadata {
					t.Errorf("suppressions = %v", s)
				}
			}},
		{"user-defined functions are called",
			`"functions": [{"namespace": "ns", "members": {"prefixed": {"parameters": [{"name": "n", "type": "string"}], "output": {"type": "string", "value": "[concat('p-', parameters('n'))]"}}}}],
			 "resources": [{"type": "A.B/c", "apiVersion": "1", "name": "[ns.prefixed('x')]"}]`,
			func(t *testing.T, rs []*resource.Resource) {
				if rs[0].Name != "p-x" {
					t.Errorf("name = %q", rs[0].Name)
				}
			}},
		{"lambdas map over arrays",
			`"variables": {"v": "[map(createArray(1, 2), lambda('x', mul(lambdaVariables('x'), 10)))]"},
			 "resources": [{"type": "A.B/c", "apiVersion": "1", "name": "[string(variables('v'))]"}]`,
			func(t *testing.T, rs []*resource.Resource) {
				if rs[0].Name != "[10,20]" {
					t.Errorf("name = %q", rs[0].Name)
				}
			}},
		{"the [[ escape is a literal string",
			`"resources": [{"type": "A.B/c", "apiVersion": "1", "name": "[[x]"}]`,
			func(t *testing.T, rs []*resource.Resource) {
				if rs[0].Name != "[x]" {
					t.Errorf("name = %q", rs[0].Name)
				}
			}},
		{"the resource's range covers its object",
			"\"resources\": [\n  {\"type\": \"A.B/c\", \"apiVersion\": \"1\", \"name\": \"x\"}\n]",
			func(t *testing.T, rs []*resource.Resource) {
				rg := rs[0].Provenance.Range
				if rg.Start.Line != 2 || rg.Start.Column != 3 || rg.End.Line != 2 || rs[0].Provenance.Source != "arm" {
					t.Errorf("range = %+v", rg)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs, diags := load(t, arm.Options{}, "t.json", template(tt.body))
			if len(diags) > 0 {
				t.Fatal(diags)
			}
			tt.check(t, rs)
		})
	}
}

func TestNestedDeployments(t *testing.T) {
	inner := `{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "contentVersion": "1.0.0.0",
		"parameters": {"n": {"type": "string"}},
		"resources": [{"type": "Microsoft.ApiManagement/service", "apiVersion": "1", "name": "[parameters('n')]", "identity": {"type": "SystemAssigned"}}]}`
	t.Run("an inner-scope template gets the parameters passed in", func(t *testing.T) {
		rs, diags := load(t, arm.Options{}, "main.json", template(`
			"parameters": {"n": {"type": "string", "defaultValue": "outer"}},
			"resources": [{"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "nested",
			  "properties": {"mode": "Incremental", "expressionEvaluationOptions": {"scope": "inner"},
			    "parameters": {"n": {"value": "[concat(parameters('n'), '-apim')]"}},
			    "template": `+inner+`}}]`))
		if len(diags) > 0 {
			t.Fatal(diags)
		}
		m := byAddress(rs)
		r := m["nested > [parameters('n')]"]
		if r == nil || r.Name != "outer-apim" {
			t.Fatalf("got %v", m)
		}
		if len(r.Assumptions) != 1 || r.Assumptions[0].Path != "parameters('n')" {
			t.Errorf("the outer default is not an assumption of the inner resource: %v", r.Assumptions)
		}
		if _, ok := m["nested"].Body["properties"].(map[string]any)["template"]; ok {
			t.Error("the deployment's body keeps its template")
		}
	})
	t.Run("an outer-scope template reads the outer variables", func(t *testing.T) {
		rs, _ := load(t, arm.Options{}, "main.json", template(`
			"variables": {"name": "from-outer"},
			"resources": [{"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "nested",
			  "properties": {"mode": "Incremental", "template": {"contentVersion": "1.0.0.0",
			    "resources": [{"type": "A.B/c", "apiVersion": "1", "name": "[variables('name')]"}]}}}]`))
		if r := byAddress(rs)["nested > [variables('name')]"]; r == nil || r.Name != "from-outer" {
			t.Errorf("got %v", rs)
		}
	})
	t.Run("reference() reads the outputs of a nested deployment, wherever it is declared", func(t *testing.T) {
		module := `{"contentVersion": "1.0.0.0", "parameters": {"sys": {"type": "bool", "defaultValue": true}},
			"resources": [], "outputs": {"identityType": {"type": "string", "value": "[if(parameters('sys'), 'SystemAssigned', 'None')]"}}}`
		rs, diags := load(t, arm.Options{}, "main.json", template(`
			"languageVersion": "2.0",
			"resources": {
				"apim": {"type": "Microsoft.ApiManagement/service", "apiVersion": "1", "name": "apim",
					"identity": {"type": "[reference('identity').outputs.identityType.value]"},
					"properties": {"byName": "[reference(resourceId('Microsoft.Resources/deployments', 'identity-module'), '2022-09-01', 'Full').properties.outputs.identityType.value]"}},
				"identity": {"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "identity-module",
					"properties": {"mode": "Incremental", "expressionEvaluationOptions": {"scope": "inner"}, "template": `+module+`}}
			}`))
		if len(diags) > 0 {
			t.Fatal(diags)
		}
		r := byAddress(rs)["apim"]
		if got := get(t, r, "identity.type"); got != "SystemAssigned" {
			t.Errorf("identity.type = %#v", got)
		}
		if got := get(t, r, "properties.byName"); got != "SystemAssigned" {
			t.Errorf("properties.byName = %#v", got)
		}
		if len(r.Assumptions) != 1 || r.Assumptions[0].Path != "parameters('sys')" {
			t.Errorf("the module's default is not an assumption of the service: %v", r.Assumptions)
		}
	})
	t.Run("an outer-scope template in a copy loop reads the deployment's index", func(t *testing.T) {
		rs, diags := load(t, arm.Options{}, "main.json", template(`
			"resources": [{"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "[concat('d', copyIndex())]",
			  "copy": {"name": "deployments", "count": 2},
			  "properties": {"mode": "Incremental", "template": {"contentVersion": "1.0.0.0",
			    "resources": [{"type": "A.B/c", "apiVersion": "1", "name": "[concat('r', copyIndex())]"}]}}}]`))
		if len(diags) > 0 {
			t.Fatal(diags)
		}
		var names []string
		for _, r := range rs {
			names = append(names, r.Name)
		}
		if want := []string{"d0", "r0", "d1", "r1"}; !reflect.DeepEqual(names, want) {
			t.Errorf("got %v, want %v", names, want)
		}
	})
	t.Run("a linked template with a relative path is read from disk", func(t *testing.T) {
		rs, diags := load(t, arm.Options{}, "main.json", template(`
			"resources": [{"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "linked",
			  "properties": {"mode": "Incremental", "templateLink": {"relativePath": "nested/apim.json"}, "parameters": {"n": {"value": "linked-apim"}}}}]`),
			"nested/apim.json", inner)
		if len(diags) > 0 {
			t.Fatal(diags)
		}
		r := byAddress(rs)["linked > [parameters('n')]"]
		if r == nil || r.Name != "linked-apim" || !strings.HasSuffix(r.Provenance.Range.Filename, "nested/apim.json") {
			t.Errorf("got %v", rs)
		}
	})
	t.Run("a linked template scanned too is reported once, as deployed by its parent", func(t *testing.T) {
		paths := writeFiles(t, "main.json", template(`
			"resources": [{"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "linked",
			  "properties": {"mode": "Incremental", "templateLink": {"relativePath": "nested/apim.json"}, "parameters": {"n": {"value": "from-parent"}}}}]`),
			"nested/apim.json", inner)
		rs, _ := arm.Load([]string{paths[1], paths[0]}, arm.Options{})
		var names []string
		for _, r := range rs {
			names = append(names, r.Name)
		}
		if want := []string{"linked", "from-parent"}; !reflect.DeepEqual(names, want) {
			t.Errorf("got %v, want %v", names, want)
		}
	})
	t.Run("a linked template under _artifactsLocation is read from beside the template", func(t *testing.T) {
		rs, diags := load(t, arm.Options{}, "azuredeploy.json", template(`
			"parameters": {
				"_artifactsLocation": {"type": "string", "defaultValue": "[deployment().properties.templateLink.uri]"},
				"_artifactsLocationSasToken": {"type": "securestring", "defaultValue": ""}
			},
			"variables": {"apimUri": "[uri(parameters('_artifactsLocation'), concat('nested/apim.json', parameters('_artifactsLocationSasToken')))]"},
			"resources": [{"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "linked",
			  "properties": {"mode": "Incremental", "templateLink": {"uri": "[variables('apimUri')]"}, "parameters": {"n": {"value": "qs-apim"}}}}]`),
			"nested/apim.json", inner)
		if len(diags) > 0 {
			t.Fatal(diags)
		}
		if r := byAddress(rs)["linked > [parameters('n')]"]; r == nil || r.Name != "qs-apim" {
			t.Errorf("got %v", rs)
		}
	})
}

func TestClassify(t *testing.T) {
	tests := []struct {
		name     string
		file     string
		src      string
		want     arm.Kind
		severity string // of the diagnostic, "" for none
		line     int
		col      int
	}{
		{"a deployment template schema is a template", "t.json", template(`"resources": []`), arm.Template, "", 0, 0},
		{"a subscription deployment template schema is a template", "t.json", `{"$schema": "https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#"}`, arm.Template, "", 0, 0},
		{"the template shape without schema is a template", "t.json", `{"contentVersion": "1.0.0.0", "resources": []}`, arm.Template, "", 0, 0},
		{"a parameters schema is a parameters file", "p.json", `{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#", "parameters": {}}`, arm.Parameters, "", 0, 0},
		{"the parameters shape without schema is a parameters file", "p.json", `{"contentVersion": "1.0.0.0", "parameters": {"a": {"value": 1}}}`, arm.Parameters, "", 0, 0},
		{"a REST API example is other JSON", "x.json", `{"parameters": {"serviceName": "x"}, "responses": {}}`, arm.Other, "", 0, 0},
		{"a package.json is other JSON", "package.json", `{"name": "x", "version": "1.0.0"}`, arm.Other, "", 0, 0},
		{"a tsconfig with comments is other JSON", "tsconfig.json", "{\n  // strict\n  \"compilerOptions\": {}\n}", arm.Other, "", 0, 0},
		{"a template with a doubled comma is an error at the comma", "badarm.json",
			`{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "resources": [ {"type": "Microsoft.ApiManagement/service", "name": "x",, } ] }`,
			arm.Other, "error", 1, 167},
		{"a truncated template with ARM resources is an error at the unclosed resource", "trunc.json",
			"{ \"resources\": [ { \"type\": \"Microsoft.ApiManagement/service\", \n", arm.Other, "error", 1, 18},
		{"a broken file with a contentVersion is an error", "x.json", `{"contentVersion": "1.0.0.0",`, arm.Other, "error", 1, 1},
		{"a broken parameters file is an error by its name", "prod.parameters.json", `{"parameters": {"a": }}`, arm.Other, "error", 1, 22},
		{"a broken azuredeploy file is an error by its name", "azuredeploy-apim.json", `{`, arm.Other, "error", 1, 1},
		{"a broken main.json is an error by its name", "infra/main.json", `{"a": tru}`, arm.Other, "error", 1, 7},
		{"a broken package.json is only a warning", "package.json", `{"name": "x" "version": "1.0.0"}`, arm.Other, "warning", 1, 14},
		{"an empty file is only a warning", "azuredeploy.json", "  \n", arm.Other, "warning", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, d := arm.Classify(tt.file, []byte(tt.src))
			if got != tt.want {
				t.Errorf("kind %v, want %v", got, tt.want)
			}
			switch {
			case tt.severity == "" && d != nil:
				t.Errorf("unexpected diagnostic %v", d)
			case tt.severity != "" && d == nil:
				t.Errorf("no diagnostic, want a %s", tt.severity)
			case d != nil:
				if d.Severity.String() != tt.severity || d.Range.Filename != tt.file || d.Range.Start.Line != tt.line || d.Range.Start.Column != tt.col {
					t.Errorf("got %s at %s:%d:%d (%s), want %s at %s:%d:%d", d.Severity, d.Range.Filename, d.Range.Start.Line, d.Range.Start.Column, d.Summary, tt.severity, tt.file, tt.line, tt.col)
				}
			}
		})
	}
}

// copiedDeployments is a template with a copy loop of outer inline deployments, each deploying a
// copy loop of inner API Management services.
func copiedDeployments(outer, inner int) string {
	return template(fmt.Sprintf(`"resources": [{"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01",
		"name": "[concat('d', copyIndex())]", "copy": {"name": "d", "count": %d},
		"properties": {"mode": "Incremental", "expressionEvaluationOptions": {"scope": "inner"}, "template": {%s,
			"resources": [{"type": "Microsoft.ApiManagement/service", "apiVersion": "2022-08-01", "name": "[concat('i', copyIndex())]",
				"copy": {"name": "i", "count": %d}, "location": "w", "properties": {}}]}}}]`, outer, schema, inner))
}
