// Package check defines what a check is — metadata plus a predicate over one ARM-shaped
// resource — the registry the built-in checks join at init, and the engine that runs them. It knows
// no file format and no transport.
package check

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"text/template"

	"github.com/lensix/lensix/internal/resource"
)

// Severity ranks how much a failing check matters.
type Severity int

// Severities, lowest first.
const (
	Low Severity = iota + 1
	Medium
	High
	Critical
)

var severityNames = []string{Low: "low", Medium: "medium", High: "high", Critical: "critical"}

func (s Severity) String() string {
	if s >= Low && s <= Critical {
		return severityNames[s]
	}
	return "unknown"
}

// MarshalText writes the severity by name.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// ParseSeverity reads a severity name, in any letter case.
func ParseSeverity(name string) (Severity, error) {
	for s := Low; s <= Critical; s++ {
		if strings.EqualFold(name, severityNames[s]) {
			return s, nil
		}
	}
	return 0, fmt.Errorf("unknown severity %q (want low, medium, high or critical)", name)
}

// Status is a check's verdict on one resource.
type Status string

// Statuses. A check answers pass, fail or unknown; suppressed is set afterwards by the user's
// decisions and keeps the verdict it replaced.
const (
	Pass       Status = "pass"
	Fail       Status = "fail"
	Unknown    Status = "unknown"
	Suppressed Status = "suppressed"
)

// Result is what a check says about one resource.
type Result struct {
	Status Status
	// Message says what was found, in one sentence about this resource.
	Message string
	// Evidence holds the values the verdict rests on, by path ("identity.type": "None").
	Evidence map[string]string
}

// Metadata documents a check: everything `lensix explain`, the reports and docs/checks show.
type Metadata struct {
	ID            string   `json:"id"`
	Title         string   `json:"title"`
	Severity      Severity `json:"severity"`
	ResourceTypes []string `json:"resource_types"`
	Description   string   `json:"description"`
	Rationale     string   `json:"rationale"`
	Remediation   Remediation
	References    []string `json:"references"`
	// PolicyRule is the check in the Azure Policy rule language, as exported for enforcement.
	PolicyRule json.RawMessage `json:"policy_rule,omitempty"`
	// BuiltIn is set by Register: only built-in checks have a `lensix explain` entry and a page
	// in docs/checks, so reports refer to those for them alone.
	BuiltIn bool `json:"-"`
}

// Remediation says how to fix a failing resource on every surface. Each field is a text/template
// executed with a Target, so commands carry the resource's real names.
type Remediation struct {
	Summary   string `json:"summary"`
	CLI       string `json:"cli"`
	Terraform string `json:"terraform"`
	Bicep     string `json:"bicep"`
	ARM       string `json:"arm"`
}

// Target is what a remediation template may name. Unknown names are placeholders in angle
// brackets, so a pasted command fails loudly rather than acting on the wrong resource.
type Target struct {
	Name          string
	ResourceGroup string
	Subscription  string
}

// TargetOf gives the names a remediation template may use for r.
func TargetOf(r *resource.Resource) Target {
	name := r.Name
	if v, found := r.Get("name"); found && !isString(v) {
		name = "" // an unresolved name: its source text (var.n, each.key) is not the name
	}
	return Target{
		Name:          nameOr(name, "<name>"),
		ResourceGroup: nameOr(r.ResourceGroup, "<resource-group>"),
		Subscription:  nameOr(r.SubscriptionID, "<subscription-id>"),
	}
}

// SubscriptionFlag is " --subscription <id>" for an Azure CLI command when the resource's
// subscription is known, and "" when it is not. A command that names its subscription acts on
// the right resource whatever the CLI's current subscription is; one that cannot name it acts in
// the current one, where the deployment that the file describes most likely goes too.
func (t Target) SubscriptionFlag() string {
	if !azureName.MatchString(t.Subscription) {
		return ""
	}
	return " --subscription " + t.Subscription
}

// azureName matches the characters Azure allows in resource, group and subscription names; an
// expression or unresolved text never matches, so it never reaches a shell command.
var azureName = regexp.MustCompile(`^[\pL\pN][\pL\pN._()-]*$`)

func isString(v any) bool {
	_, ok := v.(string)
	return ok
}

func nameOr(name, placeholder string) string {
	if azureName.MatchString(name) {
		return name
	}
	return placeholder
}

// remediationTemplates are a Remediation's five texts parsed once, in field order.
type remediationTemplates [5]*template.Template

func (m Remediation) fields() [5]string {
	return [5]string{m.Summary, m.CLI, m.Terraform, m.Bicep, m.ARM}
}

func parseRemediation(m Remediation) (remediationTemplates, error) {
	var out remediationTemplates
	for i, text := range m.fields() {
		tmpl, err := template.New("remediation").Option("missingkey=error").Parse(text)
		if err != nil {
			return out, err
		}
		out[i] = tmpl
	}
	return out, nil
}

func (ts remediationTemplates) render(t Target) (Remediation, error) {
	var texts [5]string
	for i, tmpl := range ts {
		var buf bytes.Buffer
		if err := tmpl.Execute(&buf, t); err != nil {
			return Remediation{}, err
		}
		texts[i] = buf.String()
	}
	return Remediation{Summary: texts[0], CLI: texts[1], Terraform: texts[2], Bicep: texts[3], ARM: texts[4]}, nil
}

// Check is metadata plus a predicate over one resource of one of its ResourceTypes.
type Check struct {
	Metadata
	Evaluate func(r *resource.Resource) Result

	fixOnce      sync.Once
	fixTemplates remediationTemplates
	fixErr       error
}

// Fix renders the check's remediation for one resource, with its real names filled in.
func (c *Check) Fix(r *resource.Resource) (Remediation, error) { return c.RenderFix(TargetOf(r)) }

// RenderFix renders the check's remediation for t. The templates are parsed once per check,
// since reports render them for every finding.
func (c *Check) RenderFix(t Target) (Remediation, error) {
	c.fixOnce.Do(func() { c.fixTemplates, c.fixErr = parseRemediation(c.Remediation) })
	if c.fixErr != nil {
		return Remediation{}, fmt.Errorf("check %s: remediation template: %w", c.ID, c.fixErr)
	}
	return c.fixTemplates.render(t)
}

// Applies reports whether the check judges resources of r's type.
func (c *Check) Applies(r *resource.Resource) bool {
	for _, t := range c.ResourceTypes {
		if r.IsType(t) {
			return true
		}
	}
	return false
}
