package funcs

import (
	"strings"
	"testing"
)

func TestParseScope(t *testing.T) {
	const sub = "0b1f6471-1bf0-4dda-aec3-cb9272f09590"
	tests := []struct {
		name    string
		id      string
		want    Scope
		wantErr string
	}{
		{name: "a slash is the tenant", id: "/", want: Scope{Level: TenantLevel}},
		{name: "a subscription ID is a subscription", id: "/subscriptions/" + sub, want: Scope{Level: SubscriptionLevel, SubscriptionID: sub}},
		{name: "a resource group ID is a resource group", id: "/subscriptions/" + sub + "/resourceGroups/rg-prod.1_(x)", want: Scope{SubscriptionID: sub, ResourceGroup: "rg-prod.1_(x)"}},
		{name: "segment names are read without case and a trailing slash is dropped", id: "/SUBSCRIPTIONS/" + sub + "/resourcegroups/prod/", want: Scope{SubscriptionID: sub, ResourceGroup: "prod"}},
		{name: "a management group ID is a management group", id: "/providers/Microsoft.Management/managementGroups/contoso-prod", want: Scope{Level: ManagementGroupLevel, ManagementGroup: "contoso-prod"}},
		{name: "a subscription that is not a GUID is refused", id: "/subscriptions/prod", wantErr: "is not a GUID"},
		{name: "a resource group name ending in a period is refused", id: "/subscriptions/" + sub + "/resourceGroups/prod.", wantErr: "not ending in a period"},
		{name: "a resource group name with a space is refused", id: "/subscriptions/" + sub + "/resourceGroups/my rg", wantErr: `' ' is not allowed`},
		{name: "a resource group name longer than 90 characters is refused", id: "/subscriptions/" + sub + "/resourceGroups/" + strings.Repeat("a", 91), wantErr: "1 to 90"},
		{name: "a resource ID is not a scope", id: "/subscriptions/" + sub + "/resourceGroups/rg/providers/Microsoft.Web/sites/x", wantErr: "is not a scope ID"},
		{name: "a bare resource group name is not a scope", id: "prod", wantErr: "is not a scope ID"},
		{name: "a management group ID with a letter outside ASCII is refused", id: "/providers/Microsoft.Management/managementGroups/prodé", wantErr: "is not allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseScope(tt.id)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseScope(%q) error = %v, want one containing %q", tt.id, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Level != tt.want.Level || got.SubscriptionID != tt.want.SubscriptionID || got.ResourceGroup != tt.want.ResourceGroup || got.ManagementGroup != tt.want.ManagementGroup {
				t.Errorf("ParseScope(%q) = %+v, want %+v", tt.id, got, tt.want)
			}
		})
	}
}
