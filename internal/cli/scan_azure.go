package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/spf13/cobra"

	"github.com/lensix/lensix/internal/check"
	"github.com/lensix/lensix/internal/diag"
	azurepolicy "github.com/lensix/lensix/internal/policy"
	"github.com/lensix/lensix/internal/report"
	"github.com/lensix/lensix/internal/resource"
	"github.com/lensix/lensix/internal/scan"
	"github.com/lensix/lensix/internal/source/azure"
)

// ScanAzureOptions are the inputs of `lensix scan azure`, beside the scan's own.
type ScanAzureOptions struct {
	Scan *ScanOptions

	Subscriptions    []string
	ManagementGroups []string
	ResourceGroups   []string
	NoResourceGraph  bool
	Auth             string
	Tenant           string
	ClientID         string
	Cloud            string
	ARMEndpoint      string
	AuthorityHost    string
	Save             string
	Concurrency      int
	RequestTimeout   time.Duration

	// Credential and Transport replace the ones built from the flags (lensix demo, tests).
	Credential azcore.TokenCredential
	Transport  policy.Transporter
}

// NewCmdScanAzure builds `lensix scan azure`; the scan's output and gate flags are inherited.
func NewCmdScanAzure(scanOpts *ScanOptions, runF func(*ScanAzureOptions) error) *cobra.Command {
	opts := &ScanAzureOptions{Scan: scanOpts}
	cmd := &cobra.Command{
		Use:   "azure",
		Short: "Scan live Azure subscriptions",
		Long: `Scan the Azure resources the identity you are signed in as can read, with every check,
through Azure Resource Graph (one query for all subscriptions, 1,000 rows a page).

Scope: --subscription (repeatable), --management-group, or every subscription the identity can
see; --resource-group narrows it. Reader on the scope is all lensix needs; it never writes.

Sign-in: by default the DefaultAzureCredential chain (environment variables, workload identity,
managed identity, Azure CLI, Azure Developer CLI); --auth picks one. A subscription that cannot be
read is reported in errors with its ID and the reason, and the rest of the scan completes
(exit code 3 unless something failed).

To scan a folder named azure, write ./azure.`,
		Example: `  lensix scan azure
  lensix scan azure --subscription 00000000-0000-0000-0000-000000000000 -o sarif=azure.sarif
  lensix scan azure --management-group contoso-prod --save inventory.json
  lensix scan inventory.json   # re-evaluate a saved inventory offline
  lensix scan azure --auth workload-identity --tenant contoso.onmicrosoft.com`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			// The IaC input flags are inherited from scan but mean nothing to a live scan.
			for _, name := range append([]string{"var", "var-file", "param", "parameters"}, deploymentFlags...) {
				if cmd.Flags().Changed(name) {
					hint := ""
					if name == "tenant-id" {
						hint = " (to sign in to a tenant, use --tenant)"
					}
					return usageError("--%s gives Terraform, Bicep or ARM inputs; scan azure reads live resources and takes none%s", name, hint)
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return scanAzureRun(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&opts.Subscriptions, "subscription", nil, "subscription `ID` to scan, repeatable (default: every subscription the identity can see)")
	f.StringArrayVar(&opts.ManagementGroups, "management-group", nil, "management group `NAME` to scan through Resource Graph, repeatable")
	f.StringArrayVar(&opts.ResourceGroups, "resource-group", nil, "scan only this resource `GROUP`, repeatable")
	f.BoolVar(&opts.NoResourceGraph, "no-resource-graph", false, "list resources through Resource Manager, one subscription at a time, instead of Resource Graph")
	f.StringVar(&opts.Auth, "auth", "", "sign-in `METHOD`: "+strings.Join(azure.AuthMethods, ", ")+" (default: the DefaultAzureCredential chain)")
	f.StringVar(&opts.Tenant, "tenant", "", "Microsoft Entra tenant `ID` or domain to sign in to (refused with --auth env, which takes AZURE_TENANT_ID, and --auth managed-identity)")
	f.StringVar(&opts.ClientID, "client-id", "", "client `ID` of a user-assigned managed identity or workload identity")
	f.StringVar(&opts.Cloud, "cloud", "AzurePublic", "Azure `CLOUD`: "+strings.Join(azure.Clouds, ", "))
	f.StringVar(&opts.ARMEndpoint, "arm-endpoint", "", "Resource Manager `URL` (sovereign clouds, Azure Stack Hub)")
	f.StringVar(&opts.AuthorityHost, "authority-host", "", "Microsoft Entra authority `URL` (sovereign clouds, Azure Stack Hub)")
	f.StringVar(&opts.Save, "save", "", "write the inventory to `FILE` as a snapshot that `lensix scan FILE` re-evaluates offline")
	f.IntVar(&opts.Concurrency, "concurrency", azure.DefaultConcurrency, "requests in flight at most")
	f.DurationVar(&opts.RequestTimeout, "request-timeout", azure.DefaultRequestTimeout, "time limit of each try of a request")
	_ = cmd.RegisterFlagCompletionFunc("auth", cobra.FixedCompletions(azure.AuthMethods, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("cloud", cobra.FixedCompletions(azure.Clouds, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func scanAzureRun(ctx context.Context, opts *ScanAzureOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()
	so := opts.Scan

	outs, err := parseOutputs(so.Outputs)
	if err != nil {
		return err
	}
	g, err := newGate(so)
	if err != nil {
		return err
	}
	cfg, err := loadConfig(so.ConfigFile)
	if err != nil {
		return usageError("%v", err)
	}
	checks, err := check.Select(union(cfg.Checks, so.Checks), union(cfg.SkipChecks, so.SkipChecks))
	if err != nil {
		return usageError("%v", err)
	}
	if err := checkAzureFlags(opts); err != nil {
		return err
	}
	if opts.NoResourceGraph && len(opts.ManagementGroups) > 0 {
		return usageError("--management-group needs Resource Graph: leave out --no-resource-graph, or name subscriptions")
	}
	cloudCfg, err := azure.CloudConfig(opts.Cloud, opts.ARMEndpoint, opts.AuthorityHost)
	if err != nil {
		return usageError("%v", err)
	}
	cred := opts.Credential
	if cred == nil {
		cred, err = azure.NewCredential(azure.Auth{Method: opts.Auth, TenantID: opts.Tenant, ClientID: opts.ClientID, Prompt: so.IO.ErrOut},
			azcore.ClientOptions{Cloud: cloudCfg, Transport: opts.Transport})
		if err != nil {
			return usageError("%v", err)
		}
	}
	policies := union(cfg.Policies, so.Policies)
	types, typeDiags := liveTypes(checks, policies)
	live := azure.Options{
		Credential:       cred,
		Cloud:            cloudCfg,
		Transport:        opts.Transport,
		Subscriptions:    opts.Subscriptions,
		ManagementGroups: opts.ManagementGroups,
		ResourceGroups:   opts.ResourceGroups,
		ResourceTypes:    types,
		NoResourceGraph:  opts.NoResourceGraph,
		Concurrency:      opts.Concurrency,
		RequestTimeout:   opts.RequestTimeout,
	}
	if len(live.ResourceTypes) == 0 {
		return usageError("no check or policy names a resource type, so there is nothing to read")
	}
	var bar *progressLine
	if so.IO.IsStderrTTY() {
		bar = &progressLine{ios: so.IO}
		live.Progress = bar.update
	}
	start := time.Now()
	inv, diags, err := azure.Scan(ctx, live)
	bar.clear()
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return &ExitError{Code: ExitPartial, Err: errors.New("scan cancelled")}
		}
		return &ExitError{Code: ExitPartial, Err: err}
	}
	var saveErr error // a snapshot that cannot be written does not cost the reports of the scan
	if opts.Save != "" {
		saveErr = saveSnapshot(opts.Save, inv.Snapshot(opts.Cloud, so.Now()))
	}
	resources := scan.Dedupe(inv.Resources)
	evalOpts := scan.Options{Checks: checks, Config: cfg, Now: so.Now(), Version: so.Version}
	var defs []*azurepolicy.Definition
	var policyDiags diag.Diagnostics
	if len(policies) > 0 {
		if defs, policyDiags, err = loadPolicies(policies, checks); err != nil {
			return err
		}
		for _, d := range defs {
			evalOpts.PolicyIDs = append(evalOpts.PolicyIDs, d.Name)
		}
	}
	rep := scan.Evaluate(resources, append(diags, typeDiags...), evalOpts)
	if len(defs) > 0 || len(policyDiags) > 0 {
		addPolicyFindings(rep, resources, defs, policyDiags, so.Now(), cfg)
	}
	if so.StoreFile != "" {
		target := strings.TrimSpace("azure " + strings.Join(append(append([]string(nil), opts.Subscriptions...), opts.ManagementGroups...), " "))
		if err := recordScan(ctx, so.StoreFile, target, rep, start); err != nil {
			return &ExitError{Code: ExitPartial, Err: err}
		}
	}
	writeErrs := writeReports(so.IO, outs, rep, report.Options{GroupBy: so.GroupBy})
	if saveErr != nil {
		fmt.Fprintln(so.IO.ErrOut, "lensix:", saveErr)
	}
	if s := rep.Summary(); s.Unknown > 0 && g.unknown == "warn" && !writesTableToStdout(outs) {
		fmt.Fprintf(so.IO.ErrOut, "lensix: %d result(s) are unknown (see the report)\n", s.Unknown)
	}
	if len(inv.Errors) > 0 && !writesTableToStdout(outs) {
		fmt.Fprintf(so.IO.ErrOut, "lensix: the scan is partial: %d subscription(s) could not be read (see errors in the report)\n", len(inv.Errors))
	}
	code := g.exitCodeAfterWrites(rep, writeErrs)
	if code == ExitOK && saveErr != nil {
		code = ExitPartial // even in the demo: the snapshot asked for is missing
	}
	if code != ExitOK {
		return &ExitError{Code: code}
	}
	return nil
}

// subscriptionGUID is a subscription ID as Azure spells it.
var subscriptionGUID = regexp.MustCompile(`^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$`)

// checkAzureFlags refuses flag values the scan could only fail on after signing in, and takes a
// subscription's resource ID (/subscriptions/{id}) for its GUID.
func checkAzureFlags(opts *ScanAzureOptions) error {
	for i, s := range opts.Subscriptions {
		id := strings.Trim(strings.TrimSpace(s), "/")
		if rest, ok := strings.CutPrefix(strings.ToLower(id), "subscriptions/"); ok {
			id = id[len(id)-len(rest):]
		}
		if !subscriptionGUID.MatchString(id) {
			return usageError("--subscription %q is not a subscription ID: want a GUID such as 00000000-0000-0000-0000-000000000000 (az account list -o table shows them)", s)
		}
		opts.Subscriptions[i] = id
	}
	if opts.Concurrency < 1 {
		return usageError("--concurrency must be at least 1, not %d", opts.Concurrency)
	}
	if opts.RequestTimeout <= 0 {
		return usageError("--request-timeout must be positive, not %s", opts.RequestTimeout)
	}
	return checkSavePath(opts.Save)
}

// checkSavePath makes sure, before a scan that may take minutes, that --save can write its file:
// the folder exists and takes a new file, and the path is not a folder. Like the reports, it
// creates no folder: a path into a missing folder is more likely a typo.
func checkSavePath(path string) error {
	if path == "" {
		return nil
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return usageError("--save %s is a folder; name the file to write", path)
	}
	dir := filepath.Dir(path)
	fi, err := os.Stat(dir)
	if err != nil {
		return usageError("--save %s: %v; the folder must exist", path, unwrapStatError(err))
	}
	if !fi.IsDir() {
		return usageError("--save %s: %s is not a folder", path, dir)
	}
	probe, err := os.CreateTemp(dir, ".lensix-save-*")
	if err != nil {
		return usageError("--save %s: cannot write in %s: %v", path, dir, unwrapStatError(err))
	}
	probe.Close()
	_ = os.Remove(probe.Name())
	return nil
}

// liveTypes are the resource types a live scan reads: those the checks judge and those the
// --policies definitions name exactly. A definition that names no type, or only patterns, is
// judged on those resources alone, which a warning says.
func liveTypes(checks []*check.Check, policies []string) ([]string, diag.Diagnostics) {
	types := check.ResourceTypes(checks)
	if len(policies) == 0 {
		return types, nil
	}
	var diags diag.Diagnostics
	defs, _ := azurepolicy.Load(policies) // load errors are reported with the policy findings
	seen := map[string]bool{}
	for _, t := range types {
		seen[strings.ToLower(t)] = true
	}
	for _, d := range defs {
		named := 0
		for _, t := range d.ResourceTypes() {
			if strings.Contains(t, "*") {
				continue
			}
			named++
			if k := strings.ToLower(t); !seen[k] {
				seen[k] = true
				types = append(types, t)
			}
		}
		if named == 0 {
			diags = append(diags, diag.Diagnostic{Severity: diag.Warning,
				Summary: fmt.Sprintf("policy %s names no resource type exactly, so a live scan reads nothing for it alone; it judges only the resources read for other checks", d.Name),
				Range:   resource.Range{Filename: d.File}})
		}
	}
	sort.Strings(types)
	return types, diags
}

func saveSnapshot(path string, snap *azure.Snapshot) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("save snapshot: %w", err)
	}
	err = azure.WriteSnapshot(f, snap)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("save snapshot %s: %w", path, err)
	}
	return nil
}

// progressLine draws the scan's progress on one line of standard error, a few times a second.
type progressLine struct {
	ios   *IOStreams
	mu    sync.Mutex
	last  time.Time
	drawn bool
}

func (p *progressLine) update(pr azure.Progress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if time.Since(p.last) < 100*time.Millisecond && pr.SubscriptionsDone < pr.SubscriptionsTotal {
		return
	}
	p.last = time.Now()
	const width = 24
	filled := 0
	if pr.SubscriptionsTotal > 0 {
		filled = width * pr.SubscriptionsDone / pr.SubscriptionsTotal
	}
	fmt.Fprintf(p.ios.ErrOut, "\r\x1b[K[%s%s] %d/%d subscriptions, %d resources",
		strings.Repeat("=", filled), strings.Repeat(" ", width-filled), pr.SubscriptionsDone, pr.SubscriptionsTotal, pr.Resources)
	p.drawn = true
}

func (p *progressLine) clear() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprint(p.ios.ErrOut, "\r\x1b[K")
	}
}
