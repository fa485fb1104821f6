package policy

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/lensix/lensix/internal/check"
	"github.com/lensix/lensix/internal/diag"
	"github.com/lensix/lensix/internal/resource"
)

// Check describes a definition the way reports describe checks: ID is the definition's name,
// Title its display name, ResourceTypes the types its rule names. Severity comes from
// metadata.severity when set (a lensix export writes it), else medium. Its Evaluate judges one
// resource with the related resources in env, and passes a resource the definition does not
// apply to; EvaluateAll, which leaves those out, is the way to run definitions over a scan.
func (d *Definition) Check(params map[string]any, env *Env) *check.Check {
	severity := check.Medium
	if s, ok := d.Metadata["severity"].(string); ok {
		if parsed, err := check.ParseSeverity(s); err == nil {
			severity = parsed
		}
	}
	title := d.DisplayName
	if title == "" {
		title = d.Name
	}
	c := &check.Check{Metadata: check.Metadata{
		ID:            d.Name,
		Title:         title,
		Severity:      severity,
		ResourceTypes: d.ResourceTypes(),
		Description:   d.Description,
		PolicyRule:    d.PolicyRule,
	}}
	if u := d.portalURL(); u != "" {
		c.References = append(c.References, u)
	}
	if d.File != "" {
		c.References = append(c.References, shownFile(d.File))
	}
	c.Evaluate = func(r *resource.Resource) check.Result {
		res, na := d.Evaluate(r, params, env)
		if na != nil {
			return check.Result{Status: check.Pass, Message: "not applicable: " + na.Reason}
		}
		return check.Result{Status: res.Status(), Message: res.Message, Evidence: res.Evidence()}
	}
	return c
}

// builtInPrefix starts the ID of every Azure built-in definition; custom ones live under a
// subscription or management group.
const builtInPrefix = "/providers/microsoft.authorization/policydefinitions/"

// portalURL is the Azure portal page of a built-in definition, "" for any other.
func (d *Definition) portalURL() string {
	if !strings.HasPrefix(strings.ToLower(d.ID), builtInPrefix) {
		return ""
	}
	return "https://portal.azure.com/#view/Microsoft_Azure_Policy/PolicyDetailBlade/definitionId/" + url.PathEscape(d.ID)
}

// shownFile names a definition file for reports: relative to the working directory when below
// it, else by its base name, so no absolute path from the machine that ran lensix leaks out.
func shownFile(file string) string {
	abs, err := filepath.Abs(filepath.FromSlash(file))
	if err != nil {
		return filepath.Base(filepath.FromSlash(file))
	}
	if wd, err := os.Getwd(); err == nil {
		if rel, err := filepath.Rel(wd, abs); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return filepath.ToSlash(rel)
		}
	}
	return filepath.Base(abs)
}

// ResourceTypes lists the resource types the rule's if names in type conditions (equals, in,
// like), sorted; empty when the rule judges resources of any type.
func (d *Definition) ResourceTypes() []string {
	seen := map[string]string{}
	var visit func(c condition)
	visit = func(c condition) {
		switch c := c.(type) {
		case allOf:
			for _, item := range c {
				visit(item)
			}
		case anyOf:
			for _, item := range c {
				visit(item)
			}
		case simple:
			f, ok := c.lhs.(fieldOperand)
			if !ok || f.name.isDynamic() || !strings.EqualFold(stringForm(f.name.literal), "type") || c.rhs.isDynamic() {
				return
			}
			switch c.op {
			case "equals", "like":
				if s, ok := c.rhs.literal.(string); ok {
					seen[strings.ToLower(s)] = s
				}
			case "in":
				for _, v := range c.rhs.literal.([]any) {
					if s, ok := v.(string); ok {
						seen[strings.ToLower(s)] = s
					}
				}
			}
		}
	}
	visit(d.rule.cond)
	out := make([]string, 0, len(seen))
	for _, s := range seen {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// Status is the check status a compliance state stands for.
func (r *Result) Status() check.Status {
	switch r.Compliance {
	case Compliant:
		return check.Pass
	case NonCompliant:
		return check.Fail
	}
	return check.Unknown
}

// Evidence is what the verdict rests on, for reports.
func (r *Result) Evidence() map[string]string {
	ev := map[string]string{}
	if r.Effect != "" {
		ev["effect"] = r.Effect
	}
	for i, c := range r.Changes {
		ev[fmt.Sprintf("change[%d]", i)] = c.String()
	}
	if r.Err != nil {
		ev["error"] = r.Err.Error()
	}
	return ev
}

// Evaluation is the outcome of evaluating definitions over a scan's resources.
type Evaluation struct {
	Findings []check.Finding
	// Checks describe the definitions that ran, for reporters that list rules.
	Checks []*check.Check
	Diags  diag.Diagnostics
}

// EvaluateAll evaluates every definition on every resource. params are values given on the
// command line or in an assignment: each definition takes those it declares. A definition whose
// parameters cannot be bound is a diagnostic; the others still run.
func EvaluateAll(defs []*Definition, resources []*resource.Resource, params map[string]any, env *Env) Evaluation {
	if env == nil {
		env = &Env{}
	}
	if env.Resources == nil {
		env.Resources = resources
	}
	var out Evaluation
	seen := map[string]string{}
	for _, d := range defs {
		if first, dup := seen[strings.ToLower(d.Name)]; dup {
			out.Diags = append(out.Diags, diag.Diagnostic{Severity: diag.Warning, Summary: "policy definition " + d.Name + " appears twice",
				Detail: "also in " + first + "; both report under the same check ID", Range: resource.Range{Filename: d.File}})
		} else {
			seen[strings.ToLower(d.Name)] = d.File
		}
		bound, err := d.Bind(declaredOnly(d, params))
		if err != nil {
			out.Diags = append(out.Diags, diag.Diagnostic{Severity: diag.Error, Summary: "policy definition not evaluated", Detail: err.Error(), Range: resource.Range{Filename: d.File}})
			continue
		}
		for _, w := range d.Warnings {
			out.Diags = append(out.Diags, diag.Diagnostic{Severity: diag.Warning, Summary: "policy definition " + d.Name, Detail: w, Range: resource.Range{Filename: d.File}})
		}
		c := d.Check(bound, env)
		out.Checks = append(out.Checks, c)
		for _, r := range resources {
			res, na := d.Evaluate(r, bound, env)
			if na != nil {
				continue
			}
			f := check.Finding{
				Check:    c,
				Resource: r,
				Status:   res.Status(),
				Message:  res.Message,
				Evidence: res.Evidence(),
			}
			f.MaskSecrets() // as check.Run does: policy findings reach the store too
			out.Findings = append(out.Findings, f)
		}
	}
	check.SortFindings(out.Findings)
	return out
}

// declaredOnly keeps the given parameters the definition declares, so one --param can serve
// several definitions.
func declaredOnly(d *Definition, params map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range params {
		if _, ok := lookupFoldParam(d.Parameters, k); ok {
			out[k] = v
		}
	}
	return out
}
