package terraform

import (
	"bytes"
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/function"

	"github.com/lensix/lensix/internal/diag"
	"github.com/lensix/lensix/internal/resource"
)

// Values carry two kinds of cty marks through evaluation: why a value is unknown, and which
// variable defaults it was derived from. Marks follow values through every operator and function,
// so a resource's assumptions are exactly the defaults its values depend on.
type unknownMark struct{ reason string }

type defaultMark struct{ name, message string }

// sensitiveMark marks a value derived from a sensitive variable, a sensitive module output or a
// sensitive() call; the converter adds the string leaves it reaches to the resource's Secrets,
// so a secret transformed by lower(), replace() or substr() is masked too.
type sensitiveMark struct{}

// unknownVal is a value lensix cannot know, with the reason a user will read.
func unknownVal(reason string) cty.Value {
	return cty.DynamicVal.Mark(unknownMark{reason})
}

const afterApply = "known only after apply"

// maxInstances caps count and for_each, so that a typo like count = 1e9 cannot stall a scan.
const maxInstances = 1000

var terraformObj = cty.ObjectVal(map[string]cty.Value{"workspace": cty.StringVal("default")})

type rootResult struct {
	resources []*resource.Resource
	diags     diag.Diagnostics
	secrets   []string
}

// rootState is what the evaluation of one root module and its module tree accumulates. One
// goroutine evaluates one root, so nothing here is locked.
type rootState struct {
	ld        *loader
	rootDir   string
	resources []*resource.Resource
	diags     diag.Diagnostics
	seenDiag  map[string]bool
	manifest  map[string]string
	manifestR bool
	funcs     map[string]map[string]function.Function // by module dir
	// evalRange is the expression being evaluated, where a refused file read is reported.
	evalRange hcl.Range
	// secrets are the known values of sensitive variables, root and module.
	secrets []string
}

// functions are the functions of the module in dir, whose file functions report a refused
// path at the expression being evaluated.
func (rs *rootState) functions(dir string) map[string]function.Function {
	if f, ok := rs.funcs[dir]; ok {
		return f
	}
	scope := &fileScope{dir: dir, root: rs.ld.root, refused: func(name string) {
		rs.add(diag.Diagnostic{Severity: diag.Warning, Summary: "lensix did not read " + name + ": it is outside the scanned folder",
			Detail: outsideReason(name) + ", so that scanning untrusted code cannot copy the files of the machine running the scan into a report. " +
				"The value is unknown.",
			Range: toRange(rs.evalRange)})
	}}
	if rs.funcs == nil {
		rs.funcs = map[string]map[string]function.Function{}
	}
	rs.funcs[dir] = moduleFunctions(scope)
	return rs.funcs[dir]
}

func (rs *rootState) add(d diag.Diagnostic) {
	key := d.Range.String() + "\x00" + d.Summary
	if rs.seenDiag[key] {
		return
	}
	rs.seenDiag[key] = true
	rs.diags = append(rs.diags, d)
}

// addOnce adds d unless a diagnostic with the same key was added before.
func (rs *rootState) addOnce(key string, d diag.Diagnostic) {
	if rs.seenDiag["once\x00"+key] {
		return
	}
	rs.seenDiag["once\x00"+key] = true
	rs.diags = append(rs.diags, d)
}

func (rs *rootState) moduleManifest() map[string]string {
	if !rs.manifestR {
		rs.manifestR = true
		rs.manifest, _ = readModuleManifest(rs.rootDir)
	}
	return rs.manifest
}

