package monitor

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// DefaultListen is where the dashboard and API listen unless the config says otherwise: this
// machine only.
const DefaultListen = "127.0.0.1:8484"

// Config is the content of lensix-monitor.yaml (see examples/lensix-monitor.yaml).
type Config struct {
	// Store is the SQLite history file, relative to the config file.
	Store string `yaml:"store"`
	// Retention is how long scans and state changes are kept (0: for ever).
	Retention Duration `yaml:"retention"`
	// Listen is the dashboard and API address ("" uses DefaultListen; "off" serves nothing).
	Listen string `yaml:"listen"`
	// TokenEnv names the environment variable holding the API's bearer token.
	TokenEnv string `yaml:"token-env"`
	// Checks and SkipChecks select checks as in .lensix.yaml.
	Checks     []string `yaml:"checks"`
	SkipChecks []string `yaml:"skip-checks"`
	// SuppressionsFile is a .lensix.yaml whose exclusions and suppressions every IaC scan applies.
	SuppressionsFile string `yaml:"suppressions-file"`
	// Defaults apply to targets that do not set their own schedule or jitter.
	Defaults struct {
		Schedule string   `yaml:"schedule"`
		Jitter   Duration `yaml:"jitter"`
	} `yaml:"defaults"`
	Targets []TargetConfig `yaml:"targets"`
	// Azure says how live targets sign in and which cloud they are in.
	Azure  AzureConfig `yaml:"azure"`
	Notify struct {
		Digest   Duration        `yaml:"digest"`
		Channels []ChannelConfig `yaml:"channels"`
	} `yaml:"notify"`

	// Dir is the folder of the config file; relative paths in it are relative to Dir.
	Dir string `yaml:"-"`
}

// TargetConfig is one target in the config file.
type TargetConfig struct {
	Name             string   `yaml:"name"`
	Paths            []string `yaml:"paths"`
	Subscriptions    []string `yaml:"subscriptions"`
	ManagementGroups []string `yaml:"management-groups"`
	// Schedule is an interval ("15m"), a macro ("@hourly") or a five-field cron expression (UTC).
	Schedule string   `yaml:"schedule"`
	Jitter   Duration `yaml:"jitter"`
}

// AzureConfig is how live targets reach Azure, as `lensix scan azure`'s flags say it.
type AzureConfig struct {
	Auth            string `yaml:"auth"` // "" (DefaultAzureCredential), cli, env, managed-identity, workload-identity
	Tenant          string `yaml:"tenant"`
	ClientID        string `yaml:"client-id"`
	Cloud           string `yaml:"cloud"`
	ARMEndpoint     string `yaml:"arm-endpoint"`
	AuthorityHost   string `yaml:"authority-host"`
	NoResourceGraph bool   `yaml:"no-resource-graph"`
	Concurrency     int    `yaml:"concurrency"`
}

// ChannelConfig is one notification channel. Secrets (webhook secrets, Slack and Teams URLs,
// which carry their own credential) are read from environment variables named here.
type ChannelConfig struct {
	Type      string `yaml:"type"` // webhook, slack, teams or stdout
	URL       string `yaml:"url"`
	URLEnv    string `yaml:"url-env"`
	SecretEnv string `yaml:"secret-env"`
}

// Duration is a time.Duration written as "30s" in YAML.
type Duration time.Duration

// UnmarshalYAML reads a Go duration string.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := time.ParseDuration(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %q is not a duration like 30s or 5m", n.Line, n.Value)
	}
	*d = Duration(v)
	return nil
}

// LoadConfig reads and checks a monitor config file.
func LoadConfig(file string) (*Config, error) {
	src, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("read monitor config: %w", err)
	}
	cfg, err := ParseConfig(src)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	cfg.Dir = filepath.Dir(file)
	return cfg, nil
}

