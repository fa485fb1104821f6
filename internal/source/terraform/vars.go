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

// varFile holds the values one .tfvars file assigns, and where it assigns them.
type varFile struct {
	name   string
	values map[string]cty.Value
	ranges map[string]hcl.Range
}

// input is one --var-file (file set) or --var (assignment set), read once for all roots.
type input struct {
	file       *varFile
	name, raw  string // of a --var
	assignment string
}

// loadInputs reads opts.Inputs once for all roots: a missing or malformed file, or a --var that
// is not NAME=VALUE, is an error diagnostic and is not applied.
func (ld *loader) loadInputs() diag.Diagnostics {
	var diags diag.Diagnostics
	for _, in := range ld.opts.Inputs {
		if in.File != "" {
			vf, ds := readVarFile(filepath.ToSlash(in.File))
			diags = append(diags, ds...)
			if vf != nil {
				ld.inputs = append(ld.inputs, input{file: vf})
			}
			continue
		}
		name, raw, ok := strings.Cut(in.Assignment, "=")
		name = strings.TrimSpace(name)
		if !ok || name == "" {
			diags = append(diags, diag.Diagnostic{Severity: diag.Error, Summary: fmt.Sprintf("Invalid --var %q", in.Assignment),
				Detail: "expected NAME=VALUE, as terraform -var takes it"})
			continue
		}
		ld.inputs = append(ld.inputs, input{name: name, raw: raw, assignment: in.Assignment})
	}
	return diags
}

// readVarFile reads a variable definitions file. A file with syntax errors is not applied at
// all, as Terraform refuses it: values the parser recovered from it may be cut short.
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
	const notApplied = "lensix did not apply this variables file; fix it and scan again."
	if hd.HasErrors() || file == nil || file.Body == nil {
		return nil, fromHCL(hd, notApplied)
	}
	diags := fromHCL(hd, "")
	attrs, hd := file.Body.JustAttributes()
	if hd.HasErrors() {
		return nil, append(diags, fromHCL(hd, notApplied)...)
	}
	vf := &varFile{name: name, values: map[string]cty.Value{}, ranges: map[string]hcl.Range{}}
	for _, a := range attrs {
		vf.values[a.Name] = evalLiteral(a.Expr, func(d diag.Diagnostic) { diags = append(diags, d) })
		vf.ranges[a.Name] = a.NameRange
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
// *.auto.tfvars(.json) in lexical order, then --var-file and --var in command-line order.
// Like Terraform, a value for an undeclared variable is an error on the command line and a
// warning in a file.
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
	applyFile := func(file *varFile) {
		for _, name := range sortedKeys(file.values) {
			if def.variables[name] == nil {
				rs.add(diag.Diagnostic{Severity: diag.Warning, Summary: "Value for undeclared variable " + name,
					Detail: fmt.Sprintf("The root module %s does not declare a variable named %q, but %s assigns it; Terraform warns and ignores it.", def.dir, name, file.name),
					Range:  toRange(file.ranges[name])})
				continue
			}
			set[name] = file.values[name]
		}
	}
	for _, vf := range autoVarFiles(def.dir) {
		file, ds := readVarFile(vf)
		for _, d := range ds {
			report(d)
		}
		if file != nil {
			applyFile(file)
		}
	}
	for _, in := range ld.inputs {
		if in.file != nil {
			applyFile(in.file)
			continue
		}
		v := def.variables[in.name]
		if v == nil {
			rs.add(diag.Diagnostic{Severity: diag.Error, Summary: "Value for undeclared variable " + in.name,
				Detail: fmt.Sprintf("A variable named %q was assigned on the command line, but the root module %s does not declare it; Terraform rejects this. Add a variable block or remove --var %s.", in.name, def.dir, in.assignment),
				Range:  resource.Range{Filename: def.dir}})
			continue
		}
		set[in.name] = v.parseRaw(in.raw, "--var "+in.name, report)
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
		if v.sensitive {
			rs.secrets = appendSecrets(rs.secrets, vars[name])
			vars[name] = vars[name].Mark(sensitiveMark{})
		}
	}
	return vars
}

// appendSecrets adds the known string leaves of a sensitive value.
func appendSecrets(secrets []string, v cty.Value) []string {
	v, _ = v.UnmarkDeep()
	if !v.IsKnown() || v.IsNull() {
		return secrets
	}
	ty := v.Type()
	switch {
	case ty == cty.String:
		return append(secrets, v.AsString())
	case ty.IsListType() || ty.IsSetType() || ty.IsTupleType() || ty.IsMapType() || ty.IsObjectType():
		for it := v.ElementIterator(); it.Next(); {
			_, elem := it.Element()
			secrets = appendSecrets(secrets, elem)
		}
	}
	return secrets
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
