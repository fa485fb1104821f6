package report

import (
	"net/url"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/lensix/lensix/internal/check"
	"github.com/lensix/lensix/internal/resource"
)

// Helpers every format shares: the order findings are written in, how a resource is named and
// located, and what a finding says beyond its message. They read findings; they never judge.

// projectURL is lensix's home page, named in reports that link to the tool.
const projectURL = "https://github.com/lensix/lensix"

// checkDocURL is the documentation page of a check.
func checkDocURL(id string) string {
	return projectURL + "/blob/main/docs/checks/" + url.PathEscape(id) + ".md"
}

// helpURL is the page documenting c: its page in docs/checks for a built-in check, else its first
// web reference (a policy definition's page), else "" — never a page that does not exist.
func helpURL(c *check.Check) string {
	if c.BuiltIn {
		return checkDocURL(c.ID)
	}
	for _, ref := range c.References {
		if strings.HasPrefix(ref, "https://") || strings.HasPrefix(ref, "http://") {
			return ref
		}
	}
	return ""
}

// fixSummary says what to do about a failing result: the remediation's summary, or for a check
// without one (a policy definition) its description.
func fixSummary(c *check.Check, rem check.Remediation) string {
	if rem.Summary != "" {
		return rem.Summary
	}
	return c.Description
}

// sortedFindings returns a copy of the report's findings in the engine's canonical order, so the
// output does not depend on the order a caller appended them in.
func sortedFindings(r *Report) []check.Finding {
	fs := append([]check.Finding(nil), r.Findings...)
	check.SortFindings(fs)
	return fs
}

