// Package monitor runs lensix continuously: it scans each target on its schedule, records every
// scan in a store, turns state changes into notifications, rescans when Azure Event Grid says a
// resource changed, and serves the history over an HTTP API and a dashboard.
package monitor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/lensix/lensix/internal/check"
	"github.com/lensix/lensix/internal/report"
	"github.com/lensix/lensix/internal/scan"
	"github.com/lensix/lensix/internal/source/arm"
	"github.com/lensix/lensix/internal/source/arm/funcs"
	"github.com/lensix/lensix/internal/source/bicep"
	"github.com/lensix/lensix/internal/store"
	"github.com/lensix/lensix/internal/suppress"
)

// Target is one thing the monitor scans on a schedule: IaC paths, or live subscriptions and
// management groups.
type Target struct {
	Name             string
	Paths            []string
	Subscriptions    []string
	ManagementGroups []string
	Schedule         Schedule
	// Jitter is the most a scan is delayed past its due time, at random, so targets that share a
	// schedule do not all hit Azure in the same second.
	Jitter time.Duration
}

// Live reports whether the target is scanned through Azure rather than from files.
func (t Target) Live() bool { return len(t.Subscriptions) > 0 || len(t.ManagementGroups) > 0 }

// Covers reports whether a change to the resource with this ARM ID may change the target's
// findings. Management-group targets are always affected: membership is only known live.
func (t Target) Covers(resourceID string) bool {
	if len(t.ManagementGroups) > 0 {
		return true
	}
	id := strings.ToLower(resourceID)
	for _, sub := range t.Subscriptions {
		if strings.HasPrefix(id, "/subscriptions/"+strings.ToLower(sub)+"/") || id == "/subscriptions/"+strings.ToLower(sub) {
			return true
		}
	}
	return false
}

// Scanner scans one target. Problems with part of the input belong in the report's Errors (the
// scan is then partial); an error means the scan produced nothing usable.
type Scanner interface {
	Scan(ctx context.Context, t Target) (*report.Report, error)
}

// ScannerFunc adapts a function to Scanner.
type ScannerFunc func(ctx context.Context, t Target) (*report.Report, error)

// Scan implements Scanner.
func (f ScannerFunc) Scan(ctx context.Context, t Target) (*report.Report, error) { return f(ctx, t) }

// IaCScanner scans a target's paths with the same pipeline as `lensix scan`.
type IaCScanner struct {
	Checks  []*check.Check
	Config  *suppress.Config
	Version string
	// Scope is where ARM templates and Bicep files are deployed (see --deployment-scope).
	Scope funcs.Scope
}

// Scan implements Scanner.
func (s IaCScanner) Scan(ctx context.Context, t Target) (*report.Report, error) {
	if len(t.Paths) == 0 {
		return nil, fmt.Errorf("target %s has no paths", t.Name)
	}
	cfg := s.Config
	if cfg == nil {
		cfg = &suppress.Config{}
	}
	return scan.Run(ctx, scan.Options{Paths: t.Paths, Checks: s.Checks, Config: cfg, Now: time.Now(), Version: s.Version,
		ARM: arm.Options{Scope: s.Scope}, Bicep: bicep.Options{Scope: s.Scope}})
}

// Options are the monitor's dependencies.
type Options struct {
	Store store.Store
	// IaC scans targets with paths; Live scans targets with subscriptions or management groups
	// (nil until live scanning is built in: such targets then fail with a clear error).
	IaC, Live Scanner
	Notifier  *Notifier // nil: no notifications
	Metrics   *Metrics  // nil: no metrics
	Logger    *slog.Logger
	// ShutdownGrace is how long scans in flight may finish after shutdown begins before they
	// are abandoned (default 30s). An abandoned scan records nothing.
	ShutdownGrace time.Duration
	// Retention, when positive, is how long scans and events are kept: Run prunes older ones
	// when it starts and every hour (findings' current state is always kept).
	Retention time.Duration
	Now       func() time.Time
}

// Monitor schedules and runs scans.
type Monitor struct {
	opts    Options
	targets []*targetState
	byName  map[string]*targetState
}

type targetState struct {
	Target
	running sync.Mutex    // held while the target is being scanned: never two scans at once
	trigger chan struct{} // a pending event-driven rescan (capacity 1: events coalesce)
}

// New checks the targets and builds a monitor; Run starts it.
func New(targets []Target, opts Options) (*Monitor, error) {
	if opts.Store == nil {
		return nil, errors.New("monitor: a store is required")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.ShutdownGrace <= 0 {
		opts.ShutdownGrace = 30 * time.Second
	}
	m := &Monitor{opts: opts, byName: map[string]*targetState{}}
	for _, t := range targets {
		if t.Name == "" || t.Schedule == nil {
			return nil, fmt.Errorf("monitor: target %q needs a name and a schedule", t.Name)
		}
		if _, dup := m.byName[t.Name]; dup {
			return nil, fmt.Errorf("monitor: two targets are named %q", t.Name)
		}
		ts := &targetState{Target: t, trigger: make(chan struct{}, 1)}
		m.targets = append(m.targets, ts)
		m.byName[t.Name] = ts
	}
	return m, nil
}

// Targets lists the monitor's targets.
func (m *Monitor) Targets() []Target {
	out := make([]Target, len(m.targets))
	for i, t := range m.targets {
		out[i] = t.Target
	}
	return out
}

// Run scans every target on its schedule until ctx is cancelled, then lets scans in flight
// finish for ShutdownGrace before abandoning them, and returns.
func (m *Monitor) Run(ctx context.Context) error {
	scanCtx, abandon := context.WithCancel(context.Background())
	defer abandon()
	var wg sync.WaitGroup
	for _, ts := range m.targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m.loop(ctx, scanCtx, ts)
		}()
	}
	if m.opts.Retention > 0 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m.pruneLoop(ctx)
		}()
	}
	<-ctx.Done()
	m.opts.Logger.Info("shutting down; letting scans in flight finish", "grace", m.opts.ShutdownGrace)
	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()
	select {
	case <-finished:
	case <-time.After(m.opts.ShutdownGrace):
		m.opts.Logger.Warn("abandoning scans still running after the grace period")
		abandon()
		<-finished
	}
	return nil
}

