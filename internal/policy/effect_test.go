package policy

import (
	"fmt"
	"strings"
	"testing"

	"github.com/lensix/lensix/internal/resource"
)

const apimType = "Microsoft.ApiManagement/service"

// diagnosticsRule is the shape of Azure's "resource logs should be enabled" built-ins.
const diagnosticsRule = `{"properties": {"mode": "Indexed", "parameters": {"effect": {"type": "String", "defaultValue": "AuditIfNotExists", "allowedValues": ["AuditIfNotExists", "Disabled"]}},
 "policyRule": {"if": {"field": "type", "equals": "Microsoft.ApiManagement/service"},
  "then": {"effect": "[parameters('effect')]", "details": {"type": "Microsoft.Insights/diagnosticSettings",
   "existenceCondition": {"allOf": [
     {"field": "Microsoft.Insights/diagnosticSettings/logs.enabled", "equals": "true"},
     {"field": "Microsoft.Insights/diagnosticSettings/workspaceId", "exists": true}]}}}}}}`

func TestAuditIfNotExistsLooksForRelatedResourcesInTheScan(t *testing.T) {
	def, err := Parse("diag.json", []byte(diagnosticsRule))
	if err != nil {
		t.Fatal(err)
	}
	service := func() *resource.Resource {
		r := res(apimType, "apim", map[string]any{"location": "westeurope"})
		r.Provenance.Range.Filename = "main.json"
		return r
	}
	setting := func(scopeBy string, enabled any, workspace any) *resource.Resource {
		props := map[string]any{"logs": []any{map[string]any{"categoryGroup": "allLogs", "enabled": enabled}}}
		if workspace != nil {
			props["workspaceId"] = workspace
		}
		r := &resource.Resource{Type: "Microsoft.Insights/diagnosticSettings", Name: "diag", Body: map[string]any{"properties": props}}
		switch scopeBy {
		case "scope":
			r.Body["scope"] = "Microsoft.ApiManagement/service/apim"
		case "nested":
			r.Type, r.Name = "Microsoft.ApiManagement/service/providers/diagnosticSettings", "apim/Microsoft.Insights/diag"
		case "other":
			r.Body["scope"] = "Microsoft.ApiManagement/service/other"
		}
		return r
	}
	cases := []struct {
		name    string
		related []*resource.Resource
		want    Compliance
		message string
	}{
		{"a service without diagnostic settings is non-compliant", nil, NonCompliant, "no related Microsoft.Insights/diagnosticSettings"},
		{"a setting scoped to the service with logs to a workspace complies", []*resource.Resource{setting("scope", true, "/ws")}, Compliant, "satisfies the existence condition"},
		{"a setting in ARM's nested form complies", []*resource.Resource{setting("nested", true, "/ws")}, Compliant, ""},
		{"a setting with logs disabled does not", []*resource.Resource{setting("scope", false, "/ws")}, NonCompliant, "none of the 1 related"},
		{"a setting of another service does not count", []*resource.Resource{setting("other", true, "/ws")}, NonCompliant, "no related"},
		{"a setting whose workspace is unknown is unknown", []*resource.Resource{setting("scope", true, unknownValue)}, Undetermined, ""},
		{"one good setting among bad ones complies", []*resource.Resource{setting("scope", false, "/ws"), setting("scope", true, "/ws")}, Compliant, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := service()
			params, _ := def.Bind(nil)
			got, na := def.Evaluate(r, params, &Env{Resources: append([]*resource.Resource{r}, tc.related...)})
			if na != nil {
				t.Fatalf("not applicable: %s", na.Reason)
			}
			if got.Compliance != tc.want || !strings.Contains(got.Message, tc.message) {
				t.Errorf("got %s (%s), want %s containing %q", got.Compliance, got.Message, tc.want, tc.message)
			}
		})
	}
}

