package terraform

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/lensix/lensix/internal/resource"
)

// The mapping from Terraform resources to ARM. Both the HCL evaluator and the plan reader hand
// the mapping a resource's attributes in the shape of a plan's "values": attributes by name,
// nested blocks as lists of objects, unknowns as *resource.Unknown. Supporting another azurerm
// type is a matter of adding a row to azurermTypes.

// azurermType maps one azurerm resource type to its ARM type.
type azurermType struct {
	armType string
	// apiVersion is the ARM API version the azurerm provider (v3 and v4) uses for the type.
	apiVersion string
	// attributes maps Terraform arguments to ARM body paths (dot-separated).
	attributes []attributeRow
}

type attributeRow struct {
	tf, arm string
	// convert turns the Terraform value into the ARM one (or omit); nil copies it.
	convert func(any) any
}

// omit is returned by a converter when the Terraform value means "no such ARM property".
var omit = &struct{}{}

// commonRows are the arguments every azurerm resource with an identity shares.
var commonRows = []attributeRow{
	{tf: "name", arm: "name"},
	{tf: "location", arm: "location"},
	{tf: "tags", arm: "tags"},
	{tf: "identity", arm: "identity", convert: identityBlock},
}

var azurermTypes = map[string]azurermType{
	"azurerm_api_management": {
		armType:    "Microsoft.ApiManagement/service",
		apiVersion: "2022-08-01",
		attributes: append(append([]attributeRow{}, commonRows...),
			attributeRow{tf: "sku_name", arm: "sku", convert: skuName},
			attributeRow{tf: "zones", arm: "zones"},
			attributeRow{tf: "publisher_name", arm: "properties.publisherName"},
			attributeRow{tf: "publisher_email", arm: "properties.publisherEmail"},
			attributeRow{tf: "notification_sender_email", arm: "properties.notificationSenderEmail"},
			attributeRow{tf: "virtual_network_type", arm: "properties.virtualNetworkType"},
			attributeRow{tf: "public_ip_address_id", arm: "properties.publicIpAddressId"},
			attributeRow{tf: "public_network_access_enabled", arm: "properties.publicNetworkAccess", convert: enabledDisabled},
			attributeRow{tf: "gateway_disabled", arm: "properties.disableGateway"},
			attributeRow{tf: "client_certificate_enabled", arm: "properties.enableClientCertificate"},
			attributeRow{tf: "min_api_version", arm: "properties.apiVersionConstraint.minApiVersion"},
		),
	},
}

// affectedPaths names the ARM body paths that the given top-level Terraform arguments map to,
// so an assumption says which values rest on it. It returns nil — "may affect anything" — when
// one of the arguments bears on the whole resource ("") or on an azapi body, whose keys are
// not tracked one by one.
func affectedPaths(tfType string, arguments map[string]bool) []string {
	rows := azurermTypes[tfType].attributes
	if tfType == "azapi_resource" {
		rows = azapiRows
	}
	var paths []string
	for _, arg := range sortedKeys(arguments) {
		if arg == "" || arg == "body" {
			return nil
		}
		path := "terraform." + arg // an argument with no ARM counterpart (resource_group_name)
		for _, row := range rows {
			if row.tf == arg {
				path = row.arm
				break
			}
		}
		paths = append(paths, path)
	}
	return paths
}

// azapiRows are the azapi_resource arguments that land at a fixed place in the ARM body.
var azapiRows = []attributeRow{{tf: "name", arm: "name"}, {tf: "location", arm: "location"}, {tf: "tags", arm: "tags"}, {tf: "identity", arm: "identity"}}

// mapped reports whether resources of a Terraform type are mapped to ARM.
func mapped(tfType string) bool {
	_, ok := azurermTypes[tfType]
	return ok || tfType == "azapi_resource"
}

// mapResource maps one resource instance's attributes; nil when the instance is not an Azure
// resource lensix maps (an azapi_resource whose type is unknown, for instance).
func mapResource(tfType string, attrs map[string]any) *resource.Resource {
	if tfType == "azapi_resource" {
		return mapAzapi(attrs)
	}
	table, ok := azurermTypes[tfType]
	if !ok {
		return nil
	}
	body := map[string]any{"type": table.armType, "apiVersion": table.apiVersion}
	for _, row := range table.attributes {
		v, present := attrs[row.tf]
		if !present {
			continue
		}
		if row.convert != nil {
			v = row.convert(v)
		}
		if v == omit {
			continue
		}
		setPath(body, row.arm, v)
	}
	r := &resource.Resource{Type: table.armType, Body: body, Name: nameOf(attrs["name"])}
	if rg, ok := attrs["resource_group_name"].(string); ok {
		r.ResourceGroup = rg
	}
	return r
}

func nameOf(v any) string {
	switch n := v.(type) {
	case string:
		return n
	case *resource.Unknown:
		return n.Expr
	}
	return ""
}

func setPath(body map[string]any, dotted string, v any) {
	parts := strings.Split(dotted, ".")
	node := body
	for _, p := range parts[:len(parts)-1] {
		next, ok := node[p].(map[string]any)
		if !ok {
			next = map[string]any{}
			node[p] = next
		}
		node = next
	}
	node[parts[len(parts)-1]] = v
}

