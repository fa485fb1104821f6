package funcs

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/lensix/lensix/internal/resource"
)

type fakeContext struct {
	params map[string]any
	scope  Scope
}

func (c fakeContext) Parameter(name string) (any, error) {
	if v, ok := c.params[name]; ok {
		return v, nil
	}
	return nil, fmt.Errorf("no parameter %q", name)
}
func (c fakeContext) Variable(name string) (any, error) {
	return nil, fmt.Errorf("no variable %q", name)
}
func (c fakeContext) CopyIndex(loop string) (any, error) { return int64(2), nil }
func (c fakeContext) Scope() Scope                       { return c.scope }

var unknownValue = &resource.Unknown{Reason: "not given"}

func obj(kv ...any) map[string]any {
	m := map[string]any{}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return m
}

func arr(v ...any) []any { return append([]any{}, v...) }

func TestCall(t *testing.T) {
	ctx := fakeContext{params: map[string]any{"p": "v"}, scope: Scope{SubscriptionID: "sub", ResourceGroup: "rg"}}
	double := &Lambda{Params: []string{"x"}, Call: func(a []any) (any, error) { return a[0].(int64) * 2, nil }}
	isBig := &Lambda{Params: []string{"x"}, Call: func(a []any) (any, error) { return a[0].(int64) > 1, nil }}
	sum := &Lambda{Params: []string{"acc", "x"}, Call: func(a []any) (any, error) { return a[0].(int64) + a[1].(int64), nil }}
	tests := []struct {
		name string
		fn   string
		args []any
		want any
	}{
		{"parameters reads the context", "parameters", arr("p"), "v"},
		{"concat joins strings and integers", "concat", arr("a", int64(1), "b"), "a1b"},
		{"concat joins arrays", "concat", arr(arr(int64(1)), arr(int64(2))), arr(int64(1), int64(2))},
		{"format fills numbered items and escapes braces", "format", arr("{{{0}-{1}}}", "a", int64(2)), "{a-2}"},
		{"format writes booleans as .NET does", "format", arr("{0}", true), "True"},
		{"format pads with D", "format", arr("{0:D3}", int64(7)), "007"},
		{"if picks a branch", "if", arr(false, "a", "b"), "b"},
		{"equals compares deeply", "equals", arr(obj("a", arr(int64(1))), obj("A", arr(int64(1)))), true},
		{"equals is case-sensitive on strings", "equals", arr("a", "A"), false},
		{"not negates", "not", arr(true), false},
		{"empty is true for an empty object", "empty", arr(obj()), true},
		{"empty is true for null", "empty", arr(nil), true},
		{"empty is false for a number", "empty", arr(int64(0)), false},
		{"empty is false for a bool", "empty", arr(false), false},
		{"contains looks up object keys without case", "contains", arr(obj("Key", int64(1)), "key"), true},
		{"contains finds array elements", "contains", arr(arr("a", "b"), "b"), true},
		{"contains finds a known element beside unknown ones", "contains", arr(arr(unknownValue, "b"), "b"), true},
		{"contains reads object keys when values are unknown", "contains", arr(obj("k", unknownValue), "K"), true},
		{"union merges nested objects", "union", arr(obj("a", obj("x", int64(1))), obj("a", obj("y", int64(2)))), obj("a", obj("x", int64(1), "y", int64(2)))},
		{"union deduplicates arrays", "union", arr(arr("a", "b"), arr("b", "c")), arr("a", "b", "c")},
		{"createObject pairs keys and values", "createObject", arr("type", "SystemAssigned"), obj("type", "SystemAssigned")},
		{"json parses an object", "json", arr(`{"type": "None"}`), obj("type", "None")},
		{"json accepts comments", "json", arr("[1, // one\n 2]"), arr(int64(1), int64(2))},
		{"string writes objects as compact JSON", "string", arr(obj("a", "<b>")), `{"a":"<b>"}`},
		{"int parses a string", "int", arr("42"), int64(42)},
		{"bool reads true in any letter case", "bool", arr("tRue"), true},
		{"bool reads any other string as false", "bool", arr("yes"), false},
		{"toLower", "toLower", arr("ABC"), "abc"},
		{"length counts characters", "length", arr("héllo"), int64(5)},
		{"coalesce skips nulls", "coalesce", arr(nil, "x"), "x"},
		{"first of an empty array is null", "first", arr(arr()), nil},
		{"last of a string", "last", arr("abc"), "c"},
		{"split on several delimiters", "split", arr("a,b;c", arr(",", ";")), arr("a", "b", "c")},
		{"replace every occurrence", "replace", arr("a-b-c", "-", "+"), "a+b+c"},
		{"substring", "substring", arr("abcdef", int64(1), int64(3)), "bcd"},
		{"range", "range", arr(int64(5), int64(3)), arr(int64(5), int64(6), int64(7))},
		{"min of one integer is that integer", "min", arr(int64(5)), int64(5)},
		{"max of one integer is that integer", "max", arr(int64(4)), int64(4)},
		{"min of an array is its least element", "min", arr(arr(int64(3), int64(-1), int64(2))), int64(-1)},
		{"max of a comma-separated list is its greatest", "max", arr(int64(3), int64(7), int64(2)), int64(7)},
		{"copyIndex adds an offset", "copyIndex", arr(int64(1)), int64(3)},
		{"items lists entries sorted by key", "items", arr(obj("b", int64(2), "a", int64(1))), arr(obj("key", "a", "value", int64(1)), obj("key", "b", "value", int64(2)))},
		{"objectKeys", "objectKeys", arr(obj("b", 1, "a", 2)), arr("a", "b")},
		{"resourceId in the current group", "resourceId", arr("Microsoft.ApiManagement/service", "apim"), "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.ApiManagement/service/apim"},
		{"resourceId of a child in another group", "resourceId", arr("other", "Microsoft.ApiManagement/service/apis", "apim", "echo"), "/subscriptions/sub/resourceGroups/other/providers/Microsoft.ApiManagement/service/apim/apis/echo"},
		{"subscriptionResourceId", "subscriptionResourceId", arr("Microsoft.Authorization/roleDefinitions", "r"), "/subscriptions/sub/providers/Microsoft.Authorization/roleDefinitions/r"},
		// From the Azure-maintained azapi provider's test (Azure/terraform-provider-azapi,
		// internal/services/functions/unique_string_function_test.go).
		{"uniqueString matches Azure's value", "uniqueString", arr("/subscriptions/00000000-0000-0000-0000-000000000000", "resource-id"), "cwvxuqg24sifi"},
		// Python's uuid.uuid5(UUID("11fb06fb-712d-4ddd-98c7-e71bbd588830"), "a-b"): checks the UUID
		// construction; that ARM joins the arguments with '-' is from public reimplementations.
		{"guid is a version-5 UUID of the joined arguments", "guid", arr("a", "b"), "2d796349-8c7e-55ec-9624-54ece82ed031"},
		{"map applies a lambda", "map", arr(arr(int64(1), int64(2)), double), arr(int64(2), int64(4))},
		{"filter keeps matches", "filter", arr(arr(int64(1), int64(2)), isBig), arr(int64(2))},
		{"reduce folds", "reduce", arr(arr(int64(1), int64(2), int64(3)), int64(0), sum), int64(6)},
		{"like matches wildcards without case", "like", arr("abcDEF", "a*f"), true},
		{"indexFromEnd counts from 1", "indexFromEnd", arr(arr("a", "b"), int64(1)), "b"},
		{"tryGet of a missing key is null", "tryGet", arr(obj("a", int64(1)), "b"), nil},
		{"and is false when any argument is false, even unknown ones", "and", arr(unknownValue, false), false},
		{"or is true when any argument is true, even unknown ones", "or", arr(unknownValue, true), true},
		{"if with an unknown condition and equal branches is known", "if", arr(unknownValue, "x", "x"), "x"},
		{"createArray keeps unknown elements", "createArray", arr(unknownValue), arr(unknownValue)},
		{"length of an array with unknown elements is known", "length", arr(arr(unknownValue)), int64(1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Call(ctx, tt.fn, tt.args)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("%s(%v) = %#v, want %#v", tt.fn, tt.args, got, tt.want)
			}
		})
	}
}

