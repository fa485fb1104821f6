package armsim

import (
	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

// Credential is the Azure SDK's client secret credential that signs in to the server's Entra
// endpoint as ClientID with secret (ClientSecret, or another to see sign-in refused), trusting
// the server's certificate. Point Resource Manager at s.URL in the client's own cloud settings.
func (s *Server) Credential(secret string) (azcore.TokenCredential, error) {
	return azidentity.NewClientSecretCredential(s.tenant.ID, ClientID, secret, &azidentity.ClientSecretCredentialOptions{
		ClientOptions:            azcore.ClientOptions{Cloud: cloud.Configuration{ActiveDirectoryAuthorityHost: s.URL + "/"}, Transport: s.Client()},
		DisableInstanceDiscovery: true, // as every caller did; the emulator is not a known Entra host
	})
}
