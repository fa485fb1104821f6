// Package bicep reads Bicep files without the Bicep CLI: it parses them (scanner, parser, ast
// below this package) and evaluates them into the ARM-shaped resources they deploy, with the
// template function library shared with the ARM source.
//
// Addresses are symbolic names ("apim", "apim::child", "module.m.apim", "r[0]"). A name that is
// declared again (invalid Bicep, reported as BCP028) is still deployed and checked, under
// name@L<line of the later declaration>, so that each declaration keeps its own verdict.
//
// Values the parser could not read whole (a declaration cut off or garbled by a syntax error)
// are unknown, never judged: see syntax.go.
//
// Load functions (loadTextContent, loadJsonContent, loadFileAsBase64) resolve their path as Bicep
// does and read only regular files under Options.Root, since what they read ends up in reports;
// every file is read through a 16 MiB limit.
package bicep

import (
	"fmt"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/lensix/lensix/internal/diag"
	"github.com/lensix/lensix/internal/resource"
	"github.com/lensix/lensix/internal/source/arm"
	"github.com/lensix/lensix/internal/source/arm/funcs"
	"github.com/lensix/lensix/internal/source/bicep/ast"
	"github.com/lensix/lensix/internal/source/bicep/parser"
	"github.com/lensix/lensix/internal/source/bicep/token"
)

// Options are the deployment inputs a user gives on the command line.
type Options struct {
	// Params are single values (--param k=v); v is read as JSON when it parses, else as a string.
	// They override every parameters file.
	Params []string
	// ParameterFiles are .bicepparam files, each applied to the template its using declaration
	// names, or ARM deployment parameters files (.parameters.json), applied to every template.
	ParameterFiles []string
	// Root is the folder the user scanned: load functions (loadTextContent...) may read only files
	// under it, since their content ends up in reports. Empty means the deepest folder holding
	// every file given.
	Root string
	// Scope is where the files are deployed (--deployment-scope, --location, --tenant-id,
	// --deployment-name); each root file takes the part that fits its targetScope, and modules
	// the scope they name. An empty field stays unknown.
	Scope funcs.Scope
	// NamesCheckedElsewhere is set when the ARM front end of the same scan reports the
	// ParameterFiles and Params names that no template, ARM or Bicep, declares (see
	// ParameterNames), so they are reported once.
	NamesCheckedElsewhere bool
}

// maxFileSize bounds what is read: larger files are reported, not evaluated.
const maxFileSize = 16 << 20

// Load evaluates the Bicep files among files and returns every resource they deploy. A file that
// another one in the list uses as a local module is evaluated through that module (with the
// parameters passed to it), not again on its own; a .bicepparam file in the list deploys the
// template it names with its values. Problems are returned as diagnostics beside the resources
// of everything that could be read.
func Load(files []string, opts Options) ([]*resource.Resource, diag.Diagnostics) {
	r := LoadAll(files, opts)
	return r.Resources, r.Diagnostics
}

// Result is what LoadAll derives from Bicep files.
type Result struct {
	Resources []*resource.Resource
	// NotDeployed are the resource declarations that deploy nothing only because parameters
	// took their defaults.
	NotDeployed []resource.NotDeployed
	Diagnostics diag.Diagnostics
}

