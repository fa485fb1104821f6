package bicep_test

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/lensix/lensix/internal/check"
	"github.com/lensix/lensix/internal/checks/apimgmt"
	"github.com/lensix/lensix/internal/resource"
	"github.com/lensix/lensix/internal/source/bicep"
	"github.com/lensix/lensix/internal/source/bicep/internal/corpus"
)

type expectedRow struct {
	path, resource, verdict, notes string
}

func bicepRows(t *testing.T, dir string) []expectedRow {
	f, err := os.Open(filepath.Join(dir, "EXPECTED.tsv"))
	if err != nil {
		t.Skipf("no EXPECTED.tsv: %v", err)
	}
	defer f.Close()
	var rows []expectedRow
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) < 5 || cols[1] != "bicep" {
			continue
		}
		rows = append(rows, expectedRow{path: cols[0], resource: cols[2], verdict: cols[3], notes: cols[4]})
	}
	return rows
}

// judgedAs reports whether a check result matches an EXPECTED verdict. An UNKNOWN row accepts
// unknown, or fail resting on an assumed parameter default (the "default=FAIL" rows), as the ARM
// source's corpus test does.
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
			if strings.HasPrefix(a.Path, "param.") {
				return res.Status == check.Fail
			}
		}
	}
	return false
}

var lineSuffix = regexp.MustCompile(`^(\S+) \(L(\d+)\)$`)

func TestCorpusVerdicts(t *testing.T) {
	dir, ok := corpus.Dir()
	if !ok {
		t.Skip("corpus not found; set LENSIX_CORPUS")
	}
	rows := bicepRows(t, dir)
	byFile := map[string][]expectedRow{}
	var order []string
	for _, r := range rows {
		if _, seen := byFile[r.path]; !seen {
			order = append(order, r.path)
		}
		byFile[r.path] = append(byFile[r.path], r)
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
				if want.verdict == "NONE" {
					if len(services) != 0 {
						t.Errorf("found %d API Management services, want none (%s)", len(services), want.notes)
					}
					continue
				}
				symbol, line := want.resource, 0
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
					t.Errorf("%s: no API Management service with that address (%s)", want.resource, want.notes)
					continue
				}
				res := apimgmt.NoManagedIdentity.Evaluate(r)
				t.Logf("%s at line %d: %s (%s)", want.resource, r.Provenance.Range.Start.Line, res.Status, res.Message)
				if !judgedAs(r, res, want.verdict) {
					t.Errorf("%s: got %s (%s; assumptions %v), want %s (%s)", want.resource, res.Status, res.Message, r.Assumptions, want.verdict, want.notes)
				}
			}
		})
	}
}