// evaluateRoot evaluates one root module. Unless another module call shares it, the root's parse
// tree is private to this call and released when it returns.
func (ld *loader) evaluateRoot(dir string) (res rootResult) {
	rs := &rootState{ld: ld, rootDir: dir, seenDiag: map[string]bool{}}
	def := ld.cachedModule(dir)
	if def == nil {
		if files, ok := ld.takePending(dir); ok {
			def = parseFiles(dir, files)
		} else {
			def = parseModule(dir)
		}
	}
	for _, d := range ld.diagsOnce(def) {
		rs.add(d)
	}
	defer func() {
		if r := recover(); r != nil {
			rs.add(diag.Diagnostic{Severity: diag.Error, Summary: "Internal error while evaluating module " + def.dir,
				Detail: fmt.Sprintf("%v; please report this with the file that caused it", r), Range: resource.Range{Filename: def.dir}})
		}
		sortResources(rs.resources)
		res = rootResult{rs.resources, rs.diags, rs.secrets}
	}()
	vars := ld.rootVariables(def, rs)
	real, err := filepath.EvalSymlinks(filepath.FromSlash(def.dir))
	if err != nil {
		real = def.dir
	}
	in := newInstance(rs, def, "", "", vars, []string{real})
	in.run()
	return res
}

func sortResources(rs []*resource.Resource) {
	sort.SliceStable(rs, func(i, j int) bool {
		a, b := rs[i].Provenance, rs[j].Provenance
		if a.Range.Filename != b.Range.Filename {
			return a.Range.Filename < b.Range.Filename
		}
		if a.Range.Start.Byte != b.Range.Start.Byte {
			return a.Range.Start.Byte < b.Range.Start.Byte
		}
		return a.Address < b.Address
	})
}

// instance is one instance of a module: the root, or one module call (one per count/for_each key).
type instance struct {
	rs      *rootState
	def     *moduleDef
	addr    string // address prefix: "" or `module.a["x"].`
	key     string // module key as modules.json spells it: "" or "a.b"
	varObj  cty.Value
	pathObj cty.Value
	stack   []string // real paths of the module dirs being evaluated, for cycle detection

	locals map[string]*lazyVal
	attrs  map[string]*lazyVal
	calls  map[string]*lazyVal
	keys   map[*resourceDef]*instanceKeys
	// notes are assumptions every resource of this instance carries (an unknown module count).
	notes []resource.Assumption
}

type lazyVal struct {
	busy, done bool
	val        cty.Value
}

func newInstance(rs *rootState, def *moduleDef, addr, key string, vars map[string]cty.Value, stack []string) *instance {
	return &instance{
		rs: rs, def: def, addr: addr, key: key, stack: stack,
		varObj: cty.ObjectVal(vars),
		pathObj: cty.ObjectVal(map[string]cty.Value{
			"module": cty.StringVal(def.dir), "root": cty.StringVal(rs.rootDir), "cwd": cty.StringVal("."),
		}),
		locals: map[string]*lazyVal{}, attrs: map[string]*lazyVal{}, calls: map[string]*lazyVal{},
		keys: map[*resourceDef]*instanceKeys{},
	}
}

func (in *instance) run() {
	for _, rd := range in.def.resources {
		in.expandResource(rd)
	}
	for _, call := range in.def.calls {
		in.callValue(call.name)
	}
}

// eval evaluates expr in this instance with extra names (count, each, dynamic iterators) in
// scope. Errors become unknown values and warnings: one bad expression never drops a resource.
func (in *instance) eval(expr hcl.Expression, extra map[string]cty.Value) (val cty.Value) {
	if expr == nil {
		return cty.NullVal(cty.DynamicPseudoType)
	}
	if v, ok := literal(expr); ok {
		return v
	}
	defer func() {
		if r := recover(); r != nil {
			in.rs.add(diag.Diagnostic{Severity: diag.Warning, Summary: "lensix could not evaluate this expression",
				Detail: fmt.Sprintf("%v; the value is treated as unknown", r), Range: toRange(expr.Range())})
			val = unknownVal("lensix could not evaluate this expression")
		}
	}()
	ctx := in.context(expr, extra)
	prevRange := in.rs.evalRange
	in.rs.evalRange = expr.Range()
	defer func() { in.rs.evalRange = prevRange }()
	v, hd := expr.Value(ctx)
	if hd.HasErrors() {
		for _, d := range fromHCL(hd, "lensix treats the value as unknown.") {
			d.Severity = diag.Warning
			in.rs.add(d)
		}
		first := hd.Errs()[0].Error()
		if d, ok := hd.Errs()[0].(*hcl.Diagnostic); ok {
			first = d.Summary
			if d.Detail != "" {
				first += ": " + strings.TrimSuffix(d.Detail, ".")
			}
		}
		return unknownVal("cannot be evaluated: " + first)
	}
	if !v.IsWhollyKnown() {
		if _, marks := v.Unmark(); reasonOf(marks, "") == "" {
			if reason := unknownInput(expr, ctx); reason != "" {
				v = v.Mark(unknownMark{reason})
			}
		}
	}
	return v
}

