package azure

import (
	"strings"

	"github.com/lensix/lensix/internal/resource"
)

// canonicalTypes spells the resource types lensix knows the way Resource Manager documents them;
// Resource Graph returns types in lower case and the CLI sometimes in others.
var canonicalTypes = func() map[string]string {
	m := map[string]string{}
	for _, t := range []string{
		"Microsoft.ApiManagement/service",
		"Microsoft.ApiManagement/service/apis",
		"Microsoft.ApiManagement/service/backends",
		"Microsoft.ApiManagement/service/namedValues",
		"Microsoft.ApiManagement/service/products",
		"Microsoft.ApiManagement/service/subscriptions",
		"Microsoft.ApiManagement/service/gateways",
		"Microsoft.ApiManagement/service/identityProviders",
		"Microsoft.ApiManagement/service/portalconfigs",
		"Microsoft.ApiManagement/deletedservices",
		"Microsoft.Authorization/policyDefinitions",
		"Microsoft.KeyVault/vaults",
		"Microsoft.ManagedIdentity/userAssignedIdentities",
		"Microsoft.Network/virtualNetworks",
		"Microsoft.Resources/subscriptions",
		"Microsoft.Resources/resourceGroups",
	} {
		m[strings.ToLower(t)] = t
	}
	return m
}()

// CanonicalType returns t in the casing Resource Manager documents, when lensix knows the type.
func CanonicalType(t string) string {
	if c, ok := canonicalTypes[strings.ToLower(t)]; ok {
		return c
	}
	return t
}

// idParts reads the subscription and resource group out of a resource ID
// (/subscriptions/{sub}/resourceGroups/{rg}/providers/...); segment names compare without case.
func idParts(id string) (subscriptionID, resourceGroup string) {
	segs := strings.Split(strings.Trim(id, "/"), "/")
	for i := 0; i+1 < len(segs); i += 2 {
		switch strings.ToLower(segs[i]) {
		case "subscriptions":
			if subscriptionID == "" {
				subscriptionID = segs[i+1]
			}
		case "resourcegroups":
			if resourceGroup == "" {
				resourceGroup = segs[i+1]
			}
		case "providers":
			return subscriptionID, resourceGroup
		}
	}
	return subscriptionID, resourceGroup
}

// toResource makes a lensix resource of an ARM resource object as Azure returned it.
func toResource(body map[string]any, prov resource.Provenance) *resource.Resource {
	r := &resource.Resource{Body: body, Provenance: prov}
	r.Type, _ = body["type"].(string)
	r.Type = CanonicalType(r.Type)
	r.Name = resourceName(body)
	r.ID, _ = body["id"].(string)
	r.SubscriptionID, r.ResourceGroup = idParts(r.ID)
	if r.SubscriptionID == "" {
		r.SubscriptionID, _ = body["subscriptionId"].(string)
	}
	if r.ResourceGroup == "" {
		r.ResourceGroup, _ = body["resourceGroup"].(string)
	}
	if r.Provenance.Address == "" {
		r.Provenance.Address = r.ID
		if r.Provenance.Address == "" {
			r.Provenance.Address = r.Type + "/" + r.Name
		}
	}
	if r.Provenance.TenantID == "" {
		r.Provenance.TenantID, _ = body["tenantId"].(string)
	}
	return r
}
