package terraform

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	hcljson "github.com/hashicorp/hcl/v2/json"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"github.com/lensix/lensix/internal/diag"
	"github.com/lensix/lensix/internal/resource"
)

// varFile holds the values one .tfvars file assigns.
type varFile struct {
	name   string
	values map[string]cty.Value
}

// loadVarFiles reads opts.VarFiles once for all roots; a missing file is an error diagnostic.
func (ld *loader) loadVarFiles() diag.Diagnostics {
	var diags diag.Diagnostics
	for _, name := range ld.opts.VarFiles {
		vf, ds := readVarFile(filepath.ToSlash(name))
		diags = append(diags, ds...)
		if vf != nil {
			ld.varFiles = append(ld.varFiles, *vf)
		}
	}
	for _, kv := range ld.opts.Vars {
		if name, _, ok := strings.Cut(kv, "="); !ok || strings.TrimSpace(name) == "" {
			diags = append(diags, diag.Diagnostic{Severity: diag.Error, Summary: fmt.Sprintf("Invalid --var %q", kv),
				Detail: "expected NAME=VALUE, as terraform -var takes it"})
		}
	}
	return diags
}

func readVarFile(name string) (*varFile, diag.Diagnostics) {
	src, d := readSource(name)
	if d != nil {
		d.Detail += " (variable definitions file)"
		return nil, diag.Diagnostics{*d}
	}
	var file *hcl.File
	var hd hcl.Diagnostics
	if strings.HasSuffix(name, ".json") {
		file, hd = hcljson.Parse(src, name)
	} else {
		file, hd = hclsyntax.ParseConfig(src, name, hcl.InitialPos)
	}
	diags := fromHCL(hd, "")
	if file == nil || file.Body == nil {
		return nil, diags
	}
	attrs, hd := file.Body.JustAttributes()
	diags = append(diags, fromHCL(hd, "")...)
	vf := &varFile{name: name, values: map[string]cty.Value{}}
	for _, a := range attrs {
		vf.values[a.Name] = evalLiteral(a.Expr, func(d diag.Diagnostic) { diags = append(diags, d) })
	}
	return vf, diags
}

// evalLiteral evaluates an expression that may not refer to anything (defaults, tfvars).
func evalLiteral(expr hcl.Expression, report func(diag.Diagnostic)) (val cty.Value) {
	defer func() {
		if r := recover(); r != nil {
			val = unknownVal("cannot be evaluated")
		}
	}()
	v, hd := expr.Value(nil)
	if hd.HasErrors() {
		for _, d := range fromHCL(hd, "Only literal values are allowed here.") {
			report(d)
		}
		return unknownVal("cannot be evaluated")
	}
	return v
}

// rootVariables gives every variable of a root module its value with Terraform's precedence,
// lowest first: default, TF_VAR_* environment, terraform.tfvars, terraform.tfvars.json,
// *.auto.tfvars(.json) in lexical order, then --var-file files, then --var, in the order given.
// (Terraform interleaves --var-file and --var by command-line position; Options keeps them apart,
// so lensix applies all files before all --var.)
func (ld *loader) rootVariables(def *moduleDef, rs *rootState) map[string]cty.Value {
	report := func(d diag.Diagnostic) { rs.add(d) }
	set := map[string]cty.Value{}

	env := map[string]string{}
	for _, kv := range ld.opts.Environ {
		if name, value, ok := strings.Cut(kv, "="); ok && strings.HasPrefix(name, "TF_VAR_") {
			env[strings.TrimPrefix(name, "TF_VAR_")] = value
		}
	}
	for name, v := range def.variables {
		if raw, ok := env[name]; ok {
			set[name] = v.parseRaw(raw, "TF_VAR_"+name, report)
		}
	}
	for _, vf := range autoVarFiles(def.dir) {
		file, ds := readVarFile(vf)
		for _, d := range ds {
			report(d)
		}
		if file != nil {
			for name, val := range file.values {
				set[name] = val
			}
		}
	}
	for _, vf := range ld.varFiles {
		for name, val := range vf.values {
			set[name] = val
		}
	}
	for _, kv := range ld.opts.Vars {
		name, raw, ok := strings.Cut(kv, "=")
		name = strings.TrimSpace(name)
		if v := def.variables[name]; ok && v != nil {
			set[name] = v.parseRaw(raw, "--var "+name, report)
		}
	}

	vars := map[string]cty.Value{}
	for name, v := range def.variables {
		val, ok := set[name]
		switch {
		case ok:
		case v.defExpr != nil:
			val = evalLiteral(v.defExpr, report)
			shown := "(sensitive)"
			if !v.sensitive {
				shown = compactText(v.defExpr, def.srcs)
			}
			val = val.Mark(defaultMark{name: name, message: fmt.Sprintf("default value %s of variable %s was used", shown, name)})
		default:
			val = unknownVal(fmt.Sprintf("variable %s has no value; set it with --var or a .tfvars file", name))
		}
		vars[name] = v.convert(val, report)
	}
	return vars
}

