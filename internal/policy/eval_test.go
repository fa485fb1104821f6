package policy

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/lensix/lensix/internal/resource"
)

// ruleDefinition builds a definition around an if-condition, with the given effect.
func ruleDefinition(t *testing.T, mode, ifJSON, thenJSON string) *Definition {
	t.Helper()
	if thenJSON == "" {
		thenJSON = `{"effect": "audit"}`
	}
	doc := fmt.Sprintf(`{"properties": {"mode": %q, "parameters": {"tagName": {"type": "String", "defaultValue": "env"},
		"allowed": {"type": "Array", "defaultValue": ["westeurope", "northeurope"]}},
		"policyRule": {"if": %s, "then": %s}}, "name": "test"}`, mode, ifJSON, thenJSON)
	def, err := Parse("test.json", []byte(doc))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return def
}

func res(typ, name string, body map[string]any) *resource.Resource {
	b := map[string]any{"type": typ, "name": name}
	for k, v := range body {
		b[k] = v
	}
	return &resource.Resource{Type: typ, Name: name, Body: b}
}

// truth evaluates the definition's if on r.
func truth(t *testing.T, def *Definition, r *resource.Resource) Truth {
	t.Helper()
	params, err := def.Bind(nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := &evalContext{env: &Env{Now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}, params: params, target: r, subject: r}
	got, err := ctx.evalCondition(def.rule.cond)
	if err != nil {
		t.Fatalf("evaluate: %v", err)
	}
	return got
}

var unknownValue = &resource.Unknown{Reason: "var.x has no value"}

func TestOperators(t *testing.T) {
	cases := []struct {
		name    string
		op      string
		value   any
		absent  bool
		operand any
		want    Truth
	}{
		{"equals ignores letter case", "equals", "SystemAssigned", false, "systemassigned", True},
		{"equals compares a boolean with its string form", "equals", true, false, "true", True},
		{"equals compares numbers with their string form", "equals", 5.0, false, "5", True},
		{"equals is false for an absent field", "equals", nil, true, "x", False},
		{"notEquals is true for an absent field", "notEquals", nil, true, "x", True},
		{"equals compares arrays element by element", "equals", []any{"A", "b"}, false, []any{"a", "B"}, True},
		{"like matches a wildcard without regard to case", "like", "Microsoft.Web/Sites", false, "microsoft.web/*", True},
		{"like needs the whole string to match", "like", "xapim", false, "apim*", False},
		{"like with a wildcard in the middle", "like", "/subscriptions/1/resourceGroups/rg/providers/x", false, "/subscriptions/*/providers/*", True},
		{"notLike negates like", "notLike", "2008-R2", false, "2008*", False},
		{"match reads # as a digit and ? as a letter", "match", "ab-12", false, "??-##", True},
		{"match regards letter case", "match", "AB-12", false, "ab-##", False},
		{"matchInsensitively ignores letter case", "matchInsensitively", "AB-12", false, "ab-##", True},
		{"notMatch negates match", "notMatch", "2019-12-01", false, "####-##-##", False},
		{"notMatchInsensitively negates matchInsensitively", "notMatchInsensitively", "X1", false, "x#", False},
		{"contains finds a substring without regard to case", "contains", "FunctionApp,Linux", false, "functionapp", True},
		{"contains finds an array element", "contains", []any{"http", "https"}, false, "HTTP", True},
		{"notContains on an absent field is true", "notContains", nil, true, "functionapp", True},
		{"in finds the value in a list without regard to case", "in", "WestEurope", false, []any{"westeurope"}, True},
		{"notIn is true when the value is not listed", "notIn", "eastus", false, []any{"westeurope"}, True},
		{"containsKey looks up an object key without regard to case", "containsKey", map[string]any{"Env": "x"}, false, "env", True},
		{"notContainsKey is true on an object without the key", "notContainsKey", map[string]any{"a": 1.0}, false, "env", True},
		{"less compares numbers", "less", 9.0, false, 10.0, True},
		{"less compares a number with a numeric string", "lessOrEquals", 10.0, false, "10", True},
		{"greater compares ISO dates as strings", "greater", "2024-11-01", false, "2021-03-01", True},
		{"date-times compare as instants whatever their precision", "lessOrEquals", "2026-01-01T00:00:00Z", false, "2026-01-01T00:00:00.0000000Z", True},
		{"greaterOrEquals on an absent field is false", "greaterOrEquals", nil, true, 1.0, False},
		{"exists true is true for a present value", "exists", "x", false, "true", True},
		{"exists false is true for an absent field", "exists", nil, true, false, True},
		{"a null property does not exist", "exists", nil, false, "false", True},
		{"an unknown value makes equals unknown", "equals", unknownValue, false, "None", Unknown},
		{"an unknown value makes exists unknown", "exists", unknownValue, false, "false", Unknown},
		{"an unknown value makes notIn unknown", "notIn", unknownValue, false, []any{"a"}, Unknown},
		{"an unknown element decides nothing when another matches", "contains", []any{unknownValue, "https"}, false, "https", True},
		{"an unknown element makes contains unknown otherwise", "contains", []any{unknownValue}, false, "https", Unknown},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := applyOperator(tc.op, tc.value, !tc.absent, tc.operand)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("%s(%v, %v) = %s, want %s", tc.op, tc.value, tc.operand, got, tc.want)
			}
		})
	}
}

