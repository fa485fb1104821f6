package arm

import (
	"bytes"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/lensix/lensix/internal/diag"
	"github.com/lensix/lensix/internal/resource"
	"github.com/lensix/lensix/internal/source/arm/funcs"
	"github.com/lensix/lensix/internal/source/arm/jsonpos"
)

const deploymentsType = "Microsoft.Resources/deployments"

// parent is what a nested child resource inherits from the resource it is declared in.
type parent struct {
	typ, name, address string
	loops              []loop
	assumed            assumptions
}

// resources evaluates the deployment's resources section: an array, or (languageVersion 2.0)
// an object keyed by symbolic name.
func (d *deployment) resources() []*resource.Resource {
	res := d.tmpl.Get("resources")
	if res == nil {
		return nil
	}
	var decls []*declState
	switch res.Kind {
	case jsonpos.Array:
		for _, rn := range res.Elems {
			decls = append(decls, &declState{node: rn})
		}
	case jsonpos.Object:
		for _, f := range res.Fields {
			decls = append(decls, &declState{node: f.Value, symbol: f.Key})
		}
	default:
		d.l.report(d.src.file, res.Start, diag.Error, "\"resources\" must be an array or an object", "list the resources in an array")
	}
	// Nested deployments go first, so the other resources can read their outputs through
	// reference(); each group keeps the template's order. A declaration reference() reads
	// before its turn is evaluated then (see evalPending), and its turn reuses the result.
	for _, deployments := range []bool{true, false} {
		for _, dc := range decls {
			if isDeploymentDecl(dc.node) == deployments {
				d.decls = append(d.decls, dc)
			}
		}
	}
	var out []*resource.Resource
	for _, dc := range d.decls {
		out = append(out, d.evalDecl(dc)...)
	}
	return out
}

func isDeploymentDecl(rn *jsonpos.Node) bool {
	t := rn.Get("type")
	return t != nil && t.Kind == jsonpos.String && strings.EqualFold(t.Str, deploymentsType)
}

// declaration expands one resource declaration into its deployed instances: none when it is
// `existing` or its condition is false, one per copy index, plus nested children and the
// resources of nested deployments.
func (d *deployment) declaration(rn *jsonpos.Node, symbol string, p *parent) []*resource.Resource {
	if rn.Kind != jsonpos.Object {
		d.l.report(d.src.file, rn.Start, diag.Error, "A resource must be an object", "write the resource as {\"type\": ..., \"name\": ...}")
		return nil
	}
	if isTrue(rn.Get("existing")) {
		return nil
	}
	address := symbol
	if address == "" {
		if n := rn.Get("name"); n != nil && n.Kind == jsonpos.String {
			address = n.Str
		}
	}
	if p != nil {
		address = p.address + "/" + address
	} else {
		address = d.path + address
	}
	base := d.ctx()
	if p != nil {
		base.loops = p.loops
		base.assumed.add(p.assumed)
	}
	cp := rn.Get("copy")
	if cp == nil {
		return d.instance(rn, base, address, symbol, p)
	}
	name := ""
	if n := cp.Get("name"); n != nil {
		name = n.Str
	}
	count, u := base.count(cp)
	if count == 0 && u == nil {
		d.offByDefaults(rn, base, p, cp.Get("count"), "copy count", "0", func(v any) bool {
			n, ok := funcs.AsInt(v)
			return ok && n == 0
		})
	}
	if u != nil {
		base.assumed.set("copy", "the copy loop's count is unknown ("+u.Reason+"); one instance stands for all")
		return d.instance(rn, base.with(loop{name: name, index: u, resource: true}), address+"[*]", "", p)
	}
	var out []*resource.Resource
	for i := 0; i < count && !d.l.budget.stopped; i++ {
		c := base.with(loop{name: name, index: int64(i), resource: true})
		c.assumed = assumptions{}
		c.assumed.add(base.assumed)
		copySymbol := ""
		if symbol != "" {
			copySymbol = fmt.Sprintf("%s[%d]", symbol, i)
		}
		out = append(out, d.instance(rn, c, fmt.Sprintf("%s[%d]", address, i), copySymbol, p)...)
	}
	return out
}

