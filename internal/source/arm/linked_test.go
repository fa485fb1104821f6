package arm_test

import (
	"fmt"
	"path"
	"strings"
	"testing"

	"github.com/lensix/lensix/internal/diag"
	"github.com/lensix/lensix/internal/resource"
	"github.com/lensix/lensix/internal/source/arm"
)

// linkTo is a deployment named name whose templateLink is link, on a line of its own.
func linkTo(name, link string) string {
	return fmt.Sprintf(`{"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": %q, "properties": {"mode": "Incremental",
"templateLink": %s}}`, name, link)
}

const plainAPIM = `{"type": "Microsoft.ApiManagement/service", "apiVersion": "2022-08-01", "name": "apim", "location": "w", "properties": {}}`

func TestLinkedTemplateProblemsAreReportedAtTheLink(t *testing.T) {
	type want struct {
		severity  diag.Severity
		file      string
		line, col int
		summary   string
	}
	// t0.json links t1.json, which links t2.json, and so on: a long chain with no cycle.
	var chain []string
	for i := range 20 {
		chain = append(chain, fmt.Sprintf("t%d.json", i), template(`"resources": [`+linkTo(fmt.Sprintf("d%d", i), fmt.Sprintf(`{"relativePath": "t%d.json"}`, i+1))+"]"))
	}
	tests := []struct {
		name      string
		files     []string // name, content pairs; the first is scanned
		resources int
		diags     []want
		// unevaluated counts the deployments whose template shows as unknown.
		unevaluated int
	}{
		{"a template that links to itself three times is three cycles and is evaluated once",
			[]string{"a.json", template(`"resources": [` + plainAPIM + ",\n" +
				linkTo("self0", `{"relativePath": "a.json"}`) + ",\n" + linkTo("self1", `{"relativePath": "./a.json"}`) + ",\n" +
				linkTo("self2", `{"uri": "a.json"}`) + "]")},
			4, []want{
				{diag.Error, "a.json", 3, 34, "a.json links to itself through self0"},
				{diag.Error, "a.json", 5, 34, "a.json links to itself through self1"},
				{diag.Error, "a.json", 7, 25, "a.json links to itself through self2"},
			}, 3},
		{"two templates that link to each other name the chain of deployments",
			[]string{
				"a.json", template(`"resources": [` + plainAPIM + ",\n" + linkTo("toB", `{"relativePath": "nested/b.json"}`) + "]"),
				"nested/b.json", template(`"resources": [` + linkTo("toA", `{"relativePath": "../a.json"}`) + "]"),
			},
			3, []want{{diag.Error, "nested/b.json", 2, 34, "../a.json links to itself through toB > toA"}}, 1},
		{"a copy loop of links to itself is one cycle",
			[]string{"a.json", template(`"resources": [{"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "self",
"copy": {"name": "l", "count": 5}, "properties": {"mode": "Incremental", "templateLink": {"relativePath": "a.json"}}}]`)},
			5, []want{{diag.Error, "a.json", 2, 107, "a.json links to itself through self"}}, 5},
		{"a link to itself from an inline nested deployment is a cycle",
			[]string{"a.json", template(`"resources": [{"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "outer",
"properties": {"mode": "Incremental", "template": {"contentVersion": "1.0.0.0", "resources": [` + linkTo("self", `{"relativePath": "a.json"}`) + `]}}}]`)},
			2, []want{{diag.Error, "a.json", 3, 34, "a.json links to itself through outer > self"}}, 1},
		{"a template linked twice without a cycle is evaluated twice",
			[]string{
				"a.json", template(`"resources": [` + linkTo("one", `{"relativePath": "b.json"}`) + ",\n" + linkTo("two", `{"relativePath": "b.json"}`) + "]"),
				"b.json", template(`"resources": [` + plainAPIM + "]"),
			},
			4, nil, 0},
		{"a chain of linked templates stops at the nesting limit",
			chain, 16, []want{{diag.Error, "t15.json", 1, 139, "Deployments are nested more than 16 deep"}}, 1},
		{"a missing linked template is an error at its link",
			[]string{"a.json", template(`"resources": [` + linkTo("missing", `{"relativePath": "nested/missing.json"}`) + "]")},
			1, []want{{diag.Error, "a.json", 2, 34, "linked template nested/missing.json (relativePath) not found"}}, 1},
		{"a linked template under _artifactsLocation that is not beside the template is a warning at its uri",
			[]string{"a.json", template(`"parameters": {"_artifactsLocation": {"type": "string", "defaultValue": "[deployment().properties.templateLink.uri]"}},
"resources": [` + linkTo("staged", `{"uri": "[uri(parameters('_artifactsLocation'), 'nested/missing.json')]"}`) + "]")},
			1, []want{{diag.Warning, "a.json", 3, 25, "The linked template nested/missing.json is not beside the template"}}, 1},
		{"a remote linked template is a warning at its uri",
			[]string{"a.json", template(`"resources": [` + linkTo("remote", `{"uri": "https://example.com/t.json"}`) + "]")},
			1, []want{{diag.Warning, "a.json", 2, 25, "The linked template https://example.com/t.json is remote and was not fetched"}}, 1},
		{"a remote linked template's SAS token is not quoted in the warning",
			[]string{"a.json", template(`"resources": [` + linkTo("remote", `{"uri": "https://example.com/t.json?sv=2022&sig=Zx9SasSecret%3D"}`) + "]")},
			1, []want{{diag.Warning, "a.json", 2, 25, "The linked template https://example.com/t.json?sv=2022&sig=<redacted> is remote and was not fetched"}}, 1},
		{"a template spec is a warning at its id",
			[]string{"a.json", template(`"resources": [` + linkTo("spec", `{"id": "/subscriptions/x/resourceGroups/y/providers/Microsoft.Resources/templateSpecs/apim/versions/1.0"}`) + "]")},
			1, []want{{diag.Warning, "a.json", 2, 24, "The linked template spec /subscriptions/x/resourceGroups/y/providers/Microsoft.Resources/templateSpecs/apim/versions/1.0 was not fetched"}}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			paths := writeFiles(t, tt.files...)
			rs, diags := arm.Load(paths[:1], arm.Options{})
			if len(rs) != tt.resources {
				t.Errorf("got %d resources, want %d: %v", len(rs), tt.resources, rs)
			}
			unevaluated := 0
			for _, r := range rs {
				if v, ok := r.Get("properties.template"); ok && resource.IsUnknown(v) {
					unevaluated++
				}
			}
			if unevaluated != tt.unevaluated {
				t.Errorf("%d deployments show their template as unknown, want %d", unevaluated, tt.unevaluated)
			}
			if len(diags) != len(tt.diags) {
				t.Fatalf("got diagnostics %v, want %d", diags, len(tt.diags))
			}
			for i, w := range tt.diags {
				d := diags[i]
				if d.Severity != w.severity || d.Summary != w.summary || !strings.HasSuffix(d.Range.Filename, "/"+path.Clean(w.file)) ||
					d.Range.Start.Line != w.line || d.Range.Start.Column != w.col {
					t.Errorf("got %s: %s %q, want %s:%d:%d: %s %q", d.Range, d.Severity, d.Summary, w.file, w.line, w.col, w.severity, w.summary)
				}
				// Templates lensix does not read leave resources unchecked; errors already fail the scan.
				if d.Unchecked != (d.Severity == diag.Warning) {
					t.Errorf("%s: unchecked = %v", d.Summary, d.Unchecked)
				}
				if !strings.Contains(d.Detail, "not") {
					t.Errorf("the detail %q does not say what lensix left out", d.Detail)
				}
			}
		})
	}
}

