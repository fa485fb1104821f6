package scan

import (
	"fmt"
	"strings"

	"github.com/lensix/lensix/internal/check"
	"github.com/lensix/lensix/internal/diag"
	"github.com/lensix/lensix/internal/resource"
)

// notDeployedWarnings warns of the declarations parameter defaults switched off, when a check
// would judge them: the rest (the locks, role assignments and diagnostic settings modules switch
// off by default) concern no check that runs, so they stay quiet.
func notDeployedWarnings(off []resource.NotDeployed, checks []*check.Check) diag.Diagnostics {
	var out diag.Diagnostics
	for _, nd := range off {
		var inside []string // what a deployment or module would deploy that a check judges
		for _, t := range nd.Deploys {
			if checked(t, checks) {
				inside = append(inside, t)
			}
		}
		if !checked(nd.Type, checks) && len(inside) == 0 {
			continue
		}
		given := "was"
		if len(nd.Defaults) > 1 {
			given = "were"
		}
		deploys := ""
		if len(inside) > 0 {
			deploys = fmt.Sprintf(", so neither is the %s it deploys", strings.Join(inside, " or "))
		}
		out = append(out, diag.Diagnostic{
			Severity: diag.Warning,
			Summary:  fmt.Sprintf("%s (%s) is not deployed with the defaults", nd.Name, nd.Type),
			Detail:   fmt.Sprintf("%s because %s %s not given%s; %s to check it", nd.Switch, resource.ParameterList(nd.Defaults), given, deploys, nd.Fix),
			Range:    nd.Provenance.Range,
		})
	}
	return out
}

// checked reports whether a check applies to resources of the type.
func checked(typ string, checks []*check.Check) bool {
	for _, c := range checks {
		for _, t := range c.ResourceTypes {
			if strings.EqualFold(t, typ) {
				return true
			}
		}
	}
	return false
}
