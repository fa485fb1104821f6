package bicep

import (
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/lensix/lensix/internal/diag"
	"github.com/lensix/lensix/internal/resource"
	"github.com/lensix/lensix/internal/source/arm/funcs"
	"github.com/lensix/lensix/internal/source/bicep/ast"
)

// deployment is one evaluation of a Bicep file: the root template, or a module with the
// parameters its caller passed.
type deployment struct {
	l    *loader
	file *sourceFile
	// prefix is prepended to addresses ("module.apim." inside module apim).
	prefix string
	// scope is where the deployment runs: what resourceGroup() and the like answer, and where
	// its resources land.
	scope funcs.Scope
	// callers are the files of the modules above this one, to refuse module cycles.
	callers []string
	// inherited are the assumptions under which this module is deployed at all (an unknown
	// module condition); every resource of the module carries them.
	inherited map[string]string

	params    map[string]*symbol
	vars      map[string]*symbol
	outputs   map[string]*symbol
	resources map[string]*resourceSym
	all       []*resourceSym // every resource declaration, nested ones included, in order
	modules   map[string]*moduleSym
	// allModules are every module declaration, duplicates of a name included, in order.
	allModules []*moduleSym
	functions  map[string]*ast.FuncDecl
	types      map[string]*ast.TypeDecl
	imports    map[string]*importSym // wildcard aliases and imported names
	supplied   map[string]suppliedParam

	// unreadParams is set when a syntax error in the module declaration hides which parameters
	// were passed: those not read are unknown rather than their defaults.
	unreadParams *resource.Unknown

	// inheritedSecrets are the secrets of the deployments above a module; see secrets.
	inheritedSecrets []string
	secretValues     []string
	secretsDone      bool
}

type symbolState uint8

const (
	pending symbolState = iota
	evaluating
	done
)

// symbol is a parameter, variable or output evaluated once, lazily, with the assumptions its
// value rests on.
type symbol struct {
	decl    ast.Decl
	state   symbolState
	value   any
	assumed map[string]string
}

// importSym is a name brought in by an import declaration: one symbol of another file, or
// (wildcard) the whole file as a namespace.
type importSym struct {
	from *deployment
	name string // the exported name; "" for a wildcard import
}

// state collects the assumptions an evaluation rests on, for the resource being built.
type state struct {
	assumed map[string]string
	// withoutDefaults, when set, evaluates as if no parameter default were known: such
	// parameters are unknown and their names are collected (see decidedByDefaults).
	withoutDefaults *counterfactual
}

func (s *state) assume(path, msg string) {
	if s == nil {
		return
	}
	if s.assumed == nil {
		s.assumed = map[string]string{}
	}
	if _, ok := s.assumed[path]; !ok {
		s.assumed[path] = msg
	}
}

func (s *state) add(from map[string]string) {
	for k, v := range from {
		s.assume(k, v)
	}
}

