package bicep

import (
	"fmt"
	"path"
	"path/filepath"
	"strings"

	"github.com/lensix/lensix/internal/diag"
	"github.com/lensix/lensix/internal/resource"
	"github.com/lensix/lensix/internal/source/arm"
	"github.com/lensix/lensix/internal/source/arm/funcs"
	"github.com/lensix/lensix/internal/source/bicep/ast"
)

// parameterFile reads an ARM deployment parameters file given with --parameters, as az
// deployment reads it, and returns its values in file order.
func (l *loader) parameterFile(name string) []globalParam {
	data, err := readBounded(filepath.ToSlash(name))
	if err != nil {
		l.report(resource.Range{Filename: filepath.ToSlash(name)}, diag.Error, "Cannot read the parameters file", err.Error())
		return nil
	}
	values, diags := arm.ReadParameters(filepath.ToSlash(name), data)
	l.diags = append(l.diags, diags...)
	out := make([]globalParam, 0, len(values))
	for _, v := range values {
		at := v.Range
		out = append(out, globalParam{name: v.Name, from: filepath.ToSlash(name), at: &at, value: suppliedParam{value: v.Value, from: filepath.ToSlash(name), at: &at}})
	}
	return out
}

// globalParam is a value of --parameters or --param, which every template scanned is given.
type globalParam struct {
	name  string
	from  string          // the parameters file, or "--param"
	at    *resource.Range // where the name is written; nil for --param
	value suppliedParam
}

// checkDeclared warns about values given for parameters no template scanned declares: Resource
// Manager rejects such a deployment, and a misspelt name would leave the default in use.
func (l *loader) checkDeclared(global []globalParam, templates []*sourceFile) {
	if len(templates) == 0 {
		return
	}
	declared := map[string]string{}
	for _, f := range templates {
		for k, v := range declaredParams(f) {
			declared[k] = v
		}
	}
	what := "the template " + path.Base(templates[0].path)
	if len(templates) > 1 {
		what = "any of the templates scanned"
	}
	for _, g := range global {
		if _, ok := declared[strings.ToLower(g.name)]; ok {
			continue
		}
		summary := fmt.Sprintf("Parameter %q (from %s) is not declared by %s", g.name, g.from, what)
		detail := "Resource Manager would reject the deployment (a parameter not present in the template cannot be provided); lensix ignored the value"
		if near := arm.ClosestName(g.name, declared); near != "" {
			detail = fmt.Sprintf("did you mean %q? ", near) + detail
		}
		if g.at == nil {
			l.diags = append(l.diags, diag.Diagnostic{Severity: diag.Warning, Summary: summary, Detail: detail})
			continue
		}
		l.report(*g.at, diag.Warning, summary, detail)
	}
}

// declaredParams lists the parameters a Bicep file declares, by lower-case name.
func declaredParams(f *sourceFile) map[string]string {
	out := map[string]string{}
	for _, decl := range f.ast.Decls {
		if x, ok := decl.(*ast.ParamDecl); ok && x.Name != nil {
			out[strings.ToLower(x.Name.Name)] = x.Name.Name
		}
	}
	return out
}

// ParameterNames lists the parameters the Bicep templates among files declare, for the
// AlsoDeclared option of the ARM front end; files that cannot be read are skipped.
func ParameterNames(files []string) []string {
	l := &loader{files: map[string]*sourceFile{}}
	var out []string
	for _, name := range files {
		if f := l.read(name); f != nil && !f.isParams {
			declared := declaredParams(f)
			for _, k := range sortedKeys(declared) {
				out = append(out, declared[k])
			}
		}
	}
	return out
}

// normalizeJSON turns encoding/json's float64 whole numbers into int64, as templates hold them.
func normalizeJSON(v any) any {
	switch x := v.(type) {
	case float64:
		if x == float64(int64(x)) {
			return int64(x)
		}
	case []any:
		for i := range x {
			x[i] = normalizeJSON(x[i])
		}
	case map[string]any:
		for k := range x {
			x[k] = normalizeJSON(x[k])
		}
	}
	return v
}

