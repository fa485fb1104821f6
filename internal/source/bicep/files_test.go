package bicep_test

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/lensix/lensix/internal/diag"
	"github.com/lensix/lensix/internal/resource"
	"github.com/lensix/lensix/internal/source/bicep"
)

// diagnosticWith returns the first diagnostic whose summary or detail contains text.
func diagnosticWith(diags diag.Diagnostics, text string) *diag.Diagnostic {
	for i := range diags {
		if strings.Contains(diags[i].Summary, text) || strings.Contains(diags[i].Detail, text) {
			return &diags[i]
		}
	}
	return nil
}

func TestLoadFunctions(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		// root is Options.Root relative to the temporary folder ("" leaves it empty).
		root  string
		scan  []string // files given to Load, relative to the temporary folder
		check func(t *testing.T, dir string, rs map[string]*resource.Resource, diags diag.Diagnostics)
	}{
		{
			name:  "loadTextContent without arguments is an error at the call and the scan goes on",
			files: map[string]string{"main.bicep": "resource a 'Microsoft.ApiManagement/service@2022-08-01' = {\n name: 'x'\n identity: { type: loadTextContent() }\n}\nresource b 'Microsoft.ApiManagement/service@2022-08-01' = {\n name: 'y'\n}\n"},
			scan:  []string{"main.bicep"},
			check: func(t *testing.T, _ string, rs map[string]*resource.Resource, diags diag.Diagnostics) {
				d := diagnosticWith(diags, "needs the path")
				if d == nil || d.Severity != diag.Error || d.Range.Start.Line != 3 || d.Range.Start.Column != 20 {
					t.Errorf("diagnostics %v, want an error at 3:20", diags)
				}
				if !resource.IsUnknown(get(t, rs["a"], "identity.type")) || rs["b"] == nil {
					t.Errorf("resources %v, want a with unknown identity.type and b", rs)
				}
			},
		},
		{
			name:  "every load function without arguments is an error, not a crash",
			files: map[string]string{"main.bicep": "var a = loadJsonContent()\nvar b = loadFileAsBase64()\nvar c = loadYamlContent()\nvar d = sys.loadTextContent()\nresource r 'T/u@1' = {\n name: 'r'\n properties: { a: a, b: b, c: c, d: d }\n}\n"},
			scan:  []string{"main.bicep"},
			check: func(t *testing.T, _ string, rs map[string]*resource.Resource, diags diag.Diagnostics) {
				n := 0
				for _, d := range diags {
					if strings.Contains(d.Summary, "needs the path") {
						n++
					}
				}
				if n != 4 || rs["r"] == nil {
					t.Errorf("%d errors in %v, want 4; resources %v", n, diags, rs)
				}
			},
		},
		{
			name: "a file beside the template is read relative to the template",
			files: map[string]string{
				"infra/main.bicep": "resource a 'T/u@1' = {\n name: loadTextContent('name.txt')\n properties: { b64: loadFileAsBase64('name.txt'), json: loadJsonContent('../cfg.json') }\n}\n",
				"infra/name.txt":   "apim",
				"cfg.json":         `{"n": 1}`,
			},
			root: ".",
			scan: []string{"infra/main.bicep"},
			check: func(t *testing.T, _ string, rs map[string]*resource.Resource, diags diag.Diagnostics) {
				r := rs["a"]
				if r.Name != "apim" || get(t, r, "properties.b64") != "YXBpbQ==" || get(t, r, "properties.json.n") != int64(1) {
					t.Errorf("body %v, diagnostics %v", r.Body, diags)
				}
			},
		},
		{
			name: "a file above the scanned folder is not read: unknown and a warning",
			files: map[string]string{
				"scan/main.bicep":    "resource a 'Microsoft.ApiManagement/service@2022-08-01' = {\n name: 'x'\n identity: { type: loadTextContent('../outside-secret.txt') }\n}\n",
				"outside-secret.txt": "SystemAssigned-s3cret",
			},
			scan: []string{"scan/main.bicep"},
			check: func(t *testing.T, _ string, rs map[string]*resource.Resource, diags diag.Diagnostics) {
				u, ok := get(t, rs["a"], "identity.type").(*resource.Unknown)
				if !ok || !strings.Contains(u.Reason, "outside the scanned folder") {
					t.Errorf("identity.type = %v, want unknown: outside the scanned folder", get(t, rs["a"], "identity.type"))
				}
				if d := diagnosticWith(diags, "outside the scanned folder"); d == nil || d.Severity != diag.Warning {
					t.Errorf("diagnostics %v, want a warning", diags)
				}
			},
		},
		{
			name: "an absolute path is read as written, and refused outside the root",
			files: map[string]string{
				"root/main.bicep": "resource a 'T/u@1' = {\n name: loadTextContent('ABS/root/in.txt')\n properties: { p: loadTextContent('ABS/out.txt') }\n}\n",
				"root/in.txt":     "inside",
				"out.txt":         "outside",
			},
			root: "root",
			scan: []string{"root/main.bicep"},
			check: func(t *testing.T, _ string, rs map[string]*resource.Resource, diags diag.Diagnostics) {
				r := rs["a"]
				if r.Name != "inside" || !resource.IsUnknown(get(t, r, "properties.p")) {
					t.Errorf("name %q, properties %v; diagnostics %v", r.Name, r.Body["properties"], diags)
				}
			},
		},
		{
			name: "a symbolic link to a file outside the root is refused",
			files: map[string]string{
				"root/main.bicep": "resource a 'T/u@1' = {\n name: loadTextContent('link.txt')\n}\n",
				"secret.txt":      "s3cret",
			},
			root: "root",
			scan: []string{"root/main.bicep"},
			check: func(t *testing.T, dir string, rs map[string]*resource.Resource, diags diag.Diagnostics) {
				if strings.Contains(rs["a"].Name, "s3cret") || !resource.IsUnknown(rs["a"].Body["name"]) {
					t.Errorf("name %q, want unknown", rs["a"].Name)
				}
			},
		},
		{
			name:  "a template that is a link to a device is refused, not read forever",
			files: map[string]string{"main.bicep": "resource a 'T/u@1' = {\n name: 'a'\n}\n"},
			scan:  []string{"main.bicep", "zero.bicep"},
			check: func(t *testing.T, _ string, rs map[string]*resource.Resource, diags diag.Diagnostics) {
				if d := diagnosticWith(diags, "not a regular file"); d == nil || d.Severity != diag.Error || rs["a"] == nil {
					t.Errorf("diagnostics %v, resources %v", diags, rs)
				}
			},
		},
		{
			name:  "a binary file is one clear error",
			files: map[string]string{"bin.bicep": "resource a 'T/u@1' = {\n name: 'a\x00\x01\x02'\n}\n" + strings.Repeat("\x00\xff{", 200)},
			scan:  []string{"bin.bicep"},
			check: func(t *testing.T, _ string, rs map[string]*resource.Resource, diags diag.Diagnostics) {
				if len(diags) != 1 || !strings.Contains(diags[0].Summary, "binary") || diags[0].Range.Start.Line != 2 || len(rs) != 0 {
					t.Errorf("diagnostics %v, want one: the file is binary, at line 2", diags)
				}
			},
		},
		{
			name:  "a UTF-16 file is one error asking for UTF-8, not a binary file",
			files: map[string]string{"utf16.bicep": "\xff\xfev\x00a\x00r\x00"},
			scan:  []string{"utf16.bicep"},
			check: func(t *testing.T, _ string, rs map[string]*resource.Resource, diags diag.Diagnostics) {
				if len(diags) != 1 || !strings.Contains(diags[0].Summary, "UTF-16") || !strings.Contains(diags[0].Detail, "save it as UTF-8") {
					t.Errorf("diagnostics %v, want one asking for UTF-8", diags)
				}
			},
		},
		{
			name:  "a Latin-1 file is one error asking for UTF-8",
			files: map[string]string{"latin1.bicep": "// caf\xe9\nresource a 'T/u@1' = {\n name: 'caf\xe9'\n}\n"},
			scan:  []string{"latin1.bicep"},
			check: func(t *testing.T, _ string, rs map[string]*resource.Resource, diags diag.Diagnostics) {
				if len(diags) != 1 || !strings.Contains(diags[0].Summary, "UTF-8") || !strings.Contains(diags[0].Detail, "save it as UTF-8") || diags[0].Range.Start.Line != 1 {
					t.Errorf("diagnostics %v, want one asking for UTF-8 at line 1", diags)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{})
			for name, content := range tt.files {
				name = filepath.Join(dir, filepath.FromSlash(name))
				if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
					t.Fatal(err)
				}
				content = strings.ReplaceAll(content, "ABS/", filepath.ToSlash(dir)+"/")
				if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if runtime.GOOS != "windows" {
				_ = os.Symlink("/dev/zero", filepath.Join(dir, "zero.bicep"))
				_ = os.Symlink(filepath.Join(dir, "secret.txt"), filepath.Join(dir, "root", "link.txt"))
			}
			opts := bicep.Options{}
			if tt.root != "" {
				opts.Root = dir + "/" + tt.root
			}
			var files []string
			for _, name := range tt.scan {
				files = append(files, dir+"/"+name)
			}
			rs, diags := bicep.Load(files, opts)
			tt.check(t, dir, byAddress(rs), diags)
		})
	}
}

