package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"

	"github.com/spf13/cobra"

	"github.com/lensix/lensix/internal/report"
	"github.com/lensix/lensix/internal/store"
)

// DiffOptions are the inputs of `lensix diff`.
type DiffOptions struct {
	IO *IOStreams

	Baseline  string // OLD.json
	Current   string // NEW.json
	StoreFile string
	Target    string
	ScanID    int64
	Format    string // table or json
}

// NewCmdDiff builds `lensix diff`. runF replaces the run function in tests of flag parsing.
func NewCmdDiff(ios *IOStreams, runF func(*DiffOptions) error) *cobra.Command {
	opts := &DiffOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "diff (--baseline OLD.json NEW.json | --store FILE [--target NAME] [--scan ID])",
		Short: "List failures that are new, resolved or reopened since a baseline",
		Long: `Compare two scans and list what changed: failures that are new, failures that were
resolved (the resource passes or is gone) and, with a history store, failures that came back
(reopened: drift).

With --baseline, compare two lensix JSON reports (lensix scan -o json=FILE). A finding is the
same across reports when its check and resource (file and address, or ARM ID for live resources)
are. A failure in a file the newer scan could not read is not called resolved.

With --store, list the changes the latest scan of a target (or the scan --scan names) recorded.

Exit codes:
  0  nothing new or reopened
  1  some failure is new or reopened
  2  the command line was wrong
  3  a report or the store could not be read`,
		Example: `  lensix scan ./infra -o json=new.json
  lensix diff --baseline main.json new.json
  lensix scan ./infra --store lensix.db && lensix diff --store lensix.db`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.Current = args[0]
			}
			switch {
			case opts.Baseline != "" && opts.StoreFile != "":
				return usageError("use either --baseline or --store, not both")
			case opts.Baseline != "" && opts.Current == "":
				return usageError("--baseline OLD.json needs the newer report: lensix diff --baseline OLD.json NEW.json")
			case opts.Baseline == "" && opts.StoreFile == "":
				return usageError("say what to compare: --baseline OLD.json NEW.json, or --store FILE")
			case opts.StoreFile != "" && opts.Current != "":
				return usageError("--store takes no report argument")
			}
			if opts.Format != "table" && opts.Format != "json" {
				return usageError("--format must be table or json, not %q", opts.Format)
			}
			if runF != nil {
				return runF(opts)
			}
			return diffRun(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Baseline, "baseline", "", "the older lensix JSON report `FILE`")
	f.StringVar(&opts.StoreFile, "store", "", "the history store `FILE` written by `lensix scan --store` or the monitor")
	f.StringVar(&opts.Target, "target", "", "the target whose latest scan to show (with --store; default: the only one)")
	f.Int64Var(&opts.ScanID, "scan", 0, "the scan `ID` to show (with --store; default: the latest)")
	f.StringVarP(&opts.Format, "format", "o", "table", "output format: table or json")
	return cmd
}

// diffEntry is one line of the diff.
type diffEntry struct {
	Kind         store.ChangeKind `json:"kind"`
	CheckID      string           `json:"check_id"`
	Severity     string           `json:"severity,omitempty"`
	ResourceType string           `json:"resource_type,omitempty"`
	ResourceName string           `json:"resource_name,omitempty"`
	ResourceID   string           `json:"resource_id,omitempty"`
	Address      string           `json:"address,omitempty"`
	File         string           `json:"file,omitempty"`
	Line         int              `json:"line,omitempty"`
	Message      string           `json:"message,omitempty"`
}

func entry(kind store.ChangeKind, o store.Observation) diffEntry {
	return diffEntry{Kind: kind, CheckID: o.CheckID, Severity: o.Severity, ResourceType: o.ResourceType, ResourceName: o.ResourceName,
		ResourceID: o.ResourceID, Address: o.Address, File: o.File, Line: o.Line, Message: o.Message}
}

