package terraform_test

import (
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/lensix/lensix/internal/diag"
	"github.com/lensix/lensix/internal/resource"
	"github.com/lensix/lensix/internal/source/terraform"
)

// load loads dirs and indexes the resources by address, failing on a duplicate address.
func load(t *testing.T, opts terraform.Options, dirs ...string) (map[string]*resource.Resource, diag.Diagnostics) {
	t.Helper()
	resources, diags := terraform.Load(dirs, opts)
	byAddr := map[string]*resource.Resource{}
	for _, r := range resources {
		if _, dup := byAddr[r.Provenance.Address]; dup {
			t.Fatalf("address %s returned twice", r.Provenance.Address)
		}
		byAddr[r.Provenance.Address] = r
	}
	return byAddr, diags
}

func mustGet(t *testing.T, byAddr map[string]*resource.Resource, addr string) *resource.Resource {
	t.Helper()
	r, ok := byAddr[addr]
	if !ok {
		t.Fatalf("no resource %s; have %v", addr, addresses(byAddr))
	}
	return r
}

func addresses(byAddr map[string]*resource.Resource) []string {
	var out []string
	for a := range byAddr {
		out = append(out, a)
	}
	return out
}

// absent marks a path that must not exist in the body.
type absent struct{}

// unknownWith matches a *resource.Unknown whose reason contains the text.
type unknownWith string

func checkPath(t *testing.T, r *resource.Resource, path string, want any) {
	t.Helper()
	got, found := r.Get(path)
	switch w := want.(type) {
	case absent:
		if found {
			t.Errorf("%s: %s = %#v, want it absent", r.Provenance.Address, path, got)
		}
	case unknownWith:
		u, ok := got.(*resource.Unknown)
		if !found || !ok {
			t.Errorf("%s: %s = %#v, want an unknown value", r.Provenance.Address, path, got)
			return
		}
		if !strings.Contains(u.Reason, string(w)) {
			t.Errorf("%s: %s unknown because %q, want a reason mentioning %q", r.Provenance.Address, path, u.Reason, w)
		}
	default:
		if !found {
			t.Errorf("%s: %s is absent, want %#v", r.Provenance.Address, path, want)
			return
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %s = %#v, want %#v", r.Provenance.Address, path, got, want)
		}
	}
}

func TestIdentitySpellings(t *testing.T) {
	byAddr, diags := load(t, terraform.Options{}, "testdata/identity")
	if len(diags) != 0 {
		t.Fatalf("unexpected diagnostics: %v", diags)
	}
	cases := []struct {
		name, address, path string
		want                any
	}{
		{"system-assigned identity block keeps its type", "azurerm_api_management.system", "identity.type", "SystemAssigned"},
		{"sku_name splits into sku name and capacity", "azurerm_api_management.system", "sku", map[string]any{"name": "Developer", "capacity": int64(1)}},
		{"publisher email maps to properties", "azurerm_api_management.system", "properties.publisherEmail", "ops@contoso.example"},
		{"user-assigned identity IDs become userAssignedIdentities keys", "azurerm_api_management.user", "identity.userAssignedIdentities",
			map[string]any{"/subscriptions/0000/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id1": map[string]any{}}},
		{"combined identity type is kept as written", "azurerm_api_management.both", "identity.type", "SystemAssigned, UserAssigned"},
		{"identity IDs of resources not yet created are unknown", "azurerm_api_management.both", "identity.userAssignedIdentities", unknownWith("after apply")},
		{"empty identity block gives an identity without type", "azurerm_api_management.empty", "identity", map[string]any{}},
		{"absent identity block gives no identity key", "azurerm_api_management.absent", "identity", absent{}},
		{"azurerm resources get the provider's API version", "azurerm_api_management.absent", "apiVersion", "2022-08-01"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			checkPath(t, mustGet(t, byAddr, tc.address), tc.path, tc.want)
		})
	}
	t.Run("only API Management services are returned", func(t *testing.T) {
		if len(byAddr) != 5 {
			t.Errorf("got %v, want the 5 azurerm_api_management resources", addresses(byAddr))
		}
	})
	t.Run("resource group and name come from the configuration", func(t *testing.T) {
		r := mustGet(t, byAddr, "azurerm_api_management.system")
		if r.Name != "apim-system" || r.ResourceGroup != "rg-apim" || r.Type != "Microsoft.ApiManagement/service" {
			t.Errorf("got name %q, group %q, type %q", r.Name, r.ResourceGroup, r.Type)
		}
	})
	t.Run("range spans the block from its header to its closing brace", func(t *testing.T) {
		rng := mustGet(t, byAddr, "azurerm_api_management.system").Provenance.Range
		want := resource.Range{Filename: "testdata/identity/main.tf",
			Start: resource.Pos{Line: 1, Column: 1, Byte: 0}, End: resource.Pos{Line: 12, Column: 2, Byte: rng.End.Byte}}
		if rng != want || rng.End.Byte == 0 {
			t.Errorf("range = %+v, want %+v", rng, want)
		}
		if src := "terraform"; mustGet(t, byAddr, "azurerm_api_management.system").Provenance.Source != src {
			t.Errorf("source is not %q", src)
		}
	})
}

