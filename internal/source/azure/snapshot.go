package azure

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/lensix/lensix/internal/diag"
	"github.com/lensix/lensix/internal/resource"
	"github.com/lensix/lensix/internal/source/arm/jsonpos"
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
// JSON that az apim list, az resource list and az graph query print. It reads JSON as the ARM
// source does (comments and trailing commas allowed), and says yes to a file that does not parse
// but is plainly saved Azure output, so that ReadSnapshot reports where it breaks.
func IsSnapshot(src []byte) bool {
	root, err := jsonpos.Parse(src)
	if err != nil {
		return looksLikeSnapshot(bytes.TrimPrefix(src, utf8BOM))
	}
	switch v := root.Value().(type) {
	case []any:
		if len(v) == 0 {
			return false
		}
		for _, it := range v {
			if m, ok := it.(map[string]any); !ok || !isResourceObject(m, true) {
				return false
			}
		}
		return true
	case map[string]any:
		if _, ok := v[snapshotKey]; ok {
			return true
		}
		if _, ok := v["$schema"]; ok {
			return false // templates and parameter files are the ARM source's
		}
		if list, ok := listOf(v); ok {
			for _, it := range list {
				if m, ok := it.(map[string]any); !ok || !isResourceObject(m, false) {
					return false
				}
			}
			return true
		}
		return isResourceObject(v, true)
	}
	return false
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// Marks of saved Azure output that survive a cut: a top-level list response, a lensix snapshot,
// or an ARM resource ID beside a namespaced type.
var (
	listStart      = regexp.MustCompile(`^\{\s*(?:"(?:count|nextLink)"\s*:\s*[^,]*,\s*)?"(?:value|data|lensixSnapshot)"\s*:`)
	subscriptionID = regexp.MustCompile(`"id"\s*:\s*"/subscriptions/`)
	namespacedType = regexp.MustCompile(`"type"\s*:\s*"[A-Za-z0-9.]+/`)
)

// looksLikeSnapshot reports whether src, which does not parse, is plainly saved Azure output.
func looksLikeSnapshot(src []byte) bool {
	src = bytes.TrimLeft(src, " \t\r\n")
	if bytes.Contains(src, []byte(`"$schema"`)) {
		return false // a broken template is the ARM source's to report
	}
	return listStart.Match(src) || subscriptionID.Match(src) && namespacedType.Match(src)
}

// listOf returns the list of a list response: "value" (Resource Manager) or "data" (Resource
// Graph), when nothing else but paging fields sits beside it.
func listOf(top map[string]any) ([]any, bool) {
	var list []any
	found := false
	for key, v := range top {
		switch {
		case key == "value" || key == "data":
			l, ok := v.([]any)
			if found || !ok {
				return nil, false
			}
			list, found = l, true
		case !listKeys[strings.ToLower(key)]:
			return nil, false
		}
	}
	return list, found
}

// isResourceObject reports whether m is shaped like an ARM resource: a namespaced type and a
// name (its own, or its ID's last segment), and an ID when needID (a lone object needs one to be
// told from other JSON).
func isResourceObject(m map[string]any, needID bool) bool {
	typ, _ := m["type"].(string)
	if !strings.Contains(typ, "/") {
		return false
	}
	id, _ := m["id"].(string)
	if needID {
		return strings.HasPrefix(id, "/") && resourceName(m) != ""
	}
	return resourceName(m) != ""
}

// resourceName is the resource's name, or the last segment of its ID when the saved object
// leaves the name out.
func resourceName(m map[string]any) string {
	if name, ok := m["name"].(string); ok && name != "" {
		return name
	}
	id, _ := m["id"].(string)
	if !strings.HasPrefix(id, "/") {
		return ""
	}
	id = strings.TrimRight(id, "/")
	return id[strings.LastIndex(id, "/")+1:]
}

// ReadSnapshot maps the resources in a document IsSnapshot accepts. Each resource's body is the
// object as saved (properties the CLI flattened to the top level are put back under properties),
// and its provenance spans the object in the file.
func ReadSnapshot(filename string, src []byte) ([]*resource.Resource, diag.Diagnostics) {
	file := jsonpos.NewFile(filename, src)
	root, err := jsonpos.Parse(src)
	if err != nil {
		offset, msg := len(src), err.Error()
		if pe, ok := err.(*jsonpos.Error); ok {
			offset, msg = pe.Offset, pe.Msg
		}
		return nil, diag.Diagnostics{{
			Severity: diag.Error,
			Summary:  "invalid JSON in saved Azure inventory: " + msg,
			Detail:   "save the response body unchanged (az rest --output-file, or the CLI's --output json)",
			Range:    file.Range(offset, offset),
		}}
	}
	rd := snapshotReader{file: file}
	var items []*jsonpos.Node
	graphRows := false // Resource Graph rows carry only the columns the query projected
	switch {
	case root.Kind == jsonpos.Array:
		items = root.Elems
	case root.Get(snapshotKey) != nil:
		rd.readHeader(root)
		items = elems(root.Get("resources"))
	case root.Get("value") != nil:
		items = elems(root.Get("value"))
		rd.checkPaging(root, len(items))
	case root.Get("data") != nil:
		items = elems(root.Get("data"))
		rd.checkPaging(root, len(items))
		graphRows = true
	default:
		items = []*jsonpos.Node{root}
	}
	for i, it := range items {
		obj, ok := it.Value().(map[string]any)
		if !ok || !isResourceObject(obj, false) {
			rd.warn(it, fmt.Sprintf("item %d is not an Azure resource (it has no namespaced type and name); skipped", i))
			continue
		}
		if _, ok := obj["identity"]; graphRows && !ok {
			obj["identity"] = &resource.Unknown{Reason: "the saved Resource Graph row has no identity column (the query's project may have left it out); save the query with identity"}
		}
		r := toResource(unflatten(obj), resource.Provenance{Source: "snapshot", Range: file.Range(it.Start, it.End), TenantID: rd.tenantID})
		rd.resources = append(rd.resources, r)
	}
	return rd.resources, rd.diags
}

// elems and str read a node that may be absent (nil).
func elems(n *jsonpos.Node) []*jsonpos.Node {
	if n == nil {
		return nil
	}
	return n.Elems
}

func str(n *jsonpos.Node) string {
	if n == nil {
		return ""
	}
	return n.Str
}

type snapshotReader struct {
	file      *jsonpos.File
	tenantID  string
	resources []*resource.Resource
	diags     diag.Diagnostics
}

func (rd *snapshotReader) warn(n *jsonpos.Node, summary string) {
	rd.diags = append(rd.diags, diag.Diagnostic{Severity: diag.Warning, Summary: summary, Range: rd.file.Range(n.Start, n.End)})
}

// checkPaging reports a saved list response that is one page of a longer list: Resource Manager
// pages with nextLink, Resource Graph with a skip token and a total the rows fall short of (az
// graph query returns 100 rows unless told --first). The rows present are still read.
func (rd *snapshotReader) checkPaging(root *jsonpos.Node, rows int) {
	var at *jsonpos.Node
	var total int64 = -1
	how := "save every page: lensix scan azure --save, or az rest following each nextLink"
	for _, f := range root.Fields {
		switch strings.ToLower(f.Key) {
		case "nextlink":
			if f.Value.Kind == jsonpos.String && f.Value.Str != "" {
				at = f.Value
			}
		case "skip_token", "$skiptoken":
			how = "save every row: az graph query --first 1000 (and --skip-token for more), or lensix scan azure --save"
			if f.Value.Kind == jsonpos.String && f.Value.Str != "" {
				at = f.Value
			}
		case "total_records", "totalrecords":
			if n, ok := f.Value.Value().(int64); ok {
				total = n
				if n > int64(rows) && at == nil {
					at = f.Value
				}
			}
		}
	}
	if at == nil {
		return
	}
	summary := "the saved response is one page of a longer list"
	if total >= 0 {
		summary += fmt.Sprintf(" (%d of %d rows)", rows, total)
	}
	rd.diags = append(rd.diags, diag.Diagnostic{
		Severity: diag.Error,
		Summary:  summary + "; the resources on other pages were not checked",
		Detail:   how,
		Range:    rd.file.Range(at.Start, at.End),
	})
}

// readHeader takes the tenant and the recorded scope errors from a lensix snapshot: a snapshot of
// a partial scan is still partial when read back.
func (rd *snapshotReader) readHeader(root *jsonpos.Node) {
	version := root.Get(snapshotKey)
	if v, ok := version.Value().(int64); !ok || v > SnapshotVersion {
		rd.warn(version, fmt.Sprintf("snapshot format version %v is newer than this lensix reads (%d); reading what it can", version.Value(), SnapshotVersion))
	}
	rd.tenantID = str(root.Get("tenantId"))
	for _, e := range elems(root.Get("errors")) {
		sub, msg := str(e.Get("subscriptionId")), str(e.Get("message"))
		summary := "the saved scan could not read part of its scope: " + msg
		if sub != "" {
			summary = fmt.Sprintf("the saved scan could not read subscription %s: %s", sub, msg)
		}
		rd.diags = append(rd.diags, diag.Diagnostic{Severity: diag.Error, Summary: summary, Detail: "its resources are missing from this snapshot; scan again with access to it", Range: rd.file.Range(e.Start, e.End)})
	}
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
