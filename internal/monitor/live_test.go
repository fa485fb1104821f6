package monitor

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/lensix/lensix/internal/armsim"
	"github.com/lensix/lensix/internal/check"
	"github.com/lensix/lensix/internal/source/azure"
	"github.com/lensix/lensix/internal/store"
)

// liveScanner returns a LiveScanner that reaches armsim through the real Azure SDK: a client
// secret credential against its Entra endpoint, Resource Graph and Resource Manager at its address.
func liveScanner(t testing.TB, srv *armsim.Server, noGraph bool) LiveScanner {
	t.Helper()
	cfg, err := azure.CloudConfig("AzurePublic", srv.URL, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	cred, err := srv.Credential(armsim.ClientSecret)
	if err != nil {
		t.Fatal(err)
	}
	return LiveScanner{Checks: check.All(), Azure: azure.Options{Credential: cred, Cloud: cfg, Transport: srv.Client(),
		NoResourceGraph: noGraph, RetryDelay: 10 * time.Millisecond, MaxRetries: 1}}
}

// TestLiveDriftAgainstArmsim is the end-to-end drift test: a live target scanned through
// the Azure SDK against armsim, notifications to a signed local webhook. Removing a service's
// identity gives exactly one "new"; a scan that cannot read its subscription leaves it open while
// resolving what it could read; restoring it gives one "resolved"; removing it again, with the rescan triggered by an Event
// Grid ResourceWriteSuccess delivery, gives one "reopened"; unchanged scans give nothing.
func TestLiveDriftAgainstArmsim(t *testing.T) {
	for _, noGraph := range []bool{false, true} {
		name := "through Resource Graph"
		if noGraph {
			name = "through Resource Manager"
		}
		t.Run(name, func(t *testing.T) { testLiveDrift(t, noGraph) })
	}
}

func testLiveDrift(t *testing.T, noGraph bool) {
	const subA, subB = "0a000000-0000-4000-8000-00000000000a", "0b000000-0000-4000-8000-00000000000b"
	tenant := armsim.NewTenant("7e000000-0000-4000-8000-000000000007")
	tenant.AddSubscription(subA, "Production")
	tenant.AddSubscription(subB, "Staging")
	system, _ := armsim.SpellingNamed("system")
	none, _ := armsim.SpellingNamed("none")
	set := func(sub, name string, sp armsim.Spelling) {
		if err := tenant.AddResource(armsim.ServiceBody(tenant.ID, sub, "rg-apim", name, sp)); err != nil {
			t.Fatal(err)
		}
	}
	set(subA, "apim-prod", system)
	set(subB, "apim-staging", system)
	srv, err := armsim.Start(tenant, armsim.Faults{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()

	hook := newReceiver(t)
	secret := []byte("drift")
	notifier := NewNotifier([]Channel{&Webhook{URL: hook.URL, Secret: secret}}, NotifierOptions{Backoff: time.Millisecond})
	defer notifier.Close(context.Background())
	st := newStore(t)
	m, err := New([]Target{{Name: "tenant", Subscriptions: []string{subA, subB}, Schedule: Every(time.Hour)}},
		Options{Store: st, Live: liveScanner(t, srv, noGraph), Notifier: notifier})
	if err != nil {
		t.Fatal(err)
	}

	var want []string
	check := func(step string, add ...string) {
		t.Helper()
		want = append(want, add...)
		waitFor(t, step, func() bool { b, _ := hook.received(); return len(b) >= len(want) })
		time.Sleep(30 * time.Millisecond) // room for an extra, wrong delivery to arrive
		var got []string
		for _, c := range hook.signedChanges(t, secret) {
			got = append(got, string(c.Kind)+":"+c.Resource.Name)
		}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Fatalf("after %s: notifications %v, want %v", step, got, want)
		}
	}
	scanNow := func(step string, wantStatus store.ScanStatus) {
		t.Helper()
		sc, _, err := m.ScanNow(context.Background(), "tenant")
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		if sc.Status != wantStatus || sc.Resources == 0 && wantStatus == store.Complete {
			t.Fatalf("%s: scan %+v, want status %s", step, sc, wantStatus)
		}
	}

	scanNow("a first scan of two services with identities", store.Complete)
	check("a first scan of two services with identities")

	set(subA, "apim-prod", none)
	set(subB, "apim-staging", none)
	scanNow("removing both services' identities", store.Complete)
	check("removing both services' identities", "new:apim-prod", "new:apim-staging")

	scanNow("an unchanged rescan", store.Complete)
	check("an unchanged rescan")

	// Production cannot be read: apim-prod's fix is not seen and its finding stays open, while
	// apim-staging, deleted from Staging, which was read, resolves. (armsim cannot delete; a body
	// of another type under the same ID is gone from every API Management query.)
	set(subA, "apim-prod", system)
	deleted := armsim.ServiceBody(tenant.ID, subB, "rg-apim", "apim-staging", system)
	deleted["type"] = "Microsoft.Storage/storageAccounts"
	if err := tenant.AddResource(deleted); err != nil {
		t.Fatal(err)
	}
	srv.SetFaults(armsim.Faults{Forbidden: []string{subA}})
	scanNow("a scan that cannot read Production", store.Partial)
	check("a scan that cannot read Production", "resolved:apim-staging")
	srv.SetFaults(armsim.Faults{})

	scanNow("a scan that reads apim-prod's restored identity", store.Complete)
	check("a scan that reads apim-prod's restored identity", "resolved:apim-prod")

	// From here the monitor runs on its hourly schedule; only an Event Grid delivery can make it
	// rescan now.
	h, err := NewServer(ServerOptions{Store: st, Monitor: m})
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- m.Run(ctx) }()
	defer func() { stop(); <-done }()

	set(subA, "apim-prod", none)
	apimID := "/subscriptions/" + subA + "/resourceGroups/rg-apim/providers/Microsoft.ApiManagement/service/apim-prod"
	event := `[{"id":"e1","topic":"/subscriptions/` + subA + `","subject":"` + apimID + `","eventType":"Microsoft.Resources.ResourceWriteSuccess",` +
		`"eventTime":"2026-11-26T07:00:00Z","data":{"resourceUri":"` + apimID + `","operationName":"Microsoft.ApiManagement/service/write","status":"Succeeded","subscriptionId":"` + subA + `"},"dataVersion":"2","metadataVersion":"1"}]`
	req := httptest.NewRequest(http.MethodPost, "/events/eventgrid", strings.NewReader(event))
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"tenant"`) {
		t.Fatalf("Event Grid delivery: %d %s", w.Code, w.Body)
	}
	check("an Event Grid write event after apim-prod lost its identity again", "reopened:apim-prod")

	fs, _ := st.Findings(context.Background(), store.FindingFilter{ResourceID: apimID})
	if len(fs) != 1 || fs[0].State != store.Reopened || fs[0].Reopens != 1 {
		t.Errorf("apim-prod's finding is %+v; want reopened once", fs)
	}
}

func TestLiveScanCountsAzureRequestsAndThrottles(t *testing.T) {
	tenant := armsim.Generate(armsim.GenerateOptions{Subscriptions: 2, Services: 6, WithoutIdentity: 0.5, Seed: 3})
	srv, err := armsim.Start(tenant, armsim.Faults{ThrottleEvery: 2, RetryAfter: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	metrics := NewMetrics(nil)
	scanner := liveScanner(t, srv, true)
	scanner.Metrics, scanner.Azure.MaxRetries = metrics, 3
	var subs []string
	for _, s := range tenant.Subscriptions() {
		subs = append(subs, s.ID)
	}
	rep, err := scanner.Scan(context.Background(), Target{Name: "t", Subscriptions: subs})
	if err != nil || rep.Resources != 6 {
		t.Fatalf("scan: %v, %v", rep, err)
	}
	h, _ := NewServer(ServerOptions{Store: newStore(t), Metrics: metrics})
	body := get(t, h, "/metrics").Body.String()
	for _, want := range []string{`lensix_azure_requests_total{api="arm",status="200"}`, `lensix_azure_requests_total{api="arm",status="429"}`, `lensix_azure_throttled_total{api="arm"}`} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if want := srv.Stats().Throttled; !strings.Contains(body, fmt.Sprintf(`lensix_azure_throttled_total{api="arm"} %d`, want)) {
		t.Errorf("/metrics does not count armsim's %d throttled answers", want)
	}
}
