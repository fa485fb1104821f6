package arm_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/lensix/lensix/internal/resource"
	"github.com/lensix/lensix/internal/source/arm"
	"github.com/lensix/lensix/internal/source/arm/funcs"
)

const (
	subA = "11111111-1111-1111-1111-111111111111"
	subB = "22222222-2222-2222-2222-222222222222"
)

// scopeTags records what the scope functions answer, in a resource's tags.
const scopeTags = `"tags": {
	"rg": "[resourceGroup().name]",
	"rgLocation": "[resourceGroup().location]",
	"sub": "[subscription().subscriptionId]",
	"tenant": "[subscription().tenantId]",
	"id": "[resourceId('Microsoft.Web/serverfarms', 'plan')]",
	"deployment": "[deployment().name]"}`

const site = `{"type": "Microsoft.Web/sites", "apiVersion": "2022-09-01", "name": "web", ` + scopeTags + `}`

func nestedTemplate(schemaFile string, resources string) string {
	return `{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/` + schemaFile + `#", "contentVersion": "1.0.0.0", "resources": [` + resources + `]}`
}

// expect is one value of one resource: a body path, or ID, ResourceGroup or SubscriptionID. An
// expected unknown is given by a part of its reason.
type expect struct {
	address, path string
	value         any
	unknownReason string
}