// instance evaluates one deployed instance of a declaration; symbol is its symbolic name when it
// has one ("name[i]" for a copy of a loop).
func (d *deployment) instance(rn *jsonpos.Node, c *evalCtx, address, symbol string, p *parent) []*resource.Resource {
	maybeDeployed := false // its condition is unknown
	if cond := rn.Get("condition"); cond != nil {
		switch v := c.value(cond).(type) {
		case bool:
			if !v {
				d.offByDefaults(rn, c, p, cond, "condition", "false", func(v any) bool { return v == false })
				return nil
			}
		case *resource.Unknown:
			maybeDeployed = true
			c.assumed.set("condition", "the resource's condition is unknown ("+v.Reason+"); it is assumed deployed")
		default:
			d.l.report(d.src.file, cond.Start, diag.Error, fmt.Sprintf("The condition is a %s, not a bool", funcs.TypeName(v)),
				"make the condition evaluate to true or false; the resource is assumed deployed")
		}
	}
	if !d.l.countInstance(d.src.file, rn.Start) {
		return nil
	}
	typ := d.text(c, rn, "type")
	if p != nil && !strings.Contains(typ, "/") {
		typ = p.typ + "/" + typ
	}
	// Assumptions made so far (condition, copy count, type) bear on the whole resource; those of
	// the name and of each top-level property are recorded against that property.
	wholeResource := make(assumptions, len(c.assumed))
	wholeResource.add(c.assumed)
	affects := map[string][]string{}
	nameValue := any(nil)
	name := ""
	if n := rn.Get("name"); n != nil {
		nameValue = c.valueOf("name", n, affects)
		if s, ok := nameValue.(string); ok {
			name = s
			if p != nil && strings.Count(name, "/") < strings.Count(typ, "/")-1 {
				name = p.name + "/" + name
				nameValue = name
			}
		} else if n.Kind == jsonpos.String {
			name = n.Str
		}
	} else {
		d.l.report(d.src.file, rn.Start, diag.Error, "The resource has no name", "add \"name\"")
	}
	isDeployment := strings.EqualFold(typ, deploymentsType)
	target := d.target
	var scopeAssumed assumptions
	if isDeployment {
		// The deployment resource lives in the scope it deploys to, as its resources do.
		target, scopeAssumed = d.nestedScope(rn, c, address)
	}
	// reference() may read it from now on; until its body is done, it refers to itself.
	declaredName, _ := nameValue.(string)
	decl := d.declare(typ, declaredName, symbol, rn.Get("scope") == nil, address)
	body := make(map[string]any, len(rn.Fields))
	for _, f := range rn.Fields {
		switch strings.ToLower(f.Key) {
		case "resources", "copy", "condition", "existing", "dependson", "comments", "metadata":
			continue
		case "properties":
			if isDeployment && f.Value.Kind == jsonpos.Object {
				body[f.Key] = c.deploymentProperties(f.Value)
				continue
			}
		}
		body[c.key(f)] = c.valueOf(f.Key, f.Value, affects)
	}
	body["type"] = typ
	if nameValue != nil {
		body["name"] = nameValue
	}
	idName, _ := nameValue.(string)
	extensionOf := ""
	if v, ok := body["scope"]; ok && !isDeployment {
		if extensionOf, _ = v.(string); extensionOf == "" {
			idName = "" // an extension of something unknown has no known ID
		}
	}
	id, subscriptionID, resourceGroup := target.Place(typ, idName, extensionOf)
	d.checkName(rn, typ, idName, extensionOf, target, restsOn(affects, "name"), len(c.loops) > 0 || maybeDeployed)
	if !d.l.countBody(d.src.file, rn.Start, body) {
		decl.done(nil, "", nil)
		return nil
	}
	decl.done(body, id, c.assumed)
	r := &resource.Resource{
		Type:           typ,
		Name:           name,
		ResourceGroup:  resourceGroup,
		SubscriptionID: subscriptionID,
		ID:             id,
		Body:           body,
		Provenance: resource.Provenance{
			Source:  "arm",
			Range:   d.src.file.Range(rn.Start, rn.End),
			Address: address,
		},
		Suppressions: d.suppressions(rn),
	}
	assume(r, c.assumed, wholeResource, affects)
	out := []*resource.Resource{r}
	if isDeployment {
		out = append(out, d.nested(rn, c, r, address, name, symbol, target, scopeAssumed)...)
	}
	if children := rn.Get("resources"); children != nil && children.Kind == jsonpos.Array {
		me := &parent{typ: typ, name: name, address: address, loops: c.loops, assumed: c.assumed}
		for _, child := range children.Elems {
			out = append(out, d.declaration(child, "", me)...)
		}
	}
	return out
}

