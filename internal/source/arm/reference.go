package arm

import (
	"fmt"
	"strings"

	"github.com/lensix/lensix/internal/resource"
	"github.com/lensix/lensix/internal/source/arm/expr"
	"github.com/lensix/lensix/internal/source/arm/funcs"
	"github.com/lensix/lensix/internal/source/arm/jsonpos"
)

// declState is a top-level resource declaration of a deployment and, once evaluated, what it
// deploys.
type declState struct {
	node   *jsonpos.Node
	symbol string
	state  state
	out    []*resource.Resource
}

// evalDecl evaluates a declaration once: in its turn, or earlier when reference() reads it.
func (d *deployment) evalDecl(dc *declState) []*resource.Resource {
	if dc.state == pending {
		dc.state = evaluating
		dc.out = d.declaration(dc.node, dc.symbol, nil)
		dc.state = done
	}
	return dc.out
}

// declared is a resource the deployment deploys, as reference() reads it: its declared body
// once evaluated, and the assumptions that body rests on.
type declared struct {
	typ, name, symbol string
	ownScope          bool
	address           string
	body              map[string]any
	id                string
	assumed           assumptions
	ready             bool
}

// declare registers a resource about to be evaluated, for reference() to find by its type and
// name, its name, its symbolic name, or (once known) its ID. An extension resource (ownScope
// false) is found only by its symbolic name, as its type and name do not place it. The keys are
// made only when a template calls reference() (see lookup).
func (d *deployment) declare(typ, name, symbol string, ownScope bool, address string) *declared {
	r := &declared{typ: typ, name: name, symbol: symbol, ownScope: ownScope, address: address}
	d.evaluated = append(d.evaluated, r)
	return r
}

// done records the evaluated body (nil when lensix did not evaluate it), the resource's ID
// ("" when unknown) and its assumptions, shared with the evaluation that made them.
func (r *declared) done(body map[string]any, id string, assumed assumptions) {
	r.body, r.id, r.assumed, r.ready = body, id, assumed, true
}

// keys are the keys of deployment.refs that find r, but for its ID, which it may not have yet.
func (r *declared) keys() []string {
	var out []string
	if r.name != "" && r.ownScope {
		out = append(out, "type:"+strings.ToLower(r.typ)+"|"+strings.ToLower(r.name), "name:"+strings.ToLower(r.name))
	}
	if r.symbol != "" {
		out = append(out, "symbol:"+strings.ToLower(r.symbol))
	}
	return out
}

// refTarget is what a reference() names: the keys of deployment.refs to look it up by, the key
// of a nested deployment's outputs in deployment.deployments, and, to choose which declarations
// not yet evaluated may be it, its type, name or symbolic name where known.
type refTarget struct {
	keys              []string
	deployment        string
	typ, name, symbol string
}

// reference evaluates reference(): the outputs of a nested deployment, or the declared body of
// a resource the deployment declares (see declaredReference); otherwise the deployed resource's
// runtime state, unknown. what names the part of a declared resource the value is, "" for any
// other value.
func (c *evalCtx) reference(n *expr.Call) (any, string, error) {
	if len(n.Args) > 0 {
		t, ok, err := c.refTarget(n.Args[0])
		if err != nil {
			return nil, "", err
		}
		if ok {
			v, what, found, err := c.declaredReference(n, t)
			if found || err != nil {
				return v, what, err
			}
		}
	}
	v, err := c.callWith(n, nil, n.Args)
	return v, "", err
}

// declaredReference reads what the deployment declares of the resource t names, evaluating its
// declaration first when it comes later in the template (Resource Manager orders by dependsOn,
// not by place). A nested deployment gives its outputs; another resource its declared body
// ('Full') or properties, where what the declaration does not set is runtime state, unknown.
// found is false when the deployment does not deploy such a resource.
func (c *evalCtx) declaredReference(n *expr.Call, t refTarget) (v any, what string, found bool, err error) {
	full := false
	if len(n.Args) == 3 {
		v, err := c.eval(n.Args[2])
		if err != nil {
			return nil, "", false, err
		}
		s, _ := v.(string)
		full = strings.EqualFold(s, "Full")
	}
	d := c.d
	var nd *deployment
	var r *declared
	for {
		if nd = d.deployments[t.deployment]; t.deployment == "" || nd == nil || nd.outputs == nil {
			nd = nil
		}
		r, found = d.lookup(t)
		if found || nd != nil {
			break
		}
		if !d.evalPending(t) {
			return nil, "", false, nil
		}
	}
	if nd != nil {
		v, what = c.deploymentValue(nd, r, full)
	} else {
		v, what = c.declaredValue(r, t, full)
	}
	if err := d.l.sized(v); err != nil {
		return nil, "", false, at(n.NamePos, err)
	}
	return v, what, true, nil
}

