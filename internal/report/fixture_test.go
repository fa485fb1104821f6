package report

import (
	"github.com/lensix/lensix/internal/check"
	"github.com/lensix/lensix/internal/diag"
	"github.com/lensix/lensix/internal/resource"
)

// testWorkDir is the directory the fixture's scan ran in.
const testWorkDir = "/work/project"

// testCheck is a hand-made check, so the golden files change only when the reporters do.
var testCheck = &check.Check{
	Metadata: check.Metadata{
		ID:            "apimgmt_nomanagedidentity",
		Title:         "API Management service has no managed identity",
		Severity:      check.Medium,
		ResourceTypes: []string{"Microsoft.ApiManagement/service"},
		Description:   "The API Management service has no managed identity.",
		Rationale:     "Without a managed identity the service cannot read secrets from Key Vault.",
		Remediation: check.Remediation{
			Summary:   "Give the service a system-assigned managed identity.",
			CLI:       "# Enable a system-assigned identity\naz apim update --name {{.Name}} --resource-group {{.ResourceGroup}}{{.SubscriptionFlag}} --set identity.type=SystemAssigned",
			Terraform: "identity {\n  type = \"SystemAssigned\"\n}",
			Bicep:     "identity: {\n  type: 'SystemAssigned'\n}",
			ARM:       "\"identity\": { \"type\": \"SystemAssigned\" }",
		},
		References: []string{"https://learn.microsoft.com/azure/api-management/api-management-howto-use-managed-service-identity"},
		BuiltIn:    true, // stands for the registered check
	},
	Evaluate: func(*resource.Resource) check.Result { return check.Result{Status: check.Pass} },
}

// highCheck ran but judged nothing: rules and suites list it anyway.
var highCheck = &check.Check{
	Metadata: check.Metadata{
		ID:            "apimgmt_publicnetworkaccess",
		Title:         "API Management service is reachable from the internet",
		Severity:      check.High,
		ResourceTypes: []string{"Microsoft.ApiManagement/service"},
		Description:   "publicNetworkAccess is Enabled.",
		Rationale:     "A public endpoint widens the attack surface.",
		Remediation:   check.Remediation{Summary: "Disable public network access.", CLI: "az apim update --name {{.Name}} --resource-group {{.ResourceGroup}} --public-network-access false"},
		BuiltIn:       true,
	},
	Evaluate: func(*resource.Resource) check.Result { return check.Result{Status: check.Pass} },
}

func tfResource(address, name, file string, line, endLine int) *resource.Resource {
	return &resource.Resource{
		Type:          "Microsoft.ApiManagement/service",
		Name:          name,
		ResourceGroup: "rg-prod",
		Body:          map[string]any{"name": name},
		Provenance: resource.Provenance{
			Source:  "terraform",
			Address: address,
			Range: resource.Range{
				Filename: file,
				Start:    resource.Pos{Line: line, Column: 1},
				End:      resource.Pos{Line: endLine, Column: 2},
			},
		},
	}
}

