package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/lensix/lensix/internal/check"
	"github.com/lensix/lensix/internal/report"
	"github.com/lensix/lensix/internal/resource"
	"github.com/lensix/lensix/internal/suppress"
)

func TestPolicyExport(t *testing.T) {
	t.Run("json holds each definition and the initiative", func(t *testing.T) {
		code, out, errOut := run(t, "policy", "export", "apimgmt_nomanagedidentity")
		if code != ExitOK {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		var doc struct {
			PolicyDefinitions []struct {
				Name       string `json:"name"`
				Properties struct {
					Mode       string          `json:"mode"`
					Metadata   map[string]any  `json:"metadata"`
					Parameters map[string]any  `json:"parameters"`
					PolicyRule json.RawMessage `json:"policyRule"`
				} `json:"properties"`
			} `json:"policyDefinitions"`
			PolicySetDefinition struct {
				Properties struct {
					PolicyDefinitions []map[string]any `json:"policyDefinitions"`
				} `json:"properties"`
			} `json:"policySetDefinition"`
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, out)
		}
		c, _ := check.Lookup("apimgmt_nomanagedidentity")
		d := doc.PolicyDefinitions[0]
		var exported, original bytes.Buffer
		_ = json.Compact(&exported, d.Properties.PolicyRule)
		_ = json.Compact(&original, c.PolicyRule)
		switch {
		case d.Name != "apimgmt_nomanagedidentity" || d.Properties.Mode != "All":
			t.Errorf("definition %s mode %s", d.Name, d.Properties.Mode)
		case d.Properties.Metadata["category"] != "API Management" || d.Properties.Metadata["version"] != "1.0.0":
			t.Errorf("metadata %v", d.Properties.Metadata)
		case exported.String() != original.String():
			t.Errorf("the exported rule is not the check's rule:\n%s\n%s", exported.String(), original.String())
		case len(doc.PolicySetDefinition.Properties.PolicyDefinitions) != 1:
			t.Errorf("initiative holds %d definitions", len(doc.PolicySetDefinition.Properties.PolicyDefinitions))
		}
		effect := d.Properties.Parameters["effect"].(map[string]any)
		if effect["defaultValue"] != "Audit" || len(effect["allowedValues"].([]any)) != 3 {
			t.Errorf("effect parameter %v", effect)
		}
	})
	t.Run("terraform is valid HCL with the azurerm resources", func(t *testing.T) {
		code, out, errOut := run(t, "policy", "export", "--format", "terraform", "--effect", "deny")
		if code != ExitOK {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		if _, diags := hclsyntax.ParseConfig([]byte(out), "policy.tf", hcl.InitialPos); diags.HasErrors() {
			t.Fatalf("invalid HCL: %v", diags)
		}
		for _, want := range []string{`resource "azurerm_policy_definition" "apimgmt_nomanagedidentity"`, `resource "azurerm_policy_set_definition" "lensix"`, `resource "azurerm_subscription_policy_assignment" "lensix"`, `default     = "Deny"`} {
			if !strings.Contains(out, want) {
				t.Errorf("missing %s", want)
			}
		}
	})
	t.Run("bicep creates and assigns the initiative at subscription scope", func(t *testing.T) {
		code, out, _ := run(t, "policy", "export", "--format", "bicep")
		for _, want := range []string{"targetScope = 'subscription'", "'Microsoft.Authorization/policyDefinitions@2023-04-01'", "'Microsoft.Authorization/policySetDefinitions@2023-04-01'", "'Microsoft.Authorization/policyAssignments@2024-04-01'", `value: '[parameters(\'effect\')]'`, `'if': {`} {
			if code != ExitOK || !strings.Contains(out, want) {
				t.Errorf("exit %d, missing %s", code, want)
			}
		}
	})
	t.Run("--out writes the file", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "sub", "lensix.json")
		if code, _, errOut := run(t, "policy", "export", "--out", file); code != ExitOK {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		if data, err := os.ReadFile(file); err != nil || !json.Valid(data) {
			t.Errorf("read %s: %v", file, err)
		}
	})
	for _, format := range []string{"json", "bicep", "terraform"} {
		t.Run("a check named twice in any case is exported once as "+format, func(t *testing.T) {
			code, out, errOut := run(t, "policy", "export", "--format", format, "apimgmt_nomanagedidentity", "APIMGMT_NOMANAGEDIDENTITY")
			if code != ExitOK {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			once := map[string]string{"json": `"name": "apimgmt_nomanagedidentity"`, "bicep": "resource def_", "terraform": `resource "azurerm_policy_definition"`}[format]
			if n := strings.Count(out, once); n != 1 {
				t.Errorf("%q appears %d times, want once:\n%s", once, n, out)
			}
		})
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"an effect that cannot be exported is a usage error", []string{"--effect", "Modify"}, `effect "Modify" cannot be exported`},
		{"an unknown check is a usage error", []string{"no_such_check"}, `unknown check "no_such_check"`},
		{"an unknown format is a usage error", []string{"--format", "yaml"}, `unknown --format "yaml"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := run(t, append([]string{"policy", "export"}, tc.args...)...)
			if code != ExitUsage || !strings.Contains(errOut, tc.want) {
				t.Errorf("exit %d, stderr %q, want %q", code, errOut, tc.want)
			}
		})
	}
}

func TestPolicyEvalArguments(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	_ = os.WriteFile(bad, []byte(`{"properties": {"policyRule": {"if": {"field": "type", "equalz": "x"}, "then": {"effect": "audit"}}}}`), 0o644)
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"--definition is required", []string{"policy", "eval", dir}, "--definition is required"},
		{"a bad --param is a usage error", []string{"policy", "eval", "--definition", bad, "--param", "novalue", dir}, `--param "novalue": want NAME=VALUE`},
		{"no loadable definition is a usage error naming the file and JSON path", []string{"policy", "eval", "--definition", bad, dir}, `bad.json: policy definition not loaded: at properties.policyRule.if.equalz: unknown condition "equalz"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := run(t, tc.args...)
			if code != ExitUsage || !strings.Contains(errOut, tc.want) {
				t.Errorf("exit %d, stderr %q, want %q", code, errOut, tc.want)
			}
		})
	}
}

