package arm_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/lensix/lensix/internal/check"
	"github.com/lensix/lensix/internal/checks/apimgmt"
	"github.com/lensix/lensix/internal/corpus"
	"github.com/lensix/lensix/internal/diag"
	"github.com/lensix/lensix/internal/resource"
	"github.com/lensix/lensix/internal/source/arm"
)

// armRows groups the corpus's arm rows by file.
func armRows(t *testing.T) map[string][]corpus.Row {
	rows := map[string][]corpus.Row{}
	for _, r := range corpus.Rows(t, "arm") {
		rows[r.Path] = append(rows[r.Path], r)
	}
	return rows
}

func apimServices(rs []*resource.Resource) map[string]*resource.Resource {
	out := map[string]*resource.Resource{}
	for _, r := range rs {
		if r.IsType(apimgmt.ServiceType) {
			out[r.Provenance.Address] = r
		}
	}
	return out
}

// assumesParameter reports whether r rests on a parameter's assumed default value.
func assumesParameter(r *resource.Resource) bool {
	for _, a := range r.Assumptions {
		if strings.HasPrefix(a.Path, "parameters(") {
			return true
		}
	}
	return false
}

// rejectedByARM are the corpus files with a mistake Resource Manager rejects, which lensix must
// report as an error: a test fixture's child resource named without its parent.
var rejectedByARM = map[string]string{
	"arm/sonar-AnonymousAccessToResourceCheck-Microsoft/Microsoft.ApiManagement_service.json": `The name "signin-without-parent-for-coverage" has 1 segment;`,
}

func TestCorpusVerdicts(t *testing.T) {
	dir := corpus.Dir(t)
	rows := armRows(t)
	if len(rows) == 0 {
		t.Fatal("EXPECTED.tsv has no arm rows")
	}
	for path, want := range rows {
		t.Run(path, func(t *testing.T) {
			file := filepath.ToSlash(filepath.Join(dir, path))
			rs, diags := arm.Load([]string{file}, arm.Options{})
			var errs []string
			for _, d := range diags {
				if d.Severity == diag.Error {
					errs = append(errs, d.Summary)
				}
			}
			rejected, rejects := rejectedByARM[path]
			if want := map[bool]int{false: 0, true: 1}[rejects]; len(errs) != want || rejects && !strings.HasPrefix(errs[0], rejected) {
				t.Errorf("error diagnostics: %v; want only %q", diags, rejected)
			}
			services := apimServices(rs)
			expected := 0
			for _, w := range want {
				if w.Verdict == "NONE" {
					if len(services) != 0 {
						t.Errorf("want no API Management service, got %d", len(services))
					}
					continue
				}
				expected++
				r := services[w.Resource]
				if r == nil {
					t.Errorf("no API Management service at address %q (have %v)", w.Resource, keys(services))
					continue
				}
				res := apimgmt.NoManagedIdentity.Evaluate(r)
				if !w.Accepts(res.Status, assumesParameter(r)) {
					t.Errorf("%s: got %s (%s; assumptions %v), want %s (%s)", w.Resource, res.Status, res.Message, r.Assumptions, w.Verdict, w.Notes)
				}
			}
			if expected > 0 && len(services) != expected {
				t.Errorf("got %d API Management services, want %d", len(services), expected)
			}
		})
	}
}

func keys(m map[string]*resource.Resource) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestCorpusParameterFiles(t *testing.T) {
	dir := corpus.Dir(t)
	template := filepath.ToSlash(filepath.Join(dir, "arm/carml-2023-apim/main.json"))
	maxParams := filepath.ToSlash(filepath.Join(dir, "arm/carml-2022-apim-max/max.parameters.json"))
	tests := []struct {
		name string
		opts arm.Options
		want check.Status
	}{
		{"the module's defaults give no identity", arm.Options{}, check.Fail},
		{"the max parameters file turns on the system-assigned identity", arm.Options{ParameterFiles: []string{maxParams}}, check.Pass},
		{"--param overrides the parameters file", arm.Options{ParameterFiles: []string{maxParams},
			Params: []string{"systemAssignedIdentity=false", "userAssignedIdentities={}"}}, check.Fail},
		{"--param alone turns on the identity", arm.Options{Params: []string{"systemAssignedIdentity=true"}}, check.Pass},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs, _ := arm.Load([]string{template}, tt.opts)
			services := apimServices(rs)
			r := services["[parameters('name')]"]
			if r == nil {
				t.Fatalf("no API Management service; have %v", keys(services))
			}
			if got := apimgmt.NoManagedIdentity.Evaluate(r); got.Status != tt.want {
				t.Errorf("got %s (%s), want %s", got.Status, got.Message, tt.want)
			}
		})
	}
}

func TestCorpusPairedParametersFile(t *testing.T) {
	template := filepath.ToSlash(filepath.Join(corpus.Dir(t), "arm/qs-multiregion/azuredeploy.json"))
	rs, diags := arm.Load([]string{template}, arm.Options{})
	if diags.HasErrors() {
		t.Fatalf("diagnostics: %v", diags)
	}
	r := apimServices(rs)["[parameters('apiManagementServiceName')]"]
	if r == nil {
		t.Fatal("no API Management service")
	}
	for _, a := range r.Assumptions {
		if a.Path == "parameters('publisherEmail')" {
			t.Errorf("publisherEmail comes from azuredeploy.parameters.json, yet it is recorded as an assumed default")
		}
	}
	if got, _ := r.Get("properties.publisherEmail"); got != "email@example.com" {
		t.Errorf("properties.publisherEmail = %v, want the value from azuredeploy.parameters.json", got)
	}
	// additionalLocations is a property copy loop over the two locations the file gives.
	if got, _ := r.Get("properties.additionalLocations"); len(asArray(got)) != 2 {
		t.Errorf("properties.additionalLocations = %v, want 2 entries", got)
	}
}

func asArray(v any) []any {
	a, _ := v.([]any)
	return a
}
