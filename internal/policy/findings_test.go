package policy

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/lensix/lensix/internal/check"
)

func TestDefinitionCheckNamesItsHelpAndSeverity(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	outside := filepath.ToSlash(filepath.Join(t.TempDir(), "defs", "VNETEnabled_Audit.json"))
	const builtInID = "/providers/Microsoft.Authorization/policyDefinitions/ef619a2c-cc4d-4d03-b2ba-8c94a834d85b"
	for _, tc := range []struct {
		name     string
		file, id string
		metadata string
		wantRefs []string
		wantSev  check.Severity
	}{
		{"an Azure built-in outside the working directory links to the portal and names its file by base name",
			outside, builtInID, `{}`,
			[]string{"https://portal.azure.com/#view/Microsoft_Azure_Policy/PolicyDetailBlade/definitionId/%2Fproviders%2FMicrosoft.Authorization%2FpolicyDefinitions%2Fef619a2c-cc4d-4d03-b2ba-8c94a834d85b", "VNETEnabled_Audit.json"},
			check.Medium},
		{"a custom definition below the working directory is named relative to it",
			filepath.ToSlash(filepath.Join(wd, "testdata", "deny.json")), "/subscriptions/0000/providers/Microsoft.Authorization/policyDefinitions/deny", `{"severity": "high"}`,
			[]string{"testdata/deny.json"}, check.High},
		{"a relative file name stays as given",
			"policies/deny.json", "", `{"severity": "Critical"}`,
			[]string{"policies/deny.json"}, check.Critical},
		{"an unknown severity is medium",
			"deny.json", "", `{"severity": "urgent"}`,
			[]string{"deny.json"}, check.Medium},
	} {
		t.Run(tc.name, func(t *testing.T) {
			def, err := Parse(tc.file, []byte(`{"id": "`+tc.id+`", "properties": {"mode": "All", "metadata": `+tc.metadata+`,
				"policyRule": {"if": {"field": "type", "equals": "Microsoft.ApiManagement/service"}, "then": {"effect": "audit"}}}}`))
			if err != nil {
				t.Fatal(err)
			}
			c := def.Check(nil, &Env{})
			if !reflect.DeepEqual(c.References, tc.wantRefs) || c.Severity != tc.wantSev || c.BuiltIn {
				t.Errorf("references %q severity %s built-in %v; want %q %s false", c.References, c.Severity, c.BuiltIn, tc.wantRefs, tc.wantSev)
			}
		})
	}
}
