package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/lensix/lensix/internal/check"
)

// ExplainOptions are the inputs of `lensix explain`.
type ExplainOptions struct {
	IO      *IOStreams
	CheckID string
}

// NewCmdExplain builds `lensix explain CHECK`.
func NewCmdExplain(ios *IOStreams, runF func(*ExplainOptions) error) *cobra.Command {
	opts := &ExplainOptions{IO: ios}
	return &cobra.Command{
		Use:     "explain CHECK",
		Short:   "Show a check's full documentation: what, why, and how to fix it",
		Example: "  lensix explain apimgmt_nomanagedidentity",
		Args:    cobra.ExactArgs(1),
		ValidArgsFunction: func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			var ids []string
			for _, c := range check.All() {
				ids = append(ids, c.ID+"\t"+c.Title)
			}
			return ids, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.CheckID = args[0]
			if runF != nil {
				return runF(opts)
			}
			return explainRun(opts)
		},
	}
}

func explainRun(opts *ExplainOptions) error {
	c, ok := check.Lookup(opts.CheckID)
	if !ok {
		return usageError("unknown check %q (run `lensix checks` to list them)", opts.CheckID)
	}
	_, err := fmt.Fprint(opts.IO.Out, c.Markdown())
	return err
}