func TestPolicyReportKeepsGoodDefinitionsBesideBadOnes(t *testing.T) {
	dir := t.TempDir()
	_ = os.WriteFile(filepath.Join(dir, "bad.json"), []byte(`{"properties": {"policyRule": {"if": {"value": "[nope()]", "equals": 1}, "then": {"effect": "audit"}}}}`), 0o644)
	_ = os.WriteFile(filepath.Join(dir, "broken.json"), []byte(`{"properties": `), 0o644)
	_ = os.WriteFile(filepath.Join(dir, "good.json"), []byte(`{"name": "deny-eastus", "properties": {"displayName": "No East US", "mode": "All",
		"policyRule": {"if": {"field": "location", "equals": "eastus"}, "then": {"effect": "deny"}}}}`), 0o644)
	opts := &PolicyEvalOptions{Definitions: []string{dir}, Paths: []string{t.TempDir()}, Now: func() time.Time { return time.Unix(0, 0) }}
	rep, err := policyReport(context.Background(), opts, &suppress.Config{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Checks) != 1 || rep.Checks[0].ID != "deny-eastus" || rep.Checks[0].Title != "No East US" {
		t.Errorf("checks %v", rep.Checks)
	}
	var messages []string
	for _, d := range rep.Errors {
		messages = append(messages, d.Error())
	}
	joined := strings.Join(messages, "\n")
	for _, want := range []string{`bad.json: policy definition not loaded: at properties.policyRule.if.value: unknown function "nope"`, "broken.json: policy definition not loaded: not a valid policy definition"} {
		if !strings.Contains(joined, want) {
			t.Errorf("diagnostics %q\nlack %q", joined, want)
		}
	}
}

func TestScanPoliciesAddsDefinitionsBesideTheChecks(t *testing.T) {
	dir := t.TempDir()
	_ = os.WriteFile(filepath.Join(dir, "good.json"), []byte(`{"name": "deny-eastus", "properties": {"mode": "All",
		"policyRule": {"if": {"field": "location", "equals": "eastus"}, "then": {"effect": "deny"}}}}`), 0o644)
	rep := &report.Report{Checks: check.All()}
	opts := &ScanOptions{Policies: []string{dir}, Paths: []string{t.TempDir()}, Now: func() time.Time { return time.Unix(0, 0) }}
	resources := []*resource.Resource{{Type: "Microsoft.Storage/storageAccounts", Name: "sa",
		Body: map[string]any{"type": "Microsoft.Storage/storageAccounts", "name": "sa", "location": "eastus"}}}
	defs, diags, err := loadPolicies(opts.Policies, rep.Checks)
	if err != nil {
		t.Fatal(err)
	}
	addPolicyFindings(rep, resources, defs, diags, opts.Now(), &suppress.Config{})
	last := rep.Checks[len(rep.Checks)-1]
	if len(rep.Checks) != len(check.All())+1 || last.ID != "deny-eastus" {
		t.Errorf("checks %v", rep.Checks)
	}
	if len(rep.Findings) != 1 || rep.Findings[0].Status != check.Fail || rep.Findings[0].Check.ID != "deny-eastus" {
		t.Errorf("want the resource in eastus to fail deny-eastus, got %+v", rep.Findings)
	}
	opts.Policies = []string{filepath.Join(dir, "missing.json")}
	if _, _, err := loadPolicies(opts.Policies, rep.Checks); err == nil || !strings.Contains(err.Error(), "--policies: no policy definition could be loaded") {
		t.Errorf("missing file: %v", err)
	}
}

func TestPolicyParamsMergeAnAssignmentWithParamFlags(t *testing.T) {
	file := filepath.Join(t.TempDir(), "assignment.json")
	_ = os.WriteFile(file, []byte(`{"id": "/subscriptions/s/providers/Microsoft.Authorization/policyAssignments/a",
		"properties": {"parameters": {"effect": {"value": "Audit"}, "allowed": {"value": ["westeurope"]}}}}`), 0o644)
	params, err := policyParams(file, []string{"effect=Deny", `tags={"env": "prod"}`})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(params)
	if string(got) != `{"allowed":["westeurope"],"effect":"Deny","tags":{"env":"prod"}}` {
		t.Errorf("params %s", got)
	}
	_ = os.WriteFile(file, []byte(`{"parameters": `), 0o644)
	if _, err := policyParams(file, nil); err == nil || !strings.Contains(err.Error(), "assignment.json") {
		t.Errorf("broken assignment: %v", err)
	}
}

func TestScanPoliciesSkipsDefinitionsWithTheIDOfARunningCheck(t *testing.T) {
	rule := `"policyRule": {"if": {"field": "type", "equals": "Microsoft.ApiManagement/service"}, "then": {"effect": "audit"}}`
	for _, tc := range []struct {
		name     string
		defName  string
		checks   []*check.Check
		wantRuns bool
	}{
		{"a definition named as a running check is skipped", "apimgmt_nomanagedidentity", check.All(), false},
		{"a definition named as a running check in another case is skipped", "APIMGMT_NoManagedIdentity", check.All(), false},
		{"a definition named as a check left out of the scan runs", "apimgmt_nomanagedidentity", nil, true},
		{"a definition with its own name runs", "apim-audit", check.All(), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "out.json")
			_ = os.WriteFile(file, []byte(`{"name": "`+tc.defName+`", "properties": {"mode": "All", `+rule+`}}`), 0o644)
			rep := &report.Report{Checks: tc.checks}
			resources := []*resource.Resource{{Type: "Microsoft.ApiManagement/service", Name: "apim",
				Body: map[string]any{"type": "Microsoft.ApiManagement/service", "name": "apim"}}}
			defs, diags, err := loadPolicies([]string{file}, rep.Checks)
			if err != nil {
				t.Fatal(err)
			}
			addPolicyFindings(rep, resources, defs, diags, time.Unix(0, 0), &suppress.Config{})
			if runs := len(rep.Findings) == 1; runs != tc.wantRuns {
				t.Errorf("definition ran: %v, want %v (findings %+v)", runs, tc.wantRuns, rep.Findings)
			}
			warned := len(rep.Errors) == 1 && !rep.Errors.HasErrors() && rep.Errors[0].Range.Filename == filepath.ToSlash(file) &&
				strings.Contains(rep.Errors[0].Summary, "has the ID of the built-in check apimgmt_nomanagedidentity, which already runs; skipped")
			if warned == tc.wantRuns {
				t.Errorf("diagnostics %v, want a warning naming the file: %v", rep.Errors, !tc.wantRuns)
			}
		})
	}
}