// pruneLoop applies the retention now and every hour until ctx ends.
func (m *Monitor) pruneLoop(ctx context.Context) {
	tick := time.NewTicker(time.Hour)
	defer tick.Stop()
	for {
		before := m.opts.Now().Add(-m.opts.Retention)
		if scans, events, err := m.opts.Store.Prune(ctx, before); err != nil {
			m.opts.Logger.Error("prune history", "err", err)
		} else if scans+events > 0 {
			m.opts.Logger.Info("pruned history", "before", before, "scans", scans, "events", events)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// loop runs one target's schedule. One goroutine per target, and the running lock shared with
// ScanNow, keep its scans from overlapping.
func (m *Monitor) loop(ctx, scanCtx context.Context, ts *targetState) {
	next := m.firstDue(ctx, ts)
	for {
		if next.IsZero() {
			m.opts.Logger.Error("schedule never comes due; target not scanned", "target", ts.Name, "schedule", ts.Schedule)
			return
		}
		timer := time.NewTimer(time.Until(next))
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-timer.C:
		case <-ts.trigger:
			timer.Stop()
		}
		if _, _, err := m.ScanNow(scanCtx, ts.Name); err != nil {
			m.opts.Logger.Error("scan failed", "target", ts.Name, "err", err)
		}
		next = m.due(ts, m.opts.Now())
	}
}

// firstDue resumes the schedule after a restart: a target scanned recently is next due one
// period after that scan, not immediately.
func (m *Monitor) firstDue(ctx context.Context, ts *targetState) time.Time {
	now := m.opts.Now()
	scans, err := m.opts.Store.Scans(ctx, ts.Name, 1)
	if err != nil || len(scans) == 0 {
		return now.Add(m.jitter(ts))
	}
	due := ts.Schedule.Next(scans[0].StartedAt)
	if due.Before(now) {
		return now.Add(m.jitter(ts))
	}
	return due.Add(m.jitter(ts))
}

func (m *Monitor) due(ts *targetState, now time.Time) time.Time {
	next := ts.Schedule.Next(now)
	if next.IsZero() {
		return next
	}
	return next.Add(m.jitter(ts))
}

func (m *Monitor) jitter(ts *targetState) time.Duration {
	if ts.Jitter <= 0 {
		return 0
	}
	return rand.N(ts.Jitter)
}

// Trigger queues a rescan of every live target that covers the resource, coalescing with a
// rescan already pending, and returns the names of the targets queued.
func (m *Monitor) Trigger(resourceID string) []string {
	var names []string
	for _, ts := range m.targets {
		if !ts.Live() || !ts.Covers(resourceID) {
			continue
		}
		select {
		case ts.trigger <- struct{}{}:
		default: // a rescan is already pending; it will see this change too
		}
		names = append(names, ts.Name)
	}
	return names
}

// ScanNow scans the named target once, waiting for a scan of it in flight to finish first, and
// records the result. A scan abandoned through ctx records nothing.
func (m *Monitor) ScanNow(ctx context.Context, name string) (store.Scan, []store.Change, error) {
	ts, ok := m.byName[name]
	if !ok {
		return store.Scan{}, nil, fmt.Errorf("no target named %q", name)
	}
	ts.running.Lock()
	defer ts.running.Unlock()

	scanner := m.opts.IaC
	if ts.Live() {
		scanner = m.opts.Live
	}
	start := m.opts.Now()
	var rep *report.Report
	err := errors.New("live scanning (subscriptions, management groups) is not built into this lensix")
	if scanner != nil {
		rep, err = scanner.Scan(ctx, ts.Target)
	}
	if ctx.Err() != nil {
		m.opts.Logger.Warn("scan abandoned; nothing recorded", "target", name)
		return store.Scan{}, nil, ctx.Err()
	}
	duration := m.opts.Now().Sub(start)
	rec := store.Scan{Target: name, Status: store.Failed, Errors: []string{fmt.Sprint(err)}, BlindScopes: []string{store.AllScopes}}
	var observed []store.Observation
	if err == nil {
		rec = store.ScanOf(name, rep)
		observed, _ = store.Observe(rep)
	}
	rec.StartedAt, rec.Duration = start, duration
	// The write gets its own deadline: a scan that finished is worth keeping through shutdown.
	wctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	stored, changes, werr := m.opts.Store.RecordScan(wctx, rec, observed)
	if werr != nil {
		return store.Scan{}, nil, werr
	}
	m.opts.Metrics.scanned(name, stored.Status, duration, changes)
	m.opts.Logger.Info("scan recorded", "target", name, "scan", stored.ID, "status", stored.Status, "duration", duration,
		"resources", stored.Resources, "failing", stored.Failing, "new", stored.New, "resolved", stored.Resolved, "reopened", stored.Reopened)
	if m.opts.Notifier != nil {
		m.opts.Notifier.Notify(changes)
	}
	if err != nil {
		return stored, changes, fmt.Errorf("scan of %s failed: %w", name, err)
	}
	return stored, changes, nil
}
