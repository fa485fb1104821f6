// Package suppress applies the user's decisions to findings: inline comments recorded by the
// sources, and the rules of a .lensix.yaml file (checks to run or skip, paths to exclude,
// suppressions with a reason and an optional expiry date).
package suppress

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/lensix/lensix/internal/resource"
)

// Config is the content of a .lensix.yaml file.
type Config struct {
	// Checks lists the checks to run; empty means all.
	Checks []string `yaml:"checks"`
	// SkipChecks lists checks not to run.
	SkipChecks []string `yaml:"skip-checks"`
	// ExcludePaths are glob patterns (`*` within a path segment, `**` across segments) of files
	// and folders not to scan, relative to the directory lensix runs in.
	ExcludePaths []string `yaml:"exclude-paths"`
	// Suppressions silence a check for matching resources.
	Suppressions []Rule `yaml:"suppressions"`
	// Policies are files or folders of Azure Policy definitions run beside the built-in checks,
	// relative to the config file's folder.
	Policies []string `yaml:"policies"`
	// Deployment is where the ARM templates and Bicep files are deployed; the CLI checks the
	// values, and its flags override them.
	Deployment Deployment `yaml:"deployment"`

	// File is where the config was read from, for messages.
	File string `yaml:"-"`
}

// Deployment is the deployment: section, the scope IaC templates are evaluated for.
type Deployment struct {
	// Scope is an ARM scope ID: /subscriptions/<guid>[/resourceGroups/<name>],
	// /providers/Microsoft.Management/managementGroups/<id>, or / for the tenant.
	Scope string `yaml:"scope"`
	// Location is what resourceGroup().location (or, above a resource group, deployment().location) answers.
	Location string `yaml:"location"`
	// TenantID is what subscription().tenantId and tenant().tenantId answer.
	TenantID string `yaml:"tenant-id"`
	// Name is what deployment().name answers.
	Name string `yaml:"name"`
}

// Rule suppresses a check's failing or unknown results for the resources it matches.
type Rule struct {
	// Check is the check ID, or "*" for every check.
	Check string `yaml:"check"`
	// Resource is a glob matched against a resource's address, name and ID (any of them).
	Resource string `yaml:"resource"`
	// Reason is required: a suppression nobody can explain is a finding waiting to happen.
	Reason string `yaml:"reason"`
	// Expires (YYYY-MM-DD) is the last day the rule applies; after it the finding returns.
	Expires string `yaml:"expires"`

	expires time.Time
	pattern *regexp.Regexp
	at      resource.Pos // of the entry in File, for messages; zero when unknown
}

// DefaultFile is the config file lensix looks for when none is named.
const DefaultFile = ".lensix.yaml"

// Load reads a config file. A missing file is an error only when the user named it.
func Load(file string, named bool) (*Config, error) {
	data, err := os.ReadFile(file)
	if errors.Is(err, os.ErrNotExist) && !named {
		return &Config{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	return Parse(file, data)
}

// Parse reads a config from data; file names it in errors.
func Parse(file string, data []byte) (*Config, error) {
	cfg := &Config{File: file}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(cfg); err != nil && !errors.Is(err, io.EOF) { // an empty file is an empty config
		return nil, fmt.Errorf("%s: %w (see docs/configuration.md)", file, err)
	}
	cfg.File = file
	cfg.lineSuppressions(data)
	for i, p := range cfg.Policies {
		if !filepath.IsAbs(p) {
			cfg.Policies[i] = filepath.Join(filepath.Dir(file), p)
		}
	}
	for i := range cfg.Suppressions {
		r := &cfg.Suppressions[i]
		where := fmt.Sprintf("%s: suppressions[%d]", file, i)
		if r.Check == "" || r.Resource == "" {
			return nil, fmt.Errorf("%s: needs both `check` and `resource`", where)
		}
		if strings.TrimSpace(r.Reason) == "" {
			return nil, fmt.Errorf("%s: needs a `reason` saying why the finding does not apply", where)
		}
		if r.Expires != "" {
			t, err := time.Parse("2006-01-02", r.Expires)
			if err != nil {
				return nil, fmt.Errorf("%s: expires %q is not a date like 2027-01-31", where, r.Expires)
			}
			r.expires = t
		}
		r.pattern = globRegexp(r.Resource, false)
	}
	for _, p := range cfg.ExcludePaths {
		if _, err := path.Match(strings.ReplaceAll(p, "**", "*"), ""); err != nil {
			return nil, fmt.Errorf("%s: exclude-paths: bad pattern %q: %w", file, p, err)
		}
	}
	return cfg, nil
}

// Excluded reports whether the slash-separated path p matches an exclude-paths pattern, itself or
// through one of its parent folders.
func (c *Config) Excluded(p string) bool {
	p = strings.TrimPrefix(path.Clean(p), "./")
	for _, pattern := range c.ExcludePaths {
		re := globRegexp(strings.TrimPrefix(strings.TrimSuffix(pattern, "/"), "./"), true)
		for q := p; q != "." && q != "/" && q != ""; q = path.Dir(q) {
			if re.MatchString(q) {
				return true
			}
		}
	}
	return false
}

// globRegexp turns a glob into an anchored regexp: `**` matches across `/`, `*` and `?` do not
// when segments is true (paths), and match anything when it is false (addresses contain `/`
// only inside IDs, where `*` spanning them is what users mean).
func globRegexp(glob string, segments bool) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("^")
	for i := 0; i < len(glob); i++ {
		switch c := glob[i]; {
		case c == '*' && i+1 < len(glob) && glob[i+1] == '*':
			b.WriteString(".*")
			i++
		case c == '*' && segments:
			b.WriteString("[^/]*")
		case c == '*':
			b.WriteString(".*")
		case c == '?' && segments:
			b.WriteString("[^/]")
		case c == '?':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString("$")
	flags := ""
	if !segments {
		flags = "(?i)" // resource IDs and names compare without case in Azure
	}
	return regexp.MustCompile(flags + b.String())
}

// lineSuppressions records the position of each suppressions entry, so warnings about one can point
// at it; Decode has already rejected a file this cannot read.
func (c *Config) lineSuppressions(data []byte) {
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return
	}
	top := doc.Content[0].Content
	for i := 0; i+1 < len(top); i += 2 {
		if top[i].Value != "suppressions" {
			continue
		}
		for j, entry := range top[i+1].Content {
			if j < len(c.Suppressions) {
				c.Suppressions[j].at = resource.Pos{Line: entry.Line, Column: entry.Column}
			}
		}
	}
}