func TestMissingRelatedResourceOfAnInventoryIsUnknownUnlessTheScanHoldsThatType(t *testing.T) {
	def, err := Parse("diag.json", []byte(diagnosticsRule))
	if err != nil {
		t.Fatal(err)
	}
	const group = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ApiManagement/service/"
	service := func(source string) *resource.Resource {
		r := res(apimType, "apim", map[string]any{"location": "westeurope"})
		r.ID, r.Provenance.Source = group+"apim", source
		r.Provenance.Range.Filename = "scan/apim.json"
		return r
	}
	otherServicesSetting := &resource.Resource{Type: "Microsoft.Insights/diagnosticSettings", Name: "d", ID: group + "other/providers/Microsoft.Insights/diagnosticSettings/d",
		Body: map[string]any{"properties": map[string]any{"workspaceId": "/ws", "logs": []any{map[string]any{"enabled": true}}}}}
	cases := []struct {
		name    string
		source  string
		others  []*resource.Resource
		want    Compliance
		message string
	}{
		{"a snapshot resource without related resources in the scan is unknown", "snapshot", nil, Undetermined,
			"the scan's inventory holds no Microsoft.Insights/diagnosticSettings resources, so lensix cannot tell whether one exists; scan them too or evaluate the IaC that deploys them"},
		{"a live resource without related resources in the scan is unknown", "azure", nil, Undetermined, "inventory holds no Microsoft.Insights/diagnosticSettings resources"},
		{"a snapshot resource fails when the scan holds that type but none belongs to it", "snapshot", []*resource.Resource{otherServicesSetting}, NonCompliant, "no related Microsoft.Insights/diagnosticSettings"},
		{"an ARM resource without related resources fails as the template is the whole deployment", "arm", nil, NonCompliant, "no related Microsoft.Insights/diagnosticSettings"},
		{"a Terraform resource without related resources fails as before", "terraform", nil, NonCompliant, "no related Microsoft.Insights/diagnosticSettings"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := service(tc.source)
			params, _ := def.Bind(nil)
			got, na := def.Evaluate(r, params, &Env{Resources: append([]*resource.Resource{r}, tc.others...)})
			if na != nil {
				t.Fatalf("not applicable: %s", na.Reason)
			}
			if got.Compliance != tc.want || !strings.Contains(got.Message, tc.message) {
				t.Errorf("got %s (%s), want %s containing %q", got.Compliance, got.Message, tc.want, tc.message)
			}
		})
	}
}

func TestRelatedByResourceID(t *testing.T) {
	def, _ := Parse("diag.json", []byte(diagnosticsRule))
	id := "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ApiManagement/service/apim"
	r := &resource.Resource{Type: apimType, Name: "apim", ID: id, Body: map[string]any{"location": "westeurope"}}
	setting := &resource.Resource{Type: "Microsoft.Insights/diagnosticSettings", Name: "d", ID: id + "/providers/Microsoft.Insights/diagnosticSettings/d",
		Body: map[string]any{"properties": map[string]any{"workspaceId": "/ws", "logs": []any{map[string]any{"enabled": true}}}}}
	params, _ := def.Bind(nil)
	got, _ := def.Evaluate(r, params, &Env{Resources: []*resource.Resource{r, setting}})
	if got.Compliance != Compliant {
		t.Errorf("got %s: %s", got.Compliance, got.Message)
	}
}

func TestEffects(t *testing.T) {
	modify := `{"effect": "modify", "details": {"roleDefinitionIds": ["/x"], "operations": [
		{"operation": "addOrReplace", "field": "[concat('tags[', parameters('tagName'), ']')]", "value": "prod"},
		{"operation": "add", "field": "Microsoft.ApiManagement/service/publicNetworkAccess", "value": "Disabled", "condition": "[equals(1, 2)]"},
		{"operation": "remove", "field": "tags['old']"}]}}`
	appendEffect := `{"effect": "append", "details": [{"field": "Microsoft.ApiManagement/service/sku.name", "value": "Premium"}]}`
	r := res(apimType, "apim", map[string]any{"location": "westeurope", "tags": map[string]any{"old": "x"}})
	cases := []struct {
		name, then string
		want       Compliance
		message    string
		effect     string
	}{
		{"audit reports a match as non-compliant", `{"effect": "Audit"}`, NonCompliant, "matches the policy rule", "Audit"},
		{"deny says Azure would deny the deployment", `{"effect": "deny"}`, NonCompliant, "would deny deploying", "Deny"},
		{"modify lists the operations whose condition holds", modify, NonCompliant, "would modify this resource: addOrReplace tags[env] = prod; remove tags['old']", "Modify"},
		{"append lists what it would add", appendEffect, NonCompliant, "would append this resource: append Microsoft.ApiManagement/service/sku.name = Premium", "Append"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			def := ruleDefinition(t, "All", `{"field": "type", "equals": "Microsoft.ApiManagement/service"}`, tc.then)
			params, _ := def.Bind(nil)
			got, na := def.Evaluate(r, params, nil)
			if na != nil {
				t.Fatalf("not applicable: %s", na.Reason)
			}
			if got.Compliance != tc.want || got.Effect != tc.effect || !strings.Contains(got.Message, tc.message) {
				t.Errorf("got %s %s (%s), want %s %s containing %q", got.Effect, got.Compliance, got.Message, tc.effect, tc.want, tc.message)
			}
		})
	}
}