// assume records a's assumptions on r: those in wholeResource bear on all of it, the others on
// the top-level properties affects lists for them.
func assume(r *resource.Resource, a, wholeResource assumptions, affects map[string][]string) {
	paths := make([]string, 0, len(a))
	for k := range a {
		paths = append(paths, k)
	}
	sort.Strings(paths)
	for _, k := range paths {
		if _, whole := wholeResource[k]; whole || len(affects[k]) == 0 {
			r.Assume(k, a[k])
			continue
		}
		r.Assume(k, a[k], affects[k]...)
	}
}

// valueOf evaluates a resource's top-level property key, noting in affects which assumptions
// its value rests on, and adds them to c's.
func (c *evalCtx) valueOf(key string, n *jsonpos.Node, affects map[string][]string) any {
	own := *c
	own.assumed = nil // most properties rest on no assumption: allocate only when one is made
	v := own.value(n)
	for path := range own.assumed {
		if !slices.Contains(affects[path], key) { // the name is evaluated twice: for Name and for the body
			affects[path] = append(affects[path], key)
		}
	}
	c.assumed.add(own.assumed)
	return v
}

// text evaluates a member that must be a string (a resource's type), falling back to its
// source text.
func (d *deployment) text(c *evalCtx, rn *jsonpos.Node, key string) string {
	n := rn.Get(key)
	if n == nil {
		d.l.report(d.src.file, rn.Start, diag.Error, fmt.Sprintf("The resource has no %s", key), fmt.Sprintf("add %q", key))
		return ""
	}
	if s, ok := c.value(n).(string); ok {
		return s
	}
	if n.Kind == jsonpos.String {
		return n.Str
	}
	d.l.report(d.src.file, n.Start, diag.Error, fmt.Sprintf("The resource's %s is a %s, not a string", key, n.Kind),
		fmt.Sprintf("write the %s as a string, such as \"Microsoft.ApiManagement/service\"; the resource is evaluated without one", key))
	return ""
}

// deploymentProperties evaluates a nested deployment's properties without its template, which
// is evaluated as a deployment of its own.
func (c *evalCtx) deploymentProperties(n *jsonpos.Node) any {
	out := make(map[string]any, len(n.Fields))
	for _, f := range n.Fields {
		if strings.EqualFold(f.Key, "template") {
			continue
		}
		out[c.key(f)] = c.value(f.Value)
	}
	return out
}

// suppressions reads "metadata": {"lensix": {"ignore": [{"check": ..., "reason": ...}]}} and
// `lensix:ignore[...]` comments above the resource.
func (d *deployment) suppressions(rn *jsonpos.Node) []resource.Suppression {
	var out []resource.Suppression
	if ignore := rn.Get("metadata").Get("lensix").Get("ignore"); ignore != nil {
		if ignore.Kind != jsonpos.Array {
			d.l.report(d.src.file, ignore.Start, diag.Warning, "metadata.lensix.ignore must be an array",
				`write "ignore": [{"check": "check_id", "reason": "why"}]`)
		}
		for _, e := range ignore.Elems {
			check, reason := e.Get("check"), e.Get("reason")
			if check == nil || check.Kind != jsonpos.String || check.Str == "" {
				d.l.report(d.src.file, e.Start, diag.Warning, "A lensix ignore entry has no check", `write {"check": "check_id", "reason": "why"}`)
				continue
			}
			s := resource.Suppression{CheckID: check.Str, Range: d.src.file.Range(e.Start, e.End), InMetadata: true}
			if reason != nil && reason.Kind == jsonpos.String {
				s.Reason = reason.Str
			}
			out = append(out, s)
		}
	}
	if d.src.hasInline {
		line := d.src.file.Position(rn.Start).Line
		out = append(out, resource.InlineSuppressions(d.src.name, d.src.file.Source(), line)...)
	}
	return out
}

