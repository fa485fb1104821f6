package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lensix/lensix/internal/source/arm/funcs"
	"github.com/lensix/lensix/internal/suppress"
)

const testSub = "0b1f6471-1bf0-4dda-aec3-cb9272f09590"

// apimByGroup is a service whose identity depends on the resource group it is deployed to.
var apimByGroup = map[string]string{
	"apim.json": `{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "contentVersion": "1.0.0.0",
  "resources": [{"type": "Microsoft.ApiManagement/service", "apiVersion": "2022-08-01", "name": "apim",
    "location": "westeurope", "sku": {"name": "Developer", "capacity": 1},
    "identity": {"type": "[if(equals(resourceGroup().name, 'prod'), 'SystemAssigned', 'None')]"},
    "properties": {"publisherEmail": "a@example.com", "publisherName": "a"}}]}`,
	"apim.bicep": `resource apim 'Microsoft.ApiManagement/service@2022-08-01' = {
  name: 'apimbicep'
  location: 'westeurope'
  sku: { name: 'Developer', capacity: 1 }
  identity: { type: resourceGroup().name == 'prod' ? 'SystemAssigned' : 'None' }
  properties: { publisherEmail: 'a@example.com', publisherName: 'a' }
}`,
}

func writeDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

type scanResult struct{ status, message, id string }