func TestTemplatesLinkedFromARootAreNotScannedOnTheirOwn(t *testing.T) {
	leaf := template(`"resources": [{"type": "Microsoft.ApiManagement/service", "apiVersion": "2022-08-01", "name": "leaf", "location": "w", "properties": {}}]`)
	tests := []struct {
		name  string
		files []string // name, content pairs; all are scanned
		// want lists the addresses of the resources named leaf, in order.
		want []string
	}{
		{"a template linked one link deep is reported only as deployed by its parent",
			[]string{
				"a.json", template(`"resources": [` + linkTo("toLeaf", `{"relativePath": "leaf.json"}`) + "]"),
				"leaf.json", leaf,
			},
			[]string{"toLeaf > leaf"}},
		{"a template linked two links deep is reported only as deployed through its parents",
			[]string{
				"a.json", template(`"resources": [` + linkTo("one", `{"relativePath": "nested/a.json"}`) + ",\n" +
					linkTo("two", `{"relativePath": "nested/a.json"}`) + ",\n" + linkTo("three", `{"relativePath": "./nested/../b.json"}`) + "]"),
				"nested/a.json", template(`"resources": [` + linkTo("inner", `{"relativePath": "leaf.json"}`) + "]"),
				"b.json", template(`"resources": [` + linkTo("toLeaf", `{"relativePath": "nested/leaf.json"}`) + "]"),
				"nested/leaf.json", leaf,
			},
			[]string{"one > inner > leaf", "two > inner > leaf", "three > toLeaf > leaf"}},
		{"a template linked three links deep is reported only as deployed through its parents",
			[]string{
				"a.json", template(`"resources": [` + linkTo("toB", `{"relativePath": "b.json"}`) + "]"),
				"b.json", template(`"resources": [` + linkTo("toC", `{"relativePath": "c.json"}`) + "]"),
				"c.json", template(`"resources": [` + linkTo("toLeaf", `{"relativePath": "leaf.json"}`) + "]"),
				"leaf.json", leaf,
			},
			[]string{"toB > toC > toLeaf > leaf"}},
		{"a template that links only to itself stays a root",
			[]string{"leaf.json", template(`"resources": [{"type": "Microsoft.ApiManagement/service", "apiVersion": "2022-08-01", "name": "leaf", "location": "w", "properties": {}},
` + linkTo("self", `{"relativePath": "leaf.json"}`) + "]")},
			[]string{"leaf"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs, _ := arm.Load(writeFiles(t, tt.files...), arm.Options{})
			var got []string
			for _, r := range rs {
				if r.Name == "leaf" {
					got = append(got, r.Provenance.Address)
				}
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got leaf at %q, want %q", got, tt.want)
			}
		})
	}
}
