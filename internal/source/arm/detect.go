// Package arm evaluates Azure Resource Manager templates the way Resource Manager would —
// parameters, variables, conditions, copy loops, child resources, nested and linked
// deployments — and returns every resource they deploy, ARM-shaped, with unknown values where
// a value is known only at deployment and assumptions where a default was used.
//
// It is built in three stages: jsonpos reads JSON with positions, expr parses "[...]"
// expressions, funcs applies the template functions; this package puts them together.
//
// A resource's Provenance.Address is its symbolic name (languageVersion 2.0) or the source text
// of its name; a child declared inside a parent adds "/" and its own; a copy instance adds
// "[i]" ("[*]" when the count is unknown); a resource of a nested or linked deployment is
// prefixed with the deployment's address and " > ".
package arm

import (
	"strings"

	"github.com/lensix/lensix/internal/source/arm/jsonpos"
)

// Kind is what a JSON file is to ARM.
type Kind int

// Kinds of JSON file.
const (
	// Other is any JSON that is neither a template nor a parameters file.
	Other Kind = iota
	// Template is a deployment template (resource group, subscription, management group or tenant).
	Template
	// Parameters is a deployment parameters file.
	Parameters
)

func (k Kind) String() string {
	switch k {
	case Template:
		return "template"
	case Parameters:
		return "parameters"
	}
	return "other"
}

// Detect classifies a .json or .jsonc file by its content: a deploymentTemplate or
// deploymentParameters $schema, or failing that the shape of one.
func Detect(src []byte) Kind {
	root, err := jsonpos.Parse(src)
	if err != nil {
		return Other
	}
	return detect(root)
}

func detect(root *jsonpos.Node) Kind {
	if root.Kind != jsonpos.Object {
		return Other
	}
	if schema := root.Get("$schema"); schema != nil && schema.Kind == jsonpos.String {
		s := strings.ToLower(schema.Str)
		switch {
		case strings.Contains(s, "deploymenttemplate.json"):
			return Template
		case strings.Contains(s, "deploymentparameters.json"):
			return Parameters
		}
	}
	if root.Get("contentVersion") == nil {
		return Other
	}
	if res := root.Get("resources"); res != nil && (res.Kind == jsonpos.Array || res.Kind == jsonpos.Object) {
		return Template
	}
	if params := root.Get("parameters"); params != nil && params.Kind == jsonpos.Object {
		for _, f := range params.Fields {
			if f.Value.Get("value") == nil && f.Value.Get("reference") == nil {
				return Other
			}
		}
		return Parameters
	}
	return Other
}
