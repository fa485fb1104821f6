package bicep_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/lensix/lensix/internal/corpus"
	"github.com/lensix/lensix/internal/diag"
	"github.com/lensix/lensix/internal/source/arm"
	"github.com/lensix/lensix/internal/source/bicep"
)

const identityBicep = `param idType string = 'None'
resource s 'Microsoft.ApiManagement/service@2022-08-01' = {
  name: 's'
  identity: { type: idType }
}
`

func TestParameterNamesTheTemplateDoesNotDeclare(t *testing.T) {
	tests := []struct {
		name   string
		files  map[string]string
		scan   []string
		opts   bicep.Options // ParameterFiles are relative to the folder
		want   string        // the one warning's text (file:line:col: summary: detail), "" for none
		idType string        // identity.type of resource s
	}{
		{
			name:   "a misspelt --param is a warning that suggests the declared name",
			files:  map[string]string{"main.bicep": identityBicep},
			scan:   []string{"main.bicep"},
			opts:   bicep.Options{Params: []string{"idTyp=SystemAssigned"}},
			want:   `Parameter "idTyp" (from --param) is not declared by the template main.bicep: did you mean "idType"? Resource Manager would reject the deployment`,
			idType: "None",
		},
		{
			name:   "a misspelt name in a JSON parameters file is a warning at its line",
			files:  map[string]string{"main.bicep": identityBicep, "p.json": "{\"parameters\": {\n  \"idtyp\": {\"value\": \"SystemAssigned\"}}}"},
			scan:   []string{"main.bicep"},
			opts:   bicep.Options{ParameterFiles: []string{"p.json"}},
			want:   `p.json:2:3: Parameter "idtyp" (from `,
			idType: "None",
		},
		{
			name:   "a JSON parameters file without the parameters wrapper is read as az deployment reads it",
			files:  map[string]string{"main.bicep": identityBicep, "p.json": `{"idType": {"value": "SystemAssigned"}}`},
			scan:   []string{"main.bicep"},
			opts:   bicep.Options{ParameterFiles: []string{"p.json"}},
			idType: "SystemAssigned",
		},
		{
			name:   "names match the declaration without regard to case",
			files:  map[string]string{"main.bicep": identityBicep},
			scan:   []string{"main.bicep"},
			opts:   bicep.Options{Params: []string{"IDTYPE=UserAssigned"}},
			idType: "UserAssigned",
		},
		{
			name:   "a --param another template of the folder declares is no warning",
			files:  map[string]string{"main.bicep": identityBicep, "other.bicep": "param sku string = 'Developer'\n"},
			scan:   []string{"main.bicep", "other.bicep"},
			opts:   bicep.Options{Params: []string{"sku=Premium"}},
			idType: "None",
		},
		{
			name:   "a --param no template of the folder declares names them all",
			files:  map[string]string{"main.bicep": identityBicep, "other.bicep": "param sku string = 'Developer'\n"},
			scan:   []string{"main.bicep", "other.bicep"},
			opts:   bicep.Options{Params: []string{"skus=Premium"}},
			want:   `Parameter "skus" (from --param) is not declared by any of the templates scanned: did you mean "sku"?`,
			idType: "None",
		},
		{
			name:   "names the ARM front end reports are not reported again",
			files:  map[string]string{"main.bicep": identityBicep},
			scan:   []string{"main.bicep"},
			opts:   bicep.Options{Params: []string{"idTyp=SystemAssigned"}, NamesCheckedElsewhere: true},
			idType: "None",
		},
		{
			name: "a .bicepparam assignment the template does not declare is an error at its name, as Bicep's BCP259",
			files: map[string]string{"main.bicep": identityBicep,
				"main.bicepparam": "using 'main.bicep'\nparam idTyp = 'SystemAssigned'\n"},
			scan:   []string{"main.bicepparam"},
			want:   `main.bicepparam:2:7: Parameter "idTyp" is not declared by the template main.bicep (BCP259): did you mean "idType"? Bicep refuses the parameters file`,
			idType: "None",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, tt.files)
			var scan []string
			for _, s := range tt.scan {
				scan = append(scan, dir+"/"+s)
			}
			for i, f := range tt.opts.ParameterFiles {
				tt.opts.ParameterFiles[i] = dir + "/" + f
			}
			rs, diags := bicep.Load(scan, tt.opts)
			var warnings []string // and BCP259 errors
			for _, d := range diags {
				if strings.Contains(d.Summary, "is not declared") {
					warnings = append(warnings, d.Error())
				} else if d.Severity == diag.Error {
					t.Errorf("error %v", d)
				}
			}
			switch {
			case tt.want == "" && len(warnings) != 0:
				t.Errorf("warnings %q, want none", warnings)
			case tt.want != "" && (len(warnings) != 1 || !strings.Contains(warnings[0], tt.want)):
				t.Errorf("warnings %q, want one holding %q", warnings, tt.want)
			}
			s := byAddress(rs)["s"]
			if s == nil {
				t.Fatalf("no resource s in %v", keysOf(byAddress(rs)))
			}
			if got := get(t, s, "identity.type"); got != tt.idType {
				t.Errorf("identity.type = %#v, want %q", got, tt.idType)
			}
		})
	}
}

