package apimgmt

import (
	"strings"
	"testing"

	"github.com/lensix/lensix/internal/check"
	"github.com/lensix/lensix/internal/resource"
)

func service(body map[string]any) *resource.Resource {
	return &resource.Resource{Type: ServiceType, Name: "apim-prod", ResourceGroup: "rg-api", Body: body}
}

func withIdentity(identity any) *resource.Resource {
	return service(map[string]any{"name": "apim-prod", "identity": identity})
}

func TestNoManagedIdentityVerdicts(t *testing.T) {
	tests := []struct {
		name     string
		resource *resource.Resource
		want     check.Status
		evidence string // substring of the evidence for the judged path
	}{
		{"a service without an identity property fails", service(map[string]any{"name": "apim-prod"}), check.Fail, "(absent)"},
		{"a service whose identity is null fails", withIdentity(nil), check.Fail, "null"},
		{"an empty identity object fails", withIdentity(map[string]any{}), check.Fail, "(absent)"},
		{"an identity block with properties but no type fails", withIdentity(map[string]any{"foo": "bar"}), check.Fail, "(absent)"},
		{"identity type None fails", withIdentity(map[string]any{"type": "None"}), check.Fail, "None"},
		{"identity type none in lower case fails", withIdentity(map[string]any{"type": "none"}), check.Fail, "none"},
		{"identity type None padded with spaces fails", withIdentity(map[string]any{"type": "  None "}), check.Fail, "None"},
		{"both types separated by a tab fail, as the exported policy rule judges them", withIdentity(map[string]any{"type": "SystemAssigned,\tUserAssigned"}), check.Fail, "UserAssigned"},
		{"an empty identity type fails", withIdentity(map[string]any{"type": ""}), check.Fail, ""},
		{"a null identity type fails", withIdentity(map[string]any{"type": nil}), check.Fail, "null"},
		{"an identity type Azure does not accept fails", withIdentity(map[string]any{"type": "Managed"}), check.Fail, "Managed"},
		{"an identity type that is a number fails", withIdentity(map[string]any{"type": float64(1)}), check.Fail, "1"},
		{"SystemAssigned passes", withIdentity(map[string]any{"type": "SystemAssigned"}), check.Pass, "SystemAssigned"},
		{"systemassigned in lower case passes", withIdentity(map[string]any{"type": "systemassigned"}), check.Pass, "systemassigned"},
		{"UserAssigned passes", withIdentity(map[string]any{"type": "UserAssigned", "userAssignedIdentities": map[string]any{"/subscriptions/x/id": map[string]any{}}}), check.Pass, "UserAssigned"},
		{"both types with a comma and a space pass", withIdentity(map[string]any{"type": "SystemAssigned, UserAssigned"}), check.Pass, "SystemAssigned, UserAssigned"},
		{"both types with a comma and no space pass", withIdentity(map[string]any{"type": "SystemAssigned,UserAssigned"}), check.Pass, "SystemAssigned,UserAssigned"},
		{"both types in upper case pass", withIdentity(map[string]any{"type": "SYSTEMASSIGNED, USERASSIGNED"}), check.Pass, "SYSTEMASSIGNED"},
		{"the key Type in another letter case is found", withIdentity(map[string]any{"Type": "SystemAssigned"}), check.Pass, "SystemAssigned"},
		{"an identity type from an unresolved variable is unknown", withIdentity(map[string]any{"type": &resource.Unknown{Reason: "variable identity_type has no value", Expr: "var.identity_type"}}), check.Unknown, "var.identity_type"},
		{"an identity that is wholly unresolved is unknown", withIdentity(&resource.Unknown{Reason: "parameter identity has no value", Expr: "[parameters('identity')]"}), check.Unknown, "parameters('identity')"},
		{"an identity that is a string, not an object, fails", withIdentity("SystemAssigned"), check.Fail, "SystemAssigned"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := NoManagedIdentity.Evaluate(tt.resource)
			if got.Status != tt.want {
				t.Fatalf("status = %s, want %s (message: %s)", got.Status, tt.want, got.Message)
			}
			if got.Message == "" || len(got.Evidence) == 0 {
				t.Fatalf("a verdict needs a message and evidence, got %+v", got)
			}
			var evidence []string
			for k, v := range got.Evidence {
				evidence = append(evidence, k+"="+v)
			}
			if joined := strings.Join(evidence, " "); !strings.Contains(joined, tt.evidence) {
				t.Errorf("evidence %q does not show %q", joined, tt.evidence)
			}
		})
	}
}

