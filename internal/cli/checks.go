package cli

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/lensix/lensix/internal/check"
)

// ChecksOptions are the inputs of `lensix checks`.
type ChecksOptions struct {
	IO     *IOStreams
	Format string
}

// NewCmdChecks builds `lensix checks`.
func NewCmdChecks(ios *IOStreams, runF func(*ChecksOptions) error) *cobra.Command {
	opts := &ChecksOptions{IO: ios}
	cmd := &cobra.Command{
		Use:     "checks",
		Short:   "List the built-in checks",
		Example: "  lensix checks\n  lensix checks --format json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return checksRun(opts)
		},
	}
	cmd.Flags().StringVarP(&opts.Format, "format", "o", "table", "output format: table or json")
	return cmd
}

// checkJSON is one check in `lensix checks --format json`.
type checkJSON struct {
	ID            string   `json:"id"`
	Title         string   `json:"title"`
	Severity      string   `json:"severity"`
	ResourceTypes []string `json:"resource_types"`
	Description   string   `json:"description"`
	References    []string `json:"references"`
}

func checksRun(opts *ChecksOptions) error {
	checks := check.All()
	switch opts.Format {
	case "json":
		list := make([]checkJSON, 0, len(checks))
		for _, c := range checks {
			list = append(list, checkJSON{c.ID, c.Title, c.Severity.String(), c.ResourceTypes, c.Description, c.References})
		}
		enc := json.NewEncoder(opts.IO.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(list)
	case "table":
		tw := tabwriter.NewWriter(opts.IO.Out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tSEVERITY\tRESOURCE TYPES\tTITLE")
		for _, c := range checks {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", c.ID, c.Severity, strings.Join(c.ResourceTypes, ", "), c.Title)
		}
		return tw.Flush()
	default:
		return usageError("--format must be table or json, not %q", opts.Format)
	}
}