// scanJSON runs a scan with a JSON report and returns the results of the managed identity check
// by resource name.
func scanJSON(t *testing.T, args ...string) (int, map[string]scanResult) {
	t.Helper()
	code, out, stderr := run(t, append(args, "--format", "json", "--check", "apimgmt_nomanagedidentity")...)
	if code == ExitUsage {
		t.Fatalf("usage error: %s", stderr)
	}
	var doc struct {
		Results []struct {
			Status   string `json:"status"`
			Message  string `json:"message"`
			Resource struct {
				Name string `json:"name"`
				ID   string `json:"id"`
			} `json:"resource"`
		} `json:"results"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s\n%s", err, out, stderr)
	}
	got := map[string]scanResult{}
	for _, r := range doc.Results {
		got[r.Resource.Name] = scanResult{r.Status, r.Message, r.Resource.ID}
	}
	return code, got
}

func TestDeploymentScopeDecidesTheVerdict(t *testing.T) {
	dir := writeDir(t, apimByGroup)
	prodConfig := filepath.Join(t.TempDir(), "lensix.yaml")
	if err := os.WriteFile(prodConfig, []byte("deployment:\n  scope: /subscriptions/"+testSub+"/resourceGroups/prod\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStatus string
		wantInMsg  string
		wantID     string
	}{
		{name: "without a scope the identity is unknown and the message names the flag", wantCode: ExitOK, wantStatus: "unknown", wantInMsg: "--deployment-scope"},
		{name: "deployed to the dev group the service has no identity", args: []string{"--deployment-scope", "/subscriptions/" + testSub + "/resourceGroups/dev"}, wantCode: ExitFindings, wantStatus: "fail",
			wantID: "/subscriptions/" + testSub + "/resourceGroups/dev/providers/Microsoft.ApiManagement/service/"},
		{name: "deployed to the prod group the service has an identity", args: []string{"--deployment-scope", "/subscriptions/" + testSub + "/resourceGroups/prod"}, wantCode: ExitOK, wantStatus: "pass"},
		{name: "the config file's deployment section gives the scope", args: []string{"--config", prodConfig}, wantCode: ExitOK, wantStatus: "pass"},
		{name: "the flag overrides the config file", args: []string{"--config", prodConfig, "--deployment-scope", "/subscriptions/" + testSub + "/resourceGroups/dev"}, wantCode: ExitFindings, wantStatus: "fail"},
		{name: "a subscription alone leaves the group unknown", args: []string{"--deployment-scope", "/subscriptions/" + testSub}, wantCode: ExitOK, wantStatus: "unknown", wantInMsg: "/resourceGroups/<name>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, results := scanJSON(t, append([]string{"scan", dir}, tt.args...)...)
			if code != tt.wantCode {
				t.Errorf("exit code = %d, want %d", code, tt.wantCode)
			}
			for _, name := range []string{"apim", "apimbicep"} {
				r, ok := results[name]
				if !ok {
					t.Fatalf("no result for %s: %v", name, results)
				}
				if r.status != tt.wantStatus || !strings.Contains(r.message, tt.wantInMsg) {
					t.Errorf("%s: status %q, message %q; want %q mentioning %q", name, r.status, r.message, tt.wantStatus, tt.wantInMsg)
				}
				if tt.wantID != "" && r.id != tt.wantID+name {
					t.Errorf("%s: id %q, want %q", name, r.id, tt.wantID+name)
				}
			}
		})
	}
}

func TestDeploymentScopeUsageErrors(t *testing.T) {
	badConfig := filepath.Join(t.TempDir(), "lensix.yaml")
	if err := os.WriteFile(badConfig, []byte("deployment:\n  scope: /subscriptions/prod\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	unknownKey := filepath.Join(t.TempDir(), "lensix.yaml")
	if err := os.WriteFile(unknownKey, []byte("deployment:\n  resource-group: prod\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := writeDir(t, apimByGroup)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"a subscription that is not a GUID", []string{"scan", dir, "--deployment-scope", "/subscriptions/prod"}, `--deployment-scope: subscription "prod" is not a GUID`},
		{"a resource group name Azure refuses", []string{"scan", dir, "--deployment-scope", "/subscriptions/" + testSub + "/resourceGroups/bad name"}, `resource group name "bad name" is not valid`},
		{"a resource group name without its scope", []string{"scan", dir, "--deployment-scope", "prod"}, `"prod" is not a scope ID`},
		{"a resource ID instead of a scope", []string{"scan", dir, "--deployment-scope", "/subscriptions/" + testSub + "/resourceGroups/rg/providers/Microsoft.Web/sites/x"}, "is not a scope ID"},
		{"a tenant that is not a GUID", []string{"scan", dir, "--tenant-id", "contoso.onmicrosoft.com"}, `--tenant-id: tenant "contoso.onmicrosoft.com" is not a GUID`},
		{"a location that is no region name", []string{"scan", dir, "--location", "west-europe"}, `--location: location "west-europe" is not an Azure region name`},
		{"a deployment name Azure refuses", []string{"scan", dir, "--deployment-name", "release/42"}, `--deployment-name: deployment name "release/42" is not valid`},
		{"a bad scope in the config file names the key", []string{"scan", dir, "--config", badConfig}, "deployment.scope: subscription \"prod\" is not a GUID"},
		{"an unknown key in the deployment section", []string{"scan", dir, "--config", unknownKey}, "resource-group"},
		{"resources checks the scope too", []string{"resources", dir, "--deployment-scope", "/subscriptions/prod"}, "is not a GUID"},
		{"policy eval checks the scope too", []string{"policy", "eval", "--definition", dir, dir, "--deployment-scope", "/subscriptions/prod"}, "is not a GUID"},
		{"scan azure refuses a deployment scope", []string{"scan", "azure", "--deployment-scope", "/subscriptions/" + testSub}, "--deployment-scope gives Terraform, Bicep or ARM inputs"},
		{"scan azure points --tenant-id to --tenant", []string{"scan", "azure", "--tenant-id", testSub}, "use --tenant"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := run(t, tt.args...)
			if code != ExitUsage || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want exit 2 mentioning %q", code, stderr, tt.want)
			}
		})
	}
}

func TestDeploymentScopeMergesFlagsOverTheConfig(t *testing.T) {
	cfg := &suppress.Config{File: ".lensix.yaml", Deployment: suppress.Deployment{
		Scope: "/subscriptions/" + testSub + "/resourceGroups/prod", Location: "West Europe", TenantID: testSub, Name: "from-file"}}
	tests := []struct {
		name  string
		flags InputFlags
		cfg   *suppress.Config
		want  funcs.Scope
	}{
		{name: "no config and no flags leave every field unknown", want: funcs.Scope{}},
		{name: "the config gives every field, with the location as Azure writes it", cfg: cfg,
			want: funcs.Scope{SubscriptionID: testSub, ResourceGroup: "prod", Location: "westeurope", TenantID: testSub, DeploymentName: "from-file"}},
		{name: "a flag replaces only its own field", cfg: cfg, flags: InputFlags{DeploymentName: "from-flag"},
			want: funcs.Scope{SubscriptionID: testSub, ResourceGroup: "prod", Location: "westeurope", TenantID: testSub, DeploymentName: "from-flag"}},
		{name: "a subscription scope flag replaces the config's resource group scope whole", cfg: cfg, flags: InputFlags{DeploymentScope: "/subscriptions/" + testSub},
			want: funcs.Scope{Level: funcs.SubscriptionLevel, SubscriptionID: testSub, Location: "westeurope", TenantID: testSub, DeploymentName: "from-file"}},
		{name: "a tenant scope flag is the tenant level", flags: InputFlags{DeploymentScope: "/"}, want: funcs.Scope{Level: funcs.TenantLevel}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.flags.deploymentScope(tt.cfg)
			if err != nil {
				t.Fatal(err)
			}
			if got.Level != tt.want.Level || got.SubscriptionID != tt.want.SubscriptionID || got.ResourceGroup != tt.want.ResourceGroup ||
				got.ManagementGroup != tt.want.ManagementGroup || got.Location != tt.want.Location || got.TenantID != tt.want.TenantID || got.DeploymentName != tt.want.DeploymentName {
				t.Errorf("scope = %+v, want %+v", got, tt.want)
			}
		})
	}
}
