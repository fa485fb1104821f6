package bicep

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/lensix/lensix/internal/diag"
	"github.com/lensix/lensix/internal/resource"
	"github.com/lensix/lensix/internal/source/arm"
	"github.com/lensix/lensix/internal/source/arm/funcs"
	"github.com/lensix/lensix/internal/source/bicep/ast"
)

// moduleSym is a module declaration and, once evaluated, its instances.
type moduleSym struct {
	decl   *ast.ModuleDecl
	suffix string // "@L<line>" added to the address of a duplicate declaration
	state  symbolState
	insts  []*moduleInstance
	loop   bool
}

// moduleInstance is one deployment of a module: nil dep for a module lensix cannot read.
type moduleInstance struct {
	dep     *deployment
	name    any
	address string
	assumed map[string]string
	reason  string // why dep is nil
	// armFile and armParams are set for an ARM template used as a module.
	armFile   string
	armParams []string
	// scope is where the module deploys.
	scope funcs.Scope
}

// moduleRef is a Bicep reference to a module (its symbolic name used as a value).
type moduleRef struct {
	d    *deployment
	inst *moduleInstance
}

func (m *moduleRef) property(name string, at ast.Node) any {
	switch strings.ToLower(name) {
	case "name":
		return m.inst.name
	case "outputs":
		if m.inst.dep == nil {
			return &resource.Unknown{Reason: m.inst.reason}
		}
		return m.inst.dep.outputsValue(nil)
	}
	return m.d.unknownAt(at, "module property %q is known only after deployment", name)
}

func (d *deployment) moduleReference(m *moduleSym, st *state) any {
	insts := d.moduleInstances(m)
	if m.loop {
		out := make([]any, len(insts))
		for i, in := range insts {
			out[i] = &moduleRef{d: d, inst: in}
		}
		return out
	}
	if len(insts) == 0 {
		return &resource.Unknown{Reason: fmt.Sprintf("module %s is not deployed", m.decl.Name.Name)}
	}
	st.add(insts[0].assumed)
	return &moduleRef{d: d, inst: insts[0]}
}

// moduleInstances evaluates a module declaration once: its condition or loop, its name and
// parameters, and the deployment of the file it names.
func (d *deployment) moduleInstances(m *moduleSym) []*moduleInstance {
	switch m.state {
	case evaluating:
		return nil
	case done:
		return m.insts
	}
	m.state = evaluating
	address := d.prefix + "module." + m.decl.Name.Name + m.suffix
	switch v := m.decl.Value.(type) {
	case *ast.ForExpr:
		m.loop = true
		st := &state{}
		copies := d.loopInstances(v, nil, st, "module")
		if len(copies) == 0 {
			d.moduleOffByDefaults(m, v.Range, nil, "its loop over %s is empty", func(v any) bool { a, ok := v.([]any); return ok && len(a) == 0 })
		}
		for i, names := range copies {
			if in := d.moduleInstance(m, v.Body, (*env)(nil).with(names), fmt.Sprintf("%s[%d]", address, i), st); in != nil {
				m.insts = append(m.insts, in)
			}
		}
	default:
		if in := d.moduleInstance(m, v, nil, address, &state{}); in != nil {
			m.insts = append(m.insts, in)
		}
	}
	m.state = done
	return m.insts
}

