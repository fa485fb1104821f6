package bicep_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/lensix/lensix/internal/resource"
	"github.com/lensix/lensix/internal/source/arm/funcs"
	"github.com/lensix/lensix/internal/source/bicep"
)

const (
	subA = "11111111-1111-1111-1111-111111111111"
	subB = "22222222-2222-2222-2222-222222222222"
)

// expect is one value of one resource: a body path, or ID, ResourceGroup or SubscriptionID. An
// expected unknown is given by a part of its reason.
type expect struct {
	address, path string
	value         any
	unknownReason string
}

func valueAt(t *testing.T, r *resource.Resource, path string) any {
	t.Helper()
	switch path {
	case "ID":
		return r.ID
	case "ResourceGroup":
		return r.ResourceGroup
	case "SubscriptionID":
		return r.SubscriptionID
	}
	return get(t, r, path)
}

func checkExpects(t *testing.T, rs []*resource.Resource, expects []expect) {
	t.Helper()
	byAddr := byAddress(rs)
	for _, e := range expects {
		r := byAddr[e.address]
		if r == nil {
			t.Fatalf("no resource %s among %v", e.address, addresses(byAddr))
		}
		got := valueAt(t, r, e.path)
		if e.unknownReason != "" {
			u, ok := got.(*resource.Unknown)
			if !ok || !strings.Contains(u.Reason, e.unknownReason) {
				t.Errorf("%s %s = %#v, want unknown because %q", e.address, e.path, got, e.unknownReason)
			}
			continue
		}
		if !reflect.DeepEqual(got, e.value) {
			t.Errorf("%s %s = %#v, want %#v", e.address, e.path, got, e.value)
		}
	}
}

func addresses(m map[string]*resource.Resource) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

const scopeTags = `resource site 'Microsoft.Web/sites@2022-09-01' = {
  name: 'web'
  location: 'westeurope'
  tags: {
    rg: resourceGroup().name
    rgLocation: resourceGroup().location
    sub: subscription().subscriptionId
    tenant: subscription().tenantId
    id: resourceId('Microsoft.Web/serverfarms', 'plan')
    deployment: deployment().name
  }
}
`

func uniqueString(t *testing.T, args ...any) string {
	t.Helper()
	v, err := funcs.Call(nil, "uniqueString", args)
	if err != nil {
		t.Fatal(err)
	}
	return v.(string)
}

