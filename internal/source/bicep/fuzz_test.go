package bicep

import (
	"testing"

	"github.com/lensix/lensix/internal/corpus"
)

// FuzzEvaluate checks that evaluating any parsed input ends without a panic.
func FuzzEvaluate(f *testing.F) {
	for _, seed := range []string{
		"resource r 'T@v' = {\n name: 'x'\n resource c 'd' = {\n  name: 'y'\n }\n}",
		"var a = [for (x, i) in range(0, 3): if (i > 0) x]\noutput o array = a",
		"func f(x int) int => f(x)\nvar v = f(1)\nresource r 'T@v' = {\n name: '${v}'\n}",
		"param p object\nresource r 'T@v' = [for x in p.items: {\n name: x\n parent: r\n}]",
		// Bicep's own functions with missing or wrong arguments (loadTextContent() crashed).
		"var a = loadTextContent()\nvar b = sys.loadJsonContent(1, 2, 3)\nvar c = loadFileAsBase64(null)\nvar d = loadYamlContent()\nvar e = any()\nvar f = nameof()\nvar g = getSecret()\nresource r 'T@v' = {\n name: 'r'\n properties: { a: a, b: b, c: c, d: d, e: e, f: f, g: g }\n}",
		"resource a 'T@v' = {\n name: 'x'\n identity: {\n",
		"var a = 1\nvar a = 2\nresource x 'T@v' = {\n name: 'x'\n resource c 'd' = {\n  name: 'c'\n }\n resource c 'd' = {}\n}\nresource x 'T@v' = {}",
		"@secure()\nparam s object = { a: ['x', { b: 'y' }] }\nresource r 'T@v' = {\n name: s.a[0]\n}",
		// User-defined types: secure ones, properties, and types that name each other.
		"@secure()\ntype k = string\ntype o = {\n @secure()\n p: string\n q: k[]\n *: o\n}\ntype u = u | o\nparam x u = { p: 'a', q: ['b'], r: { p: 'c' } }\noutput y o = x\nresource r 'T@v' = {\n name: x.p\n}",
		// Switched off by defaults, evaluated again without them.
		"param on bool = false\nparam xs array = []\nvar v = on && w\nvar w = v\nresource r 'T@v' = if (v) {\n name: 'r'\n}\nresource s 'T@v' = [for x in xs: {\n name: x\n}]\nmodule m 'm.bicep' = if (on) {\n name: 'm'\n}",
	} {
		f.Add([]byte(seed))
	}
	corpus.AddSeeds(f, "bicep-baselines/*/*/main.bicep")
	f.Fuzz(func(t *testing.T, src []byte) {
		l := &loader{files: map[string]*sourceFile{}}
		file := l.parse("fuzz.bicep", src)
		l.files[file.path] = file
		l.newDeployment(file, nil, "", nil).run()
	})
}
