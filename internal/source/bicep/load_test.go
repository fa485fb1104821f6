package bicep_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/lensix/lensix/internal/diag"
	"github.com/lensix/lensix/internal/resource"
	"github.com/lensix/lensix/internal/source/bicep"
)

// writeFiles writes name → content into a fresh directory and returns its path (slash form).
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.ToSlash(dir)
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
		t.Fatalf("%s has no %s: %v", r.Provenance.Address, path, r.Body)
	}
	return v
}

func hasAssumption(r *resource.Resource, path string) bool {
	for _, a := range r.Assumptions {
		if a.Path == path {
			return true
		}
	}
	return false
}

func TestLoad(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		opts  bicep.Options
		check func(t *testing.T, rs map[string]*resource.Resource, diags diag.Diagnostics)
	}{
		{
			name: "a parameter default is used and recorded as an assumption",
			files: map[string]string{"main.bicep": `param identityType string = 'None'
resource apim 'Microsoft.ApiManagement/service@2023-05-01-preview' = {
  name: 'apim'
  identity: { type: identityType }
}`},
			check: func(t *testing.T, rs map[string]*resource.Resource, _ diag.Diagnostics) {
				apim := rs["apim"]
				if got := get(t, apim, "identity.type"); got != "None" {
					t.Errorf("identity.type = %v", got)
				}
				if !hasAssumption(apim, "param.identityType") {
					t.Errorf("assumptions = %v, want param.identityType", apim.Assumptions)
				}
			},
		},
		{
			name: "a --param value overrides the default and is no assumption",
			files: map[string]string{"main.bicep": `param identityType string = 'None'
resource apim 'Microsoft.ApiManagement/service@2023-05-01-preview' = {
  name: 'apim'
  identity: { type: identityType }
}`},
			opts: bicep.Options{Params: []string{"identityType=SystemAssigned"}},
			check: func(t *testing.T, rs map[string]*resource.Resource, _ diag.Diagnostics) {
				if got := get(t, rs["apim"], "identity.type"); got != "SystemAssigned" || len(rs["apim"].Assumptions) != 0 {
					t.Errorf("identity.type = %v, assumptions %v", got, rs["apim"].Assumptions)
				}
			},
		},
		{
			name: "a nullable parameter without value is null, also through a declared type, as an assumption",
			files: map[string]string{"main.bicep": `type identityType = {
  systemAssigned: bool
}?
param managedIdentities identityType
resource apim 'Microsoft.ApiManagement/service@2023-05-01-preview' = {
  name: 'apim'
  identity: managedIdentities
}`},
			check: func(t *testing.T, rs map[string]*resource.Resource, _ diag.Diagnostics) {
				if got := get(t, rs["apim"], "identity"); got != nil || !hasAssumption(rs["apim"], "param.managedIdentities") {
					t.Errorf("identity = %v, assumptions %v; want null resting on an assumption", got, rs["apim"].Assumptions)
				}
			},
		},
		{
			name: "a value the deployment would fail on is unknown and warned where it fails, not an error",
			files: map[string]string{"main.bicep": `var types = ['SystemAssigned']
var zero = 0
resource apim 'Microsoft.ApiManagement/service@2023-05-01-preview' = {
  name: 'apim'
  identity: { type: types[1] }
  properties: { n: div(1, zero), m: 1 % zero }
}`},
			check: func(t *testing.T, rs map[string]*resource.Resource, diags diag.Diagnostics) {
				u, ok := get(t, rs["apim"], "identity.type").(*resource.Unknown)
				if !ok || !strings.Contains(u.Reason, "would fail here: index 1 is out of range") {
					t.Errorf("identity.type = %#v, want unknown because the deployment would fail", get(t, rs["apim"], "identity.type"))
				}
				var lines []int
				for _, d := range diags {
					if d.Severity != diag.Warning || !strings.HasPrefix(d.Summary, "The deployment would fail here: ") {
						t.Errorf("unexpected diagnostic %v", d)
					}
					lines = append(lines, d.Range.Start.Line)
				}
				if !reflect.DeepEqual(lines, []int{5, 6, 6}) {
					t.Errorf("warnings on lines %v, want 5, 6, 6", lines)
				}
			},
		},
		{
			name: "a parameter without value or default is unknown and says how to give it",
			files: map[string]string{"main.bicep": `param identity object
resource apim 'Microsoft.ApiManagement/service@2023-05-01-preview' = {
  name: 'apim'
  identity: identity
}`},
			check: func(t *testing.T, rs map[string]*resource.Resource, _ diag.Diagnostics) {
				u, ok := get(t, rs["apim"], "identity").(*resource.Unknown)
				if !ok || !strings.Contains(u.Reason, "--param identity=") {
					t.Errorf("identity = %v, want unknown naming --param", get(t, rs["apim"], "identity"))
				}
			},
		},
		{
			name: "a .bicepparam file deploys the template it uses with its values",
			files: map[string]string{
				"main.bicep":      "param sku string\nresource apim 'Microsoft.ApiManagement/service@2023-05-01-preview' = {\n  name: 'apim-${sku}'\n}",
				"main.bicepparam": "using './main.bicep'\nparam sku = 'Premium'",
			},
			check: func(t *testing.T, rs map[string]*resource.Resource, _ diag.Diagnostics) {
				if len(rs) != 1 || rs["apim"] == nil || rs["apim"].Name != "apim-Premium" {
					t.Errorf("resources = %v, want one apim-Premium", rs)
				}
			},
		},
		{
			name: "a false condition deploys nothing and an unknown one is an assumption",
			files: map[string]string{"main.bicep": `param deploy bool
resource never 'Microsoft.Storage/storageAccounts@2023-01-01' = if (1 == 2) {
  name: 'never'
}
resource maybe 'Microsoft.Storage/storageAccounts@2023-01-01' = if (deploy) {
  name: 'maybe'
}`},
			check: func(t *testing.T, rs map[string]*resource.Resource, _ diag.Diagnostics) {
				if rs["never"] != nil {
					t.Error("a resource with a false condition was deployed")
				}
				if rs["maybe"] == nil || !hasAssumption(rs["maybe"], "condition") {
					t.Errorf("maybe = %v, want deployed with a condition assumption", rs["maybe"])
				}
			},
		},
		{
			name: "a loop deploys one resource per item with its index",
			files: map[string]string{"main.bicep": `var names = ['a', 'b']
resource accounts 'Microsoft.Storage/storageAccounts@2023-01-01' = [for (n, i) in names: {
  name: '${n}${i}'
}]`},
			check: func(t *testing.T, rs map[string]*resource.Resource, _ diag.Diagnostics) {
				if rs["accounts[0]"] == nil || rs["accounts[0]"].Name != "a0" || rs["accounts[1]"].Name != "b1" {
					t.Errorf("resources = %v", rs)
				}
			},
		},
		{
			name: "nested and parent: children get ARM's composed type and name; existing resources deploy nothing",
			files: map[string]string{"main.bicep": `resource apim 'Microsoft.ApiManagement/service@2023-05-01-preview' = {
  name: 'apim'
  resource signin 'portalsettings' = {
    name: 'signin'
  }
}
resource kv 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: 'kv'
}
resource secret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: kv
  name: 'pw'
}`},
			check: func(t *testing.T, rs map[string]*resource.Resource, _ diag.Diagnostics) {
				signin := rs["apim::signin"]
				if signin == nil || signin.Type != "Microsoft.ApiManagement/service/portalsettings" || signin.Name != "apim/signin" || get(t, signin, "apiVersion") != "2023-05-01-preview" {
					t.Errorf("nested child = %+v", signin)
				}
				if rs["kv"] != nil {
					t.Error("an existing resource was deployed")
				}
				if s := rs["secret"]; s == nil || s.Name != "kv/pw" {
					t.Errorf("parent: child = %+v", s)
				}
			},
		},
		{
			name: "a local module's resources are addressed module.<name>.<symbol> with the parameters passed",
			files: map[string]string{
				"main.bicep": "module apim './apim.bicep' = {\n  name: 'apim-deploy'\n  params: {\n    identityType: 'SystemAssigned'\n  }\n}",
				"apim.bicep": "param identityType string = 'None'\nresource service 'Microsoft.ApiManagement/service@2023-05-01-preview' = {\n  name: 'apim'\n  identity: { type: identityType }\n}\noutput name string = service.name",
			},
			check: func(t *testing.T, rs map[string]*resource.Resource, _ diag.Diagnostics) {
				svc := rs["module.apim.service"]
				if svc == nil || get(t, svc, "identity.type") != "SystemAssigned" || len(svc.Assumptions) != 0 {
					t.Fatalf("module resource = %+v", svc)
				}
				if !strings.HasSuffix(svc.Provenance.Range.Filename, "apim.bicep") || svc.Provenance.Range.Start.Line != 2 {
					t.Errorf("module resource is positioned at %v", svc.Provenance.Range)
				}
				if d := rs["module.apim"]; d == nil || d.Type != "Microsoft.Resources/deployments" || d.Name != "apim-deploy" {
					t.Errorf("module deployment = %+v", d)
				}
				if len(rs) != 2 {
					t.Errorf("got %d resources: the module file must not also be deployed on its own", len(rs))
				}
			},
		},
		{
			name:  "a registry module deploys its deployment resource and warns that its contents are not read",
			files: map[string]string{"main.bicep": "module apim 'br/public:avm/res/api-management/service:0.1.0' = {\n  name: 'apim'\n  params: {}\n}"},
			check: func(t *testing.T, rs map[string]*resource.Resource, diags diag.Diagnostics) {
				if len(rs) != 1 || rs["module.apim"] == nil {
					t.Errorf("resources = %v", rs)
				}
				if len(diags) != 1 || diags[0].Severity != diag.Warning || !strings.Contains(diags[0].Summary, "registry") {
					t.Errorf("diagnostics = %v", diags)
				}
			},
		},
		{
			name: "a lensix:ignore comment above a resource is a suppression; #disable-next-line is not",
			files: map[string]string{"main.bicep": `// lensix:ignore[apimgmt_nomanagedidentity] identity is added by policy
resource apim 'Microsoft.ApiManagement/service@2023-05-01-preview' = {
  name: 'apim'
}
@description('decorated')
// lensix:ignore[apimgmt_nomanagedidentity] between decorator and keyword
resource third 'Microsoft.ApiManagement/service@2023-05-01-preview' = {
  name: 'third'
}
#disable-next-line BCP081
resource other 'Microsoft.ApiManagement/service@2023-05-01-preview' = {
  name: 'other'
}`},
			check: func(t *testing.T, rs map[string]*resource.Resource, _ diag.Diagnostics) {
				s := rs["apim"].Suppressions
				if len(s) != 1 || s[0].CheckID != "apimgmt_nomanagedidentity" || s[0].Reason != "identity is added by policy" {
					t.Errorf("suppressions = %+v", s)
				}
				if s := rs["third"].Suppressions; len(s) != 1 || s[0].Range.Start.Line != 6 {
					t.Errorf("suppression between decorator and keyword = %+v", s)
				}
				if len(rs["other"].Suppressions) != 0 {
					t.Errorf("#disable-next-line became a suppression: %+v", rs["other"].Suppressions)
				}
			},
		},
		{
			name: "variables that refer to each other are reported and the rest is evaluated",
			files: map[string]string{"main.bicep": `var a = b
var b = a
resource r 'Microsoft.Storage/storageAccounts@2023-01-01' = {
  name: 'r'
  properties: { x: a }
}`},
			check: func(t *testing.T, rs map[string]*resource.Resource, diags diag.Diagnostics) {
				if rs["r"] == nil || !resource.IsUnknown(get(t, rs["r"], "properties.x")) {
					t.Errorf("resource = %+v", rs["r"])
				}
				if len(diags) == 0 || !strings.Contains(diags[0].Summary, "refers to itself") || diags[0].Range.Start.Line == 0 {
					t.Errorf("diagnostics = %v", diags)
				}
			},
		},
		{
			name:  "a syntax error is a positioned diagnostic and later declarations still deploy",
			files: map[string]string{"main.bicep": "resource broken 'Microsoft.Storage/storageAccounts@2023-01-01' = {\n  name 'x'\n}\nresource ok 'Microsoft.Storage/storageAccounts@2023-01-01' = {\n  name: 'ok'\n}"},
			check: func(t *testing.T, rs map[string]*resource.Resource, diags diag.Diagnostics) {
				if rs["ok"] == nil {
					t.Error("the declaration after the error was not deployed")
				}
				if len(diags) != 1 || diags[0].Range.Start.Line != 2 || !strings.HasSuffix(diags[0].Range.Filename, "main.bicep") {
					t.Errorf("diagnostics = %v", diags)
				}
			},
		},
		{
			name:  "a module that does not exist is reported at its path",
			files: map[string]string{"main.bicep": "module m './missing.bicep' = {\n  name: 'm'\n}"},
			check: func(t *testing.T, rs map[string]*resource.Resource, diags diag.Diagnostics) {
				if len(diags) != 1 || diags[0].Severity != diag.Error || diags[0].Range.Start.Line != 1 {
					t.Errorf("diagnostics = %v", diags)
				}
			},
		},
		{
			name: "modules that use each other in a cycle are reported, not evaluated forever",
			files: map[string]string{
				"a.bicep": "module b './b.bicep' = {\n  name: 'b'\n}",
				"b.bicep": "module a './a.bicep' = {\n  name: 'a'\n}",
			},
			check: func(t *testing.T, rs map[string]*resource.Resource, diags diag.Diagnostics) {
				if len(diags) != 1 || !strings.Contains(diags[0].Summary, "cycle") {
					t.Errorf("diagnostics = %v, want one about the cycle", diags)
				}
			},
		},
		{
			name: "nested resources are named without their parent inside its body, and their .name is the declared one",
			files: map[string]string{"main.bicep": `resource apim 'Microsoft.ApiManagement/service@2023-05-01-preview' = {
  name: 'apim'
  resource api 'apis' = {
    name: 'echo'
    resource op 'operations' = {
      name: 'get'
    }
  }
  resource policy 'apis/policies' = {
    name: 'echo/policy'
    properties: {
      api: api.name
      op: api::op.name
    }
  }
}`},
			check: func(t *testing.T, rs map[string]*resource.Resource, diags diag.Diagnostics) {
				if len(diags) > 0 {
					t.Errorf("diagnostics = %v", diags)
				}
				p := rs["apim::policy"]
				if p == nil || p.Name != "apim/echo/policy" || get(t, p, "properties.api") != "echo" || get(t, p, "properties.op") != "get" {
					t.Errorf("policy = %+v", p)
				}
			},
		},
		{
			name:  "a misspelt decorator is a warning",
			files: map[string]string{"main.bicep": "@secrue()\nparam password string"},
			check: func(t *testing.T, _ map[string]*resource.Resource, diags diag.Diagnostics) {
				if len(diags) != 1 || diags[0].Severity != diag.Warning || !strings.Contains(diags[0].Summary, "@secrue") {
					t.Errorf("diagnostics = %v", diags)
				}
			},
		},
		{
			name: "functions, lambdas, ternaries and ?? evaluate through the shared library",
			files: map[string]string{"main.bicep": `func kind(system bool) string => system ? 'SystemAssigned' : 'None'
var ids = filter(['a', '', 'b'], x => !empty(x))
var missing = null
resource r 'Microsoft.Storage/storageAccounts@2023-01-01' = {
  name: toUpper(missing ?? 'r${length(ids)}')
  identity: { type: kind(contains(ids, 'a')) }
}`},
			check: func(t *testing.T, rs map[string]*resource.Resource, _ diag.Diagnostics) {
				r := rs["r"]
				if r.Name != "R2" || get(t, r, "identity.type") != "SystemAssigned" {
					t.Errorf("name %q, identity %v", r.Name, get(t, r, "identity.type"))
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, tt.files)
			var files []string
			for name := range tt.files {
				files = append(files, dir+"/"+name)
			}
			rs, diags := bicep.Load(files, tt.opts)
			tt.check(t, byAddress(rs), diags)
		})
	}
}