// deploymentValue is what reference() gives of a nested deployment: its declared properties
// (r, when found), with the outputs of its template and the state a finished deployment has.
func (c *evalCtx) deploymentValue(nd *deployment, r *declared, full bool) (any, string) {
	c.assumed.add(nd.outputsAssumed)
	props := map[string]any{}
	body := map[string]any{}
	what := ""
	if r != nil && r.ready && r.body != nil {
		c.assumed.add(r.assumed)
		for k, v := range r.body {
			body[k] = v
		}
		if declared, ok := resource.Lookup(r.body, "properties"); ok {
			if m, ok := declared.(map[string]any); ok {
				for k, v := range m {
					props[k] = v
				}
			}
		}
		what = r.address
	}
	props["outputs"], props["provisioningState"] = nd.outputs, "Succeeded"
	if full {
		body["properties"] = props
		return body, what
	}
	if what != "" {
		what += ".properties"
	}
	return props, what
}

// lookup finds the resource t names among those evaluated so far; r is nil when it names more
// than one.
func (d *deployment) lookup(t refTarget) (r *declared, found bool) {
	if d.refs == nil {
		d.refs = map[string][]*declared{}
	}
	for ; d.indexed < len(d.evaluated); d.indexed++ {
		r := d.evaluated[d.indexed]
		for _, k := range r.keys() {
			d.refs[k] = append(d.refs[k], r)
		}
	}
	for _, k := range t.keys {
		rs := d.refs[k]
		if id, ok := strings.CutPrefix(k, "id:"); ok {
			// Few references name an ID, known only when the deployment scope is given: a scan
			// serves them.
			rs = nil
			for _, r := range d.evaluated {
				if r.id != "" && strings.EqualFold(r.id, id) {
					rs = append(rs, r)
				}
			}
		}
		switch len(rs) {
		case 0:
			continue
		case 1:
			return rs[0], true
		default:
			return nil, true
		}
	}
	return nil, false
}

// declaredValue is what reference() gives of r: its body with 'Full', else its properties.
func (c *evalCtx) declaredValue(r *declared, t refTarget, full bool) (any, string) {
	switch {
	case r == nil:
		return &resource.Unknown{Reason: fmt.Sprintf("reference() names more than one resource of the template (%s)", strings.TrimPrefix(t.keys[0], "name:"))}, ""
	case !r.ready:
		return &resource.Unknown{Reason: fmt.Sprintf("resource %s refers to itself through reference()", r.address)}, ""
	case r.body == nil:
		return &resource.Unknown{Reason: fmt.Sprintf("resource %s was not evaluated", r.address)}, ""
	}
	c.assumed.add(r.assumed)
	if full {
		body := make(map[string]any, len(r.body)+1)
		for k, v := range r.body {
			body[k] = v
		}
		if r.id != "" {
			body["id"] = r.id
		}
		return body, r.address
	}
	props, ok := resource.Lookup(r.body, "properties")
	if !ok {
		return &resource.Unknown{Reason: r.address + ".properties is known only after deployment"}, ""
	}
	return props, r.address + ".properties"
}

// evalPending evaluates the first declaration not yet evaluated that may deploy what t names,
// symbolic names first; false when there is none.
func (d *deployment) evalPending(t refTarget) bool {
	for _, bySymbol := range []bool{true, false} {
		for _, dc := range d.decls {
			if dc.state != pending {
				continue
			}
			if bySymbol && (t.symbol == "" || !strings.EqualFold(dc.symbol, t.symbol)) || !bySymbol && !mayDeploy(dc.node, t) {
				continue
			}
			d.evalDecl(dc)
			return true
		}
	}
	return false
}

// mayDeploy says whether a declaration may deploy what t names by type and name: a literal type
// or name must match it (or be its parent's); one that is an expression may.
func mayDeploy(rn *jsonpos.Node, t refTarget) bool {
	if t.name == "" {
		return false
	}
	if typ := rn.Get("type"); t.typ != "" && literal(typ) && !hasPrefixFold(t.typ+"/", typ.Str+"/") {
		return false
	}
	if name := rn.Get("name"); literal(name) && !hasPrefixFold(t.name+"/", name.Str+"/") {
		return false
	}
	return true
}