// unknownInput finds why a value is unknown when an operator or function dropped the reason
// (a conditional on an unknown, merge() of one): the reason of the first reference expr makes
// whose value is unknown for a known reason.
func unknownInput(expr hcl.Expression, ctx *hcl.EvalContext) string {
	for _, tr := range expr.Variables() {
		val, hd := tr.TraverseAbs(ctx)
		if hd.HasErrors() {
			continue
		}
		if uv, marks := val.UnmarkDeep(); !uv.IsWhollyKnown() {
			if reason := reasonOf(marks, ""); reason != "" {
				return reason
			}
		}
	}
	return ""
}

// literal returns the value of a constant expression (a literal or a plain quoted string)
// without building an evaluation context: most attributes in real files are constants.
func literal(expr hcl.Expression) (cty.Value, bool) {
	switch e := expr.(type) {
	case *hclsyntax.LiteralValueExpr:
		return e.Val, true
	case *hclsyntax.TemplateExpr:
		if len(e.Parts) == 1 {
			if lit, ok := e.Parts[0].(*hclsyntax.LiteralValueExpr); ok && lit.Val.Type() == cty.String {
				return lit.Val, true
			}
		}
	}
	return cty.NilVal, false
}

// context builds the evaluation context for one expression, resolving only the names it uses.
func (in *instance) context(expr hcl.Expression, extra map[string]cty.Value) *hcl.EvalContext {
	vars := map[string]cty.Value{}
	var locals, modules map[string]cty.Value
	var refs map[string]map[string]cty.Value
	var needs map[*resourceDef]*refNeed
	var undeclaredVars map[string]cty.Value
	for _, tr := range expr.Variables() {
		root := tr.RootName()
		if v, ok := extra[root]; ok {
			vars[root] = v
			continue
		}
		switch root {
		case "var":
			vars[root] = in.varObj
			if name := attrStep(tr, 1); name != "" && !in.varObj.Type().HasAttribute(name) {
				if undeclaredVars == nil {
					undeclaredVars = map[string]cty.Value{}
				}
				undeclaredVars[name] = in.undeclared("variable", "var."+name, tr)
			}
		case "path":
			vars[root] = in.pathObj
		case "terraform":
			vars[root] = terraformObj
		case "data":
			vars[root] = unknownVal("data sources are read only when Terraform runs")
		case "local":
			if name := attrStep(tr, 1); name != "" && in.def.locals[name] != nil {
				if locals == nil {
					locals = map[string]cty.Value{}
				}
				locals[name] = in.local(name)
			}
		case "module":
			if name := attrStep(tr, 1); name != "" && in.def.callIndex[name] != nil {
				if modules == nil {
					modules = map[string]cty.Value{}
				}
				modules[name] = in.callValue(name)
			}
		case "count", "each", "self":
			// Not in scope here: HCL reports the reference as unknown.
		default:
			name := attrStep(tr, 1)
			if name == "" || !strings.Contains(root, "_") {
				continue // not a resource reference: HCL reports it
			}
			if refs == nil {
				refs = map[string]map[string]cty.Value{}
			}
			if refs[root] == nil {
				refs[root] = map[string]cty.Value{}
			}
			rd := in.def.byAddr[root+"."+name]
			if rd == nil {
				refs[root][name] = in.undeclared("resource", root+"."+name, tr)
				continue
			}
			if needs == nil {
				needs = map[*resourceDef]*refNeed{}
			}
			need := needs[rd]
			if need == nil {
				need = &refNeed{attrs: map[string]bool{}}
				needs[rd] = need
			}
			attrAt := 2
			if rd.count != nil || rd.forEach != nil {
				attrAt = 3 // type.name[key].attr
			}
			if attr := attrStep(tr, attrAt); attr != "" {
				need.attrs[attr] = true
			} else {
				need.whole = true
			}
		}
	}
	if undeclaredVars != nil {
		all := in.varObj.AsValueMap()
		if all == nil {
			all = map[string]cty.Value{}
		}
		for name, v := range undeclaredVars {
			all[name] = v
		}
		vars["var"] = cty.ObjectVal(all)
	}
	if locals != nil {
		vars["local"] = cty.ObjectVal(locals)
	}
	if modules != nil {
		vars["module"] = cty.ObjectVal(modules)
	}
	for rd, need := range needs {
		refs[rd.typ][rd.name] = in.resourceValue(rd, need)
	}
	for typ, byName := range refs {
		vars[typ] = cty.ObjectVal(byName)
	}
	funcs := in.rs.functions(in.def.dir)
	ctx := &hcl.EvalContext{Variables: vars, Functions: funcs}
	if stubs := unsupportedFunctions(expr, funcs); stubs != nil {
		child := ctx.NewChild()
		child.Functions = stubs
		child.Variables = vars
		ctx.Variables = nil
		return child
	}
	return ctx
}