func TestDynamicIdentity(t *testing.T) {
	byAddr, _ := load(t, terraform.Options{}, "testdata/dynamic")
	cases := []struct {
		name, address, path string
		want                any
	}{
		{"dynamic identity over a known list expands to a block", "azurerm_api_management.known", "identity.type", "SystemAssigned"},
		{"dynamic identity over an empty list gives no identity", "azurerm_api_management.none", "identity", absent{}},
		{"dynamic identity over an unset variable is unknown", "azurerm_api_management.unknown", "identity", unknownWith("variable unset has no value")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			checkPath(t, mustGet(t, byAddr, tc.address), tc.path, tc.want)
		})
	}
}

func TestVariables(t *testing.T) {
	byAddr, _ := load(t, terraform.Options{}, "testdata/variables")
	cases := []struct {
		name, address, path string
		want                any
	}{
		{"a variable default is used", "azurerm_api_management.from_default", "identity.type", "SystemAssigned"},
		{"a variable without value is unknown and says how to set it", "azurerm_api_management.from_unset", "identity.type", unknownWith("set it with --var or a .tfvars file")},
		{"locals resolve in any order", "azurerm_api_management.from_locals", "name", "apim-SYSTEMASSIGNED"},
		{"conditionals evaluate", "azurerm_api_management.from_locals", "identity.type", "SystemAssigned"},
		{"an unimplemented function gives an unknown naming it", "azurerm_api_management.from_function", "identity.type", unknownWith("cidrhost")},
		{"references to undeclared variables are unknown, not errors", "azurerm_api_management.from_undeclared", "name", unknownWith("var.elsewhere is not declared")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			checkPath(t, mustGet(t, byAddr, tc.address), tc.path, tc.want)
		})
	}
	t.Run("unknown identity type keeps its source text", func(t *testing.T) {
		got, _ := mustGet(t, byAddr, "azurerm_api_management.from_unset").Get("identity.type")
		if u, ok := got.(*resource.Unknown); !ok || u.Expr != "var.unset_type" {
			t.Errorf("identity.type = %#v, want unknown with expression var.unset_type", got)
		}
	})
	t.Run("a used default is recorded as an assumption", func(t *testing.T) {
		r := mustGet(t, byAddr, "azurerm_api_management.from_default")
		want := []resource.Assumption{{Path: "var.identity_type", Message: `default value "SystemAssigned" of variable identity_type was used`, Affects: []string{"identity"}}}
		if !reflect.DeepEqual(r.Assumptions, want) {
			t.Errorf("assumptions = %#v, want %#v", r.Assumptions, want)
		}
	})
	t.Run("an assumption names the body paths whose values rest on it", func(t *testing.T) {
		r := mustGet(t, byAddr, "azurerm_api_management.from_locals")
		if len(r.Assumptions) != 1 || strings.Join(r.Assumptions[0].Affects, ",") != "identity,name" {
			t.Errorf("assumptions = %#v, want var.identity_type affecting identity and name", r.Assumptions)
		}
	})
	t.Run("defaults reached through locals are recorded too", func(t *testing.T) {
		r := mustGet(t, byAddr, "azurerm_api_management.from_locals")
		if len(r.Assumptions) != 1 || r.Assumptions[0].Path != "var.identity_type" {
			t.Errorf("assumptions = %#v, want var.identity_type only", r.Assumptions)
		}
	})
	t.Run("resources that use no default carry no assumption", func(t *testing.T) {
		if a := mustGet(t, byAddr, "azurerm_api_management.from_unset").Assumptions; len(a) != 0 {
			t.Errorf("assumptions = %#v, want none", a)
		}
	})
}