// nested evaluates the template of a Microsoft.Resources/deployments resource: inline, or
// linked by a relative path to a local file.
func (d *deployment) nested(rn *jsonpos.Node, c *evalCtx, r *resource.Resource, address, name, symbol string, scope funcs.Scope, scopeAssumed assumptions) []*resource.Resource {
	props := rn.Get("properties")
	if props == nil {
		return nil
	}
	if d.depth+1 >= maxNesting {
		notEvaluated(r, d.skip(rn, diag.Error, fmt.Sprintf("Deployments are nested more than %d deep", maxNesting),
			fmt.Sprintf("lensix follows deployments up to %d deep; the resources this one deploys were not checked", maxNesting)))
		return nil
	}
	inner := false
	if s := props.Get("expressionEvaluationOptions").Get("scope"); s != nil {
		v, _ := c.value(s).(string)
		inner = strings.EqualFold(v, "inner")
	}
	prefix := address + " > "
	src, tmpl, chain := d.src, props.Get("template"), d.chain
	if tmpl == nil {
		link := props.Get("templateLink")
		if link == nil {
			return nil
		}
		var why string
		if src, why = d.linked(c, link, address); src == nil {
			notEvaluated(r, why)
			return nil
		}
		tmpl, inner = src.root, true
		chain = append(slices.Clip(d.chain), chainLink{file: path.Clean(src.name), path: prefix})
	}
	if !inner {
		nd := d.l.newDeployment(src, tmpl, scope, prefix, nil, d)
		nd.scope = d.scope // an outer-scope template's functions answer for the parent deployment
		nd.loops = c.loops
		return assumeAll(nd.resources(), scopeAssumed)
	}
	params := map[string]suppliedParam{}
	if ps := props.Get("parameters"); ps != nil && ps.Kind == jsonpos.Object {
		for _, f := range ps.Fields {
			pc := &evalCtx{d: d, loops: c.loops, assumed: assumptions{}}
			sp := suppliedParam{name: f.Key, from: "deployment " + address, file: d.src.file, keyAt: f.KeyStart, valueAt: f.Value.Start}
			switch {
			case f.Value.Get("value") != nil:
				sp.value = pc.value(f.Value.Get("value"))
				sp.valueAt = f.Value.Get("value").Start
			case f.Value.Get("reference") != nil:
				sp.value = &resource.Unknown{Reason: fmt.Sprintf("parameter %q is a Key Vault secret reference, read at deployment", f.Key)}
			default:
				sp.value = passedValue(pc.value(f.Value), f.Key) // an expression, or a "value" built by a property copy loop
			}
			sp.assumed = pc.assumed
			params[strings.ToLower(f.Key)] = sp
		}
	}
	declared := declaredParameters(tmpl)
	for _, k := range sortedKeys(params) {
		if _, ok := declared[k]; !ok {
			d.l.undeclaredParameter(params[k], declared, "the deployment's template")
		}
	}
	nd := d.l.newDeployment(src, tmpl, scope, prefix, params, nil)
	nd.depth, nd.chain, nd.passedBy = d.depth+1, chain, address
	if props.Get("parametersLink") == nil {
		d.checkPassed(rn, tmpl, name)
	}
	out := assumeAll(nd.run(), scopeAssumed)
	if name != "" {
		d.deployments["name:"+strings.ToLower(name)] = nd
	}
	if symbol != "" {
		d.deployments["symbol:"+strings.ToLower(symbol)] = nd
	}
	return out
}

