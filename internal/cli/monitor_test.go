package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lensix/lensix/internal/monitor"
	"github.com/lensix/lensix/internal/store"
)

func TestMonitorOnceRecordsAScanOfEachTarget(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "lensix-monitor.yaml")
	os.WriteFile(cfg, []byte(`store: history.db
defaults: {schedule: 1h}
targets:
  - name: one
    paths: ["."]
  - name: two
    paths: ["."]
    schedule: "*/5 * * * *"
notify:
  channels: [{type: stdout}]
`), 0o644)
	if code, _, errOut := run(t, "monitor", "--config", cfg, "--once"); code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	st, err := store.OpenSQLite(context.Background(), filepath.Join(dir, "history.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	scans, _ := st.Scans(context.Background(), "", 0)
	if len(scans) != 2 {
		t.Errorf("recorded %d scans, want one per target", len(scans))
	}
}

func TestMonitorConfigErrors(t *testing.T) {
	tests := []struct {
		name, config, want string
	}{
		{"a config without targets is refused", "store: x.db\n", "no targets"},
		{"a misspelt key is refused", "targetz: []\n", "targetz"},
		{"a target with both paths and subscriptions is refused", "targets: [{name: a, paths: [.], subscriptions: [s], schedule: 1h}]", "exactly one"},
		{"a bad cron expression names the field", "targets: [{name: a, paths: [.], schedule: '* * 32 * *'}]", "day-of-month"},
		{"a target without any schedule is refused", "targets: [{name: a, paths: [.]}]", "no schedule"},
		{"two targets with one name are refused", "defaults: {schedule: 1h}\ntargets: [{name: a, paths: [.]}, {name: a, paths: [.]}]", "another target"},
		{"an unknown channel type is refused", "defaults: {schedule: 1h}\ntargets: [{name: a, paths: [.]}]\nnotify: {channels: [{type: pager}]}", "pager"},
		{"a webhook without a URL is refused", "defaults: {schedule: 1h}\ntargets: [{name: a, paths: [.]}]\nnotify: {channels: [{type: webhook}]}", "url"},
		{"a bad jitter names its line", "defaults: {schedule: 1h, jitter: soon}\ntargets: [{name: a, paths: [.]}]", "line 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := monitor.ParseConfig([]byte(tt.config))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseConfig = %v; want an error mentioning %q", err, tt.want)
			}
		})
	}
}

func TestMonitorConfigKeysAreHyphenatedAsInLensixYAML(t *testing.T) {
	cfg, err := monitor.ParseConfig([]byte(`token-env: T
skip-checks: [apimgmt_nomanagedidentity]
suppressions-file: .lensix.yaml
azure: {client-id: c, arm-endpoint: https://arm, authority-host: https://login, no-resource-graph: true}
targets: [{name: a, management-groups: [mg], schedule: 1h}]
notify: {channels: [{type: webhook, url-env: U, secret-env: S}]}
`))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.TokenEnv != "T" || len(cfg.SkipChecks) != 1 || cfg.SuppressionsFile == "" || cfg.Azure.ClientID != "c" || !cfg.Azure.NoResourceGraph ||
		len(cfg.Targets[0].ManagementGroups) != 1 || cfg.Notify.Channels[0].SecretEnv != "S" {
		t.Errorf("hyphenated keys were not all read: %+v", cfg)
	}
	if _, err := monitor.ParseConfig([]byte("skip_checks: []\ndefaults: {schedule: 1h}\ntargets: [{name: a, paths: [.]}]\n")); err == nil || !strings.Contains(err.Error(), "skip_checks") {
		t.Errorf("the underscore spelling skip_checks was accepted (%v); the config spells keys as .lensix.yaml does", err)
	}
}

func TestMonitorRefusesAPublicAddressWithoutAToken(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "m.yaml")
	os.WriteFile(cfg, []byte("listen: 0.0.0.0:0\ndefaults: {schedule: 1h}\ntargets: [{name: a, paths: [.]}]\n"), 0o644)
	code, _, errOut := run(t, "monitor", "--config", cfg)
	if code != ExitUsage || !strings.Contains(errOut, "bearer token") {
		t.Errorf("exit %d, stderr %q; want a usage error asking for a token", code, errOut)
	}
}

func TestExampleMonitorConfigParses(t *testing.T) {
	cfg, err := monitor.LoadConfig(filepath.Join("..", "..", "examples", "lensix-monitor.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cfg.BuildTargets(); err != nil {
		t.Fatal(err)
	}
}

func TestMonitorDemoScansLiveTargetsInArmsim(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "m.yaml")
	os.WriteFile(cfg, []byte(`store: h.db
targets:
  - name: production
    subscriptions: ["000007ea-0000-4000-8000-000000000001"]
    schedule: 1m
notify: {channels: [{type: stdout}]}
`), 0o644)
	code, out, errOut := run(t, "monitor", "--config", cfg, "--demo", "--once")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	st, err := store.OpenSQLite(context.Background(), filepath.Join(dir, "h.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	scans, _ := st.Scans(context.Background(), "production", 1)
	if len(scans) != 1 || scans[0].Status != store.Complete || scans[0].Resources == 0 || scans[0].Failing == 0 {
		t.Fatalf("scans = %+v; want one complete scan of the demo subscription with failures", scans)
	}
	if got := strings.Count(out, `"kind":"new"`); got != scans[0].Failing {
		t.Errorf("%d new-failure notifications on stdout, want one per failing service (%d)", got, scans[0].Failing)
	}
}