func TestVariablePrecedence(t *testing.T) {
	cases := []struct {
		name string
		opts terraform.Options
		want string
	}{
		{"auto tfvars files override terraform.tfvars, the last in lexical order winning", terraform.Options{}, "from-b.auto.tfvars"},
		{"TF_VAR_ environment loses to tfvars files", terraform.Options{Environ: []string{"TF_VAR_identity_type=from-env"}}, "from-b.auto.tfvars"},
		{"a --var-file overrides the auto-loaded files", terraform.Options{Inputs: []terraform.VarInput{{File: "testdata/precedence-override.tfvars"}}}, "from-var-file"},
		{"a --var after a --var-file overrides it", terraform.Options{Inputs: []terraform.VarInput{{File: "testdata/precedence-override.tfvars"}, {Assignment: "identity_type=from-var"}}}, "from-var"},
		{"a --var-file after a --var overrides it", terraform.Options{Inputs: []terraform.VarInput{{Assignment: "identity_type=from-var"}, {File: "testdata/precedence-override.tfvars"}}}, "from-var-file"},
		{"the last --var for a name wins", terraform.Options{Inputs: []terraform.VarInput{{Assignment: "identity_type=first"}, {Assignment: "identity_type=second"}}}, "second"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			byAddr, diags := load(t, tc.opts, "testdata/precedence")
			if len(diags) != 0 {
				t.Fatalf("unexpected diagnostics: %v", diags)
			}
			r := mustGet(t, byAddr, "azurerm_api_management.this")
			checkPath(t, r, "identity.type", tc.want)
			for _, a := range r.Assumptions {
				if a.Path == "var.identity_type" {
					t.Errorf("a value that was set is recorded as an assumption: %v", a)
				}
			}
		})
	}
	t.Run("a --var for a list variable is parsed as HCL", func(t *testing.T) {
		byAddr, _ := load(t, terraform.Options{Inputs: []terraform.VarInput{{Assignment: `ids=["/x/id1"]`}}}, "testdata/precedence")
		checkPath(t, mustGet(t, byAddr, "azurerm_api_management.this"), "identity.userAssignedIdentities", map[string]any{"/x/id1": map[string]any{}})
	})
	t.Run("a --var for a variable the root does not declare is an error", func(t *testing.T) {
		_, diags := load(t, terraform.Options{Inputs: []terraform.VarInput{{Assignment: "nosuch=1"}}}, "testdata/precedence")
		d, ok := findDiag(diags, "was assigned on the command line")
		if !ok || d.Severity != diag.Error {
			t.Errorf("diagnostics = %v, want an error for the undeclared --var", diags)
		}
	})
	t.Run("a variables file assigning an undeclared variable is a warning", func(t *testing.T) {
		root := writeFiles(t, map[string]string{"main.tf": goodAPIM, "x.tfvars": "nosuch = 1\n"})
		_, diags := load(t, terraform.Options{Inputs: []terraform.VarInput{{File: root + "/x.tfvars"}}}, root)
		d, ok := findDiag(diags, "undeclared variable nosuch")
		if !ok || d.Severity != diag.Warning || d.Range.Start.Line != 1 {
			t.Errorf("diagnostics = %v, want a warning at x.tfvars:1", diags)
		}
	})
	t.Run("a variables file with a syntax error is not applied", func(t *testing.T) {
		root := writeFiles(t, map[string]string{"x.tfvars": "identity_type = \"cut-short\n"})
		byAddr, diags := load(t, terraform.Options{Inputs: []terraform.VarInput{{File: root + "/x.tfvars"}}}, "testdata/precedence")
		checkPath(t, mustGet(t, byAddr, "azurerm_api_management.this"), "identity.type", "from-b.auto.tfvars")
		if _, ok := findDiag(diags, "did not apply this variables file"); !ok {
			t.Errorf("diagnostics = %v, want one saying the file was not applied", diags)
		}
	})
	t.Run("TF_VAR_ applies when no file sets the variable", func(t *testing.T) {
		byAddr, _ := load(t, terraform.Options{Environ: []string{`TF_VAR_ids=["/x/env"]`}}, "testdata/precedence")
		checkPath(t, mustGet(t, byAddr, "azurerm_api_management.this"), "identity.userAssignedIdentities", map[string]any{"/x/env": map[string]any{}})
	})
}

func TestInstances(t *testing.T) {
	byAddr, _ := load(t, terraform.Options{}, "testdata/instances")
	cases := []struct {
		name, address, path string
		want                any
	}{
		{"count gives one resource per index", "azurerm_api_management.counted[0]", "identity.type", "SystemAssigned"},
		{"count.index is bound per instance", "azurerm_api_management.counted[1]", "identity.type", "None"},
		{"for_each over a map addresses instances by key", `azurerm_api_management.regional["west"]`, "location", "westeurope"},
		{"each.key is bound per instance", `azurerm_api_management.regional["north"]`, "name", "apim-north"},
		{"for_each over a set binds each.value", `azurerm_api_management.set["a"]`, "name", "apim-set-a"},
		{"an unknown count yields one instance whose count.index is unknown", "azurerm_api_management.unknown_count", "name", unknownWith("count of azurerm_api_management.unknown_count is unknown")},
		{"an unknown for_each yields one instance whose each.key is unknown", "azurerm_api_management.unknown_each", "name", unknownWith("for_each of azurerm_api_management.unknown_each is unknown")},
		{"values that do not depend on each stay known", "azurerm_api_management.unknown_each", "location", "westeurope"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			checkPath(t, mustGet(t, byAddr, tc.address), tc.path, tc.want)
		})
	}
	t.Run("count = 0 yields no resource", func(t *testing.T) {
		for addr := range byAddr {
			if strings.Contains(addr, ".none") {
				t.Errorf("got %s", addr)
			}
		}
	})
	t.Run("an unknown count is recorded as an assumption", func(t *testing.T) {
		r := mustGet(t, byAddr, "azurerm_api_management.unknown_count")
		if len(r.Assumptions) == 0 || r.Assumptions[0].Path != "count" {
			t.Errorf("assumptions = %#v, want one about count", r.Assumptions)
		}
	})
	if len(byAddr) != 7 {
		t.Errorf("got %v, want 7 instances", addresses(byAddr))
	}
}