func TestDeploymentScope(t *testing.T) {
	rgScope := funcs.Scope{SubscriptionID: subA, ResourceGroup: "prod", Location: "westeurope", TenantID: subB, DeploymentName: "release"}
	tests := []struct {
		name    string
		files   map[string]string
		scope   funcs.Scope
		expects []expect
	}{
		{
			name:  "resource group functions resolve from the scope given",
			files: map[string]string{"main.bicep": scopeTags},
			scope: rgScope,
			expects: []expect{
				{address: "site", path: "tags.rg", value: "prod"},
				{address: "site", path: "tags.rgLocation", value: "westeurope"},
				{address: "site", path: "tags.sub", value: subA},
				{address: "site", path: "tags.tenant", value: subB},
				{address: "site", path: "tags.id", value: "/subscriptions/" + subA + "/resourceGroups/prod/providers/Microsoft.Web/serverfarms/plan"},
				{address: "site", path: "tags.deployment", value: "release"},
				{address: "site", path: "ID", value: "/subscriptions/" + subA + "/resourceGroups/prod/providers/Microsoft.Web/sites/web"},
				{address: "site", path: "ResourceGroup", value: "prod"},
				{address: "site", path: "SubscriptionID", value: subA},
			},
		},
		{
			name:  "without a scope they stay unknown and name the flag that gives them",
			files: map[string]string{"main.bicep": scopeTags},
			expects: []expect{
				{address: "site", path: "tags.rg", unknownReason: "--deployment-scope /subscriptions/<id>/resourceGroups/<name>"},
				{address: "site", path: "tags.rgLocation", unknownReason: "--location"},
				{address: "site", path: "tags.sub", unknownReason: "--deployment-scope /subscriptions/<id>"},
				{address: "site", path: "tags.tenant", unknownReason: "--tenant-id"},
				{address: "site", path: "tags.id", unknownReason: "--deployment-scope"},
				{address: "site", path: "tags.deployment", unknownReason: "--deployment-name"},
				{address: "site", path: "ID", value: ""},
			},
		},
		{
			name:  "a subscription alone leaves the resource group unknown",
			files: map[string]string{"main.bicep": scopeTags},
			scope: funcs.Scope{Level: funcs.SubscriptionLevel, SubscriptionID: subA},
			expects: []expect{
				{address: "site", path: "tags.sub", value: subA},
				{address: "site", path: "tags.rg", unknownReason: "--deployment-scope /subscriptions/<id>/resourceGroups/<name>"},
				{address: "site", path: "ID", value: ""},
				{address: "site", path: "SubscriptionID", value: subA},
			},
		},
		{
			name: "a module scoped to another resource group sees that group",
			files: map[string]string{
				"main.bicep": `module other 'mod.bicep' = {
  name: 'otherDeploy'
  scope: resourceGroup('other')
}`,
				"mod.bicep": scopeTags,
			},
			scope: rgScope,
			expects: []expect{
				{address: "module.other.site", path: "tags.rg", value: "other"},
				{address: "module.other.site", path: "tags.sub", value: subA},
				{address: "module.other.site", path: "tags.deployment", value: "otherDeploy"},
				{address: "module.other.site", path: "tags.rgLocation", unknownReason: `the location of resource group "other"`},
				{address: "module.other.site", path: "ID", value: "/subscriptions/" + subA + "/resourceGroups/other/providers/Microsoft.Web/sites/web"},
				{address: "module.other", path: "ID", value: "/subscriptions/" + subA + "/resourceGroups/other/providers/Microsoft.Resources/deployments/otherDeploy"},
			},
		},
		{
			name: "a module scoped to another group sees that group even when the deployment's is not given",
			files: map[string]string{
				"main.bicep": "module other 'mod.bicep' = {\n  name: 'd'\n  scope: resourceGroup('other')\n}",
				"mod.bicep":  scopeTags,
			},
			expects: []expect{
				{address: "module.other.site", path: "tags.rg", value: "other"},
				{address: "module.other.site", path: "tags.sub", unknownReason: "--deployment-scope"},
			},
		},
		{
			name: "a module scoped to a group in another subscription sees both",
			files: map[string]string{
				"main.bicep": "module other 'mod.bicep' = {\n  name: 'd'\n  scope: resourceGroup('" + subB + "', 'shared')\n}",
				"mod.bicep":  scopeTags,
			},
			scope: rgScope,
			expects: []expect{
				{address: "module.other.site", path: "tags.rg", value: "shared"},
				{address: "module.other.site", path: "tags.sub", value: subB},
				{address: "module.other.site", path: "ResourceGroup", value: "shared"},
			},
		},
		{
			name: "a module scoped by an unknown group name carries why",
			files: map[string]string{
				"main.bicep": "param rgName string\nmodule other 'mod.bicep' = {\n  name: 'd'\n  scope: resourceGroup(rgName)\n}",
				"mod.bicep":  scopeTags,
			},
			scope: rgScope,
			expects: []expect{
				{address: "module.other.site", path: "tags.rg", unknownReason: "the resource group that module other deploys to is unknown: parameter rgName has no value"},
				{address: "module.other.site", path: "ID", value: ""},
			},
		},
		{
			name: "a subscription template takes the subscription of a resource group scope and creates groups in it",
			files: map[string]string{
				"main.bicep": `targetScope = 'subscription'
resource rg 'Microsoft.Resources/resourceGroups@2022-09-01' = {
  name: 'app'
  location: 'westeurope'
}
module app 'mod.bicep' = {
  name: 'app'
  scope: rg
}`,
				"mod.bicep": scopeTags,
			},
			scope: rgScope,
			expects: []expect{
				{address: "rg", path: "ID", value: "/subscriptions/" + subA + "/resourceGroups/app"},
				{address: "rg", path: "ResourceGroup", value: "app"},
				{address: "module.app.site", path: "tags.rg", value: "app"},
				{address: "module.app.site", path: "ID", value: "/subscriptions/" + subA + "/resourceGroups/app/providers/Microsoft.Web/sites/web"},
			},
		},
		{
			name: "child and extension resources get the IDs Resource Manager gives them",
			files: map[string]string{"main.bicep": `resource apim 'Microsoft.ApiManagement/service@2023-05-01-preview' = {
  name: 'apim'
  resource api 'apis' = {
    name: 'echo'
  }
}
resource policy 'Microsoft.ApiManagement/service/apis/policies@2023-05-01-preview' = {
  parent: apim::api
  name: 'policy'
}
resource lock 'Microsoft.Authorization/locks@2020-05-01' = {
  name: 'nodelete'
  scope: apim
}`},
			scope: rgScope,
			expects: []expect{
				{address: "apim::api", path: "ID", value: "/subscriptions/" + subA + "/resourceGroups/prod/providers/Microsoft.ApiManagement/service/apim/apis/echo"},
				{address: "policy", path: "ID", value: "/subscriptions/" + subA + "/resourceGroups/prod/providers/Microsoft.ApiManagement/service/apim/apis/echo/policies/policy"},
				{address: "lock", path: "ID", value: "/subscriptions/" + subA + "/resourceGroups/prod/providers/Microsoft.ApiManagement/service/apim/providers/Microsoft.Authorization/locks/nodelete"},
			},
		},
		{
			name: "a resource's id property is its real ID once the scope is known",
			files: map[string]string{"main.bicep": `resource plan 'Microsoft.Web/serverfarms@2022-09-01' = {
  name: 'plan'
}
resource site 'Microsoft.Web/sites@2022-09-01' = {
  name: 'web'
  properties: { serverFarmId: plan.id }
}`},
			scope: rgScope,
			expects: []expect{
				{address: "site", path: "properties.serverFarmId", value: "/subscriptions/" + subA + "/resourceGroups/prod/providers/Microsoft.Web/serverfarms/plan"},
			},
		},
		{
			name: "resourceGroup and subscription with arguments describe another group or subscription",
			files: map[string]string{"main.bicep": `resource site 'Microsoft.Web/sites@2022-09-01' = {
  name: 'web'
  tags: {
    shared: resourceGroup('shared').id
    sharedLocation: resourceGroup('shared').location
    elsewhere: resourceGroup('` + subB + `', 'hub').id
    sub: subscription('` + subB + `').id
  }
}`},
			scope: rgScope,
			expects: []expect{
				{address: "site", path: "tags.shared", value: "/subscriptions/" + subA + "/resourceGroups/shared"},
				{address: "site", path: "tags.sharedLocation", unknownReason: `the location of resource group "shared" is not known offline`},
				{address: "site", path: "tags.elsewhere", value: "/subscriptions/" + subB + "/resourceGroups/hub"},
				{address: "site", path: "tags.sub", value: "/subscriptions/" + subB},
			},
		},
		{
			name: "a subscription file has no resource group to answer for",
			files: map[string]string{"main.bicep": `targetScope = 'subscription'
resource pa 'Microsoft.Authorization/policyAssignments@2022-06-01' = {
  name: 'pa'
  properties: { description: resourceGroup().name }
}`},
			scope: rgScope,
			expects: []expect{
				{address: "pa", path: "properties.description", unknownReason: "a subscription deployment has no resource group"},
				{address: "pa", path: "ID", value: "/subscriptions/" + subA + "/providers/Microsoft.Authorization/policyAssignments/pa"},
			},
		},
		{
			name: "resourceId in a management group or subscription file gives the form Resource Manager gives there",
			files: map[string]string{
				"main.bicep": "targetScope = 'managementGroup'\nresource pd 'Microsoft.Authorization/policyDefinitions@2021-06-01' = {\n  name: 'pd1'\n  properties: { description: resourceId('Microsoft.Authorization/policyDefinitions', 'pd1') }\n}\nmodule sub 'sub.bicep' = {\n  name: 'd'\n  scope: subscription('" + subA + "')\n}",
				"sub.bicep":  "targetScope = 'subscription'\nresource rg 'Microsoft.Resources/resourceGroups@2022-09-01' = {\n  name: 'rg-x'\n  location: 'westeurope'\n  tags: { rid: resourceId('Microsoft.Resources/resourceGroups', 'rg-x') }\n}",
			},
			scope: funcs.Scope{Level: funcs.ManagementGroupLevel, ManagementGroup: "contoso"},
			expects: []expect{
				{address: "pd", path: "properties.description", value: "/providers/Microsoft.Authorization/policyDefinitions/pd1"},
				{address: "module.sub.rg", path: "tags.rid", value: "/subscriptions/" + subA + "/providers/Microsoft.Resources/resourceGroups/rg-x"},
			},
		},
		{
			name: "a management group file deploys a module to a subscription it names",
			files: map[string]string{
				"main.bicep": "targetScope = 'managementGroup'\nmodule sub 'mod.bicep' = {\n  name: 'd'\n  scope: subscription('" + subB + "')\n}",
				"mod.bicep":  "targetScope = 'subscription'\nresource pa 'Microsoft.Authorization/policyAssignments@2022-06-01' = {\n  name: 'pa'\n}",
			},
			scope: funcs.Scope{Level: funcs.ManagementGroupLevel, ManagementGroup: "contoso"},
			expects: []expect{
				{address: "module.sub.pa", path: "ID", value: "/subscriptions/" + subB + "/providers/Microsoft.Authorization/policyAssignments/pa"},
				{address: "module.sub", path: "ID", value: "/subscriptions/" + subB + "/providers/Microsoft.Resources/deployments/d"},
			},
		},
		{
			name: "a module without a name is named as the compiler names it, from the deployment's name",
			files: map[string]string{
				"main.bicep": "module noName 'mod.bicep' = {\n  scope: resourceGroup('other')\n}",
				"mod.bicep":  scopeTags,
			},
			scope: rgScope,
			expects: []expect{
				{address: "module.noName", path: "name", value: "noName-" + uniqueString(t, "noName", "release")},
				{address: "module.noName.site", path: "tags.deployment", value: "noName-" + uniqueString(t, "noName", "release")},
			},
		},
		{
			name: "a module without a name has an unknown name without the deployment's",
			files: map[string]string{
				"main.bicep": "module noName 'mod.bicep' = {}",
				"mod.bicep":  scopeTags,
			},
			expects: []expect{
				{address: "module.noName", path: "name", unknownReason: "--deployment-name"},
				{address: "module.noName.site", path: "tags.deployment", unknownReason: "--deployment-name"},
			},
		},
		{
			name: "an ARM template used as a module gets the module's scope",
			files: map[string]string{
				"main.bicep": "module other 'mod.json' = {\n  name: 'd'\n  scope: resourceGroup('other')\n}",
				"mod.json": `{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "contentVersion": "1.0.0.0",
 "resources": [{"type": "Microsoft.Web/sites", "apiVersion": "2022-09-01", "name": "web", "tags": {"rg": "[resourceGroup().name]"}}]}`,
			},
			scope: rgScope,
			expects: []expect{
				{address: "module.other.web", path: "tags.rg", value: "other"},
				{address: "module.other.web", path: "ID", value: "/subscriptions/" + subA + "/resourceGroups/other/providers/Microsoft.Web/sites/web"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, tt.files)
			rs, diags := bicep.Load([]string{dir + "/main.bicep"}, bicep.Options{Scope: tt.scope})
			if diags.HasErrors() {
				t.Fatalf("diagnostics: %v", diags)
			}
			checkExpects(t, rs, tt.expects)
		})
	}
}

func TestModuleScopeFromADefaultIsAnAssumptionOfItsResources(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"main.bicep": "param rgName string = 'other'\nmodule other 'mod.bicep' = {\n  name: 'd'\n  scope: resourceGroup(rgName)\n}",
		"mod.bicep":  scopeTags,
	})
	rs, diags := bicep.Load([]string{dir + "/main.bicep"}, bicep.Options{Scope: funcs.Scope{SubscriptionID: subA, ResourceGroup: "prod"}})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	site := byAddress(rs)["module.other.site"]
	if site == nil || site.ResourceGroup != "other" {
		t.Fatalf("got %v", byAddress(rs))
	}
	if !hasAssumption(site, "param.rgName") {
		t.Errorf("assumptions = %v, want the default of rgName", site.Assumptions)
	}
}
