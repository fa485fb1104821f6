package check

import (
	"fmt"
	"sort"
	"strings"
)

// registry holds the built-in checks by lower-case ID. It is filled by init functions in internal/checks/... and
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
	key := strings.ToLower(c.ID)
	if _, dup := registry[key]; dup {
		panic(fmt.Sprintf("check %q registered twice", c.ID))
	}
	c.BuiltIn = true
	registry[key] = c
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

// Lookup returns the check with the given ID, in any case (APIMGMT_NoManagedIdentity finds
// apimgmt_nomanagedidentity).
func Lookup(id string) (*Check, bool) {
	c, ok := registry[strings.ToLower(strings.TrimSpace(id))]
	return c, ok
}

// Select returns the checks to run: those named in include (all when empty), less those in
// exclude, IDs in any case. An unknown ID is an error that names it.
func Select(include, exclude []string) ([]*Check, error) {
	ids := func(list []string) (map[string]bool, error) {
		set := map[string]bool{}
		for _, id := range list {
			c, ok := Lookup(id)
			if !ok {
				return nil, fmt.Errorf("unknown check %q (run `lensix checks` to list them)", id)
			}
			set[c.ID] = true
		}
		return set, nil
	}
	want, err := ids(include)
	if err != nil {
		return nil, err
	}
	skip, err := ids(exclude)
	if err != nil {
		return nil, err
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

// ResourceTypes lists the ARM types the checks judge, each once (compared without case), sorted:
// what a live scan must read for them.
func ResourceTypes(checks []*Check) []string {
	seen := map[string]bool{}
	var out []string
	for _, c := range checks {
		for _, t := range c.ResourceTypes {
			if k := strings.ToLower(t); !seen[k] {
				seen[k] = true
				out = append(out, t)
			}
		}
	}
	sort.Strings(out)
	return out
}
