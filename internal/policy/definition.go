// Package policy evaluates Azure Policy definitions — the rule language Azure administrators
// already write — over ARM-shaped resources from any lensix source, and exports lensix's checks
// as Azure Policy definitions. Evaluation is three-valued: a condition over a value a source could
// not resolve is unknown, never a guess.
package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/lensix/lensix/internal/diag"
	"github.com/lensix/lensix/internal/resource"
)

// Definition is one Azure Policy definition, parsed and compiled.
type Definition struct {
	// Name is the definition's name (its last ID segment); lensix reports its results under it.
	Name        string
	ID          string
	DisplayName string
	Description string
	// Mode is "All", "Indexed" or a data-plane mode such as "Microsoft.KeyVault.Data".
	Mode       string
	Version    string
	Metadata   map[string]any
	Parameters map[string]Parameter
	// PolicyRule is the rule exactly as written.
	PolicyRule json.RawMessage
	// File is where the definition was read from ("" when parsed from memory).
	File string
	// Warnings are things that load but limit evaluation, e.g. aliases lensix has no data for.
	Warnings []string

	rule *rule
}

// Parameter declares one definition parameter.
type Parameter struct {
	Type          string         `json:"type"`
	Metadata      map[string]any `json:"metadata,omitempty"`
	DefaultValue  any            `json:"defaultValue,omitempty"`
	AllowedValues []any          `json:"allowedValues,omitempty"`

	hasDefault bool
}

// Error is a problem with a definition: the file, the JSON path inside it, and what is wrong.
type Error struct {
	File string
	// Path is the JSON path of the offending value, e.g. "properties.policyRule.if.allOf[1].field".
	Path string
	Msg  string
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteString(": ")
	}
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// definitionJSON is the definition document as Azure returns it ({"properties": {...}, "name"})
// or as people write it (the properties alone).
type definitionJSON struct {
	ID          string                     `json:"id"`
	Name        string                     `json:"name"`
	Properties  *definitionProperties      `json:"properties"`
	DisplayName string                     `json:"displayName"`
	Description string                     `json:"description"`
	Mode        string                     `json:"mode"`
	Version     string                     `json:"version"`
	Metadata    map[string]any             `json:"metadata"`
	Parameters  map[string]json.RawMessage `json:"parameters"`
	PolicyRule  json.RawMessage            `json:"policyRule"`
}

type definitionProperties struct {
	DisplayName string                     `json:"displayName"`
	Description string                     `json:"description"`
	Mode        string                     `json:"mode"`
	Version     string                     `json:"version"`
	Metadata    map[string]any             `json:"metadata"`
	Parameters  map[string]json.RawMessage `json:"parameters"`
	PolicyRule  json.RawMessage            `json:"policyRule"`
}

// Parse reads and compiles one definition. file names it in errors and supplies the name when the
// document has none. Every error is an *Error naming the JSON path.
func Parse(file string, data []byte) (*Definition, error) {
	return ParseWith(file, data, BuiltinAliases())
}

