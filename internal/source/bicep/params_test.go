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
