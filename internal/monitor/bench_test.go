package monitor

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lensix/lensix/internal/armsim"
	"github.com/lensix/lensix/internal/check"
	"github.com/lensix/lensix/internal/report"
	"github.com/lensix/lensix/internal/resource"
	"github.com/lensix/lensix/internal/store"
)

// syntheticFleet is 100 targets of 1,000 API Management services each. A tenth lack an
// identity; every rescan flips the identity of the same drift services of the target, so each
// flip is one state change (new, then resolved, reopened, resolved, ...).
type syntheticFleet struct {
	resources map[string][]*resource.Resource
	drift     int
}

func newFleet(targets, perTarget, drift int) *syntheticFleet {
	f := &syntheticFleet{resources: map[string][]*resource.Resource{}, drift: drift}
	for t := 0; t < targets; t++ {
		name := fmt.Sprintf("sub-%03d", t)
		sub := fmt.Sprintf("00000000-0000-0000-0000-%012d", t)
		for i := 0; i < perTarget; i++ {
			identity := map[string]any{"type": "SystemAssigned"}
			if i%10 == 0 {
				identity = map[string]any{"type": "None"}
			}
			id := fmt.Sprintf("/subscriptions/%s/resourceGroups/rg-%d/providers/Microsoft.ApiManagement/service/apim-%d", sub, i%20, i)
			f.resources[name] = append(f.resources[name], &resource.Resource{
				Type: "Microsoft.ApiManagement/service", Name: fmt.Sprintf("apim-%d", i), ResourceGroup: fmt.Sprintf("rg-%d", i%20),
				SubscriptionID: sub, ID: id, Provenance: resource.Provenance{Source: "azure"},
				Body: map[string]any{"type": "Microsoft.ApiManagement/service", "name": fmt.Sprintf("apim-%d", i), "identity": identity, "properties": map[string]any{}},
			})
		}
	}
	return f
}

func (f *syntheticFleet) Scan(ctx context.Context, t Target) (*report.Report, error) {
	rs := f.resources[t.Name]
	for i := 0; i < f.drift; i++ {
		res := rs[(i*97)%len(rs)] // the same services flap: steady state, no new finding rows
		id := res.Body["identity"].(map[string]any)
		if id["type"] == "None" {
			id["type"] = "SystemAssigned"
		} else {
			id["type"] = "None"
		}
	}
	return &report.Report{Findings: check.Run(check.All(), rs), Resources: len(rs)}, nil
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// dbSize is the database file's size; callers checkpoint first so the log is empty.
func dbSize(file string) int64 {
	fi, err := os.Stat(file)
	if err != nil {
		return 0
	}
	return fi.Size()
}

// BenchmarkRescan100Targets1000Resources measures one rescan of one target of 1,000 resources
// (checks, store transaction, change detection), cycling through 100 targets, with no drift and
// with 10 services (1%) drifting per scan. It reports CPU time per scan and how much the store
// grows per scan once every target has been seen.
func BenchmarkRescan100Targets1000Resources(b *testing.B) {
	for _, drift := range []int{0, 10} {
		b.Run(fmt.Sprintf("drift=%d", drift), func(b *testing.B) { benchmarkRescan(b, drift) })
	}
}

func benchmarkRescan(b *testing.B, drift int) {
	const targets, perTarget = 100, 1000
	fleet := newFleet(targets, perTarget, drift)
	file := filepath.Join(b.TempDir(), "bench.db")
	st, err := store.OpenSQLite(context.Background(), file)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	var ts []Target
	for t := 0; t < targets; t++ {
		ts = append(ts, Target{Name: fmt.Sprintf("sub-%03d", t), Subscriptions: []string{"s"}, Schedule: Every(time.Minute)})
	}
	m, err := New(ts, Options{Store: st, Live: fleet})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	st.Checkpoint(ctx)
	emptySize := dbSize(file)
	for _, t := range ts { // first sight of every target: the findings rows are written once
		if _, _, err := m.ScanNow(ctx, t.Name); err != nil {
			b.Fatal(err)
		}
	}
	st.Checkpoint(ctx)
	startSize, startCPU := dbSize(file), cpuTime()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := m.ScanNow(ctx, ts[i%targets].Name); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	cpu := cpuTime() - startCPU
	st.Checkpoint(ctx)
	grown := dbSize(file) - startSize
	b.ReportMetric(float64(startSize-emptySize)/float64(targets*perTarget/10), "store-B/finding")
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/scan")
	b.ReportMetric(float64(grown)/float64(b.N), "store-B/scan")
	// 100 targets every minute: 144,000 scans a day.
	b.ReportMetric(float64(grown)/float64(b.N)*targets*24*60/(1<<20), "store-MiB/day")
}

// BenchmarkRescanArmsim100Targets1000Resources is the same fleet served by armsim: each scan
// signs in, queries Resource Graph over HTTPS for one subscription's 1,000 services, judges them
// and records the scan. armsim runs in the same process, so cpu-ms/scan includes the emulator's
// share; 10 services flip their identity between scans.
func BenchmarkRescanArmsim100Targets1000Resources(b *testing.B) {
	const targets, perTarget, drift = 100, 1000, 10
	tenant := armsim.Generate(armsim.GenerateOptions{Subscriptions: targets, Services: targets * perTarget, WithoutIdentity: 0.1, Seed: 7})
	srv, err := armsim.Start(tenant, armsim.Faults{})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	system, _ := armsim.SpellingNamed("system")
	none, _ := armsim.SpellingNamed("none")
	flipped := map[string]bool{}
	flip := func(sub string) {
		for i, body := range tenant.Resources(sub) {
			if i >= drift {
				break
			}
			id := body["id"].(string)
			sp := none
			if flipped[id] {
				sp = system
			}
			flipped[id] = !flipped[id]
			_ = tenant.AddResource(armsim.ServiceBody(tenant.ID, sub, rgOf(id), body["name"].(string), sp))
		}
	}
	file := filepath.Join(b.TempDir(), "bench.db")
	st, err := store.OpenSQLite(context.Background(), file)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	var ts []Target
	for _, s := range tenant.Subscriptions() {
		ts = append(ts, Target{Name: s.ID, Subscriptions: []string{s.ID}, Schedule: Every(time.Minute)})
	}
	m, err := New(ts, Options{Store: st, Live: liveScanner(b, srv, false)})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for _, t := range ts {
		if sc, _, err := m.ScanNow(ctx, t.Name); err != nil || sc.Resources != perTarget {
			b.Fatalf("first scan of %s: %+v, %v", t.Name, sc, err)
		}
	}
	st.Checkpoint(ctx)
	startSize, startCPU := dbSize(file), cpuTime()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t := ts[i%targets]
		flip(t.Name)
		if _, _, err := m.ScanNow(ctx, t.Name); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	cpu := cpuTime() - startCPU
	st.Checkpoint(ctx)
	grown := dbSize(file) - startSize
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/scan")
	b.ReportMetric(float64(grown)/float64(b.N), "store-B/scan")
	b.ReportMetric(float64(grown)/float64(b.N)*targets*24*60/(1<<20), "store-MiB/day")
}

// rgOf reads the resource group from a resource ID.
func rgOf(id string) string {
	parts := strings.Split(id, "/")
	for i := 0; i+1 < len(parts); i++ {
		if strings.EqualFold(parts[i], "resourceGroups") {
			return parts[i+1]
		}
	}
	return ""
}
