package arm_test

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lensix/lensix/internal/check"
	"github.com/lensix/lensix/internal/checks/apimgmt"
	"github.com/lensix/lensix/internal/resource"
	"github.com/lensix/lensix/internal/source/arm"
)

// corpusDir finds the shared corpus: $LENSIX_CORPUS, else ../shared/corpus beside the module
// root. It skips the test when the corpus is absent.
func corpusDir(t testing.TB) string {
	t.Helper()
	if dir := os.Getenv("LENSIX_CORPUS"); dir != "" {
		return dir
	}
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("module root not found")
		}
		dir = parent
	}
	corpus := filepath.Join(dir, "..", "shared", "corpus")
	if _, err := os.Stat(filepath.Join(corpus, "EXPECTED.tsv")); err != nil {
		t.Skipf("corpus not found at %s (set LENSIX_CORPUS)", corpus)
	}
	return corpus
}

type expectation struct {
	resource, verdict, notes string
}

func armRows(t *testing.T, corpus string) map[string][]expectation {
	f, err := os.Open(filepath.Join(corpus, "EXPECTED.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows := map[string][]expectation{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) < 5 || cols[1] != "arm" {
			continue
		}
		rows[cols[0]] = append(rows[cols[0]], expectation{resource: cols[2], verdict: cols[3], notes: cols[4]})
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

// judgedAs reports whether a check result matches an EXPECTED verdict. An UNKNOWN row accepts
// unknown, or fail resting on an assumed parameter default.
func judgedAs(r *resource.Resource, res check.Result, verdict string) bool {
	switch verdict {
	case "PASS":
		return res.Status == check.Pass
	case "FAIL":
		return res.Status == check.Fail
	case "UNKNOWN":
		if res.Status == check.Unknown {
			return true
		}
		for _, a := range r.Assumptions {
			if strings.HasPrefix(a.Path, "parameters(") {
				return res.Status == check.Fail
			}
		}
	}
	return false
}

func TestCorpusVerdicts(t *testing.T) {
	corpus := corpusDir(t)
	rows := armRows(t, corpus)
	if len(rows) == 0 {
		t.Fatal("EXPECTED.tsv has no arm rows")
	}
	for path, want := range rows {
		t.Run(path, func(t *testing.T) {
			file := filepath.ToSlash(filepath.Join(corpus, path))
			rs, diags := arm.Load([]string{file}, arm.Options{})
			if diags.HasErrors() {
				t.Errorf("error diagnostics: %v", diags)
			}
			services := apimServices(rs)
			expected := 0
			for _, w := range want {
				if w.verdict == "NONE" {
					if len(services) != 0 {
						t.Errorf("want no API Management service, got %d", len(services))
					}
					continue
				}
				expected++
				r := services[w.resource]
				if r == nil {
					t.Errorf("no API Management service at address %q (have %v)", w.resource, keys(services))
					continue
				}
				res := apimgmt.NoManagedIdentity.Evaluate(r)
				if !judgedAs(r, res, w.verdict) {
					t.Errorf("%s: got %s (%s; assumptions %v), want %s (%s)", w.resource, res.Status, res.Message, r.Assumptions, w.verdict, w.notes)
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
	corpus := corpusDir(t)
	template := filepath.ToSlash(filepath.Join(corpus, "arm/carml-2023-apim/main.json"))
	maxParams := filepath.ToSlash(filepath.Join(corpus, "arm/carml-2022-apim-max/max.parameters.json"))
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
	corpus := corpusDir(t)
	template := filepath.ToSlash(filepath.Join(corpus, "arm/qs-multiregion/azuredeploy.json"))
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
