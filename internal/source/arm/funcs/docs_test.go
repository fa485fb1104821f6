package funcs

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestDocsListEveryFunction keeps the function table of docs/templates.md and the library in step:
// every function the library knows is listed there, and every function listed is known.
func TestDocsListEveryFunction(t *testing.T) {
	src, err := os.ReadFile("../../../../docs/templates.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(src), "\n## Functions\n")
	if !ok {
		t.Fatal("docs/templates.md has no Functions section")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	listed := map[string]bool{}
	for _, m := range regexp.MustCompile("`([a-zA-Z0-9]+\\*?)`").FindAllStringSubmatch(section, -1) {
		listed[strings.ToLower(m[1])] = true
	}
	// Evaluated by the front ends rather than the library.
	byFrontEnds := map[string]bool{"lambda": true, "lambdavariables": true, "list*": true}
	for name := range library {
		if !listed[name] {
			t.Errorf("%s is a template function but docs/templates.md does not list it", name)
		}
	}
	for name := range listed {
		if _, ok := library[name]; !ok && !byFrontEnds[name] {
			t.Errorf("docs/templates.md lists %s, which is no template function", name)
		}
	}
}
