// Package apimgmt holds the checks for Azure API Management.
package apimgmt

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/lensix/lensix/internal/check"
	"github.com/lensix/lensix/internal/resource"
)

// ServiceType is the ARM type of an API Management service.
const ServiceType = "Microsoft.ApiManagement/service"

func init() { check.Register(NoManagedIdentity) }

// NoManagedIdentity flags API Management services that have no managed identity.
var NoManagedIdentity = &check.Check{
	Metadata: check.Metadata{
		ID:            "apimgmt_nomanagedidentity",
		Title:         "API Management service has no managed identity",
		Severity:      check.Medium,
		ResourceTypes: []string{ServiceType},
		Description: "The API Management service has no managed identity: `identity` is missing, null or " +
			"empty, or its `type` is missing, null, empty, `None`, or not one Azure accepts: any part other " +
			"than `SystemAssigned` or `UserAssigned` (a misspelling, or a value that is not a string) fails. " +
			"The type is read as Azure reads it: comma-separated, spaces and letter case ignored. A service " +
			"passes with a system-assigned identity, one or more user-assigned identities, or both.",
		Rationale: "Without a managed identity, API Management cannot authenticate to Azure Key Vault or to " +
			"backends with Microsoft Entra ID. Certificates, named values and backend credentials then have " +
			"to be stored in the service itself — keys, passwords and connection strings copied into named " +
			"values and policies, where they are readable by anyone who can read the service's configuration, " +
			"never rotate on their own, and survive the people who created them. A managed identity lets the " +
			"service fetch secrets from Key Vault by reference and call backends with tokens, so no secret " +
			"lives in API Management at all.",
		Remediation: check.Remediation{
			Summary: "Give the service a system-assigned (or user-assigned) managed identity, grant that " +
				"identity read access to the secrets it needs in one Key Vault, and move secrets in named " +
				"values to Key Vault references.",
			CLI: `# Enable a system-assigned identity on the service
az apim update --name {{.Name}} --resource-group {{.ResourceGroup}}{{.SubscriptionFlag}} --set identity.type=SystemAssigned

# Let that identity read secrets from one Key Vault (Azure RBAC permission model)
principal_id=$(az apim show --name {{.Name}} --resource-group {{.ResourceGroup}}{{.SubscriptionFlag}} --query identity.principalId --output tsv)
az role assignment create \
  --assignee-object-id "$principal_id" --assignee-principal-type ServicePrincipal \
  --role "Key Vault Secrets User" \
  --scope "$(az keyvault show --name <key-vault-name> --query id --output tsv)"`,
			Terraform: `resource "azurerm_api_management" "this" {
  # ... existing arguments ...

  identity {
    type = "SystemAssigned"
  }
}

# For azapi_resource, the same block:  identity { type = "SystemAssigned" }`,
			Bicep: `resource apim 'Microsoft.ApiManagement/service@2024-05-01' = {
  name: '{{.Name}}'
  // ... existing properties ...
  identity: {
    type: 'SystemAssigned'
  }
}`,
			ARM: `{
  "type": "Microsoft.ApiManagement/service",
  "apiVersion": "2024-05-01",
  "name": "{{.Name}}",
  "identity": {
    "type": "SystemAssigned"
  }
}`,
		},
		References: []string{
			"https://learn.microsoft.com/azure/api-management/api-management-howto-use-managed-service-identity",
			"https://learn.microsoft.com/azure/api-management/api-management-howto-properties#key-vault-secrets",
			"https://learn.microsoft.com/azure/templates/microsoft.apimanagement/service#apimanagementserviceidentity",
			"https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs/resources/api_management#identity",
			"https://learn.microsoft.com/security/benchmark/azure/mcsb-identity-management#im-3-manage-application-identities-securely-and-automatically",
		},
		// The rule reads identity.type as the Go check does: comma-separated, spaces and letter
		// case ignored; no SystemAssigned/UserAssigned, or any unrecognised part, fails. The if()
		// keeps string() away from a missing type: Azure counts a failed evaluation as a deny.
		PolicyRule: json.RawMessage(`{
  "if": {
    "allOf": [
      { "field": "type", "equals": "Microsoft.ApiManagement/service" },
      {
        "anyOf": [
          { "field": "identity.type", "exists": "false" },
          {
            "count": {
              "value": "[split(toLower(replace(if(empty(field('identity.type')), '', string(field('identity.type'))), ' ', '')), ',')]",
              "name": "identityType",
              "where": { "value": "[current('identityType')]", "in": ["systemassigned", "userassigned"] }
            },
            "equals": 0
          },
          {
            "count": {
              "value": "[split(toLower(replace(if(empty(field('identity.type')), '', string(field('identity.type'))), ' ', '')), ',')]",
              "name": "identityType",
              "where": { "value": "[current('identityType')]", "notIn": ["systemassigned", "userassigned", "none", ""] }
            },
            "greater": 0
          }
        ]
      }
    ]
  },
  "then": { "effect": "[parameters('effect')]" }
}`),
	},
	Evaluate: evaluateIdentity,
}

