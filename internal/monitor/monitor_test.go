package monitor

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lensix/lensix/internal/check"
	"github.com/lensix/lensix/internal/report"
	"github.com/lensix/lensix/internal/store"
)

// apimTF is a Terraform file with one API Management service; identity is its identity block.
func apimTF(identity string) string {
	return `resource "azurerm_api_management" "prod" {
  name                = "apim-prod"
  location            = "westeurope"
  resource_group_name = "rg-apim"
  publisher_name      = "Contoso"
  publisher_email     = "apim@contoso.com"
  sku_name            = "Developer_1"
` + identity + `
}
`
}

func newStore(t *testing.T) store.Store {
	st, err := store.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "monitor.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// TestDriftNotifiesEachStateChangeExactlyOnce runs the monitor's IaC scanner (the Terraform
// source and the real check) on a folder whose main.tf the test edits between scans: identity
// removed → one "new"; restored → one "resolved"; removed again → one "reopened"; scans that
// change nothing → no notification; a file that does not parse → no "resolved".
func TestDriftNotifiesEachStateChangeExactlyOnce(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "main.tf")
	write := func(src string) {
		if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	hook := newReceiver(t)
	secret := []byte("shared")
	notifier := NewNotifier([]Channel{&Webhook{URL: hook.URL, Secret: secret}}, NotifierOptions{Backoff: time.Millisecond})
	m, err := New([]Target{{Name: "infra", Paths: []string{dir}, Schedule: Every(time.Hour)}},
		Options{Store: newStore(t), IaC: IaCScanner{Checks: check.All()}, Notifier: notifier, Metrics: NewMetrics(nil)})
	if err != nil {
		t.Fatal(err)
	}
	withIdentity := apimTF("  identity {\n    type = \"SystemAssigned\"\n  }")
	withoutIdentity := apimTF("")

	steps := []struct {
		name   string
		edit   func()
		status store.ScanStatus
		kinds  string // the notifications this step must add
	}{
		{"a service with an identity notifies nothing", func() { write(withIdentity) }, store.Complete, ""},
		{"removing the identity notifies one new failure", func() { write(withoutIdentity) }, store.Complete, "new"},
		{"rescanning unchanged notifies nothing", func() {}, store.Complete, ""},
		{"a file that does not parse resolves nothing", func() { write("resource \"azurerm_api_management\" {{{ not terraform") }, store.Partial, ""},
		{"restoring the identity notifies one resolved", func() { write(withIdentity) }, store.Complete, "resolved"},
		{"rescanning the fixed service notifies nothing", func() {}, store.Complete, ""},
		{"removing the identity again notifies one reopened", func() { write(withoutIdentity) }, store.Complete, "reopened"},
		{"and again nothing for an unchanged rescan", func() {}, store.Complete, ""},
	}
	var want []string
	for _, st := range steps {
		st.edit()
		scan, _, err := m.ScanNow(context.Background(), "infra")
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if scan.Status != st.status {
			t.Fatalf("%s: scan is %s (%v), want %s", st.name, scan.Status, scan.Errors, st.status)
		}
		if st.kinds != "" {
			want = append(want, st.kinds)
		}
		// Deliveries are asynchronous: wait for the expected count, then check nothing extra came.
		waitFor(t, st.name, func() bool { b, _ := hook.received(); return len(b) >= len(want) })
		time.Sleep(20 * time.Millisecond)
		var got []string
		for _, c := range hook.signedChanges(t, secret) {
			got = append(got, string(c.Kind))
			if c.Resource.Name != "apim-prod" || c.CheckID != "apimgmt_nomanagedidentity" || c.Resource.Address != "azurerm_api_management.prod" {
				t.Errorf("notification about %+v", c)
			}
		}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Fatalf("after %q: notifications %v, want %v", st.name, got, want)
		}
	}
	notifier.Close(context.Background())
}

