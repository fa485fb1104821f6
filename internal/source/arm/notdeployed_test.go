package arm_test

import (
	"reflect"
	"testing"

	"github.com/lensix/lensix/internal/resource"
	"github.com/lensix/lensix/internal/source/arm"
)

const apimDecl = `"type": "Microsoft.ApiManagement/service", "apiVersion": "2022-08-01", "name": "apim-prod", "location": "westeurope", "properties": {}`

func TestResourcesSwitchedOffByDefaultsAreReported(t *testing.T) {
	nested := func(passed, innerParams, condition string) string {
		return template(`"parameters": {"deployApim": {"type": "bool", "defaultValue": false}},
			"resources": [{"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "inner",
				"properties": {"mode": "Incremental", "expressionEvaluationOptions": {"scope": "inner"},
					"parameters": {` + passed + `},
					"template": {` + schema + `, "parameters": {` + innerParams + `},
						"resources": [{"condition": "` + condition + `", ` + apimDecl + `}]}}}]`)
	}
	tests := []struct {
		name     string
		template string
		params   []string
		want     []resource.NotDeployed // Type, Name, Switch, Defaults and Fix
		line     int                    // where the first is declared
	}{
		{
			name: "a condition false by a bool default is reported with the value to pass",
			template: template(`"parameters": {"deployApim": {"type": "bool", "defaultValue": false}},
				"resources": [
					{"condition": "[parameters('deployApim')]", ` + apimDecl + `}]`),
			want: []resource.NotDeployed{{Type: "Microsoft.ApiManagement/service", Name: "apim-prod",
				Switch: "its condition [parameters('deployApim')] is false", Defaults: []string{"deployApim"}, Fix: "pass --param deployApim=true"}},
			line: 3,
		},
		{
			name: "a copy count of zero from a default is reported",
			template: template(`"parameters": {"count": {"type": "int", "defaultValue": 0}},
				"resources": [{"copy": {"name": "l", "count": "[parameters('count')]"}, ` + apimDecl + `}]`),
			want: []resource.NotDeployed{{Type: "Microsoft.ApiManagement/service", Name: "apim-prod",
				Switch: "its copy count [parameters('count')] is 0", Defaults: []string{"count"}, Fix: "pass --param count=1"}},
			line: 2,
		},
		{
			name: "a condition that reads a default through a variable names the parameter",
			template: template(`"parameters": {"env": {"type": "string", "defaultValue": "dev"}},
				"variables": {"isProd": "[equals(parameters('env'), 'prod')]"},
				"resources": [{"condition": "[variables('isProd')]", ` + apimDecl + `}]`),
			want: []resource.NotDeployed{{Type: "Microsoft.ApiManagement/service", Name: "apim-prod",
				Switch: "its condition [variables('isProd')] is false", Defaults: []string{"env"}, Fix: "pass --param env=VALUE with a value that makes [variables('isProd')] true"}},
			line: 3,
		},
		{
			name: "a count of one that still leaves the condition false is not offered",
			template: template(`"parameters": {"cnt": {"type": "int", "defaultValue": 0}},
				"resources": [{"condition": "[greater(parameters('cnt'), 2)]", ` + apimDecl + `}]`),
			want: []resource.NotDeployed{{Type: "Microsoft.ApiManagement/service", Name: "apim-prod",
				Switch: "its condition [greater(parameters('cnt'), 2)] is false", Defaults: []string{"cnt"},
				Fix: "pass --param cnt=VALUE with a value that makes [greater(parameters('cnt'), 2)] true"}},
			line: 2,
		},
		{
			name: "an allowed value that makes the condition true is offered",
			template: template(`"parameters": {"env": {"type": "string", "defaultValue": "dev", "allowedValues": ["dev", "test", "prod"]}},
				"resources": [{"condition": "[equals(parameters('env'), 'prod')]", ` + apimDecl + `}]`),
			want: []resource.NotDeployed{{Type: "Microsoft.ApiManagement/service", Name: "apim-prod",
				Switch: "its condition [equals(parameters('env'), 'prod')] is false", Defaults: []string{"env"}, Fix: "pass --param env=prod"}},
			line: 2,
		},
		{
			name: "an allowed value with a space is quoted for the shell",
			template: template(`"parameters": {"tier": {"type": "string", "defaultValue": "basic", "allowedValues": ["basic", "it's premium"]}},
				"resources": [{"condition": "[not(equals(parameters('tier'), 'basic'))]", ` + apimDecl + `}]`),
			want: []resource.NotDeployed{{Type: "Microsoft.ApiManagement/service", Name: "apim-prod",
				Switch: "its condition [not(equals(parameters('tier'), 'basic'))] is false", Defaults: []string{"tier"}, Fix: `pass --param tier='it'\''s premium'`}},
			line: 2,
		},
		{
			name: "values for two parameters are offered when together they deploy it",
			template: template(`"parameters": {"env": {"type": "string", "defaultValue": "dev", "allowedValues": ["dev", "prod"]}, "cnt": {"type": "int", "defaultValue": 0}},
				"resources": [{"condition": "[and(equals(parameters('env'), 'prod'), greater(parameters('cnt'), 0))]", ` + apimDecl + `}]`),
			want: []resource.NotDeployed{{Type: "Microsoft.ApiManagement/service", Name: "apim-prod",
				Switch: "its condition [and(equals(parameters('env'), 'prod'), greater(parameters('cnt'), 0))] is false", Defaults: []string{"cnt", "env"},
				Fix: "pass --param cnt=1 --param env=prod"}},
			line: 2,
		},
		{
			name: "an empty array default that empties a copy loop asks for a value that makes the count more than 0",
			template: template(`"parameters": {"regions": {"type": "array", "defaultValue": []}},
				"resources": [{"copy": {"name": "l", "count": "[length(parameters('regions'))]"}, ` + apimDecl + `}]`),
			want: []resource.NotDeployed{{Type: "Microsoft.ApiManagement/service", Name: "apim-prod",
				Switch: "its copy count [length(parameters('regions'))] is 0", Defaults: []string{"regions"},
				Fix: "pass --param regions=VALUE with a value that makes [length(parameters('regions'))] more than 0"}},
			line: 2,
		},
		{
			name: "a child resource switched off by a default has its full type",
			template: template(`"parameters": {"named": {"type": "bool", "defaultValue": false}},
				"resources": [{` + apimDecl + `, "identity": {"type": "SystemAssigned"}, "resources": [
					{"condition": "[parameters('named')]", "type": "namedValues", "apiVersion": "2022-08-01", "name": "nv", "properties": {}}]}]`),
			want: []resource.NotDeployed{{Type: "Microsoft.ApiManagement/service/namedValues", Name: "nv",
				Switch: "its condition [parameters('named')] is false", Defaults: []string{"named"}, Fix: "pass --param named=true"}},
			line: 3,
		},
		{
			name:     "a nested template's own default is to be passed by the deployment, not by --param",
			template: nested(``, `"deploy": {"type": "bool", "defaultValue": false}`, "[parameters('deploy')]"),
			want: []resource.NotDeployed{{Type: "Microsoft.ApiManagement/service", Name: "apim-prod",
				Switch: "its condition [parameters('deploy')] is false", Defaults: []string{"deploy"}, Fix: "have the nested deployment that deploys it pass parameter deploy"}},
			line: 6,
		},
		{
			name:     "a value a nested deployment passes from the outer default names the outer parameter",
			template: nested(`"deploy": {"value": "[parameters('deployApim')]"}`, `"deploy": {"type": "bool"}`, "[parameters('deploy')]"),
			want: []resource.NotDeployed{{Type: "Microsoft.ApiManagement/service", Name: "apim-prod",
				Switch: "its condition [parameters('deploy')] is false", Defaults: []string{"deployApim"}, Fix: "pass --param deployApim=true"}},
			line: 6,
		},
		{
			name: "a nested deployment switched off by a default lists the types its template deploys",
			template: template(`"parameters": {"deployApim": {"type": "bool", "defaultValue": false}},
				"resources": [{"condition": "[parameters('deployApim')]", "type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "apimModule",
					"properties": {"mode": "Incremental", "template": {` + schema + `, "resources": [
						{` + apimDecl + `, "resources": [{"type": "apis", "apiVersion": "2022-08-01", "name": "echo"}]},
						{"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "deeper", "properties": {"mode": "Incremental",
							"template": {` + schema + `, "resources": [{"type": "Microsoft.Authorization/locks", "apiVersion": "2020-05-01", "name": "l"}]}}},
						{"type": "Microsoft.KeyVault/vaults", "apiVersion": "2023-07-01", "name": "kv", "existing": true}]}}}]`),
			want: []resource.NotDeployed{{Type: "Microsoft.Resources/deployments", Name: "apimModule",
				Switch: "its condition [parameters('deployApim')] is false", Defaults: []string{"deployApim"}, Fix: "pass --param deployApim=true",
				Deploys: []string{"Microsoft.ApiManagement/service", "Microsoft.ApiManagement/service/apis", "Microsoft.Authorization/locks", "Microsoft.Resources/deployments"}}},
			line: 2,
		},
		{
			name: "a literal false condition is not reported",
			template: template(`"parameters": {"deployApim": {"type": "bool", "defaultValue": false}},
				"resources": [{"condition": false, ` + apimDecl + `}, {"condition": "[false()]", ` + apimDecl + `}]`),
		},
		{
			name: "a condition false by a value given with --param is not reported",
			template: template(`"parameters": {"deployApim": {"type": "bool", "defaultValue": true}},
				"resources": [{"condition": "[parameters('deployApim')]", ` + apimDecl + `}]`),
			params: []string{"deployApim=false"},
		},
		{
			name: "a condition that a given value decides whatever the default is not reported",
			template: template(`"parameters": {"deployApim": {"type": "bool"}, "inProd": {"type": "bool", "defaultValue": true}},
				"resources": [{"condition": "[and(parameters('deployApim'), parameters('inProd'))]", ` + apimDecl + `}]`),
			params: []string{"deployApim=false"},
		},
		{
			name: "a condition that rests on a default but does not depend on it is not reported",
			template: template(`"parameters": {"env": {"type": "string", "defaultValue": "dev"}},
				"resources": [{"condition": "[and(false(), equals(parameters('env'), 'prod'))]", ` + apimDecl + `}]`),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			paths := writeFiles(t, "main.json", tt.template)
			r := arm.LoadAll(paths, arm.Options{Params: tt.params})
			if r.Diagnostics.HasErrors() {
				t.Fatal(r.Diagnostics)
			}
			var got []resource.NotDeployed
			for _, nd := range r.NotDeployed {
				if nd.Provenance.Range.Filename != paths[0] || nd.Provenance.Source != "arm" {
					t.Errorf("provenance %+v, want arm in %s", nd.Provenance, paths[0])
				}
				if tt.line != 0 && nd.Provenance.Range.Start.Line != tt.line {
					t.Errorf("declared at line %d, want %d", nd.Provenance.Range.Start.Line, tt.line)
				}
				nd.Provenance = resource.Provenance{}
				got = append(got, nd)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("not deployed:\n got %+v\nwant %+v", got, tt.want)
			}
			for _, res := range r.Resources {
				for _, nd := range tt.want {
					if res.IsType(nd.Type) && res.Name == nd.Name {
						t.Errorf("%s is deployed as well", nd.Name)
					}
				}
			}
		})
	}
}

func TestAResourceSwitchedOffInEveryCopyIsReportedOnceByItsNameExpression(t *testing.T) {
	paths := writeFiles(t, "main.json", template(`"parameters": {"deploy": {"type": "bool", "defaultValue": false}},
		"resources": [{"condition": "[parameters('deploy')]", "copy": {"name": "l", "count": 3},
			"type": "Microsoft.ApiManagement/service", "apiVersion": "2022-08-01", "name": "[concat('apim-', copyIndex())]"}]`))
	r := arm.LoadAll(paths, arm.Options{})
	if len(r.NotDeployed) != 1 || len(r.Resources) != 0 || r.NotDeployed[0].Name != "[concat('apim-', copyIndex())]" {
		t.Errorf("not deployed %+v, resources %d: want one record, named by its expression, and no resource", r.NotDeployed, len(r.Resources))
	}
}
