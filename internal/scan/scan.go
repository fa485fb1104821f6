// Package scan runs one scan: it finds the input files below the paths it is given, hands each to
// the source that reads its format, runs the checks over the resources they derive, and applies
// the user's suppressions. It is the only place that knows every source.
package scan

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
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
	// PolicyIDs name the policy definitions run beside Checks, which suppressions may name too.
	PolicyIDs []string
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
	others := append([]string(nil), opts.PolicyIDs...)
	for _, c := range opts.Checks {
		others = append(others, c.ID)
	}
	diags = append(diags, suppress.UnknownChecks(resources, others)...)
	diags = append(diags, suppress.Unused(findings, resources, opts.Config, checkIDs(opts.Checks), len(opts.PolicyIDs) == 0 && allChecks(opts.Checks))...)
	diags.Sort()
	return &report.Report{
		Version:   opts.Version,
		Findings:  findings,
		Errors:    diags,
		Checks:    opts.Checks,
		Resources: len(resources),
		Secrets:   AllSecrets(resources),
	}
}

// AllSecrets lists the secrets of resources, once each.
func AllSecrets(resources []*resource.Resource) []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range resources {
		for _, s := range r.Secrets {
			if !seen[s] {
				seen[s] = true
				out = append(out, s)
			}
		}
	}
	return out
}

func checkIDs(checks []*check.Check) []string {
	ids := make([]string, len(checks))
	for i, c := range checks {
		ids[i] = c.ID
	}
	return ids
}

// allChecks reports whether checks holds every registered check: only then is a suppression of
// all checks ("*") that matched nothing known to be stale.
func allChecks(checks []*check.Check) bool {
	running := map[string]bool{}
	for _, c := range checks {
		running[c.ID] = true
	}
	for _, c := range check.All() {
		if !running[c.ID] {
			return false
		}
	}
	return true
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
	var namedParams []string
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
		if kind == arm.Parameters && inputs.namedJSON[f] {
			namedParams = append(namedParams, f)
		}
		switch {
		case kind != arm.Other:
			templates = append(templates, f)
		case azure.IsSnapshot(src):
			add(azure.ReadSnapshot(f, src))
		case unreadable != nil:
			diags = append(diags, *unreadable)
		}
	}
	for _, f := range namedParams {
		tmpl, d := pairTemplate(f, templates, opts.Config)
		if d != nil {
			diags = append(diags, *d)
		} else if tmpl != "" {
			templates = append(templates, tmpl)
		}
	}
	// --param and --parameters go to ARM and Bicep templates alike: a name is a mistake only when
	// no template of either declares it, and the ARM source reports it once.
	if len(templates) > 0 && len(inputs.bicepFiles) > 0 && (len(opts.ARM.Params) > 0 || len(opts.ARM.ParameterFiles) > 0) {
		opts.ARM.AlsoDeclared = append(opts.ARM.AlsoDeclared, bicep.ParameterNames(inputs.bicepFiles)...)
		opts.Bicep.NamesCheckedElsewhere = true
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

// MaskNames masks the secrets of each resource in its name, address, ID, resource group,
// subscription and assumptions: a secret may flow into any of them, and the store, diff and
// notifications print them as they are.
func MaskNames(resources []*resource.Resource) {
	for _, r := range resources {
		if len(r.Secrets) == 0 {
			continue
		}
		r.Name = resource.MaskString(r.Name, r.Secrets)
		r.Provenance.Address = resource.MaskString(r.Provenance.Address, r.Secrets)
		r.ID = resource.MaskString(r.ID, r.Secrets)
		r.ResourceGroup = resource.MaskString(r.ResourceGroup, r.Secrets)
		r.SubscriptionID = resource.MaskString(r.SubscriptionID, r.Secrets)
		for i := range r.Assumptions {
			r.Assumptions[i].Message = resource.MaskString(r.Assumptions[i].Message, r.Secrets)
		}
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

// pairTemplate finds the template to scan for a parameters file the user named on its own: the
// template beside it that pairs itself with it (x.json for x.parameters.json), which the scan then
// evaluates with it. It returns "" when that template is scanned anyway, and a warning that says
// what to scan when there is none, since otherwise the scan would pass with nothing checked.
func pairTemplate(params string, scanned []string, cfg *suppress.Config) (string, *diag.Diagnostic) {
	tmpl := arm.PairedTemplate(params)
	if tmpl != "" && slices.Contains(scanned, tmpl) {
		return "", nil
	}
	detail := "Scan the template it is for, with --parameters " + params + "."
	if tmpl != "" {
		missing := "No ARM template " + tmpl + " is beside it."
		if st, err := os.Stat(filepath.FromSlash(tmpl)); err == nil && st.Mode().IsRegular() && !cfg.Excluded(tmpl) {
			src, d := readInput(tmpl)
			if d != nil {
				return "", d
			}
			switch kind, unreadable := arm.Classify(tmpl, src); {
			case kind == arm.Template:
				return tmpl, nil
			case unreadable != nil:
				return "", unreadable
			}
			missing = tmpl + " beside it is no ARM template."
		}
		detail = fmt.Sprintf("%s Scan the template it is for: a template named %s is paired with it automatically; one named otherwise takes it with --parameters %s.", missing, tmpl, params)
	}
	return "", &diag.Diagnostic{
		Severity: diag.Warning,
		Summary:  "This is an ARM parameters file, which holds no resources; nothing in it was checked",
		Detail:   detail,
		Range:    resource.Range{Filename: params},
	}
}