// nestedScope is the scope a Microsoft.Resources/deployments resource deploys its template to:
// the resourceGroup, subscriptionId and scope properties name it, the parent's fills the rest.
func (d *deployment) nestedScope(rn *jsonpos.Node, outer *evalCtx, address string) (funcs.Scope, assumptions) {
	what := "nested deployment " + address
	// What the scope rests on bears on every resource the deployment deploys.
	c := *outer
	c.assumed = assumptions{}
	defer outer.assumed.add(c.assumed)
	// Without scope properties it deploys where its parent does, whatever its $schema says.
	target := funcs.Target{Level: d.target.Level}
	schemaLevel := target.Level
	if tmpl := rn.Get("properties").Get("template"); tmpl != nil && tmpl.Get("$schema") != nil {
		schemaLevel = templateLevel(tmpl)
	}
	if n := rn.Get("scope"); n != nil {
		v := scopeText(c.value(n), "scope")
		switch s, _ := v.(string); {
		case s == "/":
			target.Level = funcs.TenantLevel
		case s != "":
			if mg, ok := funcs.ManagementGroupOf(s); ok {
				target.Level, target.ManagementGroup = funcs.ManagementGroupLevel, mg
			}
		default:
			target.Level, target.ManagementGroup = schemaLevel, v
		}
	}
	group, sub := rn.Get("resourceGroup"), rn.Get("subscriptionId")
	if sub != nil {
		target.SubscriptionID = scopeText(c.value(sub), "subscriptionId")
		// Without a resourceGroup it targets the subscription when it says so (a location, a
		// subscription template), else the parent's resource group in that subscription.
		target.Level = funcs.ResourceGroupLevel
		if group == nil && (rn.Get("location") != nil || schemaLevel == funcs.SubscriptionLevel) {
			target.Level = funcs.SubscriptionLevel
		}
	}
	if group != nil {
		target.Level = funcs.ResourceGroupLevel
		target.ResourceGroup = scopeText(c.value(group), "resourceGroup")
	}
	if n := rn.Get("location"); n != nil && target.Level != funcs.ResourceGroupLevel {
		target.Location = scopeText(c.value(n), "location")
	}
	var name any = &resource.Unknown{Reason: "the nested deployment's name is unknown"}
	if n := rn.Get("name"); n != nil {
		name = scopeText(outer.value(n), "name")
	}
	return d.target.Nested(target, name, what), c.assumed
}

// assumeAll records a on every resource of rs.
func assumeAll(rs []*resource.Resource, a assumptions) []*resource.Resource {
	for _, r := range rs {
		for _, k := range sortedKeys(a) {
			r.Assume(k, a[k])
		}
	}
	return rs
}

// scopeText keeps a string or an unknown; any other value is unknown, as Resource Manager
// would refuse it.
func scopeText(v any, property string) any {
	switch v.(type) {
	case string, *resource.Unknown:
		return v
	}
	return &resource.Unknown{Reason: fmt.Sprintf("the nested deployment's %s is a %s, not a string", property, funcs.TypeName(v))}
}

// linked loads a linked template from a local file: a relativePath, a relative uri, or the
// relative part of uri(base, 'nested/x.json') when the base (typically _artifactsLocation) is
// known only at deployment. A remote or unknown location, or a template spec, is a warning:
// lensix reads only local files. address is the deployment's, to name a cycle.
func (d *deployment) linked(c *evalCtx, link *jsonpos.Node, address string) (*sourceFile, string) {
	key := "relativePath"
	target := link.Get(key)
	if target == nil {
		key = "uri"
		target = link.Get(key)
	}
	if target == nil {
		if id := link.Get("id"); id != nil {
			spec, _ := c.value(id).(string)
			return nil, d.skipUnread(id, strings.Join(strings.Fields("The linked template spec "+spec+" was not fetched"), " "),
				"lensix reads only local files, so the resources it deploys were not checked; scan a local copy of the template spec's template as well")
		}
		return nil, ""
	}
	rel, ok := c.value(target).(string)
	if !ok {
		lc := *c
		lc.linkMode, lc.assumed = true, assumptions{}
		if rel, ok = lc.value(target).(string); ok {
			rel, _, _ = strings.Cut(rel, "?")
			if name := d.localPath(rel); name != "" {
				if fileExists(name) {
					return d.readLinked(name, target, key, rel, address)
				}
				// It may be staged at the artifacts location only, so this is a link not read, not an error.
				return nil, d.skipUnread(target, "The linked template "+rel+" is not beside the template",
					"the resources it deploys were not checked; lensix looked for "+name)
			}
		}
		return nil, d.skipUnread(target, "The linked template's location is not known offline",
			"the resources it deploys were not checked; scan the linked template file as well")
	}
	if strings.Contains(rel, "://") {
		return nil, d.skipUnread(target, "The linked template "+resource.MaskCredentials(rel)+" is remote and was not fetched",
			"lensix reads only local files, so the resources it deploys were not checked; scan a local copy of the linked template as well")
	}
	return d.readLinked(d.localPath(rel), target, key, rel, address)
}

