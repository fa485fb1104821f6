package arm_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lensix/lensix/internal/diag"
	"github.com/lensix/lensix/internal/resource"
	"github.com/lensix/lensix/internal/source/arm"
)

func TestBadInputIsADiagnosticAndTheRestIsEvaluated(t *testing.T) {
	good := `{"type": "A.B/c", "apiVersion": "1", "name": "good"}`
	tests := []struct {
		name      string
		resources string
		line, col int
		summary   string
		detail    string
	}{
		{"an expression that does not parse", `{"type": "A.B/c", "apiVersion": "1", "name": "[concat('a', ]"}`, 3, 74, "Invalid expression: expression expected", "[concat('a', ]"},
		{"an unknown function", `{"type": "A.B/c", "apiVersion": "1", "name": "[nosuch('a')]"}`, 3, 62, `unknown function "nosuch"`, "[nosuch('a')]"},
		{"a type error", `{"type": "A.B/c", "apiVersion": "1", "name": "[concat('a', not('b'))]"}`, 3, 74, "must be a bool, not string", "[concat('a', not('b'))]"},
		{"a variable that refers to itself", `{"type": "A.B/c", "apiVersion": "1", "name": "[variables('loop')]"}`, 2, 50, `variable "loop" refers to itself: loop → b → loop`, "[variables('loop')]"},
		{"an undeclared parameter", `{"type": "A.B/c", "apiVersion": "1", "name": "[parameters('missing')]"}`, 3, 62, `declares no parameter "missing"`, ""},
		{"copyIndex outside a loop", `{"type": "A.B/c", "apiVersion": "1", "name": "[string(copyIndex())]"}`, 3, 69, "outside a copy loop", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "{" + schema + ",\n" +
				`"variables": {"loop": "[variables('b')]", "b": "[variables('loop')]"},` + "\n" +
				`"resources": [` + tt.resources + ",\n" + good + "]}"
			rs, diags := load(t, arm.Options{}, "bad.json", src)
			var found *diag.Diagnostic
			for i, d := range diags {
				if d.Severity == diag.Error && strings.Contains(d.Summary, tt.summary) {
					found = &diags[i]
				}
			}
			if found == nil {
				t.Fatalf("no error containing %q in %v", tt.summary, diags)
			}
			if found.Range.Start.Line != tt.line || found.Range.Start.Column != tt.col || !strings.HasSuffix(found.Range.Filename, "bad.json") {
				t.Errorf("at %s, want line %d column %d", found.Range, tt.line, tt.col)
			}
			if !strings.Contains(found.Detail, tt.detail) {
				t.Errorf("detail %q does not quote %q", found.Detail, tt.detail)
			}
			names := map[string]bool{}
			for _, r := range rs {
				names[r.Name] = true
			}
			if !names["good"] || len(rs) != 2 {
				t.Errorf("the rest was not evaluated: %v", rs)
			}
			for _, r := range rs {
				if r.Name != "good" {
					if _, ok := r.Body["name"].(*resource.Unknown); !ok {
						t.Errorf("the bad name evaluated to %#v, want unknown", r.Body["name"])
					}
				}
			}
		})
	}
}

func TestACopyCountThatIsNoWholeNumberIsNamedForWhatItIs(t *testing.T) {
	tests := []struct {
		name, count, summary string
	}{
		{"a count written as a string says it is a string", `"3"`, `The copy loop's count is a string ("3")`},
		{"a count past the limit gives the number", `801`, "The copy loop's count is 801"},
		{"a fractional count gives the number", `1.5`, "The copy loop's count is 1.5"},
		{"a count that is an array says so", `[3]`, "The copy loop's count is an array"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, diags := load(t, arm.Options{}, "t.json", template(`"resources": [{"copy": {"name": "l", "count": `+tt.count+`}, "type": "A.B/c", "apiVersion": "1", "name": "[concat('a', copyIndex())]"}]`))
			if len(diags) != 1 || diags[0].Severity != diag.Error || diags[0].Summary != tt.summary {
				t.Errorf("got %v, want one error %q", diags, tt.summary)
			}
		})
	}
}