func TestDeploymentScope(t *testing.T) {
	rgScope := funcs.Scope{SubscriptionID: subA, ResourceGroup: "prod", Location: "westeurope", TenantID: subB, DeploymentName: "release"}
	tests := []struct {
		name     string
		template string
		scope    funcs.Scope
		expects  []expect
	}{
		{
			name:     "resource group functions resolve from the scope given",
			template: template(`"resources": [` + site + `]`),
			scope:    rgScope,
			expects: []expect{
				{address: "web", path: "tags.rg", value: "prod"},
				{address: "web", path: "tags.rgLocation", value: "westeurope"},
				{address: "web", path: "tags.sub", value: subA},
				{address: "web", path: "tags.tenant", value: subB},
				{address: "web", path: "tags.id", value: "/subscriptions/" + subA + "/resourceGroups/prod/providers/Microsoft.Web/serverfarms/plan"},
				{address: "web", path: "tags.deployment", value: "release"},
				{address: "web", path: "ID", value: "/subscriptions/" + subA + "/resourceGroups/prod/providers/Microsoft.Web/sites/web"},
				{address: "web", path: "ResourceGroup", value: "prod"},
				{address: "web", path: "SubscriptionID", value: subA},
			},
		},
		{
			name:     "without a scope they stay unknown and name the flag that gives them",
			template: template(`"resources": [` + site + `]`),
			expects: []expect{
				{address: "web", path: "tags.rg", unknownReason: "--deployment-scope /subscriptions/<id>/resourceGroups/<name>"},
				{address: "web", path: "tags.rgLocation", unknownReason: "--location"},
				{address: "web", path: "tags.sub", unknownReason: "--deployment-scope /subscriptions/<id>"},
				{address: "web", path: "tags.tenant", unknownReason: "--tenant-id"},
				{address: "web", path: "tags.id", unknownReason: "--deployment-scope"},
				{address: "web", path: "tags.deployment", unknownReason: "--deployment-name"},
				{address: "web", path: "ID", value: ""},
			},
		},
		{
			name: "a nested deployment with a resourceGroup property sees that group",
			template: template(`"resources": [{"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "toOther",
				"resourceGroup": "other",
				"properties": {"mode": "Incremental", "expressionEvaluationOptions": {"scope": "inner"},
					"template": ` + nestedTemplate("deploymentTemplate.json", site) + `}}]`),
			scope: rgScope,
			expects: []expect{
				{address: "toOther > web", path: "tags.rg", value: "other"},
				{address: "toOther > web", path: "tags.sub", value: subA},
				{address: "toOther > web", path: "tags.deployment", value: "toOther"},
				{address: "toOther > web", path: "tags.rgLocation", unknownReason: `the location of resource group "other"`},
				{address: "toOther > web", path: "ID", value: "/subscriptions/" + subA + "/resourceGroups/other/providers/Microsoft.Web/sites/web"},
				{address: "toOther", path: "ID", value: "/subscriptions/" + subA + "/resourceGroups/other/providers/Microsoft.Resources/deployments/toOther"},
			},
		},
		{
			name: "a nested deployment to a group of another subscription sees both",
			template: template(`"resources": [{"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "toOther",
				"subscriptionId": "` + subB + `", "resourceGroup": "shared",
				"properties": {"mode": "Incremental", "expressionEvaluationOptions": {"scope": "inner"},
					"template": ` + nestedTemplate("deploymentTemplate.json", site) + `}}]`),
			scope: rgScope,
			expects: []expect{
				{address: "toOther > web", path: "tags.rg", value: "shared"},
				{address: "toOther > web", path: "tags.sub", value: subB},
				{address: "toOther > web", path: "SubscriptionID", value: subB},
			},
		},
		{
			name: "a nested deployment to a group named by an unknown parameter carries why",
			template: template(`"parameters": {"rgName": {"type": "string"}},
				"resources": [{"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "toOther",
				"resourceGroup": "[parameters('rgName')]",
				"properties": {"mode": "Incremental", "expressionEvaluationOptions": {"scope": "inner"},
					"template": ` + nestedTemplate("deploymentTemplate.json", site) + `}}]`),
			scope: rgScope,
			expects: []expect{
				{address: "toOther > web", path: "tags.rg", unknownReason: `the resource group that nested deployment toOther deploys to is unknown: parameter "rgName" has no value`},
				{address: "toOther > web", path: "ID", value: ""},
			},
		},
		{
			name: "an outer-scope nested template's functions answer for the parent, its resources land in the target",
			template: template(`"resources": [{"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "toOther",
				"resourceGroup": "other",
				"properties": {"mode": "Incremental", "template": ` + nestedTemplate("deploymentTemplate.json", site) + `}}]`),
			scope: rgScope,
			expects: []expect{
				{address: "toOther > web", path: "tags.rg", value: "prod"},
				{address: "toOther > web", path: "ResourceGroup", value: "other"},
				{address: "toOther > web", path: "ID", value: "/subscriptions/" + subA + "/resourceGroups/other/providers/Microsoft.Web/sites/web"},
			},
		},
		{
			name: "a nested deployment with a subscriptionId and a location deploys to the subscription",
			template: template(`"resources": [{"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "toSub",
				"subscriptionId": "` + subB + `", "location": "northeurope",
				"properties": {"mode": "Incremental", "expressionEvaluationOptions": {"scope": "inner"},
					"template": ` + nestedTemplate("subscriptionDeploymentTemplate.json",
				`{"type": "Microsoft.Resources/resourceGroups", "apiVersion": "2022-09-01", "name": "app", "tags": {"sub": "[subscription().subscriptionId]", "where": "[deployment().location]"}}`) + `}}]`),
			scope: rgScope,
			expects: []expect{
				{address: "toSub > app", path: "tags.sub", value: subB},
				{address: "toSub > app", path: "tags.where", value: "northeurope"},
				{address: "toSub > app", path: "ID", value: "/subscriptions/" + subB + "/resourceGroups/app"},
			},
		},
		{
			name:     "a subscription template takes the subscription of a resource group scope",
			template: nestedTemplate("subscriptionDeploymentTemplate.json", `{"type": "Microsoft.Authorization/policyAssignments", "apiVersion": "2022-06-01", "name": "pa", "tags": {"rg": "[resourceGroup().name]"}}`),
			scope:    rgScope,
			expects: []expect{
				{address: "pa", path: "ID", value: "/subscriptions/" + subA + "/providers/Microsoft.Authorization/policyAssignments/pa"},
				{address: "pa", path: "tags.rg", unknownReason: "a subscription deployment has no resource group"},
			},
		},
		{
			name: "a nested deployment without scope properties deploys where its parent does, whatever its schema",
			template: nestedTemplate("subscriptionDeploymentTemplate.json", `{"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "inner", "location": "westeurope",
				"properties": {"mode": "Incremental", "expressionEvaluationOptions": {"scope": "inner"},
					"template": `+nestedTemplate("deploymentTemplate.json", `{"type": "Microsoft.Authorization/policyAssignments", "apiVersion": "2022-06-01", "name": "pa"}`)+`}}`),
			scope: rgScope,
			expects: []expect{
				{address: "inner > pa", path: "ID", value: "/subscriptions/" + subA + "/providers/Microsoft.Authorization/policyAssignments/pa"},
			},
		},
		{
			name: "a nested deployment with a management group scope property deploys under it",
			template: nestedTemplate("tenantDeploymentTemplate.json", `{"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "toMG", "location": "westeurope",
				"scope": "[format('Microsoft.Management/managementGroups/{0}', 'contoso')]",
				"properties": {"mode": "Incremental", "expressionEvaluationOptions": {"scope": "inner"},
					"template": `+nestedTemplate("managementGroupDeploymentTemplate.json", `{"type": "Microsoft.Authorization/policyDefinitions", "apiVersion": "2021-06-01", "name": "pd", "tags": {"mg": "[managementGroup().name]"}}`)+`}}`),
			scope: funcs.Scope{Level: funcs.TenantLevel},
			expects: []expect{
				{address: "toMG > pd", path: "ID", value: "/providers/Microsoft.Management/managementGroups/contoso/providers/Microsoft.Authorization/policyDefinitions/pd"},
				{address: "toMG > pd", path: "tags.mg", value: "contoso"},
			},
		},
		{
			name:     "a management group template deploys under the management group given",
			template: nestedTemplate("managementGroupDeploymentTemplate.json", `{"type": "Microsoft.Authorization/policyDefinitions", "apiVersion": "2021-06-01", "name": "pd"}`),
			scope:    funcs.Scope{Level: funcs.ManagementGroupLevel, ManagementGroup: "contoso"},
			expects: []expect{
				{address: "pd", path: "ID", value: "/providers/Microsoft.Management/managementGroups/contoso/providers/Microsoft.Authorization/policyDefinitions/pd"},
			},
		},
		{
			name: "child and extension resources get the IDs Resource Manager gives them",
			template: template(`"resources": [
				{"type": "Microsoft.ApiManagement/service", "apiVersion": "2022-08-01", "name": "apim",
				 "resources": [{"type": "apis", "apiVersion": "2022-08-01", "name": "echo"}]},
				{"type": "Microsoft.Authorization/locks", "apiVersion": "2020-05-01", "name": "nodelete", "scope": "Microsoft.ApiManagement/service/apim"},
				{"type": "Microsoft.Authorization/locks", "apiVersion": "2020-05-01", "name": "byid", "scope": "[resourceId('Microsoft.ApiManagement/service', 'apim')]"}]`),
			scope: rgScope,
			expects: []expect{
				{address: "apim/echo", path: "ID", value: "/subscriptions/" + subA + "/resourceGroups/prod/providers/Microsoft.ApiManagement/service/apim/apis/echo"},
				{address: "nodelete", path: "ID", value: "/subscriptions/" + subA + "/resourceGroups/prod/providers/Microsoft.ApiManagement/service/apim/providers/Microsoft.Authorization/locks/nodelete"},
				{address: "byid", path: "ID", value: "/subscriptions/" + subA + "/resourceGroups/prod/providers/Microsoft.ApiManagement/service/apim/providers/Microsoft.Authorization/locks/byid"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs, diags := load(t, arm.Options{Scope: tt.scope}, "main.json", tt.template)
			if diags.HasErrors() {
				t.Fatalf("diagnostics: %v", diags)
			}
			checkExpects(t, rs, tt.expects)
		})
	}
}

func checkExpects(t *testing.T, rs []*resource.Resource, expects []expect) {
	t.Helper()
	m := byAddress(rs)
	for _, e := range expects {
		r := m[e.address]
		if r == nil {
			var have []string
			for a := range m {
				have = append(have, a)
			}
			t.Fatalf("no resource %s among %q", e.address, have)
		}
		var got any
		switch e.path {
		case "ID":
			got = r.ID
		case "ResourceGroup":
			got = r.ResourceGroup
		case "SubscriptionID":
			got = r.SubscriptionID
		default:
			got = get(t, r, e.path)
		}
		if e.unknownReason != "" {
			if u, ok := got.(*resource.Unknown); !ok || !strings.Contains(u.Reason, e.unknownReason) {
				t.Errorf("%s %s = %#v, want unknown because %q", e.address, e.path, got, e.unknownReason)
			}
			continue
		}
		if !reflect.DeepEqual(got, e.value) {
			t.Errorf("%s %s = %#v, want %#v", e.address, e.path, got, e.value)
		}
	}
}

func TestNestedDeploymentScopeFromADefaultIsAnAssumptionOfItsResources(t *testing.T) {
	for _, evaluation := range []string{"inner", "outer"} {
		t.Run(evaluation+" scope", func(t *testing.T) {
			rs, diags := load(t, arm.Options{Scope: funcs.Scope{SubscriptionID: subA, ResourceGroup: "prod"}}, "main.json", template(`
				"parameters": {"rgName": {"type": "string", "defaultValue": "other"}},
				"resources": [{"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "toOther",
					"resourceGroup": "[parameters('rgName')]",
					"properties": {"mode": "Incremental", "expressionEvaluationOptions": {"scope": "`+evaluation+`"},
						"template": `+nestedTemplate("deploymentTemplate.json", site)+`}}]`))
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			web := byAddress(rs)["toOther > web"]
			if web == nil || web.ResourceGroup != "other" {
				t.Fatalf("got %v", byAddress(rs))
			}
			found := false
			for _, a := range web.Assumptions {
				found = found || a.Path == "parameters('rgName')"
			}
			if !found {
				t.Errorf("assumptions = %v, want the default of rgName", web.Assumptions)
			}
		})
	}
}