// unknownKey is a key lambda whose result is unknown.
var unknownKey = &Lambda{Params: []string{"x"}, Call: func([]any) (any, error) { return unknownValue, nil }}

func TestUnknownPropagates(t *testing.T) {
	tests := []struct {
		name string
		fn   string
		args []any
	}{
		{"concat of an unknown string", "concat", arr("a", unknownValue)},
		{"equals with an unknown side", "equals", arr(unknownValue, "x")},
		{"contains of an array whose known elements do not match", "contains", arr(arr(unknownValue, "a"), "b")},
		{"contains of a string and an array holding an unknown", "contains", arr("abc", arr(unknownValue))},
		{"if with an unknown condition and different branches", "if", arr(unknownValue, "a", "b")},
		{"and of true and unknown", "and", arr(true, unknownValue)},
		{"string of an object holding an unknown", "string", arr(obj("a", unknownValue))},
		{"uniqueString of an unknown", "uniqueString", arr(unknownValue)},
		{"resourceGroup-scoped resourceId without a known subscription", "resourceId", arr("A.B/c", "n")},
		{"reference of anything", "reference", arr("x")},
		{"utcNow", "utcNow", nil},
		{"a list function", "listKeys", arr("id", "2020-01-01")},
		{"the identity that deploys", "deployer", nil},
		{"toObject with an unknown key", "toObject", arr(arr("a"), unknownKey)},
		{"groupBy with an unknown key", "groupBy", arr(arr("a"), unknownKey)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Call(fakeContext{}, tt.fn, tt.args)
			if err != nil {
				t.Fatal(err)
			}
			u, ok := got.(*resource.Unknown)
			if !ok || u.Reason == "" {
				t.Errorf("got %#v, want an unknown with a reason", got)
			}
		})
	}
}