// undeclared is the value of a reference to something the module does not declare (common in
// fragments and test fixtures): unknown, with one warning per name.
func (in *instance) undeclared(kind, name string, tr hcl.Traversal) cty.Value {
	in.rs.addOnce(in.addr+kind+" "+name, diag.Diagnostic{Severity: diag.Warning,
		Summary: "Reference to undeclared " + kind + " " + name,
		Detail:  "Terraform rejects this reference; lensix treats its value as unknown. Scan the directory that declares it together with this one.",
		Range:   toRange(tr.SourceRange())})
	return unknownVal(name + " is not declared in module " + in.def.dir)
}

func attrStep(tr hcl.Traversal, i int) string {
	if len(tr) <= i {
		return ""
	}
	if a, ok := tr[i].(hcl.TraverseAttr); ok {
		return a.Name
	}
	return ""
}

// refNeed is what one expression reads of a managed resource: some attributes, or all of it.
type refNeed struct {
	attrs map[string]bool
	whole bool
}

// resourceValue is the value of a reference to a managed resource: the attributes set in its
// configuration are known, everything else is known only after apply. A resource with count or
// for_each is a list or map of instances, as in Terraform.
func (in *instance) resourceValue(rd *resourceDef, need *refNeed) cty.Value {
	addr := in.addr + rd.address()
	if rd.count == nil && rd.forEach == nil {
		if need.whole {
			return unknownVal(addr + " is " + afterApply)
		}
		return in.instanceObject(rd, need, instanceKey{})
	}
	keys := in.instances(rd)
	if keys.unknownReason != "" {
		return unknownVal("instances of " + addr + " are unknown: " + keys.unknownReason)
	}
	if rd.count != nil {
		if len(keys.keys) == 0 {
			return cty.EmptyTupleVal
		}
		elems := make([]cty.Value, len(keys.keys))
		for i, k := range keys.keys {
			elems[i] = in.instanceObject(rd, need, k)
		}
		return cty.TupleVal(elems)
	}
	byKey := map[string]cty.Value{}
	for _, k := range keys.keys {
		byKey[k.scope["each"].GetAttr("key").AsString()] = in.instanceObject(rd, need, k)
	}
	return cty.ObjectVal(byKey)
}

func (in *instance) instanceObject(rd *resourceDef, need *refNeed, key instanceKey) cty.Value {
	if need.whole {
		// The instances are known (so length() works); a whole instance is not.
		return unknownVal(in.addr + rd.address() + key.suffix + " is " + afterApply)
	}
	attrs := make(map[string]cty.Value, len(need.attrs))
	for attr := range need.attrs {
		attrs[attr] = in.resourceAttr(rd, attr, key)
	}
	return cty.ObjectVal(attrs)
}

type instanceKeys struct {
	keys          []instanceKey
	unknownReason string
	marks         cty.ValueMarks
}