func TestDuplicateIdentifiersAreErrorsAndEachResourceIsStillChecked(t *testing.T) {
	dir := writeFiles(t, map[string]string{"dup.bicep": `var a = 1
var a = 2
param p string
param p string
resource x 'Microsoft.ApiManagement/service@2022-08-01' = {
 name: 'x${a}'
}
resource x 'Microsoft.ApiManagement/service@2022-08-01' = {
 name: 'y'
 identity: {type: 'SystemAssigned'}
}
module m 'mod.bicep' = {
 name: 'm1'
}
module m 'mod.bicep' = {
 name: 'm2'
}
`, "mod.bicep": "resource r 'T/u@1' = {\n name: 'r'\n}\n"})
	rs, diags := bicep.Load([]string{dir + "/dup.bicep", dir + "/mod.bicep"}, bicep.Options{})
	var lines []int
	for _, d := range diags {
		if strings.Contains(d.Summary, "declared multiple times (BCP028)") && d.Severity == diag.Error {
			lines = append(lines, d.Range.Start.Line)
		}
	}
	if want := []int{2, 4, 8, 15}; fmt.Sprint(lines) != fmt.Sprint(want) {
		t.Errorf("BCP028 errors at lines %v, want %v; diagnostics %v", lines, want, diags)
	}
	byAddr := byAddress(rs)
	first, second := byAddr["x"], byAddr["x@L8"]
	if first == nil || second == nil || first.Name != "x1" || second.Name != "y" {
		t.Fatalf("resources %v, want x (the first, seeing the first var a) and x@L8", keysOf(byAddr))
	}
	if byAddr["module.m.r"] == nil || byAddr["module.m@L15.r"] == nil {
		t.Errorf("resources %v, want each module's resource under its own address", keysOf(byAddr))
	}
}

