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
	TerraformVars  []terraform.VarInput // --var-file and --var, in command-line order
	ParameterFiles []string
	Params         []string
}

// register adds the flags; withParam is false where --param means something else (policy eval).
func (in *InputFlags) register(f *pflag.FlagSet, withParam bool) {
	// One slice behind both flags: Terraform applies them in command-line order, later wins.
	f.Var(&tfVarFlag{inputs: &in.TerraformVars, file: true}, "var-file", "Terraform variables `FILE`, repeatable")
	f.Var(&tfVarFlag{inputs: &in.TerraformVars}, "var", "Terraform variable `NAME=VALUE`, repeatable")
	f.StringArrayVar(&in.ParameterFiles, "parameters", nil, "ARM/Bicep parameters `FILE` (.parameters.json or .bicepparam), repeatable")
	if withParam {
		f.StringArrayVar(&in.Params, "param", nil, "ARM/Bicep parameter `NAME=VALUE` (VALUE read as JSON when it parses), repeatable")
	}
}

// apply puts the inputs into the scan's per-source options.
func (in *InputFlags) apply(opts *scan.Options, environ []string) {
	opts.Terraform = terraform.Options{Inputs: in.TerraformVars, Environ: environ}
	opts.ARM = arm.Options{ParameterFiles: in.ParameterFiles, Params: in.Params}
	opts.Bicep = bicep.Options{ParameterFiles: in.ParameterFiles, Params: in.Params}
}

// tfVarFlag is --var-file or --var: each appends to the slice both share.
type tfVarFlag struct {
	inputs *[]terraform.VarInput
	file   bool
}

func (f *tfVarFlag) Set(v string) error {
	if f.file {
		*f.inputs = append(*f.inputs, terraform.VarInput{File: v})
	} else {
		*f.inputs = append(*f.inputs, terraform.VarInput{Assignment: v})
	}
	return nil
}

// Type is what pflag's help shows for the flag's value.
func (f *tfVarFlag) Type() string { return "stringArray" }

func (f *tfVarFlag) String() string { return "" }