func TestScanPoliciesCountAsChecksSuppressionsMayName(t *testing.T) {
	dir := t.TempDir()
	policies := filepath.Join(dir, "policies")
	_ = os.MkdirAll(policies, 0o755)
	_ = os.WriteFile(filepath.Join(policies, "deny.json"), []byte(`{"name": "deny-eastus", "properties": {"mode": "All",
		"policyRule": {"if": {"field": "location", "equals": "eastus"}, "then": {"effect": "deny"}}}}`), 0o644)
	tests := []struct {
		name, checkID string
		warned        bool
	}{
		{"a suppression naming a policy definition that runs is no warning", "deny-eastus", false},
		{"a suppression naming a misspelled policy definition is warned", "deny-eastsu", true},
	}
	t.Run("a suppression of a definition the resource complies with is warned", func(t *testing.T) {
		tmpl := filepath.Join(t.TempDir(), "main.json")
		_ = os.WriteFile(tmpl, []byte(`{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0", "resources": [{"type": "Microsoft.Storage/storageAccounts", "apiVersion": "2023-01-01", "name": "sa",
  "location": "westeurope", "metadata": {"lensix": {"ignore": [{"check": "deny-eastus", "reason": "r"}]}}}]}`), 0o644)
		_, out, stderr := run(t, "scan", tmpl, "--policies", policies, "-o", "json")
		if !strings.Contains(out, "Suppression of deny-eastus matches no result") {
			t.Errorf("no unused-suppression warning\n%s%s", out, stderr)
		}
	})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmpl := filepath.Join(t.TempDir(), "main.json")
			_ = os.WriteFile(tmpl, []byte(`{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0", "resources": [{"type": "Microsoft.Storage/storageAccounts", "apiVersion": "2023-01-01", "name": "sa",
  "location": "eastus", "metadata": {"lensix": {"ignore": [{"check": "`+tt.checkID+`", "reason": "r"}]}}}]}`), 0o644)
			_, out, stderr := run(t, "scan", tmpl, "--policies", policies, "-o", "json")
			if warned := strings.Contains(out, `unknown check \"`+tt.checkID+`\"`); warned != tt.warned {
				t.Errorf("warned %v, want %v\n%s%s", warned, tt.warned, out, stderr)
			}
			if !tt.warned && strings.Contains(out, "matches no result") {
				t.Errorf("a suppression that silenced a definition's failure is reported unused\n%s", out)
			}
		})
	}
}

