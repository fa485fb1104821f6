package bicep

import (
	"fmt"
	"strings"

	"github.com/lensix/lensix/internal/resource"
	"github.com/lensix/lensix/internal/source/arm/funcs"
	"github.com/lensix/lensix/internal/source/bicep/ast"
)

// resourceSym is a resource declaration and, once evaluated, its instances.
type resourceSym struct {
	decl     *ast.ResourceDecl
	parent   *resourceSym // the enclosing resource of a nested declaration
	name     string       // symbolic name; parent::child for nested ones
	suffix   string       // "@L<line>" added to the address of a duplicate declaration
	children []*resourceSym
	state    symbolState
	insts    []*instance
	loop     bool
}

// instance is one evaluated copy of a resource declaration.
type instance struct {
	sym      *resourceSym
	typ      string
	name     any // the full ARM name ("parent/child"): a string, or unknown
	ownName  any // the name property as declared, which symbolic references read
	body     map[string]any
	address  string
	deployed bool
	env      *env
	assumed  map[string]string
	// wholeResource are the assumptions that bear on the whole resource (its condition, its
	// loop, its parent's); affects names the top-level properties each other one bears on.
	wholeResource map[string]string
	affects       map[string][]string
	// id is the resource's ARM ID: a string, or unknown; subscriptionID and resourceGroup are
	// where it lands, when known.
	id                            any
	subscriptionID, resourceGroup string
}

// resourceRef is a Bicep reference to a resource (its symbolic name used as a value). When
// unknownCopy is set, it stands for a copy of a loop chosen by an unknown index: only what all
// copies share is known.
type resourceRef struct {
	inst        *instance
	unknownCopy *resource.Unknown
}

// property reads a property of a referenced resource: what the template declares, and unknown
// for what Azure fills in at deployment (id, principalId, ...).
func (r *resourceRef) property(name string) any {
	if r.unknownCopy != nil {
		switch strings.ToLower(name) {
		case "type", "apiversion":
			v, _ := resource.Lookup(r.inst.body, name)
			return v
		}
		return &resource.Unknown{Reason: "which copy of " + r.inst.sym.name + " is used is unknown: " + r.unknownCopy.Reason}
	}
	switch strings.ToLower(name) {
	case "id":
		return r.inst.id
	case "name":
		// Bicep reads a child's declared name here, not the parent/child ARM name.
		return r.inst.ownName
	}
	if v, ok := resource.Lookup(r.inst.body, name); ok {
		return v
	}
	return &resource.Unknown{Reason: fmt.Sprintf("%s.%s is known only after deployment", r.inst.address, name)}
}

// nestedName binds the simple name of a nested resource inside the body that declares it, where
// Bicep lets siblings and children be named without their parent:: prefix. It is resolved when
// used, since the nested resource is evaluated after its parent.
type nestedName struct{ sym *resourceSym }

// nestedNames are the nested resources visible in sym's body: its children, and those of each
// enclosing resource.
func nestedNames(sym *resourceSym) map[string]any {
	names := map[string]any{}
	for s := sym; s != nil; s = s.parent {
		for _, child := range s.children {
			if _, shadowed := names[child.decl.Name.Name]; !shadowed {
				names[child.decl.Name.Name] = nestedName{sym: child}
			}
		}
	}
	return names
}

// resourceBody returns the object that declares a resource, under its condition or loop.
func resourceBody(v ast.Expr) *ast.ObjectLit {
	switch x := v.(type) {
	case *ast.ObjectLit:
		return x
	case *ast.IfExpr:
		return resourceBody(x.Body)
	case *ast.ForExpr:
		return resourceBody(x.Body)
	}
	return nil
}

