package cli

import (
	"reflect"
	"testing"

	"github.com/spf13/pflag"

	"github.com/lensix/lensix/internal/source/terraform"
)

func TestTerraformVarFlagsKeepCommandLineOrder(t *testing.T) {
	var in InputFlags
	f := pflag.NewFlagSet("scan", pflag.ContinueOnError)
	in.register(f, true)
	if err := f.Parse([]string{"--var", "d=None", "--var-file", "extra.tfvars", "--var", "e=1"}); err != nil {
		t.Fatal(err)
	}
	want := []terraform.VarInput{{Assignment: "d=None"}, {File: "extra.tfvars"}, {Assignment: "e=1"}}
	if !reflect.DeepEqual(in.TerraformVars, want) {
		t.Errorf("inputs = %#v, want %#v", in.TerraformVars, want)
	}
}