func TestOperatorErrors(t *testing.T) {
	if _, err := applyOperator("less", map[string]any{}, true, 1.0); err == nil {
		t.Error("less on an object should be an error")
	}
	if _, err := applyOperator("in", "a", true, "a"); err == nil {
		t.Error("in with a string operand should be an error")
	}
}

func TestKleeneLogic(t *testing.T) {
	unknownIdentity := res("Microsoft.App/containerApps", "app", map[string]any{"identity": unknownValue})
	cases := []struct {
		name string
		cond string
		want Truth
	}{
		{"allOf with a false condition is false despite an unknown one", `{"allOf": [{"field": "identity.type", "equals": "x"}, {"field": "type", "equals": "other"}]}`, False},
		{"allOf with true and unknown conditions is unknown", `{"allOf": [{"field": "identity.type", "equals": "x"}, {"field": "name", "equals": "app"}]}`, Unknown},
		{"anyOf with a true condition is true despite an unknown one", `{"anyOf": [{"field": "identity.type", "equals": "x"}, {"field": "name", "equals": "app"}]}`, True},
		{"anyOf with false and unknown conditions is unknown", `{"anyOf": [{"field": "identity.type", "equals": "x"}, {"field": "name", "equals": "other"}]}`, Unknown},
		{"not of unknown is unknown", `{"not": {"field": "identity.type", "exists": true}}`, Unknown},
		{"not of false is true", `{"not": {"field": "name", "equals": "other"}}`, True},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			def := ruleDefinition(t, "All", tc.cond, "")
			if got := truth(t, def, unknownIdentity); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestFields(t *testing.T) {
	apim := res("Microsoft.ApiManagement/service", "apim", map[string]any{
		"location": "westeurope",
		"kind":     "premium",
		"tags":     map[string]any{"Env": "prod", "cost-center": "42"},
		"identity": map[string]any{"type": "SystemAssigned"},
		"sku":      map[string]any{"name": "Premium", "capacity": 1.0},
		"properties": map[string]any{
			"hostnameConfigurations": []any{
				map[string]any{"type": "Proxy", "hostName": "a.example.com", "negotiateClientCertificate": false},
				map[string]any{"type": "Portal", "hostName": "b.example.com", "negotiateClientCertificate": false},
			},
			"additionalLocations": []any{},
		},
	})
	api := res("Microsoft.ApiManagement/service/apis", "apim/echo", map[string]any{"properties": map[string]any{"protocols": []any{"https"}}})
	cases := []struct {
		name string
		r    *resource.Resource
		cond string
		want Truth
	}{
		{"type is the resource type", apim, `{"field": "type", "equals": "microsoft.apimanagement/service"}`, True},
		{"name of a child resource is its last segment", api, `{"field": "name", "equals": "echo"}`, True},
		{"fullName of a child resource includes its parent", api, `{"field": "fullName", "equals": "apim/echo"}`, True},
		{"an unresolved name is unknown, not its source text", &resource.Resource{Type: "Microsoft.ApiManagement/service", Name: "[parameters('name')]", Body: map[string]any{"name": unknownValue}}, `{"field": "name", "like": "apim-*"}`, Unknown},
		{"kind reads the body", apim, `{"field": "kind", "equals": "Premium"}`, True},
		{"location reads the body", apim, `{"field": "location", "in": "[parameters('allowed')]"}`, True},
		{"id of an undeployed resource is unknown", apim, `{"field": "id", "like": "/subscriptions/*"}`, Unknown},
		{"tags['name'] reads a tag without regard to case", apim, `{"field": "tags['env']", "equals": "prod"}`, True},
		{"tags.name reads a tag", apim, `{"field": "tags.cost-center", "equals": "42"}`, True},
		{"tags[name] reads a tag", apim, `{"field": "tags[Env]", "exists": true}`, True},
		{"a field name built by an expression", apim, `{"field": "[concat('tags[', parameters('tagName'), ']')]", "equals": "prod"}`, True},
		{"tags containsKey", apim, `{"field": "tags", "containsKey": "ENV"}`, True},
		{"identity.type reads the body", apim, `{"field": "identity.type", "equals": "SystemAssigned"}`, True},
		{"an alias reads its default path", apim, `{"field": "Microsoft.ApiManagement/service/sku.name", "equals": "premium"}`, True},
		{"alias names ignore letter case", apim, `{"field": "microsoft.apimanagement/SERVICE/sku.name", "equals": "premium"}`, True},
		{"a [*] alias is true when every element matches", apim, `{"field": "Microsoft.ApiManagement/service/hostnameConfigurations[*].negotiateClientCertificate", "equals": false}`, True},
		{"a [*] alias is false when one element does not match", apim, `{"field": "Microsoft.ApiManagement/service/hostnameConfigurations[*].type", "equals": "Proxy"}`, False},
		{"a [*] alias over an empty array is true", apim, `{"field": "Microsoft.ApiManagement/service/additionalLocations[*].location", "equals": "nowhere"}`, True},
		{"an alias of another type does not exist on this one", apim, `{"field": "Microsoft.ApiManagement/service/apis/protocols[*]", "exists": false}`, True},
		{"expressions inside an operand array are evaluated", apim, `{"field": "location", "in": ["[concat('west', 'europe')]", "northeurope"]}`, True},
		{"expressions inside an operand object are evaluated", apim, `{"field": "Microsoft.ApiManagement/service/sku", "equals": {"name": "[toUpper('premium')]", "capacity": 1}}`, True},
		{"an alias on a type of its namespace that the table lacks is unknown", res("Microsoft.Compute/snapshots", "snap", nil), `{"field": "Microsoft.Compute/imagePublisher", "equals": "Canonical"}`, Unknown},
		{"an alias of a partly known namespace, not in the table, is unknown", res("Microsoft.Compute/galleries", "g", nil), `{"field": "Microsoft.Compute/galleries/description", "exists": true}`, Unknown},
		{"an alias of another namespace does not exist on a resource of a fully known one", res("Microsoft.Storage/storageAccounts", "st", nil), `{"field": "Microsoft.Compute/imagePublisher", "exists": false}`, True},
		{"a value condition compares an expression", apim, `{"value": "[toLower(field('Microsoft.ApiManagement/service/sku.name'))]", "equals": "premium"}`, True},
		{"field() of a [*] alias is the array of values", apim, `{"value": "[length(field('Microsoft.ApiManagement/service/hostnameConfigurations[*].hostName'))]", "equals": 2}`, True},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			def := ruleDefinition(t, "All", tc.cond, "")
			if got := truth(t, def, tc.r); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestCount(t *testing.T) {
	vnet := func(subnets ...any) *resource.Resource {
		return res("Microsoft.Network/virtualNetworks", "vnet", map[string]any{"location": "westeurope", "properties": map[string]any{"subnets": subnets}})
	}
	subnet := func(name string, ipConfigs int, routeTable bool) any {
		var cfgs []any
		for i := 0; i < ipConfigs; i++ {
			cfgs = append(cfgs, map[string]any{"id": fmt.Sprintf("/nic%d", i)})
		}
		props := map[string]any{"ipConfigurations": cfgs}
		if routeTable {
			props["routeTable"] = map[string]any{"id": "/rt"}
		}
		return map[string]any{"name": name, "properties": props}
	}
	nested := `{"count": {"field": "Microsoft.Network/virtualNetworks/subnets[*]", "where": {"allOf": [
		{"count": {"field": "Microsoft.Network/virtualNetworks/subnets[*].ipConfigurations[*]",
			"where": {"value": "[empty(field('Microsoft.Network/virtualNetworks/subnets[*].ipConfigurations[*].id'))]", "equals": false}},
		 "greaterOrEquals": 2},
		{"field": "Microsoft.Network/virtualNetworks/subnets[*].routeTable", "exists": false}]}}, "greater": 0}`
	apis := func(protocols any) *resource.Resource {
		return res("Microsoft.ApiManagement/service/apis", "apim/api", map[string]any{"properties": map[string]any{"protocols": protocols}})
	}
	httpCount := `{"count": {"field": "Microsoft.ApiManagement/service/apis/protocols[*]", "where": {"field": "Microsoft.ApiManagement/service/apis/protocols[*]", "equals": "http"}}, "greaterOrEquals": 1}`
	cases := []struct {
		name string
		r    *resource.Resource
		cond string
		want Truth
	}{
		{"a field count counts matching elements", apis([]any{"https", "http"}), httpCount, True},
		{"a field count finds none", apis([]any{"https"}), httpCount, False},
		{"a field count over an absent array is zero", res("Microsoft.ApiManagement/service/apis", "apim/api", nil), httpCount, False},
		{"a count without where counts every element", apis([]any{"https", "ws"}), `{"count": {"field": "Microsoft.ApiManagement/service/apis/protocols[*]"}, "equals": 2}`, True},
		{"an unknown array makes the count unknown", apis(unknownValue), httpCount, Unknown},
		{"an unknown element decides nothing when another matches", apis([]any{unknownValue, "http"}), httpCount, True},
		{"an unknown element makes the count unknown otherwise", apis([]any{unknownValue, "https"}), httpCount, Unknown},
		{"a nested count binds the inner array to the outer element", vnet(subnet("a", 2, false)), nested, True},
		{"a nested count sees one subnet with a route table", vnet(subnet("a", 2, true), subnet("b", 1, false)), nested, False},
		{"a value count with a name exposes current(name)", apis([]any{"https"}), `{"count": {"value": "[parameters('allowed')]", "name": "loc", "where": {"value": "[current('loc')]", "like": "*europe"}}, "equals": 2}`, True},
		{"current() without a name is the innermost element", apis([]any{"https"}), `{"count": {"value": ["a", "b", "c"], "where": {"value": "[current()]", "notEquals": "b"}}, "equals": 2}`, True},
		{"current(alias) reads the counted element", apis([]any{"http", "HTTPS"}), `{"count": {"field": "Microsoft.ApiManagement/service/apis/protocols[*]", "where": {"value": "[toLower(current('Microsoft.ApiManagement/service/apis/protocols[*]'))]", "equals": "https"}}, "equals": 1}`, True},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			def := ruleDefinition(t, "All", tc.cond, "")
			if got := truth(t, def, tc.r); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestFunctions(t *testing.T) {
	r := &resource.Resource{Type: "Microsoft.Storage/storageAccounts", Name: "st", ResourceGroup: "rg", SubscriptionID: "sub",
		Body: map[string]any{"apiVersion": "2023-01-01", "name": "st", "properties": map[string]any{"supportsHttpsTrafficOnly": true}}}
	cases := []struct {
		expr string
		want any
	}{
		{"[concat('a', 'b', 1)]", "ab1"},
		{"[concat(createArray(1), createArray(2))]", []any{1.0, 2.0}},
		{"[if(equals(1, 1), 'yes', 'no')]", "yes"},
		{"[empty('')]", true},
		{"[length(split('a,b,c', ','))]", 3.0},
		{"[toLower('AbC')]", "abc"},
		{"[toUpper('abc')]", "ABC"},
		{"[contains('Hello', 'ell')]", true},
		{"[contains(createArray('a'), 'a')]", true},
		{"[contains(createObject('k', 1), 'K')]", true},
		{"[not(and(true(), or(false(), true())))]", false},
		{"[string(5)]", "5"},
		{"[int('42')]", 42.0},
		{"[bool('True')]", true},
		{"[first(createArray('x', 'y'))]", "x"},
		{"[last('abc')]", "c"},
		{"[replace('a b', ' ', '')]", "ab"},
		{"[substring('abcdef', 1, 3)]", "bcd"},
		{"[indexOf('abcd', 'CD')]", 2.0},
		{"[startsWith('Microsoft.Web', 'microsoft')]", true},
		{"[endsWith('abc', 'BC')]", true},
		{"[padLeft(7, 3, '0')]", "007"},
		{"[less(1, 2)]", true},
		{"[greaterOrEquals('b', 'a')]", true},
		{"[coalesce(null(), 'x')]", "x"},
		{"[union(createArray(1, 2), createArray(2, 3))]", []any{1.0, 2.0, 3.0}},
		{"[intersection(createArray(1, 2), createArray(2, 3))]", []any{2.0}},
		{"[ipRangeContains('10.0.0.0/8', '10.1.2.0/24')]", true},
		{"[ipRangeContains('10.0.0.0/8', '11.0.0.1')]", false},
		{"[ipRangeContains('10.0.0.0/24', '10.0.0.0/16')]", false},
		{"[ipRangeContains('192.168.0.1-192.168.0.9', '192.168.0.5')]", true},
		{"[ipRangeContains('192.168.0.1-192.168.0.9', '192.168.0.0/29')]", false},
		{"[ipRangeContains('10.0.0.0/30', '10.0.0.0-10.0.0.3')]", true},
		{"[ipRangeContains('2001:0DB8::/110', '2001:0DB8::3:FFFE')]", true},
		{"[ipRangeContains('2001:0DB8::-2001:0DB8::3:FFFF', '2001:db8::4:0')]", false},
		{"[addDays('2026-01-01T00:00:00Z', 2)]", "2026-01-03T00:00:00.0000000Z"},
		{"[utcNow()]", "2026-01-02T03:04:05.0000000Z"},
		{"[mul(int('3'), -1)]", -3.0},
		{"[tryGet(createObject('a', createObject('b', 1)), 'a', 'b')]", 1.0},
		{"[tryGet(createObject('a', 1), 'missing')]", nil},
		{"[resourceGroup().name]", "rg"},
		{"[subscription().subscriptionId]", "sub"},
		{"[requestContext().apiVersion]", "2023-01-01"},
		{"[field('Microsoft.Storage/storageAccounts/supportsHttpsTrafficOnly')]", true},
		{"[createArray('a', 'b')[1]]", "b"},
		{"[[not an expression]", "[not an expression]"},
		{"[div(7, 2)]", 3.0},
		{"[mod(7, 2)]", 1.0},
		{"[max(createArray(3, 9, 4))]", 9.0},
		{"[min(3, 1, 2)]", 1.0},
		{"[lastIndexOf('a/b/c', '/')]", 3.0},
		{"[first('')]", ""},
		{"[skip(createArray(1, 2, 3), 2)]", []any{3.0}},
		{"[take('abcdef', 2)]", "ab"},
		{"[equals(field('tags'), '')]", true},
		{"[empty(field('Microsoft.Storage/storageAccounts/supportsHttpsTrafficOnly'))]", false},
		{"[uniqueString('/subscriptions/00000000-0000-0000-0000-000000000000', 'resource-id')]", "cwvxuqg24sifi"},
	}
	for _, tc := range cases {
		t.Run(tc.expr, func(t *testing.T) {
			c := &compiler{file: "test.json", aliases: BuiltinAliases(), params: map[string]Parameter{}}
			tm, err := c.compileString("value", tc.expr)
			if err != nil {
				t.Fatal(err)
			}
			ctx := &evalContext{env: &Env{Now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}, target: r, subject: r}
			got, err := tm.eval(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("got %#v, want %#v", got, tc.want)
			}
		})
	}
}

func TestIPRangeContainsFailsOnRangesAzureRejects(t *testing.T) {
	cases := []struct{ name, expr, want string }{
		{"an IPv4 range and an IPv6 address", "[ipRangeContains('10.0.0.0/8', '2001:db8::1')]", "IPv4 range with an IPv6 range"},
		{"an empty range", "[ipRangeContains('', '10.0.0.1')]", "ParseAddr"},
		{"a range that runs backwards", "[ipRangeContains('10.0.0.9-10.0.0.1', '10.0.0.5')]", "not a range from a lower to a higher address"},
	}
	r := res("Microsoft.Network/networkSecurityGroups", "nsg", nil)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := &compiler{file: "test.json", aliases: BuiltinAliases(), params: map[string]Parameter{}}
			tm, err := c.compileString("value", tc.expr)
			if err != nil {
				t.Fatal(err)
			}
			_, err = tm.eval(&evalContext{env: &Env{}, target: r, subject: r})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func TestUnknownPropagatesThroughFunctions(t *testing.T) {
	r := res("Microsoft.ApiManagement/service", "apim", map[string]any{"identity": map[string]any{"type": unknownValue}})
	def := ruleDefinition(t, "All", `{"value": "[toLower(string(field('identity.type')))]", "equals": "none"}`, "")
	if got := truth(t, def, r); got != Unknown {
		t.Errorf("got %s, want unknown", got)
	}
	def = ruleDefinition(t, "All", `{"value": "[and(equals(1, 2), equals(field('identity.type'), 'x'))]", "equals": true}`, "")
	if got := truth(t, def, r); got != False {
		t.Errorf("and() with a false argument: got %s, want false", got)
	}
	def = ruleDefinition(t, "All", `{"allOf": [{"field": "type", "equals": "Microsoft.ApiManagement/service"}, {"field": "identity.type", "equals": "None"}]}`, "")
	result, _ := def.Evaluate(r, map[string]any{}, nil)
	if result.Compliance != Undetermined || !strings.HasSuffix(result.Message, ": var.x has no value") {
		t.Errorf("an unknown verdict should say which value: %s %q", result.Compliance, result.Message)
	}
	noGroup := res("Microsoft.Storage/storageAccounts", "st", nil)
	def = ruleDefinition(t, "All", `{"value": "[resourceGroup().tags['env']]", "equals": "prod"}`, "")
	if got := truth(t, def, noGroup); got != Unknown {
		t.Errorf("resource group tags: got %s, want unknown", got)
	}
}

func TestPolicyFunctionKnowsTheDefinitionButNoAssignment(t *testing.T) {
	cases := []struct {
		name, condition string
		want            Compliance
	}{
		{"definitionId is the definition's id", `{"value": "[policy().definitionId]", "equals": "/providers/Microsoft.Authorization/policyDefinitions/abc"}`, NonCompliant},
		{"assignmentId is unknown without an assignment", `{"value": "[policy().assignmentId]", "equals": "x"}`, Undetermined},
	}
	r := res("Microsoft.Storage/storageAccounts", "st", nil)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc := `{"id": "/providers/Microsoft.Authorization/policyDefinitions/abc", "properties": {"mode": "All", "policyRule": {"if": ` + tc.condition + `, "then": {"effect": "audit"}}}}`
			def, err := Parse("test.json", []byte(doc))
			if err != nil {
				t.Fatal(err)
			}
			result, na := def.Evaluate(r, map[string]any{}, nil)
			if na != nil || result.Compliance != tc.want {
				t.Errorf("got %v %v, want %s", result, na, tc.want)
			}
		})
	}
}

func TestContainsAnswersFromKnownElements(t *testing.T) {
	cases := []struct {
		name, condition string
		want            Truth
	}{
		{"a known element matches beside an unknown one", `{"value": "[contains(field('Microsoft.ApiManagement/service/apis/protocols'), 'https')]", "equals": true}`, True},
		{"no known element matches beside an unknown one", `{"value": "[contains(field('Microsoft.ApiManagement/service/apis/protocols'), 'ws')]", "equals": true}`, Unknown},
	}
	api := res("Microsoft.ApiManagement/service/apis", "apim/echo", map[string]any{"properties": map[string]any{"protocols": []any{unknownValue, "https"}}})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := truth(t, ruleDefinition(t, "All", tc.condition, ""), api); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestBadDefinitionsNameTheFileAndJSONPath(t *testing.T) {
	cases := []struct {
		name, doc, want string
	}{
		{"invalid JSON names the line and column", "{\n  \"properties\": {\n    \"mode\": \"All\",,\n  }\n}", "test.json: not a valid policy definition: invalid JSON at line 3, column 19"},
		{"no policy rule", `{"properties": {"mode": "All"}}`, "test.json: properties.policyRule: the definition has no policyRule"},
		{"unknown condition", `{"properties": {"policyRule": {"if": {"allOf": [{"field": "type", "equalz": "x"}]}, "then": {"effect": "audit"}}}}`, `test.json: properties.policyRule.if.allOf[0].equalz: unknown condition "equalz"`},
		{"unknown function", `{"properties": {"policyRule": {"if": {"value": "[toLowr('A')]", "equals": "a"}, "then": {"effect": "audit"}}}}`, `test.json: properties.policyRule.if.value: unknown function "toLowr"`},
		{"wrong number of arguments", `{"properties": {"policyRule": {"if": {"value": "[toLower('A', 'B')]", "equals": "a"}, "then": {"effect": "audit"}}}}`, "toLower() takes 1 argument(s), found 2"},
		{"unknown alias of a known namespace", `{"properties": {"policyRule": {"if": {"field": "Microsoft.ApiManagement/service/noSuchProperty", "exists": true}, "then": {"effect": "audit"}}}}`, `test.json: properties.policyRule.if.field: unknown alias "Microsoft.ApiManagement/service/noSuchProperty"`},
		{"count without [*]", `{"properties": {"policyRule": {"if": {"count": {"field": "Microsoft.ApiManagement/service/sku.name"}, "equals": 1}, "then": {"effect": "audit"}}}}`, "properties.policyRule.if.count.field: count.field must be an array alias ending in [*]"},
		{"count with field and value", `{"properties": {"policyRule": {"if": {"count": {"field": "Microsoft.ApiManagement/service/apis/protocols[*]", "value": []}, "equals": 1}, "then": {"effect": "audit"}}}}`, "properties.policyRule.if.count: count needs exactly one of field and value"},
		{"count with an unknown property", `{"properties": {"policyRule": {"if": {"count": {"value": [], "wher": {}}, "equals": 1}, "then": {"effect": "audit"}}}}`, `properties.policyRule.if.count.wher: unknown count property "wher"`},
		{"a logical operator beside a condition", `{"properties": {"policyRule": {"if": {"not": {"field": "type", "equals": "a"}, "field": "name"}, "then": {"effect": "audit"}}}}`, `properties.policyRule.if: "not" cannot be combined with "field"`},
		{"a field that is neither built in nor an alias", `{"properties": {"policyRule": {"if": {"field": "properties.x", "exists": true}, "then": {"effect": "audit"}}}}`, `properties.policyRule.if.field: unknown field "properties.x"`},
		{"two operators", `{"properties": {"policyRule": {"if": {"field": "type", "equals": "a", "notEquals": "b"}, "then": {"effect": "audit"}}}}`, "a condition has one operator"},
		{"no operator", `{"properties": {"policyRule": {"if": {"field": "type"}, "then": {"effect": "audit"}}}}`, "properties.policyRule.if: the condition has no operator"},
		{"unknown effect", `{"properties": {"policyRule": {"if": {"field": "type", "equals": "a"}, "then": {"effect": "block"}}}}`, `properties.policyRule.then.effect: unknown effect string "block"`},
		{"undeclared parameter", `{"properties": {"policyRule": {"if": {"field": "location", "in": "[parameters('allowed')]"}, "then": {"effect": "audit"}}}}`, "parameters('allowed') names no parameter of the definition"},
		{"in with a string", `{"properties": {"policyRule": {"if": {"field": "location", "in": "westeurope"}, "then": {"effect": "audit"}}}}`, "properties.policyRule.if.in: in needs an array"},
		{"a template function Azure Policy does not allow", `{"properties": {"policyRule": {"if": {"value": "[reference('x').id]", "equals": "a"}, "then": {"effect": "audit"}}}}`, `test.json: properties.policyRule.if.value: reference() is not available in Azure Policy rules`},
		{"a list function", `{"properties": {"policyRule": {"if": {"value": "[listKeys('id', '2020-01-01')]", "equals": "a"}, "then": {"effect": "audit"}}}}`, "listKeys() is not available in Azure Policy rules"},
		{"a function that needs a lambda", `{"properties": {"policyRule": {"if": {"value": "[filter(field('tags'), 'x')]", "equals": "a"}, "then": {"effect": "audit"}}}}`, "filter() needs a lambda, and lambda() is not available in Azure Policy rules"},
		{"utcNow with a format", `{"properties": {"policyRule": {"if": {"value": "[utcNow('u')]", "equals": "a"}, "then": {"effect": "audit"}}}}`, "utcNow(format) is not available in Azure Policy rules"},
		{"unclosed expression", `{"properties": {"policyRule": {"if": {"value": "[concat('a']", "equals": "a"}, "then": {"effect": "audit"}}}}`, `properties.policyRule.if.value: expression "[concat('a']", column 12: ',' or ')' expected in the arguments of concat, found end of expression`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("test.json", []byte(tc.doc))
			if err == nil {
				t.Fatal("parsed without error")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q\ndoes not contain %q", err, tc.want)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"properties": {"mode": "All", "policyRule": {"if": {"allOf": [{"field": "type", "equals": "Microsoft.ApiManagement/service"}, {"count": {"value": "[split(toLower(string(field('identity.type'))), ',')]", "name": "x", "where": {"value": "[current('x')]", "in": ["a"]}}, "equals": 0}]}, "then": {"effect": "[parameters('effect')]"}}, "parameters": {"effect": {"type": "String", "defaultValue": "Audit"}}}}`))
	f.Add([]byte(`{"policyRule": {"if": {"not": {"field": "tags['a']", "exists": true}}, "then": {"effect": "modify", "details": {"operations": [{"operation": "addOrReplace", "field": "tags['a']", "value": "[resourceGroup().tags['a']]"}]}}}}`))
	f.Add([]byte(`[{"properties": {}}]`))
	r := res("Microsoft.ApiManagement/service", "apim", map[string]any{"identity": map[string]any{"type": "None"}, "tags": map[string]any{"a": unknownValue}})
	f.Fuzz(func(t *testing.T, data []byte) {
		defs, _ := ParseDocument("fuzz.json", data)
		for _, d := range defs {
			params, err := d.Bind(nil)
			if err != nil {
				continue
			}
			d.Evaluate(r, params, &Env{Resources: []*resource.Resource{r}})
		}
	})
}

func FuzzExpression(f *testing.F) {
	for _, seed := range []string{"concat('a', parameters('tagName'))", "split(toLower(replace(string(field('identity.type')), ' ', '')), ',')",
		"if(empty(field('tags')), 0, length(field('tags')))", "createArray(1, 2)[1]", "resourceGroup().tags['x']", "substring('abc', 1, 5)",
		"ipRangeContains('10.0.0.0/8', '10.1.2.3')", "padLeft(7, 3, '0')", "substring('abc', 100000000000000000000000)", "createArray(1)[mul(100000000000, 100000000000000000000)]", "padLeft('a', 100000000000000000000)", "take('abc', -100000000000000000000)", "tryGet(createObject('a', 1), 'a', 0)", "'it''s'"} {
		f.Add(seed)
	}
	r := res("Microsoft.ApiManagement/service", "apim", map[string]any{"identity": map[string]any{"type": "None"}, "tags": map[string]any{"a": unknownValue}})
	c := &compiler{file: "fuzz.json", aliases: BuiltinAliases(), params: map[string]Parameter{"tagName": {Type: "String"}}}
	f.Fuzz(func(t *testing.T, src string) {
		tm, err := c.compileString("value", "["+src+"]")
		if err != nil {
			return
		}
		ctx := &evalContext{env: &Env{}, params: map[string]any{"tagName": "a"}, target: r, subject: r}
		_, _ = tm.eval(ctx)
	})
}

func TestAnAliasOfAPartlyKnownNamespaceLoadsWithAWarning(t *testing.T) {
	def, err := Parse("w.json", []byte(`{"properties": {"policyRule": {"if": {"field": "Microsoft.Compute/galleries/description", "exists": true}, "then": {"effect": "audit"}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(def.Warnings) != 1 || !strings.Contains(def.Warnings[0], "holds only some Microsoft.Compute types") {
		t.Errorf("warnings %q", def.Warnings)
	}
}