// readLinked reads the local file name that target (the templateLink's key, written rel)
// names. A file already on the chain of deployments that led here is a cycle: reported at the
// link and not evaluated again, as each pass would link it once more.
func (d *deployment) readLinked(name string, target *jsonpos.Node, key, rel, address string) (*sourceFile, string) {
	rel = path.Clean(strings.ReplaceAll(rel, "\\", "/"))
	if name == "" {
		return nil, d.skip(target, diag.Error, fmt.Sprintf("The linked template's %s is empty", key), "name the linked template file")
	}
	name = path.Clean(name)
	d.l.linkedBy[name] = append(d.l.linkedBy[name], path.Clean(d.src.name))
	for _, link := range d.chain {
		if link.file == name {
			return nil, d.skip(target, diag.Error, fmt.Sprintf("%s links to itself through %s", rel, copyIndex.ReplaceAllString(strings.TrimPrefix(address, link.path), "${2}")),
				"a deployment that deploys its own template again never ends; lensix did not evaluate the linked template again here")
		}
	}
	if !fileExists(name) {
		return nil, d.skip(target, diag.Error, fmt.Sprintf("linked template %s (%s) not found", rel, key),
			"lensix looked for "+name+"; the resources it deploys were not checked")
	}
	if f := d.l.read(name); f != nil {
		return f, ""
	}
	return nil, "the linked template " + rel + " cannot be read" // read reported why, in the file
}

// skip reports why a nested deployment's template is not evaluated, at n, and returns the
// summary as the reason.
func (d *deployment) skip(n *jsonpos.Node, sev diag.Severity, summary, detail string) string {
	d.l.report(d.src.file, n.Start, sev, summary, detail)
	return summary
}

// skipUnread reports, as skip does with a warning, a linked template lensix does not read (a
// remote URL, a template spec, a file staged at the artifacts location only): the resources it
// deploys are unchecked.
func (d *deployment) skipUnread(n *jsonpos.Node, summary, detail string) string {
	d.l.add(d.src.file, n.Start, diag.Diagnostic{Severity: diag.Warning, Summary: summary, Detail: detail, Unchecked: true})
	return summary
}

// notEvaluated marks a deployment whose template was not evaluated: its template is unknown,
// so what it deploys shows as unknown rather than as nothing.
func notEvaluated(r *resource.Resource, why string) {
	if props, ok := r.Body["properties"].(map[string]any); ok && why != "" {
		props["template"] = &resource.Unknown{Reason: "the deployment's template was not evaluated: " + strings.ToLower(why[:1]) + why[1:]}
	}
}

// copyIndex matches the copy index in an address, left out of a cycle's name so that a copy
// loop of links is one diagnostic.
var copyIndex = regexp.MustCompile(`\[(\d+|\*)\]( > |$)`)

// localPath resolves a relative template location against the directory of the template.
func (d *deployment) localPath(rel string) string {
	if rel == "" || strings.Contains(rel, "://") {
		return ""
	}
	return path.Join(path.Dir(d.src.name), strings.ReplaceAll(rel, "\\", "/"))
}

func fileExists(name string) bool {
	st, err := os.Stat(filepath.FromSlash(name))
	return err == nil && st.Mode().IsRegular()
}

// hasInlineMarker reports whether a file mentions inline suppressions at all, so most files
// skip the per-resource comment scan.
func hasInlineMarker(src []byte) bool { return bytes.Contains(src, []byte("lensix:ignore")) }