func (l *loader) newDeployment(f *sourceFile, supplied map[string]suppliedParam, prefix string, callers []string) *deployment {
	d := &deployment{
		l: l, file: f, prefix: prefix, callers: callers, supplied: supplied,
		params: map[string]*symbol{}, vars: map[string]*symbol{}, outputs: map[string]*symbol{},
		resources: map[string]*resourceSym{}, modules: map[string]*moduleSym{},
		functions: map[string]*ast.FuncDecl{}, imports: map[string]*importSym{}, types: map[string]*ast.TypeDecl{},
	}
	// Parameters, variables, resources, modules, functions, types and imports share one
	// namespace; a name declared again is reported (BCP028) and references see the first.
	declared := map[string]bool{}
	first := func(name *ast.Ident, deployed bool) bool {
		if name == nil {
			return false
		}
		if declared[name.Name] {
			detail := "Bicep refuses the file; rename or remove one declaration. lensix resolves the name to the first declaration"
			if deployed {
				detail = fmt.Sprintf("Bicep refuses the file; rename or remove one declaration. lensix resolves the name to the first declaration and still checks this one, under the address %s%s", name.Name, d.duplicateSuffix(name))
			}
			d.errorAt(name, fmt.Sprintf("Identifier %q is declared multiple times (BCP028)", name.Name), detail)
			return false
		}
		declared[name.Name] = true
		return true
	}
	for _, decl := range f.ast.Decls {
		d.checkDecorators(decl)
		switch x := decl.(type) {
		case *ast.ParamDecl:
			if first(x.Name, false) {
				d.params[x.Name.Name] = &symbol{decl: x}
			}
		case *ast.VarDecl:
			if first(x.Name, false) {
				d.vars[x.Name.Name] = &symbol{decl: x}
			}
		case *ast.OutputDecl:
			if x.Name != nil {
				d.outputs[x.Name.Name] = &symbol{decl: x}
			}
		case *ast.FuncDecl:
			if first(x.Name, false) {
				d.functions[x.Name.Name] = x
			}
		case *ast.TypeDecl:
			if first(x.Name, false) {
				d.types[x.Name.Name] = x
			}
		case *ast.ResourceDecl:
			suffix := ""
			if !first(x.Name, true) && x.Name != nil {
				suffix = d.duplicateSuffix(x.Name)
			}
			d.declareResource(x, nil, suffix)
		case *ast.ModuleDecl:
			if x.Name == nil {
				continue
			}
			m := &moduleSym{decl: x}
			if first(x.Name, true) {
				d.modules[x.Name.Name] = m
			} else {
				m.suffix = d.duplicateSuffix(x.Name)
			}
			d.allModules = append(d.allModules, m)
		case *ast.ImportDecl:
			d.declareImport(x)
			if x.Wildcard {
				first(x.Alias, false)
			}
			for _, s := range x.Symbols {
				if s.Alias != nil {
					first(s.Alias, false)
				} else if id, ok := s.Name.(*ast.Ident); ok {
					first(id, false)
				}
			}
		}
	}
	return d
}

// decorators are the decorators Bicep defines (in the sys namespace).
var decorators = map[string]bool{
	"description": true, "allowed": true, "secure": true, "minLength": true, "maxLength": true,
	"minValue": true, "maxValue": true, "metadata": true, "export": true, "sealed": true,
	"discriminator": true, "batchSize": true, "onlyIfNotExists": true, "retryOn": true, "waitUntil": true,
}

// checkDecorators warns about decorators Bicep does not define: a misspelt @secure leaves a
// secret parameter unprotected.
func (d *deployment) checkDecorators(decl ast.Decl) {
	var list []*ast.Decorator
	switch x := decl.(type) {
	case *ast.ParamDecl:
		list = x.Decorators
	case *ast.VarDecl:
		list = x.Decorators
	case *ast.OutputDecl:
		list = x.Decorators
	case *ast.ResourceDecl:
		list = x.Decorators
	case *ast.ModuleDecl:
		list = x.Decorators
	case *ast.TypeDecl:
		list = x.Decorators
	case *ast.FuncDecl:
		list = x.Decorators
	case *ast.MetadataDecl:
		list = x.Decorators
	}
	for _, dec := range list {
		if name, _ := decoratorCall(dec); name == "secure" {
			d.checkSecureTarget(decl, dec)
		}
		if name, _ := decoratorCall(dec); name != "" && !decorators[name] {
			d.warnAt(dec, fmt.Sprintf("Unknown decorator @%s", name),
				"Bicep defines @description, @allowed, @secure, @minLength, @maxLength, @minValue, @maxValue, @metadata, @export, @sealed, @discriminator and @batchSize; check the spelling")
		}
	}
}