func TestMissingPropertyOfAnAssumedDefaultIsUnknown(t *testing.T) {
	body := template(`"parameters": {"cfg": {"type": "object", "defaultValue": {}}},
		"resources": [{"type": "A.B/c", "apiVersion": "1", "name": "x", "properties": {"tier": "[parameters('cfg').tier]"}}]`)
	t.Run("from the default it is unknown", func(t *testing.T) {
		rs, diags := load(t, arm.Options{}, "t.json", body)
		if len(diags) > 0 || !resource.IsUnknown(get(t, rs[0], "properties.tier")) {
			t.Errorf("tier = %#v, diags %v", get(t, rs[0], "properties.tier"), diags)
		}
	})
	t.Run("from a given value it is unknown and warned as a failing deployment", func(t *testing.T) {
		rs, diags := load(t, arm.Options{Params: []string{"cfg={}"}}, "t.json", body)
		if len(diags) != 1 || diags[0].Severity != diag.Warning || !strings.Contains(diags[0].Summary, `would fail here: the object has no property "tier"`) {
			t.Errorf("diags %v", diags)
		}
		if !resource.IsUnknown(get(t, rs[0], "properties.tier")) {
			t.Errorf("tier = %#v, want unknown", get(t, rs[0], "properties.tier"))
		}
	})
}

func TestInvalidJSONIsReportedAndOtherFilesGoOn(t *testing.T) {
	paths := writeFiles(t,
		"broken.json", "{\n  \"resources\": [\n    {\"type\": \"A.B/c\" \"name\": \"x\"}\n  ]\n}",
		"fine.json", template(`"resources": [{"type": "A.B/c", "apiVersion": "1", "name": "fine"}]`))
	rs, diags := arm.Load(paths, arm.Options{})
	if len(rs) != 1 || rs[0].Name != "fine" {
		t.Errorf("got %v", rs)
	}
	if len(diags) != 1 || diags[0].Range.Start.Line != 3 || diags[0].Range.Start.Column != 22 || !strings.Contains(diags[0].Summary, "Invalid JSON") {
		t.Errorf("diags = %v", diags)
	}
}

func TestMissingFileIsADiagnostic(t *testing.T) {
	_, diags := arm.Load([]string{"does/not/exist.json"}, arm.Options{})
	if len(diags) != 1 || diags[0].Range.Filename != "does/not/exist.json" {
		t.Errorf("diags = %v", diags)
	}
}

func TestCopyLoopErrorIsReportedOnce(t *testing.T) {
	rs, diags := load(t, arm.Options{}, "t.json", template(`"resources": [{"type": "A.B/c", "apiVersion": "1", "name": "[nosuch(copyIndex())]", "copy": {"name": "l", "count": 5}}]`))
	if len(rs) != 5 || len(diags) != 1 {
		t.Errorf("%d resources, diags %v", len(rs), diags)
	}
}

// bigTemplate writes a template of about size bytes: many API Management services with
// expressions, so reading and evaluating both scale.
func bigTemplate(t testing.TB, size int) (string, int) {
	var b strings.Builder
	b.WriteString("{" + schema + `, "parameters": {"prefix": {"type": "string", "defaultValue": "apim"}}, "resources": [`)
	n := 0
	for b.Len() < size {
		if n > 0 {
			b.WriteString(",\n")
		}
		fmt.Fprintf(&b, `{"type": "Microsoft.ApiManagement/service", "apiVersion": "2022-08-01", "name": "[format('{0}-%d', parameters('prefix'))]", "location": "westeurope",
 "sku": {"name": "Developer", "capacity": 1}, "identity": "[if(equals(mod(%d, 2), 0), createObject('type', 'SystemAssigned'), null())]",
 "properties": {"publisherEmail": "a@example.com", "publisherName": "[concat('n', string(%d))]", "customProperties": {"Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Protocols.Tls10": "false"}}}`, n, n, n)
		n++
	}
	b.WriteString("]}")
	path := filepath.Join(t.TempDir(), "big.json")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return filepath.ToSlash(path), n
}

