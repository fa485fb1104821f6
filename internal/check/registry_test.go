package check

import "testing"

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