// instances expands a resource's count or for_each once per module instance.
func (in *instance) instances(rd *resourceDef) *instanceKeys {
	if k, ok := in.keys[rd]; ok {
		return k
	}
	k := &instanceKeys{}
	in.keys[rd] = k // a count that refers to its own resource sees no instances
	k.keys, k.unknownReason, k.marks = in.expand(rd.count, rd.forEach, in.addr+rd.address())
	return k
}

func (in *instance) resourceAttr(rd *resourceDef, attr string, key instanceKey) cty.Value {
	addr := in.addr + rd.address() + key.suffix
	a := rd.attrs[attr]
	if a == nil {
		return unknownVal(addr + "." + attr + " is " + afterApply)
	}
	memo := rd.address() + key.suffix + "." + attr
	lv := in.attrs[memo]
	if lv == nil {
		lv = &lazyVal{}
		in.attrs[memo] = lv
	}
	switch {
	case lv.done:
		return lv.val
	case lv.busy:
		return unknownVal(addr + "." + attr + " refers to itself")
	}
	lv.busy = true
	lv.val = in.eval(a.Expr, key.scope)
	if secretAttr(rd.typ, attr) {
		lv.val = lv.val.Mark(sensitiveMark{}) // whatever reads it carries the secret
	}
	lv.busy, lv.done = false, true
	return lv.val
}

// secretAttr reports whether a resource's attribute holds a secret: one the azurerm provider
// marks sensitive for its type (a Key Vault secret's or a named value's value, app settings), or
// one named as secrets are (administrator_login_password, primary_key, client_secret).
func secretAttr(typ, attr string) bool {
	switch typ + "." + attr {
	case "azurerm_key_vault_secret.value", "azurerm_api_management_named_value.value":
		return true
	}
	// Every app setting of an App Service or Function App may be a secret, as Redact holds.
	return attr == "app_settings" || resource.IsSensitiveKey(attr)
}

func (in *instance) local(name string) cty.Value {
	lv := in.locals[name]
	if lv == nil {
		lv = &lazyVal{}
		in.locals[name] = lv
	}
	switch {
	case lv.done:
		return lv.val
	case lv.busy:
		a := in.def.locals[name]
		in.rs.add(diag.Diagnostic{Severity: diag.Error, Summary: "Cycle in local values: local." + name + " depends on itself",
			Detail: "Terraform rejects this configuration; lensix treats the value as unknown.", Range: toRange(a.NameRange)})
		return unknownVal("local." + name + " depends on itself")
	}
	lv.busy = true
	lv.val = in.eval(in.def.locals[name].Expr, nil)
	lv.busy, lv.done = false, true
	return lv.val
}

// instanceKey is one instance of a resource or module call and the names it adds to scope.
type instanceKey struct {
	suffix string
	scope  map[string]cty.Value
}

