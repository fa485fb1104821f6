package arm

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/lensix/lensix/internal/diag"
	"github.com/lensix/lensix/internal/resource"
	"github.com/lensix/lensix/internal/source/arm/expr"
	"github.com/lensix/lensix/internal/source/arm/funcs"
	"github.com/lensix/lensix/internal/source/arm/jsonpos"
)

// Options are the deployment inputs a user gives on the command line, and the scan's budget.
type Options struct {
	// ParameterFiles are deployment parameters files (--parameters FILE), applied to every
	// template after the parameters file paired with it.
	ParameterFiles []string
	// Params are single values (--param k=v); v is parsed as JSON when it parses, else taken as
	// a string. They override every file.
	Params []string
	// Scope is where the templates are deployed (--deployment-scope, --location, --tenant-id,
	// --deployment-name); its Level is that of the scope given. Each template takes the part
	// that fits its own level (see funcs.Scope.For); an empty field stays unknown.
	Scope funcs.Scope
	// Budget is the budget to draw on when several Load calls make up one scan (a Bicep module
	// loop loads its ARM template once per instance); nil gives this call a budget of its own.
	Budget *Budget
	// AlsoDeclared are parameter names declared elsewhere that ParameterFiles and Params may be
	// meant for (the Bicep templates of the same scan): a value for one of them is not reported
	// as undeclared.
	AlsoDeclared []string
	// Secrets are values the caller knows to be secret, such as the secure values of the Bicep
	// file that uses the template as a module: what functions make of them is secret too.
	Secrets []string
}

// maxFileSize bounds what is read: larger files are reported, not evaluated.
const maxFileSize = 64 << 20

// ParseParam reads a --param NAME=VALUE flag: VALUE is JSON when it parses, else a string.
// The Bicep front end reads the flag the same way.
func ParseParam(kv string) (name string, value any, d *diag.Diagnostic) {
	name, raw, ok := strings.Cut(kv, "=")
	if name = strings.TrimSpace(name); !ok || name == "" {
		return "", nil, &diag.Diagnostic{Severity: diag.Error,
			Summary: fmt.Sprintf("--param %q is not NAME=VALUE", kv),
			Detail:  "write it as --param name=value; the value is read as JSON when it parses, else as a string"}
	}
	value, err := funcs.ParseJSON(raw)
	if err != nil {
		value = raw
	}
	return name, value, nil
}

// Load evaluates the templates among files and returns every resource they deploy. A template
// x.json is paired with x.parameters.json in the same directory when that file exists.
// Problems are returned as diagnostics beside the resources of everything that could be read.
func Load(files []string, opts Options) ([]*resource.Resource, diag.Diagnostics) {
	r := LoadAll(files, opts)
	return r.Resources, r.Diagnostics
}

// Result is what LoadAll derives from templates.
type Result struct {
	Resources []*resource.Resource
	// NotDeployed are the resource declarations that deploy nothing only because parameters
	// took their defaults.
	NotDeployed []resource.NotDeployed
	Diagnostics diag.Diagnostics
}