func TestFiftyMegabyteTemplate(t *testing.T) {
	if testing.Short() {
		t.Skip("writes and evaluates a 50 MB template")
	}
	// Far beyond Resource Manager's 4 MB, it holds more resources than lensix evaluates in a scan.
	path, n := bigTemplate(t, 50<<20)
	if n <= arm.MaxInstances {
		t.Fatalf("%d resources do not reach the limit", n)
	}
	rs, diags := arm.Load([]string{path}, arm.Options{})
	if len(diags) != 1 || !strings.Contains(diags[0].Summary, "limit of") {
		t.Fatal(diags)
	}
	if len(rs) != arm.MaxInstances {
		t.Fatalf("got %d resources, want %d", len(rs), arm.MaxInstances)
	}
	if last := rs[len(rs)-1].Name; last != fmt.Sprintf("apim-%d", arm.MaxInstances-1) {
		t.Errorf("last name %q", last)
	}
}

func TestFunctionsCallingEachOtherWithoutEndStop(t *testing.T) {
	rs, diags := load(t, arm.Options{}, "t.json", template(`
		"functions": [{"namespace": "ns", "members": {
			"a": {"parameters": [{"name": "x", "type": "string"}], "output": {"type": "string", "value": "[concat(ns.b(parameters('x')), ns.b(parameters('x')))]"}},
			"b": {"parameters": [{"name": "x", "type": "string"}], "output": {"type": "string", "value": "[concat(ns.a(parameters('x')), ns.a(parameters('x')))]"}}}}],
		"resources": [{"type": "A.B/c", "apiVersion": "1", "name": "[ns.a('x')]"}]`))
	if len(rs) != 1 || !diags.HasErrors() {
		t.Errorf("resources %v, diags %v", rs, diags)
	}
}

func TestVariablesThatDoubleAValueStop(t *testing.T) {
	vars := []string{`"v0": "[createArray('xxxxxxxxxxxxxxxx', 'xxxxxxxxxxxxxxxx')]"`}
	for i := 1; i <= 64; i++ {
		vars = append(vars, fmt.Sprintf(`"v%d": "[createArray(variables('v%d'), variables('v%d'))]"`, i, i-1, i-1))
	}
	vars = append(vars, `"s": "[string(variables('v64'))]"`)
	rs, diags := load(t, arm.Options{}, "t.json", template(`"variables": {`+strings.Join(vars, ",")+`},
		"resources": [{"type": "A.B/c", "apiVersion": "1", "name": "[variables('s')]"}]`))
	if len(rs) != 1 || len(diags) == 0 {
		t.Fatalf("resources %v, diags %v", rs, diags)
	}
	// The expressions are valid: the limit is lensix's, and the message must not blame the user.
	for _, d := range diags {
		if !strings.Contains(d.Summary, "larger than lensix's evaluation limit") || strings.Contains(d.Detail, "fix the expression") {
			t.Errorf("%s: %s", d.Summary, d.Detail)
		}
	}
}

func TestResourceInstancesBeyondATemplatesLimitAreNotEvaluated(t *testing.T) {
	small := template(`"resources": [{"type": "A.B/c", "apiVersion": "1", "name": "small"}]`)
	// 31 deployments of 800 services, with the deployments themselves, fit the limit; 32 do not.
	fits, over := copiedDeployments(31, 800), copiedDeployments(32, 800)
	if 31*801 > arm.MaxInstances || 32*801 <= arm.MaxInstances {
		t.Fatalf("the templates no longer straddle the limit of %d", arm.MaxInstances)
	}
	tests := []struct {
		name      string
		files     []string
		resources int
		limitHit  bool
	}{
		{"copied deployments under the limit are evaluated whole", []string{"a.json", fits}, 31 * 801, false},
		{"copied deployments over the limit stop with one error", []string{"a.json", over}, arm.MaxInstances, true},
		{"a template after one that reached the limit is evaluated with a limit of its own", []string{"a.json", over, "b.json", small}, arm.MaxInstances + 1, true},
		{"a template before the limit was reached is kept", []string{"b.json", small, "a.json", over}, arm.MaxInstances + 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs, diags := arm.Load(writeFiles(t, tt.files...), arm.Options{})
			if len(rs) != tt.resources {
				t.Errorf("got %d resources, want %d", len(rs), tt.resources)
			}
			if !tt.limitHit {
				if len(diags) > 0 {
					t.Errorf("diags %v", diags)
				}
				return
			}
			if len(diags) != 1 {
				t.Fatalf("want one error, got %v", diags)
			}
			d := diags[0]
			// The first service past the limit is declared on line 4 of the template.
			if d.Severity != diag.Error || !strings.HasSuffix(d.Range.Filename, "a.json") || d.Range.Start.Line != 4 ||
				!strings.Contains(d.Summary, fmt.Sprintf("limit of %d resource instances per template", arm.MaxInstances)) || !strings.Contains(d.Detail, "not evaluated") {
				t.Errorf("got %s: %s: %s", d.Range, d.Summary, d.Detail)
			}
			names := map[string]bool{}
			for _, r := range rs {
				names[r.Provenance.Address] = true
			}
			if !names["[concat('d', copyIndex())][0] > [concat('i', copyIndex())][799]"] {
				t.Errorf("the first deployment's last service is missing")
			}
			if names["small"] != (len(tt.files) > 2) {
				t.Errorf("the small template evaluated: %v, want %v", names["small"], len(tt.files) > 2)
			}
		})
	}
}

