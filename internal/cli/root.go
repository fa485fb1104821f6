// Package cli holds lensix's commands, one file per command in the style of the GitHub CLI: an
// options struct with the inputs and injected dependencies, a NewCmdX that only parses flags, and
// an xRun that does the work and can be tested on its own.
package cli

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"
)

// Exit codes, documented in the README and `lensix scan --help`.
const (
	ExitOK       = 0 // no failing results
	ExitFindings = 1 // a result failed at or above --fail-on
	ExitUsage    = 2 // the command line was wrong
	ExitPartial  = 3 // no failures, but some input could not be read
)

// ExitError carries the process exit code out of a command.
type ExitError struct {
	Code int
	Err  error // nil when the code says all there is to say (findings)
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit status %d", e.Code)
	}
	return e.Err.Error()
}

func (e *ExitError) Unwrap() error { return e.Err }

func usageError(format string, args ...any) error {
	return &ExitError{Code: ExitUsage, Err: fmt.Errorf(format, args...)}
}

// NewRootCmd builds the lensix command tree.
func NewRootCmd(version string, ios *IOStreams) *cobra.Command {
	root := &cobra.Command{
		Use:   "lensix",
		Short: "Find Azure misconfigurations before and after they are deployed",
		Long: `lensix finds Azure misconfigurations in Terraform, Bicep and ARM templates before they
are deployed, and in live subscriptions after. One set of checks judges every source, so a
resource gets the same verdict in a pull request and in production.`,
		Example: `  lensix scan ./infra
  lensix scan ./infra -o sarif=lensix.sarif -o table
  lensix explain apimgmt_nomanagedidentity`,
		Version:       version,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(ios.Out)
	root.SetErr(ios.ErrOut)
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return &ExitError{Code: ExitUsage, Err: fmt.Errorf("%w\nRun '%s --help' for usage", err, cmd.CommandPath())}
	})
	root.AddCommand(
		NewCmdScan(ios, version, nil),
		NewCmdResources(ios, nil),
		NewCmdChecks(ios, nil),
		NewCmdExplain(ios, nil),
		NewCmdDemo(ios, version, nil),
		NewCmdPolicy(ios, version),
		NewCmdDiff(ios, nil),
		NewCmdMonitor(ios, version, nil, nil),
	)
	return root
}

// Run executes the command line args and returns the process exit code.
func Run(version string, args []string, ios *IOStreams) int {
	root := NewRootCmd(version, ios)
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return ExitOK
	}
	var exit *ExitError
	if errors.As(err, &exit) {
		if exit.Err != nil {
			fmt.Fprintln(ios.ErrOut, "lensix:", exit.Err)
		}
		return exit.Code
	}
	fmt.Fprintln(ios.ErrOut, "lensix:", err)
	if isUsageError(err) {
		return ExitUsage
	}
	return ExitPartial
}

// isUsageError recognises cobra's own complaints about arguments and commands.
func isUsageError(err error) bool {
	msg := err.Error()
	for _, prefix := range []string{"unknown command", "unknown flag", "unknown shorthand", "accepts ", "requires at least", "invalid argument"} {
		if len(msg) >= len(prefix) && msg[:len(prefix)] == prefix {
			return true
		}
	}
	return false
}
