package funcs

import "testing"

func TestUniqueString(t *testing.T) {
	// Vector from the Azure-maintained azapi provider's unique_string test
	// (Azure/terraform-provider-azapi internal/services/functions/unique_string_function_test.go).
	got := UniqueString("/subscriptions/00000000-0000-0000-0000-000000000000", "resource-id")
	if want := "cwvxuqg24sifi"; got != want {
		t.Errorf("UniqueString = %q, want %q", got, want)
	}
}
