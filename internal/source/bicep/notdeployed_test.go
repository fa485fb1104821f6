package bicep_test

import (
	"reflect"
	"testing"

	"github.com/lensix/lensix/internal/resource"
	"github.com/lensix/lensix/internal/source/bicep"
)

const apimBody = `{
  name: 'apim-prod'
  location: 'westeurope'
  properties: {}
}`

func TestResourcesSwitchedOffByDefaultsAreReported(t *testing.T) {
	tests := []struct {
		name   string
		files  map[string]string // main.bicep is loaded
		params []string
		want   []resource.NotDeployed // Type, Name, Switch, Defaults and Fix
		line   int                    // where the first is declared
	}{
		{
			name: "a condition false by a bool default is reported with the value to pass",
			files: map[string]string{"main.bicep": `param deployApim bool = false
resource apim 'Microsoft.ApiManagement/service@2022-08-01' = if (deployApim) ` + apimBody},
			want: []resource.NotDeployed{{Type: "Microsoft.ApiManagement/service", Name: "apim-prod",
				Switch: "its condition (deployApim) is false", Defaults: []string{"deployApim"}, Fix: "pass --param deployApim=true"}},
			line: 2,
		},
		{
			name: "a loop over an empty default array is reported under its symbolic name",
			files: map[string]string{"main.bicep": `param names array = []
resource apims 'Microsoft.ApiManagement/service@2022-08-01' = [for n in names: {
  name: n
  location: 'westeurope'
}]`},
			want: []resource.NotDeployed{{Type: "Microsoft.ApiManagement/service", Name: "apims",
				Switch: "its loop over names is empty", Defaults: []string{"names"}, Fix: "pass --param names=VALUE with a value that makes names not empty"}},
			line: 2,
		},
		{
			name: "a condition that reads a default through a variable names the parameter",
			files: map[string]string{"main.bicep": `param env string = 'dev'
var isProd = env == 'prod'
resource apim 'Microsoft.ApiManagement/service@2022-08-01' = if (isProd) ` + apimBody},
			want: []resource.NotDeployed{{Type: "Microsoft.ApiManagement/service", Name: "apim-prod",
				Switch: "its condition (isProd) is false", Defaults: []string{"env"}, Fix: "pass --param env=VALUE with a value that makes isProd true"}},
			line: 3,
		},
		{
			name: "a count of one that still leaves the condition false is not offered",
			files: map[string]string{"main.bicep": `param cnt int = 0
resource apim 'Microsoft.ApiManagement/service@2022-08-01' = if (cnt > 2) ` + apimBody},
			want: []resource.NotDeployed{{Type: "Microsoft.ApiManagement/service", Name: "apim-prod",
				Switch: "its condition (cnt > 2) is false", Defaults: []string{"cnt"}, Fix: "pass --param cnt=VALUE with a value that makes cnt > 2 true"}},
			line: 2,
		},
		{
			name: "an allowed value that makes the condition true is offered",
			files: map[string]string{"main.bicep": `@allowed(['dev', 'test', 'prod'])
param env string = 'dev'
resource apim 'Microsoft.ApiManagement/service@2022-08-01' = if (env == 'prod') ` + apimBody},
			want: []resource.NotDeployed{{Type: "Microsoft.ApiManagement/service", Name: "apim-prod",
				Switch: "its condition (env == 'prod') is false", Defaults: []string{"env"}, Fix: "pass --param env=prod"}},
			line: 3,
		},
		{
			name: "values for two parameters are offered when together they deploy it",
			files: map[string]string{"main.bicep": `@allowed(['dev', 'prod'])
param env string = 'dev'
param cnt int = 0
resource apim 'Microsoft.ApiManagement/service@2022-08-01' = if (env == 'prod' && cnt > 0) ` + apimBody},
			want: []resource.NotDeployed{{Type: "Microsoft.ApiManagement/service", Name: "apim-prod",
				Switch: "its condition (env == 'prod' && cnt > 0) is false", Defaults: []string{"cnt", "env"}, Fix: "pass --param cnt=1 --param env=prod"}},
			line: 4,
		},
		{
			name: "a value a module is passed through an expression is not offered",
			files: map[string]string{
				"main.bicep": "param prod bool = false\nmodule m 'mod.bicep' = {\n  name: 'm'\n  params: { deployApim: prod == true }\n}",
				"mod.bicep":  "param deployApim bool\nresource apim 'Microsoft.ApiManagement/service@2022-08-01' = if (deployApim) " + apimBody},
			want: []resource.NotDeployed{{Type: "Microsoft.ApiManagement/service", Name: "apim-prod",
				Switch: "its condition (deployApim) is false", Defaults: []string{"prod"}, Fix: "pass --param prod=VALUE with a value that makes deployApim true"}},
			line: 2,
		},
		{
			name: "a module's own default is to be passed by the module declaration, not by --param",
			files: map[string]string{
				"main.bicep": "module m 'mod.bicep' = {\n  name: 'm'\n}",
				"mod.bicep":  "param deployApim bool = false\nresource apim 'Microsoft.ApiManagement/service@2022-08-01' = if (deployApim) " + apimBody},
			want: []resource.NotDeployed{{Type: "Microsoft.ApiManagement/service", Name: "apim-prod",
				Switch: "its condition (deployApim) is false", Defaults: []string{"deployApim"}, Fix: "have the module declaration that deploys it pass parameter deployApim"}},
			line: 2,
		},
		{
			name: "a value a module is passed from the caller's default names the caller's parameter",
			files: map[string]string{
				"main.bicep": "param prod bool = false\nmodule m 'mod.bicep' = {\n  name: 'm'\n  params: { deployApim: prod }\n}",
				"mod.bicep":  "param deployApim bool\nresource apim 'Microsoft.ApiManagement/service@2022-08-01' = if (deployApim) " + apimBody},
			want: []resource.NotDeployed{{Type: "Microsoft.ApiManagement/service", Name: "apim-prod",
				Switch: "its condition (deployApim) is false", Defaults: []string{"prod"}, Fix: "pass --param prod=true"}},
			line: 2,
		},
		{
			name: "a nested child switched off by a default has its full type",
			files: map[string]string{"main.bicep": `param named bool = false
resource apim 'Microsoft.ApiManagement/service@2022-08-01' = {
  name: 'apim-prod'
  resource nv 'namedValues' = if (named) {
    name: 'nv'
  }
}`},
			want: []resource.NotDeployed{{Type: "Microsoft.ApiManagement/service/namedValues", Name: "nv",
				Switch: "its condition (named) is false", Defaults: []string{"named"}, Fix: "pass --param named=true"}},
			line: 4,
		},
		{
			name: "a module switched off by a default lists the types its file deploys",
			files: map[string]string{
				"main.bicep":  "param deployApim bool = false\nmodule apim 'apim.bicep' = if (deployApim) {\n  name: 'apim'\n}",
				"apim.bicep":  "module inner 'inner.bicep' = {\n  name: 'inner'\n}\nresource apim 'Microsoft.ApiManagement/service@2022-08-01' = {\n  name: 'apim-prod'\n  resource api 'apis' = {\n    name: 'echo'\n  }\n}\nresource kv 'Microsoft.KeyVault/vaults@2023-07-01' existing = {\n  name: 'kv'\n}",
				"inner.bicep": "resource lock 'Microsoft.Authorization/locks@2020-05-01' = {\n  name: 'l'\n}"},
			want: []resource.NotDeployed{{Type: "Microsoft.Resources/deployments", Name: "apim",
				Switch: "its condition (deployApim) is false", Defaults: []string{"deployApim"}, Fix: "pass --param deployApim=true",
				Deploys: []string{"Microsoft.ApiManagement/service", "Microsoft.ApiManagement/service/apis", "Microsoft.Authorization/locks", "Microsoft.Resources/deployments"}}},
			line: 2,
		},
		{
			name: "a module loop over an empty default array is reported",
			files: map[string]string{
				"main.bicep": "param regions array = []\nmodule apims 'apim.bicep' = [for r in regions: {\n  name: 'apim-${r}'\n}]",
				"apim.bicep": "resource apim 'Microsoft.ApiManagement/service@2022-08-01' = {\n  name: 'apim-prod'\n}"},
			want: []resource.NotDeployed{{Type: "Microsoft.Resources/deployments", Name: "apims",
				Switch: "its loop over regions is empty", Defaults: []string{"regions"}, Fix: "pass --param regions=VALUE with a value that makes regions not empty",
				Deploys: []string{"Microsoft.ApiManagement/service"}}},
			line: 2,
		},
		{
			name:  "a literal false condition is not reported",
			files: map[string]string{"main.bicep": "resource apim 'Microsoft.ApiManagement/service@2022-08-01' = if (false) " + apimBody},
		},
		{
			name: "a condition false by a value given with --param is not reported",
			files: map[string]string{"main.bicep": `param deployApim bool = true
resource apim 'Microsoft.ApiManagement/service@2022-08-01' = if (deployApim) ` + apimBody},
			params: []string{"deployApim=false"},
		},
		{
			name: "a condition that a given value decides whatever the default is not reported",
			files: map[string]string{"main.bicep": `param deployApim bool
param inProd bool = true
resource apim 'Microsoft.ApiManagement/service@2022-08-01' = if (deployApim && inProd) ` + apimBody},
			params: []string{"deployApim=false"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, tt.files)
			r := bicep.LoadAll([]string{dir + "/main.bicep"}, bicep.Options{Params: tt.params})
			if r.Diagnostics.HasErrors() {
				t.Fatal(r.Diagnostics)
			}
			var got []resource.NotDeployed
			for _, nd := range r.NotDeployed {
				if nd.Provenance.Source != "bicep" || nd.Provenance.Range.Start.Line != tt.line {
					t.Errorf("provenance %+v, want bicep at line %d", nd.Provenance, tt.line)
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