func diffRun(ctx context.Context, opts *DiffOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	var entries []diffEntry
	var err error
	if opts.Baseline != "" {
		entries, err = diffReports(opts.Baseline, opts.Current)
	} else {
		entries, err = diffStore(ctx, opts)
	}
	var exit *ExitError
	if errors.As(err, &exit) {
		return err
	}
	if err != nil {
		return &ExitError{Code: ExitPartial, Err: err}
	}
	if err := writeDiff(opts, entries); err != nil {
		return &ExitError{Code: ExitPartial, Err: err}
	}
	for _, e := range entries {
		if e.Kind != store.ChangeResolved {
			return &ExitError{Code: ExitFindings}
		}
	}
	return nil
}

func readReport(file string) ([]store.Observation, []string, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, nil, fmt.Errorf("read report: %w", err)
	}
	defer f.Close()
	return store.ReadJSON(file, f)
}

func diffReports(oldFile, newFile string) ([]diffEntry, error) {
	older, _, err := readReport(oldFile)
	if err != nil {
		return nil, err
	}
	newer, blind, err := readReport(newFile)
	if err != nil {
		return nil, err
	}
	added, resolved := store.Diff(older, newer, blind)
	var entries []diffEntry
	for _, o := range added {
		entries = append(entries, entry(store.ChangeNew, o))
	}
	for _, o := range resolved {
		entries = append(entries, entry(store.ChangeResolved, o))
	}
	return entries, nil
}

func diffStore(ctx context.Context, opts *DiffOptions) ([]diffEntry, error) {
	if _, err := os.Stat(opts.StoreFile); err != nil {
		return nil, fmt.Errorf("read store: %w", err)
	}
	st, err := store.OpenSQLite(ctx, opts.StoreFile)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	scanID := opts.ScanID
	if scanID == 0 {
		scans, err := st.Scans(ctx, opts.Target, 1000)
		if err != nil {
			return nil, err
		}
		if len(scans) == 0 {
			return nil, fmt.Errorf("%s holds no scan of %q; record one with `lensix scan --store %s`", opts.StoreFile, opts.Target, opts.StoreFile)
		}
		if opts.Target == "" {
			for _, s := range scans {
				if s.Target != scans[0].Target {
					return nil, usageError("%s holds scans of several targets (%q, %q, ...); choose one with --target", opts.StoreFile, scans[0].Target, s.Target)
				}
			}
		}
		scanID = scans[0].ID
	}
	changes, err := st.Changes(ctx, scanID)
	if err != nil {
		return nil, err
	}
	entries := make([]diffEntry, 0, len(changes))
	for _, c := range changes {
		entries = append(entries, entry(c.Kind, c.Finding.Observation))
	}
	return entries, nil
}

func writeDiff(opts *DiffOptions, entries []diffEntry) error {
	if opts.Format == "json" {
		enc := json.NewEncoder(opts.IO.Out)
		enc.SetIndent("", "  ")
		if entries == nil {
			entries = []diffEntry{}
		}
		return enc.Encode(map[string]any{"changes": entries})
	}
	if len(entries) == 0 {
		_, err := fmt.Fprintln(opts.IO.Out, "No new, resolved or reopened failures.")
		return err
	}
	tw := tabwriter.NewWriter(opts.IO.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CHANGE\tCHECK\tRESOURCE\tWHERE")
	for _, e := range entries {
		where := e.ResourceID
		if e.File != "" {
			where = e.File
			if e.Line > 0 {
				where = fmt.Sprintf("%s:%d", e.File, e.Line)
			}
		}
		name := e.Address
		if name == "" || e.File == "" {
			name = e.ResourceName // live: the ID is already in WHERE
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", e.Kind, printable(e.CheckID), printable(name), printable(where))
	}
	return tw.Flush()
}

// printable replaces control characters, so a resource name cannot drive the terminal.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return '?'
		}
		return r
	}, s)
}

// recordScan writes one `lensix scan` into the history store file.
func recordScan(ctx context.Context, file, target string, rep *report.Report, start time.Time) error {
	st, err := store.OpenSQLite(ctx, file)
	if err != nil {
		return err
	}
	defer st.Close()
	scan := store.ScanOf(target, rep)
	scan.StartedAt, scan.Duration = start, time.Since(start)
	observed, _ := store.Observe(rep)
	_, _, err = st.RecordScan(ctx, scan, observed)
	return err
}
