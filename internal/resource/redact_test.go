package resource

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

func TestRedactHidesSecretsAndKeepsTheRest(t *testing.T) {
	tests := []struct {
		name    string
		typ     string
		body    string
		hidden  []string // texts the redacted body must not hold
		kept    []string // texts it must still hold
		secrets []string // values SecretsOf must list
	}{
		{
			name:    "a Key Vault secret's value is redacted",
			typ:     "Microsoft.KeyVault/vaults/secrets",
			body:    `{"name": "kv/db", "properties": {"value": "Kv-Secret-42", "contentType": "text/plain"}}`,
			hidden:  []string{"Kv-Secret-42"},
			kept:    []string{"text/plain"},
			secrets: []string{"Kv-Secret-42"},
		},
		{
			name:    "a named value's secret flag stays readable while its value is redacted",
			typ:     "Microsoft.ApiManagement/service/namedValues",
			body:    `{"name": "apim/db", "properties": {"displayName": "db", "secret": true, "value": "Nv-Secret-7"}}`,
			hidden:  []string{"Nv-Secret-7"},
			kept:    []string{`"secret":true`},
			secrets: []string{"Nv-Secret-7"},
		},
		{
			name: "a Key Vault reference's secret name and version stay readable: they name the secret",
			typ:  "Microsoft.Resources/deployments",
			body: `{"properties": {"parameters": {"pw": {"reference": {"keyVault": {"id": "/x/vaults/kv"}, "secretName": "secret01", "secretVersion": "v1"}}}}}`,
			kept: []string{"secret01", "v1"},
		},
		{
			name:    "an app setting named DB_PASSWORD has its value redacted",
			typ:     "Microsoft.Web/sites",
			body:    `{"properties": {"siteConfig": {"appSettings": [{"name": "DB_PASSWORD", "value": "Hunter2!x"}]}}}`,
			hidden:  []string{"Hunter2!x"},
			kept:    []string{"DB_PASSWORD"},
			secrets: []string{"Hunter2!x"},
		},
		{
			name:   "every app setting value is redacted, whatever its name",
			typ:    "Microsoft.Web/sites",
			body:   `{"properties": {"siteConfig": {"appSettings": [{"name": "STRIPE", "value": "sk_live_123"}, {"name": "MODE", "value": "Production"}]}}}`,
			hidden: []string{"sk_live_123", "Production"},
			kept:   []string{"STRIPE", "MODE"},
		},
		{
			name:    "a connection string in a name/value list is redacted and masked",
			typ:     "Microsoft.Web/sites",
			body:    `{"properties": {"siteConfig": {"connectionStrings": [{"name": "db", "value": "Server=x;Password=Pa55word"}]}}}`,
			hidden:  []string{"Pa55word"},
			secrets: []string{"Server=x;Password=Pa55word"},
		},
		{
			name:    "an environment variable with a sensitive name has its value redacted",
			typ:     "Microsoft.ContainerInstance/containerGroups",
			body:    `{"properties": {"containers": [{"properties": {"environmentVariables": [{"name": "API_TOKEN", "value": "tok-1234"}, {"name": "REGION", "value": "west-1"}]}}]}}`,
			hidden:  []string{"tok-1234"},
			kept:    []string{"west-1"},
			secrets: []string{"tok-1234"},
		},
		{
			name:    "a SAS signature in fileUris is hidden",
			typ:     "Microsoft.Compute/virtualMachines/extensions",
			body:    `{"properties": {"settings": {"fileUris": ["https://acct.blob.core.windows.net/s/run.sh?sv=2022-11-02&sig=AbC%2Bdef123"]}}}`,
			hidden:  []string{"AbC%2Bdef123"},
			secrets: []string{"AbC%2Bdef123"},
		},
		{
			name:    "a SAS signature in any string is masked and the rest kept",
			typ:     "Microsoft.Resources/deploymentScripts",
			body:    `{"properties": {"scriptContent": "curl 'https://acct.blob.core.windows.net/c/f?sv=2022-11-02&sig=Zz9%3D' -o f"}}`,
			hidden:  []string{"Zz9%3D"},
			kept:    []string{"curl 'https://acct.blob.core.windows.net/c/f?sv=2022-11-02&sig=<redacted>' -o f"},
			secrets: []string{"Zz9%3D"},
		},
		{
			name:    "a VM extension's protectedSettings are redacted whole",
			typ:     "Microsoft.Compute/virtualMachines/extensions",
			body:    `{"properties": {"publisher": "Microsoft.Azure.Extensions", "protectedSettings": {"commandToExecute": "sh run.sh p4ss", "storageAccountName": "acct"}}}`,
			hidden:  []string{"sh run.sh p4ss", "storageAccountName"},
			kept:    []string{"Microsoft.Azure.Extensions"},
			secrets: []string{"sh run.sh p4ss"},
		},
		{
			name:    "a sasUrl with a signature is redacted",
			typ:     "Microsoft.Web/sites/config",
			body:    `{"name": "app/logs", "properties": {"applicationLogs": {"azureBlobStorage": {"sasUrl": "https://acct.blob.core.windows.net/logs?sv=2022-11-02&sr=c&sig=Q1w2e3"}}}}`,
			hidden:  []string{"Q1w2e3", "acct.blob.core.windows.net/logs"},
			secrets: []string{"https://acct.blob.core.windows.net/logs?sv=2022-11-02&sr=c&sig=Q1w2e3"},
		},
		{
			name:    "a Functions key in a url is redacted",
			typ:     "Microsoft.ApiManagement/service/backends",
			body:    `{"properties": {"url": "https://fn.azurewebsites.net/api/x?code=Fk1-abc"}}`,
			hidden:  []string{"Fk1-abc"},
			secrets: []string{"Fk1-abc"},
		},
		{
			name: "a url without credentials and a Key Vault secret uri are kept",
			typ:  "Microsoft.ApiManagement/service",
			body: `{"properties": {"serviceUrl": "https://api.example.com/v1?version=2", "secretUri": "https://kv.vault.azure.net/secrets/db", "tokenUrl": "https://login.example.com/token"}}`,
			kept: []string{"https://api.example.com/v1?version=2", "https://kv.vault.azure.net/secrets/db", "https://login.example.com/token"},
		},
		{
			name:    "every value of a Web app settings config resource is redacted",
			typ:     "Microsoft.Web/sites/config",
			body:    `{"name": "app/appsettings", "properties": {"FEATURE": "Enabled", "API_KEY": "ak-999"}}`,
			hidden:  []string{"Enabled", "ak-999"},
			kept:    []string{"FEATURE", "API_KEY"},
			secrets: []string{"ak-999"},
		},
		{
			name:    "a storage account key in a connection string of another property is masked",
			typ:     "Microsoft.Web/sites",
			body:    `{"properties": {"siteConfig": {"description": "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=K3y/abc==;EndpointSuffix=core.windows.net"}}}`,
			hidden:  []string{"K3y/abc=="},
			kept:    []string{"AccountName=a", "EndpointSuffix=core.windows.net"},
			secrets: []string{"K3y/abc=="},
		},
		{
			name:    "a VM's customData is redacted",
			typ:     "Microsoft.Compute/virtualMachines",
			body:    `{"properties": {"osProfile": {"computerName": "vm1", "customData": "I2Nsb3VkLWNvbmZpZwpwYXNzd29yZDogaHVudGVyMg=="}}}`,
			hidden:  []string{"I2Nsb3VkLWNvbmZpZwpwYXNzd29yZDogaHVudGVyMg=="},
			kept:    []string{"vm1"},
			secrets: []string{"I2Nsb3VkLWNvbmZpZwpwYXNzd29yZDogaHVudGVyMg=="},
		},
		{
			name:    "a --password= argument in an extension's command is redacted",
			typ:     "Microsoft.Compute/virtualMachines/extensions",
			body:    `{"properties": {"settings": {"commandToExecute": "sh setup.sh --user=admin --password=Hunt3r2x --verbose"}}}`,
			hidden:  []string{"Hunt3r2x"},
			kept:    []string{"sh setup.sh --user=admin --password=", "--verbose"},
			secrets: []string{"Hunt3r2x"},
		},
		{
			name:    "a URL-encoded SAS signature is redacted up to the next encoded ampersand",
			typ:     "Microsoft.Web/sites",
			body:    `{"properties": {"note": "https://a.example/?redirect=https%3A%2F%2Fs.blob.core.windows.net%2Fc%3Fsv%3D2022%26sig%3DAbC%2Bd9%2Fz%3D%26se%3D2030"}}`,
			hidden:  []string{"AbC%2Bd9"},
			kept:    []string{"%26se%3D2030"},
			secrets: []string{"AbC%2Bd9%2Fz%3D"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body map[string]any
			if err := json.Unmarshal([]byte(tt.body), &body); err != nil {
				t.Fatal(err)
			}
			before, _ := json.Marshal(body)
			out, err := json.Marshal(Redact(tt.typ, body))
			if err != nil {
				t.Fatal(err)
			}
			// Redact copies what it changes and shares the rest: the body itself stays as it was.
			if after, _ := json.Marshal(body); string(after) != string(before) {
				t.Errorf("Redact changed its input:\n%s\nwas\n%s", after, before)
			}
			text := strings.ReplaceAll(string(out), `\u003c`, "<")
			text = strings.ReplaceAll(text, `\u003e`, ">")
			text = strings.ReplaceAll(text, `\u0026`, "&")
			for _, h := range tt.hidden {
				if strings.Contains(text, h) {
					t.Errorf("redacted body still holds %q: %s", h, text)
				}
			}
			for _, k := range tt.kept {
				if !strings.Contains(text, k) {
					t.Errorf("redacted body lost %q: %s", k, text)
				}
			}
			secrets := SecretsOf(tt.typ, body)
			for _, s := range tt.secrets {
				if !slices.Contains(secrets, s) {
					t.Errorf("SecretsOf = %q, want it to hold %q", secrets, s)
				}
			}
			if len(tt.secrets) == 0 && len(secrets) != 0 {
				t.Errorf("SecretsOf = %q, want none", secrets)
			}
		})
	}
}

func TestSecretsOfLeavesOutWordsThatCannotBeSecrets(t *testing.T) {
	body := map[string]any{"properties": map[string]any{"credentialType": "ManagedIdentity", "adminPassword": "Pa55-word", "disablePasswordAuthentication": true}}
	if got, want := SecretsOf("Microsoft.Compute/virtualMachines", body), []string{"Pa55-word"}; !slices.Equal(got, want) {
		t.Errorf("SecretsOf = %q, want %q", got, want)
	}
}
