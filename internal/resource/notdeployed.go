package resource

import "strings"

// NotDeployed is a resource declaration that a source evaluated to no instance only because
// inputs took their defaults: a condition that is false, or a copy loop or for loop that is empty,
// because parameters were not given. A scan reports it, since the default it rests on has nothing
// left to be recorded on.
type NotDeployed struct {
	// Type is the declaration's resource type; Name its name, or the source text of the name.
	Type, Name string
	// Provenance is where it is declared.
	Provenance Provenance
	// Switch says what switched it off, with its source text: "its condition
	// [parameters('deployApim')] is false", "its copy count [parameters('count')] is 0".
	Switch string
	// Defaults names the parameters whose defaults decided it.
	Defaults []string
	// Fix says how to have it checked: "pass --param deployApim=true".
	Fix string
	// Deploys lists, for a nested deployment or a module, the resource types its template
	// declares (as far as the source can read it offline), which are switched off with it.
	Deploys []string
}

// ParameterList names parameters in a sentence, as the messages about NotDeployed do:
// "parameter a", "parameters a, b and c".
func ParameterList(names []string) string {
	if len(names) == 1 {
		return "parameter " + names[0]
	}
	return "parameters " + strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}