func TestLocalModules(t *testing.T) {
	byAddr, diags := load(t, terraform.Options{}, "testdata/modules/root", "testdata/modules/root/modules/apim")
	if len(diags) != 0 {
		t.Fatalf("unexpected diagnostics: %v", diags)
	}
	cases := []struct {
		name, address, path string
		want                any
	}{
		{"module inputs reach the module's resources", "module.apim.azurerm_api_management.this", "identity.type", "UserAssigned"},
		{"module for_each instances get their own inputs", `module.regional["west"].azurerm_api_management.this`, "identity.type", "SystemAssigned"},
		{"each module instance is addressed by key", `module.regional["east"].azurerm_api_management.this`, "name", "apim-east"},
		{"a module variable default applies when the caller passes nothing", "module.defaulted.azurerm_api_management.this", "identity.type", "SystemAssigned"},
		{"module outputs are usable by the caller", "azurerm_api_management.consumer", "name", "apim-single-consumer"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			checkPath(t, mustGet(t, byAddr, tc.address), tc.path, tc.want)
		})
	}
	t.Run("a called module dir is not evaluated again as a root", func(t *testing.T) {
		if _, ok := byAddr["azurerm_api_management.this"]; ok || len(byAddr) != 7 {
			t.Errorf("got %v, want the 6 module instances and the consumer", addresses(byAddr))
		}
	})
	t.Run("a root default passed into a module is an assumption on the module's resource", func(t *testing.T) {
		r := mustGet(t, byAddr, "module.from_root_default.azurerm_api_management.this")
		checkPath(t, r, "name", "apim-from-root")
		if len(r.Assumptions) != 1 || r.Assumptions[0].Path != "var.root_name" {
			t.Errorf("assumptions = %#v, want var.root_name", r.Assumptions)
		}
	})
	t.Run("a module's own variable default is not an assumption", func(t *testing.T) {
		if a := mustGet(t, byAddr, "module.defaulted.azurerm_api_management.this").Assumptions; len(a) != 0 {
			t.Errorf("assumptions = %#v, want none", a)
		}
	})
	t.Run("resources of a module with unknown count say so", func(t *testing.T) {
		r := mustGet(t, byAddr, "module.unknown_count.azurerm_api_management.this")
		if len(r.Assumptions) != 1 || r.Assumptions[0].Path != "module.unknown_count.count" {
			t.Errorf("assumptions = %#v", r.Assumptions)
		}
		checkPath(t, r, "name", "apim-unknown-count")
	})
	t.Run("module resources point at the module's file", func(t *testing.T) {
		r := mustGet(t, byAddr, "module.apim.azurerm_api_management.this")
		if r.Provenance.Range.Filename != "testdata/modules/root/modules/apim/main.tf" || r.Provenance.Range.Start.Line != 10 {
			t.Errorf("range = %v", r.Provenance.Range)
		}
	})
}

func TestRemoteModuleWithoutInit(t *testing.T) {
	byAddr, diags := load(t, terraform.Options{}, "testdata/remote")
	if len(diags) != 1 || diags[0].Severity != diag.Warning || !diags[0].Unchecked || !strings.Contains(diags[0].Detail, "terraform init") {
		t.Fatalf("diagnostics = %v, want one warning, marked unchecked, asking to run terraform init", diags)
	}
	if !strings.Contains(diags[0].Summary, "2 remote module") {
		t.Errorf("summary %q does not count both modules", diags[0].Summary)
	}
	checkPath(t, mustGet(t, byAddr, "azurerm_api_management.local"), "name", unknownWith("terraform init"))
}

func TestAzapi(t *testing.T) {
	byAddr, _ := load(t, terraform.Options{}, "testdata/azapi")
	cases := []struct {
		name, address, path string
		want                any
	}{
		{"an HCL object body is the ARM body", "azapi_resource.hcl_body", "identity.type", "SystemAssigned"},
		{"the API version comes from the type", "azapi_resource.hcl_body", "apiVersion", "2024-05-01"},
		{"the ARM type drops the version", "azapi_resource.hcl_body", "type", "Microsoft.ApiManagement/service"},
		{"body numbers are integers", "azapi_resource.hcl_body", "sku.capacity", int64(1)},
		{"a jsonencode body keeps its structure", "azapi_resource.jsonencode_body", "identity.type", "UserAssigned"},
		{"unknown values inside a jsonencode body stay local", "azapi_resource.jsonencode_body", "properties.publisherEmail", unknownWith("after apply")},
		{"an identity block is the identity", "azapi_resource.identity_block", "identity.type", "SystemAssigned"},
		{"a JSON string body is decoded", "azapi_resource.json_string", "properties.publisherEmail", "a@b.example"},
		{"a JSON string body without identity has none", "azapi_resource.json_string", "identity", absent{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			checkPath(t, mustGet(t, byAddr, tc.address), tc.path, tc.want)
		})
	}
	t.Run("parent_id gives subscription and resource group", func(t *testing.T) {
		r := mustGet(t, byAddr, "azapi_resource.hcl_body")
		if r.ResourceGroup != "rg-azapi" || r.SubscriptionID != "00000000-0000-0000-0000-000000000000" {
			t.Errorf("group %q, subscription %q", r.ResourceGroup, r.SubscriptionID)
		}
	})
}