func TestRegistryModulesAreReadFromTheLocalCache(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"main.bicep": `module apim 'br/corp:apim/service:V1.2' = {
  name: 'apim'
  params: { identityType: 'SystemAssigned', sku: '42', extra: { tier: 'Basic' } }
}
module missing 'br:corp.azurecr.io/modules/other:1.0' = {
  name: 'other'
}`,
		// The cache layout of bicep restore: registry, repository with / as $, tag$uppercase-mask.
		"cache/br/corp.azurecr.io/modules$apim$service/V1.2$1/main.json": `{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "parameters": {
    "identityType": { "type": "string", "defaultValue": "None" },
    "sku": { "type": "string" },
    "extra": { "type": "object" }
  },
  "resources": [{
    "type": "Microsoft.ApiManagement/service",
    "apiVersion": "2023-05-01-preview",
    "name": "apim",
    "identity": { "type": "[parameters('identityType')]" },
    "properties": { "sku": "[parameters('sku')]", "tier": "[parameters('extra').tier]" }
  }]
}`,
	})
	config := `{
  // bicepconfig.json allows comments
  "cacheRootDirectory": "` + dir + `/cache",
  "moduleAliases": { "br": { "corp": { "registry": "corp.azurecr.io", "modulePath": "modules" } } }
}`
	if err := os.WriteFile(filepath.Join(dir, "bicepconfig.json"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	rs, diags := bicep.Load([]string{dir + "/main.bicep"}, bicep.Options{})
	var service *resource.Resource
	for _, r := range rs {
		if r.IsType("Microsoft.ApiManagement/service") {
			service = r
		}
	}
	if service == nil {
		t.Fatalf("the cached module's service was not deployed; resources %v, diagnostics %v", byAddress(rs), diags)
	}
	if got, _ := service.Get("identity.type"); got != "SystemAssigned" || !strings.HasPrefix(service.Provenance.Address, "module.apim.") {
		t.Errorf("service identity %#v at %s, want \"SystemAssigned\" at module.apim.*", got, service.Provenance.Address)
	}
	// Strings reach the template as text, even when they read as JSON; objects as objects.
	if sku, _ := service.Get("properties.sku"); sku != "42" {
		t.Errorf("properties.sku = %#v, want the string \"42\"", sku)
	}
	if tier, _ := service.Get("properties.tier"); tier != "Basic" {
		t.Errorf("properties.tier = %#v, want Basic", tier)
	}
	if len(diags) != 1 || !strings.Contains(diags[0].Detail, "bicep restore") || !diags[0].Unchecked {
		t.Errorf("diagnostics = %v, want one, marked unchecked, saying how to fetch the missing module", diags)
	}
}

func TestParameterFilesGiveValues(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"main.bicep": "param identityType string = 'None'\nparam secret string\nresource apim 'Microsoft.ApiManagement/service@2023-05-01-preview' = {\n  name: 'apim'\n  identity: { type: identityType }\n  properties: { secret: secret }\n}",
		"prod.parameters.json": `{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#",
  "parameters": {
    "IdentityType": { "value": "SystemAssigned" },
    "secret": { "reference": { "keyVault": { "id": "/subscriptions/x" }, "secretName": "s" } }
  }
}`,
	})
	rs, diags := bicep.Load([]string{dir + "/main.bicep"}, bicep.Options{ParameterFiles: []string{dir + "/prod.parameters.json"}})
	if len(diags) > 0 || len(rs) != 1 {
		t.Fatalf("resources %v, diagnostics %v", rs, diags)
	}
	if got := get(t, rs[0], "identity.type"); got != "SystemAssigned" || len(rs[0].Assumptions) != 0 {
		t.Errorf("identity.type = %v (assumptions %v), want SystemAssigned from the file", got, rs[0].Assumptions)
	}
	if !resource.IsUnknown(get(t, rs[0], "properties.secret")) {
		t.Errorf("a Key Vault reference should be unknown, got %v", get(t, rs[0], "properties.secret"))
	}
}

