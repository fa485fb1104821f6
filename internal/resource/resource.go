// Package resource is lensix's one model of the things it judges: Azure resources in the shape
// Azure Resource Manager returns and Azure Policy evaluates, whatever file or API they came from,
// with unknown values, the assumptions a source made, and where each resource was declared.
package resource

import (
	"slices"
	"strings"
)

// Resource is one Azure resource instance. Body holds the ARM JSON object (type, apiVersion,
// name, location, tags, sku, identity, properties, ...) as a source derived it; the other fields
// are lensix's own bookkeeping about it.
type Resource struct {
	// Type is the ARM resource type, e.g. "Microsoft.ApiManagement/service".
	Type string
	// Name is the resource's evaluated name, or the source text of its name when that is unknown.
	Name string
	// ResourceGroup is the resource group when a source knows it, else "".
	ResourceGroup string
	// SubscriptionID is the subscription when a source knows it, else "".
	SubscriptionID string
	// ID is the ARM resource ID when known (always for live resources), else "".
	ID string
	// Body is the ARM-shaped JSON object (see the value conventions in value.go).
	Body map[string]any

	Provenance   Provenance
	Assumptions  []Assumption
	Suppressions []Suppression
	// Secrets are values of sensitive inputs (a Terraform variable marked sensitive, a @secure()
	// Bicep parameter, an ARM securestring) that this resource's name or body may carry, however
	// they flowed there. Every output masks them; see MaskSecrets.
	Secrets []string
}

// Provenance says where a resource came from, precisely enough for a report to point at the line
// and for a fix to edit the span.
type Provenance struct {
	// Source is the kind of input: "terraform", "tfplan", "arm", "bicep", "azure" or "snapshot".
	Source string `json:"kind"`
	// Range is the declaration's span in its file (zero for live resources).
	Range Range `json:"range"`
	// Address is the source-specific name of the declaration:
	// module.apim.azurerm_api_management.this["west"], a Bicep symbolic name, an ARM name expression.
	Address string `json:"address,omitempty"`
	// TenantID is set for resources read from a live tenant.
	TenantID string `json:"tenant_id,omitempty"`
}

// Assumption records a value a source used without being told it: a parameter's defaultValue, a
// variable's default. A finding that rests on one shows it.
type Assumption struct {
	// Path is the input that was assumed, e.g. "var.identity_type" or "parameters('identity')".
	Path    string `json:"path"`
	Message string `json:"message"`
	// Affects lists the body paths ("identity", "properties.publisherName") whose values rest on
	// the assumption; empty means the source could not tell, so it may affect any of them.
	Affects []string `json:"affects,omitempty"`
}

// AffectsAny reports whether the assumption may bear on any of the dotted body paths: it does
// when it names no paths, or when one of its paths and one of theirs is a prefix of the other
// ("identity" bears on "identity.type" and the other way round).
func (a Assumption) AffectsAny(paths []string) bool {
	if len(a.Affects) == 0 {
		return true
	}
	for _, mine := range a.Affects {
		for _, theirs := range paths {
			if pathPrefix(mine, theirs) || pathPrefix(theirs, mine) {
				return true
			}
		}
	}
	return false
}

func pathPrefix(prefix, path string) bool {
	prefix, path = strings.ToLower(prefix), strings.ToLower(path)
	return path == prefix || strings.HasPrefix(path, prefix+".") || strings.HasPrefix(path, prefix+"[")
}

// Suppression is a user's decision, written in the source beside the resource, that a check's
// result for it does not apply.
type Suppression struct {
	CheckID string `json:"check_id"`
	Reason  string `json:"reason"`
	Range   Range  `json:"range"`
	// InMetadata says the suppression is an entry of the resource's "metadata" (ARM JSON), not a
	// `lensix:ignore[...]` comment, so messages about it show that syntax.
	InMetadata bool `json:"in_metadata,omitempty"`
}

// Get looks up a dotted path ("identity.type") in the body; see Lookup.
func (r *Resource) Get(path string) (any, bool) {
	if path == "" {
		return r.Body, true
	}
	return Lookup(r.Body, strings.Split(path, ".")...)
}

// IsType reports whether r is of the ARM type t; ARM types compare without regard to case.
func (r *Resource) IsType(t string) bool { return strings.EqualFold(r.Type, t) }

// Assume records an assumption on the resource once; affects names the body paths that rest on
// it, if the source knows them.
func (r *Resource) Assume(path, message string, affects ...string) {
	for _, a := range r.Assumptions {
		if a.Path == path {
			return
		}
	}
	r.Assumptions = append(r.Assumptions, Assumption{Path: path, Message: message, Affects: affects})
}

// MaskAssumptions returns assumptions with the secrets masked in their paths and messages: a
// message may quote a value (an error from evaluating a condition). The input is not changed.
func MaskAssumptions(assumptions []Assumption, secrets []string) []Assumption {
	if len(assumptions) == 0 || len(secrets) == 0 {
		return assumptions
	}
	out := slices.Clone(assumptions)
	for i := range out {
		out[i].Path = MaskString(out[i].Path, secrets)
		out[i].Message = MaskString(out[i].Message, secrets)
	}
	return out
}
