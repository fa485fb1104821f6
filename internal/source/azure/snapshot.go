package azure

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/lensix/lensix/internal/diag"
	"github.com/lensix/lensix/internal/resource"
)

// SnapshotVersion is the version of the snapshot format `lensix scan azure --save` writes.
const SnapshotVersion = 1

// snapshotKey marks lensix's own snapshot format; its value is the format version.
const snapshotKey = "lensixSnapshot"

// Snapshot is the inventory of one live scan as `--save` writes it: the resources as Azure
// returned them, and the subscriptions that could not be read, so re-reading it stays honest
// about what is missing.
type Snapshot struct {
	Version       int              `json:"lensixSnapshot"`
	CreatedAt     time.Time        `json:"createdAt"`
	TenantID      string           `json:"tenantId,omitempty"`
	Cloud         string           `json:"cloud,omitempty"`
	Subscriptions []Subscription   `json:"subscriptions"`
	Errors        []ScopeError     `json:"errors"`
	Resources     []map[string]any `json:"resources"`
}

// Subscription is one subscription in scope.
type Subscription struct {
	ID          string `json:"subscriptionId"`
	DisplayName string `json:"displayName,omitempty"`
	State       string `json:"state,omitempty"`
	TenantID    string `json:"tenantId,omitempty"`
}

// ScopeError is a part of the scope that could not be read, and why.
type ScopeError struct {
	SubscriptionID string `json:"subscriptionId,omitempty"`
	Message        string `json:"message"`
}

