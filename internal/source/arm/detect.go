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
	"bytes"
	"errors"
	"path"
	"regexp"
	"strings"

	"github.com/lensix/lensix/internal/diag"
	"github.com/lensix/lensix/internal/resource"
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

// Classify says what a .json or .jsonc file is to ARM: by its content, a deploymentTemplate or
// deploymentParameters $schema, or failing that the shape of one. A file that does not parse is
// Other with a diagnostic at the syntax error: an error when the file looks like an ARM file (it
// names an ARM schema, has a contentVersion or ARM resources, or an ARM file name), since its
// resources go unchecked; a warning otherwise, since repositories hold many unrelated .json files.
// An empty file is a warning.
func Classify(filename string, src []byte) (Kind, *diag.Diagnostic) {
	if len(bytes.TrimSpace(bytes.TrimPrefix(src, utf8BOM))) == 0 {
		return Other, &diag.Diagnostic{Severity: diag.Warning, Summary: "The file is empty; lensix skipped it",
			Detail: "an ARM template or parameters file holds a JSON object", Range: resource.Range{Filename: filename}}
	}
	root, err := jsonpos.Parse(src)
	if err == nil {
		return detect(root), nil
	}
	d := syntaxDiagnostic(jsonpos.NewFile(filename, src), err)
	if !looksLikeARM(filename, src) {
		d.Severity = diag.Warning
		d.Summary = "The file is not valid JSON; lensix skipped it: " + strings.TrimPrefix(d.Summary, "Invalid JSON: ")
		d.Detail = "if it is an ARM template or parameters file, fix the JSON syntax"
	}
	return Other, &d
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// armSchemaMarkers and armResourceType are texts only ARM files hold: the schemas, the
// contentVersion member, and a resource provider's type in a resources list.
var (
	armSchemaMarkers = []string{"deploymenttemplate.json", "deploymentparameters.json", `"contentversion"`}
	armResourceType  = regexp.MustCompile(`"(?i:type)"\s*:\s*"Microsoft\.[A-Za-z]+/`)
)

// looksLikeARM reports whether a file that does not parse was meant to be an ARM template or
// parameters file, judging by its text and the names tools give such files.
func looksLikeARM(filename string, src []byte) bool {
	base := strings.ToLower(path.Base(filename))
	ext := path.Ext(base)
	stem := strings.TrimSuffix(base, ext)
	if strings.HasSuffix(stem, ".parameters") || strings.HasPrefix(stem, "azuredeploy") || stem == "main" || stem == "template" {
		return true
	}
	lower := bytes.ToLower(src)
	for _, m := range armSchemaMarkers {
		if bytes.Contains(lower, []byte(m)) {
			return true
		}
	}
	return bytes.Contains(lower, []byte(`"resources"`)) && armResourceType.Match(src)
}

// syntaxDiagnostic reports a JSON syntax error at its line and column.
func syntaxDiagnostic(f *jsonpos.File, err error) diag.Diagnostic {
	var se *jsonpos.Error
	offset := 0
	msg := err.Error()
	if errors.As(err, &se) {
		offset, msg = se.Offset, se.Msg
	}
	return diag.Diagnostic{Severity: diag.Error, Summary: "Invalid JSON: " + msg,
		Detail: "fix the JSON syntax; the file was not evaluated", Range: f.Range(offset, offset)}
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
