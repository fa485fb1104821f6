package bicep_test

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/lensix/lensix/internal/checks/apimgmt"
	"github.com/lensix/lensix/internal/corpus"
	"github.com/lensix/lensix/internal/resource"
	"github.com/lensix/lensix/internal/source/bicep"
)

// assumesParameter reports whether r rests on a parameter's assumed default value.
func assumesParameter(r *resource.Resource) bool {
	for _, a := range r.Assumptions {
		if strings.HasPrefix(a.Path, "param.") {
			return true
		}
	}
	return false
}

var lineSuffix = regexp.MustCompile(`^(\S+) \(L(\d+)\)$`)

func TestCorpusVerdicts(t *testing.T) {
	dir := corpus.Dir(t)
	byFile := map[string][]corpus.Row{}
	var order []string
	for _, r := range corpus.Rows(t, "bicep") {
		if _, seen := byFile[r.Path]; !seen {
			order = append(order, r.Path)
		}
		byFile[r.Path] = append(byFile[r.Path], r)
	}
	for _, path := range order {
		t.Run(path, func(t *testing.T) {
			resources, diags := bicep.Load([]string{filepath.ToSlash(filepath.Join(dir, path))}, bicep.Options{})
			for _, d := range diags {
				t.Logf("diagnostic: %v", d)
			}
			var services []*resource.Resource
			for _, r := range resources {
				if r.IsType(apimgmt.ServiceType) {
					services = append(services, r)
				}
			}
			for _, want := range byFile[path] {
				if want.Verdict == "NONE" {
					if len(services) != 0 {
						t.Errorf("found %d API Management services, want none (%s)", len(services), want.Notes)
					}
					continue
				}
				symbol, line := want.Resource, 0
				if m := lineSuffix.FindStringSubmatch(symbol); m != nil {
					symbol = m[1]
					line, _ = strconv.Atoi(m[2])
				}
				var r *resource.Resource
				for _, s := range services {
					// A later declaration of a name already taken has the address name@L<line>.
					address := s.Provenance.Address
					if line != 0 && address == fmt.Sprintf("%s@L%d", symbol, line) {
						address = symbol
					}
					if address == symbol && (line == 0 || s.Provenance.Range.Start.Line == line) {
						r = s
					}
				}
				if r == nil {
					t.Errorf("%s: no API Management service with that address (%s)", want.Resource, want.Notes)
					continue
				}
				res := apimgmt.NoManagedIdentity.Evaluate(r)
				t.Logf("%s at line %d: %s (%s)", want.Resource, r.Provenance.Range.Start.Line, res.Status, res.Message)
				if !want.Accepts(res.Status, assumesParameter(r)) {
					t.Errorf("%s: got %s (%s; assumptions %v), want %s (%s)", want.Resource, res.Status, res.Message, r.Assumptions, want.Verdict, want.Notes)
				}
			}
		})
	}
}