func TestScansOfOneTargetNeverOverlap(t *testing.T) {
	var running, maxRunning atomic.Int32
	slow := ScannerFunc(func(ctx context.Context, tg Target) (*report.Report, error) {
		n := running.Add(1)
		defer running.Add(-1)
		for {
			old := maxRunning.Load()
			if n <= old || maxRunning.CompareAndSwap(old, n) {
				break
			}
		}
		time.Sleep(20 * time.Millisecond)
		return &report.Report{}, nil
	})
	m, _ := New([]Target{{Name: "a", Paths: []string{"x"}, Schedule: Every(time.Hour)}}, Options{Store: newStore(t), IaC: slow})
	var wg sync.WaitGroup
	for i := 0; i < 5; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); m.ScanNow(context.Background(), "a") }()
	}
	wg.Wait()
	if maxRunning.Load() != 1 {
		t.Errorf("%d scans of one target ran at once", maxRunning.Load())
	}
}

func TestShutdownAbandonsALongScanAndRecordsNothing(t *testing.T) {
	started := make(chan struct{})
	stuck := ScannerFunc(func(ctx context.Context, tg Target) (*report.Report, error) {
		close(started)
		<-ctx.Done()
		return nil, ctx.Err()
	})
	st := newStore(t)
	m, _ := New([]Target{{Name: "a", Paths: []string{"x"}, Schedule: Every(time.Hour)}}, Options{Store: st, IaC: stuck, ShutdownGrace: 50 * time.Millisecond})
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- m.Run(ctx) }()
	<-started
	stop()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after the grace period")
	}
	if scans, _ := st.Scans(context.Background(), "", 0); len(scans) != 0 {
		t.Errorf("an abandoned scan was recorded: %+v", scans)
	}
}

func TestShutdownLetsAScanInFlightFinish(t *testing.T) {
	started := make(chan struct{})
	slow := ScannerFunc(func(ctx context.Context, tg Target) (*report.Report, error) {
		close(started)
		time.Sleep(50 * time.Millisecond)
		return &report.Report{}, nil
	})
	st := newStore(t)
	m, _ := New([]Target{{Name: "a", Paths: []string{"x"}, Schedule: Every(time.Hour)}}, Options{Store: st, IaC: slow, ShutdownGrace: 5 * time.Second})
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- m.Run(ctx) }()
	<-started
	stop()
	<-done
	if scans, _ := st.Scans(context.Background(), "", 0); len(scans) != 1 || scans[0].Status != store.Complete {
		t.Errorf("scans after a graceful shutdown = %+v; want the one in flight, complete", scans)
	}
}

func TestRestartResumesTheSchedule(t *testing.T) {
	st := newStore(t)
	now := time.Date(2026, 11, 26, 7, 0, 0, 0, time.UTC)
	st.RecordScan(context.Background(), store.Scan{Target: "a", StartedAt: now.Add(-10 * time.Minute), Status: store.Complete}, nil)
	m, _ := New([]Target{
		{Name: "a", Paths: []string{"x"}, Schedule: Every(time.Hour)},
		{Name: "b", Paths: []string{"x"}, Schedule: Every(time.Hour)},
	}, Options{Store: st, Now: func() time.Time { return now }})
	if due := m.firstDue(context.Background(), m.byName["a"]); !due.Equal(now.Add(50 * time.Minute)) {
		t.Errorf("a target scanned 10 minutes ago is due at %v, want %v", due, now.Add(50*time.Minute))
	}
	if due := m.firstDue(context.Background(), m.byName["b"]); !due.Equal(now) {
		t.Errorf("a target never scanned is due at %v, want now", due)
	}
}

func TestScheduleRunsAndEventsTriggerRescans(t *testing.T) {
	var scans atomic.Int32
	counting := ScannerFunc(func(ctx context.Context, tg Target) (*report.Report, error) {
		scans.Add(1)
		return &report.Report{}, nil
	})
	m, _ := New([]Target{
		{Name: "prod", Subscriptions: []string{"00000000-0000-0000-0000-000000000001"}, Schedule: Every(time.Hour)},
		{Name: "iac", Paths: []string{"x"}, Schedule: Every(time.Hour)},
	}, Options{Store: newStore(t), IaC: counting, Live: counting})
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- m.Run(ctx) }()
	waitFor(t, "the first scan of both targets", func() bool { return scans.Load() == 2 })
	names := m.Trigger("/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.ApiManagement/service/apim")
	if strings.Join(names, ",") != "prod" {
		t.Errorf("Trigger queued %v, want [prod]", names)
	}
	waitFor(t, "the event-driven rescan", func() bool { return scans.Load() == 3 })
	if names := m.Trigger("/subscriptions/other/resourceGroups/rg"); len(names) != 0 {
		t.Errorf("a resource in another subscription queued %v", names)
	}
	stop()
	<-done
}