// ParseConfig reads a monitor config; unknown keys are errors, so a typo is not silently ignored.
func ParseConfig(src []byte) (*Config, error) {
	var cfg Config
	dec := yaml.NewDecoder(bytes.NewReader(src))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	if len(cfg.Targets) == 0 {
		return nil, errors.New("no targets: add at least one under targets: with paths, subscriptions or management-groups")
	}
	names := map[string]bool{}
	for i, t := range cfg.Targets {
		where := fmt.Sprintf("targets[%d]", i)
		if t.Name == "" {
			return nil, fmt.Errorf("%s: name is required", where)
		}
		where += " (" + t.Name + ")"
		if names[t.Name] {
			return nil, fmt.Errorf("%s: another target has this name", where)
		}
		names[t.Name] = true
		kinds := 0
		for _, n := range []int{len(t.Paths), len(t.Subscriptions), len(t.ManagementGroups)} {
			if n > 0 {
				kinds++
			}
		}
		if kinds != 1 {
			return nil, fmt.Errorf("%s: give exactly one of paths, subscriptions or management-groups", where)
		}
		spec := t.Schedule
		if spec == "" {
			spec = cfg.Defaults.Schedule
		}
		if spec == "" {
			return nil, fmt.Errorf("%s: no schedule, and defaults.schedule is not set either", where)
		}
		s, err := ParseSchedule(spec)
		if err != nil {
			return nil, fmt.Errorf("%s: schedule: %w", where, err)
		}
		if s.Next(time.Now()).IsZero() {
			return nil, fmt.Errorf("%s: schedule %q never comes due", where, spec)
		}
	}
	if cfg.Azure.Auth == "device-code" {
		return nil, errors.New("azure.auth: device-code needs a person at the terminal; a monitor signs in with managed-identity, workload-identity, env or cli")
	}
	for i, c := range cfg.Notify.Channels {
		where := fmt.Sprintf("notify.channels[%d]", i)
		switch c.Type {
		case "webhook", "slack", "teams":
			if (c.URL == "") == (c.URLEnv == "") {
				return nil, fmt.Errorf("%s (%s): give url or url-env (url-env keeps the URL's secret out of the file)", where, c.Type)
			}
			if c.SecretEnv != "" && c.Type != "webhook" {
				return nil, fmt.Errorf("%s (%s): secret-env is for webhook channels; Slack and Teams URLs carry their own secret", where, c.Type)
			}
		case "stdout":
		default:
			return nil, fmt.Errorf("%s: type %q: want webhook, slack, teams or stdout", where, c.Type)
		}
	}
	return &cfg, nil
}

// BuildTargets builds the monitor's targets, with paths made relative to the config file's folder.
func (c *Config) BuildTargets() ([]Target, error) {
	var out []Target
	for _, tc := range c.Targets {
		spec, jitter := tc.Schedule, tc.Jitter
		if spec == "" {
			spec = c.Defaults.Schedule
		}
		if jitter == 0 {
			jitter = c.Defaults.Jitter
		}
		s, err := ParseSchedule(spec)
		if err != nil {
			return nil, err
		}
		t := Target{Name: tc.Name, Subscriptions: tc.Subscriptions, ManagementGroups: tc.ManagementGroups, Schedule: s, Jitter: time.Duration(jitter)}
		for _, p := range tc.Paths {
			t.Paths = append(t.Paths, c.Path(p))
		}
		out = append(out, t)
	}
	return out, nil
}

// Path resolves a path written in the config against the config file's folder.
func (c *Config) Path(p string) string {
	if p == "" || filepath.IsAbs(p) || c.Dir == "" {
		return p
	}
	return filepath.Join(c.Dir, p)
}

// BuildChannels makes the notification channels, reading secrets from the environment.
func (c *Config) BuildChannels(getenv func(string) string, stdout io.Writer) ([]Channel, error) {
	var out []Channel
	for i, cc := range c.Notify.Channels {
		url := cc.URL
		if cc.URLEnv != "" {
			if url = strings.TrimSpace(getenv(cc.URLEnv)); url == "" {
				return nil, fmt.Errorf("notify.channels[%d] (%s): environment variable %s is empty; set it to the webhook URL", i, cc.Type, cc.URLEnv)
			}
		}
		switch cc.Type {
		case "webhook":
			w := &Webhook{URL: url}
			if cc.SecretEnv != "" {
				secret := getenv(cc.SecretEnv)
				if secret == "" {
					return nil, fmt.Errorf("notify.channels[%d] (webhook): environment variable %s is empty; set it to the shared secret", i, cc.SecretEnv)
				}
				w.Secret = []byte(secret)
			}
			out = append(out, w)
		case "slack":
			out = append(out, &Slack{URL: url})
		case "teams":
			out = append(out, &Teams{URL: url})
		case "stdout":
			out = append(out, &Lines{W: stdout})
		}
	}
	return out, nil
}
