package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path"

	"github.com/spf13/cobra"

	"github.com/lensix/lensix/internal/resource"
	"github.com/lensix/lensix/internal/scan"
)

// ResourcesOptions are the inputs of `lensix resources`.
type ResourcesOptions struct {
	IO         *IOStreams
	Environ    []string
	Paths      []string
	ConfigFile string
	Inputs     InputFlags
}

// NewCmdResources builds `lensix resources`.
func NewCmdResources(ios *IOStreams, runF func(*ResourcesOptions) error) *cobra.Command {
	opts := &ResourcesOptions{IO: ios, Environ: os.Environ()}
	cmd := &cobra.Command{
		Use:   "resources [PATH...]",
		Short: "Print the ARM-shaped resources lensix derived from the input, as JSON",
		Long: `Print, as JSON, the Azure resources lensix derived from the files given: their type,
apiVersion, name, identity and properties as the checks see them, with the values that could not
be resolved, the defaults that were assumed, and where each was declared. Secrets are redacted.`,
		Example: "  lensix resources ./infra\n  lensix resources ./infra | jq '.resources[] | {address: .source.address, identity: .body.identity}'",
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Paths = args
			if len(opts.Paths) == 0 {
				opts.Paths = []string{"."}
			}
			if runF != nil {
				return runF(opts)
			}
			return resourcesRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.ConfigFile, "config", "", "config `FILE` (default: .lensix.yaml in the current folder, if present)")
	opts.Inputs.register(cmd.Flags(), true)
	return cmd
}

// resourceJSON is one resource in `lensix resources` output.
type resourceJSON struct {
	Type          string                `json:"type"`
	Name          string                `json:"name"`
	ResourceGroup string                `json:"resource_group,omitempty"`
	ID            string                `json:"id,omitempty"`
	Body          map[string]any        `json:"body"`
	Unknowns      []resource.UnknownAt  `json:"unknowns"`
	Assumptions   []resource.Assumption `json:"assumptions"`
	Suppressions  []suppressionJSON     `json:"suppressions,omitempty"`
	Source        sourceJSON            `json:"source"`
}

// sourceJSON is where a resource came from, in the shape of `source` in scan's JSON report
// (docs/json-output.md), plus the address and tenant that scan puts under `resource`.
type sourceJSON struct {
	Kind      string `json:"kind"`
	File      string `json:"file,omitempty"`
	Line      int    `json:"line,omitempty"`
	Column    int    `json:"column,omitempty"`
	EndLine   int    `json:"end_line,omitempty"`
	EndColumn int    `json:"end_column,omitempty"`
	Address   string `json:"address,omitempty"`
	Tenant    string `json:"tenant,omitempty"`
}

func sourceOf(p resource.Provenance) sourceJSON {
	src := sourceJSON{Kind: p.Source, Address: p.Address, Tenant: p.TenantID}
	if rng := p.Range; rng.Filename != "" {
		src.File = path.Clean(rng.Filename)
		src.Line, src.Column = rng.Start.Line, rng.Start.Column
		if rng.End.Line >= rng.Start.Line {
			src.EndLine, src.EndColumn = rng.End.Line, rng.End.Column
		}
	}
	return src
}

// suppressionJSON is an inline suppression comment found beside a resource.
type suppressionJSON struct {
	CheckID string `json:"check_id"`
	Reason  string `json:"reason"`
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
}

func suppressionsOf(sups []resource.Suppression) []suppressionJSON {
	var out []suppressionJSON
	for _, s := range sups {
		out = append(out, suppressionJSON{CheckID: s.CheckID, Reason: s.Reason, File: s.Range.Filename, Line: s.Range.Start.Line})
	}
	return out
}

func resourcesRun(ctx context.Context, opts *ResourcesOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if err := checkInputFlags(&opts.Inputs); err != nil {
		return err
	}
	cfg, err := loadConfig(opts.ConfigFile)
	if err != nil {
		return usageError("%v", err)
	}
	scanOpts := scan.Options{Paths: opts.Paths, Config: cfg}
	if err := opts.Inputs.apply(&scanOpts, opts.Environ, cfg); err != nil {
		return err
	}
	resources, diags := scan.Resources(ctx, scanOpts)
	out := struct {
		Resources []resourceJSON `json:"resources"`
		Errors    []errorJSON    `json:"errors"`
	}{Resources: []resourceJSON{}, Errors: []errorJSON{}}
	for _, r := range resources {
		body := resource.Redact(r.Type, r.Body)
		out.Resources = append(out.Resources, resourceJSON{
			Type: r.Type, Name: r.Name, ResourceGroup: r.ResourceGroup, ID: r.ID,
			Body: body, Unknowns: nonNil(resource.Unknowns(body)), Assumptions: nonNil(r.Assumptions),
			Suppressions: suppressionsOf(r.Suppressions), Source: sourceOf(r.Provenance),
		})
	}
	for _, d := range diags {
		out.Errors = append(out.Errors, errorJSON{File: d.Range.Filename, Line: d.Range.Start.Line, Column: d.Range.Start.Column, Severity: d.Severity.String(), Message: messageOf(d.Summary, d.Detail)})
	}
	raw, err := marshal(out)
	if err != nil {
		return fmt.Errorf("write resources: %w", err)
	}
	// Every secret of the scan, in every resource: one may have flowed from one resource into
	// another (a Key Vault secret into a name).
	if raw, err = maskJSON(raw, scan.AllSecrets(resources)); err != nil {
		return fmt.Errorf("write resources: %w", err)
	}
	var indented bytes.Buffer
	if err := json.Indent(&indented, raw, "", "  "); err != nil {
		return fmt.Errorf("write resources: %w", err)
	}
	masked := append(indented.Bytes(), '\n')
	if _, err := opts.IO.Out.Write(masked); err != nil {
		return fmt.Errorf("write resources: %w", err)
	}
	if diags.HasErrors() {
		return &ExitError{Code: ExitPartial}
	}
	return nil
}

type errorJSON struct {
	File     string `json:"file,omitempty"`
	Line     int    `json:"line,omitempty"`
	Column   int    `json:"column,omitempty"`
	Severity string `json:"severity"`
	Message  string `json:"message"`
}

func messageOf(summary, detail string) string {
	if detail == "" {
		return summary
	}
	return summary + ": " + detail
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// marshal encodes v as JSON without escaping <, > and &, as the resources output is written.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// maskJSON masks secrets in every string and key of a JSON document, so the mask never cuts
// across its syntax.
func maskJSON(raw []byte, secrets []string) ([]byte, error) {
	if len(secrets) == 0 {
		return raw, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return marshal(maskStrings(v, secrets))
}

func maskStrings(v any, secrets []string) any {
	switch x := v.(type) {
	case string:
		return resource.MaskString(x, secrets)
	case []any:
		for i := range x {
			x[i] = maskStrings(x[i], secrets)
		}
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[resource.MaskString(k, secrets)] = maskStrings(e, secrets)
		}
		return out
	}
	return v
}