// skuName splits azurerm's "Developer_1" into ARM's {"name": "Developer", "capacity": 1}.
func skuName(v any) any {
	s, ok := v.(string)
	if !ok {
		return v
	}
	name, capacity, found := strings.Cut(s, "_")
	if !found {
		return map[string]any{"name": s}
	}
	var n int64
	if _, err := fmt.Sscanf(capacity, "%d", &n); err != nil {
		return map[string]any{"name": name, "capacity": capacity}
	}
	return map[string]any{"name": name, "capacity": n}
}

func enabledDisabled(v any) any {
	if b, ok := v.(bool); ok {
		if b {
			return "Enabled"
		}
		return "Disabled"
	}
	return v
}

// identityBlock maps azurerm's (and azapi's) `identity { type, identity_ids }` block to ARM's
// identity object. No block means no identity key; a block without type means an identity
// object without type; an unknown block list (dynamic block over an unknown collection) is an
// unknown identity.
func identityBlock(v any) any {
	switch blocks := v.(type) {
	case *resource.Unknown:
		return blocks
	case map[string]any: // JSON syntax may give a single block as an object
		return identityObject(blocks)
	case []any:
		if len(blocks) == 0 {
			return omit
		}
		if b, ok := blocks[0].(map[string]any); ok {
			return identityObject(b)
		}
		if u, ok := blocks[0].(*resource.Unknown); ok {
			return u
		}
		return omit
	case nil:
		return omit
	}
	return &resource.Unknown{Reason: fmt.Sprintf("identity is %T, not a block", v)}
}

func identityObject(block map[string]any) map[string]any {
	out := map[string]any{}
	if t, ok := block["type"]; ok {
		out["type"] = t
	}
	if ids, ok := block["identity_ids"]; ok && ids != nil {
		out["userAssignedIdentities"] = userAssigned(ids)
	}
	return out
}

func userAssigned(ids any) any {
	switch list := ids.(type) {
	case *resource.Unknown:
		return list
	case []any:
		out := map[string]any{}
		for _, id := range list {
			switch s := id.(type) {
			case string:
				out[s] = map[string]any{}
			case *resource.Unknown:
				return &resource.Unknown{Reason: "identity_ids holds IDs " + afterApply, Expr: s.Expr}
			}
		}
		return out
	}
	return &resource.Unknown{Reason: "identity_ids is not a list"}
}

// azapiType is an azapi_resource type whose resource type is known and API version is not; the
// HCL evaluator puts it in attrs["type"] in place of an unknown.
type azapiType struct {
	armType    string
	apiVersion *resource.Unknown
}

// mapAzapi maps an azapi_resource: its body is already ARM; type carries the API version; the
// identity block, location and tags arguments override the body's.
func mapAzapi(attrs map[string]any) *resource.Resource {
	var armType string
	var apiVersion any
	switch typ := attrs["type"].(type) {
	case string:
		var version string
		armType, version, _ = strings.Cut(typ, "@")
		if version != "" {
			apiVersion = version
		}
	case azapiType:
		armType, apiVersion = typ.armType, typ.apiVersion
	}
	if armType == "" {
		return nil
	}
	body := map[string]any{}
	bodyUnknown := (*resource.Unknown)(nil)
	switch b := attrs["body"].(type) {
	case map[string]any:
		for k, v := range b {
			body[k] = v
		}
	case string: // azapi 1.x takes the body as a JSON string
		var decoded any
		if err := json.Unmarshal([]byte(b), &decoded); err != nil {
			bodyUnknown = &resource.Unknown{Reason: "body is not valid JSON: " + err.Error()}
		} else if m, ok := decoded.(map[string]any); ok {
			for k, v := range m {
				body[k] = normalizeJSON(v)
			}
		}
	case *resource.Unknown:
		bodyUnknown = b
	}
	body["type"] = armType
	if apiVersion != nil {
		body["apiVersion"] = apiVersion
	}
	for _, k := range []string{"name", "location", "tags"} {
		if v, ok := attrs[k]; ok {
			body[k] = v
		}
	}
	if blocks, ok := attrs["identity"]; ok {
		if id := identityBlock(blocks); id != omit {
			body["identity"] = id
		}
	}
	if bodyUnknown != nil {
		// What the body would have said is unknown: identity and properties with it.
		for _, k := range []string{"identity", "properties"} {
			if _, set := body[k]; !set {
				body[k] = &resource.Unknown{Reason: "body is unknown: " + bodyUnknown.Reason, Expr: bodyUnknown.Expr}
			}
		}
	}
	r := &resource.Resource{Type: armType, Body: body, Name: nameOf(body["name"])}
	if parent, ok := attrs["parent_id"].(string); ok {
		r.SubscriptionID, r.ResourceGroup = scopeOf(parent)
	}
	return r
}

// scopeOf reads the subscription and resource group out of an ARM ID.
func scopeOf(id string) (subscription, group string) {
	parts := strings.Split(strings.Trim(id, "/"), "/")
	for i := 0; i+1 < len(parts); i++ {
		switch strings.ToLower(parts[i]) {
		case "subscriptions":
			subscription = parts[i+1]
		case "resourcegroups":
			group = parts[i+1]
		}
	}
	return subscription, group
}

// normalizeJSON turns encoding/json numbers into int64 where they are whole, as the body
// convention asks.
func normalizeJSON(v any) any {
	switch t := v.(type) {
	case float64:
		if t == float64(int64(t)) {
			return int64(t)
		}
		return t
	case map[string]any:
		for k, child := range t {
			t[k] = normalizeJSON(child)
		}
		return t
	case []any:
		for i, child := range t {
			t[i] = normalizeJSON(child)
		}
		return t
	}
	return v
}