// fixtureReport covers every kind of finding: a Terraform failure resting on an assumption, a
// pass, an unknown with its reason, an inline suppression, a config suppression with an expiry,
// a live resource, and an input error. The config suppression hides an unknown, the inline one a
// failure.
func fixtureReport() *Report {
	failing := tfResource("azurerm_api_management.this", "apim-prod", "infra/main.tf", 12, 30)
	failing.Assume("var.sku", "default value used")

	passing := tfResource("azurerm_api_management.ok", "apim-ok", "infra/main.tf", 40, 52)

	unknown := &resource.Resource{
		Type: "Microsoft.ApiManagement/service",
		Name: "[parameters('apimName')]",
		Body: map[string]any{
			"identity": map[string]any{"type": &resource.Unknown{Reason: "parameter identityType has no value", Expr: "identityType"}},
		},
		Provenance: resource.Provenance{
			Source:  "bicep",
			Address: "apim",
			Range: resource.Range{
				Filename: testWorkDir + "/infra/apim.bicep",
				Start:    resource.Pos{Line: 7, Column: 1},
				End:      resource.Pos{Line: 19, Column: 2},
			},
		},
	}

	inline := tfResource("azurerm_api_management.legacy", "apim-legacy", "infra/main.tf", 60, 70)
	inline.Suppressions = []resource.Suppression{{CheckID: testCheck.ID, Reason: "retired next quarter"}}

	configured := tfResource(`module.edge.azurerm_api_management.this["west"]`, "apim-west", "modules/edge/main.tf", 3, 15)
	configured.Body["identity"] = map[string]any{"type": &resource.Unknown{Reason: "known only after apply", Expr: "module.ids.type"}}

	live := &resource.Resource{
		Type:           "Microsoft.ApiManagement/service",
		Name:           "apim-live",
		ResourceGroup:  "rg-live",
		SubscriptionID: "00000000-0000-0000-0000-000000000001",
		ID:             "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-live/providers/Microsoft.ApiManagement/service/apim-live",
		Body:           map[string]any{"identity": map[string]any{"type": "None"}},
		Provenance:     resource.Provenance{Source: "azure", TenantID: "00000000-0000-0000-0000-0000000000aa"},
	}

	return &Report{
		Version:   "0.1.0-test",
		Resources: 6,
		Checks:    []*check.Check{testCheck, highCheck},
		Findings: []check.Finding{
			{Check: testCheck, Resource: live, Status: check.Fail,
				Message:  `API Management service has no managed identity: identity.type is "None"`,
				Evidence: map[string]string{"identity.type": "None"},
				Notes:    []string{"suppression in .lensix.yaml expired on 2025-01-31 (reason was: migration)"}},
			{Check: testCheck, Resource: failing, Status: check.Fail,
				Message:     "API Management service has no managed identity: identity is not set",
				Evidence:    map[string]string{"identity": "(absent)", "sku.name": "Developer"},
				Assumptions: failing.Assumptions},
			{Check: testCheck, Resource: passing, Status: check.Pass,
				Message:  "API Management service has a managed identity (SystemAssigned)",
				Evidence: map[string]string{"identity.type": "SystemAssigned"}},
			{Check: testCheck, Resource: unknown, Status: check.Unknown,
				Message:  "Cannot tell whether the API Management service has a managed identity: identity.type is identityType (parameter identityType has no value)",
				Evidence: map[string]string{"identity.type": "(unknown) identityType (parameter identityType has no value)"}},
			{Check: testCheck, Resource: inline, Status: check.Suppressed,
				Message:     "API Management service has no managed identity: identity is null",
				Evidence:    map[string]string{"identity": "null"},
				Suppression: &check.Suppression{Kind: "inline", Reason: "retired next quarter", Hides: check.Fail}},
			{Check: testCheck, Resource: configured, Status: check.Suppressed,
				Message:     "Cannot tell whether the API Management service has a managed identity: identity.type is module.ids.type (known only after apply)",
				Evidence:    map[string]string{"identity.type": "(unknown) module.ids.type (known only after apply)"},
				Suppression: &check.Suppression{Kind: "config", Reason: "edge gateways use certificates", Expires: "2027-01-31", Hides: check.Unknown}},
		},
		Errors: diag.Diagnostics{{
			Severity: diag.Error,
			Summary:  "Unclosed configuration block",
			Detail:   "There is no closing brace for this block; add one before the end of the file.",
			Range:    resource.Range{Filename: "infra/broken.tf", Start: resource.Pos{Line: 3, Column: 7}, End: resource.Pos{Line: 3, Column: 8}},
		}},
	}
}

// hostileReport holds one failing resource whose name, address and file are hostile input.
func hostileReport() *Report {
	const name = "<script>&\"|x|\x1b[31m"
	r := tfResource(`azurerm_api_management.`+name, name, "infra/evil <&>.tf", 5, 9)
	return &Report{
		Version:   "0.1.0-test",
		Resources: 1,
		Checks:    []*check.Check{testCheck},
		Findings: []check.Finding{{
			Check: testCheck, Resource: r, Status: check.Fail,
			Message:  "API Management service has no managed identity: identity.type is \"" + name + "\"",
			Evidence: map[string]string{"identity.type": name},
		}},
	}
}