func TestReferences(t *testing.T) {
	byAddr, _ := load(t, terraform.Options{}, "testdata/references")
	r := mustGet(t, byAddr, "azurerm_api_management.this")
	cases := []struct {
		name, path string
		want       any
	}{
		{"a configured attribute of another resource resolves", "location", "northeurope"},
		{"references work inside templates", "name", "apim-rg-ref"},
		{"references work inside objects", "tags.rg", "rg-ref"},
		{"a computed attribute is known only after apply", "properties.publisherName", unknownWith("azurerm_resource_group.rg.id is known only after apply")},
		{"a data source is unknown", "properties.publisherEmail", unknownWith("data sources")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { checkPath(t, r, tc.path, tc.want) })
	}
	if r.ResourceGroup != "rg-ref" {
		t.Errorf("resource group = %q, want rg-ref", r.ResourceGroup)
	}
	indexed := mustGet(t, byAddr, "azurerm_api_management.indexed")
	instanceCases := []struct {
		name, path string
		want       any
	}{
		{"an instance of a counted resource resolves by index", "name", "rg-counted-1"},
		{"an instance of a for_each resource resolves by key", "location", "westeurope"},
		{"a counted resource is a list of its instances", "properties.publisherName", int64(2)},
		{"a computed attribute of an instance is known only after apply", "properties.publisherEmail", unknownWith("azurerm_resource_group.counted[0].id is known only after apply")},
	}
	for _, tc := range instanceCases {
		t.Run(tc.name, func(t *testing.T) { checkPath(t, indexed, tc.path, tc.want) })
	}
	if indexed.ResourceGroup != "rg-counted-0" {
		t.Errorf("resource group = %q, want rg-counted-0", indexed.ResourceGroup)
	}
}

func TestJSONSyntax(t *testing.T) {
	byAddr, diags := load(t, terraform.Options{}, "testdata/json")
	if len(diags) != 0 {
		t.Fatalf("unexpected diagnostics: %v", diags)
	}
	checkPath(t, mustGet(t, byAddr, "azurerm_api_management.json"), "identity.type", "SystemAssigned")
	checkPath(t, mustGet(t, byAddr, "azurerm_api_management.json_none"), "identity", absent{})
	t.Run("a JSON resource's range ends at its closing brace", func(t *testing.T) {
		rng := mustGet(t, byAddr, "azurerm_api_management.json").Provenance.Range
		if rng.Start.Line != 7 || rng.End.Line != 10 || rng.End.Column != 8 {
			t.Errorf("range %d:%d-%d:%d, want 7:7-10:8", rng.Start.Line, rng.Start.Column, rng.End.Line, rng.End.Column)
		}
	})
}

func TestInlineSuppression(t *testing.T) {
	byAddr, _ := load(t, terraform.Options{}, "testdata/suppress")
	r := mustGet(t, byAddr, "azurerm_api_management.ignored")
	if len(r.Suppressions) != 1 || r.Suppressions[0].CheckID != "apimgmt_nomanagedidentity" || r.Suppressions[0].Reason != "internal test instance, removed weekly" {
		t.Errorf("suppressions = %#v", r.Suppressions)
	}
	src, err := os.ReadFile("testdata/suppress/main.tf")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, address string
		count         int
	}{
		{"a comment directly above suppresses", "azurerm_api_management.ignored", 1},
		{"a run of comments above suppresses every check it names", "azurerm_api_management.two_comments", 2},
		{"a comment on the declaration line suppresses", "azurerm_api_management.same_line", 1},
		{"a resource without comment has no suppression", "azurerm_api_management.none", 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := mustGet(t, byAddr, tc.address)
			// The whole-file reading is the reference the windowed one must match.
			want := resource.InlineSuppressions(r.Provenance.Range.Filename, src, r.Provenance.Range.Start.Line)
			if len(r.Suppressions) != tc.count || !reflect.DeepEqual(r.Suppressions, want) {
				t.Errorf("suppressions = %#v, want %#v", r.Suppressions, want)
			}
		})
	}
}

func TestCycles(t *testing.T) {
	t.Run("a cycle in locals is a diagnostic and an unknown", func(t *testing.T) {
		byAddr, diags := load(t, terraform.Options{}, "testdata/cycles/locals")
		if !hasDiag(diags, "Cycle in local values") {
			t.Errorf("diagnostics = %v", diags)
		}
		checkPath(t, mustGet(t, byAddr, "azurerm_api_management.this"), "name", unknownWith("depends on itself"))
	})
	t.Run("a module cycle is a diagnostic and evaluation ends", func(t *testing.T) {
		byAddr, diags := load(t, terraform.Options{}, "testdata/cycles/modules/a")
		if !hasDiag(diags, "Module cycle") {
			t.Errorf("diagnostics = %v", diags)
		}
		mustGet(t, byAddr, "azurerm_api_management.a")
	})
	t.Run("dirs that call each other are still scanned", func(t *testing.T) {
		byAddr, diags := load(t, terraform.Options{}, "testdata/cycles/modules/a", "testdata/cycles/modules/b")
		if !hasDiag(diags, "Module cycle") {
			t.Errorf("diagnostics = %v", diags)
		}
		if len(byAddr) == 0 {
			t.Errorf("no resources from a module cycle")
		}
	})
}

func hasDiag(diags diag.Diagnostics, summary string) bool {
	for _, d := range diags {
		if strings.Contains(d.Summary, summary) {
			return true
		}
	}
	return false
}

func TestInitializedRemoteModules(t *testing.T) {
	byAddr, diags := load(t, terraform.Options{}, "testdata/initialized", "testdata/initialized/.terraform/modules/apim")
	if len(diags) != 0 {
		t.Fatalf("unexpected diagnostics: %v", diags)
	}
	cases := []struct {
		name, address, path string
		want                any
	}{
		{"a downloaded registry module is read through modules.json", "module.apim.azurerm_api_management.this[1]", "name", "apim-registry-1"},
		{"a nested downloaded module is found by its dotted key", "module.apim.module.inner.azurerm_api_management.inner", "name", "apim-registry-inner"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			checkPath(t, mustGet(t, byAddr, tc.address), tc.path, tc.want)
		})
	}
	t.Run("a downloaded module dir in the scan is not a root of its own", func(t *testing.T) {
		if len(byAddr) != 3 {
			t.Errorf("got %v, want the 3 instances reached through module.apim", addresses(byAddr))
		}
	})
}

