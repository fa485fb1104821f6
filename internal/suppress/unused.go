package suppress

import (
	"fmt"
	"strings"

	"github.com/lensix/lensix/internal/check"
	"github.com/lensix/lensix/internal/diag"
	"github.com/lensix/lensix/internal/resource"
)

// Unused warns at each suppression that matches no failing or unknown result: a comment or ARM
// metadata entry beside a resource, at its position, and a rule of cfg, at its entry. Such a
// suppression is stale (the resource was fixed, or the check never judged it) and would silently
// hide a later failure. Only suppressions of the checks in ran are judged, compared without letter
// case: one for a check deselected or unknown says nothing. The wildcard "*" is judged only when
// allRan says every check that could run did. findings are after Apply; copies of a declaration
// share its suppressions, which are used when any copy's result matched them.
func Unused(findings []check.Finding, resources []*resource.Resource, cfg *Config, ran []string, allRan bool) diag.Diagnostics {
	judged := map[string]bool{"*": allRan}
	for _, id := range ran {
		judged[strings.ToLower(id)] = true
	}
	type place struct {
		id  string
		rng resource.Range
	}
	used := map[place]bool{}
	var rules []bool
	if cfg != nil {
		rules = make([]bool, len(cfg.Suppressions))
	}
	judgedOn := map[*resource.Resource]map[string]bool{} // resource → checks that gave it a result
	for _, f := range findings {
		if judgedOn[f.Resource] == nil {
			judgedOn[f.Resource] = map[string]bool{}
		}
		judgedOn[f.Resource][strings.ToLower(f.Check.ID)] = true
		if f.Status == check.Pass {
			continue
		}
		for _, s := range f.Resource.Suppressions {
			if s.CheckID == "*" || strings.EqualFold(s.CheckID, f.Check.ID) {
				used[place{strings.ToLower(s.CheckID), s.Range}] = true
			}
		}
		for i := range rules {
			if cfg.Suppressions[i].matches(f.Check.ID, f.Resource) {
				rules[i] = true // an expired rule that matched has a note on the finding already
			}
		}
	}
	var out diag.Diagnostics
	seen := map[place]bool{}
	for _, r := range resources {
		for _, s := range r.Suppressions {
			key := place{strings.ToLower(s.CheckID), s.Range}
			if !judged[key.id] || used[key] || seen[key] {
				continue
			}
			seen[key] = true
			out = append(out, diag.Diagnostic{
				Severity: diag.Warning,
				Summary:  fmt.Sprintf("Suppression of %s matches no result: the resource passes or the check does not apply to it; remove it", s.CheckID),
				Detail:   whyUnused(r, s.CheckID, judgedOn[r]),
				Range:    s.Range,
			})
		}
	}
	for i, used := range rules {
		rule := cfg.Suppressions[i]
		if used || !judged[strings.ToLower(rule.Check)] {
			continue
		}
		detail := "The resources it names pass or the check does not apply to them. A config shared by scans of other folders or of Azure may hold entries for resources this scan does not cover."
		if !matchesAny(&rule, resources) {
			detail = fmt.Sprintf("No resource of this scan has an address, name or ID matching %q. A config shared by scans of other folders or of Azure may hold entries for resources this scan does not cover.", rule.Resource)
		}
		out = append(out, diag.Diagnostic{
			Severity: diag.Warning,
			Summary:  fmt.Sprintf("Suppression of %s for %s in %s matches no result; remove it", rule.Check, rule.Resource, cfg.File),
			Detail:   detail,
			Range:    resource.Range{Filename: cfg.File, Start: rule.at},
		})
	}
	return out
}

// whyUnused says which of the two reasons holds for the resource.
func whyUnused(r *resource.Resource, checkID string, judged map[string]bool) string {
	switch {
	case checkID == "*" && len(judged) > 0:
		return "Every check that ran passes on it."
	case checkID == "*":
		return fmt.Sprintf("No check that ran applies to %s.", r.Type)
	case judged[strings.ToLower(checkID)]:
		return fmt.Sprintf("%s passes on it.", checkID)
	case r.IsType("Microsoft.Resources/deployments"):
		return fmt.Sprintf("%s does not apply to a deployment; a suppression on it does not reach the resources it deploys: put it on them.", checkID)
	default:
		return fmt.Sprintf("%s does not apply to %s.", checkID, r.Type)
	}
}

func matchesAny(rule *Rule, resources []*resource.Resource) bool {
	for _, r := range resources {
		if rule.names(r) {
			return true
		}
	}
	return false
}
