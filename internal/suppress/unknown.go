package suppress

import (
	"fmt"
	"strings"

	"github.com/lensix/lensix/internal/check"
	"github.com/lensix/lensix/internal/diag"
	"github.com/lensix/lensix/internal/resource"
)

// UnknownChecks warns at each suppression written beside a resource (a comment or an ARM
// metadata entry) whose check ID is neither a registered check nor one of others (the checks
// that run beside them, such as policy definitions), compared without letter case, and names the
// closest ID. Such a suppression silences nothing and is almost always a misspelling.
func UnknownChecks(resources []*resource.Resource, others []string) diag.Diagnostics {
	var known []string
	for _, c := range check.All() {
		known = append(known, c.ID)
	}
	known = append(known, others...)
	lower := map[string]bool{"*": true}
	for _, id := range known {
		lower[strings.ToLower(id)] = true
	}
	type place struct {
		id  string
		rng resource.Range
	}
	seen := map[place]bool{} // copies of one declaration share its suppressions
	var out diag.Diagnostics
	for _, r := range resources {
		for _, s := range r.Suppressions {
			key := place{strings.ToLower(s.CheckID), s.Range}
			if lower[key.id] || seen[key] {
				continue
			}
			seen[key] = true
			detail := "It silences nothing. Run `lensix checks` to list the check IDs."
			if near := closest(s.CheckID, known); near != "" {
				detail = fmt.Sprintf("Did you mean %s? A suppression for a check that does not exist silences nothing.", near)
			}
			out = append(out, diag.Diagnostic{
				Severity: diag.Warning,
				Summary:  fmt.Sprintf("Suppression names unknown check %q", s.CheckID),
				Detail:   detail,
				Range:    s.Range,
			})
		}
	}
	return out
}

// closest returns the ID of known nearest to id in edits, or "" when none is near enough to be
// a misspelling of it (more than a third of its letters differ).
func closest(id string, known []string) string {
	best, bestDist := "", len(id)/3+1
	for _, k := range known {
		if d := editDistance(strings.ToLower(id), strings.ToLower(k)); d <= bestDist && (best == "" || d < bestDist) {
			best, bestDist = k, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