func keysOf(m map[string]*resource.Resource) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestValuesDeclaredAcrossASyntaxErrorAreUnknown(t *testing.T) {
	tests := []struct {
		name string
		src  string
		// unknown are body paths that must be unknown, known those that must keep their value.
		unknown []string
		known   map[string]any
	}{
		{
			name:    "an identity object cut off at the end of the file is unknown",
			src:     "resource x 'Microsoft.ApiManagement/service@2022-08-01' = {\n  name: 'x'\n  identity: {\n",
			unknown: []string{"identity"},
			known:   map[string]any{"name": "x"},
		},
		{
			name:    "a resource body cut off after its name may have declared the rest",
			src:     "resource x 'Microsoft.ApiManagement/service@2022-08-01' = {\n  name: 'x'\n",
			unknown: []string{"identity", "properties"},
			known:   map[string]any{"name": "x"},
		},
		{
			name:    "a broken value inside identity makes only that value unknown",
			src:     "resource x 'Microsoft.ApiManagement/service@2022-08-01' = {\n  name: 'x'\n  identity: {\n    type: 'SystemAssigned' +\n  }\n  properties: { publisherName: 'p' }\n}\n",
			unknown: []string{"identity.type"},
			known:   map[string]any{"name": "x", "properties.publisherName": "p"},
		},
		{
			name:  "a syntax error in another declaration leaves this one known",
			src:   "var v = (\nresource x 'Microsoft.ApiManagement/service@2022-08-01' = {\n  name: 'x'\n  identity: { type: 'SystemAssigned' }\n}\n",
			known: map[string]any{"name": "x", "identity.type": "SystemAssigned"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{"main.bicep": tt.src})
			rs, diags := bicep.Load([]string{dir + "/main.bicep"}, bicep.Options{})
			r := byAddress(rs)["x"]
			if r == nil {
				t.Fatalf("no resource x; diagnostics %v", diags)
			}
			for _, p := range tt.unknown {
				u, ok := get(t, r, p).(*resource.Unknown)
				if !ok || !strings.Contains(u.Reason, "the declaration has a syntax error at "+dir+"/main.bicep:") {
					t.Errorf("%s = %v, want unknown: the declaration has a syntax error", p, get(t, r, p))
				}
			}
			for p, want := range tt.known {
				if got := get(t, r, p); got != want {
					t.Errorf("%s = %v, want %v", p, got, want)
				}
			}
			if len(diags) == 0 || diags[0].Severity != diag.Error {
				t.Errorf("diagnostics %v, want the syntax error", diags)
			}
		})
	}
}