// expand evaluates count or for_each. An unknown count or for_each yields one instance whose
// count.index or each.* are unknown, and unknownReason says why.
func (in *instance) expand(count, forEach hcl.Expression, what string) (keys []instanceKey, unknownReason string, marks cty.ValueMarks) {
	switch {
	case count != nil:
		v, m := in.eval(count, nil).Unmark()
		marks = m
		if !v.IsKnown() {
			reason := reasonOf(m, afterApply)
			return []instanceKey{{scope: map[string]cty.Value{"count": cty.ObjectVal(map[string]cty.Value{"index": unknownVal("count of " + what + " is unknown: " + reason)})}}}, reason, marks
		}
		n, err := convert.Convert(v, cty.Number)
		if err != nil || n.IsNull() || !n.AsBigFloat().IsInt() || n.AsBigFloat().Sign() < 0 {
			in.rs.add(diag.Diagnostic{Severity: diag.Error, Summary: "Invalid count for " + what,
				Detail: "count must be a whole number of at least 0; the resource was skipped", Range: toRange(count.Range())})
			return nil, "", marks
		}
		total, _ := n.AsBigFloat().Int64()
		if total > maxInstances {
			in.rs.add(diag.Diagnostic{Severity: diag.Warning, Summary: fmt.Sprintf("count of %s is %d; lensix evaluated the first %d instances", what, total, maxInstances),
				Detail: "lensix caps the instances of one resource or module call so that a scan cannot run away", Range: toRange(count.Range())})
			total = maxInstances
		}
		for i := int64(0); i < total; i++ {
			keys = append(keys, instanceKey{suffix: "[" + strconv.FormatInt(i, 10) + "]",
				scope: map[string]cty.Value{"count": cty.ObjectVal(map[string]cty.Value{"index": cty.NumberIntVal(i)})}})
		}
		return keys, "", marks
	case forEach != nil:
		v, m := in.eval(forEach, nil).Unmark()
		marks = m
		if !v.IsKnown() {
			reason := reasonOf(m, afterApply)
			each := cty.ObjectVal(map[string]cty.Value{
				"key":   unknownVal("for_each of " + what + " is unknown: " + reason),
				"value": unknownVal("for_each of " + what + " is unknown: " + reason),
			})
			return []instanceKey{{scope: map[string]cty.Value{"each": each}}}, reason, marks
		}
		ty := v.Type()
		if v.IsNull() || !(ty.IsMapType() || ty.IsObjectType() || ty.IsSetType()) {
			in.rs.add(diag.Diagnostic{Severity: diag.Error, Summary: "Invalid for_each for " + what,
				Detail: "for_each must be a map, an object or a set of strings (use toset() for a list); the resource was skipped", Range: toRange(forEach.Range())})
			return nil, "", marks
		}
		if v.LengthInt() > maxInstances {
			in.rs.add(diag.Diagnostic{Severity: diag.Warning, Summary: fmt.Sprintf("for_each of %s has %d elements; lensix evaluated the first %d instances", what, v.LengthInt(), maxInstances),
				Detail: "lensix caps the instances of one resource or module call so that a scan cannot run away", Range: toRange(forEach.Range())})
		}
		for it := v.ElementIterator(); it.Next() && len(keys) < maxInstances; {
			k, elem := it.Element()
			if ty.IsSetType() {
				k, _ = elem.Unmark()
				if k.Type() != cty.String || !k.IsKnown() || k.IsNull() {
					in.rs.add(diag.Diagnostic{Severity: diag.Error, Summary: "Invalid for_each for " + what,
						Detail: "a set used in for_each must hold known strings; the resource was skipped", Range: toRange(forEach.Range())})
					return nil, "", marks
				}
			}
			key := k.AsString()
			keys = append(keys, instanceKey{suffix: "[" + strconv.Quote(key) + "]",
				scope: map[string]cty.Value{"each": cty.ObjectVal(map[string]cty.Value{"key": cty.StringVal(key), "value": elem})}})
		}
		return keys, "", marks
	}
	return []instanceKey{{}}, "", nil
}

func (in *instance) expandResource(rd *resourceDef) {
	if !mapped(rd.typ) || rd.interrupted {
		return
	}
	expanded := in.instances(rd)
	keys, unknownReason, marks := expanded.keys, expanded.unknownReason, expanded.marks
	if len(keys) == 0 {
		return
	}
	suppressions := suppressionsAt(rd.file, in.def.srcs[rd.file], rd.rng.Start)
	for _, key := range keys {
		conv := &converter{text: in.exprText}
		conv.addMarks(marks)
		attrs := in.resourceAttrs(rd, key.scope, conv)
		r := mapResource(rd.typ, attrs)
		address := in.addr + rd.address() + key.suffix
		if u, ok := attrs["type"].(*resource.Unknown); ok && r == nil && rd.typ == "azapi_resource" {
			in.rs.add(diag.Diagnostic{Severity: diag.Warning, Summary: address + ": type is unknown: " + u.Reason + "; lensix cannot tell which checks apply",
				Detail: "The azapi_resource's type (" + u.Expr + ") decides which checks apply; set the values it depends on so that lensix can scan the resource.",
				Range:  rd.rng})
		}
		if r == nil {
			continue
		}
		r.Provenance = resource.Provenance{Source: "terraform", Range: rd.rng, Address: address}
		if unknownReason != "" {
			meta := "count"
			if rd.forEach != nil {
				meta = "for_each"
			}
			r.Assume(meta, fmt.Sprintf("%s of %s is unknown (%s); lensix evaluated one instance, with values that depend on %s unknown",
				meta, address, unknownReason, map[string]string{"count": "count.index", "for_each": "each.key and each.value"}[meta]))
		}
		for _, name := range sortedKeys(conv.defaults) {
			use := conv.defaults[name]
			r.Assume("var."+name, use.message, affectedPaths(rd.typ, use.arguments)...)
		}
		for _, note := range in.notes {
			r.Assume(note.Path, note.Message)
		}
		r.Suppressions = suppressions
		r.Secrets = sortedUnique(conv.secrets)
		in.rs.resources = append(in.rs.resources, r)
	}
}