// ParseWith is Parse with a given alias table.
func ParseWith(file string, data []byte, aliases *Aliases) (*Definition, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	var doc definitionJSON
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return nil, &Error{File: file, Msg: "not a valid policy definition: " + jsonErrorText(data, err)}
	}
	prefix := ""
	p := definitionProperties{
		DisplayName: doc.DisplayName, Description: doc.Description, Mode: doc.Mode, Version: doc.Version,
		Metadata: doc.Metadata, Parameters: doc.Parameters, PolicyRule: doc.PolicyRule,
	}
	if doc.Properties != nil {
		p, prefix = *doc.Properties, "properties."
	}
	def := &Definition{
		Name: doc.Name, ID: doc.ID, DisplayName: p.DisplayName, Description: p.Description,
		Mode: p.Mode, Version: p.Version, Metadata: p.Metadata, PolicyRule: p.PolicyRule, File: file,
		Parameters: map[string]Parameter{},
	}
	if def.Name == "" && def.ID != "" {
		def.Name = def.ID[strings.LastIndex(def.ID, "/")+1:]
	}
	if def.Name == "" {
		def.Name = strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
	}
	if def.Mode == "" {
		def.Mode = "Indexed" // Azure's default for a definition without a mode
	}
	for name, raw := range p.Parameters {
		var param Parameter
		if err := json.Unmarshal(raw, &param); err != nil {
			return nil, &Error{File: file, Path: prefix + "parameters." + name, Msg: "not a valid parameter: " + err.Error()}
		}
		var fields map[string]json.RawMessage
		_ = json.Unmarshal(raw, &fields)
		_, param.hasDefault = fields["defaultValue"]
		param.DefaultValue = normalizeJSON(param.DefaultValue)
		for i, v := range param.AllowedValues {
			param.AllowedValues[i] = normalizeJSON(v)
		}
		def.Parameters[name] = param
	}
	if len(p.PolicyRule) == 0 {
		return nil, &Error{File: file, Path: prefix + "policyRule", Msg: "the definition has no policyRule"}
	}
	rule, err := decodeJSON(p.PolicyRule)
	if err != nil {
		return nil, &Error{File: file, Path: prefix + "policyRule", Msg: "invalid JSON: " + err.Error()}
	}
	c := &compiler{file: file, aliases: aliases, dataPlane: isDataPlaneMode(def.Mode), params: def.Parameters}
	r, err := c.compileRule(prefix+"policyRule", rule)
	if err != nil {
		return nil, err
	}
	def.rule, def.Warnings = r, c.warnings
	return def, nil
}

// ParseFile reads and compiles the definition in file.
func ParseFile(file string) (*Definition, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, &Error{File: file, Msg: fmt.Sprintf("cannot read the definition: %v", err)}
	}
	return Parse(filepath.ToSlash(file), data)
}

// ErrPolicySet marks a policy set (initiative) document: it names definitions but holds no rule.
var ErrPolicySet = errors.New("this is a policy set definition (initiative); pass the files of its policy definitions")

// ParseDocument reads every definition in one file: a single definition, a JSON array of them,
// or the {"policyDefinitions": [...]} document `lensix policy export` writes. A policy set
// yields ErrPolicySet. Errors of single definitions are returned beside those that parsed.
func ParseDocument(file string, data []byte) ([]*Definition, []error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	trimmed := bytes.TrimSpace(data)
	var items []json.RawMessage
	prefix := ""
	if len(trimmed) > 0 && trimmed[0] == '[' {
		if err := json.Unmarshal(trimmed, &items); err != nil {
			return nil, []error{&Error{File: file, Msg: "not a valid policy definition: " + jsonErrorText(data, err)}}
		}
	} else {
		var probe map[string]json.RawMessage
		if err := json.Unmarshal(trimmed, &probe); err != nil {
			return nil, []error{&Error{File: file, Msg: "not a valid policy definition: " + jsonErrorText(data, err)}}
		}
		var props map[string]json.RawMessage
		_ = json.Unmarshal(probe["properties"], &props)
		bundle, isBundle := probe["policyDefinitions"]
		switch {
		case props["policyDefinitions"] != nil:
			return nil, []error{fmt.Errorf("%s: %w", file, ErrPolicySet)}
		case isBundle:
			if err := json.Unmarshal(bundle, &items); err != nil {
				return nil, []error{&Error{File: file, Path: "policyDefinitions", Msg: "must be an array of policy definitions"}}
			}
			prefix = "policyDefinitions"
		default:
			def, err := Parse(file, data)
			if err != nil {
				return nil, []error{err}
			}
			return []*Definition{def}, nil
		}
	}
	var defs []*Definition
	var errs []error
	for i, item := range items {
		def, err := Parse(file, item)
		if err != nil {
			if e, ok := err.(*Error); ok {
				e.Path = strings.TrimPrefix(fmt.Sprintf("%s[%d].%s", prefix, i, e.Path), ".")
				e.Path = strings.TrimSuffix(e.Path, ".")
			}
			errs = append(errs, err)
			continue
		}
		defs = append(defs, def)
	}
	return defs, errs
}