func TestUnknownVerdictNamesTheExpression(t *testing.T) {
	got := NoManagedIdentity.Evaluate(withIdentity(map[string]any{"type": &resource.Unknown{Reason: "known only after apply", Expr: "azurerm_user_assigned_identity.x.type"}}))
	for _, want := range []string{"identity.type", "azurerm_user_assigned_identity.x.type", "known only after apply"} {
		if !strings.Contains(got.Message, want) {
			t.Errorf("message %q does not name %q", got.Message, want)
		}
	}
}

func TestRemediationCarriesTheResourceNames(t *testing.T) {
	fix, err := NoManagedIdentity.Fix(service(nil))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"az apim update --name apim-prod --resource-group rg-api --set identity.type=SystemAssigned",
		`--role "Key Vault Secrets User"`,
	} {
		if !strings.Contains(fix.CLI, want) {
			t.Errorf("CLI remediation lacks %q:\n%s", want, fix.CLI)
		}
	}
	if !strings.Contains(fix.Bicep, "name: 'apim-prod'") || !strings.Contains(fix.Terraform, `type = "SystemAssigned"`) || !strings.Contains(fix.ARM, `"type": "SystemAssigned"`) {
		t.Errorf("IaC remediation lacks the identity block:\n%s\n%s\n%s", fix.Terraform, fix.Bicep, fix.ARM)
	}
}

func TestRemediationNamesTheSubscriptionWhenKnown(t *testing.T) {
	const sub = "22222222-2222-2222-2222-222222222222"
	inOtherSubscription := service(nil)
	inOtherSubscription.SubscriptionID = sub
	tests := []struct {
		name     string
		resource *resource.Resource
		want     []string
	}{
		{"a service whose subscription is known is updated and read in that subscription", inOtherSubscription, []string{
			"az apim update --name apim-prod --resource-group rg-api --subscription " + sub + " --set identity.type=SystemAssigned",
			"az apim show --name apim-prod --resource-group rg-api --subscription " + sub + " --query identity.principalId",
		}},
		{"a service whose subscription is not known is updated in the current one", service(nil), []string{
			"az apim update --name apim-prod --resource-group rg-api --set identity.type=SystemAssigned",
			"az apim show --name apim-prod --resource-group rg-api --query identity.principalId",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fix, err := NoManagedIdentity.Fix(tt.resource)
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range tt.want {
				if !strings.Contains(fix.CLI, want) {
					t.Errorf("CLI remediation lacks %q:\n%s", want, fix.CLI)
				}
			}
		})
	}
}

func TestRemediationUsesPlaceholdersForUnknownNames(t *testing.T) {
	for _, r := range []*resource.Resource{
		{Type: ServiceType, Name: "[parameters('name')]"},
		{Type: ServiceType, Name: "var.n", Body: map[string]any{"name": &resource.Unknown{Reason: "variable n has no value", Expr: "var.n"}}},
		{Type: ServiceType, Name: "apim; rm -rf /"},
	} {
		fix, err := NoManagedIdentity.Fix(r)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(fix.CLI, "--name <name> --resource-group <resource-group>") {
			t.Errorf("name %q: want placeholders, got:\n%s", r.Name, fix.CLI)
		}
	}
}

func TestCheckAppliesOnlyToTheServiceType(t *testing.T) {
	for typ, want := range map[string]bool{
		"Microsoft.ApiManagement/service":          true,
		"microsoft.apimanagement/service":          true,
		"Microsoft.ApiManagement/service/backends": false,
		"Microsoft.ApiManagement/deletedservices":  false,
	} {
		if got := NoManagedIdentity.Applies(&resource.Resource{Type: typ}); got != want {
			t.Errorf("Applies(%s) = %v, want %v", typ, got, want)
		}
	}
}
