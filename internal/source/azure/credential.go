package azure

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

// AuthMethods are the values of --auth; "" is DefaultAzureCredential's chain.
var AuthMethods = []string{"cli", "env", "managed-identity", "workload-identity", "device-code"}

// Auth says how to sign in.
type Auth struct {
	// Method is "" (azidentity.DefaultAzureCredential: environment, workload identity, managed
	// identity, Azure CLI, Azure Developer CLI, in that order) or one of AuthMethods.
	Method string
	// TenantID is the Microsoft Entra tenant to sign in to, "" for the credential's default. The
	// env and managed-identity methods refuse it: their tenant comes from AZURE_TENANT_ID and from
	// the identity, and a --tenant they silently ignored would scan another tenant than asked.
	TenantID string
	// ClientID picks a user-assigned managed identity (managed-identity), or the application of a
	// workload identity when AZURE_CLIENT_ID is not set.
	ClientID string
	// Prompt is where device-code sign-in writes its instructions (never standard output, which
	// carries reports).
	Prompt io.Writer
}

// NewCredential builds the credential auth asks for, talking to the cloud and through the
// transport in opts.
func NewCredential(auth Auth, opts azcore.ClientOptions) (azcore.TokenCredential, error) {
	// Instance discovery asks login.microsoftonline.com about the authority; a custom authority
	// (Azure Stack, an emulator) is not known there.
	custom := !knownAuthority(opts.Cloud.ActiveDirectoryAuthorityHost)
	switch auth.Method {
	case "":
		return azidentity.NewDefaultAzureCredential(&azidentity.DefaultAzureCredentialOptions{ClientOptions: opts, TenantID: auth.TenantID, DisableInstanceDiscovery: custom})
	case "cli":
		return azidentity.NewAzureCLICredential(&azidentity.AzureCLICredentialOptions{TenantID: auth.TenantID})
	case "env":
		if auth.TenantID != "" {
			return nil, fmt.Errorf("--auth env signs in to the tenant AZURE_TENANT_ID names; set it there instead of --tenant")
		}
		return azidentity.NewEnvironmentCredential(&azidentity.EnvironmentCredentialOptions{ClientOptions: opts, DisableInstanceDiscovery: custom})
	case "managed-identity":
		if auth.TenantID != "" {
			return nil, fmt.Errorf("--auth managed-identity signs in to the managed identity's own tenant; leave out --tenant")
		}
		o := &azidentity.ManagedIdentityCredentialOptions{ClientOptions: opts}
		if auth.ClientID != "" {
			o.ID = azidentity.ClientID(auth.ClientID)
		}
		return azidentity.NewManagedIdentityCredential(o)
	case "workload-identity":
		return azidentity.NewWorkloadIdentityCredential(&azidentity.WorkloadIdentityCredentialOptions{ClientOptions: opts, TenantID: auth.TenantID, ClientID: auth.ClientID, DisableInstanceDiscovery: custom})
	case "device-code":
		prompt := auth.Prompt
		if prompt == nil {
			prompt = io.Discard
		}
		return azidentity.NewDeviceCodeCredential(&azidentity.DeviceCodeCredentialOptions{
			ClientOptions: opts, TenantID: auth.TenantID, DisableInstanceDiscovery: custom,
			UserPrompt: func(_ context.Context, m azidentity.DeviceCodeMessage) error {
				_, err := fmt.Fprintln(prompt, m.Message)
				return err
			},
		})
	default:
		return nil, fmt.Errorf("unknown --auth %q (want one of %s, or leave it out for the default chain)", auth.Method, strings.Join(AuthMethods, ", "))
	}
}

func knownAuthority(host string) bool {
	for _, c := range []cloud.Configuration{cloud.AzurePublic, cloud.AzureChina, cloud.AzureGovernment} {
		if strings.EqualFold(strings.TrimSuffix(host, "/"), strings.TrimSuffix(c.ActiveDirectoryAuthorityHost, "/")) {
			return true
		}
	}
	return host == ""
}

// Clouds are the names --cloud takes.
var Clouds = []string{"AzurePublic", "AzureChina", "AzureUSGovernment"}

// CloudConfig returns the endpoints of a named cloud, with the Resource Manager endpoint and the
// Entra authority host replaced when armEndpoint or authorityHost are given (sovereign clouds,
// Azure Stack Hub, an emulator). The Azure CLI's names (AzureCloud, AzureChinaCloud) are accepted.
func CloudConfig(name, armEndpoint, authorityHost string) (cloud.Configuration, error) {
	var base cloud.Configuration
	switch strings.ToLower(name) {
	case "", "azurepublic", "azurecloud", "public":
		base = cloud.AzurePublic
	case "azurechina", "azurechinacloud", "china":
		base = cloud.AzureChina
	case "azureusgovernment", "azureusgovernmentcloud", "usgovernment":
		base = cloud.AzureGovernment
	default:
		return cloud.Configuration{}, fmt.Errorf("unknown --cloud %q (want one of %s)", name, strings.Join(Clouds, ", "))
	}
	cfg := cloud.Configuration{ActiveDirectoryAuthorityHost: base.ActiveDirectoryAuthorityHost, Services: map[cloud.ServiceName]cloud.ServiceConfiguration{}}
	for k, v := range base.Services {
		cfg.Services[k] = v
	}
	if authorityHost != "" {
		if !strings.HasPrefix(authorityHost, "https://") {
			return cloud.Configuration{}, fmt.Errorf("--authority-host %q must be an https:// URL", authorityHost)
		}
		cfg.ActiveDirectoryAuthorityHost = strings.TrimSuffix(authorityHost, "/") + "/"
	}
	if armEndpoint != "" {
		if !strings.HasPrefix(armEndpoint, "https://") {
			return cloud.Configuration{}, fmt.Errorf("--arm-endpoint %q must be an https:// URL", armEndpoint)
		}
		rm := cfg.Services[cloud.ResourceManager]
		rm.Endpoint = strings.TrimSuffix(armEndpoint, "/")
		cfg.Services[cloud.ResourceManager] = rm
	}
	return cfg, nil
}