// checkSecureTarget warns at a @secure() on a parameter or output of a type that is neither
// string nor object, which Bicep rejects (BCP124); lensix still takes the value as secure.
func (d *deployment) checkSecureTarget(decl ast.Decl, dec *ast.Decorator) {
	var t ast.Expr
	switch x := decl.(type) {
	case *ast.ParamDecl:
		t = x.Type
	case *ast.OutputDecl:
		t = x.Type
	}
	if n, ok := t.(*ast.NullableType); ok {
		t = n.X
	}
	var name string
	switch x := t.(type) {
	case *ast.Ident:
		if d.types[x.Name] == nil && (x.Name == "int" || x.Name == "bool" || x.Name == "array") {
			name = x.Name
		}
	case *ast.ArrayType:
		name = d.file.text(x)
	}
	if name == "" {
		return
	}
	d.warnAt(dec, fmt.Sprintf("The decorator @secure() can only be attached to targets of type string or object, but the target has type %s", name),
		"Bicep rejects the file (BCP124): declare the value as a string or an object, or remove @secure(); lensix treats it as secure")
}

// decoratorCall returns the name of the function a decorator calls (@secure() and
// @sys.secure() are both "secure") and the call; "" when it calls no function by name.
func decoratorCall(dec *ast.Decorator) (string, *ast.CallExpr) {
	call, ok := dec.X.(*ast.CallExpr)
	if !ok {
		return "", nil
	}
	switch f := call.Fun.(type) {
	case *ast.Ident:
		return f.Name, call
	case *ast.SelectorExpr:
		if ns, ok := f.X.(*ast.Ident); ok && ns.Name == "sys" {
			return f.Sel.Name, call
		}
	}
	return "", call
}

// duplicateSuffix tells apart the address of a declaration whose name is already taken: the
// line it is declared on ("apiService@L11").
func (d *deployment) duplicateSuffix(name *ast.Ident) string {
	return fmt.Sprintf("@L%d", d.file.tok.Position(name.Pos()).Line)
}

// declareResource records a resource and, under parent::child names, its nested children.
// suffix is set for a top-level declaration whose name is already taken.
func (d *deployment) declareResource(x *ast.ResourceDecl, parent *resourceSym, suffix string) {
	if x.Name == nil || x.Type == nil {
		return
	}
	sym := &resourceSym{decl: x, parent: parent, name: x.Name.Name, suffix: suffix}
	if parent != nil {
		sym.name = parent.name + "::" + x.Name.Name
		parent.children = append(parent.children, sym)
	}
	if taken, dup := d.resources[sym.name]; !dup {
		d.resources[sym.name] = sym
	} else if parent != nil && taken.parent == parent {
		sym.suffix = d.duplicateSuffix(x.Name)
		d.errorAt(x.Name, fmt.Sprintf("Identifier %q is declared multiple times (BCP028)", x.Name.Name),
			"Bicep refuses the file; rename or remove one declaration. lensix still checks this one, under an address ending in "+x.Name.Name+sym.suffix)
	}
	d.all = append(d.all, sym)
	if body := resourceBody(x.Value); body != nil {
		for _, item := range body.Items {
			if child, ok := item.(*ast.ResourceDecl); ok {
				d.declareResource(child, sym, "")
			}
		}
	}
}

// declareImport makes the variables and functions of another Bicep file usable here.
func (d *deployment) declareImport(x *ast.ImportDecl) {
	if x.Path == nil {
		return
	}
	p, ok := x.Path.Literal()
	if !ok || isRegistry(p) || !strings.HasSuffix(strings.ToLower(p), ".bicep") {
		return // provider imports, registry and JSON sources: types only matter, which lensix ignores
	}
	name := d.file.resolve(p)
	if d.refuseCycle(name, x) {
		return
	}
	f := d.l.read(name)
	if f == nil {
		return
	}
	from := d.l.newDeployment(f, nil, d.prefix, append(d.callers, d.file.path))
	from.scope = d.scope // imported functions run in the deployment that calls them
	if x.Wildcard && x.Alias != nil {
		d.imports[x.Alias.Name] = &importSym{from: from}
		return
	}
	for _, s := range x.Symbols {
		exported := ""
		switch n := s.Name.(type) {
		case *ast.Ident:
			exported = n.Name
		case *ast.StringLit:
			exported, _ = n.Literal()
		}
		local := exported
		if s.Alias != nil {
			local = s.Alias.Name
		}
		d.imports[local] = &importSym{from: from, name: exported}
	}
}