// The compiler's own baseline lists a BCP259 error for each assignment its template does not
// declare; lensix must report the same names.
func TestUndeclaredAssignmentsMatchTheCompilersBaseline(t *testing.T) {
	dir := filepath.Join(corpus.Dir(t), "bicep-baselines", "bicepparam", "invalid", "Invalid_Parameters")
	expected, err := os.ReadFile(filepath.Join(dir, "parameters.diagnostics.bicepparam"))
	if err != nil {
		t.Skip("no Invalid_Parameters baseline")
	}
	var want []string
	for _, m := range regexp.MustCompile(`BCP259 \(Error\)\] The parameter "([^"]+)"`).FindAllStringSubmatch(string(expected), -1) {
		want = append(want, m[1])
	}
	_, diags := bicep.Load([]string{filepath.ToSlash(filepath.Join(dir, "parameters.bicepparam"))}, bicep.Options{})
	var got []string
	undeclared := regexp.MustCompile(`^Parameter "([^"]+)" is not declared .*\(BCP259\)$`)
	for _, d := range diags {
		if m := undeclared.FindStringSubmatch(d.Summary); m != nil && d.Range.Filename != "" {
			got = append(got, m[1])
		}
	}
	slices.Sort(want)
	slices.Sort(got)
	if len(want) == 0 || !slices.Equal(got, want) {
		t.Errorf("BCP259 names %q, the compiler's %q", got, want)
	}
}

