package terraform

import (
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/lensix/lensix/internal/diag"
	"github.com/lensix/lensix/internal/resource"
)

// moduleDef is the static content of one module directory, shared by all its instances.
type moduleDef struct {
	dir   string
	srcs  map[string][]byte
	diags diag.Diagnostics

	variables map[string]*variableDef
	locals    map[string]*hcl.Attribute
	resources []*resourceDef
	byAddr    map[string]*resourceDef // "type.name" of managed resources
	calls     []*moduleCall
	callIndex map[string]*moduleCall
	outputs   map[string]*hcl.Attribute
	// sensitiveOutputs are the outputs declared sensitive = true.
	sensitiveOutputs map[string]bool
}

type variableDef struct {
	name      string
	defExpr   hcl.Expression
	typ       cty.Type
	defaults  *typeexpr.Defaults
	typed     bool
	sensitive bool
	rng       hcl.Range
}

type resourceDef struct {
	typ, name string
	file      string
	rng       resource.Range
	count     hcl.Expression
	forEach   hcl.Expression
	attrs     map[string]*hcl.Attribute
	syntax    *hclsyntax.Body // nil for JSON syntax
	// interrupted is set when a syntax error falls inside the declaration; it is not mapped.
	interrupted bool
}

func (rd *resourceDef) address() string { return rd.typ + "." + rd.name }

type moduleCall struct {
	name      string
	source    string
	sourceRng hcl.Range
	rng       resource.Range
	count     hcl.Expression
	forEach   hcl.Expression
	args      map[string]*hcl.Attribute
}

// local reports whether the call's source is a path to a directory on disk.
func (c *moduleCall) local() bool {
	return strings.HasPrefix(c.source, "./") || strings.HasPrefix(c.source, "../") ||
		c.source == "." || c.source == ".."
}

var topSchema = &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{
	{Type: "terraform"},
	{Type: "variable", LabelNames: []string{"name"}},
	{Type: "locals"},
	{Type: "resource", LabelNames: []string{"type", "name"}},
	{Type: "data", LabelNames: []string{"type", "name"}},
	{Type: "module", LabelNames: []string{"name"}},
	{Type: "output", LabelNames: []string{"name"}},
	{Type: "provider", LabelNames: []string{"name"}},
}}

var variableSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "default"}, {Name: "type"}, {Name: "sensitive"}, {Name: "description"}, {Name: "nullable"}, {Name: "ephemeral"},
}}

var outputSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "value"}, {Name: "sensitive"}}}

// metaArguments are resource arguments that belong to Terraform, not to the provider.
var metaArguments = map[string]bool{"count": true, "for_each": true, "provider": true, "depends_on": true, "lifecycle": true, "provisioner": true, "connection": true}

var moduleMeta = map[string]bool{"source": true, "version": true, "count": true, "for_each": true, "providers": true, "depends_on": true}

func newModuleDef(dir string) *moduleDef {
	def := &moduleDef{
		dir:       dir,
		srcs:      map[string][]byte{},
		variables: map[string]*variableDef{},
		locals:    map[string]*hcl.Attribute{},
		byAddr:    map[string]*resourceDef{},
		callIndex: map[string]*moduleCall{},
		outputs:   map[string]*hcl.Attribute{},

		sensitiveOutputs: map[string]bool{},
	}
	return def
}