func TestLiveTargetWithoutLiveScannerRecordsAFailedScan(t *testing.T) {
	st := newStore(t)
	m, _ := New([]Target{{Name: "prod", Subscriptions: []string{"s"}, Schedule: Every(time.Hour)}}, Options{Store: st})
	_, _, err := m.ScanNow(context.Background(), "prod")
	if err == nil || !strings.Contains(err.Error(), "live scanning") {
		t.Errorf("err = %v; want one saying live scanning is not built in", err)
	}
	scans, _ := st.Scans(context.Background(), "prod", 1)
	if len(scans) != 1 || scans[0].Status != store.Failed {
		t.Errorf("scans = %+v; want one failed scan", scans)
	}
}

func TestParseSchedule(t *testing.T) {
	from := time.Date(2026, 11, 26, 6, 7, 30, 0, time.UTC) // a Thursday
	tests := []struct {
		spec string
		want string // next due time after from, or "error"
	}{
		{"15m", "2026-11-26T06:22:30Z"},
		{"@every 1h", "2026-11-26T07:07:30Z"},
		{"*/15 * * * *", "2026-11-26T06:15:00Z"},
		{"0 * * * *", "2026-11-26T07:00:00Z"},
		{"@daily", "2026-11-27T00:00:00Z"},
		{"30 2 * * mon-fri", "2026-11-27T02:30:00Z"},
		{"0 9 * * sun", "2026-11-29T09:00:00Z"},
		{"0 9 * * 7", "2026-11-29T09:00:00Z"},
		{"0 0 1 jan *", "2027-01-01T00:00:00Z"},
		{"0 0 13 * fri", "2026-11-27T00:00:00Z"}, // either day field may match
		{"5,10 6 * * *", "2026-11-26T06:10:00Z"},
		{"0 0 29 2 *", "2028-02-29T00:00:00Z"},
		{"0 0 31 2 *", "0001-01-01T00:00:00Z"}, // never
		{"* * *", "error"},
		{"61 * * * *", "error"},
		{"*/0 * * * *", "error"},
		{"5-1 * * * *", "error"},
		{"500ms", "error"},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			s, err := ParseSchedule(tt.spec)
			if tt.want == "error" {
				if err == nil {
					t.Errorf("ParseSchedule(%q) = %v, want an error", tt.spec, s)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := s.Next(from).UTC().Format(time.RFC3339); got != tt.want {
				t.Errorf("Next = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestRunPrunesHistoryOlderThanTheRetention(t *testing.T) {
	st := newStore(t)
	old := time.Now().Add(-48 * time.Hour)
	for i := 0; i < 3; i++ {
		st.RecordScan(context.Background(), store.Scan{Target: "a", StartedAt: old.Add(time.Duration(i) * time.Minute), Status: store.Complete}, nil)
	}
	m, _ := New([]Target{{Name: "a", Paths: []string{"x"}, Schedule: Every(time.Hour)}}, Options{Store: st, Retention: 24 * time.Hour,
		IaC: ScannerFunc(func(context.Context, Target) (*report.Report, error) { return &report.Report{}, nil })})
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- m.Run(ctx) }()
	// The prune may run before the first scan is recorded, so the latest old scan may be kept.
	waitFor(t, "old scans pruned and a new one recorded", func() bool {
		scans, _ := st.Scans(context.Background(), "a", 0)
		oldLeft := 0
		for _, s := range scans {
			if s.StartedAt.Before(old.Add(time.Hour)) {
				oldLeft++
			}
		}
		return len(scans) > 0 && scans[0].StartedAt.After(old.Add(time.Hour)) && oldLeft <= 1
	})
	stop()
	<-done
}
