package scan

import (
	"strings"

	"github.com/lensix/lensix/internal/resource"
)

// Dedupe drops every resource whose ARM ID was already seen, keeping the first: the same Azure
// resource saved in two files (a GET and a list response, say) is one resource with one verdict.
// IDs compare without case, as Resource Manager treats them; resources without an ID are kept.
func Dedupe(resources []*resource.Resource) []*resource.Resource {
	seen := make(map[string]bool, len(resources))
	out := resources[:0:0]
	for _, r := range resources {
		if r.ID != "" {
			key := strings.ToLower(r.ID)
			if seen[key] {
				continue
			}
			seen[key] = true
		}
		out = append(out, r)
	}
	return out
}