func TestLoadCallsOfOneScanShareItsInstanceBudget(t *testing.T) {
	over := copiedDeployments(32, 800)
	small := template(`"resources": [{"type": "A.B/c", "apiVersion": "1", "name": "small"}]`)
	tests := []struct {
		name   string
		shared bool
		want   int // resources of the second call
	}{
		{"a call drawing on a budget an earlier call used up evaluates nothing", true, 0},
		{"a call with a budget of its own is evaluated", false, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			paths := writeFiles(t, "over.json", over, "small.json", small)
			budget := &arm.Budget{}
			if _, diags := arm.Load(paths[:1], arm.Options{Budget: budget}); len(diags) != 1 {
				t.Fatalf("the first call: %v", diags)
			}
			opts := arm.Options{}
			if tt.shared {
				opts.Budget = budget
			}
			rs, diags := arm.Load(paths[1:], opts)
			if len(rs) != tt.want || len(diags) > 0 {
				t.Errorf("the second call: %d resources, diags %v", len(rs), diags)
			}
		})
	}
}

func TestALargeValueRepeatedInEveryInstanceStopsTheScan(t *testing.T) {
	// v17 is an array of 2^18 strings, built in 17 doublings from a 2-string array.
	vars := []string{`"v0": "[createArray('xxxxxxxxxxxxxxxx', 'xxxxxxxxxxxxxxxx')]"`}
	for i := 1; i <= 17; i++ {
		vars = append(vars, fmt.Sprintf(`"v%d": "[concat(variables('v%d'), variables('v%d'))]"`, i, i-1, i-1))
	}
	tests := []struct {
		name       string
		properties string
		summary    string
		col        int
	}{
		{"a large variable in every instance's body stops at the scan's limit on values",
			`{"x": "[variables('v17')]"}`, "the resources of the scan hold more than", 1},
		{"a large variable wrapped again and again stops at the scan's limit on walked values",
			`{"copy": [{"name": "p", "count": 800, "input": "[length(createArray(variables('v17')))]"}]}`, "the function results of the scan add up to more than", 209},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs, diags := load(t, arm.Options{}, "t.json", template(`"variables": {`+strings.Join(vars, ",")+`},
"resources": [
{"type": "Microsoft.ApiManagement/service", "apiVersion": "2022-08-01", "name": "[concat('a', copyIndex())]", "copy": {"name": "c", "count": 800}, "properties": `+tt.properties+`}]`))
			if len(rs) >= 800 {
				t.Errorf("all %d instances were evaluated", len(rs))
			}
			if len(diags) != 1 {
				t.Fatalf("want one error, got %v", diags)
			}
			if d := diags[0]; d.Severity != diag.Error || d.Range.Start.Line != 3 || d.Range.Start.Column != tt.col ||
				!strings.Contains(d.Summary, "lensix stopped expanding resources here: "+tt.summary) || !strings.Contains(d.Detail, "not evaluated") {
				t.Errorf("got %s: %s: %s", d.Range, d.Summary, d.Detail)
			}
		})
	}
}