func TestGivenValuesBreakingTheDeclarationWarnAsInTheCompiledTemplate(t *testing.T) {
	const bicepSrc = `@minLength(2)
@maxLength(3)
param s string = 'abc'
@minValue(1)
@maxValue(3)
param n int = 2
@allowed(['SystemAssigned', 'UserAssigned', 'None'])
param t string = 'None'
@maxValue(5)
type small = int
param ref small = 1
param o object = {}
resource svc 'Microsoft.ApiManagement/service@2022-08-01' = {
  name: 'apim-${s}'
  identity: { type: t }
  properties: { n: n, r: ref, o: o }
}
`
	const compiled = `{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "languageVersion": "2.0", "contentVersion": "1.0.0.0",
		"definitions": {"small": {"type": "int", "maxValue": 5}},
		"parameters": {"s": {"type": "string", "defaultValue": "abc", "minLength": 2, "maxLength": 3},
			"n": {"type": "int", "defaultValue": 2, "minValue": 1, "maxValue": 3},
			"t": {"type": "string", "defaultValue": "None", "allowedValues": ["SystemAssigned", "UserAssigned", "None"]},
			"ref": {"$ref": "#/definitions/small", "defaultValue": 1},
			"o": {"type": "object", "defaultValue": {}}},
		"resources": {"svc": {"type": "Microsoft.ApiManagement/service", "apiVersion": "2022-08-01", "name": "[format('apim-{0}', parameters('s'))]",
			"identity": {"type": "[parameters('t')]"}, "properties": {"n": "[parameters('n')]", "r": "[parameters('ref')]", "o": "[parameters('o')]"}}}}`
	tests := []struct {
		name   string
		params []string
		want   string // the one warning's summary, "" for none
	}{
		{"values within every limit are no warning", []string{"s=abc", "n=3", "t=UserAssigned", "ref=5"}, ""},
		{"@allowed strings are compared without regard to case, as Resource Manager compares them", []string{"t=systemassigned"}, ""},
		{"a number for a string parameter stays a string", []string{"s=123"}, ""},
		{"a value outside @allowed is a warning", []string{"t=Both"}, `The value given for parameter "t" (from --param) is not one of its allowedValues`},
		{"a string for an int parameter is a warning", []string{"n=many"}, `The value given for parameter "n" (from --param) is a string, not of its type int`},
		{"a bool for an object parameter is a warning", []string{"o=true"}, `The value given for parameter "o" (from --param) is a bool, not of its type object`},
		{"an int above @maxValue is a warning", []string{"n=9"}, `The value given for parameter "n" (from --param) is greater than its maxValue 3`},
		{"an int below @minValue is a warning", []string{"n=0"}, `The value given for parameter "n" (from --param) is less than its minValue 1`},
		{"a string longer than @maxLength is a warning", []string{"s=abcdef"}, `The value given for parameter "s" (from --param) is longer than its maxLength 3`},
		{"a string shorter than @minLength is a warning", []string{"s=a"}, `The value given for parameter "s" (from --param) is shorter than its minLength 2`},
		{"a limit on a declared type applies", []string{"ref=6"}, `The value given for parameter "ref" (from --param) is greater than its maxValue 5`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{"main.bicep": bicepSrc, "main.json": compiled})
			fromBicep, bdiags := bicep.Load([]string{dir + "/main.bicep"}, bicep.Options{Params: tt.params})
			fromARM, adiags := arm.Load([]string{dir + "/main.json"}, arm.Options{Params: tt.params})
			for form, diags := range map[string]diag.Diagnostics{"Bicep": bdiags, "ARM": adiags} {
				var got []string
				for _, d := range diags {
					got = append(got, d.Summary)
				}
				if tt.want == "" && len(got) != 0 || tt.want != "" && !slices.Equal(got, []string{tt.want}) {
					t.Errorf("%s: diagnostics %q, want %q", form, got, tt.want)
				}
			}
			if len(fromBicep) != 1 || len(fromARM) != 1 || fromBicep[0].Name != fromARM[0].Name {
				t.Errorf("resources from Bicep %v, from ARM %v: want one of the same name", fromBicep, fromARM)
			}
		})
	}
}

func TestAGivenValueIsReportedWhereItIsWritten(t *testing.T) {
	const src = "@maxValue(3)\nparam n int = 2\nresource s 'Microsoft.ApiManagement/service@2022-08-01' = {\n  name: 's'\n  properties: { n: n }\n}\n"
	tests := []struct {
		name  string
		files map[string]string
		scan  string
		opts  bicep.Options
		want  string // file:line:col of the warning
	}{
		{"a .bicepparam value is reported at the value",
			map[string]string{"main.bicep": src, "main.bicepparam": "using 'main.bicep'\nparam n = 9\n"}, "main.bicepparam", bicep.Options{}, "main.bicepparam:2:11"},
		{"a JSON parameters file value is reported at its name",
			map[string]string{"main.bicep": src, "p.json": "{\"parameters\": {\n  \"n\": {\"value\": 9}}}"}, "main.bicep", bicep.Options{ParameterFiles: []string{"p.json"}}, "p.json:2:3"},
		{"a --param value is reported at the decorator it breaks",
			map[string]string{"main.bicep": src}, "main.bicep", bicep.Options{Params: []string{"n=9"}}, "main.bicep:1:1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, tt.files)
			for i, f := range tt.opts.ParameterFiles {
				tt.opts.ParameterFiles[i] = dir + "/" + f
			}
			_, diags := bicep.Load([]string{dir + "/" + tt.scan}, tt.opts)
			if len(diags) != 1 || !strings.HasPrefix(diags[0].Error(), dir+"/"+tt.want+": The value given for parameter \"n\"") {
				t.Errorf("diagnostics %v, want one at %s", diags, tt.want)
			}
		})
	}
}
