package cli

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/lensix/lensix/internal/armsim"
	"github.com/lensix/lensix/internal/source/azure"
)

// DemoOptions are the inputs of `lensix demo`.
type DemoOptions struct {
	Scan            *ScanOptions
	Subscriptions   int
	Services        int
	NoResourceGraph bool
	Save            string
}

// NewCmdDemo builds `lensix demo`.
func NewCmdDemo(ios *IOStreams, version string, runF func(*DemoOptions) error) *cobra.Command {
	opts := &DemoOptions{Scan: &ScanOptions{IO: ios, Version: version, Environ: os.Environ(), Now: time.Now, FailOn: "low", Unknown: "warn"}}
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Scan a simulated Azure tenant, to see a live scan without an Azure account",
		Long: `Start armsim, lensix's local emulator of Microsoft Entra, Azure Resource Manager and Azure
Resource Graph, on 127.0.0.1 with a sample tenant, and scan it exactly as 'lensix scan azure' scans
yours: signing in with a client secret, querying Resource Graph, judging every API Management
service. Nothing leaves your machine. The demo exits 0 whatever it finds.`,
		Example: "  lensix demo\n  lensix demo --services 200 -o json\n  lensix demo --no-resource-graph",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return demoRun(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringArrayVarP(&opts.Scan.Outputs, "format", "o", nil, "output `FORMAT[=PATH]`, repeatable (default table)")
	f.IntVar(&opts.Subscriptions, "subscriptions", 3, "subscriptions in the sample tenant")
	f.IntVar(&opts.Services, "services", 12, "API Management services in the sample tenant")
	f.BoolVar(&opts.NoResourceGraph, "no-resource-graph", false, "list services per subscription through Resource Manager instead of Resource Graph")
	f.StringVar(&opts.Save, "save", "", "write the inventory to `FILE` as a snapshot")
	return cmd
}

func demoRun(ctx context.Context, opts *DemoOptions) error {
	if opts.Subscriptions < 1 || opts.Services < 0 {
		return usageError("--subscriptions must be at least 1 and --services at least 0")
	}
	// Flags are checked before the emulator starts, as scan azure checks them before signing in.
	if _, err := parseOutputs(opts.Scan.Outputs); err != nil {
		return err
	}
	if err := checkSavePath(opts.Save); err != nil {
		return err
	}
	ios := opts.Scan.IO
	tenant := armsim.Generate(armsim.GenerateOptions{Subscriptions: opts.Subscriptions, Services: opts.Services, WithoutIdentity: 0.4, Seed: 2026})
	srv, err := armsim.Start(tenant, armsim.Faults{Latency: 20 * time.Millisecond})
	if err != nil {
		return &ExitError{Code: ExitPartial, Err: err}
	}
	defer srv.Close()
	cred, err := srv.Credential(armsim.ClientSecret)
	if err != nil {
		return &ExitError{Code: ExitPartial, Err: err}
	}
	fmt.Fprintf(ios.ErrOut, "lensix demo: armsim, a local Azure emulator, is serving tenant %s at %s\n", tenant.ID, srv.URL)
	some := ", some without a managed identity"
	if opts.Services == 0 {
		some = ""
	}
	fmt.Fprintf(ios.ErrOut, "lensix demo: %d subscriptions, %d API Management services%s; scanning as 'lensix scan azure' would:\n\n", opts.Subscriptions, opts.Services, some)
	opts.Scan.SoftFail = true
	err = scanAzureRun(ctx, &ScanAzureOptions{
		Scan:            opts.Scan,
		NoResourceGraph: opts.NoResourceGraph,
		Cloud:           "AzurePublic",
		ARMEndpoint:     srv.URL,
		AuthorityHost:   srv.URL,
		Save:            opts.Save,
		Concurrency:     azure.DefaultConcurrency,
		RequestTimeout:  azure.DefaultRequestTimeout,
		Credential:      cred,
		Transport:       srv.Client(),
	})
	st := srv.Stats()
	fmt.Fprintf(ios.ErrOut, "\nlensix demo: %d requests to inventory APIs (%d Resource Graph, %d subscriptions, %d API Management lists). Scan your own tenant with: lensix scan azure\n",
		st.Inventory(), st.Graph, st.Subscriptions, st.APIMList)
	return err
}
