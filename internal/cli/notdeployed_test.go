package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestScanWarnsOfAResourceTheDefaultsSwitchOff(t *testing.T) {
	const armTemplate = `{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "parameters": { "deployApim": { "type": "bool", "defaultValue": false } },
  "resources": [
    { "condition": "[parameters('deployApim')]",
      "type": "Microsoft.ApiManagement/service", "apiVersion": "2022-08-01", "name": "apim-prod",
      "location": "westeurope", "sku": {"name": "Developer", "capacity": 1},
      "properties": {"publisherEmail": "a@b.c", "publisherName": "x"} } ]
}`
	const bicepTemplate = `param deployApim bool = false
resource apim 'Microsoft.ApiManagement/service@2022-08-01' = if (deployApim) {
  name: 'apim-prod'
  location: 'westeurope'
  properties: {}
}
`
	const armWarning = "azuredeploy.json:6:5: warning: apim-prod (Microsoft.ApiManagement/service) is not deployed with the defaults: " +
		"its condition [parameters('deployApim')] is false because parameter deployApim was not given; pass --param deployApim=true to check it"
	const bicepWarning = "main.bicep:2:1: warning: apim-prod (Microsoft.ApiManagement/service) is not deployed with the defaults: " +
		"its condition (deployApim) is false because parameter deployApim was not given; pass --param deployApim=true to check it"
	tests := []struct {
		name     string
		file     string
		content  string
		args     []string
		wantCode int
		want     string // in stdout; "" for no such warning
	}{
		{"an ARM resource off by a default is a warning at its declaration and exits 0", "azuredeploy.json", armTemplate, nil, ExitOK, armWarning},
		{"a Bicep resource off by a default is a warning at its declaration and exits 0", "main.bicep", bicepTemplate, nil, ExitOK, bicepWarning},
		{"passing the parameter the warning names checks the resource", "azuredeploy.json", armTemplate, []string{"--param", "deployApim=true"}, ExitFindings, ""},
		{"a resource no selected check applies to gives no warning", "azuredeploy.json", armTemplate, []string{"--skip-check", "apimgmt_nomanagedidentity"}, ExitOK, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, tt.file), []byte(tt.content), 0o644); err != nil {
				t.Fatal(err)
			}
			t.Chdir(dir)
			code, out, stderr := run(t, append([]string{"scan", "."}, tt.args...)...)
			if code != tt.wantCode {
				t.Errorf("exit code = %d, want %d; stdout:\n%s\nstderr: %s", code, tt.wantCode, out, stderr)
			}
			if tt.want != "" && !strings.Contains(out, tt.want) {
				t.Errorf("stdout lacks the warning %q:\n%s", tt.want, out)
			}
			if tt.want == "" && strings.Contains(out, "not deployed with the defaults") {
				t.Errorf("stdout warns of a resource not deployed:\n%s", out)
			}
		})
	}
}
