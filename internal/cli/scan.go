package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/lensix/lensix/internal/check"
	_ "github.com/lensix/lensix/internal/checks" // the built-in checks
	"github.com/lensix/lensix/internal/diag"
	"github.com/lensix/lensix/internal/policy"
	"github.com/lensix/lensix/internal/report"
	"github.com/lensix/lensix/internal/scan"
	"github.com/lensix/lensix/internal/source/arm"
	"github.com/lensix/lensix/internal/source/azure"
	"github.com/lensix/lensix/internal/source/terraform"
	"github.com/lensix/lensix/internal/suppress"
)

// ScanOptions are the inputs of `lensix scan`.
type ScanOptions struct {
	IO      *IOStreams
	Version string
	Environ []string
	Now     func() time.Time

	Paths        []string
	Outputs      []string // FORMAT or FORMAT=PATH
	GroupBy      string
	FailOn       string
	Unknown      string
	SoftFail     bool
	IgnoreErrors bool
	ConfigFile   string
	Checks       []string
	SkipChecks   []string
	Inputs       InputFlags
	Policies     []string // folders or files of Azure Policy definitions run as custom checks
	StoreFile    string
}

// NewCmdScan builds `lensix scan`. runF replaces the run function in tests of flag parsing.
func NewCmdScan(ios *IOStreams, version string, runF func(*ScanOptions) error) *cobra.Command {
	opts := &ScanOptions{IO: ios, Version: version, Environ: os.Environ(), Now: time.Now}
	cmd := &cobra.Command{
		Use:   "scan [PATH...]",
		Short: "Scan Terraform, Bicep and ARM files for misconfigurations",
		Long: `Scan the files and folders given (default: the current folder) and judge every Azure
resource in them with every check.

Terraform: each folder of .tf/.tf.json files is a module; local modules are followed, and
variables come from defaults, terraform.tfvars, *.auto.tfvars, --var-file, --var and TF_VAR_*.
Plan JSON from 'terraform show -json' is recognised by its content.

ARM and Bicep: parameters come from defaults, paired parameters files, --parameters and --param.
Where the templates are deployed (--deployment-scope with the scope ID az deployment targets,
--location, --tenant-id, --deployment-name, or deployment: in .lensix.yaml) resolves
resourceGroup(), subscription(), resourceId() and resource IDs; without it they are unknown.

Exit codes:
  0  no result failed
  1  a result failed at or above --fail-on
  2  the command line was wrong
  3  nothing failed, but some input could not be read (see --ignore-errors), or a
     report could not be written (the results decide first: a failure still exits 1,
     and --soft-fail still exits 0; the write error is printed either way)

Only one format can go to standard output; give the others a path (-o sarif=lensix.sarif).
lensix creates no folders for report paths, and refuses a report path that another format
already uses or that would overwrite an input (a .tf, .tf.json, .bicep or .bicepparam file, or a
JSON file the scan reads).`,
		Example: `  lensix scan ./infra
  lensix scan ./infra --var-file prod.tfvars --var location=westeurope
  lensix scan ./bicep --deployment-scope /subscriptions/<guid>/resourceGroups/prod --location westeurope
  lensix scan . -o sarif=lensix.sarif -o junit=lensix.xml -o table
  lensix scan plan.json --format json --fail-on high`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Paths = args
			if len(opts.Paths) == 0 {
				opts.Paths = []string{"."}
			}
			if runF != nil {
				return runF(opts)
			}
			return scanRun(cmd.Context(), opts)
		},
	}
	f := cmd.PersistentFlags() // `scan azure` shares the output and gate flags
	f.StringArrayVarP(&opts.Outputs, "format", "o", nil, fmt.Sprintf("output `FORMAT[=PATH]`, repeatable; formats: %s (default table)", strings.Join(report.Formats(), ", ")))
	f.StringVar(&opts.GroupBy, "group-by", report.GroupByFile, "group the table by file or status")
	f.StringVar(&opts.FailOn, "fail-on", "low", "lowest `SEVERITY` that fails the build: low, medium, high, critical")
	f.StringVar(&opts.Unknown, "unknown", "warn", "what unknown results do: warn (report them), fail (fail the build), pass (ignore them)")
	f.BoolVar(&opts.SoftFail, "soft-fail", false, "always exit 0, except for usage errors")
	f.BoolVar(&opts.IgnoreErrors, "ignore-errors", false, "exit 0 rather than 3 when some input could not be read and nothing failed")
	f.StringVar(&opts.ConfigFile, "config", "", "config `FILE` (default: .lensix.yaml in the current folder, if present)")
	f.StringSliceVar(&opts.Checks, "check", nil, "run only these check `IDS`")
	f.StringSliceVar(&opts.SkipChecks, "skip-check", nil, "do not run these check `IDS`")
	opts.Inputs.register(f, true)
	f.StringArrayVar(&opts.Policies, "policies", nil, "Azure Policy definitions (`DIR` or file) to run beside the built-in checks, repeatable")
	f.StringVar(&opts.StoreFile, "store", "", "record the scan in the history store `FILE` (SQLite), as `lensix diff --store` and the monitor read it")
	_ = cmd.RegisterFlagCompletionFunc("format", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return report.Formats(), cobra.ShellCompDirectiveNoFileComp
	})
	_ = cmd.RegisterFlagCompletionFunc("group-by", cobra.FixedCompletions([]string{report.GroupByFile, report.GroupByStatus}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("fail-on", cobra.FixedCompletions([]string{"low", "medium", "high", "critical"}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("unknown", cobra.FixedCompletions([]string{"warn", "fail", "pass"}, cobra.ShellCompDirectiveNoFileComp))
	cmd.AddCommand(NewCmdScanAzure(opts, nil))
	return cmd
}

// output is one requested report: a format and where it goes ("" = standard output).
type output struct{ format, path string }

// parseOutputs reads the --format specs. inputs are the files and folders the command reads: a
// report path may overwrite neither one of them nor another report.
func parseOutputs(specs []string, inputs ...string) ([]output, error) {
	if len(specs) == 0 {
		return []output{{format: "table"}}, nil
	}
	known := map[string]bool{}
	for _, f := range report.Formats() {
		known[f] = true
	}
	var outs []output
	for _, spec := range specs {
		format, path, _ := strings.Cut(spec, "=")
		if !known[format] {
			return nil, usageError("unknown format %q in --format %s (want one of %s)", format, spec, strings.Join(report.Formats(), ", "))
		}
		outs = append(outs, output{format: format, path: path})
	}
	stdout := 0
	for _, o := range outs {
		if o.path == "" || o.path == "-" {
			stdout++
		}
	}
	if stdout > 1 {
		return nil, usageError("only one format can go to standard output; give the others a path: -o sarif=lensix.sarif")
	}
	if err := checkOutputPaths(outs, inputs); err != nil {
		return nil, err
	}
	return outs, nil
}

// checkOutputPaths refuses two reports to one file, and a report over a file lensix reads: a
// Terraform or Bicep file anywhere, or a JSON file in the inputs that lensix reads as one.
func checkOutputPaths(outs []output, inputs []string) error {
	seen := map[string]string{}
	for _, o := range outs {
		if o.path == "" || o.path == "-" {
			continue
		}
		abs := resolvedPath(o.path)
		if first, dup := seen[abs]; dup {
			return usageError("the %s and %s reports both go to %s: give each format its own path", first, o.format, o.path)
		}
		seen[abs] = o.format
		if info, err := os.Stat(o.path); err != nil || !info.Mode().IsRegular() {
			continue
		}
		name := strings.ToLower(filepath.Base(o.path))
		switch {
		case hasAnySuffix(name, ".tf", ".tf.json", ".bicep", ".bicepparam"):
		case hasAnySuffix(name, ".json", ".jsonc") && readAsInput(abs, inputs):
		default:
			continue
		}
		return usageError("-o %s=%s would overwrite an input: write the report to another file", o.format, o.path)
	}
	return nil
}

// readAsInput says whether a scan of inputs reads the JSON file at abs: it was named, or it lies
// in a scanned folder and holds a plan, an ARM template or parameters, or a snapshot.
func readAsInput(abs string, inputs []string) bool {
	for _, in := range inputs {
		root := resolvedPath(in)
		if abs == root {
			return true
		}
		if rel, err := filepath.Rel(root, abs); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			continue
		}
		src, err := os.ReadFile(abs)
		if err != nil {
			return false
		}
		kind, _ := arm.Classify(abs, src)
		return kind != arm.Other || terraform.IsPlan(src) || azure.IsSnapshot(src)
	}
	return false
}

// resolvedPath is p made absolute, with symbolic links resolved when it exists, so two spellings
// of one file compare equal.
func resolvedPath(p string) string {
	if abs, err := filepath.Abs(p); err == nil {
		p = abs
	}
	if real, err := filepath.EvalSymlinks(p); err == nil {
		p = real
	}
	return filepath.Clean(p)
}

func hasAnySuffix(s string, suffixes ...string) bool {
	for _, suffix := range suffixes {
		if strings.HasSuffix(s, suffix) {
			return true
		}
	}
	return false
}

// gate is the policy that turns a report into an exit code.
type gate struct {
	failOn       check.Severity
	unknown      string
	softFail     bool
	ignoreErrors bool
}

func newGate(opts *ScanOptions) (gate, error) {
	g := gate{unknown: opts.Unknown, softFail: opts.SoftFail, ignoreErrors: opts.IgnoreErrors}
	sev, err := check.ParseSeverity(opts.FailOn)
	if err != nil {
		return gate{}, usageError("--fail-on: %v", err)
	}
	g.failOn = sev
	switch opts.Unknown {
	case "warn", "fail", "pass":
	default:
		return gate{}, usageError("--unknown must be warn, fail or pass, not %q", opts.Unknown)
	}
	return g, nil
}

// exitCode decides the exit code of a scan.
func (g gate) exitCode(r *report.Report) int {
	if g.softFail {
		return ExitOK
	}
	for _, f := range r.Findings {
		failing := f.Status == check.Fail || (f.Status == check.Unknown && g.unknown == "fail")
		if failing && f.Check.Severity >= g.failOn {
			return ExitFindings
		}
	}
	if !g.ignoreErrors && (r.Errors.HasErrors() || g.unknown == "fail" && r.Errors.HasUnchecked()) {
		return ExitPartial
	}
	return ExitOK
}

// exitCodeAfterWrites decides the exit code from the results first; a report that could not be
// written (each error is printed by writeReports) only turns an exit 0 into 3, and not with
// --soft-fail.
func (g gate) exitCodeAfterWrites(r *report.Report, writeErrs []error) int {
	code := g.exitCode(r)
	if code == ExitOK && len(writeErrs) > 0 && !g.softFail {
		return ExitPartial
	}
	return code
}

func scanRun(ctx context.Context, opts *ScanOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()

	outs, err := parseOutputs(opts.Outputs, union(opts.Paths, opts.Policies)...)
	if err != nil {
		return err
	}
	if opts.GroupBy != report.GroupByFile && opts.GroupBy != report.GroupByStatus {
		return usageError("--group-by must be file or status, not %q", opts.GroupBy)
	}
	g, err := newGate(opts)
	if err != nil {
		return err
	}
	if err := checkInputFlags(&opts.Inputs); err != nil {
		return err
	}
	cfg, err := loadConfig(opts.ConfigFile)
	if err != nil {
		return usageError("%v", err)
	}
	checks, err := check.Select(union(cfg.Checks, opts.Checks), union(cfg.SkipChecks, opts.SkipChecks))
	if err != nil {
		return usageError("%v", err)
	}
	start := time.Now()
	scanOpts := scan.Options{Paths: opts.Paths, Checks: checks, Config: cfg, Now: opts.Now(), Version: opts.Version}
	if err := opts.Inputs.apply(&scanOpts, opts.Environ, cfg); err != nil {
		return err
	}
	resources, diags := scan.Resources(ctx, scanOpts)
	if err := ctx.Err(); err != nil {
		return &ExitError{Code: ExitPartial, Err: err}
	}
	var defs []*policy.Definition
	var policyDiags diag.Diagnostics
	if policies := union(cfg.Policies, opts.Policies); len(policies) > 0 {
		if defs, policyDiags, err = loadPolicies(policies, checks); err != nil {
			return err
		}
		for _, d := range defs {
			scanOpts.PolicyIDs = append(scanOpts.PolicyIDs, d.Name)
		}
	}
	rep := scan.Evaluate(resources, diags, scanOpts)
	if len(defs) > 0 || len(policyDiags) > 0 {
		addPolicyFindings(rep, resources, defs, policyDiags, opts.Now(), cfg)
	}
	if opts.StoreFile != "" {
		if err := recordScan(ctx, opts.StoreFile, scanTarget(opts.Paths), rep, start); err != nil {
			return &ExitError{Code: ExitPartial, Err: err}
		}
	}
	writeErrs := writeReports(opts.IO, outs, rep, report.Options{GroupBy: opts.GroupBy})
	if s := rep.Summary(); s.Unknown > 0 && g.unknown == "warn" && !writesTableToStdout(outs) {
		fmt.Fprintf(opts.IO.ErrOut, "lensix: %d result(s) are unknown: some values could not be resolved without inputs (see the report)\n", s.Unknown)
	}
	if code := g.exitCodeAfterWrites(rep, writeErrs); code != ExitOK {
		return &ExitError{Code: code}
	}
	return nil
}

// scanTarget names a scan in the history store: its paths made absolute, cleaned and sorted, so
// `scan .` in two folders are two targets and `scan b a` is the target of `scan a b`.
func scanTarget(paths []string) string {
	abs := make([]string, 0, len(paths))
	for _, p := range paths {
		if a, err := filepath.Abs(p); err == nil {
			p = a
		}
		abs = append(abs, filepath.ToSlash(filepath.Clean(p)))
	}
	sort.Strings(abs)
	return strings.Join(abs, " ")
}

func writesTableToStdout(outs []output) bool {
	for _, o := range outs {
		if o.format == "table" && o.path == "" {
			return true
		}
	}
	return false
}

// writeReports writes every report it can, prints the error of each it could not and returns
// those errors. It creates no folder: a path into a missing folder is more likely a typo.
func writeReports(ios *IOStreams, outs []output, rep *report.Report, base report.Options) []error {
	workDir, _ := os.Getwd()
	var errs []error
	for _, o := range outs {
		ropts := base
		ropts.WorkDir = workDir
		ropts.SourceRoot = repositoryRoot(workDir)
		var w io.Writer = ios.Out
		var file *os.File
		if o.path != "" && o.path != "-" {
			f, err := os.Create(o.path)
			if err != nil {
				errs = append(errs, fmt.Errorf("write %s report: %w", o.format, err))
				continue
			}
			file, w = f, f
		} else {
			ropts.Color = ios.ColorEnabled()
		}
		err := report.Write(w, o.format, rep, ropts)
		if file != nil {
			if cerr := file.Close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("write %s report: %w", o.format, err))
		}
	}
	for _, err := range errs {
		fmt.Fprintln(ios.ErrOut, "lensix:", err)
	}
	return errs
}

// loadConfig reads the named config file, or .lensix.yaml in the current folder if there is one.
func loadConfig(file string) (*suppress.Config, error) {
	if file != "" {
		return suppress.Load(file, true)
	}
	return suppress.Load(suppress.DefaultFile, false)
}

func union(a, b []string) []string {
	return append(append([]string(nil), a...), b...)
}

// repositoryRoot is the root of the git repository holding dir ("" outside one): SARIF names
// files relative to it, as code scanning expects, even when lensix runs in a subfolder.
func repositoryRoot(dir string) string {
	for d := dir; d != "" && d != filepath.Dir(d); d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, ".git")); err == nil {
			return d
		}
	}
	return ""
}
