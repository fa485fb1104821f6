package terraform

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/lensix/lensix/internal/diag"
	"github.com/lensix/lensix/internal/resource"
)

// planDoc is the part of `terraform show -json` output lensix reads.
type planDoc struct {
	FormatVersion   *string          `json:"format_version"`
	PlannedValues   *plannedValues   `json:"planned_values"`
	ResourceChanges []resourceChange `json:"resource_changes"`
}

type plannedValues struct {
	RootModule *planModule `json:"root_module"`
}

type planModule struct {
	Resources    []planResource `json:"resources"`
	ChildModules []planModule   `json:"child_modules"`
}

type planResource struct {
	Address         string         `json:"address"`
	Mode            string         `json:"mode"`
	Type            string         `json:"type"`
	Values          map[string]any `json:"values"`
	SensitiveValues any            `json:"sensitive_values"`
}

type resourceChange struct {
	Address string `json:"address"`
	Mode    string `json:"mode"`
	Type    string `json:"type"`
	Change  struct {
		Actions        []string       `json:"actions"`
		After          map[string]any `json:"after"`
		AfterUnknown   any            `json:"after_unknown"`
		AfterSensitive any            `json:"after_sensitive"`
	} `json:"change"`
}

// IsPlan reports whether src is `terraform show -json` output (format_version + planned_values/resource_changes).
func IsPlan(src []byte) bool {
	if !bytes.Contains(src, []byte(`"format_version"`)) {
		return false
	}
	var probe struct {
		FormatVersion   *string         `json:"format_version"`
		PlannedValues   json.RawMessage `json:"planned_values"`
		ResourceChanges json.RawMessage `json:"resource_changes"`
	}
	if json.Unmarshal(src, &probe) != nil || probe.FormatVersion == nil {
		return false
	}
	return probe.PlannedValues != nil || probe.ResourceChanges != nil
}

// ReadPlan maps a plan JSON document.
func ReadPlan(filename string, src []byte) ([]*resource.Resource, diag.Diagnostics) {
	fileRange := resource.Range{Filename: filename}
	if len(src) > maxFileSize {
		return nil, diag.Diagnostics{{Severity: diag.Error, Summary: fmt.Sprintf("Plan %s is larger than %d MiB", filename, maxFileSize>>20),
			Detail: "lensix does not read plan files this large; skipped", Range: fileRange}}
	}
	if d := checkText(filename, src); d != nil {
		return nil, diag.Diagnostics{*d}
	}
	dec := json.NewDecoder(bytes.NewReader(src))
	dec.UseNumber()
	var doc planDoc
	if err := dec.Decode(&doc); err != nil {
		return nil, diag.Diagnostics{jsonErrorDiag(filename, src, err)}
	}
	if doc.FormatVersion == nil {
		return nil, diag.Diagnostics{{Severity: diag.Error, Summary: filename + " is not a Terraform plan",
			Detail: "it has no format_version; produce it with `terraform show -json PLANFILE`", Range: fileRange}}
	}

	unknownByAddr := map[string]any{}
	sensitiveByAddr := map[string]any{}
	for _, rc := range doc.ResourceChanges {
		unknownByAddr[rc.Address] = rc.Change.AfterUnknown
		sensitiveByAddr[rc.Address] = rc.Change.AfterSensitive
	}
	spans := objectSpans(src)
	var out []*resource.Resource
	emit := func(address, mode, typ string, values map[string]any, sensitive any) {
		if mode != "managed" || !mapped(typ) || values == nil {
			return
		}
		// Terraform's plan holds sensitive values in clear and lists them apart; mask them.
		secrets := sensitiveStrings(nil, values, sensitive)
		secrets = sensitiveStrings(secrets, values, sensitiveByAddr[address])
		attrs := normalizePlan(values).(map[string]any)
		dropNulls(attrs)
		if unknown, ok := unknownByAddr[address]; ok {
			overlayUnknown(attrs, unknown)
		}
		r := mapResource(typ, attrs)
		if r == nil {
			return
		}
		rng := fileRange
		if sp, ok := spans[address]; ok {
			rng.Start, rng.End = posAt(src, sp.start), posAt(src, sp.end)
		}
		r.Provenance = resource.Provenance{Source: "tfplan", Range: rng, Address: address}
		r.Secrets = sortedUnique(secrets)
		out = append(out, r)
	}
	if doc.PlannedValues != nil && doc.PlannedValues.RootModule != nil {
		var walk func(m *planModule, depth int)
		walk = func(m *planModule, depth int) {
			if depth > maxModuleDepth {
				return
			}
			for _, pr := range m.Resources {
				emit(pr.Address, pr.Mode, pr.Type, pr.Values, pr.SensitiveValues)
			}
			for i := range m.ChildModules {
				walk(&m.ChildModules[i], depth+1)
			}
		}
		walk(doc.PlannedValues.RootModule, 0)
	} else {
		for _, rc := range doc.ResourceChanges {
			emit(rc.Address, rc.Mode, rc.Type, rc.Change.After, nil)
		}
	}
	return out, nil
}

