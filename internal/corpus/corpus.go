// Package corpus finds lensix's shared real-world test corpus and reads its expected verdicts.
//
// It is for tests only: it is a non-test package so that the tests of every package can import
// it, but no non-test code may import it.
package corpus

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lensix/lensix/internal/check"
)

// find returns the corpus directory: $LENSIX_CORPUS, else ../shared/corpus beside the directory
// holding go.mod (found by walking up from the working directory). ok is false when it is absent.
func find() (dir string, ok bool) {
	if env := os.Getenv("LENSIX_CORPUS"); env != "" {
		dir = env
	} else {
		wd, err := os.Getwd()
		if err != nil {
			return "", false
		}
		for {
			if _, err := os.Stat(filepath.Join(wd, "go.mod")); err == nil {
				break
			}
			parent := filepath.Dir(wd)
			if parent == wd {
				return "", false
			}
			wd = parent
		}
		dir = filepath.Join(wd, "..", "shared", "corpus")
	}
	if info, err := os.Stat(dir); err != nil || !info.IsDir() {
		return "", false
	}
	return dir, true
}

// Dir returns the corpus directory, skipping the test or benchmark when it is absent.
func Dir(t testing.TB) string {
	t.Helper()
	dir, ok := find()
	if !ok {
		t.Skip("corpus not found; set LENSIX_CORPUS")
	}
	return dir
}

// AddSeeds adds every corpus file matching pattern (a filepath.Glob pattern relative to the
// corpus, in slash form) to a fuzz target's seed corpus; with no corpus it adds nothing.
func AddSeeds(f *testing.F, pattern string) {
	dir, ok := find()
	if !ok {
		return
	}
	files, _ := filepath.Glob(filepath.Join(dir, filepath.FromSlash(pattern)))
	for _, file := range files {
		if src, err := os.ReadFile(file); err == nil {
			f.Add(src)
		}
	}
}

// Row is one line of EXPECTED.tsv: a file of the corpus, its format, the resource address in it
// and the flagship check's expected verdict (FAIL, PASS, UNKNOWN or NONE).
type Row struct {
	Path, Format, Resource, Verdict, Notes string
}

// Case is the case folder the row's file lies in: the first two elements of its path
// ("arm/qs-multiregion").
func (r Row) Case() string {
	parts := strings.SplitN(r.Path, "/", 3)
	if len(parts) < 2 {
		return r.Path
	}
	return parts[0] + "/" + parts[1]
}

// Rows reads the rows of EXPECTED.tsv whose format is one of formats (every row when none is
// given), in file order. It skips the test when the corpus or its EXPECTED.tsv is absent.
func Rows(t testing.TB, formats ...string) []Row {
	t.Helper()
	f, err := os.Open(filepath.Join(Dir(t), "EXPECTED.tsv"))
	if os.IsNotExist(err) {
		t.Skip("corpus has no EXPECTED.tsv; set LENSIX_CORPUS")
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comma, r.LazyQuotes, r.FieldsPerRecord = '\t', true, -1
	records, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var rows []Row
	for i, rec := range records {
		if i == 0 || len(rec) < 4 {
			continue // the header, or a line too short to be a row
		}
		row := Row{Path: rec[0], Format: rec[1], Resource: rec[2], Verdict: rec[3]}
		if len(rec) > 4 {
			row.Notes = rec[4]
		}
		if len(formats) == 0 || contains(formats, row.Format) {
			rows = append(rows, row)
		}
	}
	return rows
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// ResponseBodies collects the ARM resources in the response bodies of an Azure REST API example
// (a decoded JSON document), the way ../shared/tools/corpus-check does: each response body, or
// the items of its "value" list, that has a type and a name, deduplicated by ID in first-seen
// order. Request bodies are not resources Azure returned.
func ResponseBodies(example any) []any {
	found := map[string]any{}
	var order []string
	addBody := func(b any) {
		items := []any{b}
		if m, ok := b.(map[string]any); ok {
			if list, ok := m["value"].([]any); ok {
				items = list
			}
		}
		for _, it := range items {
			m, ok := it.(map[string]any)
			typ, _ := m["type"].(string)
			if !ok || !strings.Contains(typ, "/") || m["name"] == nil {
				continue
			}
			key, _ := m["id"].(string)
			if key == "" {
				name, _ := m["name"].(string)
				key = typ + "/" + name
			}
			key = strings.ToLower(key)
			if _, seen := found[key]; !seen {
				order = append(order, key)
			}
			found[key] = m
		}
	}
	var walk func(x any, inResponses bool)
	walk = func(x any, inResponses bool) {
		switch v := x.(type) {
		case map[string]any:
			for k, child := range v {
				switch {
				case k == "responses":
					walk(child, true)
				case k == "body" && inResponses:
					addBody(child)
				default:
					walk(child, inResponses)
				}
			}
		case []any:
			for _, child := range v {
				walk(child, inResponses)
			}
		}
	}
	walk(example, false)
	out := make([]any, 0, len(order))
	for _, k := range order {
		out = append(out, found[k])
	}
	return out
}

// Snapshot turns an Azure REST API example file into the saved list response a user would scan
// ({"value": [...]}, as `az rest` saves it) holding the resources of its response bodies.
func Snapshot(example []byte) ([]byte, error) {
	var doc any
	if err := json.Unmarshal(example, &doc); err != nil {
		return nil, err
	}
	return json.MarshalIndent(map[string]any{"value": ResponseBodies(doc)}, "", " ")
}

// Accepts reports whether a check's status matches the row's verdict. An UNKNOWN row also
// accepts fail when the verdict rests on an assumed parameter default (the "default=FAIL" rows).
func (r Row) Accepts(status check.Status, onAssumedDefault bool) bool {
	switch r.Verdict {
	case "PASS":
		return status == check.Pass
	case "FAIL":
		return status == check.Fail
	case "UNKNOWN":
		return status == check.Unknown || onAssumedDefault && status == check.Fail
	}
	return false
}