func TestLoadIsDeterministic(t *testing.T) {
	dirs := []string{"testdata/modules/root", "testdata/references", "testdata/variables", "testdata/remote", "testdata/instances", "testdata/cycles/modules/a"}
	first, firstDiags := terraform.Load(dirs, terraform.Options{})
	for i := 0; i < 5; i++ {
		again, againDiags := terraform.Load(dirs, terraform.Options{})
		if !reflect.DeepEqual(first, again) || !reflect.DeepEqual(firstDiags, againDiags) {
			t.Fatalf("run %d differs from the first", i+2)
		}
	}
}

func TestFunctions(t *testing.T) {
	byAddr, diags := load(t, terraform.Options{}, "testdata/functions")
	if len(diags) != 0 {
		t.Fatalf("unexpected diagnostics: %v", diags)
	}
	r := mustGet(t, byAddr, "azurerm_api_management.functions")
	cases := []struct{ tag, want string }{
		{"try", "fallback"}, {"can", "false"}, {"coalesce", "first-non-empty"}, {"lookup", "Premium"},
		{"merge", `{"a":1,"b":2}`}, {"length", "2"}, {"length_str", "4"}, {"contains", "true"},
		{"keys", "sku,zones"}, {"values", `["v"]`}, {"toset", "a,b"}, {"tolist", `["x"]`},
		{"tomap", `{"k":"v"}`}, {"jsondecode", "SystemAssigned"}, {"format", "apim-007"}, {"lower", "abc"},
		{"upper", "ABC"}, {"replace", "a_b_c"}, {"replace_re", "apim"}, {"split", `["a","b"]`},
		{"concat", `["a","b"]`}, {"flatten", `["a","b","c"]`}, {"distinct", `["a","b"]`}, {"element", "b"},
		{"startswith", "true"}, {"endswith", "true"}, {"trimspace", "padded"}, {"substr", "System"},
		{"zipmap", `{"a":"b"}`}, {"one", "only"}, {"range", "[0,1,2]"}, {"for_expr", "zone-1,zone-2"},
		{"splat", "x,y"}, {"file", "from a file"}, {"file_rel", "from a file"}, {"templatefile", "Hello, ops!"},
		{"index", "2"}, {"sum", "6.5"},
	}
	for _, tc := range cases {
		t.Run(tc.tag+" evaluates like Terraform", func(t *testing.T) {
			checkPath(t, r, "tags."+tc.tag, tc.want)
		})
	}
}

func TestFileFunctionsStayInTheScannedFolder(t *testing.T) {
	main := `resource "azurerm_api_management" "x" {
  name = "x"
  tags = {
    abs        = file("${abspath(path.module)}/../secret.txt")
    rel        = file("../secret.txt")
    link       = file("link.txt")
    exists     = fileexists("../secret.txt")
    template   = templatefile("../secret.txt", {})
    inside     = file("inside.txt")
    missing    = fileexists("nothere.txt")
  }
}
resource "azurerm_api_management" "dir" {
  name = file("sub")
}
`
	root := writeFiles(t, map[string]string{"scan/main.tf": main, "scan/inside.txt": "in", "scan/sub/x": "", "secret.txt": "TOPSECRET"})
	mustSymlink(t, "../secret.txt", root+"/scan/link.txt")
	t.Run("paths outside the scanned folder are unknown, not read", func(t *testing.T) {
		byAddr, diags := load(t, terraform.Options{}, root+"/scan")
		r := mustGet(t, byAddr, "azurerm_api_management.x")
		for _, tag := range []string{"abs", "rel", "link", "exists", "template"} {
			checkPath(t, r, "tags."+tag, unknownWith("outside the scanned folder; lensix does not read it"))
		}
		checkPath(t, r, "tags.inside", "in")
		checkPath(t, r, "tags.missing", false)
		checkPath(t, mustGet(t, byAddr, "azurerm_api_management.dir"), "name", unknownWith("not a regular file"))
		d, ok := findDiag(diags, "outside the scanned folder")
		if !ok || d.Severity != diag.Warning || d.Range.Start.Line != 3 {
			t.Errorf("diagnostics = %v, want a warning at the tags expression", diags)
		}
		for _, d := range diags {
			if strings.Contains(d.Summary+d.Detail, "TOPSECRET") {
				t.Errorf("a diagnostic shows the secret file's content: %v", d)
			}
		}
	})
	t.Run("Options.Root widens what file functions may read", func(t *testing.T) {
		byAddr, _ := load(t, terraform.Options{Root: root}, root+"/scan")
		checkPath(t, mustGet(t, byAddr, "azurerm_api_management.x"), "tags.rel", "TOPSECRET")
	})
	t.Run("without Options.Root, the common parent of the dirs is the root", func(t *testing.T) {
		other := writeFiles(t, map[string]string{"main.tf": goodAPIM})
		byAddr, _ := load(t, terraform.Options{}, root+"/scan", other)
		checkPath(t, mustGet(t, byAddr, "azurerm_api_management.x"), "tags.inside", "in")
	})
}

