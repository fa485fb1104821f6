package policy

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/lensix/lensix/internal/check"
)

// awkwardCheck has text that breaks naive HCL and Bicep writers: template sequences, quotes,
// backslashes and a newline.
var awkwardCheck = &check.Check{Metadata: check.Metadata{
	ID:            "storage_awkward",
	Title:         `Storage "quoted" title with ${var.x} and %{if}`,
	Severity:      check.High,
	ResourceTypes: []string{"Microsoft.Storage/storageAccounts"},
	Description:   "It's a back\\slash and a\nnewline with ${interpolation}.",
	PolicyRule: json.RawMessage(`{"if": {"allOf": [{"field": "type", "equals": "Microsoft.Storage/storageAccounts"},
		{"field": "tags['owner']", "notLike": "${team}*"}]}, "then": {"effect": "[parameters('effect')]"}}`),
}}

func TestExportWritesTextSafelyForEveryFormat(t *testing.T) {
	exp, err := Export([]*check.Check{awkwardCheck}, ExportOptions{Effect: "deny"})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("terraform keeps template sequences literal", func(t *testing.T) {
		src, err := exp.Terraform()
		if err != nil {
			t.Fatal(err)
		}
		file, diags := hclsyntax.ParseConfig(src, "policy.tf", hcl.InitialPos)
		if diags.HasErrors() {
			t.Fatalf("invalid HCL: %v\n%s", diags, src)
		}
		body := file.Body.(*hclsyntax.Body)
		definitions := 0
		for _, block := range body.Blocks {
			if block.Type != "resource" || block.Labels[0] != "azurerm_policy_definition" {
				continue
			}
			definitions++
			for name, want := range map[string]string{"display_name": awkwardCheck.Title, "description": awkwardCheck.Description} {
				v, diags := block.Body.Attributes[name].Expr.Value(nil)
				if diags.HasErrors() || v.AsString() != want {
					t.Errorf("%s = %q (%v), want %q", name, v.GoString(), diags, want)
				}
			}
			rule, diags := block.Body.Attributes["policy_rule"].Expr.Value(nil)
			if diags.HasErrors() || !strings.Contains(rule.AsString(), `"notLike": "${team}*"`) {
				t.Errorf("policy_rule = %v (%v)", rule.GoString(), diags)
			}
		}
		if definitions != 1 {
			t.Errorf("found %d azurerm_policy_definition blocks, want 1", definitions)
		}
	})
	t.Run("bicep escapes quotes, backslashes, newlines and interpolation", func(t *testing.T) {
		src := string(exp.Bicep())
		for _, want := range []string{`description: 'It\'s a back\\slash and a\nnewline with \${interpolation}.'`, `notLike: '\${team}*'`, `param effect string = 'Deny'`} {
			if !strings.Contains(src, want) {
				t.Errorf("missing %s in\n%s", want, src)
			}
		}
	})
	t.Run("json carries the severity and the rule", func(t *testing.T) {
		data, err := exp.JSON()
		if err != nil {
			t.Fatal(err)
		}
		defs, errs := ParseDocument("lensix.json", data)
		if len(errs) != 0 || len(defs) != 1 {
			t.Fatalf("re-read: %v", errs)
		}
		if c := defs[0].Check(nil, nil); c.Severity != check.High || c.ID != "storage_awkward" || strings.Join(c.ResourceTypes, ",") != "Microsoft.Storage/storageAccounts" {
			t.Errorf("check %+v", c.Metadata)
		}
	})
}

func TestExportRefusesChecksWithoutARule(t *testing.T) {
	noRule := &check.Check{Metadata: check.Metadata{ID: "x_norule", ResourceTypes: []string{"a/b"}}}
	if _, err := Export([]*check.Check{noRule}, ExportOptions{}); err == nil || !strings.Contains(err.Error(), "check x_norule has no Azure Policy rule") {
		t.Errorf("got %v", err)
	}
}
