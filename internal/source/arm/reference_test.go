package arm_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/lensix/lensix/internal/resource"
	"github.com/lensix/lensix/internal/source/arm"
	"github.com/lensix/lensix/internal/source/arm/funcs"
)

// service declares an API Management service named name with the given extra members.
func service(name, members string) string {
	s := `{"type": "Microsoft.ApiManagement/service", "apiVersion": "2022-08-01", "name": "` + name + `", "location": "westeurope",
		"sku": {"name": "Developer", "capacity": 1}`
	if members != "" {
		s += ", " + members
	}
	return s + "}"
}

const first = `"identity": {"type": "SystemAssigned"}, "properties": {"publisherEmail": "a@b.c", "publisherName": "x"}`

func TestReferenceToADeclaredResource(t *testing.T) {
	byID := `"[reference(resourceId('Microsoft.ApiManagement/service', 'apim-a'), '2022-08-01', 'full').identity.type]"`
	tests := []struct {
		name string
		body string
		// want maps a path of the resource at address "b" (or named in the path before ":") to
		// its value; nil wants an unknown.
		want map[string]any
		// reason is part of the reason of every unknown wanted.
		reason string
	}{
		{"'full' reads the declared identity of a resource declared earlier",
			`"resources": [` + service("apim-a", first) + `, ` + service("b", `"identity": {"type": `+byID+`}`) + `]`,
			map[string]any{"identity.type": "SystemAssigned"}, ""},
		{"without 'full' reference() reads the declared properties",
			`"resources": [` + service("apim-a", first) + `, ` + service("b", `"properties": {"publisherEmail": "[reference(resourceId('Microsoft.ApiManagement/service', 'apim-a'), '2022-08-01').publisherEmail]"}`) + `]`,
			map[string]any{"properties.publisherEmail": "a@b.c"}, ""},
		{"a resource declared later is evaluated first",
			`"resources": [` + service("b", `"identity": {"type": `+byID+`}`) + `, ` + service("apim-a", first) + `]`,
			map[string]any{"identity.type": "SystemAssigned"}, ""},
		{"a property the declaration does not set is runtime state, unknown",
			`"resources": [` + service("apim-a", first) + `, ` + service("b", `"tags": {"p": "[reference(resourceId('Microsoft.ApiManagement/service', 'apim-a'), '2022-08-01', 'full').identity.principalId]"}`) + `]`,
			map[string]any{"tags.p": nil}, "apim-a.identity.principalId is not declared"},
		{"a resource without declared properties has unknown properties",
			`"resources": [` + service("apim-a", "") + `, ` + service("b", `"tags": {"p": "[reference(resourceId('Microsoft.ApiManagement/service', 'apim-a'), '2022-08-01').provisioningState]"}`) + `]`,
			map[string]any{"tags.p": nil}, "apim-a.properties is known only after deployment"},
		{"a resource that reads itself is unknown",
			`"resources": [` + service("b", `"identity": {"type": "[reference(resourceId('Microsoft.ApiManagement/service', 'b'), '2022-08-01', 'full').sku.name]"}`) + `]`,
			map[string]any{"identity.type": nil}, "refers to itself"},
		{"two resources that read each other end, one of them unknown",
			`"resources": [` + service("b", `"identity": {"type": "[reference(resourceId('Microsoft.ApiManagement/service', 'c'), '2022-08-01', 'full').identity.type]"}`) + `, ` +
				service("c", `"identity": {"type": "[reference(resourceId('Microsoft.ApiManagement/service', 'b'), '2022-08-01', 'full').identity.type]"}`) + `]`,
			map[string]any{"identity.type": nil, "c:identity.type": nil}, "refers to itself"},
		{"one copy of a loop is read by its name",
			`"resources": [` + service("b", `"identity": {"type": "[reference(resourceId('Microsoft.ApiManagement/service', 'loop1'), '2022-08-01', 'full').identity.type]"}`) + `,
				{"type": "Microsoft.ApiManagement/service", "apiVersion": "2022-08-01", "name": "[concat('loop', copyIndex())]", "copy": {"name": "l", "count": 2},
				 "identity": {"type": "[if(equals(copyIndex(), 1), 'UserAssigned', 'None')]"}}]`,
			map[string]any{"identity.type": "UserAssigned"}, ""},
		{"a resource whose condition is false is not deployed, so unknown",
			`"resources": [` + service("apim-a", first+`, "condition": false`) + `, ` + service("b", `"identity": {"type": `+byID+`}`) + `]`,
			map[string]any{"identity.type": nil}, "runtime state"},
		{"an existing resource declares nothing, so unknown",
			`"resources": [` + service("apim-a", first+`, "existing": true`) + `, ` + service("b", `"identity": {"type": `+byID+`}`) + `]`,
			map[string]any{"identity.type": nil}, "runtime state"},
		{"a resource in another resource group is not the one declared",
			`"resources": [` + service("apim-a", first) + `, ` + service("b", `"identity": {"type": "[reference(resourceId('other-rg', 'Microsoft.ApiManagement/service', 'apim-a'), '2022-08-01', 'full').identity.type]"}`) + `]`,
			map[string]any{"identity.type": nil}, "runtime state"},
		{"a plain name built with concat reads the resource",
			`"resources": [` + service("apim-a", first) + `, ` + service("b", `"identity": {"type": "[reference(concat('apim-', 'a'), '2022-08-01', 'Full').identity.type]"}`) + `]`,
			map[string]any{"identity.type": "SystemAssigned"}, ""},
		{"a name two resources share is unknown",
			`"resources": [` + service("apim-a", first) + `, {"type": "A.B/c", "apiVersion": "1", "name": "apim-a", "identity": {"type": "None"}}, ` +
				service("b", `"identity": {"type": "[reference('apim-a', '2022-08-01', 'Full').identity.type]"}`) + `]`,
			map[string]any{"identity.type": nil}, "more than one resource"},
		{"a child resource is read by its type and names",
			`"resources": [` + service("apim-a", `"resources": [{"type": "namedValues", "apiVersion": "2022-08-01", "name": "nv", "properties": {"displayName": "shown"}}]`) + `, ` +
				service("b", `"tags": {"p": "[reference(resourceId('Microsoft.ApiManagement/service/namedValues', 'apim-a', 'nv'), '2022-08-01').displayName]"}`) + `]`,
			map[string]any{"tags.p": "shown"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs, diags := load(t, arm.Options{}, "t.json", template(tt.body))
			if len(diags) > 0 {
				t.Fatal(diags)
			}
			m := byAddress(rs)
			for path, want := range tt.want {
				address := "b"
				if a, p, ok := strings.Cut(path, ":"); ok {
					address, path = a, p
				}
				r := m[address]
				if r == nil {
					t.Fatalf("no resource %s in %v", address, m)
				}
				got := get(t, r, path)
				if want != nil {
					if got != want {
						t.Errorf("%s %s = %#v, want %#v", address, path, got, want)
					}
					continue
				}
				u, ok := got.(*resource.Unknown)
				if !ok {
					t.Errorf("%s %s = %#v, want unknown", address, path, got)
					continue
				}
				if !strings.Contains(u.Reason, tt.reason) {
					t.Errorf("%s %s unknown because %q, want %q in it", address, path, u.Reason, tt.reason)
				}
			}
		})
	}
}