// LoadAll is Load, and also reports the resources parameter defaults switched off.
func LoadAll(files []string, opts Options) Result {
	l := &loader{files: map[string]*sourceFile{}, root: scanRoot(opts.Root, files)}
	supplied := map[string]suppliedParam{}
	// A .bicepparam file given with --parameters applies to the template its using names only.
	type paramFile struct {
		file   *sourceFile
		values map[string]suppliedParam
	}
	byTemplate := map[string]paramFile{}
	var paramFiles []string
	var global []globalParam // later ones win
	for _, name := range opts.ParameterFiles {
		if !strings.HasSuffix(strings.ToLower(name), ".bicepparam") {
			global = append(global, l.parameterFile(name)...)
			continue
		}
		f := l.read(name)
		if f == nil {
			continue
		}
		values := map[string]suppliedParam{}
		if target := l.bicepparamValues(f, values); target != nil {
			byTemplate[absolute(target.path)] = paramFile{f, values}
			paramFiles = append(paramFiles, absolute(target.path))
		}
	}
	for _, kv := range opts.Params {
		name, v, d := arm.ParseParam(kv)
		if d != nil {
			l.diags = append(l.diags, *d)
			continue
		}
		raw := kv[strings.Index(kv, "=")+1:]
		global = append(global, globalParam{name: name, from: "--param", value: suppliedParam{value: v, from: "--param", raw: &raw}})
	}
	for _, g := range global {
		supplied[g.name] = g.value
	}

	// Decide the roots: templates not used as a module by another listed file, and templates
	// named by a listed .bicepparam file (deployed with its values).
	type root struct {
		file   *sourceFile
		params map[string]suppliedParam
	}
	var roots []root
	usedAsModule := map[string]bool{}
	viaParamFile := map[string]bool{}
	var templates []*sourceFile
	for _, name := range files {
		f := l.read(name)
		if f == nil {
			continue
		}
		if f.isParams {
			params := map[string]suppliedParam{}
			target := l.bicepparamValues(f, params)
			if target == nil {
				continue
			}
			for k, v := range supplied {
				params[k] = v
			}
			viaParamFile[target.key()] = true
			roots = append(roots, root{target, params})
			continue
		}
		templates = append(templates, f)
		for _, m := range l.localModules(f) {
			usedAsModule[m] = true
		}
	}
	if !opts.NamesCheckedElsewhere {
		l.checkDeclared(global, templates)
	}
	applied := map[string]bool{}
	for _, f := range templates {
		if pf, ok := byTemplate[absolute(f.path)]; ok && !viaParamFile[f.key()] {
			params := map[string]suppliedParam{}
			for k, v := range pf.values {
				params[k] = v
			}
			for k, v := range supplied {
				params[k] = v
			}
			viaParamFile[f.key()] = true
			applied[absolute(f.path)] = true
			roots = append(roots, root{f, params})
			continue
		}
		if usedAsModule[f.key()] || viaParamFile[f.key()] {
			continue
		}
		roots = append(roots, root{f, supplied})
	}
	for _, key := range paramFiles {
		if pf := byTemplate[key]; !applied[key] {
			l.report(resource.Range{Filename: pf.file.path}, diag.Warning, "The parameters file is not applied",
				fmt.Sprintf("its using declaration names %s, which is not among the files scanned; scan that template to apply it", key))
		}
	}
	// Files that use each other in a cycle have no root above them: evaluate the first of each
	// cycle, which reports the cycle.
	reached := map[string]bool{}
	var reach func(string)
	reach = func(p string) {
		if reached[p] {
			return
		}
		reached[p] = true
		if f := l.files[p]; f != nil {
			for _, m := range l.localModules(f) {
				reach(m)
			}
		}
	}
	for _, r := range roots {
		reach(r.file.key())
	}
	for _, f := range templates {
		if !reached[f.key()] && !viaParamFile[f.key()] {
			roots = append(roots, root{f, supplied})
			reach(f.key())
		}
	}
	var out []*resource.Resource
	for _, r := range roots {
		l.steps, l.budgetReported = 0, false
		l.armBudget.NewTemplate() // the ARM templates a root uses as modules count as one template
		l.taint = resource.Taint{}
		d := l.newDeployment(r.file, r.params, "", nil)
		d.scope = opts.Scope.For(targetLevel(r.file))
		l.rootDeployment, l.rootParams, l.notDeployedAt = d, d.params, map[ast.Decl]bool{}
		first, firstOff := len(l.diags), len(l.notDeployed)
		resources := d.run()
		// Secure outputs, what functions made of secure values, and the values Redact hides in
		// any resource of the root (a named value's value read through a symbol) may flow into
		// any resource of the root, and a message may quote them; mask them in all.
		rootSecrets := l.taint.Secrets()
		for _, res := range resources {
			rootSecrets = append(rootSecrets, resource.SecretsOf(res.Type, res.Body)...)
		}
		l.diags[first:].Mask(rootSecrets)
		for i := firstOff; i < len(l.notDeployed); i++ {
			l.notDeployed[i].Name = resource.MaskString(l.notDeployed[i].Name, rootSecrets)
		}
		for _, res := range resources {
			res.Secrets = mergeSecrets(slices.Clip(res.Secrets), rootSecrets)
			res.Assumptions = resource.MaskAssumptions(res.Assumptions, res.Secrets)
		}
		out = append(out, resources...)
	}
	sort.SliceStable(l.diags, func(i, j int) bool {
		a, b := l.diags[i].Range, l.diags[j].Range
		if a.Filename != b.Filename {
			return a.Filename < b.Filename
		}
		return a.Start.Byte < b.Start.Byte
	})
	return Result{Resources: out, NotDeployed: l.notDeployed, Diagnostics: l.diags}
}