func TestAzapiUnknowns(t *testing.T) {
	src := `variable "x" {}
resource "azapi_resource" "nested" {
  type = "Microsoft.ApiManagement/service@2022-08-01"
  name = "nested"
  body = jsonencode({ identity = { type = var.x } })
}
resource "azapi_resource" "merged" {
  type = "Microsoft.ApiManagement/service@2022-08-01"
  name = "merged"
  body = jsonencode(merge({ properties = {} }, var.x == "a" ? {} : { identity = { type = "SystemAssigned" } }))
}
resource "azapi_resource" "version" {
  type = "Microsoft.ApiManagement/service@${var.x}"
  name = "version"
  body = {}
}
resource "azapi_resource" "whole_type" {
  type = "${var.x}@2022-08-01"
  name = "whole_type"
  body = {}
}
`
	root := writeFiles(t, map[string]string{"main.tf": src})
	byAddr, diags := load(t, terraform.Options{}, root)
	t.Run("an unknown inside a jsonencode body names its own expression", func(t *testing.T) {
		got, _ := mustGet(t, byAddr, "azapi_resource.nested").Get("identity.type")
		if u, ok := got.(*resource.Unknown); !ok || u.Expr != "var.x" || !strings.Contains(u.Reason, "variable x has no value") {
			t.Errorf("identity.type = %#v, want unknown because variable x has no value, at var.x", got)
		}
	})
	t.Run("a body unknown through merge and a conditional says the variable has no value", func(t *testing.T) {
		r := mustGet(t, byAddr, "azapi_resource.merged")
		checkPath(t, r, "identity", unknownWith("variable x has no value"))
		if got, _ := r.Get("identity"); got.(*resource.Unknown).Expr == "" {
			t.Errorf("identity unknown has no expression")
		}
	})
	t.Run("a type whose API version alone is unknown is mapped with the version unknown", func(t *testing.T) {
		r := mustGet(t, byAddr, "azapi_resource.version")
		if r.Type != "Microsoft.ApiManagement/service" {
			t.Errorf("type = %q", r.Type)
		}
		checkPath(t, r, "apiVersion", unknownWith("variable x has no value"))
	})
	t.Run("a type whose resource type is unknown is a warning naming the address", func(t *testing.T) {
		if _, ok := byAddr["azapi_resource.whole_type"]; ok {
			t.Errorf("a resource of unknown type was mapped")
		}
		d, ok := findDiag(diags, "azapi_resource.whole_type: type is unknown")
		if !ok || d.Severity != diag.Warning || !strings.Contains(d.Summary, "lensix cannot tell which checks apply") {
			t.Errorf("diagnostics = %v, want a warning for the unknown type", diags)
		}
	})
}

func TestOverrideFiles(t *testing.T) {
	root := writeFiles(t, map[string]string{
		"main.tf": `locals { id_type = "None" }
resource "azurerm_api_management" "x" {
  name = "x"
  tags = { from = "main" }
  identity { type = "None" }
}
resource "azurerm_api_management" "local" {
  name = "local"
  identity { type = local.id_type }
}
resource "azurerm_api_management" "dyn" {
  name = "dyn"
  identity { type = "None" }
}
resource "azurerm_api_management" "mixed" {
  name = "mixed"
}
`,
		"j.tf.json": `{"resource": {"azurerm_api_management": {"j": {"name": "j", "identity": [{"type": "None"}]}}}}`,
		"main_override.tf": `resource "azurerm_api_management" "x" {
  identity { type = "SystemAssigned" }
}
resource "azurerm_api_management" "dyn" {
  dynamic "identity" {
    for_each = ["UserAssigned"]
    content { type = identity.value }
  }
}
resource "azurerm_api_management" "nosuch" {
  name = "nosuch"
}
locals { id_type = "SystemAssigned" }
variable "v" {}
`,
		"z_override.tf":    `resource "azurerm_api_management" "x" { tags = { from = "z" } }`,
		"override.tf.json": `{"resource": {"azurerm_api_management": {"j": {"identity": [{"type": "SystemAssigned"}]}, "mixed": {"name": "m2"}}}}`,
	})
	byAddr, diags := load(t, terraform.Options{}, root)
	cases := []struct {
		name, address, path string
		want                any
	}{
		{"an identity block in an override file replaces the original's", "azurerm_api_management.x", "identity.type", "SystemAssigned"},
		{"arguments the override does not set are kept", "azurerm_api_management.x", "name", "x"},
		{"a later override file wins over an earlier one", "azurerm_api_management.x", "tags.from", "z"},
		{"a dynamic block in the override replaces static blocks of its type", "azurerm_api_management.dyn", "identity.type", "UserAssigned"},
		{"a JSON override merges into a JSON resource", "azurerm_api_management.j", "identity.type", "SystemAssigned"},
		{"an overridden local is the override's value", "azurerm_api_management.local", "identity.type", "SystemAssigned"},
		{"an override in another syntax is not applied", "azurerm_api_management.mixed", "name", "mixed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			checkPath(t, mustGet(t, byAddr, tc.address), tc.path, tc.want)
		})
	}
	diagCases := []struct {
		name, message string
		severity      diag.Severity
	}{
		{"overriding a resource that does not exist is an error", "Missing base resource definition to override", diag.Error},
		{"an override lensix cannot merge is a warning naming the file", "override.tf.json was not applied to azurerm_api_management.mixed", diag.Warning},
		{"an override of a block kind lensix does not merge is a warning", "Override of a variable block not merged", diag.Warning},
	}
	for _, tc := range diagCases {
		t.Run(tc.name, func(t *testing.T) {
			if d, ok := findDiag(diags, tc.message); !ok || d.Severity != tc.severity {
				t.Errorf("diagnostics = %v, want %q", diags, tc.message)
			}
		})
	}
	t.Run("an override file declares no resource of its own", func(t *testing.T) {
		if _, ok := byAddr["azurerm_api_management.nosuch"]; ok {
			t.Errorf("the override-only resource was mapped")
		}
	})
}