// addFiles decodes the top-level blocks of the module's files, in file order.
func (def *moduleDef) addFiles(files []*parsedFile) {
	for _, pf := range files {
		if pf == nil {
			continue
		}
		fileDiags := len(def.diags)
		def.diags = append(def.diags, pf.diags...)
		if pf.file == nil || pf.file.Body == nil {
			continue
		}
		def.srcs[pf.name] = pf.src
		var touched []touch
		override := isOverride(pf.name)
		content, _, hd := pf.file.Body.PartialContent(topSchema)
		def.diags = append(def.diags, fromHCL(hd, "")...)
		if content == nil {
			continue
		}
		for _, block := range content.Blocks {
			switch {
			case override && block.Type == "resource":
				if rd := def.overrideResource(pf.name, block); rd != nil {
					touched = append(touched, touch{rd, blockRange(block)})
				}
			case override && block.Type == "locals":
				attrs, hd := block.Body.JustAttributes()
				def.diags = append(def.diags, fromHCL(hd, "")...)
				for name, a := range attrs {
					def.locals[name] = a
				}
			case override:
				def.diags = append(def.diags, diag.Diagnostic{Severity: diag.Warning,
					Summary: "Override of a " + block.Type + " block not merged",
					Detail:  "lensix merges override files into resource and locals blocks only; this block of " + pf.name + " was ignored, so values may differ from what Terraform uses.",
					Range:   toRange(block.DefRange)})
			case block.Type == "variable":
				def.addVariable(block)
			case block.Type == "locals":
				def.addLocals(block)
			case block.Type == "resource":
				if rd := def.addResource(pf.name, block); rd != nil {
					touched = append(touched, touch{rd, rd.rng})
				}
			case block.Type == "module":
				def.addCall(block)
			case block.Type == "output":
				oc, _, hd := block.Body.PartialContent(outputSchema)
				def.diags = append(def.diags, fromHCL(hd, "")...)
				if oc != nil && oc.Attributes["value"] != nil {
					def.outputs[block.Labels[0]] = oc.Attributes["value"]
					def.sensitiveOutputs[block.Labels[0]] = isTrue(oc.Attributes["sensitive"])
				}
			}
		}
		markInterrupted(def.diags[fileDiags:fileDiags+len(pf.diags)], touched)
	}
}

// singleBlocks are the nested blocks of mapped resource types that Terraform allows at most once.
var singleBlocks = []string{"identity"}

// checkSingleBlocks reports a second block where the provider schema allows one, as Terraform
// does; the mapping uses the first.
func (def *moduleDef) checkSingleBlocks(addr string, body *hclsyntax.Body) {
	typ, _, _ := strings.Cut(addr, ".")
	if !mapped(typ) {
		return
	}
	for _, name := range singleBlocks {
		var first *hclsyntax.Block
		for _, b := range body.Blocks {
			if b.Type != name && !(b.Type == "dynamic" && len(b.Labels) == 1 && b.Labels[0] == name) {
				continue
			}
			if first == nil {
				first = b
				continue
			}
			def.diags = append(def.diags, diag.Diagnostic{Severity: diag.Error, Summary: "Too many " + name + " blocks",
				Detail: fmt.Sprintf("No more than 1 %q block is allowed in %s (the first is at %s); Terraform rejects this. lensix used the first.",
					name, addr, toRange(first.DefRange()).String()),
				Range: toRange(b.DefRange())})
		}
	}
}

// touch is a resource a file declares or overrides, and the range of its block in that file.
type touch struct {
	rd  *resourceDef
	rng resource.Range
}

// markInterrupted skips the resources whose block a syntax error interrupts, and says so in the
// error: what the parser recovered of such a block (a body cut short, say) would give a
// confident verdict on a declaration that is not what the file says.
func markInterrupted(syntaxDiags diag.Diagnostics, touched []touch) {
	for i := range syntaxDiags {
		d := &syntaxDiags[i]
		if d.Severity != diag.Error {
			continue
		}
		for _, t := range touched {
			if t.rng.Filename == d.Range.Filename && t.rng.Start.Byte <= d.Range.Start.Byte && d.Range.Start.Byte <= t.rng.End.Byte {
				t.rd.interrupted = true
				d.Detail = strings.TrimSpace(d.Detail + " lensix skipped " + t.rd.address() +
					", whose declaration this error interrupts: what could be read of it is not a safe basis for a verdict.")
			}
		}
	}
}