// reference is the value of a resource's symbolic name: one resource, or an array of them for a
// loop.
func (d *deployment) reference(sym *resourceSym, st *state) any {
	insts := d.instances(sym)
	if sym.state == evaluating && insts == nil {
		return &resource.Unknown{Reason: fmt.Sprintf("resource %s refers to itself", sym.name)}
	}
	if sym.loop {
		out := make([]any, len(insts))
		for i, in := range insts {
			out[i] = &resourceRef{inst: in}
		}
		return out
	}
	if len(insts) == 0 {
		return &resource.Unknown{Reason: fmt.Sprintf("resource %s is not deployed", sym.name)}
	}
	return &resourceRef{inst: insts[0]}
}

func (d *deployment) resourceAccess(n *ast.ResourceAccessExpr, e *env, st *state) any {
	path := []string{n.Name.Name}
	x := n.X
	for {
		if ra, ok := x.(*ast.ResourceAccessExpr); ok {
			path = append([]string{ra.Name.Name}, path...)
			x = ra.X
			continue
		}
		break
	}
	id, ok := x.(*ast.Ident)
	if !ok {
		return d.unknownAt(n, "a nested resource of a resource collection is not evaluated")
	}
	base := id.Name
	if v, ok := e.lookup(id.Name); ok {
		if nested, ok := v.(nestedName); ok {
			base = nested.sym.name
		}
	}
	name := base + "::" + strings.Join(path, "::")
	sym := d.resources[name]
	if sym == nil {
		return d.fail(n, fmt.Errorf("%s has no nested resource %s", id.Name, strings.Join(path, "::")))
	}
	return d.reference(sym, st)
}

// instances evaluates a resource declaration once: every copy of a loop, every copy under each
// instance of its parent, with conditions applied.
func (d *deployment) instances(sym *resourceSym) []*instance {
	switch sym.state {
	case evaluating:
		return nil
	case done:
		return sym.insts
	}
	sym.state = evaluating
	if sym.parent != nil {
		for _, p := range d.instances(sym.parent) {
			sym.insts = append(sym.insts, d.expand(sym, p, p.env, p.address+"::"+sym.decl.Name.Name+sym.suffix)...)
		}
	} else {
		sym.insts = d.expand(sym, nil, nil, d.prefix+sym.name+sym.suffix)
	}
	sym.state = done
	return sym.insts
}

// expand evaluates a declaration's value (object, condition or loop) into instances.
func (d *deployment) expand(sym *resourceSym, parent *instance, e *env, address string) []*instance {
	switch v := sym.decl.Value.(type) {
	case *ast.ForExpr:
		sym.loop = true
		st := &state{}
		var out []*instance
		copies := d.loopInstances(v, e, st, "resource")
		if len(copies) == 0 {
			d.offByDefaults(sym, v.Range, e, "its loop over %s is empty", func(v any) bool { a, ok := v.([]any); return ok && len(a) == 0 })
		}
		for i, names := range copies {
			in := d.instance(sym, parent, v.Body, e.with(names), fmt.Sprintf("%s[%d]", address, i), st)
			if in != nil {
				out = append(out, in)
			}
		}
		return out
	default:
		if in := d.instance(sym, parent, v, e, address, &state{}); in != nil {
			return []*instance{in}
		}
	}
	return nil
}

