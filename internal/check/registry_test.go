package check

import (
	"testing"

	"github.com/lensix/lensix/internal/resource"
)

func TestResourceTypesListsEachTypeOnceWhateverItsCase(t *testing.T) {
	checks := []*Check{
		{Metadata: Metadata{ResourceTypes: []string{"Microsoft.ApiManagement/service", "Microsoft.KeyVault/vaults"}}},
		{Metadata: Metadata{ResourceTypes: []string{"microsoft.apimanagement/service"}}},
	}
	got := ResourceTypes(checks)
	if len(got) != 2 || got[0] != "Microsoft.ApiManagement/service" || got[1] != "Microsoft.KeyVault/vaults" {
		t.Errorf("ResourceTypes = %v", got)
	}
}

func TestRegisterMarksChecksBuiltIn(t *testing.T) {
	registered := &Check{Metadata: Metadata{ID: "test_registered_builtin", ResourceTypes: []string{"Microsoft.Test/things"}},
		Evaluate: func(*resource.Resource) Result { return Result{Status: Pass} }}
	Register(registered)
	t.Cleanup(func() { delete(registry, "test_registered_builtin") })
	unregistered := &Check{Metadata: Metadata{ID: "made_from_a_policy"}}
	for _, tc := range []struct {
		name string
		c    *Check
		want bool
	}{
		{"a registered check is built in", registered, true},
		{"a check made elsewhere (a policy definition) is not", unregistered, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.c.BuiltIn != tc.want {
				t.Errorf("BuiltIn %v, want %v", tc.c.BuiltIn, tc.want)
			}
		})
	}
}
