package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/lensix/lensix/internal/check"
	_ "github.com/lensix/lensix/internal/checks" // the built-in checks, for export
	"github.com/lensix/lensix/internal/diag"
	"github.com/lensix/lensix/internal/policy"
	"github.com/lensix/lensix/internal/report"
	"github.com/lensix/lensix/internal/resource"
	"github.com/lensix/lensix/internal/scan"
	"github.com/lensix/lensix/internal/suppress"
)

// NewCmdPolicy builds `lensix policy` and its subcommands.
func NewCmdPolicy(ios *IOStreams, version string) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "policy",
		Short: "Export checks as Azure Policy, and evaluate Azure Policy definitions locally",
		Long: `Azure Policy is the last line of defence: audit the fleet, then deny non-compliant
deployments. 'lensix policy export' turns lensix's checks into custom policy definitions (plus
an initiative, and Bicep or Terraform to create and assign them). 'lensix policy eval' evaluates
any Azure Policy definition — lensix's, Microsoft's built-ins, your own — against Terraform,
Bicep and ARM files, so you see before merging what Azure Policy would deny after.`,
	}
	cmd.AddCommand(NewCmdPolicyExport(ios, nil), NewCmdPolicyEval(ios, version, nil))
	return cmd
}

// PolicyExportOptions are the inputs of `lensix policy export`.
type PolicyExportOptions struct {
	IO      *IOStreams
	Checks  []string
	Effect  string
	Format  string
	OutFile string
}

