package arm_test

import (
	"strings"
	"testing"

	"github.com/lensix/lensix/internal/diag"
	"github.com/lensix/lensix/internal/resource"
	"github.com/lensix/lensix/internal/source/arm"
)

// identityTemplate declares t (default None) and uses it as the service's identity type.
var identityTemplate = template(`"parameters": {"t": {"type": "string", "defaultValue": "None"}},
	"resources": [{"type": "Microsoft.ApiManagement/service", "apiVersion": "2022-08-01", "name": "apim", "identity": {"type": "[parameters('t')]"}}]`)

// warningsWith lists the warnings whose summary holds text, as file:line:col: summary: detail.
func warningsWith(diags diag.Diagnostics, text string) []string {
	var out []string
	for _, d := range diags {
		if d.Severity == diag.Warning && strings.Contains(d.Summary, text) {
			out = append(out, d.Error())
		}
	}
	return out
}

func TestUndeclaredParameterNames(t *testing.T) {
	otherTemplate := template(`"parameters": {"sku": {"type": "string", "defaultValue": "Developer"}}, "resources": []`)
	tests := []struct {
		name  string
		opts  arm.Options
		files []string // name, content pairs; the files the scan is given are listed in scan
		scan  []string
		want  []string // each warning must hold all the texts of one entry, in order
	}{
		{
			name:  "a misspelt --param is a warning that suggests the declared name",
			opts:  arm.Options{Params: []string{"tt=SystemAssigned"}},
			files: []string{"main.json", identityTemplate},
			scan:  []string{"main.json"},
			want:  []string{`Parameter "tt" (from --param) is not declared by the template main.json`, `did you mean "t"?`, "Resource Manager would reject"},
		},
		{
			name:  "a misspelt name in a --parameters file is a warning at its line and column",
			files: []string{"main.json", identityTemplate, "p.json", "{\"parameters\": {\n  \"tt\": {\"value\": \"SystemAssigned\"}}}"},
			opts:  arm.Options{ParameterFiles: []string{"p.json"}},
			scan:  []string{"main.json"},
			want:  []string{`p.json:2:3: Parameter "tt" (from `, `did you mean "t"?`},
		},
		{
			name:  "a misspelt name in the paired parameters file is checked against its own template",
			files: []string{"main.json", identityTemplate, "main.parameters.json", "{\"contentVersion\": \"1.0.0.0\", \"parameters\": {\n \"ttype\": {\"value\": \"SystemAssigned\"}}}", "other.json", otherTemplate},
			scan:  []string{"main.json", "other.json"},
			want:  []string{`main.parameters.json:2:2: Parameter "ttype"`, "is not declared by the template main.json"},
		},
		{
			name:  "a name far from every declared one gets no suggestion",
			opts:  arm.Options{Params: []string{"location=westeurope"}},
			files: []string{"main.json", identityTemplate},
			scan:  []string{"main.json"},
			want:  []string{`Parameter "location" (from --param) is not declared`},
		},
		{
			name:  "a --param declared by another template of the folder is no warning",
			opts:  arm.Options{Params: []string{"sku=Premium", "t=SystemAssigned"}},
			files: []string{"main.json", identityTemplate, "other.json", otherTemplate},
			scan:  []string{"main.json", "other.json"},
		},
		{
			name:  "a --param no template of the folder declares is one warning naming them all",
			opts:  arm.Options{Params: []string{"skuu=Premium"}},
			files: []string{"main.json", identityTemplate, "other.json", otherTemplate},
			scan:  []string{"main.json", "other.json"},
			want:  []string{`Parameter "skuu" (from --param) is not declared by any of the templates scanned`, `did you mean "sku"?`},
		},
		{
			name:  "parameter names match without regard to case",
			opts:  arm.Options{Params: []string{"T=SystemAssigned"}},
			files: []string{"main.json", identityTemplate},
			scan:  []string{"main.json"},
		},
		{
			name:  "a name the Bicep templates of the scan declare is not reported",
			opts:  arm.Options{Params: []string{"tt=SystemAssigned"}, AlsoDeclared: []string{"TT"}},
			files: []string{"main.json", identityTemplate},
			scan:  []string{"main.json"},
		},
		{
			name: "a nested deployment passing a parameter its template does not declare is a warning at the name",
			files: []string{"main.json", template(`"resources": [{"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "inner",
				"properties": {"mode": "Incremental", "expressionEvaluationOptions": {"scope": "inner"},
					"parameters": {"tt": {"value": "SystemAssigned"}},
					"template": ` + identityTemplate + `}}]`)},
			scan: []string{"main.json"},
			want: []string{`main.json:3:21: Parameter "tt" (from deployment inner) is not declared by the deployment's template`, `did you mean "t"?`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			paths := writeFiles(t, tt.files...)
			dir := paths[0][:strings.LastIndex(paths[0], "/")+1]
			var scan []string
			for _, s := range tt.scan {
				scan = append(scan, dir+s)
			}
			for i, f := range tt.opts.ParameterFiles {
				tt.opts.ParameterFiles[i] = dir + f
			}
			_, diags := arm.Load(scan, tt.opts)
			got := warningsWith(diags, "is not declared")
			if len(tt.want) == 0 {
				if len(got) != 0 {
					t.Errorf("warnings %q, want none", got)
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("warnings %q, want one holding %q", got, tt.want)
			}
			rest := got[0]
			for _, w := range tt.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("warning %q lacks %q (in order)", got[0], w)
				}
				rest = rest[i+len(w):]
			}
			if strings.Contains(got[0], "SystemAssigned") || strings.Contains(got[0], "Premium") {
				t.Errorf("warning %q shows the value", got[0])
			}
		})
	}
}