// Load reads every definition in the given files and folders (*.json below folders, recursively).
// A definition that cannot be read is a diagnostic; the others still load.
func Load(paths []string) ([]*Definition, diag.Diagnostics) {
	var defs []*Definition
	var diags diag.Diagnostics
	for _, p := range paths {
		files, err := definitionFiles(p)
		if err != nil {
			diags = append(diags, diag.Diagnostic{Severity: diag.Error, Summary: fmt.Sprintf("cannot read policy definitions in %s", p), Detail: err.Error(), Range: resource.Range{Filename: filepath.ToSlash(p)}})
			continue
		}
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				diags = append(diags, errorDiagnostic(err, f))
				continue
			}
			parsed, errs := ParseDocument(filepath.ToSlash(f), data)
			defs = append(defs, parsed...)
			for _, err := range errs {
				d := errorDiagnostic(err, f)
				if errors.Is(err, ErrPolicySet) {
					d.Severity, d.Summary, d.Detail = diag.Warning, "policy set skipped", ErrPolicySet.Error()
				}
				diags = append(diags, d)
			}
		}
	}
	return defs, diags
}

func errorDiagnostic(err error, file string) diag.Diagnostic {
	d := diag.Diagnostic{Severity: diag.Error, Summary: "policy definition not loaded", Range: resource.Range{Filename: filepath.ToSlash(file)}}
	if e, ok := err.(*Error); ok {
		d.Detail = e.Msg
		if e.Path != "" {
			d.Detail = "at " + e.Path + ": " + e.Msg
		}
		d.Detail += "; fix the definition (the others were evaluated)"
		return d
	}
	d.Detail = err.Error()
	return d
}

func definitionFiles(p string) ([]string, error) {
	info, err := os.Stat(p)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return []string{p}, nil
	}
	var files []string
	err = filepath.WalkDir(p, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.EqualFold(filepath.Ext(path), ".json") {
			files = append(files, path)
		}
		return nil
	})
	sort.Strings(files)
	return files, err
}

// isDataPlaneMode reports whether mode is a Resource Provider mode (data-plane objects such as
// Key Vault secrets), which lensix's ARM-shaped resources never are.
func isDataPlaneMode(mode string) bool {
	return strings.Contains(mode, ".")
}

// Bind resolves the definition's parameters: given values override defaults; a parameter with
// neither, or a value outside allowedValues, is an error naming it.
func (d *Definition) Bind(given map[string]any) (map[string]any, error) {
	out := map[string]any{}
	for name, p := range d.Parameters {
		v, ok := lookupFold(given, name)
		switch {
		case ok:
			v = coerceParameter(p.Type, v)
			if len(p.AllowedValues) > 0 && !resource.IsUnknown(v) && !allowed(p.AllowedValues, v) {
				return nil, fmt.Errorf("parameter %q of %s: value %s is not one of the allowed values %s", name, d.Name, stringForm(v), stringForm(p.AllowedValues))
			}
		case p.hasDefault:
			v = p.DefaultValue
		default:
			return nil, fmt.Errorf("parameter %q of %s has no default value; give it with --param %s=VALUE or in an assignment file", name, d.Name, name)
		}
		out[name] = v
	}
	for name := range given {
		if _, ok := lookupFoldParam(d.Parameters, name); !ok {
			return nil, fmt.Errorf("%s has no parameter %q", d.Name, name)
		}
	}
	return out, nil
}

func allowed(values []any, v any) bool {
	if arr, ok := v.([]any); ok {
		for _, e := range arr {
			if !allowed(values, e) {
				return false
			}
		}
		return true
	}
	for _, a := range values {
		if valuesEqual(a, v) == True {
			return true
		}
	}
	return false
}

