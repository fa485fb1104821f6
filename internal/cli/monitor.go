package cli

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/spf13/cobra"

	"github.com/lensix/lensix/internal/armsim"
	"github.com/lensix/lensix/internal/check"
	"github.com/lensix/lensix/internal/monitor"
	"github.com/lensix/lensix/internal/source/azure"
	"github.com/lensix/lensix/internal/store"
	"github.com/lensix/lensix/internal/suppress"
)

// MonitorOptions are the inputs of `lensix monitor`.
type MonitorOptions struct {
	IO      *IOStreams
	Version string
	Getenv  func(string) string
	// Live scans subscription and management-group targets; nil until live scanning is wired in.
	Live monitor.Scanner

	ConfigFile string
	StoreFile  string
	Listen     string
	Once       bool
	Demo       bool
}

// NewCmdMonitor builds `lensix monitor`. runF replaces the run function in tests of flag parsing.
func NewCmdMonitor(ios *IOStreams, version string, live monitor.Scanner, runF func(*MonitorOptions) error) *cobra.Command {
	opts := &MonitorOptions{IO: ios, Version: version, Getenv: os.Getenv, Live: live}
	cmd := &cobra.Command{
		Use:   "monitor --config lensix-monitor.yaml",
		Short: "Scan targets on a schedule, keep their history, and alert on drift",
		Long: `Run continuously: scan each target of the config file on its schedule (an interval or a
cron expression, with jitter; never two scans of one target at once), record every scan and
every finding's lifecycle (open, resolved, reopened) in a SQLite store, notify state changes to
webhooks, Slack, Teams or standard output, and serve a dashboard and an HTTP API.

The dashboard listens on 127.0.0.1:8484 unless the config says otherwise; any other address
needs a bearer token (token-env). SIGINT or SIGTERM stops scheduling, lets scans in flight
finish for 30 seconds, and exits; a restart resumes the schedule from the store.

Exit codes:
  0  stopped cleanly (--once: every scan completed)
  2  the command line or the config file was wrong
  3  the store could not be opened or the server could not start (--once: a scan failed or was partial)`,
		Example: `  lensix monitor --config examples/lensix-monitor.yaml
  lensix monitor --config examples/lensix-monitor.yaml --demo   # live targets against a local emulator
  lensix monitor --config lensix-monitor.yaml --once    # scan every target once, then exit`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.ConfigFile == "" {
				return usageError("--config FILE is required (see examples/lensix-monitor.yaml)")
			}
			if runF != nil {
				return runF(opts)
			}
			return monitorRun(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.ConfigFile, "config", "", "monitor config `FILE` (lensix-monitor.yaml)")
	f.StringVar(&opts.StoreFile, "store", "", "history store `FILE`, overriding the config's store")
	f.StringVar(&opts.Listen, "listen", "", "dashboard and API `ADDRESS`, overriding the config's listen (\"off\": no server)")
	f.BoolVar(&opts.Once, "once", false, "scan every target once, record and notify, then exit")
	f.BoolVar(&opts.Demo, "demo", false, "scan live targets in armsim's sample tenant (the one 'lensix demo' scans) instead of Azure")
	return cmd
}

func monitorRun(ctx context.Context, opts *MonitorOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	logger := slog.New(slog.NewTextHandler(opts.IO.ErrOut, nil))

	cfg, err := monitor.LoadConfig(opts.ConfigFile)
	if err != nil {
		return usageError("%v", err)
	}
	targets, err := cfg.BuildTargets()
	if err != nil {
		return usageError("%s: %v", opts.ConfigFile, err)
	}
	listen := firstNonEmpty(opts.Listen, cfg.Listen, monitor.DefaultListen)
	var token string
	if cfg.TokenEnv != "" {
		token = opts.Getenv(cfg.TokenEnv)
	}
	if listen != "off" && !opts.Once {
		if err := monitor.CheckListen(listen, token); err != nil {
			return usageError("%s: %v", opts.ConfigFile, err)
		}
	}
	checks, err := check.Select(cfg.Checks, cfg.SkipChecks)
	if err != nil {
		return usageError("%s: %v", opts.ConfigFile, err)
	}
	supp := &suppress.Config{}
	if cfg.SuppressionsFile != "" {
		if supp, err = suppress.Load(cfg.Path(cfg.SuppressionsFile), true); err != nil {
			return usageError("%v", err)
		}
	}
	// Templates are evaluated for the deployment the suppressions file's deployment: section names.
	scope, err := (&InputFlags{}).deploymentScope(supp)
	if err != nil {
		return err
	}
	channels, err := cfg.BuildChannels(opts.Getenv, opts.IO.Out)
	if err != nil {
		return usageError("%s: %v", opts.ConfigFile, err)
	}
	storeFile := cfg.Path(firstNonEmpty(cfg.Store, "lensix-monitor.db"))
	if opts.StoreFile != "" {
		storeFile = opts.StoreFile
	}
	st, err := store.OpenSQLite(ctx, storeFile)
	if err != nil {
		return &ExitError{Code: ExitPartial, Err: err}
	}
	defer st.Close()

	metrics := monitor.NewMetrics(st)
	notifier := monitor.NewNotifier(channels, monitor.NotifierOptions{Digest: time.Duration(cfg.Notify.Digest), Logger: logger, Metrics: metrics})
	defer func() {
		flush, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		notifier.Close(flush)
	}()
	live := opts.Live
	if live == nil && hasLiveTarget(targets) {
		scanner, closeLive, err := liveScanner(cfg.Azure, opts, monitor.LiveScanner{Checks: checks, Config: supp, Version: opts.Version, Metrics: metrics}, logger)
		if err != nil {
			return err
		}
		defer closeLive()
		live = scanner
	}
	mon, err := monitor.New(targets, monitor.Options{
		Store: st, IaC: monitor.IaCScanner{Checks: checks, Config: supp, Version: opts.Version, Scope: scope}, Live: live,
		Notifier: notifier, Metrics: metrics, Logger: logger, Retention: time.Duration(cfg.Retention),
	})
	if err != nil {
		return usageError("%s: %v", opts.ConfigFile, err)
	}

	if opts.Once {
		incomplete := 0
		for _, t := range targets {
			scan, _, err := mon.ScanNow(ctx, t.Name)
			if err != nil || scan.Status != store.Complete {
				incomplete++
			}
			if err != nil {
				logger.Error("scan failed", "target", t.Name, "err", err)
			}
		}
		if incomplete > 0 {
			return &ExitError{Code: ExitPartial, Err: fmt.Errorf("%d of %d scans failed or were partial", incomplete, len(targets))}
		}
		return nil
	}

	serverErr := make(chan error, 1)
	if listen != "off" {
		handler, err := monitor.NewServer(monitor.ServerOptions{Store: st, Monitor: mon, Metrics: metrics, Token: token, Listen: listen, Logger: logger})
		if err != nil {
			return &ExitError{Code: ExitPartial, Err: err}
		}
		go func() { serverErr <- monitor.Serve(ctx, listen, handler, logger) }()
	}
	monitorDone := make(chan error, 1)
	go func() { monitorDone <- mon.Run(ctx) }()
	select {
	case err := <-serverErr:
		stop()
		<-monitorDone
		if err != nil {
			return &ExitError{Code: ExitPartial, Err: fmt.Errorf("serve %s: %w", listen, err)}
		}
	case <-monitorDone:
	}
	logger.Info("monitor stopped")
	return nil
}

func hasLiveTarget(targets []monitor.Target) bool {
	for _, t := range targets {
		if t.Live() {
			return true
		}
	}
	return false
}

// liveScanner signs in to Azure as the config says, or with --demo starts armsim with the
// sample tenant of `lensix demo` and signs in to it; the returned func stops the emulator.
func liveScanner(cfg monitor.AzureConfig, opts *MonitorOptions, base monitor.LiveScanner, logger *slog.Logger) (monitor.Scanner, func(), error) {
	base.Azure = azure.Options{NoResourceGraph: cfg.NoResourceGraph, Concurrency: cfg.Concurrency}
	if opts.Demo {
		tenant := armsim.Generate(armsim.GenerateOptions{Subscriptions: 3, Services: 12, WithoutIdentity: 0.4, Seed: 2026})
		srv, err := armsim.Start(tenant, armsim.Faults{})
		if err != nil {
			return nil, nil, &ExitError{Code: ExitPartial, Err: err}
		}
		cloudCfg, err := azure.CloudConfig("AzurePublic", srv.URL, srv.URL)
		if err != nil {
			srv.Close()
			return nil, nil, &ExitError{Code: ExitPartial, Err: err}
		}
		cred, err := srv.Credential(armsim.ClientSecret)
		if err != nil {
			srv.Close()
			return nil, nil, &ExitError{Code: ExitPartial, Err: err}
		}
		var subs []string
		for _, s := range tenant.Subscriptions() {
			subs = append(subs, s.ID)
		}
		logger.Info("demo: armsim serves the sample tenant; live targets are scanned there", "url", srv.URL, "tenant", tenant.ID, "subscriptions", subs, "management_groups", []string{"mg-even", tenant.ID})
		base.Azure.Credential, base.Azure.Cloud, base.Azure.Transport = cred, cloudCfg, srv.Client()
		return base, func() { srv.Close() }, nil
	}
	cloudCfg, err := azure.CloudConfig(cfg.Cloud, cfg.ARMEndpoint, cfg.AuthorityHost)
	if err != nil {
		return nil, nil, usageError("%s: azure: %v", opts.ConfigFile, err)
	}
	cred, err := azure.NewCredential(azure.Auth{Method: cfg.Auth, TenantID: cfg.Tenant, ClientID: cfg.ClientID, Prompt: opts.IO.ErrOut}, azcore.ClientOptions{Cloud: cloudCfg})
	if err != nil {
		return nil, nil, usageError("%s: azure: %v", opts.ConfigFile, err)
	}
	base.Azure.Credential, base.Azure.Cloud = cred, cloudCfg
	return base, func() {}, nil
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}