// instance evaluates one copy of a resource; nil when its condition is false.
func (d *deployment) instance(sym *resourceSym, parent *instance, value ast.Expr, e *env, address string, st *state) *instance {
	st = &state{assumed: copyMap(st.assumed)}
	st.add(d.inherited)
	if parent != nil {
		st.add(parent.assumed)
	}
	if cond, ok := value.(*ast.IfExpr); ok {
		switch c := d.eval(cond.Cond, e, st).(type) {
		case bool:
			if !c {
				d.offByDefaults(sym, cond.Cond, e, "its condition %s is false", func(v any) bool { return v == false })
				return nil
			}
		case *resource.Unknown:
			st.assume("condition", "the resource's condition is unknown ("+c.Reason+"); it is assumed deployed")
		default:
			d.errorAt(cond.Cond, fmt.Sprintf("The condition is %s, not a bool", funcs.TypeName(c)), "make the condition true or false; the resource is assumed deployed")
		}
		value = cond.Body
	}
	obj, _ := value.(*ast.ObjectLit)
	// A child declared inside an existing resource is deployed all the same.
	in := &instance{sym: sym, address: address, env: e, deployed: !sym.decl.Existing,
		wholeResource: copyMap(st.assumed), affects: map[string][]string{}}
	e = e.with(nestedNames(sym))
	typ, apiVersion := splitType(sym.decl.Type, d.file)
	body := map[string]any{}
	var parentRef *instance
	var scopeExpr ast.Expr
	if parent != nil {
		parentRef = parent
		if !strings.Contains(typ, "/") || !strings.Contains(typ, ".") {
			typ = parent.typ + "/" + typ
		}
		if apiVersion == "" {
			apiVersion, _ = parent.body["apiVersion"].(string)
		}
	}
	if obj != nil {
		for _, item := range obj.Items {
			prop, ok := item.(*ast.Property)
			if !ok {
				continue
			}
			key, ok := d.key(prop.Key, e, st)
			if !ok {
				continue
			}
			switch strings.ToLower(key) {
			case "parent":
				if ref, ok := d.eval(prop.Value, e, st).(*resourceRef); ok {
					parentRef = ref.inst
				} else {
					d.errorAt(prop.Value, "The parent property does not name a resource", "set parent to the symbolic name of the parent resource")
				}
				continue
			case "scope":
				scopeExpr = prop.Value
				continue
			case "dependson":
				continue
			}
			own := &state{}
			body[key] = d.propertyValue(prop, e, own)
			for path := range own.assumed {
				in.affects[path] = append(in.affects[path], key)
			}
			st.add(own.assumed)
		}
		d.markUnreadBody(obj, body)
	}
	name := body["name"]
	in.ownName = name
	if parentRef != nil {
		name = joinName(parentRef.name, name)
	}
	in.typ, in.name, in.body = typ, name, body
	d.place(in, parentRef, scopeExpr, e, st)
	body["type"] = typ
	if apiVersion != "" {
		body["apiVersion"] = apiVersion
	}
	if name != nil {
		body["name"] = name
	}
	in.assumed = st.assumed
	return in
}

// place works out where a resource lands and its ID: in the deployment's scope, in the one its
// scope property names, or (an extension resource) on the resource its scope property refers to.
// A child lands where its parent does.
func (d *deployment) place(in *instance, parent *instance, scopeExpr ast.Expr, e *env, st *state) {
	where, extensionOf := d.scope, ""
	if parent != nil {
		in.subscriptionID, in.resourceGroup = parent.subscriptionID, parent.resourceGroup
		id, ok := parent.id.(string)
		if !ok {
			in.id = parent.id // unknown, with the parent's reason
			return
		}
		extensionOf = id
	}
	if scopeExpr != nil {
		if target, ok := d.scopeTarget(scopeExpr, e, st); ok {
			where = d.scope.Nested(target, nil, "resource "+in.sym.name)
		} else {
			switch v := d.eval(scopeExpr, e, st).(type) {
			case *resourceRef:
				extensionOf, _ = v.property("id").(string)
				if extensionOf == "" {
					in.id = &resource.Unknown{Reason: fmt.Sprintf("the ID of %s is unknown: it extends %s, whose ID is unknown", in.address, v.inst.address)}
					return
				}
			default:
				in.id = &resource.Unknown{Reason: fmt.Sprintf("the ID of %s is unknown: its scope (%s) is not known offline", in.address, d.file.text(scopeExpr))}
				return
			}
		}
	}
	name, ok := in.name.(string)
	if !ok {
		reason := "its name is unknown"
		if u, isUnknown := in.name.(*resource.Unknown); isUnknown {
			reason += ": " + u.Reason
		}
		in.id = &resource.Unknown{Reason: fmt.Sprintf("the ID of %s is unknown: %s", in.address, reason)}
		return
	}
	if parent != nil && extensionOf != "" {
		// The parent's ID already holds the parent's name; the child adds its own type and name.
		typ, own := in.typ[strings.LastIndex(in.typ, "/")+1:], name[strings.LastIndex(name, "/")+1:]
		in.id = extensionOf + "/" + typ + "/" + own
		return
	}
	id, subscriptionID, resourceGroup := where.Place(in.typ, name, extensionOf)
	in.subscriptionID, in.resourceGroup = subscriptionID, resourceGroup
	if id == "" {
		reason := where.Missing()
		if reason == "" {
			reason = fmt.Sprintf("its name %q does not fit its type %s", name, in.typ)
		}
		in.id = &resource.Unknown{Reason: fmt.Sprintf("the ID of %s is unknown: %s", in.address, reason)}
		return
	}
	in.id = id
}