// suppressionsAt reads the suppression comments of a declaration starting at pos. It hands
// resource.InlineSuppressions only the declaration's line and the comment lines above it, so
// that a file with many resources is not split into lines once per resource.
func suppressionsAt(file string, src []byte, pos resource.Pos) []resource.Suppression {
	if pos.Byte > len(src) || pos.Line < 1 {
		return nil
	}
	lineEnd := pos.Byte + bytes.IndexByte(src[pos.Byte:], '\n')
	if lineEnd < pos.Byte {
		lineEnd = len(src)
	}
	start, line := bytes.LastIndexByte(src[:pos.Byte], '\n')+1, pos.Line
	for start > 0 && line > 1 {
		prevStart := bytes.LastIndexByte(src[:start-1], '\n') + 1
		text := bytes.TrimSpace(src[prevStart : start-1])
		if len(text) == 0 || (text[0] != '#' && text[0] != '/' && text[0] != '*') {
			break
		}
		start, line = prevStart, line-1
	}
	skipped := line - 1
	found := resource.InlineSuppressions(file, src[start:lineEnd], pos.Line-skipped)
	for i := range found {
		found[i].Range.Start.Line += skipped
		found[i].Range.End.Line += skipped
	}
	return found
}

// resourceAttrs evaluates a resource's arguments into the shape a plan's "values" has: attributes
// by name, nested blocks as lists of objects (or an unknown where a dynamic block's for_each is).
func (in *instance) resourceAttrs(rd *resourceDef, scope map[string]cty.Value, conv *converter) map[string]any {
	jsonBody := rd.typ == "azapi_resource"
	if rd.syntax != nil {
		return in.convertBody(rd.syntax, scope, conv, true, jsonBody)
	}
	out := map[string]any{}
	defer func() { conv.argument = "" }()
	for _, name := range sortedKeys(rd.attrs) {
		a := rd.attrs[name]
		conv.argument = name
		v := in.eval(a.Expr, scope)
		if g, present := conv.attr(v, a.Expr); present {
			out[name] = g
		}
	}
	return out
}

func (in *instance) convertBody(body *hclsyntax.Body, scope map[string]cty.Value, conv *converter, top, jsonBody bool) map[string]any {
	out := map[string]any{}
	for _, name := range sortedKeys(body.Attributes) {
		a := body.Attributes[name]
		if top && metaArguments[name] {
			continue
		}
		expr := a.Expr
		if top && jsonBody && name == "body" {
			expr = unwrapJSONEncode(expr)
		}
		if top {
			conv.argument = name
		}
		v := in.eval(expr, scope)
		if g, present := conv.attr(v, expr); present {
			if u, ok := g.(*resource.Unknown); ok && top && jsonBody && name == "type" {
				g = partialAzapiType(expr, u)
			}
			out[name] = g
		}
	}
	unknownBlocks := map[string]*resource.Unknown{}
	for _, b := range body.Blocks {
		if top && metaArguments[b.Type] {
			continue
		}
		if top {
			conv.argument = b.Type
			if b.Type == "dynamic" && len(b.Labels) == 1 {
				conv.argument = b.Labels[0]
			}
		}
		if b.Type == "dynamic" && len(b.Labels) == 1 {
			blocks, unknown := in.expandDynamic(b, scope, conv)
			if unknown != nil {
				unknownBlocks[b.Labels[0]] = unknown
				continue
			}
			list, _ := out[b.Labels[0]].([]any)
			out[b.Labels[0]] = append(list, blocks...)
			continue
		}
		list, _ := out[b.Type].([]any)
		out[b.Type] = append(list, in.convertBody(b.Body, scope, conv, false, false))
	}
	for typ, u := range unknownBlocks {
		out[typ] = u
	}
	if top {
		conv.argument = ""
	}
	return out
}