func TestNotApplicable(t *testing.T) {
	apim := res(apimType, "apim", map[string]any{"location": "westeurope"})
	child := res("Microsoft.ApiManagement/service/apis", "apim/api", nil)
	cases := []struct {
		name, mode, cond, then string
		r                      *resource.Resource
		reason                 string
	}{
		{"a resource of another type", "All", `{"allOf": [{"field": "type", "equals": "Microsoft.Web/sites"}, {"field": "kind", "exists": false}]}`, "", apim, "outside the definition"},
		{"a type excluded under not", "All", `{"not": {"field": "type", "notEquals": "Microsoft.Web/sites"}}`, "", apim, "outside the definition"},
		{"a disabled effect", "All", `{"field": "type", "equals": "Microsoft.ApiManagement/service"}`, `{"effect": "Disabled"}`, apim, "Disabled"},
		{"an Indexed definition on a resource without tags or location", "Indexed", `{"field": "name", "exists": true}`, "", child, "Indexed"},
		{"an IfNotExists effect whose whole if is false", "All", `{"allOf": [{"field": "type", "equals": "Microsoft.ApiManagement/service"}, {"field": "location", "equals": "eastus"}]}`, `{"effect": "auditIfNotExists", "details": {"type": "Microsoft.Insights/diagnosticSettings"}}`, apim, "does not match the policy rule's if"},
		{"a deployment, which Azure Policy never evaluates", "All", `{"field": "name", "exists": true}`, "", res("Microsoft.Resources/deployments", "d", nil), "does not evaluate"},
		{"a type and kind rule on a resource of another type", "All", `{"allOf": [{"field": "type", "equals": "Microsoft.Web/sites"}, {"field": "kind", "equals": "functionapp"}]}`, "", apim, "outside the definition"},
		{"a data-plane mode", "Microsoft.KeyVault.Data", `{"field": "type", "equals": "Microsoft.KeyVault.Data/vaults/secrets"}`, "", apim, "data-plane"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			def := ruleDefinition(t, tc.mode, tc.cond, tc.then)
			params, _ := def.Bind(nil)
			got, na := def.Evaluate(tc.r, params, nil)
			if na == nil {
				t.Fatalf("applicable: %s %s", got.Compliance, got.Message)
			}
			if !strings.Contains(na.Reason, tc.reason) {
				t.Errorf("reason %q does not contain %q", na.Reason, tc.reason)
			}
		})
	}
	for _, tc := range []struct{ name, cond string }{
		{"a rule of name conditions alone applies to every resource", `{"not": {"field": "name", "like": "apim*"}}`},
		{"a rule of type and name conditions alone decides applicability by type only", `{"allOf": [{"field": "type", "equals": "Microsoft.ApiManagement/service"}, {"field": "name", "equals": "other"}]}`},
		{"a rule of type and kind conditions alone decides applicability by type only", `{"allOf": [{"field": "type", "equals": "Microsoft.ApiManagement/service"}, {"field": "kind", "equals": "other"}]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			def := ruleDefinition(t, "All", tc.cond, "")
			got, na := def.Evaluate(apim, map[string]any{}, nil)
			if na != nil || got.Compliance != Compliant {
				t.Errorf("got %v %v, want compliant", got, na)
			}
		})
	}
	t.Run("a rule of type, name and other conditions decides applicability by type and name", func(t *testing.T) {
		def := ruleDefinition(t, "All", `{"allOf": [{"field": "type", "equals": "Microsoft.ApiManagement/service"}, {"field": "name", "equals": "other"}, {"field": "location", "exists": true}]}`, "")
		if _, na := def.Evaluate(apim, map[string]any{}, nil); na == nil {
			t.Error("applicable, want not applicable")
		}
	})
	t.Run("a resource whose type condition holds but other conditions do not is compliant", func(t *testing.T) {
		def := ruleDefinition(t, "All", `{"allOf": [{"field": "type", "equals": "Microsoft.ApiManagement/service"}, {"field": "location", "equals": "eastus"}]}`, "")
		got, na := def.Evaluate(apim, map[string]any{"tagName": "env", "allowed": []any{}}, nil)
		if na != nil || got.Compliance != Compliant {
			t.Errorf("got %v %v", got, na)
		}
	})
}

func TestBind(t *testing.T) {
	doc := `{"properties": {"parameters": {
		"effect": {"type": "String", "allowedValues": ["Audit", "Deny"], "defaultValue": "Audit"},
		"locations": {"type": "Array"},
		"days": {"type": "Integer", "defaultValue": 7}},
	 "policyRule": {"if": {"field": "location", "notIn": "[parameters('locations')]"}, "then": {"effect": "[parameters('effect')]"}}}}`
	def, err := Parse("p.json", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := def.Bind(nil); err == nil || !strings.Contains(err.Error(), `parameter "locations" of p has no default value; give it with --param locations=VALUE`) {
		t.Errorf("missing parameter: %v", err)
	}
	if _, err := def.Bind(map[string]any{"locations": "[]", "effect": "Block"}); err == nil || !strings.Contains(err.Error(), "not one of the allowed values") {
		t.Errorf("disallowed value: %v", err)
	}
	if _, err := def.Bind(map[string]any{"locations": "[]", "colour": "x"}); err == nil || !strings.Contains(err.Error(), `has no parameter "colour"`) {
		t.Errorf("undeclared parameter: %v", err)
	}
	got, err := def.Bind(map[string]any{"Locations": "westeurope;northeurope", "effect": "deny", "days": "14"})
	if err != nil {
		t.Fatal(err)
	}
	if stringForm(got["locations"]) != `["westeurope","northeurope"]` || got["effect"] != "deny" || got["days"] != 14.0 {
		t.Errorf("bound %v", got)
	}
	r := res("Microsoft.Storage/storageAccounts", "st", map[string]any{"location": "eastus"})
	result, _ := def.Evaluate(r, got, nil)
	if result.Effect != "Deny" || result.Compliance != NonCompliant {
		t.Errorf("got %s %s", result.Effect, result.Compliance)
	}
}

func TestParseDocument(t *testing.T) {
	bundle, err := Export(nil, ExportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	data, _ := bundle.JSON()
	if defs, errs := ParseDocument("empty.json", data); len(defs) != 0 || len(errs) != 0 {
		t.Errorf("empty bundle: %v %v", defs, errs)
	}
	array := `[{"name": "a", "properties": {"policyRule": {"if": {"field": "type", "equals": "x"}, "then": {"effect": "audit"}}}},
		{"name": "b", "properties": {"policyRule": {"if": {"field": "type", "equalz": "x"}, "then": {"effect": "audit"}}}}]`
	defs, errs := ParseDocument("many.json", []byte(array))
	if len(defs) != 1 || defs[0].Name != "a" || len(errs) != 1 || !strings.Contains(errs[0].Error(), "many.json: [1].properties.policyRule.if.equalz") {
		t.Errorf("array: %v %v", defs, errs)
	}
	set := `{"properties": {"displayName": "set", "policyDefinitions": [{"policyDefinitionId": "/x"}]}}`
	if _, errs := ParseDocument("set.json", []byte(set)); len(errs) != 1 || !strings.Contains(errs[0].Error(), "policy set definition") {
		t.Errorf("set: %v", errs)
	}
}

func TestEvaluateAllSharesParametersAndReportsUnboundDefinitions(t *testing.T) {
	withParam := `{"name": "loc", "properties": {"mode": "All", "parameters": {"allowed": {"type": "Array"}},
		"policyRule": {"if": {"field": "location", "notIn": "[parameters('allowed')]"}, "then": {"effect": "deny"}}}}`
	needsOther := `{"name": "other", "properties": {"mode": "All", "parameters": {"missing": {"type": "String"}},
		"policyRule": {"if": {"field": "location", "equals": "[parameters('missing')]"}, "then": {"effect": "audit"}}}}`
	var defs []*Definition
	for _, doc := range []string{withParam, needsOther, withParam} {
		d, err := Parse("d.json", []byte(doc))
		if err != nil {
			t.Fatal(err)
		}
		defs = append(defs, d)
	}
	resources := []*resource.Resource{res("Microsoft.Storage/storageAccounts", "st", map[string]any{"location": "eastus"})}
	eval := EvaluateAll(defs, resources, map[string]any{"allowed": `["westeurope"]`}, nil)
	if len(eval.Findings) != 2 || eval.Findings[0].Check.ID != "loc" || eval.Findings[0].Status != "fail" {
		t.Errorf("findings %+v", eval.Findings)
	}
	if len(eval.Diags) != 2 || !strings.Contains(eval.Diags[0].Error(), `parameter "missing" of other has no default value`) ||
		!strings.Contains(eval.Diags[1].Error(), "policy definition loc appears twice") {
		t.Errorf("diagnostics %v", eval.Diags)
	}
}

func TestSiblingResourcesWithoutResourceGroupsMatchWithinAFolder(t *testing.T) {
	def := ruleDefinition(t, "All", `{"field": "type", "equals": "Microsoft.Network/virtualNetworks"}`,
		`{"effect": "auditIfNotExists", "details": {"type": "Microsoft.Network/networkWatchers"}}`)
	vnet := res("Microsoft.Network/virtualNetworks", "vnet", nil)
	vnet.Provenance.Range.Filename = "infra/network/vnet.tf"
	watcher := func(file string) *resource.Resource {
		w := res("Microsoft.Network/networkWatchers", "nw", nil)
		w.Provenance.Range.Filename = file
		return w
	}
	params, _ := def.Bind(nil)
	for _, tc := range []struct {
		file string
		want Compliance
	}{{"infra/network/watcher.tf", Compliant}, {"infra/other/watcher.tf", NonCompliant}} {
		got, _ := def.Evaluate(vnet, params, &Env{Resources: []*resource.Resource{vnet, watcher(tc.file)}})
		if got.Compliance != tc.want {
			t.Errorf("watcher in %s: got %s (%s), want %s", tc.file, got.Compliance, got.Message, tc.want)
		}
	}
}

func TestPolicyFindingsMaskTheResourcesSecrets(t *testing.T) {
	tests := []struct {
		name     string
		location string // a secret that flowed into the location
	}{
		{"a secret a modify change quotes is masked", "Zq9-Secret-Loc"},
		{"an upper-cased secret a modify change quotes is masked", "ZQ9-SECRET-LOC"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Parse("d.json", []byte(`{"name": "loc", "properties": {"mode": "All",
				"policyRule": {"if": {"field": "location", "notEquals": "westeurope"}, "then": {"effect": "modify",
				"details": {"roleDefinitionIds": ["/r"], "operations": [{"operation": "addOrReplace", "field": "tags.origin", "value": "[field('location')]"}]}}}}}`))
			if err != nil {
				t.Fatal(err)
			}
			r := res("Microsoft.Storage/storageAccounts", "st", map[string]any{"location": tt.location})
			r.Secrets = []string{"Zq9-Secret-Loc"}
			eval := EvaluateAll([]*Definition{d}, []*resource.Resource{r}, nil, nil)
			if len(eval.Findings) != 1 {
				t.Fatalf("findings %+v", eval.Findings)
			}
			f := eval.Findings[0]
			text := f.Message + fmt.Sprint(f.Evidence)
			if strings.Contains(strings.ToLower(text), "zq9-secret") {
				t.Errorf("the finding holds the secret: %q %v", f.Message, f.Evidence)
			}
			if !strings.Contains(text, resource.Redacted) {
				t.Errorf("the finding does not show where the secret was: %q %v", f.Message, f.Evidence)
			}
		})
	}
}