func TestAModuleListedUnderAnotherSpellingIsDeployedOnce(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"main.bicep": "module apim './apim.bicep' = {\n  name: 'apim'\n}",
		"apim.bicep": "resource service 'Microsoft.ApiManagement/service@2023-05-01-preview' = {\n  name: 'apim'\n}",
	})
	given := dir + "/./apim.bicep"
	rs, diags := bicep.Load([]string{given, dir + "/main.bicep"}, bicep.Options{})
	if len(diags) > 0 || len(rs) != 2 {
		t.Fatalf("resources %v, diagnostics %v; want the module's deployment and its service once", byAddress(rs), diags)
	}
	service := byAddress(rs)["module.apim.service"]
	if service == nil || service.Provenance.Range.Filename != given {
		t.Errorf("service = %+v, want it positioned in %s as given", service, given)
	}
}

func TestAssumptionsNameThePropertiesTheyBearOn(t *testing.T) {
	dir := writeFiles(t, map[string]string{"main.bicep": `
param deploy bool = true
param name string = 'apim'
param location string = 'westeurope'
param identityType string = 'None'

resource apim 'Microsoft.ApiManagement/service@2022-08-01' = if (deploy) {
  name: name
  location: location
  identity: { type: identityType }
  tags: { region: location }
}
`})
	rs, diags := bicep.Load([]string{dir + "/main.bicep"}, bicep.Options{})
	if diags.HasErrors() || len(rs) != 1 {
		t.Fatalf("got %d resources, diagnostics %v", len(rs), diags)
	}
	got := map[string]string{}
	for _, a := range rs[0].Assumptions {
		got[a.Path] = strings.Join(a.Affects, ",")
	}
	want := map[string]string{
		"param.deploy":       "", // the condition decides whether the resource exists at all
		"param.name":         "name",
		"param.location":     "location,tags",
		"param.identityType": "identity",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("affected properties = %v, want %v", got, want)
	}
}
