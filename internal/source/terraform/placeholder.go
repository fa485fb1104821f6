// Package terraform: placeholder until the terraform branch lands (removed at merge).
package terraform

import (
	"github.com/lensix/lensix/internal/diag"
	"github.com/lensix/lensix/internal/resource"
)

type Options struct {
	VarFiles []string
	Vars     []string
	Environ  []string
}

func Load(dirs []string, opts Options) ([]*resource.Resource, diag.Diagnostics) { return nil, nil }
func IsPlan(src []byte) bool                                                    { return false }
func ReadPlan(filename string, src []byte) ([]*resource.Resource, diag.Diagnostics) {
	return nil, nil
}