func (d *deployment) moduleInstance(m *moduleSym, value ast.Expr, e *env, address string, st *state) *moduleInstance {
	st = &state{assumed: copyMap(st.assumed)}
	st.add(d.inherited)
	if cond, ok := value.(*ast.IfExpr); ok {
		switch c := d.eval(cond.Cond, e, st).(type) {
		case bool:
			if !c {
				d.moduleOffByDefaults(m, cond.Cond, e, "its condition %s is false", func(v any) bool { return v == false })
				return nil
			}
		case *resource.Unknown:
			st.assume("condition", "the module's condition is unknown ("+c.Reason+"); it is assumed deployed")
		}
		value = cond.Body
	}
	in := &moduleInstance{address: address}
	supplied := map[string]suppliedParam{}
	var scopeExpr ast.Expr
	// unread is set when a syntax error hides which parameters the module is passed.
	var unread *resource.Unknown
	if obj, ok := value.(*ast.ObjectLit); ok {
		if at, broken := d.file.looseSyntaxError(obj); broken {
			unread = d.unreadable(at, obj)
		}
		for _, item := range obj.Items {
			prop, ok := item.(*ast.Property)
			if !ok {
				continue
			}
			key, _ := d.key(prop.Key, e, st)
			switch key {
			case "name":
				in.name = d.propertyValue(prop, e, st)
			case "scope":
				scopeExpr = prop.Value
			case "params":
				if params, ok := prop.Value.(*ast.ObjectLit); ok {
					if at, broken := d.file.looseSyntaxError(params); broken {
						unread = d.unreadable(at, params)
					}
				}
				d.moduleParams(prop.Value, e, st, supplied)
			}
		}
	}
	if in.name == nil && !m.loop {
		in.name = d.generatedModuleName(m)
	}
	path, ok := m.decl.Path.Literal()
	in.scope = d.moduleScope(m, in, scopeExpr, e, st, path)
	in.assumed = st.assumed
	switch {
	case !ok:
		in.reason = "the module path is not a plain string"
	case isRegistry(path):
		cached, why := d.l.registryModule(d.file, path)
		if cached != "" {
			in.reason = fmt.Sprintf("the outputs of registry module %s are not evaluated", m.decl.Name.Name)
			in.armFile = cached
			in.armParams = armParams(supplied)
			break
		}
		in.reason = fmt.Sprintf("module %s comes from a registry (%s) and was not downloaded", m.decl.Name.Name, path)
		d.l.add(diag.Diagnostic{Severity: diag.Warning, Summary: "The registry module's resources are not read",
			Detail:    why + "; lensix does not download modules, so resources it deploys are not checked and its outputs are unknown",
			Range:     d.file.rangeOf(m.decl.Path.Pos(), m.decl.Path.End()),
			Unchecked: true})
	case strings.HasSuffix(strings.ToLower(path), ".json"):
		// An ARM template used as a module is evaluated by the ARM source.
		in.reason = fmt.Sprintf("the outputs of ARM template module %s are not evaluated", m.decl.Name.Name)
		in.armFile = d.file.resolve(path)
		in.armParams = armParams(supplied)
	case !strings.HasSuffix(strings.ToLower(path), ".bicep"):
		in.reason = fmt.Sprintf("module %s (%s) is neither a Bicep file nor an ARM template", m.decl.Name.Name, path)
		d.warnAt(m.decl.Path, "The module's resources are not read", "lensix reads local .bicep and .json modules")
	default:
		file := d.file.resolve(path)
		if d.refuseCycle(file, m.decl) {
			in.reason = "the module is part of a cycle"
			break
		}
		if _, err := os.Stat(filepath.FromSlash(file)); err != nil {
			in.reason = fmt.Sprintf("module file %s cannot be read", file)
			d.errorAt(m.decl.Path, "The module file cannot be read", fmt.Sprintf("%v; fix the module path", err))
			break
		}
		f := d.l.read(file)
		if f == nil {
			in.reason = fmt.Sprintf("module file %s cannot be read", file)
			break
		}
		in.dep = d.l.newDeployment(f, supplied, address+".", append(d.callers, d.file.path))
		in.dep.scope = in.scope
		in.dep.inherited = in.assumed
		in.dep.unreadParams = unread
		in.dep.inheritedSecrets = d.secrets()
	}
	return in
}

// moduleScope is where a module deploys: the scope its scope property names, else its parent's.
func (d *deployment) moduleScope(m *moduleSym, in *moduleInstance, scopeExpr ast.Expr, e *env, st *state, path string) funcs.Scope {
	what := "module " + m.decl.Name.Name + m.suffix
	target := funcs.Target{Level: d.scope.Level}
	if scopeExpr != nil {
		var ok bool
		if target, ok = d.scopeTarget(scopeExpr, e, st); !ok {
			level := d.scope.Level
			if file := d.file.resolve(path); strings.HasSuffix(strings.ToLower(path), ".bicep") && !isRegistry(path) && fileExists(file) {
				if f := d.l.read(file); f != nil {
					level = targetLevel(f)
				}
			}
			target = unknownTarget(level, fmt.Sprintf("the scope of %s (%s) is not known offline", what, d.file.text(scopeExpr)))
		}
	}
	name := scopeArg(in.name)
	if in.name == nil {
		name = &resource.Unknown{Reason: "the module has no name"}
	}
	return d.scope.Nested(target, name, what)
}

// generatedModuleName is the name the Bicep compiler gives a module declared without one:
// format('<symbol>-{0}', uniqueString('<symbol>', deployment().name)).
func (d *deployment) generatedModuleName(m *moduleSym) any {
	symbol := m.decl.Name.Name
	if d.scope.DeploymentName == "" {
		return &resource.Unknown{Reason: "the module has no name; Bicep makes one from the deployment's name: " + d.scope.Reason(funcs.FieldDeploymentName), Expr: symbol}
	}
	hash, err := funcs.Call(ctx{d.scope}, "uniqueString", []any{symbol, d.scope.DeploymentName})
	if err != nil {
		return &resource.Unknown{Reason: err.Error()}
	}
	return fmt.Sprintf("%s-%s", symbol, hash)
}

func fileExists(name string) bool {
	st, err := os.Stat(filepath.FromSlash(name))
	return err == nil && st.Mode().IsRegular()
}

