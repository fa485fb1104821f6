// Package scan runs one scan: it finds the input files below the paths it is given, hands each to
// the source that reads its format, runs the checks over the resources they derive, and applies
// the user's suppressions. It is the only place that knows every source.
package scan

import (
	"context"
	"time"

	"github.com/lensix/lensix/internal/check"
	"github.com/lensix/lensix/internal/diag"
	"github.com/lensix/lensix/internal/report"
	"github.com/lensix/lensix/internal/resource"
	"github.com/lensix/lensix/internal/source/arm"
	"github.com/lensix/lensix/internal/source/azure"
	"github.com/lensix/lensix/internal/source/bicep"
	"github.com/lensix/lensix/internal/source/terraform"
	"github.com/lensix/lensix/internal/suppress"
)

// Options are the inputs of one scan.
type Options struct {
	// Paths are files and folders to scan, as the user wrote them.
	Paths []string
	// Checks are the checks to run.
	Checks []*check.Check
	// Config holds exclusions and suppressions (never nil).
	Config *suppress.Config
	// Terraform carries variables for the Terraform source.
	Terraform terraform.Options
	// ARM and Bicep carry deployment parameters for templates.
	ARM   arm.Options
	Bicep bicep.Options
	// Now is the scan's time, for suppression expiry.
	Now time.Time
	// Version is lensix's version, recorded in the report.
	Version string
}

// Run scans opts.Paths. Problems with the input are in the report's Errors; Run itself fails
// only when the context is cancelled.
func Run(ctx context.Context, opts Options) (*report.Report, error) {
	resources, diags := Resources(ctx, opts)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return Evaluate(resources, diags, opts), nil
}

// Evaluate judges resources a source already derived (a live scan's inventory, say) and
// builds the report, as Run does for files.
func Evaluate(resources []*resource.Resource, diags diag.Diagnostics, opts Options) *report.Report {
	MaskNames(resources)
	findings := check.Run(opts.Checks, resources)
	suppress.Apply(findings, opts.Config, opts.Now)
	diags.Sort()
	return &report.Report{
		Version:   opts.Version,
		Findings:  findings,
		Errors:    diags,
		Checks:    opts.Checks,
		Resources: len(resources),
	}
}

// Resources derives the ARM-shaped resources of every input below opts.Paths, without judging
// them.
func Resources(ctx context.Context, opts Options) ([]*resource.Resource, diag.Diagnostics) {
	inputs, diags := discover(opts.Paths, opts.Config)
	// File-reading functions in the input may not leave the folder the user named.
	root := scanRoot(opts.Paths)
	if opts.Terraform.Root == "" {
		opts.Terraform.Root = root
	}
	if opts.Bicep.Root == "" {
		opts.Bicep.Root = root
	}
	var resources []*resource.Resource
	add := func(rs []*resource.Resource, ds diag.Diagnostics) {
		resources = append(resources, rs...)
		diags = append(diags, ds...)
	}
	if len(inputs.terraformDirs) > 0 {
		add(terraform.Load(inputs.terraformDirs, opts.Terraform))
	}
	var templates []string // ARM templates and parameters files, evaluated together
	for _, f := range inputs.jsonFiles {
		if ctx.Err() != nil {
			break
		}
		src, d := readInput(f)
		if d != nil {
			diags = append(diags, *d)
			continue
		}
		if terraform.IsPlan(src) {
			add(terraform.ReadPlan(f, src))
			continue
		}
		kind, unreadable := arm.Classify(f, src)
		switch {
		case kind != arm.Other:
			templates = append(templates, f)
		case azure.IsSnapshot(src):
			add(azure.ReadSnapshot(f, src))
		case unreadable != nil:
			diags = append(diags, *unreadable)
		}
	}
	var off []resource.NotDeployed
	if len(templates) > 0 {
		r := arm.LoadAll(templates, opts.ARM)
		add(r.Resources, r.Diagnostics)
		off = append(off, r.NotDeployed...)
	}
	if len(inputs.bicepFiles) > 0 && ctx.Err() == nil {
		r := bicep.LoadAll(inputs.bicepFiles, opts.Bicep)
		add(r.Resources, r.Diagnostics)
		off = append(off, r.NotDeployed...)
	}
	diags = append(diags, notDeployedWarnings(off, opts.Checks)...)
	resources = Dedupe(keepNamedFiles(resources, inputs))
	for _, r := range resources {
		// Values Redact hides are masked wherever else they flowed, like secure inputs.
		r.Secrets = append(r.Secrets, resource.SecretsOf(r.Type, r.Body)...)
	}
	MaskNames(resources)
	return resources, distinct(diags)
}

// MaskNames masks the secrets of each resource in its name, address and ID: a secret may flow into a
// name, and the store, diff and notifications print names as they are.
func MaskNames(resources []*resource.Resource) {
	for _, r := range resources {
		if len(r.Secrets) == 0 {
			continue
		}
		r.Name = resource.MaskString(r.Name, r.Secrets)
		r.Provenance.Address = resource.MaskString(r.Provenance.Address, r.Secrets)
		r.ID = resource.MaskString(r.ID, r.Secrets)
	}
}

// distinct drops repeated diagnostics: a broken parameters file is reported both when the scan
// classifies it and when its template reads it.
func distinct(diags diag.Diagnostics) diag.Diagnostics {
	seen := make(map[diag.Diagnostic]bool, len(diags))
	out := diags[:0]
	for _, d := range diags {
		if !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	return out
}
