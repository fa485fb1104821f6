package azure

import (
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
)

func TestCloudConfig(t *testing.T) {
	tests := []struct {
		name, cloud, arm, authority string
		wantARM, wantAuthority      string
		wantErr                     string
	}{
		{"the public cloud is the default", "", "", "", "https://management.azure.com", "https://login.microsoftonline.com/", ""},
		{"Azure China by its lensix name", "AzureChina", "", "", "https://management.chinacloudapi.cn", "https://login.chinacloudapi.cn/", ""},
		{"US Government by the Azure CLI's name", "AzureUSGovernmentCloud", "", "", "https://management.usgovcloudapi.net", "https://login.microsoftonline.us/", ""},
		{"custom endpoints replace the cloud's", "AzurePublic", "https://management.local.azurestack.external/", "https://adfs.local.azurestack.external", "https://management.local.azurestack.external", "https://adfs.local.azurestack.external/", ""},
		{"an unknown cloud is refused", "AzureGermany", "", "", "", "", "unknown --cloud"},
		{"a plain-HTTP endpoint is refused", "", "http://127.0.0.1:8080", "", "", "", "must be an https:// URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := CloudConfig(tt.cloud, tt.arm, tt.authority)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := cfg.Services[cloud.ResourceManager].Endpoint; got != tt.wantARM {
				t.Errorf("Resource Manager endpoint = %q, want %q", got, tt.wantARM)
			}
			if cfg.ActiveDirectoryAuthorityHost != tt.wantAuthority {
				t.Errorf("authority = %q, want %q", cfg.ActiveDirectoryAuthorityHost, tt.wantAuthority)
			}
		})
	}
	if cloud.AzurePublic.Services[cloud.ResourceManager].Endpoint != "https://management.azure.com" {
		t.Error("CloudConfig changed the SDK's own cloud configuration")
	}
}

func TestNewCredentialTenant(t *testing.T) {
	tests := []struct {
		name    string
		auth    Auth
		wantErr string
	}{
		{"--tenant with --auth env is refused: the environment names the tenant", Auth{Method: "env", TenantID: "contoso.onmicrosoft.com"}, "AZURE_TENANT_ID"},
		{"--tenant with --auth managed-identity is refused: the identity has its tenant", Auth{Method: "managed-identity", TenantID: "contoso.onmicrosoft.com"}, "--tenant"},
		{"--tenant with the default chain is taken", Auth{TenantID: "contoso.onmicrosoft.com"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("AZURE_TENANT_ID", "00000000-0000-0000-0000-000000000009")
			t.Setenv("AZURE_CLIENT_ID", "00000000-0000-0000-0000-000000000008")
			t.Setenv("AZURE_CLIENT_SECRET", "x")
			_, err := NewCredential(tt.auth, azcore.ClientOptions{})
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("err = %v, want %q", err, tt.wantErr)
			}
		})
	}
}