// moduleParams evaluates the params object passed to a module, one parameter at a time so each
// carries only the assumptions its own value rests on.
func (d *deployment) moduleParams(x ast.Expr, e *env, st *state, into map[string]suppliedParam) {
	obj, ok := x.(*ast.ObjectLit)
	if !ok {
		if v, ok := d.eval(x, e, st).(map[string]any); ok {
			for k, val := range v {
				into[k] = suppliedParam{value: val}
			}
		}
		return
	}
	for _, item := range obj.Items {
		switch it := item.(type) {
		case *ast.Property:
			key, ok := d.key(it.Key, e, st)
			if !ok {
				continue
			}
			ps := &state{}
			v := d.propertyValue(it, e, ps)
			into[key] = suppliedParam{value: v, assumed: ps.assumed}
			if id, ok := it.Value.(*ast.Ident); ok {
				sp := into[key]
				sp.passes = id.Name
				into[key] = sp
			}
		case *ast.SpreadExpr:
			if v, ok := d.eval(it.X, e, st).(map[string]any); ok {
				for k, val := range v {
					into[k] = suppliedParam{value: val}
				}
			}
		}
	}
}

// deploymentsType is the ARM resource a module compiles to.
const deploymentsType = "Microsoft.Resources/deployments"

// deployModule returns, for every instance of a module, the nested deployment it compiles to
// and the resources that deployment deploys.
func (d *deployment) deployModule(m *moduleSym) []*resource.Resource {
	var out []*resource.Resource
	for _, in := range d.moduleInstances(m) {
		name, _ := in.name.(string)
		if name == "" {
			name = nameOf(m.decl)
		}
		params := map[string]any{}
		if in.dep != nil {
			for k, v := range in.dep.supplied {
				params[k] = map[string]any{"value": v.value}
			}
		}
		idName, _ := in.name.(string)
		// The deployment resource lives in the scope it deploys to.
		id, subscriptionID, resourceGroup := in.scope.Place(deploymentsType, idName, "")
		r := &resource.Resource{
			Type:           deploymentsType,
			Name:           name,
			ID:             id,
			SubscriptionID: subscriptionID,
			ResourceGroup:  resourceGroup,
			Body: final(map[string]any{
				"type":       deploymentsType,
				"apiVersion": "2022-09-01",
				"name":       in.name,
				"properties": map[string]any{"mode": "Incremental", "parameters": params},
			}).(map[string]any),
			Provenance: resource.Provenance{
				Source:  "bicep",
				Range:   d.file.rangeOf(m.decl.Pos(), m.decl.End()),
				Address: in.address,
			},
			Suppressions: d.file.suppressions(m.decl.Header),
			Secrets:      d.secrets(),
		}
		if in.dep != nil {
			// The nested deployment's parameters, in its body, include the module's secure ones.
			r.Secrets = in.dep.secrets()
		}
		if in.name == nil {
			r.Body["name"] = &resource.Unknown{Reason: "the module has no name; Bicep generates one at compile time", Expr: nameOf(m.decl)}
		}
		for _, k := range sortedKeys(in.assumed) {
			r.Assume(k, in.assumed[k])
		}
		out = append(out, r)
		if in.dep != nil {
			out = append(out, in.dep.run()...)
		}
		if in.armFile != "" {
			// The values are the module's parameters, not --param flags: the ARM source is not to
			// report them as flags the template does not declare.
			var passed []string
			for _, kv := range in.armParams {
				name, _, _ := strings.Cut(kv, "=")
				passed = append(passed, name)
			}
			resources, diags := arm.Load([]string{in.armFile}, arm.Options{Params: in.armParams, AlsoDeclared: passed, Scope: in.scope, Budget: &d.l.armBudget,
				Secrets: append(d.secrets(), d.l.taint.Secrets()...)})
			d.l.diags = append(d.l.diags, diags...)
			for _, res := range resources {
				res.Provenance.Address = in.address + "." + res.Provenance.Address
				res.Secrets = mergeSecrets(res.Secrets, d.secrets())
				for _, k := range sortedKeys(in.assumed) {
					res.Assume(k, in.assumed[k])
				}
			}
			out = append(out, resources...)
		}
	}
	return out
}

// armParams encodes the parameters passed to a module for the ARM source as --param values.
// Unknown values are left out: the template's default then applies, an assumption the ARM
// source records.
func armParams(supplied map[string]suppliedParam) []string {
	names := make(map[string]string, len(supplied))
	for k := range supplied {
		names[k] = ""
	}
	var out []string
	for _, k := range sortedKeys(names) {
		v := supplied[k].value
		if funcs.FindUnknown(v) != nil {
			continue
		}
		if s, ok := v.(string); ok {
			out = append(out, k+"="+s) // the ARM source takes a string parameter's text as given
			continue
		}
		if b, err := json.Marshal(final(v)); err == nil {
			out = append(out, k+"="+string(b))
		}
	}
	return out
}