// bicepparamValues evaluates the parameter assignments of a .bicepparam file into into and
// returns the template its using declaration names (nil when there is none or it is unreadable).
func (l *loader) bicepparamValues(f *sourceFile, into map[string]suppliedParam) *sourceFile {
	d := l.newDeployment(f, nil, "", nil)
	var target *sourceFile
	// The file extended comes first: this file's own values override its.
	if l.extending == nil {
		l.extending = map[string]bool{}
	}
	l.extending[f.key()] = true
	defer delete(l.extending, f.key())
	for _, decl := range f.ast.Decls {
		x, ok := decl.(*ast.ExtendsDecl)
		if !ok || x.Path == nil {
			continue
		}
		p, ok := x.Path.Literal()
		if !ok {
			continue
		}
		base := f.resolve(p)
		if l.extending[path.Clean(base)] {
			d.errorAt(x, "The parameters files extend each other in a cycle", "remove one of the extends declarations")
			continue
		}
		if bf := l.read(base); bf != nil {
			l.bicepparamValues(bf, into)
		}
	}
	for _, decl := range f.ast.Decls {
		switch x := decl.(type) {
		case *ast.UsingDecl:
			if x.Path == nil {
				continue
			}
			p, ok := x.Path.Literal()
			if !ok || isRegistry(p) {
				l.report(f.rangeOf(x.Pos(), x.End()), diag.Warning, "The template of this parameters file is not read",
					"lensix reads local templates named by a relative path; registry templates are not downloaded")
				continue
			}
			target = l.read(f.resolve(p))
		case *ast.ParamDecl:
			if x.Name == nil || x.Default == nil {
				continue
			}
			st := &state{}
			at := f.rangeOf(x.Default.Pos(), x.Default.End())
			into[x.Name.Name] = suppliedParam{value: d.eval(x.Default, nil, st), from: f.path, at: &at}
		}
	}
	if target != nil && target.ast != nil {
		declared := declaredParams(target)
		for _, decl := range f.ast.Decls {
			x, ok := decl.(*ast.ParamDecl)
			if !ok || x.Name == nil {
				continue
			}
			if _, ok := declared[strings.ToLower(x.Name.Name)]; !ok {
				detail := "Bicep refuses the parameters file; lensix ignored the value"
				if near := arm.ClosestName(x.Name.Name, declared); near != "" {
					detail = fmt.Sprintf("did you mean %q? ", near) + detail
				}
				d.errorAt(x.Name, fmt.Sprintf("Parameter %q is not declared by the template %s (BCP259)", x.Name.Name, path.Base(target.path)), detail)
			}
		}
	}
	return target
}

// checkGiven warns when a value given from outside the templates breaks the parameter's type,
// @minValue, @maxValue, @minLength, @maxLength or @allowed, as Resource Manager would reject the
// deployment of the compiled template (arm.Constraints). The value itself is not shown.
func (d *deployment) checkGiven(x *ast.ParamDecl, sp suppliedParam, value any) {
	c, at := d.constraints(x)
	for _, v := range c.Check(value) {
		r := sp.at
		if r == nil {
			r = at[v.Constraint]
		}
		if r == nil {
			pr := d.file.rangeOf(x.Pos(), x.End())
			r = &pr
		}
		d.l.report(*r, diag.Warning, fmt.Sprintf("The value given for parameter %q (from %s) %s", x.Name.Name, sp.from, v.Problem),
			"Resource Manager would reject the deployment; lensix evaluated the value as given")
	}
}

// constraints reads what a parameter declaration asks of a value: its type, followed through
// declared types, and the limit decorators on it or on those types (its own win). at is where
// each constraint is written.
func (d *deployment) constraints(x *ast.ParamDecl) (arm.Constraints, map[string]*resource.Range) {
	var c arm.Constraints
	at := map[string]*resource.Range{}
	owner, t, decorators := d, x.Type, x.Decorators
	for depth := 0; depth < maxTypeDepth && t != nil; depth++ {
		for _, dec := range decorators {
			owner.readConstraint(dec, &c, at)
		}
		if n, ok := t.(*ast.NullableType); ok {
			t = n.X
		}
		if c.Type == "" {
			c.Type = builtinType(t)
			if c.Type != "" {
				r := owner.file.rangeOf(t.Pos(), t.End())
				at["type"] = &r
			}
		}
		td, next := owner.typeDecl(t)
		if td == nil {
			break
		}
		owner, t, decorators = next, td.Type, td.Decorators
	}
	return c, at
}

// readConstraint sets the constraint a limit decorator states, unless one is set already.
func (d *deployment) readConstraint(dec *ast.Decorator, c *arm.Constraints, at map[string]*resource.Range) {
	name, call := decoratorCall(dec)
	if call == nil || len(call.Args) != 1 {
		return
	}
	limits := map[string]**int64{"minValue": &c.MinValue, "maxValue": &c.MaxValue, "minLength": &c.MinLength, "maxLength": &c.MaxLength}
	constraint := name
	if name == "allowed" {
		constraint = "allowedValues"
	}
	if _, done := at[constraint]; done {
		return
	}
	v := d.eval(call.Args[0], nil, &state{})
	switch limit, isLimit := limits[name]; {
	case isLimit:
		n, ok := v.(int64)
		if !ok {
			return
		}
		*limit = &n
	case name == "allowed":
		arr, ok := v.([]any)
		if !ok || funcs.FindUnknown(arr) != nil {
			return
		}
		c.AllowedValues = arr
	default:
		return
	}
	r := d.file.rangeOf(dec.Pos(), dec.End())
	at[constraint] = &r
}

// baseType is the ARM type a parameter type comes down to, through nullable and declared types;
// "" when it is none plainly.
func (d *deployment) baseType(t ast.Expr) string {
	owner := d
	for depth := 0; depth < maxTypeDepth; depth++ {
		if n, ok := t.(*ast.NullableType); ok {
			t = n.X
		}
		if bt := builtinType(t); bt != "" {
			return bt
		}
		td, next := owner.typeDecl(t)
		if td == nil {
			return ""
		}
		owner, t = next, td.Type
	}
	return ""
}

// builtinType is the ARM type of a Bicep type expression that names one plainly (string, int,
// bool, object, array, an object or array type); "" for anything else.
func builtinType(t ast.Expr) string {
	switch x := t.(type) {
	case *ast.Ident:
		switch x.Name {
		case "string", "int", "bool", "object", "array":
			return x.Name
		}
	case *ast.ObjectLit:
		return "object"
	case *ast.ArrayType, *ast.ArrayLit:
		return "array"
	}
	return ""
}