// NewCmdPolicyExport builds `lensix policy export`.
func NewCmdPolicyExport(ios *IOStreams, runF func(*PolicyExportOptions) error) *cobra.Command {
	opts := &PolicyExportOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "export [CHECK...]",
		Short: "Write checks as Azure Policy definitions, an initiative, and Bicep or Terraform to deploy them",
		Long: `Write every check that has an Azure Policy rule (or the checks named) as a custom policy
definition with an effect parameter (Audit, Deny or Disabled; default Audit), plus an
initiative (policy set) holding them all.

Formats:
  json       the definitions and the initiative, as Azure's REST API takes them
  bicep      a subscription-scope Bicep file creating and assigning them
  terraform  azurerm_policy_definition, azurerm_policy_set_definition and
             azurerm_subscription_policy_assignment resources`,
		Example: `  lensix policy export apimgmt_nomanagedidentity
  lensix policy export --format bicep --out lensix-policy.bicep
  lensix policy export --format terraform --effect Deny --out policy.tf`,
		ValidArgsFunction: func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			var ids []string
			for _, c := range check.All() {
				if len(c.PolicyRule) > 0 {
					ids = append(ids, c.ID+"\t"+c.Title)
				}
			}
			return ids, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Checks = args
			if runF != nil {
				return runF(opts)
			}
			return policyExportRun(opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Effect, "effect", "Audit", "default `EFFECT` of the definitions and the assignment: Audit, Deny or Disabled")
	f.StringVar(&opts.Format, "format", "json", "output `FORMAT`: json, bicep or terraform")
	f.StringVar(&opts.OutFile, "out", "", "write to `FILE` instead of standard output")
	_ = cmd.RegisterFlagCompletionFunc("effect", cobra.FixedCompletions(policy.ExportEffects, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions([]string{"json", "bicep", "terraform"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func policyExportRun(opts *PolicyExportOptions) error {
	var checks []*check.Check
	if len(opts.Checks) == 0 {
		for _, c := range check.All() {
			if len(c.PolicyRule) > 0 {
				checks = append(checks, c)
			}
		}
	} else {
		seen := map[*check.Check]bool{}
		for _, id := range opts.Checks {
			c, ok := check.Lookup(id)
			if !ok {
				return usageError("unknown check %q (run `lensix checks` to list them)", id)
			}
			if !seen[c] { // one ID in two spellings would be two definitions of one name
				seen[c] = true
				checks = append(checks, c)
			}
		}
	}
	exported, err := policy.Export(checks, policy.ExportOptions{Effect: opts.Effect})
	if err != nil {
		return usageError("%v", err)
	}
	var data []byte
	switch strings.ToLower(opts.Format) {
	case "json":
		data, err = exported.JSON()
	case "bicep":
		data = exported.Bicep()
	case "terraform", "tf":
		data, err = exported.Terraform()
	default:
		return usageError("unknown --format %q (want json, bicep or terraform)", opts.Format)
	}
	if err != nil {
		return err
	}
	if opts.OutFile == "" || opts.OutFile == "-" {
		_, err = opts.IO.Out.Write(data)
		return err
	}
	if dir := filepath.Dir(opts.OutFile); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("write %s: %w", opts.OutFile, err)
		}
	}
	if err := os.WriteFile(opts.OutFile, data, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", opts.OutFile, err)
	}
	return nil
}

// PolicyEvalOptions are the inputs of `lensix policy eval`.
type PolicyEvalOptions struct {
	IO      *IOStreams
	Version string
	Environ []string
	Now     func() time.Time

	Definitions []string
	Params      []string
	Assignment  string
	Paths       []string
	Outputs     []string
	FailOn      string
	Unknown     string
	SoftFail    bool
	ConfigFile  string
	Inputs      InputFlags
}

// NewCmdPolicyEval builds `lensix policy eval`.
func NewCmdPolicyEval(ios *IOStreams, version string, runF func(*PolicyEvalOptions) error) *cobra.Command {
	opts := &PolicyEvalOptions{IO: ios, Version: version, Environ: os.Environ(), Now: time.Now}
	cmd := &cobra.Command{
		Use:   "eval --definition FILE|DIR [PATH...]",
		Short: "Evaluate Azure Policy definitions against Terraform, Bicep and ARM resources",
		Long: `Evaluate Azure Policy definitions (files, or folders of *.json) against the resources
lensix derives from the paths given (default: the current folder), as Azure Policy would once
they are deployed. Results go through the same reporters as 'lensix scan'; the check ID of a
result is the definition's name.

A resource complies (pass), does not comply (fail), or its verdict depends on values unknown
until deployment (unknown). Deny results say Azure would reject the deployment; Modify and
Append results say what Azure would change; AuditIfNotExists and DeployIfNotExists look for the
related resource (e.g. diagnostic settings) among the scanned resources.

Parameters come from each definition's defaults, an assignment file (--assignment, the JSON
Azure returns for a policy assignment) and --param NAME=VALUE (JSON for arrays and objects).

Exit codes are those of 'lensix scan'.`,
		Example: `  lensix policy eval --definition policies/ ./infra
  lensix policy eval --definition deny-public.json --param effect=Deny ./infra -o sarif=policy.sarif
  lensix policy export > lensix.json && lensix policy eval --definition lensix.json ./infra`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Paths = args
			if len(opts.Paths) == 0 {
				opts.Paths = []string{"."}
			}
			if len(opts.Definitions) == 0 {
				return usageError("--definition is required: a policy definition file or a folder of them")
			}
			if runF != nil {
				return runF(opts)
			}
			return policyEvalRun(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&opts.Definitions, "definition", nil, "policy definition `FILE` or folder, repeatable")
	f.StringArrayVar(&opts.Params, "param", nil, "definition parameter `NAME=VALUE`, repeatable")
	f.StringVar(&opts.Assignment, "assignment", "", "policy assignment `FILE` whose parameters to use")
	f.StringArrayVarP(&opts.Outputs, "format", "o", nil, fmt.Sprintf("output `FORMAT[=PATH]`, repeatable; formats: %s (default table)", strings.Join(report.Formats(), ", ")))
	f.StringVar(&opts.FailOn, "fail-on", "low", "lowest `SEVERITY` that fails the build: low, medium, high, critical")
	f.StringVar(&opts.Unknown, "unknown", "warn", "what unknown results do: warn, fail or pass")
	f.BoolVar(&opts.SoftFail, "soft-fail", false, "always exit 0, except for usage errors")
	f.StringVar(&opts.ConfigFile, "config", "", "config `FILE` (default: .lensix.yaml in the current folder, if present)")
	opts.Inputs.register(f, false)
	return cmd
}

func policyEvalRun(ctx context.Context, opts *PolicyEvalOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	outs, err := parseOutputs(opts.Outputs, union(opts.Paths, opts.Definitions)...)
	if err != nil {
		return err
	}
	g, err := newGate(&ScanOptions{FailOn: opts.FailOn, Unknown: opts.Unknown, SoftFail: opts.SoftFail})
	if err != nil {
		return err
	}
	if err := checkInputFlags(&opts.Inputs); err != nil {
		return err
	}
	params, err := policyParams(opts.Assignment, opts.Params)
	if err != nil {
		return usageError("%v", err)
	}
	cfg, err := loadConfig(opts.ConfigFile)
	if err != nil {
		return usageError("%v", err)
	}
	if _, err := opts.Inputs.deploymentScope(cfg); err != nil {
		return err // before the definitions are read, as the other flags are
	}
	rep, err := policyReport(ctx, opts, cfg, params)
	if err != nil {
		return err
	}
	writeErrs := writeReports(opts.IO, outs, rep, report.Options{})
	if code := g.exitCodeAfterWrites(rep, writeErrs); code != ExitOK {
		return &ExitError{Code: code}
	}
	return nil
}

// policyParams merges an assignment's parameters with --param values, which win.
func policyParams(assignment string, pairs []string) (map[string]any, error) {
	params := map[string]any{}
	if assignment != "" {
		p, err := policy.ReadAssignment(assignment)
		if err != nil {
			return nil, err
		}
		params = p
	}
	given, err := policy.ParseParams(pairs)
	if err != nil {
		return nil, err
	}
	for k, v := range given {
		params[k] = v
	}
	return params, nil
}

// policyReport loads the definitions, derives the resources and evaluates one over the other.
func policyReport(ctx context.Context, opts *PolicyEvalOptions, cfg *suppress.Config, params map[string]any) (*report.Report, error) {
	defs, diags := policy.Load(opts.Definitions)
	if len(defs) == 0 && len(diags) == 0 {
		return nil, usageError("no policy definitions (*.json) found in %s", strings.Join(opts.Definitions, ", "))
	}
	if len(defs) == 0 && diags.HasErrors() {
		lines := make([]string, len(diags))
		for i, d := range diags {
			lines[i] = "  " + d.Error()
		}
		return nil, &ExitError{Code: ExitUsage, Err: fmt.Errorf("no policy definition could be loaded:\n%s", strings.Join(lines, "\n"))}
	}
	scanOpts := scan.Options{Paths: opts.Paths, Config: cfg, Now: opts.Now(), Version: opts.Version}
	if err := opts.Inputs.apply(&scanOpts, opts.Environ, cfg); err != nil {
		return nil, err
	}
	resources, rdiags := scan.Resources(ctx, scanOpts)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	diags = append(diags, rdiags...)
	eval := policy.EvaluateAll(defs, resources, params, &policy.Env{Resources: resources, Now: opts.Now()})
	diags = append(diags, eval.Diags...)
	suppress.Apply(eval.Findings, cfg, opts.Now())
	policyIDs := checkIDs(eval.Checks)
	diags = append(diags, suppress.UnknownChecks(resources, policyIDs)...)
	diags = append(diags, suppress.Unused(eval.Findings, resources, cfg, policyIDs, false)...)
	diags.Sort()
	return &report.Report{
		Version:   opts.Version,
		Findings:  eval.Findings,
		Errors:    diags,
		Checks:    eval.Checks,
		Resources: len(resources),
	}, nil
}

// loadPolicies loads the definitions of `lensix scan --policies`, less those that repeat a check
// that runs.
func loadPolicies(policies []string, running []*check.Check) ([]*policy.Definition, diag.Diagnostics, error) {
	defs, diags := policy.Load(policies)
	if len(defs) == 0 && diags.HasErrors() {
		return nil, nil, usageError("--policies: no policy definition could be loaded: %v", diags[0].Error())
	}
	defs, skipped := skipRunningChecks(defs, running)
	return defs, append(diags, skipped...), nil
}

// addPolicyFindings runs the definitions loadPolicies returned over the scan's resources and adds
// their results, and the diagnostics of loading them, to the report, as if they were checks.
func addPolicyFindings(rep *report.Report, resources []*resource.Resource, defs []*policy.Definition, diags diag.Diagnostics, now time.Time, cfg *suppress.Config) {
	eval := policy.EvaluateAll(defs, resources, nil, &policy.Env{Resources: resources, Now: now})
	suppress.Apply(eval.Findings, cfg, now)
	rep.Findings = append(rep.Findings, eval.Findings...)
	check.SortFindings(rep.Findings)
	rep.Checks = append(rep.Checks, eval.Checks...)
	rep.Errors = append(rep.Errors, append(diags, eval.Diags...)...)
	// The scan judged the suppressions of the built-in checks; these are the definitions'.
	rep.Errors = append(rep.Errors, suppress.Unused(eval.Findings, resources, cfg, checkIDs(eval.Checks), false)...)
	rep.Errors.Sort()
}

// skipRunningChecks leaves out the definitions named (in any case) as a check that already runs,
// such as lensix's own export, whose results would be the check's a second time under its ID.
func skipRunningChecks(defs []*policy.Definition, running []*check.Check) ([]*policy.Definition, diag.Diagnostics) {
	ids := map[string]string{}
	for _, c := range running {
		ids[strings.ToLower(c.ID)] = c.ID
	}
	var kept []*policy.Definition
	var diags diag.Diagnostics
	for _, d := range defs {
		id, dup := ids[strings.ToLower(d.Name)]
		if !dup {
			kept = append(kept, d)
			continue
		}
		diags = append(diags, diag.Diagnostic{
			Severity: diag.Warning,
			Summary:  fmt.Sprintf("policy definition %s has the ID of the built-in check %s, which already runs; skipped", d.Name, id),
			Detail:   "Its results would repeat the check's under the same ID. Rename the definition to run it as well.",
			Range:    resource.Range{Filename: d.File},
		})
	}
	return kept, diags
}

func checkIDs(checks []*check.Check) []string {
	ids := make([]string, len(checks))
	for i, c := range checks {
		ids[i] = c.ID
	}
	return ids
}
