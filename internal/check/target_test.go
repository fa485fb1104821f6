package check

import (
	"testing"

	"github.com/lensix/lensix/internal/resource"
)

func TestTargetNamesTheSubscriptionOnlyWhenKnown(t *testing.T) {
	const sub = "22222222-2222-2222-2222-222222222222"
	tests := []struct {
		name     string
		resource *resource.Resource
		want     string
	}{
		{"a resource whose subscription is known names it", &resource.Resource{Name: "apim", ResourceGroup: "rg3", SubscriptionID: sub}, " --subscription " + sub},
		{"a resource whose subscription is not known names none", &resource.Resource{Name: "apim", ResourceGroup: "rg3"}, ""},
		{"a subscription that is not an Azure name is not put in a command", &resource.Resource{Name: "apim", SubscriptionID: "[subscription().subscriptionId]"}, ""},
		{"a subscription holding shell text is not put in a command", &resource.Resource{Name: "apim", SubscriptionID: "x; rm -rf /"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := TargetOf(tt.resource).SubscriptionFlag(); got != tt.want {
				t.Errorf("SubscriptionFlag() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRenderFixCanNameTheSubscription(t *testing.T) {
	c := &Check{Metadata: Metadata{ID: "x_y", Remediation: Remediation{CLI: "az apim update --name {{.Name}} --resource-group {{.ResourceGroup}}{{.SubscriptionFlag}} --set a=b"}}}
	tests := []struct {
		name   string
		target Target
		want   string
	}{
		{"a known subscription is passed to the command", Target{Name: "apim", ResourceGroup: "rg3", Subscription: "22222222-2222-2222-2222-222222222222"},
			"az apim update --name apim --resource-group rg3 --subscription 22222222-2222-2222-2222-222222222222 --set a=b"},
		{"a placeholder subscription leaves the flag out", Target{Name: "<name>", ResourceGroup: "<resource-group>", Subscription: "<subscription-id>"},
			"az apim update --name <name> --resource-group <resource-group> --set a=b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fix, err := c.RenderFix(tt.target)
			if err != nil {
				t.Fatal(err)
			}
			if fix.CLI != tt.want {
				t.Errorf("CLI = %q, want %q", fix.CLI, tt.want)
			}
		})
	}
}