// suppliedParam is a parameter value given from outside the template.
type suppliedParam struct {
	value   any
	assumed map[string]string // assumptions the value rests on (a module caller's defaults)
	// from names where a value given from outside the templates comes from (a parameters file,
	// "--param"), so it is checked against the declaration; "" for a module's parameters.
	from string
	// at is where the value is written; nil for --param.
	at *resource.Range
	// raw is the text of a --param value, used as is for a string parameter ("--param tag=123").
	raw *string
	// passes names what a module declaration passes as is ("deployApim: prod"), else "".
	passes string
}

type loader struct {
	files map[string]*sourceFile
	diags diag.Diagnostics
	// root is the absolute folder load functions may read under.
	root string
	// reported de-duplicates diagnostics raised each time a shared module or loop is evaluated.
	reported map[string]bool
	// callDepth counts the user-defined function calls being evaluated.
	callDepth int
	// steps counts the expressions evaluated for the current root, against maxSteps.
	steps          int
	budgetReported bool
	// extending holds the .bicepparam files being read through extends, to refuse cycles.
	extending map[string]bool
	// taint tracks, for the current root, the known values of @secure() parameters and outputs
	// and the strings functions made of them.
	taint resource.Taint
	// configs caches the bicepconfig.json that applies to each directory.
	configs map[string]map[string]any
	// notDeployed are the declarations parameter defaults switched off, once each (by
	// notDeployedAt); rootParams are the parameters of the root being evaluated, which --param
	// sets.
	notDeployed    []resource.NotDeployed
	notDeployedAt  map[ast.Decl]bool
	rootParams     map[string]*symbol
	rootDeployment *deployment // the root being evaluated, whose parameters rootParams are
	quiet          int         // while above 0, problems are not reported: a value is evaluated again
	// armBudget bounds the ARM templates used as modules, together, as one scan.
	armBudget arm.Budget
}

// sourceFile is one parsed Bicep or .bicepparam file.
type sourceFile struct {
	path     string // as given (slash form), used in ranges
	src      []byte
	ast      *ast.File
	tok      *token.File
	isParams bool
	// syntaxErrors are where the parser found errors, in order: values declared across them are
	// not trusted (see brokenAt).
	syntaxErrors []token.Position
}

// read parses a file once, whatever spelling of its path is used ("./a/b.bicep", "a/b.bicep").
// The first spelling is kept for positions: a path exactly as the scan passed it.
func (l *loader) read(name string) *sourceFile {
	name = filepath.ToSlash(name)
	key := path.Clean(name)
	if f, ok := l.files[key]; ok {
		return f
	}
	l.files[key] = nil
	src, err := readBounded(name)
	if err != nil {
		l.readError(name, "Cannot read the Bicep file", err)
		return nil
	}
	if at, summary, detail := textProblem(src); at >= 0 {
		pos := posAt(src, at)
		l.report(resource.Range{Filename: name, Start: pos, End: pos}, diag.Error, summary, detail)
		return nil
	}
	f := l.parse(name, src)
	l.files[key] = f
	return f
}