func jsonErrorDiag(filename string, src []byte, err error) diag.Diagnostic {
	rng := resource.Range{Filename: filename}
	var syntaxErr *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntaxErr):
		rng.Start = posAt(src, int(syntaxErr.Offset))
	case errors.As(err, &typeErr):
		rng.Start = posAt(src, int(typeErr.Offset))
	}
	rng.End = rng.Start
	return diag.Diagnostic{Severity: diag.Error, Summary: "Malformed plan JSON in " + filename,
		Detail: err.Error() + "; produce the file with `terraform show -json PLANFILE`", Range: rng}
}

// span is the byte range of a JSON object, from its '{' to just past its '}'.
type span struct{ start, end int }

// jsonFrame is an object or array being walked by objectSpans.
type jsonFrame struct {
	object    bool
	start     int
	expectKey bool
	key       string
	address   string
}

// objectSpans maps each resource address to the span of the first JSON object whose "address"
// it is (planned_values comes first in `terraform show -json`), so that a finding points at the
// resource's whole object in the plan.
func objectSpans(src []byte) map[string]span {
	out := map[string]span{}
	dec := json.NewDecoder(bytes.NewReader(src))
	var stack []*jsonFrame
	for {
		tok, err := dec.Token()
		if err != nil {
			return out
		}
		var top *jsonFrame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.object && top.expectKey {
			if key, ok := tok.(string); ok {
				top.key, top.expectKey = key, false
				continue
			}
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{', '[':
				stack = append(stack, &jsonFrame{object: t == '{', start: int(dec.InputOffset()) - 1, expectKey: t == '{'})
				continue
			case '}', ']':
				stack = stack[:len(stack)-1]
				if t == '}' && top.address != "" {
					if _, seen := out[top.address]; !seen {
						out[top.address] = span{top.start, int(dec.InputOffset())}
					}
				}
			}
		case string:
			if top != nil && top.object && top.key == "address" {
				top.address = t
			}
		}
		if len(stack) > 0 && stack[len(stack)-1].object {
			stack[len(stack)-1].expectKey = true
		}
	}
}

// sensitiveStrings adds the strings of value that the sensitivity tree (a plan's
// sensitive_values or after_sensitive: true where a value is sensitive, else the same shape as
// the value) marks sensitive.
func sensitiveStrings(out []string, value, sensitive any) []string {
	switch s := sensitive.(type) {
	case bool:
		if s {
			return allStrings(out, value)
		}
	case map[string]any:
		if m, ok := value.(map[string]any); ok {
			for _, k := range sortedKeys(s) {
				out = sensitiveStrings(out, m[k], s[k])
			}
		}
	case []any:
		if list, ok := value.([]any); ok {
			for i, child := range s {
				if i < len(list) {
					out = sensitiveStrings(out, list[i], child)
				}
			}
		}
	}
	return out
}

// allStrings adds every string leaf of a decoded JSON value (numbers as written).
func allStrings(out []string, value any) []string {
	switch v := value.(type) {
	case string:
		out = append(out, v)
	case json.Number:
		out = append(out, v.String())
	case map[string]any:
		for _, k := range sortedKeys(v) {
			out = allStrings(out, v[k])
		}
	case []any:
		for _, child := range v {
			out = allStrings(out, child)
		}
	}
	return out
}

// normalizePlan turns decoded json.Numbers into int64 or float64.
func normalizePlan(v any) any {
	switch t := v.(type) {
	case json.Number:
		if i, err := t.Int64(); err == nil {
			return i
		}
		f, _ := t.Float64()
		return f
	case map[string]any:
		for k, child := range t {
			t[k] = normalizePlan(child)
		}
		return t
	case []any:
		for i, child := range t {
			t[i] = normalizePlan(child)
		}
		return t
	}
	return v
}

// dropNulls removes null arguments, and null arguments of nested blocks: Terraform means "not
// set" by them, as the HCL reader does.
func dropNulls(attrs map[string]any) {
	for k, v := range attrs {
		switch t := v.(type) {
		case nil:
			delete(attrs, k)
		case []any:
			for _, item := range t {
				if block, ok := item.(map[string]any); ok {
					dropNulls(block)
				}
			}
		}
	}
}

// overlayUnknown marks the values a plan's after_unknown says are known only after apply. It
// never invents structure: a subtree missing from the values becomes one unknown.
func overlayUnknown(values map[string]any, unknown any) {
	m, ok := unknown.(map[string]any)
	if !ok {
		return
	}
	for k, u := range m {
		if !hasTrue(u) {
			continue
		}
		switch t := u.(type) {
		case map[string]any:
			if child, ok := values[k].(map[string]any); ok {
				overlayUnknown(child, t)
				continue
			}
		case []any:
			if list, ok := values[k].([]any); ok && len(list) >= len(t) {
				for i, item := range t {
					if !hasTrue(item) {
						continue
					}
					if child, ok := list[i].(map[string]any); ok {
						overlayUnknown(child, item)
					} else {
						list[i] = &resource.Unknown{Reason: afterApply}
					}
				}
				continue
			}
		}
		values[k] = &resource.Unknown{Reason: afterApply}
	}
}

func hasTrue(u any) bool {
	switch t := u.(type) {
	case bool:
		return t
	case map[string]any:
		for _, v := range t {
			if hasTrue(v) {
				return true
			}
		}
	case []any:
		for _, v := range t {
			if hasTrue(v) {
				return true
			}
		}
	}
	return false
}
