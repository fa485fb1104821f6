package report

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/lensix/lensix/internal/check"
)

// JSONSchema names the shape of the JSON report. docs/json-output.md documents it; later versions
// of lensix only add fields to it.
const JSONSchema = "lensix.scan/v1"

type jsonReport struct {
	Schema  string       `json:"schema"`
	Version string       `json:"version"`
	Results []jsonResult `json:"results"`
	Errors  []jsonError  `json:"errors"`
	Summary Summary      `json:"summary"`
}

type jsonResult struct {
	CheckID     string             `json:"check_id"`
	Status      check.Status       `json:"status"`
	Severity    check.Severity     `json:"severity"`
	Title       string             `json:"title"`
	Message     string             `json:"message"`
	Resource    jsonResource       `json:"resource"`
	Source      jsonSource         `json:"source"`
	Evidence    map[string]string  `json:"evidence"`
	Assumptions []string           `json:"assumptions"`
	Unknowns    []jsonUnknown      `json:"unknowns,omitempty"`
	Suppression *check.Suppression `json:"suppression,omitempty"`
	Notes       []string           `json:"notes,omitempty"`
	Remediation *check.Remediation `json:"remediation,omitempty"`
}

type jsonResource struct {
	Type          string `json:"type"`
	Name          string `json:"name"`
	Address       string `json:"address,omitempty"`
	ID            string `json:"id,omitempty"`
	ResourceGroup string `json:"resource_group,omitempty"`
	Subscription  string `json:"subscription,omitempty"`
	Tenant        string `json:"tenant,omitempty"`
}

type jsonSource struct {
	Kind      string `json:"kind"`
	File      string `json:"file,omitempty"`
	Line      int    `json:"line,omitempty"`
	Column    int    `json:"column,omitempty"`
	EndLine   int    `json:"end_line,omitempty"`
	EndColumn int    `json:"end_column,omitempty"`
}

type jsonUnknown struct {
	Path       string `json:"path,omitempty"`
	Reason     string `json:"reason"`
	Expression string `json:"expression,omitempty"`
}

type jsonError struct {
	Severity string `json:"severity"`
	File     string `json:"file,omitempty"`
	Line     int    `json:"line,omitempty"`
	Column   int    `json:"column,omitempty"`
	Message  string `json:"message"`
	Detail   string `json:"detail,omitempty"`
	// Unchecked: resources this input deploys were read by no check (see diag.Diagnostic).
	Unchecked bool `json:"unchecked,omitempty"`
}

// writeJSON writes the documented lensix.scan/v1 report: one result per (check, resource),
// passes included. encoding/json sorts map keys, so the same report always gives the same bytes.
func writeJSON(w io.Writer, r *Report, opts Options) error {
	out := jsonReport{
		Schema:  JSONSchema,
		Version: r.Version,
		Results: []jsonResult{},
		Errors:  []jsonError{},
		Summary: r.Summary(),
	}
	for _, f := range sortedFindings(r) {
		res, err := jsonResultOf(f, opts)
		if err != nil {
			return err
		}
		out.Results = append(out.Results, res)
	}
	for _, d := range r.Errors {
		out.Errors = append(out.Errors, jsonError{
			Severity:  d.Severity.String(),
			File:      relPath(d.Range.Filename, opts.WorkDir),
			Line:      d.Range.Start.Line,
			Column:    d.Range.Start.Column,
			Message:   d.Summary,
			Detail:    d.Detail,
			Unchecked: d.Unchecked,
		})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	// Commands and placeholders such as <apim-name> stay readable; JSON is not HTML.
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}

func jsonResultOf(f check.Finding, opts Options) (jsonResult, error) {
	r := f.Resource
	rng := r.Provenance.Range
	res := jsonResult{
		CheckID:  f.Check.ID,
		Status:   f.Status,
		Severity: f.Check.Severity,
		Title:    f.Check.Title,
		Message:  f.Message,
		Resource: jsonResource{
			Type:          r.Type,
			Name:          r.Name,
			Address:       r.Provenance.Address,
			ID:            r.ID,
			ResourceGroup: r.ResourceGroup,
			Subscription:  r.SubscriptionID,
			Tenant:        r.Provenance.TenantID,
		},
		Source:      jsonSource{Kind: r.Provenance.Source},
		Evidence:    map[string]string{},
		Assumptions: assumptionTexts(f),
		Suppression: f.Suppression,
		Notes:       f.Notes,
	}
	if rng.Filename != "" {
		res.Source.File = relPath(rng.Filename, opts.WorkDir)
		res.Source.Line = rng.Start.Line
		res.Source.Column = rng.Start.Column
		if rng.End.Line >= rng.Start.Line {
			res.Source.EndLine = rng.End.Line
			res.Source.EndColumn = rng.End.Column
		}
	}
	for k, v := range evidenceOf(f) {
		res.Evidence[k] = v
	}
	for _, u := range unknownsCited(f) {
		res.Unknowns = append(res.Unknowns, jsonUnknown{Path: u.Path, Reason: u.Reason, Expression: u.Expr})
	}
	if verdict(f) == check.Unknown && len(res.Unknowns) == 0 {
		// The evidence did not point at an unknown value: the message carries the reason.
		res.Unknowns = []jsonUnknown{{Reason: f.Message}}
	}
	if needsFix(f) {
		rem, err := remediation(f)
		if err != nil {
			return jsonResult{}, fmt.Errorf("check %s: render remediation for %s: %w", f.Check.ID, displayName(r), err)
		}
		if rem != (check.Remediation{}) { // a policy definition has none
			res.Remediation = &rem
		}
	}
	return res, nil
}
