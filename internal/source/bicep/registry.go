package bicep

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
	"unicode"

	"github.com/lensix/lensix/internal/source/arm/funcs"
)

// registryModule finds the compiled template (main.json) of a registry module in Bicep's local
// module cache, where `bicep restore` (or any bicep build) put it: <cache>/br/<registry>/
// <repository with / as $>/<encoded tag>/main.json, the cache being ~/.bicep or the
// cacheRootDirectory of the nearest bicepconfig.json. "br/<alias>:" references are resolved
// through the moduleAliases of bicepconfig.json, and br/public through Bicep's built-in alias.
// It returns "" and why when the module is not there.
func (l *loader) registryModule(from *sourceFile, ref string) (string, string) {
	config := l.bicepConfig(path.Dir(from.path))
	var registry, repository, tag string
	switch {
	case strings.HasPrefix(ref, "br:"):
		rest := strings.TrimPrefix(ref, "br:")
		slash := strings.Index(rest, "/")
		if slash < 0 {
			return "", "the registry reference has no repository"
		}
		registry, rest = rest[:slash], rest[slash+1:]
		repository, tag, _ = strings.Cut(rest, ":")
	case strings.HasPrefix(ref, "br/"):
		alias, rest, ok := strings.Cut(strings.TrimPrefix(ref, "br/"), ":")
		if !ok {
			return "", "the registry reference has no module path"
		}
		reg, modulePath := aliasTarget(config, alias)
		if reg == "" {
			return "", fmt.Sprintf("the module alias %q is not defined in bicepconfig.json", alias)
		}
		registry = reg
		repository, tag, _ = strings.Cut(rest, ":")
		if modulePath != "" {
			repository = modulePath + "/" + repository
		}
	default:
		return "", "template specs (ts:) are not read from the cache"
	}
	if tag == "" || strings.Contains(tag, "@") {
		return "", "only tagged registry references are read from the cache"
	}
	root := ""
	if c, ok := config["cacheRootDirectory"].(string); ok && c != "" {
		root = c
	} else if home, err := os.UserHomeDir(); err == nil {
		root = filepath.Join(home, ".bicep")
	}
	if root == "" {
		return "", "no module cache directory"
	}
	main := filepath.Join(root, "br", strings.ToLower(strings.ReplaceAll(registry, ":", "$")),
		strings.ToLower(strings.ReplaceAll(repository, "/", "$")), encodeTag(tag), "main.json")
	if _, err := os.Stat(main); err != nil {
		return "", fmt.Sprintf("it is not in the local module cache (%s); run bicep restore to fetch it", filepath.ToSlash(main))
	}
	return filepath.ToSlash(main), ""
}

// aliasTarget resolves br/<alias>: to a registry and module path.
func aliasTarget(config map[string]any, alias string) (registry, modulePath string) {
	if aliases, ok := config["moduleAliases"].(map[string]any); ok {
		if br, ok := aliases["br"].(map[string]any); ok {
			if a, ok := br[alias].(map[string]any); ok {
				registry, _ = a["registry"].(string)
				modulePath, _ = a["modulePath"].(string)
				return registry, modulePath
			}
		}
	}
	if alias == "public" { // Bicep's built-in alias
		return "mcr.microsoft.com", "bicep"
	}
	return "", ""
}

// encodeTag names a tag's cache folder as Bicep does: the tag, "$", and in hexadecimal the mask
// of its upper-case letters (nothing for an all lower-case tag), so case-insensitive file systems
// keep tags apart.
func encodeTag(tag string) string {
	var mask [2]uint64 // tags have at most 128 characters
	for i, r := range []rune(tag) {
		if i < 128 && unicode.IsUpper(r) {
			mask[i/64] |= 1 << (i % 64)
		}
	}
	out := tag + "$"
	switch {
	case mask[1] != 0:
		out += fmt.Sprintf("%x%016x", mask[1], mask[0])
	case mask[0] != 0:
		out += fmt.Sprintf("%x", mask[0])
	}
	return out
}

// bicepConfig reads the nearest bicepconfig.json at or above dir (nil when there is none).
func (l *loader) bicepConfig(dir string) map[string]any {
	if l.configs == nil {
		l.configs = map[string]map[string]any{}
	}
	if c, ok := l.configs[dir]; ok {
		return c
	}
	var config map[string]any
	if data, err := readBounded(path.Join(dir, "bicepconfig.json")); err == nil {
		if v, err := funcs.ParseJSON(string(data)); err == nil {
			config, _ = v.(map[string]any)
		}
	} else if parent := path.Dir(dir); parent != dir && dir != "" && dir != "." {
		config = l.bicepConfig(parent)
	}
	l.configs[dir] = config
	return config
}
