package arm_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/lensix/lensix/internal/diag"
	"github.com/lensix/lensix/internal/resource"
	"github.com/lensix/lensix/internal/source/arm"
)

func TestStructuralErrorsResourceManagerRejects(t *testing.T) {
	svc := func(name string, more ...string) string {
		return fmt.Sprintf(`{"type": "Microsoft.ApiManagement/service", "apiVersion": "2022-08-01", "name": %q%s}`, name, strings.Join(more, ""))
	}
	nestedDeployment := func(passed string) string {
		return template(`"resources": [{"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "toRg",
			"properties": {"mode": "Incremental", "expressionEvaluationOptions": {"scope": "inner"}` + passed + `,
				"template": {` + schema + `, "parameters": {"required": {"type": "string"}, "withDefault": {"type": "string", "defaultValue": "x"},
					"optional": {"$ref": "#/definitions/opt"}},
					"definitions": {"opt": {"type": "string", "nullable": true}},
					"resources": [{"type": "Microsoft.ApiManagement/service", "apiVersion": "2022-08-01", "name": "inner",
						"tags": {"r": "[parameters('required')]"}}]}}}]`)
	}
	tests := []struct {
		name      string
		template  string
		params    []string
		warning   string   // a warning the case may give beside its errors
		want      []string // "line: summary" of each error
		resources int      // deployed, each still checked
	}{
		{
			name:      "a top-level resource named with a segment too many is an error at its name",
			template:  template(`"resources": [` + svc("wrong/segments") + `]`),
			want:      []string{`1: The name "wrong/segments" has 2 segments; a Microsoft.ApiManagement/service needs 1`},
			resources: 1,
		},
		{
			name: "a child type named without its parent is an error",
			template: template(`"resources": [
				{"type": "Microsoft.ApiManagement/service/apis", "apiVersion": "2022-08-01", "name": "echo"}]`),
			want:      []string{`2: The name "echo" has 1 segment; a Microsoft.ApiManagement/service/apis needs 2`},
			resources: 1,
		},
		{
			name: "names that fit their types, nested children and extension types are fine",
			template: template(`"resources": [
				{"type": "Microsoft.ApiManagement/service/apis", "apiVersion": "2022-08-01", "name": "svc/echo",
					"resources": [{"type": "operations", "apiVersion": "2022-08-01", "name": "get"}]},
				{"type": "Microsoft.ApiManagement/service/providers/diagnosticSettings", "apiVersion": "2021-05-01-preview", "name": "svc/Microsoft.Insights/diag"},
				{"type": "Microsoft.Insights/diagnosticSettings", "apiVersion": "2021-05-01-preview", "name": "diag", "scope": "Microsoft.ApiManagement/service/svc"}]`),
			resources: 4,
		},
		{
			name:      "a name that rests on a default is left alone",
			template:  template(`"parameters": {"n": {"type": "string", "defaultValue": "a/b"}}, "resources": [` + svc("[parameters('n')]") + `]`),
			resources: 1,
		},
		{
			name:      "a type that is not a string is an error",
			template:  template(`"resources": [{"type": 5, "apiVersion": "2022-08-01", "name": "x"}]`),
			want:      []string{`1: The resource's type is a number, not a string`},
			resources: 1,
		},
		{
			name: "two resources with the same type and name in any case are an error at the second, and both are checked",
			template: template(`"resources": [
				` + svc("apim1", `, "identity": {"type": "SystemAssigned"}`) + `,
				` + svc("APIM1") + `]`),
			want:      []string{`3: The resource Microsoft.ApiManagement/service "APIM1" is defined multiple times in the template`},
			resources: 2,
		},
		{
			name: "the same name behind conditions not known offline is fine, as new-or-existing templates have it",
			template: template(`"parameters": {"useNew": {"type": "bool"}}, "resources": [
				{"condition": "[parameters('useNew')]", "type": "Microsoft.ApiManagement/service", "apiVersion": "2022-08-01", "name": "apim-c"},
				{"condition": "[not(parameters('useNew'))]", "type": "Microsoft.ApiManagement/service", "apiVersion": "2022-08-01", "name": "apim-c"}]`),
			resources: 2,
		},
		{
			name: "the same name behind conditions both true is an error",
			template: template(`"resources": [
				{"condition": "[equals(1, 1)]", "type": "Microsoft.ApiManagement/service", "apiVersion": "2022-08-01", "name": "apim-c"},
				{"condition": true, "type": "Microsoft.ApiManagement/service", "apiVersion": "2022-08-01", "name": "apim-c"}]`),
			want:      []string{`3: The resource Microsoft.ApiManagement/service "apim-c" is defined multiple times in the template`},
			resources: 2,
		},
		{
			name: "the same name for different types, scopes or copies is fine",
			template: template(`"resources": [
				` + svc("apim1") + `,
				{"type": "Microsoft.Insights/diagnosticSettings", "apiVersion": "2021-05-01-preview", "name": "apim1", "scope": "Microsoft.ApiManagement/service/a"},
				{"type": "Microsoft.Insights/diagnosticSettings", "apiVersion": "2021-05-01-preview", "name": "apim1", "scope": "Microsoft.ApiManagement/service/b"},
				{"type": "Microsoft.Storage/storageAccounts", "apiVersion": "2023-01-01", "name": "same", "copy": {"name": "l", "count": 2}}]`),
			resources: 5,
		},
		{
			name:      "a nested deployment that does not pass a required parameter is an error at its parameters",
			template:  nestedDeployment(`, "parameters": {"withDefault": {"value": "y"}}`),
			params:    []string{"required=FROMCLI"}, // feeds the top-level template only
			want:      []string{`2: Deployment toRg does not pass required parameter "required"`},
			warning:   `Parameter "required" (from --param) is not declared by the template main.json`,
			resources: 2,
		},
		{
			name:      "a nested deployment that passes required parameters in any form is fine",
			template:  nestedDeployment(`, "parameters": {"required": "[createObject('value', 'v')]"}`),
			resources: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			paths := writeFiles(t, "main.json", tt.template)
			rs, diags := arm.Load(paths, arm.Options{Params: tt.params})
			var got []string
			for _, d := range diags {
				if d.Severity == diag.Error {
					got = append(got, fmt.Sprintf("%d: %s", d.Range.Start.Line, d.Summary))
				} else if tt.warning == "" || !strings.Contains(d.Summary, tt.warning) {
					t.Errorf("unexpected warning %v", d)
				}
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			if len(rs) != tt.resources {
				t.Errorf("%d resources, want %d", len(rs), tt.resources)
			}
		})
	}
}

func TestAParameterANestedDeploymentDoesNotPassSaysSo(t *testing.T) {
	paths := writeFiles(t, "main.json", template(`"resources": [{"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "toRg",
		"properties": {"mode": "Incremental", "expressionEvaluationOptions": {"scope": "inner"},
			"template": {`+schema+`, "parameters": {"required": {"type": "string"}},
				"resources": [{"type": "Microsoft.ApiManagement/service", "apiVersion": "2022-08-01", "name": "inner",
					"identity": {"type": "[parameters('required')]"}}]}}}]`))
	rs, _ := arm.Load(paths, arm.Options{})
	for _, r := range rs {
		if r.Name != "inner" {
			continue
		}
		u, ok := get(t, r, "identity.type").(*resource.Unknown)
		if !ok || strings.Contains(u.Reason, "--param") || !strings.Contains(u.Reason, "nested deployment toRg does not pass it") {
			t.Errorf("identity.type = %v, want unknown because toRg does not pass it", get(t, r, "identity.type"))
		}
		return
	}
	t.Fatal("the nested deployment's resource is missing")
}