// sortedChecks lists the checks that ran plus any check a finding names, by ID.
func sortedChecks(r *Report) []*check.Check {
	byID := map[string]*check.Check{}
	for _, c := range r.Checks {
		byID[c.ID] = c
	}
	for _, f := range r.Findings {
		if _, ok := byID[f.Check.ID]; !ok {
			byID[f.Check.ID] = f.Check
		}
	}
	out := make([]*check.Check, 0, len(byID))
	for _, c := range byID {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// isLive reports whether a resource was read from Azure (or a snapshot of it) rather than a file.
func isLive(r *resource.Resource) bool {
	return r.Provenance.Source == "azure" || r.Provenance.Source == "snapshot"
}

// displayName is how a report names a resource: its address in the source, else its name, else
// its ARM ID.
func displayName(r *resource.Resource) string {
	switch {
	case r.Provenance.Address != "":
		return r.Provenance.Address
	case r.Name != "":
		return r.Name
	case r.ID != "":
		return r.ID
	default:
		return r.Type
	}
}

// identity is what tells one resource from another across scans: its address, else its ID,
// else type and name. Line numbers are deliberately not part of it.
func identity(r *resource.Resource) string {
	switch {
	case r.Provenance.Address != "":
		return r.Provenance.Address
	case r.ID != "":
		return strings.ToLower(r.ID)
	default:
		return r.Type + "/" + r.Name
	}
}

// relPath gives a finding's file relative to workDir when it lies below it, in slash form.
// Paths that are already relative are returned as they are: sources keep them relative to the
// directory lensix was run from.
func relPath(file, workDir string) string {
	if file == "" {
		return ""
	}
	native := filepath.FromSlash(file)
	if workDir != "" && filepath.IsAbs(native) {
		if rel, err := filepath.Rel(workDir, native); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return filepath.ToSlash(rel)
		}
	}
	return path.Clean(filepath.ToSlash(file))
}

// where is a resource's place for people: file:line for declarations, the resource ID for live
// resources.
func where(r *resource.Resource, workDir string) string {
	rng := r.Provenance.Range
	if rng.Filename == "" {
		if r.ID != "" {
			return r.ID
		}
		return ""
	}
	file := relPath(rng.Filename, workDir)
	if rng.Start.Line == 0 {
		return file
	}
	return file + ":" + strconv.Itoa(rng.Start.Line)
}

// assumptionTexts renders the assumptions a finding rests on as "path: message".
func assumptionTexts(f check.Finding) []string {
	out := make([]string, 0, len(f.Assumptions))
	for _, a := range f.Assumptions {
		switch {
		case a.Path == "":
			out = append(out, a.Message)
		case a.Message == "":
			out = append(out, a.Path)
		default:
			out = append(out, a.Path+": "+a.Message)
		}
	}
	return out
}

// verdict is what the check said before any suppression.
func verdict(f check.Finding) check.Status {
	if f.Status == check.Suppressed && f.Suppression != nil {
		return f.Suppression.Hides
	}
	return f.Status
}

// unknownsCited lists the unknown values a finding's evidence points at, with their reasons: the
// reason an unknown verdict could not be decided. It looks values up; it does not re-evaluate.
func unknownsCited(f check.Finding) []resource.UnknownAt {
	if verdict(f) != check.Unknown || f.Resource == nil {
		return nil
	}
	paths := make([]string, 0, len(f.Evidence))
	for p := range f.Evidence {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	var out []resource.UnknownAt
	for _, p := range paths {
		if v, ok := f.Resource.Get(p); ok {
			if u, isUnknown := v.(*resource.Unknown); isUnknown {
				out = append(out, resource.UnknownAt{Path: p, Unknown: *u})
			}
		}
	}
	return out
}

// unknownText says why a verdict is unknown in one line: the cited unknowns, or the message.
func unknownText(f check.Finding) string {
	us := unknownsCited(f)
	if len(us) == 0 {
		return f.Message
	}
	parts := make([]string, len(us))
	for i, u := range us {
		parts[i] = u.Path + ": " + u.Unknown.String()
	}
	return strings.Join(parts, "; ")
}

// messageExplainsUnknown reports whether the message already names every cited unknown's reason,
// so repeating them would only add noise.
func messageExplainsUnknown(f check.Finding) bool {
	for _, u := range unknownsCited(f) {
		if !strings.Contains(f.Message, u.Reason) {
			return false
		}
	}
	return true
}

// remediation fills the check's remediation templates with this resource's names.
func remediation(f check.Finding) (check.Remediation, error) {
	return f.Check.Fix(f.Resource)
}

// needsFix reports whether a finding asks for action, so its remediation is worth showing.
func needsFix(f check.Finding) bool { return verdict(f) != check.Pass }

// evidenceOf is a finding's evidence with the value of every sensitive property replaced by
// resource.Redacted, should a check ever cite one: reports never print secrets. Markers such as
// "(absent)", "null" and "(unknown) ..." are kept; they hold no secret.
func evidenceOf(f check.Finding) map[string]string {
	if len(f.Evidence) == 0 {
		return nil
	}
	out := make(map[string]string, len(f.Evidence))
	for path, value := range f.Evidence {
		if sensitivePath(f.Resource.Type, path) && value != "(absent)" && value != "null" && !strings.HasPrefix(value, "(unknown)") {
			value = resource.Redacted
		}
		out[path] = value
	}
	return out
}

// sensitivePath reports whether a dotted property path names a secret, by the same rules as
// resource.Redact.
func sensitivePath(resourceType, path string) bool {
	if strings.EqualFold(resourceType, "Microsoft.ApiManagement/service/namedValues") && strings.EqualFold(path, "properties.value") {
		return true
	}
	for _, key := range strings.Split(path, ".") {
		if resource.IsSensitiveKey(key) {
			return true
		}
	}
	return false
}

// sortedKeys returns the keys of m in order.
func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// suppressionText describes a suppression for people: "inline: reason" or
// "config, expires 2027-01-31: reason".
func suppressionText(s *check.Suppression) string {
	kind := s.Kind
	if s.Expires != "" {
		kind += ", expires " + s.Expires
	}
	if s.Reason == "" {
		return kind
	}
	return kind + ": " + s.Reason
}
