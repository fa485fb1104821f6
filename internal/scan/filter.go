package scan

import (
	"path"
	"strings"

	"github.com/lensix/lensix/internal/resource"
)

// keepNamedFiles drops the resources declared in the siblings of .tf files the user named alone:
// the module is evaluated whole, so variables and locals in other files resolve, but only the
// named files' resources are reported. Resources of other folders (modules called, other
// inputs) are kept.
func keepNamedFiles(resources []*resource.Resource, in inputs) []*resource.Resource {
	if len(in.namedTerraform) == 0 {
		return resources
	}
	filtered := map[string]bool{} // folders whose files were named one by one
	for f := range in.namedTerraform {
		filtered[path.Dir(f)] = true
	}
	out := make([]*resource.Resource, 0, len(resources))
	for _, r := range resources {
		file := path.Clean(r.Provenance.Range.Filename)
		if isTerraformFile(file) && filtered[path.Dir(file)] && !in.namedTerraform[file] {
			continue
		}
		out = append(out, r)
	}
	return out
}

func isTerraformFile(name string) bool {
	name = strings.ToLower(name)
	return strings.HasSuffix(name, ".tf") || strings.HasSuffix(name, ".tf.json")
}