// overrideResource merges a resource block of an override file into the resource it overrides,
// as Terraform does: arguments replace arguments, and the override's nested blocks of a type
// (a dynamic block counting as its label's type) replace all the original's blocks of that type.
func (def *moduleDef) overrideResource(file string, block *hcl.Block) *resourceDef {
	addr := block.Labels[0] + "." + block.Labels[1]
	rd := def.byAddr[addr]
	if rd == nil {
		def.diags = append(def.diags, diag.Diagnostic{Severity: diag.Error, Summary: "Missing base resource definition to override",
			Detail: "There is no " + addr + " resource to override in the module's other files; Terraform rejects this. lensix ignored the block.",
			Range:  toRange(block.DefRange)})
		return nil
	}
	over, overHCL := block.Body.(*hclsyntax.Body)
	switch {
	case rd.syntax != nil && overHCL:
		def.checkSingleBlocks(addr, over)
		replaced := map[string]bool{}
		for _, b := range over.Blocks {
			replaced[blockKind(b)] = true
		}
		merged := &hclsyntax.Body{Attributes: hclsyntax.Attributes{}, SrcRange: rd.syntax.SrcRange, EndRange: rd.syntax.EndRange}
		for name, a := range rd.syntax.Attributes {
			merged.Attributes[name] = a
		}
		for name, a := range over.Attributes {
			merged.Attributes[name] = a
			rd.attrs[name] = a.AsHCLAttribute()
		}
		for _, b := range rd.syntax.Blocks {
			if !replaced[blockKind(b)] {
				merged.Blocks = append(merged.Blocks, b)
			}
		}
		merged.Blocks = append(merged.Blocks, over.Blocks...)
		rd.syntax = merged
	case rd.syntax == nil && !overHCL:
		attrs, hd := block.Body.JustAttributes()
		def.diags = append(def.diags, fromHCL(hd, "")...)
		for name, a := range attrs {
			rd.attrs[name] = a
		}
	default:
		def.diags = append(def.diags, diag.Diagnostic{Severity: diag.Warning, Summary: "Override of " + addr + " not merged",
			Detail: "lensix merges an override file only into a resource written in the same syntax (both HCL or both JSON); " + file +
				" was not applied to " + addr + ", so its values may differ from what Terraform uses.",
			Range: toRange(block.DefRange)})
		return rd
	}
	if a := rd.attrs["count"]; a != nil {
		rd.count = a.Expr
	}
	if a := rd.attrs["for_each"]; a != nil {
		rd.forEach = a.Expr
	}
	for name := range metaArguments {
		delete(rd.attrs, name)
	}
	return rd
}

// blockRange is a block's range from its header to its closing brace.
func blockRange(block *hcl.Block) resource.Range {
	end := block.Body.MissingItemRange()
	if body, ok := block.Body.(*hclsyntax.Body); ok {
		end = body.SrcRange
	}
	if end.Filename != block.DefRange.Filename || end.End.Byte < block.DefRange.End.Byte {
		return toRange(block.DefRange)
	}
	return toRange(hcl.RangeBetween(block.DefRange, end))
}

// blockKind is the type a nested block fills: its own, or a dynamic block's label.
func blockKind(b *hclsyntax.Block) string {
	if b.Type == "dynamic" && len(b.Labels) == 1 {
		return b.Labels[0]
	}
	return b.Type
}

func (def *moduleDef) addVariable(block *hcl.Block) {
	name := block.Labels[0]
	if prev, dup := def.variables[name]; dup {
		def.diags = append(def.diags, duplicateDiag("variable", name, block.DefRange, toRange(prev.rng).String()))
		return
	}
	content, _, hd := block.Body.PartialContent(variableSchema)
	def.diags = append(def.diags, fromHCL(hd, "")...)
	v := &variableDef{name: name, typ: cty.DynamicPseudoType, rng: block.DefRange}
	if content != nil {
		if a := content.Attributes["default"]; a != nil {
			v.defExpr = a.Expr
		}
		if a := content.Attributes["type"]; a != nil {
			ty, defaults, hd := typeexpr.TypeConstraintWithDefaults(a.Expr)
			if hd.HasErrors() {
				def.diags = append(def.diags, fromHCL(hd, "lensix uses the variable's value without type conversion.")...)
			} else {
				v.typ, v.defaults, v.typed = ty, defaults, true
			}
		}
		v.sensitive = isTrue(content.Attributes["sensitive"])
	}
	def.variables[name] = v
}

func (def *moduleDef) addLocals(block *hcl.Block) {
	attrs, hd := block.Body.JustAttributes()
	def.diags = append(def.diags, fromHCL(hd, "")...)
	for name, a := range attrs {
		if prev, dup := def.locals[name]; dup {
			def.diags = append(def.diags, duplicateDiag("local value", name, a.NameRange, toRange(prev.NameRange).String()))
			continue
		}
		def.locals[name] = a
	}
}

