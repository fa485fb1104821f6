package cli

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/spf13/pflag"

	"github.com/lensix/lensix/internal/scan"
	"github.com/lensix/lensix/internal/source/arm"
	"github.com/lensix/lensix/internal/source/arm/funcs"
	"github.com/lensix/lensix/internal/source/bicep"
	"github.com/lensix/lensix/internal/source/terraform"
	"github.com/lensix/lensix/internal/suppress"
)

// InputFlags are the values a user gives the IaC sources: Terraform variables and template
// parameters. `scan`, `resources` and `policy eval` share them.
type InputFlags struct {
	TerraformVars  []terraform.VarInput // --var-file and --var, in command-line order
	ParameterFiles []string
	Params         []string
	// The deployment ARM templates and Bicep files are evaluated for; each overrides the same
	// field of the config file's deployment: section.
	DeploymentScope string
	Location        string
	TenantID        string
	DeploymentName  string
}

// deploymentFlags are the flags that say where templates are deployed.
var deploymentFlags = []string{"deployment-scope", "location", "tenant-id", "deployment-name"}

// register adds the flags; withParam is false where --param means something else (policy eval).
func (in *InputFlags) register(f *pflag.FlagSet, withParam bool) {
	// One slice behind both flags: Terraform applies them in command-line order, later wins.
	f.Var(&tfVarFlag{inputs: &in.TerraformVars, file: true}, "var-file", "Terraform variables `FILE`, repeatable")
	f.Var(&tfVarFlag{inputs: &in.TerraformVars}, "var", "Terraform variable `NAME=VALUE`, repeatable")
	f.StringArrayVar(&in.ParameterFiles, "parameters", nil, "ARM/Bicep parameters `FILE` (.parameters.json or .bicepparam), repeatable")
	if withParam {
		f.StringArrayVar(&in.Params, "param", nil, "ARM/Bicep parameter `NAME=VALUE` (VALUE read as JSON when it parses), repeatable")
	}
	f.StringVar(&in.DeploymentScope, "deployment-scope", "", "where ARM/Bicep templates are deployed: an ARM `SCOPE` ID, /subscriptions/<guid>[/resourceGroups/<name>], /providers/Microsoft.Management/managementGroups/<id> or / (tenant)")
	f.StringVar(&in.Location, "location", "", "ARM/Bicep deployment `LOCATION`: resourceGroup().location, or deployment().location above a resource group")
	f.StringVar(&in.TenantID, "tenant-id", "", "ARM/Bicep deployment tenant `GUID`: subscription().tenantId and tenant().tenantId")
	f.StringVar(&in.DeploymentName, "deployment-name", "", "ARM/Bicep deployment `NAME`: deployment().name")
}

// deploymentScope merges the deployment: section of the config with the flags, which win, and
// checks every value: a mistake is a usage error naming the flag or the config key.
func (in *InputFlags) deploymentScope(cfg *suppress.Config) (funcs.Scope, error) {
	file, where := suppress.Deployment{}, "the config file"
	if cfg != nil {
		file = cfg.Deployment
		if cfg.File != "" {
			where = cfg.File
		}
	}
	var scope funcs.Scope
	var location, tenant, name string
	fields := []struct {
		flag, key, given, inFile string
		set                      func(string) error
	}{
		{"--deployment-scope", "deployment.scope", in.DeploymentScope, file.Scope, func(v string) (err error) {
			scope, err = funcs.ParseScope(v)
			return err
		}},
		{"--location", "deployment.location", in.Location, file.Location, func(v string) (err error) {
			location, err = normalLocation(v)
			return err
		}},
		{"--tenant-id", "deployment.tenant-id", in.TenantID, file.TenantID, func(v string) error {
			tenant = v
			return funcs.CheckTenantID(v)
		}},
		{"--deployment-name", "deployment.name", in.DeploymentName, file.Name, func(v string) error {
			name = v
			return checkDeploymentName(v)
		}},
	}
	for _, f := range fields {
		source, v := f.flag, f.given
		if v == "" {
			source, v = where+": "+f.key, f.inFile
		}
		if v == "" {
			continue
		}
		if err := f.set(v); err != nil {
			return funcs.Scope{}, usageError("%s: %v", source, err)
		}
	}
	scope.Location, scope.TenantID, scope.DeploymentName = location, tenant, name
	return scope, nil
}

// normalLocation writes a location as Resource Manager returns it: "West Europe" is westeurope.
func normalLocation(v string) (string, error) {
	loc := strings.ToLower(strings.ReplaceAll(v, " ", ""))
	if !locationName.MatchString(loc) {
		return "", fmt.Errorf("location %q is not an Azure region name like westeurope", v)
	}
	return loc, nil
}

var (
	locationName   = regexp.MustCompile(`^[a-z][a-z0-9]*$`)
	deploymentName = regexp.MustCompile(`^[-\w.()]{1,64}$`)
)

// checkDeploymentName applies Resource Manager's rule for deployment names.
func checkDeploymentName(name string) error {
	if !deploymentName.MatchString(name) {
		return fmt.Errorf("deployment name %q is not valid: Azure allows 1 to 64 letters, digits, underscores, hyphens, periods and parentheses", name)
	}
	return nil
}

// apply puts the inputs, and the deployment scope of the flags and cfg, into the scan's
// per-source options; a bad scope value is a usage error.
func (in *InputFlags) apply(opts *scan.Options, environ []string, cfg *suppress.Config) error {
	scope, err := in.deploymentScope(cfg)
	if err != nil {
		return err
	}
	opts.Terraform = terraform.Options{Inputs: in.TerraformVars, Environ: environ}
	opts.ARM = arm.Options{ParameterFiles: in.ParameterFiles, Params: in.Params, Scope: scope}
	opts.Bicep = bicep.Options{ParameterFiles: in.ParameterFiles, Params: in.Params, Scope: scope}
	return nil
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