func TestPolicyEvalWarnsAtSuppressionsOfADefinitionThatMatchNoResult(t *testing.T) {
	defs := t.TempDir()
	_ = os.WriteFile(filepath.Join(defs, "deny.json"), []byte(`{"name": "deny-eastus", "properties": {"mode": "All",
		"policyRule": {"if": {"field": "location", "equals": "eastus"}, "then": {"effect": "deny"}}}}`), 0o644)
	tests := []struct {
		name, location string
		warned         bool
	}{
		{"a suppression of a definition the resource complies with is warned", "westeurope", true},
		{"a suppression that silenced a denied resource is no warning", "eastus", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			_ = os.WriteFile(filepath.Join(dir, "main.json"), []byte(`{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0", "resources": [{"type": "Microsoft.Storage/storageAccounts", "apiVersion": "2023-01-01", "name": "sa",
  "location": "`+tt.location+`", "metadata": {"lensix": {"ignore": [{"check": "deny-eastus", "reason": "r"}]}}}]}`), 0o644)
			opts := &PolicyEvalOptions{Definitions: []string{defs}, Paths: []string{dir}, Now: func() time.Time { return time.Unix(0, 0) }}
			rep, err := policyReport(context.Background(), opts, &suppress.Config{}, nil)
			if err != nil {
				t.Fatal(err)
			}
			warned := false
			for _, d := range rep.Errors {
				warned = warned || strings.Contains(d.Summary, "Suppression of deny-eastus matches no result")
			}
			if warned != tt.warned {
				t.Errorf("warned %v, want %v; diagnostics %v", warned, tt.warned, rep.Errors)
			}
		})
	}
}
