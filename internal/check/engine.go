package check

import (
	"sort"

	"github.com/lensix/lensix/internal/resource"
)

// Finding is one check's verdict on one resource. Passes are findings too, so a report can prove
// what was covered.
type Finding struct {
	Check    *Check
	Resource *resource.Resource
	Status   Status
	Message  string
	Evidence map[string]string
	// Assumptions are the defaults the verdict may rest on: those of the resource that bear on
	// the evidence.
	Assumptions []resource.Assumption
	// Suppression is set when the user's decision turned the verdict into Suppressed.
	Suppression *Suppression
	// Notes are remarks for the reader, e.g. that a suppression has expired.
	Notes []string
}

// Suppression says who decided a finding does not apply, why, and which verdict it hides.
type Suppression struct {
	// Kind is "inline" (a comment or metadata beside the resource) or "config" (.lensix.yaml).
	Kind    string `json:"kind"`
	Reason  string `json:"reason"`
	Expires string `json:"expires,omitempty"`
	// Hides is the verdict the check gave before suppression.
	Hides Status `json:"hides"`
}

// Run evaluates every check on every resource it applies to and returns the findings ordered by
// file, line, address and check ID, so the same input always gives the same output.
func Run(checks []*Check, resources []*resource.Resource) []Finding {
	var findings []Finding
	for _, r := range resources {
		for _, c := range checks {
			if !c.Applies(r) {
				continue
			}
			res := c.Evaluate(r)
			f := Finding{
				Check:       c,
				Resource:    r,
				Status:      res.Status,
				Message:     res.Message,
				Evidence:    res.Evidence,
				Assumptions: relevantAssumptions(r.Assumptions, res.Evidence),
			}
			f.MaskSecrets()
			findings = append(findings, f)
		}
	}
	SortFindings(findings)
	return findings
}

// MaskSecrets masks the resource's secrets in the message and the evidence values. Findings
// leave the engine masked, because the store, diff, notifications and the dashboard print them
// without going through a report.
func (f *Finding) MaskSecrets() {
	secrets := f.Resource.Secrets
	if len(secrets) == 0 {
		return
	}
	f.Message = resource.MaskString(f.Message, secrets)
	if len(f.Evidence) == 0 {
		return
	}
	masked := make(map[string]string, len(f.Evidence))
	for k, v := range f.Evidence {
		masked[k] = resource.MaskString(v, secrets)
	}
	f.Evidence = masked
}

// relevantAssumptions keeps the assumptions that bear on the paths a verdict's evidence names,
// so a finding about the identity does not list the default of an unrelated location variable.
func relevantAssumptions(all []resource.Assumption, evidence map[string]string) []resource.Assumption {
	paths := make([]string, 0, len(evidence))
	for p := range evidence {
		paths = append(paths, p)
	}
	var out []resource.Assumption
	for _, a := range all {
		if len(paths) == 0 || a.AffectsAny(paths) {
			out = append(out, a)
		}
	}
	return out
}

// SortFindings orders findings by file, line, column, address, resource ID and check ID.
func SortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i].Resource, fs[j].Resource
		ar, br := a.Provenance.Range, b.Provenance.Range
		switch {
		case ar.Filename != br.Filename:
			return ar.Filename < br.Filename
		case ar.Start.Line != br.Start.Line:
			return ar.Start.Line < br.Start.Line
		case ar.Start.Column != br.Start.Column:
			return ar.Start.Column < br.Start.Column
		case a.Provenance.Address != b.Provenance.Address:
			return a.Provenance.Address < b.Provenance.Address
		case a.ID != b.ID:
			return a.ID < b.ID
		default:
			return fs[i].Check.ID < fs[j].Check.ID
		}
	})
}