// LoadAll is Load, and also reports the resources parameter defaults switched off.
func LoadAll(files []string, opts Options) Result {
	l := newLoader()
	if opts.Budget != nil {
		l.budget = opts.Budget
	}
	// global are the values of --parameters files and --param flags, in order: later ones win.
	var global []suppliedParam
	for _, name := range opts.ParameterFiles {
		if strings.HasSuffix(strings.ToLower(name), ".bicepparam") {
			continue // the Bicep front end's: it names its own template
		}
		if f := l.read(name); f != nil {
			global = append(global, l.parameterValues(f)...)
		}
	}
	for _, kv := range opts.Params {
		name, v, d := ParseParam(kv)
		if d != nil {
			l.diags = append(l.diags, *d)
			continue
		}
		raw := kv[strings.Index(kv, "=")+1:]
		global = append(global, suppliedParam{name: name, value: v, raw: &raw, from: "--param"})
	}
	supplied := map[string]suppliedParam{}
	for _, p := range global {
		supplied[strings.ToLower(p.name)] = p
	}

	var roots, secrets []string
	byRoot := map[string][]*resource.Resource{}
	declaredAnywhere := map[string]string{} // the parameters of every template, by lower-case name
	offByRoot := map[string][]resource.NotDeployed{}
	for _, name := range files {
		if _, done := byRoot[name]; done {
			continue
		}
		byRoot[name] = nil
		f := l.read(name)
		if f == nil || detect(f.root) != Template {
			continue
		}
		declared := declaredParameters(f.root)
		for k, v := range declared {
			declaredAnywhere[k] = v
		}
		params := map[string]suppliedParam{}
		if paired := pairedParameters(name); paired != "" {
			if pf := l.read(paired); pf != nil && (detect(pf.root) == Parameters || detect(pf.root) == Other && parameterMap(pf.root) != nil) {
				for _, p := range l.parameterValues(pf) {
					if _, ok := declared[strings.ToLower(p.name)]; !ok {
						l.undeclaredParameter(p, declared, "the template "+path.Base(name))
					}
					params[strings.ToLower(p.name)] = p
				}
			}
		}
		for k, v := range supplied {
			params[k] = v
		}
		l.taint = resource.Taint{}
		for _, s := range opts.Secrets {
			l.taint.Track(s)
		}
		if opts.Budget == nil {
			l.budget.NewTemplate() // a caller's budget counts its own templates (a Bicep root's modules)
		}
		d := l.newDeployment(f, f.root, opts.Scope.For(templateLevel(f.root)), "", params, nil)
		l.rootParams, l.notDeployed, l.notDeployedAt = d.params, nil, map[string]bool{}
		rs := d.run()
		// Every resource of the deployment, nested ones included, may carry any of its secrets:
		// its secure inputs, what functions made of them, and the values Redact hides in any of
		// its resources (a named value's value read through reference() and quoted in an error).
		rootSecrets := l.taint.Secrets()
		for _, r := range rs {
			rootSecrets = append(rootSecrets, resource.SecretsOf(r.Type, r.Body)...)
		}
		for _, r := range rs {
			r.Secrets = append(r.Secrets, rootSecrets...)
			r.Assumptions = resource.MaskAssumptions(r.Assumptions, r.Secrets)
		}
		for i := range l.notDeployed {
			l.notDeployed[i].Name = resource.MaskString(l.notDeployed[i].Name, rootSecrets)
		}
		secrets = append(secrets, rootSecrets...)
		byRoot[name] = rs
		offByRoot[name] = l.notDeployed
		roots = append(roots, name)
	}
	for _, name := range opts.AlsoDeclared {
		declaredAnywhere[strings.ToLower(name)] = name
	}
	if len(roots) > 0 {
		// A value meant for another template of the folder is no mistake: only a name no template
		// declares is.
		what := "the template " + path.Base(roots[0])
		if len(roots) > 1 || len(opts.AlsoDeclared) > 0 {
			what = "any of the templates scanned"
		}
		for _, p := range global {
			if _, ok := declaredAnywhere[strings.ToLower(p.name)]; !ok {
				l.undeclaredParameter(p, declaredAnywhere, what)
			}
		}
	}
	var out Result
	linked := l.linkedFromRoots(roots)
	for _, name := range roots {
		if !linked[path.Clean(name)] {
			out.Resources = append(out.Resources, byRoot[name]...)
			out.NotDeployed = append(out.NotDeployed, offByRoot[name]...)
		}
	}
	l.diags.Mask(secrets)
	l.diags.Sort()
	out.Diagnostics = l.diags
	return out
}

// templateLevel reads the level a template deploys to from its $schema
// (subscriptionDeploymentTemplate.json, ...); any other is a resource group template.
func templateLevel(tmpl *jsonpos.Node) funcs.Level {
	schema := tmpl.Get("$schema")
	if schema == nil || schema.Kind != jsonpos.String {
		return funcs.ResourceGroupLevel
	}
	switch s := strings.ToLower(schema.Str); {
	case strings.Contains(s, "/subscriptiondeploymenttemplate.json"):
		return funcs.SubscriptionLevel
	case strings.Contains(s, "/managementgroupdeploymenttemplate.json"):
		return funcs.ManagementGroupLevel
	case strings.Contains(s, "/tenantdeploymenttemplate.json"):
		return funcs.TenantLevel
	}
	return funcs.ResourceGroupLevel
}

// linkedFromRoots gives the templates deployed as linked templates, at any depth, by a root that
// no other template links to: their resources were evaluated there, with the values passed in, so
// their evaluation on their own (with defaults) is left out rather than reported twice. A
// template that links only to itself stays a root.
func (l *loader) linkedFromRoots(roots []string) map[string]bool {
	links := map[string][]string{} // each template's linked templates, itself left out
	linkedByOthers := map[string]bool{}
	for to, froms := range l.linkedBy {
		for _, from := range froms {
			if from != to {
				links[from] = append(links[from], to)
				linkedByOthers[to] = true
			}
		}
	}
	linked := map[string]bool{}
	var stack []string
	for _, name := range roots {
		if name = path.Clean(name); !linkedByOthers[name] {
			stack = append(stack, name)
		}
	}
	for len(stack) > 0 {
		from := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, to := range links[from] {
			if !linked[to] {
				linked[to] = true
				stack = append(stack, to)
			}
		}
	}
	return linked
}

