package terraform_test

import (
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/lensix/lensix/internal/resource"
	"github.com/lensix/lensix/internal/source/terraform"
)

func readPlan(t *testing.T, name string) map[string]*resource.Resource {
	t.Helper()
	src, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	if !terraform.IsPlan(src) {
		t.Fatalf("%s is not recognised as a plan", name)
	}
	resources, diags := terraform.ReadPlan(name, src)
	if len(diags) != 0 {
		t.Fatalf("unexpected diagnostics: %v", diags)
	}
	byAddr := map[string]*resource.Resource{}
	for _, r := range resources {
		byAddr[r.Provenance.Address] = r
	}
	return byAddr
}

func TestReadPlan(t *testing.T) {
	byAddr := readPlan(t, "testdata/plan/plan.json")
	cases := []struct {
		name, address, path string
		want                any
	}{
		{"an azurerm identity block maps to identity.type", "azurerm_api_management.system", "identity.type", "SystemAssigned"},
		{"the sku is split as in HCL", "azurerm_api_management.system", "sku", map[string]any{"name": "Developer", "capacity": int64(1)}},
		{"a null attribute is absent", "azurerm_api_management.system", "tags", absent{}},
		{"an empty identity list means no identity", "azurerm_api_management.none[0]", "identity", absent{}},
		{"an identity that after_unknown marks is unknown", "azurerm_api_management.later", "identity", unknownWith("known only after apply")},
		{"an azapi JSON string body is decoded", "module.apim.azapi_resource.string_body", "identity.type", "UserAssigned"},
		{"an azapi body object is the ARM body", `module.apim.module.inner.azapi_resource.object_body["west"]`, "properties.publisherEmail", "a@b.example"},
		{"an azapi identity block is the identity", `module.apim.module.inner.azapi_resource.object_body["west"]`, "identity.type", "SystemAssigned"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			checkPath(t, mustGet(t, byAddr, tc.address), tc.path, tc.want)
		})
	}
	t.Run("data sources and other types are not returned", func(t *testing.T) {
		if len(byAddr) != 5 {
			t.Errorf("got %v, want 5 resources", addresses(byAddr))
		}
	})
	t.Run("provenance names the plan, the address and the span of the resource's object", func(t *testing.T) {
		p := mustGet(t, byAddr, "azurerm_api_management.later").Provenance
		if p.Source != "tfplan" || p.Range.Filename != "testdata/plan/plan.json" || p.Range.Start.Line != 30 || p.Range.End.Line != 36 {
			t.Errorf("provenance = %+v, want tfplan at testdata/plan/plan.json lines 30 to 36", p)
		}
		if p.Range.End.Byte <= p.Range.Start.Byte {
			t.Errorf("range %v is empty", p.Range)
		}
	})
	t.Run("the resource group comes from the values", func(t *testing.T) {
		if r := mustGet(t, byAddr, "azurerm_api_management.system"); r.ResourceGroup != "rg-plan" || r.Name != "apim-system" {
			t.Errorf("group %q, name %q", r.ResourceGroup, r.Name)
		}
		if r := mustGet(t, byAddr, "module.apim.azapi_resource.string_body"); r.ResourceGroup != "rg-azapi" {
			t.Errorf("azapi group %q", r.ResourceGroup)
		}
	})
}