func TestReferenceBySymbolicName(t *testing.T) {
	tests := []struct {
		name, ref string
		want      any
	}{
		{"a symbolic name reads the resource declared under it", "[reference('first', '2022-08-01', 'full').identity.type]", "SystemAssigned"},
		{"a symbolic name reads a copy of a loop", "[reference(format('loop[{0}]', 1), '2022-08-01', 'full').identity.type]", "UserAssigned"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs, diags := load(t, arm.Options{}, "t.json", template(`"languageVersion": "2.0", "resources": {
				"second": `+service("b", `"identity": {"type": "`+tt.ref+`"}`)+`,
				"first": `+service("apim-a", first)+`,
				"loop": {"type": "Microsoft.ApiManagement/service", "apiVersion": "2022-08-01", "name": "[concat('loop', copyIndex())]", "copy": {"name": "l", "count": 2},
					"identity": {"type": "[if(equals(copyIndex(), 1), 'UserAssigned', 'None')]"}}}`))
			if len(diags) > 0 {
				t.Fatal(diags)
			}
			if got := get(t, byAddress(rs)["second"], "identity.type"); got != tt.want {
				t.Errorf("identity.type = %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestReferenceCarriesWhatTheResourceRestsOn(t *testing.T) {
	t.Run("the referenced resource's assumptions carry over", func(t *testing.T) {
		rs, diags := load(t, arm.Options{}, "t.json", template(`"parameters": {"kind": {"type": "string", "defaultValue": "SystemAssigned"}},
			"resources": [`+service("apim-a", `"identity": {"type": "[parameters('kind')]"}`)+`, `+
			service("b", `"identity": {"type": "[reference(resourceId('Microsoft.ApiManagement/service', 'apim-a'), '2022-08-01', 'full').identity.type]"}`)+`]`))
		if len(diags) > 0 {
			t.Fatal(diags)
		}
		r := byAddress(rs)["b"]
		if got := get(t, r, "identity.type"); got != "SystemAssigned" {
			t.Fatalf("identity.type = %#v", got)
		}
		if len(r.Assumptions) != 1 || r.Assumptions[0].Path != "parameters('kind')" {
			t.Errorf("assumptions = %v, want the default of kind", r.Assumptions)
		}
	})
	t.Run("a secure value read through reference() stays a secret", func(t *testing.T) {
		rs, diags := load(t, arm.Options{}, "t.json", template(`"parameters": {"pw": {"type": "securestring", "defaultValue": "ReferencedSecret1"}},
			"resources": [`+service("apim-a", `"properties": {"publisherName": "[parameters('pw')]"}`)+`, `+
			service("b", `"properties": {"publisherName": "[substring(reference(resourceId('Microsoft.ApiManagement/service', 'apim-a'), '2022-08-01').publisherName, 0, 12)]"}`)+`]`))
		if len(diags) > 0 {
			t.Fatal(diags)
		}
		r := byAddress(rs)["b"]
		if got := get(t, r, "properties.publisherName"); got != "ReferencedSe" {
			t.Fatalf("publisherName = %#v", got)
		}
		if !slices.Contains(r.Secrets, "ReferencedSe") {
			t.Errorf("secrets = %q, want the derived secret in them", r.Secrets)
		}
	})
	t.Run("a nested deployment gives its declared properties beside its outputs", func(t *testing.T) {
		rs, diags := load(t, arm.Options{}, "t.json", template(`"resources": [{"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "nested",
				"properties": {"mode": "Incremental", "expressionEvaluationOptions": {"scope": "inner"},
					"template": {`+schema+`, "resources": [], "outputs": {"o": {"type": "string", "value": "out"}}}}},
			`+service("b", `"tags": {"mode": "[reference('nested').mode]", "o": "[reference('nested').outputs.o.value]"}`)+`]`))
		if len(diags) > 0 {
			t.Fatal(diags)
		}
		r := byAddress(rs)["b"]
		if got := get(t, r, "tags.mode"); got != "Incremental" {
			t.Errorf("mode = %#v", got)
		}
		if got := get(t, r, "tags.o"); got != "out" {
			t.Errorf("output = %#v", got)
		}
	})
	t.Run("an output the nested deployment lacks is still a mistake", func(t *testing.T) {
		_, diags := load(t, arm.Options{}, "t.json", template(`"resources": [{"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "nested",
				"properties": {"mode": "Incremental", "expressionEvaluationOptions": {"scope": "inner"},
					"template": {`+schema+`, "resources": [], "outputs": {"o": {"type": "string", "value": "out"}}}}},
			`+service("b", `"tags": {"o": "[reference('nested').outputs.missing.value]"}`)+`]`))
		if len(diags) != 1 || !strings.Contains(diags[0].Summary, "missing") {
			t.Errorf("diagnostics = %v, want one about the missing output", diags)
		}
	})
}

func TestReferenceByResourceID(t *testing.T) {
	body := `"variables": {"apimId": "[resourceId('Microsoft.ApiManagement/service', 'apim-a')]"},
		"resources": [` + service("b", `"identity": {"type": "[reference(variables('apimId'), '2022-08-01', 'full').identity.type]"}`) + `, ` + service("apim-a", first) + `]`
	tests := []struct {
		name  string
		scope funcs.Scope
		want  any // nil wants an unknown
	}{
		{"an ID reads the resource when the deployment scope is given", funcs.Scope{SubscriptionID: "s", ResourceGroup: "rg"}, "SystemAssigned"},
		{"an ID is unknown offline without the deployment scope", funcs.Scope{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs, diags := load(t, arm.Options{Scope: tt.scope}, "t.json", template(body))
			if len(diags) > 0 {
				t.Fatal(diags)
			}
			got := get(t, byAddress(rs)["b"], "identity.type")
			if tt.want == nil && !resource.IsUnknown(got) || tt.want != nil && got != tt.want {
				t.Errorf("identity.type = %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestReferenceAtSubscriptionScope(t *testing.T) {
	sub := `{"$schema": "https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#", "contentVersion": "1.0.0.0",
		"resources": [
			{"type": "Microsoft.Resources/resourceGroups", "apiVersion": "2021-04-01", "name": "rg1", "location": "westeurope", "tags": {"t": "[reference(%s, '2021-04-01', 'full').location]"}},
			{"type": "Microsoft.Resources/resourceGroups", "apiVersion": "2021-04-01", "name": "rg2", "location": "northeurope"}]}`
	tests := []struct {
		name, id string
		want     any // nil wants an unknown
	}{
		{"subscriptionResourceId names a resource of a subscription deployment", "subscriptionResourceId('Microsoft.Resources/resourceGroups', 'rg2')", "northeurope"},
		{"resourceId names one too", "resourceId('Microsoft.Resources/resourceGroups', 'rg2')", "northeurope"},
		{"subscriptionResourceId in another subscription names another resource", "subscriptionResourceId('other-sub', 'Microsoft.Resources/resourceGroups', 'rg2')", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs, diags := load(t, arm.Options{}, "t.json", strings.Replace(sub, "%s", tt.id, 1))
			if len(diags) > 0 {
				t.Fatal(diags)
			}
			got := get(t, byAddress(rs)["rg1"], "tags.t")
			if tt.want == nil && !resource.IsUnknown(got) || tt.want != nil && got != tt.want {
				t.Errorf("tags.t = %#v, want %#v", got, tt.want)
			}
		})
	}
}
