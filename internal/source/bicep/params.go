package bicep

import (
	"encoding/json"
	"fmt"
	"path"
	"path/filepath"

	"github.com/lensix/lensix/internal/diag"
	"github.com/lensix/lensix/internal/resource"
	"github.com/lensix/lensix/internal/source/bicep/ast"
)

// parameterFile reads an ARM deployment parameters file ({"parameters": {"name": {"value": ...}}})
// given with --parameters.
func (l *loader) parameterFile(name string, into map[string]suppliedParam) {
	data, err := readBounded(filepath.ToSlash(name))
	if err != nil {
		l.report(resource.Range{Filename: filepath.ToSlash(name)}, diag.Error, "Cannot read the parameters file", err.Error())
		return
	}
	var doc struct {
		Parameters map[string]json.RawMessage `json:"parameters"`
	}
	if err := json.Unmarshal(data, &doc); err != nil || doc.Parameters == nil {
		detail := "a parameters file is a JSON object with a \"parameters\" object, as az deployment accepts"
		if err != nil {
			detail = err.Error() + "; " + detail
		}
		l.report(resource.Range{Filename: filepath.ToSlash(name)}, diag.Error, "The parameters file is not a deployment parameters file", detail)
		return
	}
	for k, raw := range doc.Parameters {
		var entry map[string]any
		if err := json.Unmarshal(raw, &entry); err != nil {
			continue
		}
		if v, ok := entry["value"]; ok {
			into[k] = suppliedParam{value: normalizeJSON(v)}
		} else if _, ok := entry["reference"]; ok {
			into[k] = suppliedParam{value: &resource.Unknown{Reason: fmt.Sprintf("parameter %q is a Key Vault secret reference, read at deployment", k)}}
		}
	}
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
			into[x.Name.Name] = suppliedParam{value: d.eval(x.Default, nil, st)}
		}
	}
	return target
}