func TestUnknownsFromParametersAndVariablesNameTheirExpression(t *testing.T) {
	dir := writeFiles(t, map[string]string{"main.bicep": `param idType string
var kind = idType
resource a 'Microsoft.ApiManagement/service@2022-08-01' = {
  name: 'a'
  identity: { type: idType }
  properties: { kind: kind }
}
`})
	rs, _ := bicep.Load([]string{dir + "/main.bicep"}, bicep.Options{})
	r := byAddress(rs)["a"]
	for path, expr := range map[string]string{"identity.type": "idType", "properties.kind": "kind"} {
		u, ok := get(t, r, path).(*resource.Unknown)
		if !ok {
			t.Fatalf("%s = %v, want unknown", path, get(t, r, path))
		}
		want := "parameter idType has no value; set it with --param idType=... or a parameters file"
		if u.Expr != expr || u.Reason != want {
			t.Errorf("%s is %s, want %s (%s)", path, u, expr, want)
		}
	}
}

func TestABicepparamFileAppliesOnlyToTheTemplateItsUsingNames(t *testing.T) {
	template := "param idType string\nresource s 'Microsoft.ApiManagement/service@2022-08-01' = {\n  name: 'NAME'\n  identity: { type: idType }\n}\n"
	dir := writeFiles(t, map[string]string{
		"a/main.bicep":      strings.ReplaceAll(template, "NAME", "a"),
		"b/main.bicep":      strings.ReplaceAll(template, "NAME", "b"),
		"a/main.bicepparam": "using './main.bicep'\nparam idType = 'SystemAssigned'\n",
		"other.bicepparam":  "using './other.bicep'\nparam idType = 'UserAssigned'\n",
		"other.bicep":       strings.ReplaceAll(template, "NAME", "other"),
	})
	rs, diags := bicep.Load([]string{dir + "/a/main.bicep", dir + "/b/main.bicep"},
		bicep.Options{ParameterFiles: []string{dir + "/a/main.bicepparam", dir + "/other.bicepparam"}})
	byName := map[string]*resource.Resource{}
	for _, r := range rs {
		byName[r.Name] = r
	}
	if len(rs) != 2 || byName["a"] == nil || byName["b"] == nil {
		t.Fatalf("resources %v, want a and b once each", rs)
	}
	if got := get(t, byName["a"], "identity.type"); got != "SystemAssigned" {
		t.Errorf("a: identity.type = %v, want SystemAssigned from a/main.bicepparam", got)
	}
	if got := get(t, byName["b"], "identity.type"); !resource.IsUnknown(got) {
		t.Errorf("b: identity.type = %v, want unknown: no parameters file names b/main.bicep", got)
	}
	if d := diagnosticWith(diags, "not among the files scanned"); d == nil || d.Range.Filename != dir+"/other.bicepparam" {
		t.Errorf("diagnostics %v, want a warning that other.bicepparam is not applied", diags)
	}
}

func TestSecureParameterValuesAreSecretsOfEveryResourceOfTheDeployment(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"main.bicep": `@secure()
param password string = 'default-pa55word'
@sys.secure()
param keys object = { primary: 'key-one-1111', list: ['key-two-2222'], n: 3 }
@secure()
param notGiven string
param plain string = 'not-a-secret'
resource a 'T/u@1' = {
  name: 'a'
  properties: { p: password }
}
module m 'mod.bicep' = {
  name: 'm'
  params: { token: 'module-t0ken' }
}
`,
		"mod.bicep": `@secure()
param token string
resource r 'T/u@1' = {
  name: 'r'
}
`,
	})
	rs, diags := bicep.Load([]string{dir + "/main.bicep"}, bicep.Options{Params: []string{"password=given-pa55word"}})
	byAddr := byAddress(rs)
	// A module's secure values are secrets of the parent's resources too: a plain output of the
	// module may hand them back.
	all := []string{"given-pa55word", "key-one-1111", "key-two-2222", "module-t0ken"}
	for address, want := range map[string][]string{
		"a":          all,
		"module.m":   all,
		"module.m.r": all,
	} {
		r := byAddr[address]
		if r == nil {
			t.Fatalf("no resource %s in %v; diagnostics %v", address, keysOf(byAddr), diags)
		}
		got := append([]string{}, r.Secrets...)
		sort.Strings(got)
		sort.Strings(want)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: secrets %q, want %q", address, got, want)
		}
	}
}

