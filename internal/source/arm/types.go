package arm

import (
	"maps"
	"slices"
	"strings"

	"github.com/lensix/lensix/internal/source/arm/jsonpos"
)

// maxRefs bounds how many "$ref" links one type follows, so definitions that refer to each
// other in a cycle end.
const maxRefs = 32

// resolveRef follows a "$ref" of a type ("#/definitions/x", or a path into a definition's
// properties, items or additionalProperties) to the node it names in the template's definitions,
// or nil when it names nothing.
func (d *deployment) resolveRef(ref string) *jsonpos.Node {
	rest, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return nil
	}
	n := d.typeRoot
	for _, part := range strings.Split(rest, "/") {
		// JSON pointer escapes: ~1 is "/", ~0 is "~".
		n = n.Get(strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~"))
		if n == nil {
			return nil
		}
	}
	return n
}

// typeAttr is a constraint of a type (its "type", "nullable", "minLength" ...): the one written
// beside a "$ref" wins over the definition's, as the compiler's {"$ref": ..., "nullable": false}
// relies on.
func (d *deployment) typeAttr(t *jsonpos.Node, key string) *jsonpos.Node {
	for i := 0; t != nil && i < maxRefs; i++ {
		if v := t.Get(key); v != nil {
			return v
		}
		ref := t.Get("$ref")
		if ref == nil || ref.Kind != jsonpos.String {
			return nil
		}
		t = d.resolveRef(ref.Str)
	}
	return nil
}

// typeName is a type's "type" in lower case ("securestring", "object" ...), or "".
func (d *deployment) typeName(t *jsonpos.Node) string {
	if n := d.typeAttr(t, "type"); n != nil && n.Kind == jsonpos.String {
		return strings.ToLower(n.Str)
	}
	return ""
}

func (d *deployment) isSecureType(t *jsonpos.Node) bool {
	name := d.typeName(t)
	return name == "securestring" || name == "secureobject"
}

func (d *deployment) isStringType(t *jsonpos.Node) bool {
	name := d.typeName(t)
	return name == "string" || name == "securestring"
}

// trackSecrets tracks the strings of v that its type t declares secure: all of them for a
// securestring or secureObject, else those under properties (at any depth) declared so. Outputs
// mask them wherever they flow, and what functions make of them is secret too. It returns v with
// the numbers of its secure parts unknown (see resource.Taint.Secure), and whether it changed.
func (d *deployment) trackSecrets(t *jsonpos.Node, v any, depth int) (any, bool) {
	if t == nil || depth > maxRefs {
		return v, false
	}
	if obj, ok := v.(map[string]any); ok {
		// A tagged union's member declares the properties; one step, so members that name the
		// union again do not recurse on the same value.
		if member := d.discriminatedType(t, obj); member != nil {
			t = member
		}
	}
	if d.isSecureType(t) {
		return d.l.taint.Secure(v)
	}
	switch v := v.(type) {
	case map[string]any:
		props := d.typeAttr(t, "properties")
		additional := d.typeAttr(t, "additionalProperties")
		if additional != nil && additional.Kind != jsonpos.Object {
			additional = nil
		}
		var out map[string]any
		for _, k := range sortedKeys(v) {
			pt := props.Get(k)
			if pt == nil {
				pt = additional
			}
			if nv, changed := d.trackSecrets(pt, v[k], depth+1); changed {
				if out == nil {
					out = maps.Clone(v)
				}
				out[k] = nv
			}
		}
		if out != nil {
			return out, true
		}
	case []any:
		prefix := d.typeAttr(t, "prefixItems")
		items := d.typeAttr(t, "items")
		if items != nil && items.Kind != jsonpos.Object {
			items = nil
		}
		var out []any
		for i, e := range v {
			et := items
			if prefix != nil && prefix.Kind == jsonpos.Array && i < len(prefix.Elems) {
				et = prefix.Elems[i]
			}
			if nv, changed := d.trackSecrets(et, e, depth+1); changed {
				if out == nil {
					out = slices.Clone(v)
				}
				out[i] = nv
			}
		}
		if out != nil {
			return out, true
		}
	}
	return v, false
}

// discriminatedType is the member of a tagged union ("discriminator": {"propertyName",
// "mapping"}) that an object's tag selects, or nil.
func (d *deployment) discriminatedType(t *jsonpos.Node, v map[string]any) *jsonpos.Node {
	disc := d.typeAttr(t, "discriminator")
	if disc == nil {
		return nil
	}
	name := disc.Get("propertyName")
	if name == nil || name.Kind != jsonpos.String {
		return nil
	}
	for k, tag := range v {
		if s, ok := tag.(string); ok && strings.EqualFold(k, name.Str) {
			return disc.Get("mapping").Get(s)
		}
	}
	return nil
}