func TestSensitiveVariablesAreSecrets(t *testing.T) {
	root := writeFiles(t, map[string]string{
		"main.tf": `variable "pw_default" {
  sensitive = true
  default   = "DefaultSECRET"
}
variable "pw_file" { sensitive = true }
variable "pw_var" { sensitive = true }
variable "pw_env" { sensitive = true }
variable "plain" { default = "NotSecret" }
module "m" {
  source = "./m"
  key    = "ModuleSECRET"
}
resource "azurerm_api_management" "uses" {
  name = "uses"
  tags = { pw = var.pw_default }
}
resource "azurerm_api_management" "other" {
  name = var.plain
}
`,
		"terraform.tfvars": "pw_file = \"FileSECRET\"\n",
		"m/main.tf": `variable "key" { sensitive = true }
resource "azurerm_api_management" "inner" { name = "inner" }
`,
	})
	opts := terraform.Options{Inputs: []terraform.VarInput{{Assignment: "pw_var=VarSECRET"}}, Environ: []string{"TF_VAR_pw_env=EnvSECRET"}}
	byAddr, diags := load(t, opts, root)
	if len(diags) != 0 {
		t.Fatalf("unexpected diagnostics: %v", diags)
	}
	want := []string{"DefaultSECRET", "EnvSECRET", "FileSECRET", "ModuleSECRET", "VarSECRET"}
	for _, addr := range []string{"azurerm_api_management.uses", "azurerm_api_management.other", "module.m.azurerm_api_management.inner"} {
		t.Run("every resource carries every known sensitive value: "+addr, func(t *testing.T) {
			if got := mustGet(t, byAddr, addr).Secrets; !reflect.DeepEqual(got, want) {
				t.Errorf("secrets = %q, want %q", got, want)
			}
		})
	}
}

func TestValuesDerivedFromSensitiveInputsAreSecrets(t *testing.T) {
	tests := []struct {
		name string
		expr string // the value of the service's identity.type
		want string // the secret the service must carry
	}{
		{"a lower-cased sensitive variable is a secret", "lower(var.pw)", "mixed-case-pw"},
		{"an upper-cased sensitive variable is a secret", "upper(var.pw)", "MIXED-CASE-PW"},
		{"a sensitive variable with characters replaced is a secret", `replace(var.pw, "-", "_")`, "Mixed_Case_Pw"},
		{"a substring of a sensitive variable is a secret", "substr(var.pw, 0, 8)", "Mixed-Ca"},
		{"a sensitive variable passed through a local and a template is a secret", `"x-${local.pw}"`, "x-Mixed-Case-Pw"},
		{"the argument of sensitive() is a secret", `sensitive("Literal-Secret-1")`, "Literal-Secret-1"},
		{"a module output declared sensitive is a secret", "module.m.out", "Mod-Out-Secret-nonsecret"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := writeFiles(t, map[string]string{
				"main.tf": `variable "pw" {
  sensitive = true
  default   = "Mixed-Case-Pw"
}
locals { pw = var.pw }
module "m" {
  source = "./m"
  in     = "nonsecret"
}
resource "azurerm_api_management" "s" {
  name = "s"
  identity {
    type = ` + tt.expr + `
  }
}
`,
				"m/main.tf": `variable "in" {}
output "out" {
  value     = "Mod-Out-Secret-${var.in}"
  sensitive = true
}
`,
			})
			byAddr, diags := load(t, terraform.Options{}, root)
			if len(diags) != 0 {
				t.Fatalf("unexpected diagnostics: %v", diags)
			}
			if got := mustGet(t, byAddr, "azurerm_api_management.s").Secrets; !slices.Contains(got, tt.want) {
				t.Errorf("secrets = %q, want them to hold %q", got, tt.want)
			}
		})
	}
}

func TestDiagnosticsDoNotQuoteSensitiveValues(t *testing.T) {
	root := writeFiles(t, map[string]string{"main.tf": `variable "s" {
  sensitive = true
  default   = "Qz7kSecret"
}
resource "azurerm_api_management" "a" {
  name           = "a"
  publisher_name = file("${var.s}.txt")
}
`})
	_, diags := load(t, terraform.Options{}, root)
	if len(diags) == 0 {
		t.Fatal("want the diagnostic of the failing file() call")
	}
	for _, d := range diags {
		if strings.Contains(d.Error(), "Qz7kSecret") {
			t.Errorf("the diagnostic quotes the sensitive value: %v", d)
		}
	}
}
