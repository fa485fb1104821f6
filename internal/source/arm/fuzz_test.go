package arm

import (
	"strings"
	"testing"

	"github.com/lensix/lensix/internal/source/arm/funcs"
)

// FuzzEvaluate feeds arbitrary templates through the reader and the evaluator: whatever the
// input, evaluation ends with resources and diagnostics, never a panic.
func FuzzEvaluate(f *testing.F) {
	for _, seed := range []string{
		`{"contentVersion": "1.0.0.0", "resources": [{"type": "A.B/c", "name": "[concat('a', parameters('p'))]"}], "parameters": {"p": {"defaultValue": "[variables('v')]"}}, "variables": {"v": "[parameters('p')]"}}`,
		`{"contentVersion": "1.0.0.0", "resources": [{"type": "A.B/c", "name": "x", "copy": {"name": "l", "count": "[length(variables('a'))]"}, "resources": [{"type": "d", "name": "[string(copyIndex())]"}]}], "variables": {"a": [1, 2], "copy": [{"name": "c", "count": 2, "input": "[copyIndex('c')]"}]}}`,
		`{"contentVersion": "1.0.0.0", "languageVersion": "2.0", "resources": {"s": {"type": "Microsoft.Resources/deployments", "name": "n", "properties": {"template": {"resources": [{"type": "A.B/c", "name": "[variables('x')]"}]}}}}, "variables": {"x": "[map(range(0, 3), lambda('i', lambdaVariables('i')))]"}}`,
		`{"contentVersion": "1.0.0.0", "resources": [{"type": "A.B/c", "name": "[if(true(), 'a', nosuch())]", "properties": {"copy": [{"name": "p", "count": 800, "input": "[copyIndex('p')]"}]}}]}`,
		`{"contentVersion": "1.0.0.0", "resources": [{"type": "Microsoft.Resources/deployments", "name": "self", "copy": {"name": "l", "count": 3}, "properties": {"templateLink": {"relativePath": "fuzz.json"}}}]}`,
		`{"contentVersion": "1.0.0.0", "resources": [{"type": "Microsoft.Resources/deployments", "name": "[concat('d', copyIndex())]", "copy": {"name": "d", "count": 800}, "properties": {"expressionEvaluationOptions": {"scope": "inner"}, "template": {"contentVersion": "1.0.0.0", "resources": [{"type": "A.B/c", "name": "[concat('i', copyIndex())]", "copy": {"name": "i", "count": 800}}]}}}]}`,
		// Switched off by defaults (evaluated again without them), and structural mistakes.
		`{"contentVersion": "1.0.0.0", "parameters": {"on": {"type": "bool", "defaultValue": false}, "n": {"type": "int", "defaultValue": 0}}, "variables": {"v": "[and(parameters('on'), variables('w'))]", "w": "[variables('v')]"}, "resources": [{"condition": "[variables('v')]", "type": "Microsoft.Resources/deployments", "name": "d", "properties": {"template": {"parameters": {"r": {"$ref": "#/definitions/t"}}, "definitions": {"t": {"$ref": "#/definitions/t"}}, "resources": [{"type": "A.B/c", "name": "x", "resources": [{"type": "e", "name": "y"}]}]}}}, {"type": "A.B/c", "name": "a/b", "copy": {"name": "l", "count": "[parameters('n')]"}}, {"type": "a.b/C", "name": "A/B"}, {"type": 5, "name": "z"}]}`,
		// reference() to declared resources: forward, cyclic, by symbol, name, ID and loop copy.
		`{"contentVersion": "1.0.0.0", "resources": [{"type": "A.B/c", "name": "a", "properties": {"x": "[reference(resourceId('A.B/c', 'b')).y]"}}, {"type": "A.B/c", "name": "b", "properties": {"y": "[reference('a', '1', 'Full').properties.x]"}}, {"type": "A.B/c", "name": "[concat('l', copyIndex())]", "copy": {"name": "l", "count": 2}, "properties": {"z": "[reference(concat('l', sub(1, copyIndex()))).z]"}}, {"type": "A.B/c", "name": "d", "properties": {"i": "[reference('/subscriptions/s/resourceGroups/g/providers/A.B/c/a').x]"}}]}`,
		`{"contentVersion": "1.0.0.0", "languageVersion": "2.0", "resources": {"s": {"type": "A.B/c", "name": "s", "properties": {"v": "[reference(format('t[{0}]', 0)).w]"}}, "t": {"type": "A.B/c", "name": "[string(copyIndex())]", "copy": {"name": "t", "count": 1}, "properties": {"w": "[reference('s').v]"}}}}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		l := newLoader()
		file := l.parse("fuzz.json", src)
		if file == nil || detect(file.root) != Template {
			return
		}
		l.files["fuzz.json"] = file
		l.newDeployment(file, file.root, funcs.Scope{}, "", nil, nil).run()
	})
}

// FuzzClassify feeds arbitrary files to Classify: whatever the input, it names a kind and at
// most one diagnostic placed inside the file, never a panic.
func FuzzClassify(f *testing.F) {
	for _, seed := range []string{
		`{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "resources": [ {"type": "Microsoft.ApiManagement/service", "name": "x",, } ] }`,
		`{ "resources": [ { "type": "Microsoft.ApiManagement/service", `,
		"\xEF\xBB\xBF  \n",
		"{\n  // comment\n  \"a\": 1\n}",
	} {
		f.Add("azuredeploy.json", []byte(seed))
	}
	f.Fuzz(func(t *testing.T, name string, src []byte) {
		_, d := Classify(name, src)
		if d != nil && d.Range.Start.Byte > len(src) {
			t.Errorf("diagnostic at byte %d of a %d-byte file", d.Range.Start.Byte, len(src))
		}
	})
}

// FuzzParameters feeds an arbitrary template and parameters file through the parameters reader,
// the type definitions ($ref) and the checks of given values: never a panic, never a hang.
func FuzzParameters(f *testing.F) {
	f.Add([]byte(`{"contentVersion": "1.0.0.0", "languageVersion": "2.0", "definitions": {"a": {"$ref": "#/definitions/b"}, "b": {"$ref": "#/definitions/a", "nullable": true}, "s": {"type": "object", "properties": {"p": {"type": "securestring"}}, "additionalProperties": {"$ref": "#/definitions/s"}}},
		"parameters": {"x": {"$ref": "#/definitions/a"}, "o": {"$ref": "#/definitions/s"}, "n": {"type": "int", "minValue": 1, "maxLength": 2, "allowedValues": [1, "A"]}}, "resources": {"r": {"type": "A.B/c", "name": "[string(parameters('o'))]"}}}`),
		[]byte(`{"x": {"value": 1}, "o": {"value": {"p": "s", "q": {"p": ["t"]}}}, "n": {"value": "a"}, "zz": {"reference": {}}}`))
	f.Add([]byte(`{"contentVersion": "1.0.0.0", "parameters": {"p": {"$ref": "#/definitions/x~1y/items/0"}}, "definitions": {"x/y": {"items": [{"type": "securestring"}]}}, "resources": []}`),
		[]byte(`{"parameters": {"P": {"value": [["deep"]]}}}`))
	f.Fuzz(func(t *testing.T, tmpl, params []byte) {
		l := newLoader()
		file := l.parse("fuzz.json", tmpl)
		pf := l.parse("fuzz.parameters.json", params)
		if file == nil || pf == nil || detect(file.root) != Template {
			return
		}
		l.files["fuzz.json"] = file
		supplied := map[string]suppliedParam{}
		for _, p := range l.parameterValues(pf) {
			supplied[strings.ToLower(p.name)] = p
		}
		l.newDeployment(file, file.root, funcs.Scope{}, "", supplied, nil).run()
	})
}