func joinName(parent, child any) any {
	p, ok1 := parent.(string)
	c, ok2 := child.(string)
	if ok1 && ok2 {
		return p + "/" + c
	}
	if u := firstUnknown(parent, child); u != nil {
		return u
	}
	return child
}

// splitType reads 'Microsoft.X/y@version' into type and API version.
func splitType(s *ast.StringLit, f *sourceFile) (string, string) {
	text, ok := s.Literal()
	if !ok {
		text = f.text(s)
	}
	typ, version, _ := strings.Cut(text, "@")
	// 'az:Microsoft.X/y@v' names the extension the type comes from.
	if alias, rest, ok := strings.Cut(typ, ":"); ok && !strings.Contains(alias, "/") {
		typ = rest
	}
	return typ, version
}

func copyMap(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// deploy turns the deployed instances of a declaration, and of the resources nested in it, into
// resources.
func (d *deployment) deploy(sym *resourceSym) []*resource.Resource {
	var out []*resource.Resource
	for _, in := range d.instances(sym) {
		if !in.deployed {
			continue
		}
		out = append(out, d.toResource(in))
	}
	for _, child := range sym.children {
		out = append(out, d.deploy(child)...)
	}
	return out
}

func (d *deployment) toResource(in *instance) *resource.Resource {
	decl := in.sym.decl
	body, _ := final(in.body).(map[string]any)
	name, _ := in.name.(string)
	if name == "" {
		if n := resourceBody(decl.Value); n != nil {
			for _, item := range n.Items {
				if p, ok := item.(*ast.Property); ok {
					if k, ok := p.Key.(*ast.Ident); ok && k.Name == "name" {
						name = d.file.text(p.Value)
					}
				}
			}
		}
	}
	id, _ := in.id.(string)
	r := &resource.Resource{
		Type:           in.typ,
		Name:           name,
		ID:             id,
		SubscriptionID: in.subscriptionID,
		ResourceGroup:  in.resourceGroup,
		Body:           body,
		Provenance: resource.Provenance{
			Source:  "bicep",
			Range:   d.file.rangeOf(decl.Pos(), decl.End()),
			Address: in.address,
		},
		Suppressions: d.file.suppressions(decl.Header),
		Secrets:      d.secrets(),
	}
	for _, k := range sortedKeys(in.assumed) {
		if _, whole := in.wholeResource[k]; whole || len(in.affects[k]) == 0 {
			r.Assume(k, in.assumed[k])
			continue
		}
		r.Assume(k, in.assumed[k], in.affects[k]...)
	}
	return r
}

// final deep-copies a value into a resource body: plain values only, shared by no other body.
func final(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, val := range x {
			out[k] = final(val)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, val := range x {
			out[i] = final(val)
		}
		return out
	case *resourceRef:
		return x.property("id")
	case *moduleRef:
		return &resource.Unknown{Reason: "a module is not a value"}
	case *funcs.Lambda:
		return &resource.Unknown{Reason: "a lambda is not a value"}
	}
	return v
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	return keys
}