// WriteSnapshot writes s as indented JSON, resources ordered by ID so that the same inventory
// always gives the same file.
func WriteSnapshot(w io.Writer, s *Snapshot) error {
	s.Version = SnapshotVersion
	sort.SliceStable(s.Resources, func(i, j int) bool {
		a, _ := s.Resources[i]["id"].(string)
		b, _ := s.Resources[j]["id"].(string)
		return strings.ToLower(a) < strings.ToLower(b)
	})
	if s.Subscriptions == nil {
		s.Subscriptions = []Subscription{}
	}
	if s.Errors == nil {
		s.Errors = []ScopeError{}
	}
	if s.Resources == nil {
		s.Resources = []map[string]any{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(s)
}

// listKeys may sit beside the list in a saved list response: ARM's nextLink, Resource Graph's
// paging fields (REST and az graph query spellings).
var listKeys = map[string]bool{
	"nextlink": true, "count": true, "skip_token": true, "$skiptoken": true, "total_records": true,
	"totalrecords": true, "resulttruncated": true, "facets": true,
}

// IsSnapshot reports whether src looks, by its content, like saved Azure inventory: lensix's own
// snapshot, a Resource Manager response body (one resource, or a list {"value": [...]}), or the
// JSON that az apim list, az resource list and az graph query print.
func IsSnapshot(src []byte) bool {
	src = bytes.TrimPrefix(src, utf8BOM)
	trimmed := bytes.TrimLeft(src, " \t\r\n")
	if len(trimmed) == 0 {
		return false
	}
	if trimmed[0] == '[' {
		var items []map[string]any
		if json.Unmarshal(trimmed, &items) != nil || len(items) == 0 {
			return false
		}
		for _, it := range items {
			if !isResourceObject(it, true) {
				return false
			}
		}
		return true
	}
	var top map[string]json.RawMessage
	if json.Unmarshal(trimmed, &top) != nil {
		return false
	}
	if _, ok := top[snapshotKey]; ok {
		return true
	}
	if _, ok := top["$schema"]; ok {
		return false // templates and parameter files are the ARM source's
	}
	if list, ok := listOf(top); ok {
		var items []map[string]any
		if json.Unmarshal(list, &items) != nil {
			return false
		}
		for _, it := range items {
			if !isResourceObject(it, false) {
				return false
			}
		}
		return true
	}
	var obj map[string]any
	return json.Unmarshal(trimmed, &obj) == nil && isResourceObject(obj, true)
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// listOf returns the list of a list response: "value" (Resource Manager) or "data" (Resource
// Graph), when nothing else but paging fields sits beside it.
func listOf(top map[string]json.RawMessage) (json.RawMessage, bool) {
	var list json.RawMessage
	for key, raw := range top {
		switch {
		case key == "value" || key == "data":
			if list != nil || !bytes.HasPrefix(bytes.TrimSpace(raw), []byte("[")) {
				return nil, false
			}
			list = raw
		case !listKeys[strings.ToLower(key)]:
			return nil, false
		}
	}
	return list, list != nil
}

// isResourceObject reports whether m is shaped like an ARM resource: a namespaced type and a
// name, and an ID when needID (a lone object needs one to be told from other JSON).
func isResourceObject(m map[string]any, needID bool) bool {
	typ, _ := m["type"].(string)
	if !strings.Contains(typ, "/") {
		return false
	}
	_, named := m["name"].(string)
	id, _ := m["id"].(string)
	if needID {
		return named && strings.HasPrefix(id, "/")
	}
	return named || strings.HasPrefix(id, "/")
}

// ReadSnapshot maps the resources in a document IsSnapshot accepts. Each resource's body is the
// object as saved (properties the CLI flattened to the top level are put back under properties),
// and its provenance points at the object's first line.
func ReadSnapshot(filename string, src []byte) ([]*resource.Resource, diag.Diagnostics) {
	offset := 0
	if bytes.HasPrefix(src, utf8BOM) {
		offset = len(utf8BOM)
	}
	lines := newLineIndex(src)
	root, err := parseJSON(src[offset:])
	if err != nil {
		at, msg := syntaxOffset(err, len(src)-offset)
		p := lines.pos(at + offset)
		return nil, diag.Diagnostics{{
			Severity: diag.Error,
			Summary:  "invalid JSON in saved Azure inventory: " + msg,
			Detail:   "save the response body unchanged (az rest --output-file, or the CLI's --output json)",
			Range:    resource.Range{Filename: filename, Start: p, End: p},
		}}
	}
	rd := snapshotReader{filename: filename, lines: lines, offset: offset}
	var items []*node
	switch {
	case root.elems != nil || isList(root):
		items = root.elems
	case root.field[snapshotKey] != nil:
		rd.readHeader(root)
		if res := root.field["resources"]; res != nil {
			items = res.elems
		}
	case root.field["value"] != nil && root.field["value"].elems != nil:
		items = root.field["value"].elems
	case root.field["data"] != nil && root.field["data"].elems != nil:
		items = root.field["data"].elems
	case root.field["value"] != nil || root.field["data"] != nil:
		items = nil // an empty list
	default:
		items = []*node{root}
	}
	for i, it := range items {
		obj, ok := it.value.(map[string]any)
		if !ok || !isResourceObject(obj, false) {
			rd.warn(it, fmt.Sprintf("item %d is not an Azure resource (it has no namespaced type and name); skipped", i))
			continue
		}
		rd.add(it, obj)
	}
	return rd.resources, rd.diags
}

func isList(n *node) bool { _, ok := n.value.([]any); return ok }

type snapshotReader struct {
	filename  string
	lines     *lineIndex
	offset    int
	tenantID  string
	resources []*resource.Resource
	diags     diag.Diagnostics
}

func (rd *snapshotReader) rangeOf(n *node) resource.Range {
	start := rd.lines.pos(n.start + rd.offset)
	end := start
	if n.end > n.start {
		end = rd.lines.pos(n.end + rd.offset)
	}
	return resource.Range{Filename: rd.filename, Start: start, End: end}
}

func (rd *snapshotReader) warn(n *node, summary string) {
	rd.diags = append(rd.diags, diag.Diagnostic{Severity: diag.Warning, Summary: summary, Range: rd.rangeOf(n)})
}

// readHeader takes the tenant and the recorded scope errors from a lensix snapshot: a snapshot of
// a partial scan is still partial when read back.
func (rd *snapshotReader) readHeader(root *node) {
	if v, ok := root.field[snapshotKey].value.(int64); !ok || v > SnapshotVersion {
		rd.warn(root.field[snapshotKey], fmt.Sprintf("snapshot format version %v is newer than this lensix reads (%d); reading what it can", root.field[snapshotKey].value, SnapshotVersion))
	}
	if t, ok := root.value.(map[string]any)["tenantId"].(string); ok {
		rd.tenantID = t
	}
	if errs := root.field["errors"]; errs != nil {
		for _, e := range errs.elems {
			m, _ := e.value.(map[string]any)
			sub, _ := m["subscriptionId"].(string)
			msg, _ := m["message"].(string)
			summary := "the saved scan could not read part of its scope: " + msg
			if sub != "" {
				summary = fmt.Sprintf("the saved scan could not read subscription %s: %s", sub, msg)
			}
			rd.diags = append(rd.diags, diag.Diagnostic{Severity: diag.Error, Summary: summary, Detail: "its resources are missing from this snapshot; scan again with access to it", Range: rd.rangeOf(e)})
		}
	}
}

func (rd *snapshotReader) add(n *node, obj map[string]any) {
	r := toResource(unflatten(obj), resource.Provenance{Source: "snapshot", Range: rd.rangeOf(n), TenantID: rd.tenantID})
	rd.resources = append(rd.resources, r)
}

// envelopeKeys are the top-level keys of an ARM resource; anything else at the top level of an
// object without "properties" is a property the Azure CLI flattened out of it.
var envelopeKeys = map[string]bool{
	"id": true, "name": true, "type": true, "location": true, "tags": true, "sku": true,
	"identity": true, "zones": true, "etag": true, "systemdata": true, "kind": true, "plan": true,
	"managedby": true, "extendedlocation": true, "resourcegroup": true, "subscriptionid": true,
	"tenantid": true, "apiversion": true,
}

// unflatten puts the properties az apim list prints at the top level back under "properties".
func unflatten(obj map[string]any) map[string]any {
	if _, ok := obj["properties"]; ok {
		return obj
	}
	props := map[string]any{}
	out := map[string]any{}
	for k, v := range obj {
		if envelopeKeys[strings.ToLower(k)] {
			out[k] = v
		} else {
			props[k] = v
		}
	}
	if len(props) == 0 {
		return obj
	}
	out["properties"] = props
	return out
}
