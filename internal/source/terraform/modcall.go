package terraform

import (
	"fmt"
	"path"
	"path/filepath"

	"github.com/zclconf/go-cty/cty"

	"github.com/lensix/lensix/internal/diag"
	"github.com/lensix/lensix/internal/resource"
)

// callValue evaluates a module call once, adding the resources of its instances, and returns
// the value `module.<name>` has for the caller.
func (in *instance) callValue(name string) cty.Value {
	lv := in.calls[name]
	if lv == nil {
		lv = &lazyVal{}
		in.calls[name] = lv
	}
	switch {
	case lv.done:
		return lv.val
	case lv.busy:
		return unknownVal("module." + name + " refers to its own outputs")
	}
	lv.busy = true
	lv.val = in.expandCall(in.def.callIndex[name])
	lv.busy, lv.done = false, true
	return lv.val
}

func (in *instance) expandCall(call *moduleCall) cty.Value {
	callAddr := in.addr + "module." + call.name
	key := call.name
	if in.key != "" {
		key = in.key + "." + call.name
	}
	var dir string
	if call.local() {
		dir = path.Join(in.def.dir, call.source)
	} else {
		manifestDir, ok := in.rs.moduleManifest()[key]
		if ok {
			if _, err := moduleFileNames(manifestDir); err != nil {
				ok = false
			}
		}
		if !ok {
			in.rs.ld.noteRemoteUnread(fmt.Sprintf("%s (%s) in %s", callAddr, call.source, in.rs.rootDir), call.rng)
			return unknownVal(callAddr + " (source " + call.source + ") has not been downloaded; run terraform init")
		}
		dir = manifestDir
	}
	real, err := filepath.EvalSymlinks(filepath.FromSlash(dir))
	if err != nil {
		in.rs.add(diag.Diagnostic{Severity: diag.Error, Summary: "Cannot read module " + callAddr + " at " + dir,
			Detail: describeFSError(err) + "; check the module's source path", Range: toRange(call.sourceRng)})
		return unknownVal("module " + callAddr + " could not be read")
	}
	for _, open := range in.stack {
		if open == real {
			in.rs.add(diag.Diagnostic{Severity: diag.Error, Summary: "Module cycle: " + callAddr + " calls " + dir + ", which is already being evaluated",
				Detail: "A module cannot call itself, directly or through other modules (or symlinks); lensix stopped following this call", Range: toRange(call.sourceRng)})
			return unknownVal("module " + callAddr + " is part of a module cycle")
		}
	}
	if len(in.stack) >= maxModuleDepth {
		in.rs.add(diag.Diagnostic{Severity: diag.Error, Summary: fmt.Sprintf("Modules nested deeper than %d levels at %s", maxModuleDepth, callAddr),
			Detail: "lensix stopped following module calls here", Range: toRange(call.sourceRng)})
		return unknownVal("module " + callAddr + " is nested too deeply")
	}
	def := in.rs.ld.module(slashClean(dir))
	for _, d := range in.rs.ld.diagsOnce(def) {
		in.rs.add(d)
	}
	keys, unknownReason, _ := in.expand(call.count, call.forEach, callAddr)
	if unknownReason != "" {
		// One instance with unknown count.index/each.*: its resources still get scanned, and say so.
		meta := "count"
		if call.forEach != nil {
			meta = "for_each"
		}
		note := resource.Assumption{Path: callAddr + "." + meta, Message: fmt.Sprintf(
			"%s of %s is unknown (%s); lensix evaluated one instance of the module", meta, callAddr, unknownReason)}
		in.instantiate(call, def, keys[0], callAddr, key, real, note)
		return unknownVal("instances of " + callAddr + " are unknown: " + unknownReason)
	}
	outputs := make([]cty.Value, 0, len(keys))
	byKey := map[string]cty.Value{}
	for _, k := range keys {
		out := in.instantiate(call, def, k, callAddr+k.suffix, key, real)
		outputs = append(outputs, out)
		if each, ok := k.scope["each"]; ok {
			byKey[each.GetAttr("key").AsString()] = out
		}
	}
	switch {
	case call.count != nil:
		if len(outputs) == 0 {
			return cty.EmptyTupleVal
		}
		return cty.TupleVal(outputs)
	case call.forEach != nil:
		return cty.ObjectVal(byKey)
	default:
		return outputs[0]
	}
}

// instantiate evaluates one instance of a module call and returns its outputs object.
func (in *instance) instantiate(call *moduleCall, def *moduleDef, k instanceKey, addr, key, real string, notes ...resource.Assumption) cty.Value {
	if len(def.srcs) == 0 && len(def.diags) == 0 {
		in.rs.add(diag.Diagnostic{Severity: diag.Warning, Summary: "Module " + addr + " has no configuration files in " + def.dir,
			Detail: "Terraform needs .tf or .tf.json files there; check the module's source", Range: toRange(call.sourceRng)})
	}
	for _, name := range sortedKeys(call.args) {
		if def.variables[name] == nil {
			in.rs.add(diag.Diagnostic{Severity: diag.Warning, Summary: fmt.Sprintf("Module %s has no variable %q", addr, name),
				Detail: "Terraform rejects an argument the module does not declare; lensix ignores it", Range: toRange(call.args[name].NameRange)})
		}
	}
	vars := map[string]cty.Value{}
	for name, v := range def.variables {
		var val cty.Value
		switch arg := call.args[name]; {
		case arg != nil:
			val = in.eval(arg.Expr, k.scope)
		case v.defExpr != nil:
			val = evalLiteral(v.defExpr, func(d diag.Diagnostic) { in.rs.add(d) })
		default:
			val = unknownVal(fmt.Sprintf("variable %s of %s has no value", name, addr))
		}
		vars[name] = v.convert(val, func(d diag.Diagnostic) { in.rs.add(d) })
		if v.sensitive {
			in.rs.secrets = appendSecrets(in.rs.secrets, vars[name])
			vars[name] = vars[name].Mark(sensitiveMark{})
		}
	}
	stack := append(append([]string(nil), in.stack...), real)
	child := newInstance(in.rs, def, addr+".", key, vars, stack)
	child.notes = append(append(child.notes, in.notes...), notes...)
	child.run()
	outputs := map[string]cty.Value{}
	for name, expr := range def.outputs {
		outputs[name] = child.eval(expr.Expr, nil)
		if def.sensitiveOutputs[name] {
			outputs[name] = outputs[name].Mark(sensitiveMark{})
		}
	}
	return cty.ObjectVal(outputs)
}
