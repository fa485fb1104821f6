package check

import (
	"fmt"
	"strings"
)

// Markdown documents a check in full: what docs/checks/<id>.md holds and `lensix explain` prints.
// Remediation is shown with placeholders for the resource's names.
func (c *Check) Markdown() string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("# %s\n\n", c.ID)
	p("**%s**\n\n", c.Title)
	p("| | |\n|---|---|\n| Severity | %s |\n| Resource types | %s |\n\n", c.Severity, "`"+strings.Join(c.ResourceTypes, "`, `")+"`")
	p("## What it checks\n\n%s\n\n", c.Description)
	p("## Why it matters\n\n%s\n\n", c.Rationale)
	fix, err := c.RenderFix(Target{Name: "<name>", ResourceGroup: "<resource-group>", Subscription: "<subscription-id>"})
	if err != nil {
		fix = c.Remediation
	}
	p("## How to fix it\n\n%s\n\n", fix.Summary)
	p("Findings fill in the resource's real name and resource group where lensix knows them, and name its subscription (`--subscription`) where that is known.\n\n")
	p("### Azure CLI\n\n```sh\n%s\n```\n\n", fix.CLI)
	p("### Terraform\n\n```hcl\n%s\n```\n\n", fix.Terraform)
	p("### Bicep\n\n```bicep\n%s\n```\n\n", fix.Bicep)
	p("### ARM template\n\n```json\n%s\n```\n\n", fix.ARM)
	if len(c.PolicyRule) > 0 {
		p("### Azure Policy\n\nThis rule keeps the problem from coming back; `lensix policy export %s` writes a complete definition.\n\n```json\n%s\n```\n\n", c.ID, c.PolicyRule)
	}
	p("## References\n\n")
	for _, ref := range c.References {
		p("- %s\n", ref)
	}
	return b.String()
}