// expandDynamic expands a dynamic block into the blocks it generates; an unknown for_each makes
// the whole block list unknown.
func (in *instance) expandDynamic(b *hclsyntax.Block, scope map[string]cty.Value, conv *converter) ([]any, *resource.Unknown) {
	label := b.Labels[0]
	forEach := b.Body.Attributes["for_each"]
	if forEach == nil {
		in.rs.add(diag.Diagnostic{Severity: diag.Error, Summary: "dynamic \"" + label + "\" block has no for_each",
			Detail: "Terraform requires for_each in a dynamic block; lensix skipped it", Range: toRange(b.DefRange())})
		return nil, nil
	}
	iterator := label
	if it := b.Body.Attributes["iterator"]; it != nil {
		if kw := hcl.ExprAsKeyword(it.Expr); kw != "" {
			iterator = kw
		}
	}
	var content *hclsyntax.Body
	for _, child := range b.Body.Blocks {
		if child.Type == "content" {
			content = child.Body
		}
	}
	v, marks := in.eval(forEach.Expr, scope).Unmark()
	conv.addMarks(marks)
	if !v.IsKnown() {
		return nil, &resource.Unknown{Reason: "dynamic \"" + label + "\" block's for_each is unknown: " + reasonOf(marks, afterApply),
			Expr: in.exprText(forEach.Expr)}
	}
	if v.IsNull() || content == nil || !v.CanIterateElements() {
		return nil, nil
	}
	var blocks []any
	for it := v.ElementIterator(); it.Next(); {
		k, elem := it.Element()
		inner := make(map[string]cty.Value, len(scope)+1)
		for name, val := range scope {
			inner[name] = val
		}
		inner[iterator] = cty.ObjectVal(map[string]cty.Value{"key": k, "value": elem})
		blocks = append(blocks, in.convertBody(content, inner, conv, false, false))
	}
	return blocks, nil
}

// partialAzapiType keeps the resource type of an azapi type whose API version alone is unknown
// ("Microsoft.ApiManagement/service@${var.v}"): the checks that apply are known.
func partialAzapiType(expr hclsyntax.Expression, u *resource.Unknown) any {
	tmpl, ok := expr.(*hclsyntax.TemplateExpr)
	if !ok || len(tmpl.Parts) == 0 {
		return u
	}
	lit, ok := literal(tmpl.Parts[0])
	if !ok || lit.Type() != cty.String {
		return u
	}
	armType, _, found := strings.Cut(lit.AsString(), "@")
	if !found || armType == "" {
		return u
	}
	return azapiType{armType: armType, apiVersion: &resource.Unknown{Reason: "API version is unknown: " + u.Reason, Expr: u.Expr}}
}

// unwrapJSONEncode returns x for jsonencode(x) (or "${jsonencode(x)}"), so that an azapi body
// keeps its structure even when some of its values are unknown.
func unwrapJSONEncode(expr hclsyntax.Expression) hclsyntax.Expression {
	if wrap, ok := expr.(*hclsyntax.TemplateWrapExpr); ok {
		expr = wrap.Wrapped
	}
	if call, ok := expr.(*hclsyntax.FunctionCallExpr); ok && call.Name == "jsonencode" && len(call.Args) == 1 && !call.ExpandFinal {
		return call.Args[0]
	}
	return expr
}

func (in *instance) exprText(expr hcl.Expression) string {
	rng := expr.Range()
	src := in.def.srcs[rng.Filename]
	if rng.Start.Byte < 0 || rng.End.Byte > len(src) || rng.Start.Byte > rng.End.Byte {
		return ""
	}
	text := string(src[rng.Start.Byte:rng.End.Byte])
	if len(text) > 200 {
		text = text[:200] + "…"
	}
	return text
}