func TestCallErrors(t *testing.T) {
	tests := []struct {
		name     string
		fn       string
		args     []any
		contains string
		// deploymentFails: the expression is well formed but its values fail, as Resource
		// Manager finds only while deploying (a *RuntimeError).
		deploymentFails bool
	}{
		{"an unknown function", "nope", nil, "unknown function", false},
		{"too few arguments", "substring", nil, "takes 1 to 3 arguments", false},
		{"not of a string", "not", arr("x"), "must be a bool, not string", false},
		{"add of a string", "add", arr("1", int64(2)), "must be an integer", false},
		{"division by zero", "div", arr(int64(1), int64(0)), "division by zero", true},
		{"modulo by zero", "mod", arr(int64(1), int64(0)), "division by zero", true},
		{"an index from the end past the start", "indexFromEnd", arr(arr("a"), int64(2)), "out of range", true},
		{"a format item without argument", "format", arr("{1}", "a"), "no matching argument", false},
		{"an alignment that is no integer", "format", arr("{0,x}", "a"), "alignment", false},
		{"a huge alignment", "format", arr("{0,100000000}", "a"), "over", false},
		{"D of a fraction", "format", arr("{0:D2}", 1.5), "integers only", true},
		{"json that does not parse", "json", arr("{"), "invalid JSON", false},
		{"int of a non-number does not quote it", "int", arr("s3cret"), "the string is not an integer", false},
		{"a huge padLeft", "padLeft", arr("a", int64(1<<40)), "over", false},
		{"min of one string says it needs integers", "min", arr("5"), "must be an integer or an array of integers, not string", false},
		{"max of an empty array has no values", "max", arr(arr()), "no values", false},
		{"a substring beyond the end", "substring", arr("abc", int64(2), int64(5)), "beyond the string", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Call(fakeContext{}, tt.fn, tt.args)
			if err == nil || !strings.Contains(err.Error(), tt.contains) {
				t.Errorf("got %v, want an error containing %q", err, tt.contains)
			}
			var re *RuntimeError
			if errors.As(err, &re) != tt.deploymentFails {
				t.Errorf("%v: is a RuntimeError = %v, want %v", err, !tt.deploymentFails, tt.deploymentFails)
			}
		})
	}
	if _, err := Call(fakeContext{}, "nope", nil); !errors.Is(err, ErrUnknownFunction) {
		t.Errorf("an unknown function's error does not wrap ErrUnknownFunction: %v", err)
	}
}

func TestArity(t *testing.T) {
	tests := []struct {
		name     string
		fn       string
		min, max int
		ok       bool
	}{
		{"a fixed count is min and max", "toLower", 1, 1, true},
		{"letter case does not matter", "SUBSTRING", 1, 3, true},
		{"any number is max -1", "concat", 0, -1, true},
		{"a list function takes any number", "listKeys", 0, -1, true},
		{"a name that is no function is not ok", "toLowr", 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			min, max, ok := Arity(tt.fn)
			if min != tt.min || max != tt.max || ok != tt.ok {
				t.Errorf("Arity(%q) = %d, %d, %v, want %d, %d, %v", tt.fn, min, max, ok, tt.min, tt.max, tt.ok)
			}
		})
	}
}

