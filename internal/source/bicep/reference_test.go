package bicep_test

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/lensix/lensix/internal/resource"
	"github.com/lensix/lensix/internal/source/arm"
	"github.com/lensix/lensix/internal/source/bicep"
)

// verdictOf describes a value as a check sees it: known (and what), or unknown.
func verdictOf(v any, ok bool) string {
	switch {
	case !ok:
		return "absent"
	case resource.IsUnknown(v) || resource.Unknowns(v) != nil:
		return "unknown"
	}
	return fmt.Sprintf("%#v", v)
}

const brefBicep = `param kind string = 'SystemAssigned'

resource first 'Microsoft.ApiManagement/service@2022-08-01' = {
  name: 'apim-a'
  location: 'westeurope'
  sku: { name: 'Developer', capacity: 1 }
  identity: { type: kind }
  properties: { publisherEmail: 'a@b.c', publisherName: 'x' }
}

resource second 'Microsoft.ApiManagement/service@2022-08-01' = {
  name: 'apim-b'
  location: 'westeurope'
  sku: { name: 'Developer', capacity: 1 }
  identity: { type: first.identity.type }
  properties: { publisherEmail: first.properties.publisherEmail, publisherName: first.identity.principalId }
}
`

// brefJSON is brefBicep as the Bicep compiler writes it.
const brefJSON = `{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "parameters": { "kind": { "type": "string", "defaultValue": "SystemAssigned" } },
  "resources": [
    { "type": "Microsoft.ApiManagement/service", "apiVersion": "2022-08-01", "name": "apim-a", "location": "westeurope",
      "sku": { "name": "Developer", "capacity": 1 }, "identity": { "type": "[parameters('kind')]" },
      "properties": { "publisherEmail": "a@b.c", "publisherName": "x" } },
    { "type": "Microsoft.ApiManagement/service", "apiVersion": "2022-08-01", "name": "apim-b", "location": "westeurope",
      "sku": { "name": "Developer", "capacity": 1 },
      "identity": { "type": "[reference(resourceId('Microsoft.ApiManagement/service', 'apim-a'), '2022-08-01', 'full').identity.type]" },
      "properties": { "publisherEmail": "[reference(resourceId('Microsoft.ApiManagement/service', 'apim-a'), '2022-08-01').publisherEmail]",
        "publisherName": "[reference(resourceId('Microsoft.ApiManagement/service', 'apim-a'), '2022-08-01', 'full').identity.principalId]" },
      "dependsOn": [ "[resourceId('Microsoft.ApiManagement/service', 'apim-a')]" ] }
  ]
}`

func TestAResourceReadFromAnotherIsTheSameFromBicepAndFromItsARM(t *testing.T) {
	dir := writeFiles(t, map[string]string{"bref/main.bicep": brefBicep, "bref_json/main.json": brefJSON})
	fromBicep, diags := bicep.Load([]string{dir + "/bref/main.bicep"}, bicep.Options{})
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	fromARM, diags := arm.Load([]string{dir + "/bref_json/main.json"}, arm.Options{})
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	b, a := byName(fromBicep)["apim-b"], byName(fromARM)["apim-b"]
	if b == nil || a == nil {
		t.Fatalf("apim-b from main.bicep %v, from main.json %v", b, a)
	}
	tests := []struct{ name, path, want string }{
		{"a declared identity type is read from the declaration", "identity.type", `"SystemAssigned"`},
		{"a declared property is read from the declaration", "properties.publisherEmail", `"a@b.c"`},
		{"a runtime property stays unknown", "properties.publisherName", "unknown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fb, fa := verdictOf(b.Get(tt.path)), verdictOf(a.Get(tt.path))
			if fb != tt.want || fa != tt.want {
				t.Errorf("%s from main.bicep %s, from main.json %s; want %s", tt.path, fb, fa, tt.want)
			}
		})
	}
	t.Run("the declaration's assumptions bear on the same properties in both", func(t *testing.T) {
		// Each front end names the parameter its own way (param.kind, parameters('kind')).
		affects := func(r *resource.Resource) string {
			var out []string
			for _, a := range r.Assumptions {
				out = append(out, fmt.Sprint(a.Affects))
			}
			return fmt.Sprint(out)
		}
		if len(b.Assumptions) != 1 || affects(b) != affects(a) {
			t.Errorf("assumptions from main.bicep %v, from main.json %v", b.Assumptions, a.Assumptions)
		}
	})
}

func byName(rs []*resource.Resource) map[string]*resource.Resource {
	out := map[string]*resource.Resource{}
	for _, r := range rs {
		out[filepath.Base(r.Name)] = r
	}
	return out
}