// autoVarFiles lists the variable files Terraform loads by itself from a root module dir.
func autoVarFiles(dir string) []string {
	var out []string
	for _, name := range []string{"terraform.tfvars", "terraform.tfvars.json"} {
		if st, err := os.Stat(filepath.FromSlash(path.Join(dir, name))); err == nil && !st.IsDir() {
			out = append(out, path.Join(dir, name))
		}
	}
	entries, err := os.ReadDir(filepath.FromSlash(dir))
	if err != nil {
		return out
	}
	var auto []string
	for _, e := range entries {
		if !e.IsDir() && (strings.HasSuffix(e.Name(), ".auto.tfvars") || strings.HasSuffix(e.Name(), ".auto.tfvars.json")) {
			auto = append(auto, e.Name())
		}
	}
	sort.Strings(auto)
	for _, name := range auto {
		out = append(out, path.Join(dir, name))
	}
	return out
}

// parseRaw reads a value given on the command line or in the environment: a string for a
// primitive or untyped variable, an HCL expression otherwise, as Terraform does.
func (v *variableDef) parseRaw(raw, from string, report func(diag.Diagnostic)) cty.Value {
	if !v.typed || v.typ.IsPrimitiveType() || v.typ == cty.DynamicPseudoType {
		return cty.StringVal(raw)
	}
	expr, hd := hclsyntax.ParseExpression([]byte(raw), from, hcl.InitialPos)
	if hd.HasErrors() {
		for _, d := range fromHCL(hd, "") {
			d.Summary = "Invalid value for " + from + ": " + d.Summary
			d.Range = resource.Range{}
			report(d)
		}
		return unknownVal(from + " is not a valid value")
	}
	return evalLiteral(expr, report)
}

// convert applies the variable's type constraint (and its optional attribute defaults).
func (v *variableDef) convert(val cty.Value, report func(diag.Diagnostic)) cty.Value {
	if !v.typed {
		return val
	}
	unmarked, marks := val.UnmarkDeep()
	if !unmarked.IsKnown() {
		return val
	}
	if v.defaults != nil {
		unmarked = v.defaults.Apply(unmarked)
	}
	out, err := convert.Convert(unmarked, v.typ)
	if err != nil {
		report(diag.Diagnostic{Severity: diag.Error, Summary: "Invalid value for variable " + v.name,
			Detail: err.Error() + "; lensix treats the variable as unknown", Range: toRange(v.rng)})
		return unknownVal("variable " + v.name + " has a value of the wrong type").WithMarks(marks)
	}
	return out.WithMarks(marks)
}

// compactText is an expression's source text on one line, shortened for messages.
func compactText(expr hcl.Expression, srcs map[string][]byte) string {
	rng := expr.Range()
	src := srcs[rng.Filename]
	if rng.End.Byte > len(src) || rng.Start.Byte > rng.End.Byte {
		return "(default)"
	}
	text := strings.Join(strings.Fields(string(src[rng.Start.Byte:rng.End.Byte])), " ")
	if len(text) > 80 {
		text = text[:77] + "..."
	}
	return text
}
