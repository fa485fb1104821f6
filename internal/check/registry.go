package check

import (
	"fmt"
	"sort"
)

// registry holds the built-in checks. It is filled by init functions in internal/checks/... and
// only read afterwards: the one piece of package-level state the house rules allow.
var registry = map[string]*Check{}

// Register adds a built-in check. It panics on a duplicate or malformed ID, which is a programming
// error caught by the first test run.
func Register(c *Check) {
	if c.ID == "" || c.Evaluate == nil || len(c.ResourceTypes) == 0 {
		panic(fmt.Sprintf("check %q: ID, ResourceTypes and Evaluate are required", c.ID))
	}
	if _, err := c.RenderFix(Target{}); err != nil {
		panic(err.Error())
	}
	if _, dup := registry[c.ID]; dup {
		panic(fmt.Sprintf("check %q registered twice", c.ID))
	}
	registry[c.ID] = c
}

// All returns the registered checks sorted by ID.
func All() []*Check {
	out := make([]*Check, 0, len(registry))
	for _, c := range registry {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Lookup returns the check with the given ID.
func Lookup(id string) (*Check, bool) {
	c, ok := registry[id]
	return c, ok
}

// Select returns the checks to run: those named in include (all when empty), less those in
// exclude. An unknown ID is an error that names it.
func Select(include, exclude []string) ([]*Check, error) {
	for _, id := range append(append([]string(nil), include...), exclude...) {
		if _, ok := registry[id]; !ok {
			return nil, fmt.Errorf("unknown check %q (run `lensix checks` to list them)", id)
		}
	}
	skip := map[string]bool{}
	for _, id := range exclude {
		skip[id] = true
	}
	want := map[string]bool{}
	for _, id := range include {
		want[id] = true
	}
	var out []*Check
	for _, c := range All() {
		if skip[c.ID] || (len(want) > 0 && !want[c.ID]) {
			continue
		}
		out = append(out, c)
	}
	return out, nil
}