func (l *loader) parse(name string, src []byte) *sourceFile {
	file, errs := parser.ParseFile(name, src)
	f := &sourceFile{path: name, src: src, ast: file, tok: file.File, isParams: strings.HasSuffix(strings.ToLower(name), ".bicepparam")}
	for _, e := range errs {
		f.syntaxErrors = append(f.syntaxErrors, e.Pos)
		l.report(resource.Range{Filename: name, Start: resource.Pos{Line: e.Pos.Line, Column: e.Pos.Column, Byte: e.Pos.Offset},
			End: resource.Pos{Line: e.Pos.Line, Column: e.Pos.Column, Byte: e.Pos.Offset}},
			diag.Error, "Bicep syntax error: "+e.Msg, "fix the file; lensix evaluates what it could read and reports resources from the rest")
	}
	return f
}

func (l *loader) report(r resource.Range, sev diag.Severity, summary, detail string) {
	l.add(diag.Diagnostic{Severity: sev, Summary: summary, Detail: detail, Range: r})
}

// add records d once per place and summary.
func (l *loader) add(d diag.Diagnostic) {
	key := fmt.Sprintf("%s:%d:%s", d.Range.Filename, d.Range.Start.Byte, d.Summary)
	if l.reported == nil {
		l.reported = map[string]bool{}
	}
	if l.reported[key] || l.quiet > 0 {
		return
	}
	l.reported[key] = true
	l.diags = append(l.diags, d)
}

// key identifies the file whatever spelling of its path was used.
func (f *sourceFile) key() string { return path.Clean(f.path) }

// rangeOf converts a node's span to a resource.Range.
func (f *sourceFile) rangeOf(from, to token.Pos) resource.Range {
	s, e := f.tok.Position(from), f.tok.Position(to)
	return resource.Range{
		Filename: f.path,
		Start:    resource.Pos{Line: s.Line, Column: s.Column, Byte: s.Offset},
		End:      resource.Pos{Line: e.Line, Column: e.Column, Byte: e.Offset},
	}
}

// text is the source text of n on one line (runs of blanks and newlines collapsed), shortened
// to what fits a report.
func (f *sourceFile) text(n ast.Node) string {
	from, to := f.tok.Offset(n.Pos()), f.tok.Offset(n.End())
	cut := to > len(f.src) // a node cut off by the end of the file
	if cut {
		to = len(f.src)
	}
	if from < 0 || from > to {
		return ""
	}
	text := strings.Join(strings.Fields(string(f.src[from:to])), " ")
	if len(text) > maxExprText {
		text, cut = strings.ToValidUTF8(text[:maxExprText], ""), true
	}
	if cut {
		text += "…"
	}
	return text
}

// maxExprText bounds the expression text kept in unknown values.
const maxExprText = 160

// suppressions reads the lensix:ignore comments of a declaration: above its first decorator, or
// between its decorators and its keyword.
func (f *sourceFile) suppressions(h ast.Header) []resource.Suppression {
	first, keyword := f.tok.Position(h.Pos()).Line, f.tok.Position(h.Keyword).Line
	out := resource.InlineSuppressions(f.path, f.src, first)
	if keyword != first {
		seen := map[int]bool{}
		for _, s := range out {
			seen[s.Range.Start.Line] = true
		}
		for _, s := range resource.InlineSuppressions(f.path, f.src, keyword) {
			if !seen[s.Range.Start.Line] {
				out = append(out, s)
			}
		}
	}
	return out
}

// localModules lists the local files f uses as modules.
func (l *loader) localModules(f *sourceFile) []string {
	var out []string
	for _, d := range f.ast.Decls {
		if m, ok := d.(*ast.ModuleDecl); ok && m.Path != nil {
			if p, ok := m.Path.Literal(); ok && !isRegistry(p) {
				out = append(out, f.resolve(p))
			}
		}
	}
	return out
}

func isRegistry(p string) bool {
	return strings.HasPrefix(p, "br:") || strings.HasPrefix(p, "br/") || strings.HasPrefix(p, "ts:") || strings.HasPrefix(p, "ts/")
}