func TestAModuleDeclarationCutOffByASyntaxErrorPassesUnknownParameters(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"main.bicep": "module m 'mod.bicep' = {\n  name: 'm'\n  params: {\n    location: 'westeurope'\n",
		"mod.bicep":  "param location string\nparam idType string = 'None'\nresource s 'Microsoft.ApiManagement/service@2022-08-01' = {\n  name: 's'\n  location: location\n  identity: { type: idType }\n}\n",
	})
	rs, diags := bicep.Load([]string{dir + "/main.bicep", dir + "/mod.bicep"}, bicep.Options{})
	s := byAddress(rs)["module.m.s"]
	if s == nil {
		t.Fatalf("resources %v, diagnostics %v", keysOf(byAddress(rs)), diags)
	}
	if got := get(t, s, "location"); got != "westeurope" {
		t.Errorf("location = %v, want the value that was read", got)
	}
	if u, ok := get(t, s, "identity.type").(*resource.Unknown); !ok || !strings.Contains(u.Reason, "could not read") {
		t.Errorf("identity.type = %v, want unknown rather than the default None", get(t, s, "identity.type"))
	}
}

func TestSecureOutputsAreSecretsOfTheirConsumers(t *testing.T) {
	tests := []struct {
		name     string
		mod      string // mod.bicep
		consumer string // the identity type of the consumer in main.bicep
		secret   string
	}{
		{"a @secure() output read by a resource is its secret",
			"@secure()\noutput o string = 'Secure-Output-Lit1'\n", "m.outputs.o", "Secure-Output-Lit1"},
		{"a @secure() object output's strings are secrets",
			"@secure()\noutput o object = { k: 'Secure-Obj-Out2' }\n", "m.outputs.o.k", "Secure-Obj-Out2"},
		{"a @sys.secure() output computed in the module is a secret",
			"param p string = 'abc'\n@sys.secure()\noutput o string = '${p}-Computed-3'\n", "m.outputs.o", "abc-Computed-3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{
				"main.bicep": "module m 'mod.bicep' = {\n  name: 'm'\n}\nresource a 'Microsoft.ApiManagement/service@2022-08-01' = {\n  name: 'a'\n  identity: { type: " + tt.consumer + " }\n}\n",
				"mod.bicep":  tt.mod,
			})
			rs, diags := bicep.Load([]string{dir + "/main.bicep", dir + "/mod.bicep"}, bicep.Options{})
			a := byAddress(rs)["a"]
			if a == nil {
				t.Fatalf("no resource a in %v; diagnostics %v", keysOf(byAddress(rs)), diags)
			}
			if !slices.Contains(a.Secrets, tt.secret) {
				t.Errorf("secrets %q, want them to hold %q", a.Secrets, tt.secret)
			}
		})
	}
}

func TestAPlainOutputIsNoSecret(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"main.bicep": "module m 'mod.bicep' = {\n  name: 'm'\n}\nresource a 'Microsoft.ApiManagement/service@2022-08-01' = {\n  name: 'a'\n  identity: { type: m.outputs.o }\n}\n",
		"mod.bicep":  "output o string = 'SystemAssigned'\n",
	})
	rs, _ := bicep.Load([]string{dir + "/main.bicep", dir + "/mod.bicep"}, bicep.Options{})
	if a := byAddress(rs)["a"]; a == nil || len(a.Secrets) != 0 {
		t.Errorf("resource a: %+v, want it without secrets", a)
	}
}

// TestARMModulesInALoopShareOneInstanceBudget: an ARM template used as a module is loaded once
// per module instance; the instances together, not each load, are held to the scan's limit.
func TestARMModulesInALoopShareOneInstanceBudget(t *testing.T) {
	if testing.Short() {
		t.Skip("evaluates 25,000 resources")
	}
	template := `{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "resources": [{"type": "Microsoft.Storage/storageAccounts", "apiVersion": "2023-01-01",
    "name": "[format('st{0}', copyIndex())]", "location": "westeurope",
    "copy": {"name": "many", "count": 800}}]}`
	dir := writeFiles(t, map[string]string{
		"many.json": template,
		"main.bicep": `module m 'many.json' = [for i in range(0, 40): {
  name: 'm${i}'
}]`,
	})
	rs, diags := bicep.Load([]string{dir + "/main.bicep"}, bicep.Options{})
	var stops int
	for _, d := range diags {
		if strings.Contains(d.Summary, "lensix stopped expanding this template's resources") {
			stops++
		}
	}
	if stops != 1 || len(rs) > 25000+40 {
		t.Errorf("%d resources, %d stop errors; want at most 25,040 and one error: %v", len(rs), stops, diags)
	}
}