func TestParametersFileWithoutWrapper(t *testing.T) {
	tests := []struct {
		name    string
		file    string
		want    any    // identity.type
		warning string // a warning that must be reported, "" for none
	}{
		{"a file of name: {value} entries is read as az deployment reads it", `{"t": {"value": "SystemAssigned"}}`, "SystemAssigned", ""},
		{"a flat file may hold Key Vault references", `{"t": {"reference": {"keyVault": {"id": "x"}, "secretName": "s"}}}`, nil, ""},
		{"a flat file whose entries are bare values is not a parameters file", `{"t": "SystemAssigned"}`, "None", `no "parameters" object`},
		{"unrelated JSON is not taken for parameters", `{"name": "my-app", "version": {"major": 1}}`, "None", `no "parameters" object`},
		{"a wrapped file still works", `{"parameters": {"t": {"value": "UserAssigned"}}}`, "UserAssigned", ""},
	}
	for _, tt := range tests {
		for _, how := range []string{"given with --parameters", "paired with the template"} {
			t.Run(tt.name+", "+how, func(t *testing.T) {
				var paths []string
				opts := arm.Options{}
				if how == "paired with the template" {
					paths = writeFiles(t, "main.json", identityTemplate, "main.parameters.json", tt.file)
				} else {
					paths = writeFiles(t, "main.json", identityTemplate, "p.json", tt.file)
					opts.ParameterFiles = []string{paths[1]}
				}
				rs, diags := arm.Load(paths[:1], opts)
				if len(rs) != 1 {
					t.Fatalf("resources %d, diags %v", len(rs), diags)
				}
				got, _ := rs[0].Get("identity.type")
				if tt.want == nil {
					if !resource.IsUnknown(got) {
						t.Errorf("identity.type = %#v, want unknown (a Key Vault reference)", got)
					}
				} else if got != tt.want {
					t.Errorf("identity.type = %#v, want %q; diags %v", got, tt.want, diags)
				}
				warnings := warningsWith(diags, "")
				// A paired file that is not a parameters file is left alone, as before.
				if tt.warning != "" && how == "given with --parameters" {
					if len(warnings) != 1 || !strings.Contains(warnings[0], tt.warning) {
						t.Errorf("warnings %q, want one about %q", warnings, tt.warning)
					}
				} else if len(warnings) != 0 {
					t.Errorf("warnings %q, want none", warnings)
				}
			})
		}
	}
}

