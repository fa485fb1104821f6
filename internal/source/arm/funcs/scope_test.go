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

func TestPlace(t *testing.T) {
	const sub = "0b1f6471-1bf0-4dda-aec3-cb9272f09590"
	group := Scope{SubscriptionID: sub, ResourceGroup: "rg"}
	tests := []struct {
		name                       string
		scope                      Scope
		typ, resName, extOf        string
		wantID, wantSub, wantGroup string
	}{
		{name: "a resource in a resource group", scope: group, typ: "Microsoft.Web/sites", resName: "web",
			wantID: "/subscriptions/" + sub + "/resourceGroups/rg/providers/Microsoft.Web/sites/web", wantSub: sub, wantGroup: "rg"},
		{name: "a child interleaves its types and names", scope: group, typ: "Microsoft.Network/virtualNetworks/subnets", resName: "vnet/a",
			wantID: "/subscriptions/" + sub + "/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/a", wantSub: sub, wantGroup: "rg"},
		{name: "a name that does not fit its type has no ID", scope: group, typ: "Microsoft.Network/virtualNetworks/subnets", resName: "a", wantSub: sub, wantGroup: "rg"},
		{name: "an unknown resource group leaves the ID unknown", scope: Scope{SubscriptionID: sub}, typ: "Microsoft.Web/sites", resName: "web", wantSub: sub},
		{name: "a resource group created at a subscription is in itself", scope: Scope{Level: SubscriptionLevel, SubscriptionID: sub}, typ: "Microsoft.Resources/resourceGroups", resName: "app",
			wantID: "/subscriptions/" + sub + "/resourceGroups/app", wantSub: sub, wantGroup: "app"},
		{name: "a tenant resource has no scope prefix", scope: Scope{Level: TenantLevel}, typ: "Microsoft.Management/managementGroups", resName: "mg",
			wantID: "/providers/Microsoft.Management/managementGroups/mg"},
		{name: "an extension of a resource ID hangs below it", scope: group, typ: "Microsoft.Authorization/locks", resName: "l", extOf: "/subscriptions/" + sub + "/resourceGroups/other/providers/Microsoft.Web/sites/web",
			wantID: "/subscriptions/" + sub + "/resourceGroups/other/providers/Microsoft.Web/sites/web/providers/Microsoft.Authorization/locks/l", wantSub: sub, wantGroup: "other"},
		{name: "an extension of a bare name has no ID", scope: group, typ: "Microsoft.Authorization/locks", resName: "l", extOf: "web", wantSub: sub, wantGroup: "rg"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, sub, group := tt.scope.Place(tt.typ, tt.resName, tt.extOf)
			if id != tt.wantID || sub != tt.wantSub || group != tt.wantGroup {
				t.Errorf("Place = %q, %q, %q; want %q, %q, %q", id, sub, group, tt.wantID, tt.wantSub, tt.wantGroup)
			}
		})
	}
}

// FuzzParseScope checks that any text either is refused or reads as a scope whose ID is the
// text, up to letter case and a trailing slash.
func FuzzParseScope(f *testing.F) {
	for _, seed := range []string{"/", "/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590",
		"/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590/resourceGroups/rg-(1).x",
		"/providers/Microsoft.Management/managementGroups/mg", "prod", "//", "/subscriptions//resourceGroups/"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, id string) {
		s, err := ParseScope(id)
		if err != nil {
			return
		}
		var back string
		switch s.Level {
		case TenantLevel:
			back = "/"
		case ManagementGroupLevel:
			back = "/providers/Microsoft.Management/managementGroups/" + s.ManagementGroup
		case SubscriptionLevel:
			back = "/subscriptions/" + s.SubscriptionID
		default:
			back = "/subscriptions/" + s.SubscriptionID + "/resourceGroups/" + s.ResourceGroup
		}
		if trimmed := strings.TrimSuffix(id, "/"); !strings.EqualFold(back, trimmed) && !(back == "/" && id == "/") {
			t.Errorf("ParseScope(%q) = %+v, which is %q", id, s, back)
		}
	})
}