func literal(n *jsonpos.Node) bool {
	return n != nil && n.Kind == jsonpos.String && !expr.IsExpression(n.Str)
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// refTarget reads what reference()'s first argument names: resourceId(type, names...) and its
// subscription and tenant forms; else, by its value, a resource ID, a symbolic name
// (languageVersion 2.0) or a resource name. ok is false when it names nothing lensix can find.
func (c *evalCtx) refTarget(arg expr.Node) (refTarget, bool, error) {
	if call, isCall := arg.(*expr.Call); isCall {
		switch fn := strings.ToLower(call.Name); fn {
		case "resourceid", "subscriptionresourceid", "tenantresourceid":
			return c.idTarget(call, fn)
		}
	}
	v, err := c.eval(arg)
	if err != nil {
		return refTarget{}, false, err
	}
	s, _ := v.(string)
	switch {
	case s == "":
		return refTarget{}, false, nil
	case strings.HasPrefix(s, "/"):
		typ, name := splitID(s)
		return refTarget{keys: []string{"id:" + strings.ToLower(s)}, typ: typ, name: name}, typ != "", nil
	case c.d.symbolic():
		symbol, _, _ := strings.Cut(s, "[")
		return refTarget{keys: []string{"symbol:" + strings.ToLower(s), "name:" + strings.ToLower(s)},
			deployment: "symbol:" + strings.ToLower(s), symbol: symbol, name: s}, true, nil
	}
	return refTarget{keys: []string{"name:" + strings.ToLower(s)}, deployment: "name:" + strings.ToLower(s), name: s}, true, nil
}

// idTarget reads resourceId(type, names...) as reference()'s argument. One with a subscription or
// resource group names a resource of the deployment only when they are the deployment's own
// (a nested deployment's, whose outputs are read by name, excepted).
func (c *evalCtx) idTarget(call *expr.Call, fn string) (refTarget, bool, error) {
	args := make([]string, len(call.Args))
	for i, a := range call.Args {
		v, err := c.eval(a)
		if err != nil {
			return refTarget{}, false, err
		}
		s, ok := v.(string)
		if !ok {
			return refTarget{}, false, nil
		}
		args[i] = s
	}
	typeAt := -1
	for i, s := range args {
		if strings.Contains(s, "/") {
			typeAt = i
			break
		}
	}
	if typeAt < 0 || len(args)-typeAt-1 != strings.Count(args[typeAt], "/") {
		return refTarget{}, false, nil
	}
	typ, name := args[typeAt], strings.Join(args[typeAt+1:], "/")
	t := refTarget{keys: []string{"type:" + strings.ToLower(typ) + "|" + strings.ToLower(name)}, typ: typ, name: name}
	if strings.EqualFold(typ, deploymentsType) {
		// Deployments of one name may deploy to different scopes: only resourceId() is read by
		// name alone.
		if fn != "resourceid" {
			return refTarget{}, false, nil
		}
		t.deployment = "name:" + strings.ToLower(name)
	} else if !c.d.ownScope(fn, args[:typeAt]) {
		return refTarget{}, false, nil
	}
	return t, true, nil
}

// ownScope says whether an ID function fn with the leading arguments prefix (a subscription,
// a resource group) names a resource where this deployment deploys.
func (d *deployment) ownScope(fn string, prefix []string) bool {
	s := d.target
	same := func(given, own string) bool { return own != "" && strings.EqualFold(given, own) }
	switch {
	case fn == "tenantresourceid":
		return s.Level == funcs.TenantLevel && len(prefix) == 0
	case fn == "subscriptionresourceid" || s.Level == funcs.SubscriptionLevel:
		return s.Level == funcs.SubscriptionLevel && (len(prefix) == 0 || len(prefix) == 1 && same(prefix[0], s.SubscriptionID))
	case len(prefix) == 0:
		return true
	case len(prefix) == 1:
		return s.Level == funcs.ResourceGroupLevel && same(prefix[0], s.ResourceGroup)
	case len(prefix) == 2:
		return s.Level == funcs.ResourceGroupLevel && same(prefix[0], s.SubscriptionID) && same(prefix[1], s.ResourceGroup)
	}
	return false
}

// splitID reads the type and name of the resource an ID names, after its last "providers".
func splitID(id string) (typ, name string) {
	segs := strings.Split(strings.Trim(id, "/"), "/")
	last := -1
	for i, s := range segs {
		if strings.EqualFold(s, "providers") {
			last = i
		}
	}
	rest := segs[last+1:]
	if last < 0 || len(rest) < 3 || len(rest)%2 == 0 {
		return "", ""
	}
	types, names := []string{rest[0]}, []string{}
	for i := 1; i+1 < len(rest); i += 2 {
		types, names = append(types, rest[i]), append(names, rest[i+1])
	}
	return strings.Join(types, "/"), strings.Join(names, "/")
}

// symbolic says whether the template names its resources symbolically (languageVersion 2.0),
// where reference('x') names the resource declared as x.
func (d *deployment) symbolic() bool {
	lv := d.tmpl.Get("languageVersion")
	return lv != nil && lv.Kind == jsonpos.String && strings.HasPrefix(lv.Str, "2.")
}