// pairedParameters names the parameters file that goes with a template (azuredeploy.json →
// azuredeploy.parameters.json), or "" when there is none on disk.
func pairedParameters(template string) string {
	ext := path.Ext(template)
	if strings.HasSuffix(strings.ToLower(template), ".parameters"+strings.ToLower(ext)) {
		return ""
	}
	candidate := strings.TrimSuffix(template, ext) + ".parameters" + ext
	if st, err := os.Stat(filepath.FromSlash(candidate)); err == nil && st.Mode().IsRegular() {
		return candidate
	}
	return ""
}

// PairedTemplate returns the template that pairs itself with the parameters file params, as Load
// pairs x.json with x.parameters.json, or "" when params is named otherwise. The template may not
// exist.
func PairedTemplate(params string) string {
	ext := path.Ext(params)
	stem := strings.TrimSuffix(params, ext)
	if !strings.HasSuffix(stem, ".parameters") {
		return ""
	}
	return strings.TrimSuffix(stem, ".parameters") + ext
}

type loader struct {
	files  map[string]*sourceFile
	diags  diag.Diagnostics
	seen   map[diagKey]bool
	calls  int // user-defined function calls so far
	budget *Budget
	// parsed holds the expressions parsed so far, once per template string however many
	// deployments evaluate it.
	parsed map[*jsonpos.Node]expr.Node
	// taint tracks the secure values of the root deployment being evaluated (nested and linked
	// ones included) and the strings functions made of them.
	taint resource.Taint
	// linkedBy lists, for each linked template file, the files that link to it.
	linkedBy map[string][]string
	// notDeployed are the declarations parameter defaults switched off, once each (by
	// notDeployedAt, file:offset); rootParams are the parameters of the root template being
	// evaluated, which --param sets.
	notDeployed   []resource.NotDeployed
	notDeployedAt map[string]bool
	rootParams    map[string]*param
	quiet         int // while above 0, problems are not reported: a value is evaluated again
}

type diagKey struct {
	file   string
	offset int
	msg    string
}

type sourceFile struct {
	name      string
	file      *jsonpos.File
	root      *jsonpos.Node
	hasInline bool
}

type suppliedParam struct {
	name  string
	value any
	// raw is the text of a --param value, used as is for string parameters ("--param tag=123").
	raw     *string
	from    string
	assumed assumptions // what a value passed into a nested deployment rests on
	// file is where the value is written (a parameters file, or the template of a nested
	// deployment), nil for --param; keyAt and valueAt are offsets of its name and value there.
	file           *jsonpos.File
	keyAt, valueAt int
}

func newLoader() *loader {
	return &loader{files: map[string]*sourceFile{}, seen: map[diagKey]bool{}, linkedBy: map[string][]string{}, parsed: map[*jsonpos.Node]expr.Node{}, budget: &Budget{}}
}

// read loads and parses a file once; a file that cannot be read or parsed is a diagnostic and nil.
func (l *loader) read(name string) *sourceFile {
	if f, ok := l.files[name]; ok {
		return f
	}
	l.files[name] = nil
	st, err := os.Stat(filepath.FromSlash(name))
	if err == nil && st.Size() > maxFileSize {
		err = fmt.Errorf("the file is %d MB; lensix reads ARM files up to %d MB", st.Size()>>20, maxFileSize>>20)
	}
	var src []byte
	if err == nil {
		src, err = os.ReadFile(filepath.FromSlash(name))
	}
	if err != nil {
		l.diags = append(l.diags, diag.Diagnostic{Severity: diag.Error, Summary: "Cannot read ARM file",
			Detail: err.Error(), Range: resource.Range{Filename: name}})
		return nil
	}
	f := l.parse(name, src)
	l.files[name] = f
	return f
}

// parse reads the JSON of a file; a syntax error is a diagnostic and nil.
func (l *loader) parse(name string, src []byte) *sourceFile {
	jf := jsonpos.NewFile(name, src)
	root, err := jsonpos.Parse(src)
	if err != nil {
		l.diags = append(l.diags, syntaxDiagnostic(jf, err))
		return nil
	}
	return &sourceFile{name: name, file: jf, root: root, hasInline: hasInlineMarker(src)}
}

// parameterValues reads the values of a parameters file, in file order.
func (l *loader) parameterValues(f *sourceFile) []suppliedParam {
	params := parameterMap(f.root)
	if params == nil {
		l.report(f.file, f.root.Start, diag.Warning, "The parameters file has no \"parameters\" object",
			"a deployment parameters file holds {\"parameters\": {\"name\": {\"value\": ...}}}, or, as az deployment accepts, {\"name\": {\"value\": ...}}")
		return nil
	}
	var out []suppliedParam
	for _, p := range params.Fields {
		sp := suppliedParam{name: p.Key, from: f.name, file: f.file, keyAt: p.KeyStart, valueAt: p.Value.Start}
		switch {
		case p.Value.Get("value") != nil:
			sp.value = p.Value.Get("value").Value()
			sp.valueAt = p.Value.Get("value").Start
		case p.Value.Get("reference") != nil:
			sp.value = &resource.Unknown{Reason: fmt.Sprintf("parameter %q is a Key Vault secret reference, read at deployment", p.Key)}
		default:
			l.report(f.file, p.KeyStart, diag.Warning, fmt.Sprintf("Parameter %q has no \"value\"", p.Key),
				"give it {\"value\": ...} or {\"reference\": ...}; it was ignored")
			continue
		}
		out = append(out, sp)
	}
	return out
}