func TestReadPlanFromResourceChangesOnly(t *testing.T) {
	src := `{"format_version":"1.2","resource_changes":[
  {"address":"azurerm_api_management.a","mode":"managed","type":"azurerm_api_management","change":{"actions":["create"],
   "after":{"name":"apim-a","identity":[{"type":"SystemAssigned"}]},"after_unknown":{"id":true}}},
  {"address":"azurerm_api_management.gone","mode":"managed","type":"azurerm_api_management","change":{"actions":["delete"],"after":null}},
  {"address":"azurerm_api_management.b","mode":"managed","type":"azurerm_api_management","change":{"actions":["create"],
   "after":{"name":"apim-b"},"after_unknown":{"identity":true}}}]}`
	resources, diags := terraform.ReadPlan("plan.json", []byte(src))
	if len(diags) != 0 || len(resources) != 2 {
		t.Fatalf("got %d resources and diagnostics %v, want 2 and none", len(resources), diags)
	}
	byAddr := map[string]*resource.Resource{}
	for _, r := range resources {
		byAddr[r.Provenance.Address] = r
	}
	t.Run("change.after is read when planned_values is absent", func(t *testing.T) {
		checkPath(t, mustGet(t, byAddr, "azurerm_api_management.a"), "identity.type", "SystemAssigned")
	})
	t.Run("after_unknown applies to change.after", func(t *testing.T) {
		checkPath(t, mustGet(t, byAddr, "azurerm_api_management.b"), "identity", unknownWith("known only after apply"))
	})
}

func TestIsPlan(t *testing.T) {
	cases := []struct {
		name string
		src  string
		want bool
	}{
		{"a plan with planned values is a plan", `{"format_version":"1.2","planned_values":{}}`, true},
		{"a plan with only resource changes is a plan", `{"format_version":"1.2","resource_changes":[]}`, true},
		{"an ARM template is not a plan", `{"$schema":"https://schema.management.azure.com/","resources":[]}`, false},
		{"a state file is not a plan", `{"format_version":"1.0","values":{}}`, false},
		{"broken JSON is not a plan", `{"format_version":`, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := terraform.IsPlan([]byte(tc.src)); got != tc.want {
				t.Errorf("IsPlan = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestReadPlanBadInput(t *testing.T) {
	cases := []struct {
		name, src, message string
		line               int
	}{
		{"malformed JSON names the line", "{\n  \"format_version\": \"1.2\",\n  \"planned_values\": {,}\n}", "Malformed plan JSON", 3},
		{"a JSON document without format_version is not a plan", `{"values": {}}`, "is not a Terraform plan", 0},
		{"bytes that are not UTF-8 are refused", "{\"format_version\": \"\xff\"}", "not UTF-8", 1},
		{"a wrongly typed field names its line", "{\"format_version\": \"1\",\n\"planned_values\": []}", "Malformed plan JSON", 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resources, diags := terraform.ReadPlan("plan.json", []byte(tc.src))
			if len(resources) != 0 || len(diags) != 1 {
				t.Fatalf("got %d resources and diagnostics %v, want one diagnostic", len(resources), diags)
			}
			if !strings.Contains(diags[0].Summary, tc.message) || diags[0].Range.Start.Line != tc.line || diags[0].Range.Filename != "plan.json" {
				t.Errorf("diagnostic %q at %v, want %q at line %d", diags[0].Summary, diags[0].Range, tc.message, tc.line)
			}
		})
	}
}

func TestReadPlanSensitiveValues(t *testing.T) {
	src := `{"format_version": "1.2",
 "planned_values": {"root_module": {"resources": [
  {"address": "azurerm_api_management.a", "mode": "managed", "type": "azurerm_api_management", "name": "a",
   "values": {"name": "apim-a", "tags": {"pw": "PlannedSECRET1", "env": "dev"}, "publisher_email": "ops@example.com"},
   "sensitive_values": {"tags": {"pw": true}}}]}},
 "resource_changes": [
  {"address": "azurerm_api_management.a", "mode": "managed", "type": "azurerm_api_management",
   "change": {"actions": ["create"], "after": {}, "after_unknown": {}, "after_sensitive": {"publisher_email": true}}}]}`
	resources, diags := terraform.ReadPlan("plan.json", []byte(src))
	if len(diags) != 0 || len(resources) != 1 {
		t.Fatalf("resources %v, diagnostics %v", resources, diags)
	}
	want := []string{"PlannedSECRET1", "ops@example.com"}
	if got := resources[0].Secrets; !reflect.DeepEqual(got, want) {
		t.Errorf("secrets = %q, want the values sensitive_values and after_sensitive mark: %q", got, want)
	}
}