func TestFindUnknownPicksTheLeastKey(t *testing.T) {
	first, second := &resource.Unknown{Reason: "a"}, &resource.Unknown{Reason: "b"}
	v := obj("z", second, "b", arr("known", first), "c", second, "x", second)
	for range 20 {
		if got := FindUnknown(v); got != first {
			t.Fatalf("got %v, want the unknown under the least key", got)
		}
	}
}

func TestLikeIgnoresLetterCase(t *testing.T) {
	tests := []struct {
		name, s, pattern string
		want             bool
	}{
		{"a pattern without a star matches the whole string", "ApiM", "apim", true},
		{"a star matches any run", "apim-prod-01", "APIM-*-01", true},
		{"the pattern covers the whole string", "apim-prod", "apim", false},
		{"the suffix must follow what the middle consumed", "ab", "a*b*b", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Like(tt.s, tt.pattern); got != tt.want {
				t.Errorf("Like(%q, %q) = %v, want %v", tt.s, tt.pattern, got, tt.want)
			}
		})
	}
}

func TestResourceIDAtEachScope(t *testing.T) {
	const sub = "11111111-1111-1111-1111-111111111111"
	given := Scope{SubscriptionID: sub, ResourceGroup: "rg", ManagementGroup: "mg"}
	tests := []struct {
		name  string
		scope Scope
		args  []any
		want  any // a string, or nil for an unknown whose reason holds reason
		// reason is part of the unknown's reason when want is nil.
		reason string
	}{
		{"a resource group deployment puts the group in the ID", given.For(ResourceGroupLevel), arr("Microsoft.Storage/storageAccounts", "st"),
			"/subscriptions/" + sub + "/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st", ""},
		{"a subscription deployment gives the subscription's form", given.For(SubscriptionLevel), arr("Microsoft.Resources/resourceGroups", "rg-x"),
			"/subscriptions/" + sub + "/providers/Microsoft.Resources/resourceGroups/rg-x", ""},
		{"a subscription deployment reads one leading argument as the subscription", given.For(SubscriptionLevel), arr("22222222-2222-2222-2222-222222222222", "Microsoft.Resources/resourceGroups", "rg-x"),
			"/subscriptions/22222222-2222-2222-2222-222222222222/providers/Microsoft.Resources/resourceGroups/rg-x", ""},
		{"a subscription deployment given a subscription and a group names both", given.For(SubscriptionLevel), arr(sub, "rg2", "Microsoft.Storage/storageAccounts", "st"),
			"/subscriptions/" + sub + "/resourceGroups/rg2/providers/Microsoft.Storage/storageAccounts/st", ""},
		{"a subscription deployment with no subscription given is unknown and names the flag", Scope{}.For(SubscriptionLevel), arr("Microsoft.Resources/resourceGroups", "rg-x"),
			nil, "--deployment-scope"},
		{"a management group deployment needs no scope at all", Scope{}.For(ManagementGroupLevel), arr("Microsoft.Authorization/policyDefinitions", "pd1"),
			"/providers/Microsoft.Authorization/policyDefinitions/pd1", ""},
		{"a tenant deployment needs no scope at all", Scope{}.For(TenantLevel), arr("Microsoft.Management/managementGroups", "mg1"),
			"/providers/Microsoft.Management/managementGroups/mg1", ""},
		{"a management group deployment given a group alone has no subscription for it", given.For(ManagementGroupLevel), arr("rg", "Microsoft.Storage/storageAccounts", "st"),
			nil, "has no subscription"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Call(fakeContext{scope: tt.scope}, "resourceId", tt.args)
			if err != nil {
				t.Fatal(err)
			}
			if tt.want != nil {
				if got != tt.want {
					t.Errorf("got %#v, want %q", got, tt.want)
				}
				return
			}
			if u, ok := got.(*resource.Unknown); !ok || !strings.Contains(u.Reason, tt.reason) {
				t.Errorf("got %#v, want an unknown whose reason says %q", got, tt.reason)
			}
		})
	}
}
