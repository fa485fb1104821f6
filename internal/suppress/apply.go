package suppress

import (
	"fmt"
	"strings"
	"time"

	"github.com/lensix/lensix/internal/check"
	"github.com/lensix/lensix/internal/resource"
)

// Apply turns failing and unknown findings into suppressed ones where an inline comment on the
// resource or a rule of cfg says so. A rule past its expiry date suppresses nothing and leaves a
// note on the finding, so the finding returns visibly. now decides expiry (the day of the scan).
func Apply(findings []check.Finding, cfg *Config, now time.Time) {
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	for i := range findings {
		f := &findings[i]
		if f.Status != check.Fail && f.Status != check.Unknown {
			continue
		}
		if s, ok := inline(f); ok {
			f.Suppression = &check.Suppression{Kind: "inline", Reason: s.Reason, Hides: f.Status}
			f.Status = check.Suppressed
			if s.Reason == "" {
				f.Notes = append(f.Notes, noReason(s, f.Check.ID))
			}
			continue
		}
		if cfg == nil {
			continue
		}
		for _, rule := range cfg.Suppressions {
			if !rule.matches(f.Check.ID, f.Resource) {
				continue
			}
			if !rule.expires.IsZero() && today.After(rule.expires) {
				f.Notes = append(f.Notes, fmt.Sprintf("suppression in %s expired on %s (reason was: %s)", cfg.File, rule.Expires, rule.Reason))
				continue
			}
			f.Suppression = &check.Suppression{Kind: "config", Reason: rule.Reason, Expires: rule.Expires, Hides: f.Status}
			f.Status = check.Suppressed
			break
		}
	}
}

func inline(f *check.Finding) (resource.Suppression, bool) {
	for _, s := range f.Resource.Suppressions {
		if strings.EqualFold(s.CheckID, f.Check.ID) || s.CheckID == "*" {
			return s, true
		}
	}
	return resource.Suppression{}, false
}

// matches compares check IDs without letter case, as inline suppressions do.
func (r *Rule) matches(checkID string, res *resource.Resource) bool {
	return (r.Check == "*" || strings.EqualFold(r.Check, checkID)) && r.names(res)
}

// names reports whether the rule's resource glob matches res's address, name or ID.
func (r *Rule) names(res *resource.Resource) bool {
	for _, candidate := range []string{res.Provenance.Address, res.Name, res.ID} {
		if candidate != "" && r.pattern.MatchString(candidate) {
			return true
		}
	}
	return false
}

// noReason is the note on a suppression written without a reason, in the syntax it was written in.
func noReason(s resource.Suppression, checkID string) string {
	if s.InMetadata {
		return fmt.Sprintf(`suppression at %s:%d: no reason given; add "reason": "why" to its entry in metadata.lensix.ignore`, s.Range.Filename, s.Range.Start.Line)
	}
	return fmt.Sprintf("inline suppression at %s:%d: no reason given; write why after the ]: lensix:ignore[%s] reason", s.Range.Filename, s.Range.Start.Line, checkID)
}
