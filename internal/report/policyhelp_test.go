package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/lensix/lensix/internal/check"
)

// A check made from an Azure Policy definition has a description and references, nothing else:
// reports must not send its reader to `lensix explain` or docs/checks, which know only built-in
// checks, nor print empty sections.
func TestPolicyDefinitionChecksReferOnlyToHelpThatExists(t *testing.T) {
	const portal = "https://portal.azure.com/#view/Microsoft_Azure_Policy/PolicyDetailBlade/definitionId/%2Fproviders%2FMicrosoft.Authorization%2FpolicyDefinitions%2Fef619a2c"
	const description = "API Management services should use a virtual network."
	for _, tc := range []struct {
		name       string
		references []string
		wantHelp   string // the SARIF helpUri, "" for none
	}{
		{"an Azure built-in definition links to its portal page", []string{portal, "VNETEnabled_Audit.json"}, portal},
		{"a custom definition has no help link", []string{"policies/deny.json"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &check.Check{Metadata: check.Metadata{
				ID: "ef619a2c", Title: "API Management services should use a virtual network", Severity: check.Medium,
				ResourceTypes: []string{"Microsoft.ApiManagement/service"}, Description: description, References: tc.references,
			}}
			rep := fixtureReport()
			rep.Checks = []*check.Check{c}
			rep.Findings = []check.Finding{{Check: c, Resource: rep.Findings[0].Resource, Status: check.Fail, Message: "does not comply"}}
			for _, format := range Formats() {
				var buf bytes.Buffer
				if err := Write(&buf, format, rep, Options{WorkDir: testWorkDir}); err != nil {
					t.Fatalf("%s: %v", format, err)
				}
				out := buf.String()
				for _, bad := range []string{"lensix explain", "docs/checks", "How to fix: \n", "How to fix:\n", "**Why it matters.** \n", `"remediation"`, "\"fix: \n"} {
					if strings.Contains(out, bad) {
						t.Errorf("%s output holds %q:\n%s", format, bad, out)
					}
				}
				if format != "json" && !strings.Contains(out, "API Management services should use a virtual") {
					t.Errorf("%s output lacks the description as help:\n%s", format, out)
				}
			}
			var buf bytes.Buffer
			_ = Write(&buf, "sarif", rep, Options{WorkDir: testWorkDir})
			var log struct {
				Runs []struct {
					Tool struct {
						Driver struct {
							Rules []struct {
								HelpURI string `json:"helpUri"`
								Help    struct{ Text, Markdown string }
							}
						}
					}
				}
			}
			if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
				t.Fatal(err)
			}
			rule := log.Runs[0].Tool.Driver.Rules[0]
			if rule.HelpURI != tc.wantHelp || rule.Help.Text != "How to fix: "+description {
				t.Errorf("helpUri %q, help %q; want %q and the description", rule.HelpURI, rule.Help.Text, tc.wantHelp)
			}
		})
	}
}