func (d *deployment) refuseCycle(name string, at ast.Node) bool {
	for _, c := range append(d.callers, d.file.path) {
		if path.Clean(c) == path.Clean(name) {
			d.l.report(d.file.rangeOf(at.Pos(), at.End()), diag.Error, "The file uses itself through a cycle of modules or imports",
				fmt.Sprintf("%s is already being evaluated (%s); break the cycle", name, strings.Join(append(d.callers, d.file.path), " → ")))
			return true
		}
	}
	return false
}

// run evaluates every resource and module of the deployment.
func (d *deployment) run() []*resource.Resource {
	var out []*resource.Resource
	for _, decl := range d.file.ast.Decls {
		switch x := decl.(type) {
		case *ast.ResourceDecl:
			if sym := d.resources[nameOf(x)]; sym != nil && sym.decl == x {
				out = append(out, d.deploy(sym)...)
			} else if sym := d.duplicate(x); sym != nil {
				out = append(out, d.deploy(sym)...)
			}
		case *ast.ModuleDecl:
			for _, m := range d.allModules {
				if m.decl == x {
					out = append(out, d.deployModule(m)...)
				}
			}
		}
	}
	return out
}

// duplicate returns the symbol of a resource declared under a name already taken (invalid
// Bicep, but real files do it, and each declaration still deploys).
func (d *deployment) duplicate(x *ast.ResourceDecl) *resourceSym {
	for _, s := range d.all {
		if s.decl == x {
			return s
		}
	}
	return nil
}

func nameOf(n ast.Node) string {
	switch x := n.(type) {
	case *ast.ResourceDecl:
		if x.Name != nil {
			return x.Name.Name
		}
	case *ast.ModuleDecl:
		if x.Name != nil {
			return x.Name.Name
		}
	}
	return ""
}

// param resolves a parameter: the supplied value, else its default (an assumption), else null
// for a nullable type (an assumption), else unknown.
func (d *deployment) param(sym *symbol, st *state) any {
	x := sym.decl.(*ast.ParamDecl)
	name := x.Name.Name
	switch sym.state {
	case evaluating:
		d.errorAt(x.Name, "The parameter's default value refers to itself", "break the cycle between parameter defaults")
		return &resource.Unknown{Reason: fmt.Sprintf("parameter %s refers to itself", name)}
	case pending:
		sym.state = evaluating
		inner := &state{}
		switch sp, ok := d.suppliedValue(name); {
		case ok:
			sym.value = sp.value
			if sp.raw != nil && d.baseType(x.Type) == "string" {
				sym.value = *sp.raw
			}
			if sp.from != "" {
				d.checkGiven(x, sp, sym.value)
			}
			inner.add(sp.assumed)
		case d.unreadParams != nil:
			sym.value = &resource.Unknown{Reason: fmt.Sprintf("parameter %s may be passed in the part of the module declaration lensix could not read (%s)", name, d.unreadParams.Reason)}
		case x.Default != nil:
			sym.value = d.eval(x.Default, nil, inner)
			inner.assume("param."+name, fmt.Sprintf("parameter %q was not given; its default value was used", name))
		case d.isNullable(x.Type, 0):
			sym.value = nil
			inner.assume("param."+name, fmt.Sprintf("parameter %q was not given; it is nullable, so null was used", name))
		default:
			sym.value = &resource.Unknown{Reason: fmt.Sprintf("parameter %s has no value; set it with --param %s=... or a parameters file", name, name)}
		}
		sym.assumed = inner.assumed
		sym.state = done
		// Functions applied to it make secrets too; see resource.Taint.
		if isSecure(x.Decorators) {
			sym.value, _ = d.l.taint.Secure(sym.value)
		} else if d.declaresSecure(x.Type) {
			sym.value, _ = d.secretsIn(x.Type, sym.value, d.l.taint.Secure, 0, nil)
		}
	}
	st.add(sym.assumed)
	return sym.value
}