func TestGivenValuesBreakingTheDeclaration(t *testing.T) {
	decls := `"parameters": {
		"s": {"type": "string", "defaultValue": "abc", "minLength": 2, "maxLength": 3},
		"n": {"type": "int", "defaultValue": 2, "minValue": 1, "maxValue": 3},
		"a": {"type": "array", "defaultValue": [], "maxLength": 2},
		"t": {"type": "string", "defaultValue": "None", "allowedValues": ["SystemAssigned", "UserAssigned", "None"]},
		"ref": {"$ref": "#/definitions/small", "defaultValue": 1},
		"o": {"type": "object", "defaultValue": {}}},
		"definitions": {"small": {"type": "int", "maxValue": 5}},
		"resources": {"svc": {"type": "Microsoft.ApiManagement/service", "apiVersion": "2022-08-01", "name": "apim",
			"identity": {"type": "[parameters('t')]"}, "properties": {"s": "[parameters('s')]", "n": "[parameters('n')]", "a": "[parameters('a')]", "r": "[parameters('ref')]", "o": "[parameters('o')]"}}}`
	tests := []struct {
		name   string
		params []string
		file   string // a --parameters file, when set
		want   string // the one warning's text, "" for none
	}{
		{"a value within every limit is no warning", []string{"s=abc", "n=3", `a=[1,2]`, "t=UserAssigned", "ref=5"}, "", ""},
		{"allowedValues are compared without regard to case, as Resource Manager does", []string{"t=systemassigned"}, "", ""},
		{"a value outside allowedValues is a warning", []string{"t=Systemassigned,None"}, "", `parameter "t" (from --param) is not one of its allowedValues`},
		{"a number for a string parameter in a parameters file is a warning at the value", nil, "{\"parameters\": {\n\"s\": {\"value\": 5}}}", `p.json:2:16: The value given for parameter "s" (from `},
		{"a string for an int parameter is a warning naming both types", []string{"n=many"}, "", `parameter "n" (from --param) is a string, not of its type int`},
		{"a bool for an object parameter is a warning", []string{"o=true"}, "", `is a bool, not of its type object`},
		{"an int above maxValue is a warning", []string{"n=9"}, "", `parameter "n" (from --param) is greater than its maxValue 3`},
		{"an int below minValue is a warning", []string{"n=0"}, "", `is less than its minValue 1`},
		{"a string longer than maxLength is a warning", []string{"s=abcdef"}, "", `is longer than its maxLength 3`},
		{"a string shorter than minLength is a warning", []string{"s=a"}, "", `is shorter than its minLength 2`},
		{"an array longer than maxLength is a warning", []string{"a=[1,2,3]"}, "", `is longer than its maxLength 2`},
		{"a limit of a referenced definition applies", []string{"ref=6"}, "", `parameter "ref" (from --param) is greater than its maxValue 5`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := []string{"main.json", template(`"languageVersion": "2.0", ` + decls)}
			opts := arm.Options{Params: tt.params}
			if tt.file != "" {
				files = append(files, "p.json", tt.file)
			}
			paths := writeFiles(t, files...)
			if tt.file != "" {
				opts.ParameterFiles = []string{paths[1]}
			}
			_, diags := arm.Load(paths[:1], opts)
			warnings := warningsWith(diags, "The value given")
			if tt.want == "" {
				if len(warnings) != 0 || len(diags) != 0 {
					t.Errorf("diagnostics %v, want none", diags)
				}
				return
			}
			if len(warnings) != 1 || !strings.Contains(warnings[0], tt.want) || !strings.Contains(warnings[0], "Resource Manager would reject the deployment") {
				t.Errorf("warnings %q, want one holding %q", warnings, tt.want)
			}
		})
	}
}

func TestBicepParametersFilesAreLeftToTheBicepSource(t *testing.T) {
	paths := writeFiles(t, "main.json", identityTemplate, "main.bicepparam", "using 'main.bicep'\nparam t = 'SystemAssigned'\n")
	rs, diags := arm.Load(paths[:1], arm.Options{ParameterFiles: []string{paths[1]}})
	if len(diags) != 0 || len(rs) != 1 {
		t.Errorf("resources %d, diagnostics %v; want the template's resource and no diagnostic", len(rs), diags)
	}
}
