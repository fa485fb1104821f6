package cli

import (
	"github.com/spf13/pflag"

	"github.com/lensix/lensix/internal/scan"
	"github.com/lensix/lensix/internal/source/arm"
	"github.com/lensix/lensix/internal/source/bicep"
	"github.com/lensix/lensix/internal/source/terraform"
)

// InputFlags are the values a user gives the IaC sources: Terraform variables and template
// parameters. `scan`, `resources` and `policy eval` share them.
type InputFlags struct {
	VarFiles       []string
	Vars           []string
	ParameterFiles []string
	Params         []string
}

// register adds the flags; withParam is false where --param means something else (policy eval).
func (in *InputFlags) register(f *pflag.FlagSet, withParam bool) {
	f.StringArrayVar(&in.VarFiles, "var-file", nil, "Terraform variables `FILE`, repeatable")
	f.StringArrayVar(&in.Vars, "var", nil, "Terraform variable `NAME=VALUE`, repeatable")
	f.StringArrayVar(&in.ParameterFiles, "parameters", nil, "ARM/Bicep parameters `FILE` (.parameters.json or .bicepparam), repeatable")
	if withParam {
		f.StringArrayVar(&in.Params, "param", nil, "ARM/Bicep parameter `NAME=VALUE` (VALUE read as JSON when it parses), repeatable")
	}
}

// apply puts the inputs into the scan's per-source options.
func (in *InputFlags) apply(opts *scan.Options, environ []string) {
	opts.Terraform = terraform.Options{VarFiles: in.VarFiles, Vars: in.Vars, Environ: environ}
	opts.ARM = arm.Options{ParameterFiles: in.ParameterFiles, Params: in.Params}
	opts.Bicep = bicep.Options{ParameterFiles: in.ParameterFiles, Params: in.Params}
}