// suppliedValue finds a parameter's given value; ARM matches parameter names without regard to
// case, so parameters files written for the compiled template match too.
func (d *deployment) suppliedValue(name string) (suppliedParam, bool) {
	if sp, ok := d.supplied[name]; ok {
		return sp, true
	}
	for k, sp := range d.supplied {
		if strings.EqualFold(k, name) {
			return sp, true
		}
	}
	return suppliedParam{}, false
}

// isNullable reports whether a parameter type admits null: "T?", or a declared or imported type
// that does (followed through at most a few aliases).
func (d *deployment) isNullable(t ast.Expr, depth int) bool {
	switch x := t.(type) {
	case *ast.NullableType:
		return true
	case *ast.Ident, *ast.SelectorExpr:
		if td, owner := d.typeDecl(x); td != nil && depth < maxTypeDepth {
			return owner.isNullable(td.Type, depth+1)
		}
	}
	return false
}

func (d *deployment) variable(sym *symbol, st *state) any {
	x := sym.decl.(*ast.VarDecl)
	switch sym.state {
	case evaluating:
		d.errorAt(x.Name, "The variable refers to itself", "break the cycle between variables")
		return &resource.Unknown{Reason: fmt.Sprintf("variable %s refers to itself", x.Name.Name)}
	case pending:
		sym.state = evaluating
		inner := &state{}
		sym.value = d.eval(x.Value, nil, inner)
		sym.assumed = inner.assumed
		sym.state = done
	}
	st.add(sym.assumed)
	return sym.value
}

func (d *deployment) output(sym *symbol, st *state) any {
	x := sym.decl.(*ast.OutputDecl)
	switch sym.state {
	case evaluating:
		return &resource.Unknown{Reason: fmt.Sprintf("output %q refers to itself", x.Name.Name)}
	case pending:
		sym.state = evaluating
		inner := &state{}
		sym.value = d.eval(x.Value, nil, inner)
		sym.assumed = inner.assumed
		sym.state = done
		// A @secure() output (or one of a secure type) read by a consumer is a secret wherever it
		// flows there.
		if isSecure(x.Decorators) {
			sym.value, _ = d.l.taint.Secure(sym.value)
		} else if d.declaresSecure(x.Type) {
			sym.value, _ = d.secretsIn(x.Type, sym.value, d.l.taint.Secure, 0, nil)
		}
	}
	st.add(sym.assumed)
	return sym.value
}

// outputsValue is a module's outputs object.
func (d *deployment) outputsValue(st *state) map[string]any {
	out := make(map[string]any, len(d.outputs))
	names := make([]string, 0, len(d.outputs))
	for name := range d.outputs {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		out[name] = d.output(d.outputs[name], st)
	}
	return out
}

func (d *deployment) errorAt(n ast.Node, summary, detail string) {
	d.l.report(d.file.rangeOf(n.Pos(), n.End()), diag.Error, summary, detail)
}

func (d *deployment) warnAt(n ast.Node, summary, detail string) {
	d.l.report(d.file.rangeOf(n.Pos(), n.End()), diag.Warning, summary, detail)
}

// ctx is the funcs.Context of a deployment, which it reads the scope of: Bicep reaches
// parameters and variables by name, so the template functions parameters() and variables() have
// nothing to read.
type ctx struct{ scope funcs.Scope }

func (ctx) Parameter(name string) (any, error) {
	return nil, fmt.Errorf("parameters() is not used in Bicep; refer to the parameter %q by name", name)
}

func (ctx) Variable(name string) (any, error) {
	return nil, fmt.Errorf("variables() is not used in Bicep; refer to the variable %q by name", name)
}

func (ctx) CopyIndex(string) (any, error) {
	return nil, fmt.Errorf("copyIndex() is not used in Bicep; use a for loop's index variable")
}

func (c ctx) Scope() funcs.Scope { return c.scope }
