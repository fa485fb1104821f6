package policy

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"fmt"
	"strings"
	"sync"
)

// aliasData is the alias table shipped in the binary: "<type>\t<alias>\t<default path>" lines,
// gzipped; aliases/gen.go derives it from the corpus's alias data (Get-AzPolicyAlias output).
//
//go:embed aliases/aliases.tsv.gz
var aliasData []byte

// Aliases maps Azure Policy alias names to the ARM property paths they read, per resource type:
// one alias name can read different paths on different types.
type Aliases struct {
	byType map[string]map[string]path // lower-case type → lower-case alias → path
	known  map[string]bool            // lower-case alias names of every type
	types  int
}

// BuiltinAliases returns the alias table shipped in the binary. It is parsed once, then only read.
var BuiltinAliases = sync.OnceValue(func() *Aliases {
	a, err := parseAliases(aliasData)
	if err != nil {
		panic(fmt.Sprintf("the embedded alias table is corrupt: %v", err)) // a build error, caught by any test
	}
	return a
})

func parseAliases(gz []byte) (*Aliases, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, err
	}
	a := &Aliases{byType: map[string]map[string]path{}, known: map[string]bool{}}
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for line := 1; sc.Scan(); line++ {
		text := sc.Text()
		if strings.HasPrefix(text, "#") || text == "" {
			continue
		}
		fields := strings.Split(text, "\t")
		if len(fields) != 3 {
			return nil, fmt.Errorf("line %d: want 3 tab-separated fields, found %d", line, len(fields))
		}
		p, err := parsePath(fields[2])
		if err != nil {
			return nil, fmt.Errorf("line %d: alias %s: %w", line, fields[1], err)
		}
		t := strings.ToLower(fields[0])
		if a.byType[t] == nil {
			a.byType[t] = map[string]path{}
			a.types++
		}
		name := strings.ToLower(fields[1])
		a.byType[t][name] = p
		a.known[name] = true
	}
	return a, sc.Err()
}

// Len returns the number of resource types the table covers.
func (a *Aliases) Len() int { return a.types }

// Known reports whether any resource type has the alias.
func (a *Aliases) Known(name string) bool { return a.known[strings.ToLower(name)] }

// completeNamespaces are the resource providers whose aliases the table holds in full (the
// corpus copied them whole); for the others it holds only some resource types.
var completeNamespaces = map[string]bool{
	"microsoft.apimanagement": true, "microsoft.web": true, "microsoft.app": true, "microsoft.logic": true,
	"microsoft.datafactory": true, "microsoft.keyvault": true, "microsoft.storage": true, "microsoft.cognitiveservices": true,
}

// Covers reports whether the table holds every alias of the alias's resource provider, so that
// a name missing from it is known not to exist.
func (a *Aliases) Covers(name string) bool {
	return completeNamespaces[namespaceOf(strings.ToLower(name))]
}

// lookup resolves an alias on a resource type. Without a path, absent is true when the alias
// certainly does not apply to the type (an alias of another type), and false when lensix lacks
// the data to tell.
func (a *Aliases) lookup(resourceType, name string) (p path, ok, absent bool) {
	if p, ok := a.Path(resourceType, name); ok {
		return p, true, false
	}
	if completeNamespaces[namespaceOf(strings.ToLower(resourceType))] {
		return nil, false, true
	}
	_, typeKnown := a.byType[strings.ToLower(resourceType)]
	sameNamespace := strings.EqualFold(namespaceOf(resourceType), namespaceOf(name))
	if !typeKnown && sameNamespace {
		return nil, false, false // the type's aliases are not in the table
	}
	return nil, false, a.Known(name) || a.Covers(name)
}

func namespaceOf(name string) string {
	if i := strings.IndexByte(name, '/'); i >= 0 {
		return name[:i]
	}
	return name
}

// Path returns the property path the alias reads on resources of the given type.
func (a *Aliases) Path(resourceType, name string) (path, bool) {
	p, ok := a.byType[strings.ToLower(resourceType)][strings.ToLower(name)]
	return p, ok
}

// path is a parsed property path: "properties.logs[*].retentionPolicy.days".
type path []step

// step is one property name, or "[*]": every element of an array.
type step struct {
	key      string
	wildcard bool
}

// hasWildcard reports whether the path expands an array.
func (p path) hasWildcard() bool {
	for _, s := range p {
		if s.wildcard {
			return true
		}
	}
	return false
}

// parsePath reads a dotted path with [*] wildcards and ['key'] or [key] subscripts, as in alias
// paths and the field names tags['cost-center'], tags[env] and tags.env.
func parsePath(s string) (path, error) {
	var p path
	i := 0
	for i < len(s) {
		switch s[i] {
		case '.':
			i++
			if i >= len(s) || s[i] == '.' || s[i] == '[' {
				return nil, fmt.Errorf("path %q has an empty property name", s)
			}
		case '[':
			end := strings.IndexByte(s[i:], ']')
			if end < 0 {
				return nil, fmt.Errorf("path %q has an unclosed '['", s)
			}
			inner := s[i+1 : i+end]
			if inner == "*" {
				p = append(p, step{wildcard: true})
			} else {
				// Keys may themselves contain brackets' neighbours; quotes are optional.
				if len(inner) >= 2 && inner[0] == '\'' && inner[len(inner)-1] == '\'' {
					inner = inner[1 : len(inner)-1]
				}
				if inner == "" {
					return nil, fmt.Errorf("path %q has an empty subscript", s)
				}
				p = append(p, step{key: inner})
			}
			i += end + 1
		default:
			end := strings.IndexAny(s[i:], ".[")
			if end < 0 {
				end = len(s) - i
			}
			p = append(p, step{key: s[i : i+end]})
			i += end
		}
	}
	if len(p) == 0 {
		return nil, fmt.Errorf("empty path")
	}
	return p, nil
}
