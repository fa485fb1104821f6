package store

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"

	"github.com/lensix/lensix/internal/diag"
	"github.com/lensix/lensix/internal/report"
)

// liveSources are the provenance kinds whose resources are named by their ARM ID.
var liveSources = map[string]bool{"azure": true, "snapshot": true}

// Observe turns a report into what the store keeps: one observation per finding, and the scopes
// the scan could not read (the files or subscriptions its errors name; every scope when an error
// names none).
func Observe(rep *report.Report) ([]Observation, []string) {
	obs := make([]Observation, 0, len(rep.Findings))
	for _, f := range rep.Findings {
		r := f.Resource
		file := absolute(r.Provenance.Range.Filename)
		obs = append(obs, Observation{
			Key:           Key(f.Check.ID, liveSources[r.Provenance.Source], r.ID, file, r.Provenance.Address, r.Type, r.Name),
			CheckID:       f.Check.ID,
			Severity:      f.Check.Severity.String(),
			Title:         f.Check.Title,
			Status:        string(f.Status),
			Message:       f.Message,
			ResourceID:    r.ID,
			ResourceType:  r.Type,
			ResourceName:  r.Name,
			ResourceGroup: r.ResourceGroup,
			Subscription:  r.SubscriptionID,
			Address:       r.Provenance.Address,
			File:          file,
			Line:          r.Provenance.Range.Start.Line,
		})
	}
	return obs, blindScopes(rep.Errors)
}

func blindScopes(errs diag.Diagnostics) []string {
	seen := map[string]bool{}
	var scopes []string
	for _, d := range errs {
		if d.Severity != diag.Error {
			continue
		}
		scope := absolute(d.Range.Filename)
		if scope == "" {
			scope = AllScopes
		}
		if !seen[scope] {
			seen[scope] = true
			scopes = append(scopes, scope)
		}
	}
	sort.Strings(scopes)
	return scopes
}

// absolute makes a file path from a report absolute, so the same file is the same finding
// whichever folder lensix ran in; IDs and paths already absolute are kept.
func absolute(file string) string {
	if file == "" || filepath.IsAbs(file) || strings.HasPrefix(file, "/") {
		return file
	}
	abs, err := filepath.Abs(filepath.FromSlash(file))
	if err != nil {
		return file
	}
	return filepath.ToSlash(abs)
}

// ScanOf fills a scan's status, resources and errors from its report.
func ScanOf(target string, rep *report.Report) Scan {
	s := Scan{Target: target, Status: Complete, Resources: rep.Resources}
	for _, d := range rep.Errors {
		if d.Severity == diag.Error {
			s.Errors = append(s.Errors, d.Error())
			s.Status = Partial
		}
	}
	s.BlindScopes = blindScopes(rep.Errors)
	return s
}

// jsonReport is the part of the lensix.scan/v1 JSON contract (docs/json-output.md) the store reads.
type jsonReport struct {
	Schema  string `json:"schema"`
	Results []struct {
		CheckID  string `json:"check_id"`
		Status   string `json:"status"`
		Severity string `json:"severity"`
		Title    string `json:"title"`
		Message  string `json:"message"`
		Resource struct {
			Type    string `json:"type"`
			Name    string `json:"name"`
			Address string `json:"address"`
			ID      string `json:"id"`
		} `json:"resource"`
		Source struct {
			Kind string `json:"kind"`
			File string `json:"file"`
			Line int    `json:"line"`
		} `json:"source"`
	} `json:"results"`
	Errors []struct {
		File    string `json:"file"`
		Message string `json:"message"`
	} `json:"errors"`
}

// SchemaV1 is the schema name of lensix's JSON report.
const SchemaV1 = "lensix.scan/v1"

// ReadJSON reads a lensix JSON report (schema lensix.scan/v1) into observations and the scopes
// its errors name. name is used in messages.
func ReadJSON(name string, r io.Reader) ([]Observation, []string, error) {
	var rep jsonReport
	if err := json.NewDecoder(r).Decode(&rep); err != nil {
		return nil, nil, fmt.Errorf("%s: not a lensix JSON report: %w; write one with `lensix scan -o json=FILE`", name, err)
	}
	if rep.Schema != SchemaV1 {
		return nil, nil, fmt.Errorf("%s: schema is %q, want %q; write the report with `lensix scan -o json=FILE`", name, rep.Schema, SchemaV1)
	}
	obs := make([]Observation, 0, len(rep.Results))
	for _, res := range rep.Results {
		if res.CheckID == "" {
			return nil, nil, fmt.Errorf("%s: a result has no check_id", name)
		}
		obs = append(obs, Observation{
			Key:          Key(res.CheckID, liveSources[res.Source.Kind], res.Resource.ID, res.Source.File, res.Resource.Address, res.Resource.Type, res.Resource.Name),
			CheckID:      res.CheckID,
			Severity:     res.Severity,
			Title:        res.Title,
			Status:       res.Status,
			Message:      res.Message,
			ResourceID:   res.Resource.ID,
			ResourceType: res.Resource.Type,
			ResourceName: res.Resource.Name,
			Address:      res.Resource.Address,
			File:         res.Source.File,
			Line:         res.Source.Line,
		})
	}
	seen := map[string]bool{}
	var scopes []string
	for _, e := range rep.Errors {
		scope := e.File
		if scope == "" {
			scope = AllScopes
		}
		if !seen[scope] {
			seen[scope] = true
			scopes = append(scopes, scope)
		}
	}
	sort.Strings(scopes)
	return obs, scopes, nil
}

// Diff compares two scans of one target without history: what fails in newer and did not in
// older (new), what failed in older and passes or is gone from newer (resolved). A finding that
// newer could not see (its blind scopes) is not resolved. Reopened needs history: see RecordScan.
func Diff(older, newer []Observation, newerBlind []string) (added, resolved []Observation) {
	was := map[string]bool{}
	for _, o := range older {
		if o.Failing() {
			was[o.Key] = true
		}
	}
	now := map[string]*Observation{}
	for i := range newer {
		now[newer[i].Key] = &newer[i]
	}
	for _, o := range newer {
		if o.Failing() && !was[o.Key] {
			added = append(added, o)
		}
	}
	for _, o := range older {
		if !o.Failing() {
			continue
		}
		prev := Open
		if _, change := Next(prev, now[o.Key], Blind(newerBlind, o)); change == ChangeResolved {
			resolved = append(resolved, o)
		}
	}
	return added, resolved
}