func evaluateIdentity(r *resource.Resource) check.Result {
	identity, found := r.Get("identity")
	if !found {
		return fail("identity is not set", "identity", "(absent)")
	}
	switch id := identity.(type) {
	case *resource.Unknown:
		return unknown("identity", id)
	case nil:
		return fail("identity is null", "identity", "null")
	case map[string]any:
		identityType, found := resource.Lookup(id, "type")
		if !found {
			return fail("identity has no type", "identity.type", "(absent)")
		}
		switch t := identityType.(type) {
		case *resource.Unknown:
			return unknown("identity.type", t)
		case string:
			return judgeIdentityType(t)
		case nil:
			return fail("identity.type is null", "identity.type", "null")
		default:
			return fail(fmt.Sprintf("identity.type is %v, not a string", t), "identity.type", fmt.Sprint(t))
		}
	default:
		return fail(fmt.Sprintf("identity is %v, not an object", id), "identity", fmt.Sprint(id))
	}
}

// judgeIdentityType reads an identity type as Azure does: comma-separated, spaces and letter case
// ignored ("SystemAssigned, UserAssigned", "systemassigned,userassigned").
func judgeIdentityType(value string) check.Result {
	var assigned, unrecognised []string
	for _, part := range strings.Split(value, ",") {
		// Spaces only, as Azure and the exported policy rule read the value; a tab is not a spelling Azure accepts.
		switch p := strings.Trim(part, " "); strings.ToLower(p) {
		case "systemassigned", "userassigned":
			assigned = append(assigned, p)
		case "none", "":
		default:
			unrecognised = append(unrecognised, p)
		}
	}
	evidence := map[string]string{"identity.type": value}
	switch {
	case len(unrecognised) > 0:
		return check.Result{Status: check.Fail, Evidence: evidence, Message: fmt.Sprintf(
			"API Management service has no valid managed identity: identity.type %q is not one Azure accepts (SystemAssigned, UserAssigned or both)", value)}
	case len(assigned) > 0:
		return check.Result{Status: check.Pass, Evidence: evidence, Message: fmt.Sprintf(
			"API Management service has a managed identity (%s)", strings.Join(assigned, ", "))}
	case strings.Trim(value, " ") == "":
		return check.Result{Status: check.Fail, Evidence: evidence, Message: "API Management service has no managed identity: identity.type is empty"}
	default:
		return check.Result{Status: check.Fail, Evidence: evidence, Message: fmt.Sprintf(
			"API Management service has no managed identity: identity.type is %q", value)}
	}
}

func fail(what, path, shown string) check.Result {
	return check.Result{
		Status:   check.Fail,
		Message:  "API Management service has no managed identity: " + what,
		Evidence: map[string]string{path: shown},
	}
}

func unknown(path string, u *resource.Unknown) check.Result {
	what := path + " is unknown: " + u.Reason
	if u.Expr != "" {
		what = fmt.Sprintf("%s is %s (%s)", path, u.Expr, u.Reason)
	}
	return check.Result{
		Status:   check.Unknown,
		Message:  "Cannot tell whether the API Management service has a managed identity: " + what,
		Evidence: map[string]string{path: "(unknown) " + u.String()},
	}
}