func (def *moduleDef) addResource(file string, block *hcl.Block) *resourceDef {
	rd := &resourceDef{typ: block.Labels[0], name: block.Labels[1], file: file, attrs: map[string]*hcl.Attribute{}}
	end := block.DefRange.End
	if body, ok := block.Body.(*hclsyntax.Body); ok {
		rd.syntax = body
		end = body.SrcRange.End
		def.checkSingleBlocks(rd.address(), body)
		for name, a := range body.Attributes {
			rd.attrs[name] = a.AsHCLAttribute()
		}
	} else {
		// JSON syntax: the body's "missing item" range is its closing brace.
		if closing := block.Body.MissingItemRange(); closing.Filename == file && closing.End.Byte > end.Byte {
			end = closing.End
		}
		attrs, hd := block.Body.JustAttributes()
		def.diags = append(def.diags, fromHCL(hd, "")...)
		for name, a := range attrs {
			rd.attrs[name] = a
		}
	}
	rd.rng = toRange(hcl.Range{Filename: file, Start: block.DefRange.Start, End: end})
	if a := rd.attrs["count"]; a != nil {
		rd.count = a.Expr
	}
	if a := rd.attrs["for_each"]; a != nil {
		rd.forEach = a.Expr
	}
	for name := range metaArguments {
		delete(rd.attrs, name)
	}
	if prev, dup := def.byAddr[rd.address()]; dup {
		def.diags = append(def.diags, duplicateDiag("resource", rd.address(), block.DefRange, prev.rng.String()))
		return nil
	}
	def.byAddr[rd.address()] = rd
	def.resources = append(def.resources, rd)
	return rd
}

func (def *moduleDef) addCall(block *hcl.Block) {
	name := block.Labels[0]
	attrs, hd := block.Body.JustAttributes()
	def.diags = append(def.diags, fromHCL(hd, "")...)
	call := &moduleCall{name: name, args: map[string]*hcl.Attribute{}, rng: toRange(block.DefRange)}
	for argName, a := range attrs {
		switch argName {
		case "source":
			call.sourceRng = a.Expr.Range()
			val, d := a.Expr.Value(nil)
			if d.HasErrors() || !val.IsKnown() || val.IsNull() || val.Type() != cty.String {
				def.diags = append(def.diags, diag.Diagnostic{Severity: diag.Error,
					Summary: "Module source must be a literal string",
					Detail:  "module \"" + name + "\" has a source that is not a string literal, as Terraform requires; the module was skipped",
					Range:   toRange(a.Expr.Range())})
				continue
			}
			call.source = val.AsString()
		case "count":
			call.count = a.Expr
		case "for_each":
			call.forEach = a.Expr
		default:
			if !moduleMeta[argName] {
				call.args[argName] = a
			}
		}
	}
	if call.source == "" {
		return
	}
	if _, dup := def.callIndex[name]; dup {
		def.diags = append(def.diags, duplicateDiag("module call", name, block.DefRange, def.callIndex[name].rng.String()))
		return
	}
	def.callIndex[name] = call
	def.calls = append(def.calls, call)
}

func duplicateDiag(kind, name string, at hcl.Range, prev string) diag.Diagnostic {
	return diag.Diagnostic{
		Severity: diag.Error,
		Summary:  "Duplicate " + kind + " " + name,
		Detail:   "It was already declared at " + prev + "; Terraform rejects this. lensix keeps the first declaration.",
		Range:    toRange(at),
	}
}

// calledDirs lists the directories this module calls as modules: local sources, and the modules
// that `terraform init` downloaded for it.
func (def *moduleDef) calledDirs() []string {
	var out []string
	for _, call := range def.calls {
		if call.local() {
			out = append(out, path.Join(def.dir, call.source))
		}
	}
	if manifest, err := readModuleManifest(def.dir); err == nil {
		for _, dir := range manifest {
			out = append(out, dir)
		}
	}
	return out
}

// readModuleManifest reads .terraform/modules/modules.json of a root module: module key
// ("a.b") → directory (slash form, joined to root).
func readModuleManifest(root string) (map[string]string, error) {
	name := path.Join(root, ".terraform/modules/modules.json")
	f, err := os.Open(filepath.FromSlash(name))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var manifest struct {
		Modules []struct {
			Key string `json:"Key"`
			Dir string `json:"Dir"`
		} `json:"Modules"`
	}
	if err := json.NewDecoder(f).Decode(&manifest); err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, m := range manifest.Modules {
		if m.Key == "" || m.Dir == "" {
			continue
		}
		dir := filepath.ToSlash(m.Dir)
		if !path.IsAbs(dir) {
			dir = path.Join(root, dir)
		}
		out[m.Key] = dir
	}
	return out, nil
}

// sortedKeys returns a map's keys in order, for deterministic evaluation.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// isTrue reports whether a (sensitive = ...) is set to the literal true.
func isTrue(a *hcl.Attribute) bool {
	if a == nil {
		return false
	}
	val, d := a.Expr.Value(nil)
	return !d.HasErrors() && val.Type() == cty.Bool && val.IsKnown() && !val.IsNull() && val.True()
}