// ParameterValue is one value of a deployment parameters file.
type ParameterValue struct {
	Name string
	// Value is the JSON value given, or *resource.Unknown for a Key Vault reference.
	Value any
	// Range is where its name is written.
	Range resource.Range
}

// ReadParameters reads a deployment parameters file as az deployment does ({"parameters": {...}},
// or the bare map of {"value"} and {"reference"} entries), with diagnostics for what it cannot
// read. The Bicep front end reads JSON parameters files through it.
func ReadParameters(name string, src []byte) ([]ParameterValue, diag.Diagnostics) {
	l := newLoader()
	f := l.parse(name, src)
	if f == nil {
		return nil, l.diags
	}
	var out []ParameterValue
	for _, p := range l.parameterValues(f) {
		out = append(out, ParameterValue{Name: p.name, Value: p.value, Range: f.file.Range(p.keyAt, p.keyAt)})
	}
	return out, l.diags
}

// parameterMap is the object of a parameters file that maps names to {"value"} or {"reference"}:
// its "parameters" member; else, as az deployment reads a file (parsed.get('parameters',
// parsed)), the file itself when every member is such an entry, so unrelated JSON is not taken
// for parameters. Nil when there is neither.
func parameterMap(root *jsonpos.Node) *jsonpos.Node {
	if ps := root.Get("parameters"); ps != nil {
		if ps.Kind != jsonpos.Object {
			return nil
		}
		return ps
	}
	if root.Kind != jsonpos.Object || len(root.Fields) == 0 {
		return nil
	}
	for _, f := range root.Fields {
		if f.Value.Get("value") == nil && f.Value.Get("reference") == nil {
			return nil
		}
	}
	return root
}

// declaredParameters lists a template's parameters by lower-case name.
func declaredParameters(tmpl *jsonpos.Node) map[string]string {
	out := map[string]string{}
	if ps := tmpl.Get("parameters"); ps != nil && ps.Kind == jsonpos.Object {
		for _, f := range ps.Fields {
			out[strings.ToLower(f.Key)] = f.Key
		}
	}
	return out
}

// undeclaredParameter warns about a value given for a parameter the template does not declare:
// Resource Manager rejects such a deployment, and a misspelt name would leave the default in use.
func (l *loader) undeclaredParameter(p suppliedParam, declared map[string]string, what string) {
	summary := fmt.Sprintf("Parameter %q (from %s) is not declared by %s", p.name, p.from, what)
	detail := "Resource Manager would reject the deployment (a parameter not present in the template cannot be provided); lensix ignored the value"
	if near := ClosestName(p.name, declared); near != "" {
		detail = fmt.Sprintf("did you mean %q? ", near) + detail
	}
	if p.file == nil {
		l.diags = append(l.diags, diag.Diagnostic{Severity: diag.Warning, Summary: summary, Detail: detail})
		return
	}
	l.report(p.file, p.keyAt, diag.Warning, summary, detail)
}

// ClosestName is the declared name nearest to name in edit distance, ignoring case, when it is
// near enough to be a misspelling of it; else "". declared maps lower-case names to their
// spelling. The Bicep front end suggests names with it too.
func ClosestName(name string, declared map[string]string) string {
	best, bestDist := "", max(2, len(name)/4)+1
	for _, k := range sortedKeys(declared) {
		if d := diag.EditDistance(strings.ToLower(name), k); d < bestDist && d < len(name) {
			best, bestDist = declared[k], d
		}
	}
	return best
}

// report records a diagnostic once per place and message, so a copy loop does not repeat it.
func (l *loader) report(f *jsonpos.File, offset int, sev diag.Severity, summary, detail string) {
	l.add(f, offset, diag.Diagnostic{Severity: sev, Summary: summary, Detail: detail})
}

// add records d at offset of f, once per place and summary.
func (l *loader) add(f *jsonpos.File, offset int, d diag.Diagnostic) {
	key := diagKey{f.Name, offset, d.Summary}
	if l.seen[key] || l.quiet > 0 {
		return
	}
	l.seen[key] = true
	d.Range = f.Range(offset, offset)
	l.diags = append(l.diags, d)
}