// coerceParameter turns a --param string into the parameter's declared type.
func coerceParameter(typ string, v any) any {
	s, ok := v.(string)
	if !ok {
		return v
	}
	switch strings.ToLower(typ) {
	case "array", "object", "integer", "boolean", "float":
		var parsed any
		if err := json.Unmarshal([]byte(s), &parsed); err == nil {
			return parsed
		}
		if strings.EqualFold(typ, "array") {
			// The portal's form: values separated by semicolons.
			var out []any
			for _, part := range strings.Split(s, ";") {
				out = append(out, strings.TrimSpace(part))
			}
			return out
		}
	}
	return v
}

func lookupFold(m map[string]any, key string) (any, bool) {
	if v, ok := m[key]; ok {
		return v, true
	}
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return v, true
		}
	}
	return nil, false
}

func lookupFoldParam(m map[string]Parameter, key string) (Parameter, bool) {
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return v, true
		}
	}
	return Parameter{}, false
}

// decodeJSON decodes a JSON value once, numbers as float64, for the compiler to walk.
func decodeJSON(raw json.RawMessage) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return normalizeJSON(v), nil
}

// normalizeJSON turns json.Number into float64 so values compare like resource bodies.
func normalizeJSON(v any) any {
	switch x := v.(type) {
	case json.Number:
		f, _ := x.Float64()
		return f
	case []any:
		for i, e := range x {
			x[i] = normalizeJSON(e)
		}
	case map[string]any:
		for k, e := range x {
			x[k] = normalizeJSON(e)
		}
	}
	return v
}

// jsonErrorText says where JSON is broken, by line and column.
func jsonErrorText(data []byte, err error) string {
	var offset int64 = -1
	switch e := err.(type) {
	case *json.SyntaxError:
		offset = e.Offset - 1 // Offset counts the offending byte

	case *json.UnmarshalTypeError:
		return fmt.Sprintf("%s must be %s, not %s", orTop(e.Field), e.Type.String(), e.Value)
	}
	if offset < 0 || offset > int64(len(data)) {
		return err.Error()
	}
	line := 1 + bytes.Count(data[:offset], []byte("\n"))
	col := int(offset) - bytes.LastIndexByte(data[:offset], '\n')
	return fmt.Sprintf("invalid JSON at line %d, column %d: %v", line, col, err)
}

func orTop(field string) string {
	if field == "" {
		return "the document"
	}
	return field
}

// ReadAssignment reads parameter values from an Azure Policy assignment document — the
// {"properties": {"parameters": {"effect": {"value": "Deny"}}}} that Azure returns, the bare
// {"parameters": ...} form, or a parameters file of the same shape.
func ReadAssignment(file string) (map[string]any, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("read assignment %s: %w", file, err)
	}
	var doc struct {
		Properties struct {
			Parameters map[string]struct {
				Value any `json:"value"`
			} `json:"parameters"`
		} `json:"properties"`
		Parameters map[string]struct {
			Value any `json:"value"`
		} `json:"parameters"`
	}
	if err := json.Unmarshal(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), &doc); err != nil {
		return nil, fmt.Errorf("read assignment %s: %s", file, jsonErrorText(data, err))
	}
	params := doc.Parameters
	if len(doc.Properties.Parameters) > 0 {
		params = doc.Properties.Parameters
	}
	out := map[string]any{}
	for k, v := range params {
		out[k] = v.Value
	}
	return out, nil
}

// ParseParams reads NAME=VALUE pairs from the command line; VALUE may be JSON.
func ParseParams(pairs []string) (map[string]any, error) {
	out := map[string]any{}
	for _, pair := range pairs {
		name, value, ok := strings.Cut(pair, "=")
		if !ok || name == "" {
			return nil, fmt.Errorf("--param %q: want NAME=VALUE", pair)
		}
		var v any = value
		var parsed any
		trimmed := strings.TrimSpace(value)
		if strings.HasPrefix(trimmed, "[") || strings.HasPrefix(trimmed, "{") {
			if err := json.Unmarshal([]byte(trimmed), &parsed); err == nil {
				v = parsed
			}
		}
		out[name] = v
	}
	return out, nil
}
