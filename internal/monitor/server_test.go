package monitor

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lensix/lensix/internal/report"
	"github.com/lensix/lensix/internal/store"
)

const (
	subA   = "00000000-0000-0000-0000-00000000000a"
	apimID = "/subscriptions/" + subA + "/resourceGroups/rg/providers/Microsoft.ApiManagement/service/apim-prod"
	xss    = "<script>alert(1)</script>"
)

// seed records three scans: a live service that fails, is fixed, and fails again (reopened),
// and an IaC service whose name is markup.
func seed(t *testing.T) store.Store {
	st := newStore(t)
	live := store.Observation{Key: store.Key("apimgmt_nomanagedidentity", true, apimID, "", "", "", ""), CheckID: "apimgmt_nomanagedidentity",
		Severity: "medium", Title: "API Management service has no managed identity", ResourceID: apimID, ResourceType: "Microsoft.ApiManagement/service",
		ResourceName: "apim-prod", ResourceGroup: "rg", Subscription: subA, Message: "identity.type is None"}
	iac := store.Observation{Key: store.Key("apimgmt_nomanagedidentity", false, "", "infra/main.tf", "azurerm_api_management.x", "", ""), CheckID: "apimgmt_nomanagedidentity",
		Severity: "medium", Title: "API Management service has no managed identity", ResourceType: "Microsoft.ApiManagement/service",
		ResourceName: xss, Address: "azurerm_api_management.x", File: "infra/main.tf", Line: 4, Message: "no identity block"}
	start := time.Now().Add(-time.Hour)
	for i, status := range []string{"fail", "pass", "fail"} {
		l, x := live, iac
		l.Status, x.Status = status, "fail"
		if _, _, err := st.RecordScan(context.Background(), store.Scan{Target: "prod", StartedAt: start.Add(time.Duration(i) * time.Minute), Status: store.Complete}, []store.Observation{l, x}); err != nil {
			t.Fatal(err)
		}
	}
	return st
}

func get(t *testing.T, h http.Handler, target string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

func TestAPIFindingsFilters(t *testing.T) {
	h, err := NewServer(ServerOptions{Store: seed(t)})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		query string
		want  int
		code  int
	}{
		{"no filter lists every finding", "", 2, 200},
		{"status=reopened lists the drifted service", "?status=reopened", 1, 200},
		{"status=open lists the IaC service", "?status=open", 1, 200},
		{"status=resolved lists nothing", "?status=resolved", 0, 200},
		{"subscription filters live findings", "?subscription=" + strings.ToUpper(subA), 1, 200},
		{"an unknown check lists nothing", "?check=nope", 0, 200},
		{"since in the future lists nothing", "?since=" + url.QueryEscape(time.Now().Add(time.Hour).Format(time.RFC3339)), 0, 200},
		{"since as a duration works", "?since=24h", 2, 200},
		{"a bad status is a 400", "?status=closed", 0, 400},
		{"a bad since is a 400", "?since=yesterday", 0, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := get(t, h, "/api/findings"+tt.query)
			if w.Code != tt.code {
				t.Fatalf("status %d, body %s", w.Code, w.Body)
			}
			if tt.code != 200 {
				return
			}
			var got struct{ Findings []store.Finding }
			if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			if len(got.Findings) != tt.want {
				t.Errorf("%d findings, want %d", len(got.Findings), tt.want)
			}
		})
	}
}

func TestAPIScansAndHistory(t *testing.T) {
	h, _ := NewServer(ServerOptions{Store: seed(t)})
	var scans struct{ Scans []store.Scan }
	json.Unmarshal(get(t, h, "/api/scans?target=prod").Body.Bytes(), &scans)
	if len(scans.Scans) != 3 || scans.Scans[0].Reopened != 1 {
		t.Errorf("scans = %+v", scans.Scans)
	}
	for _, path := range []string{
		"/api/resources/" + url.PathEscape(apimID) + "/history",
		"/api/resources" + apimID + "/history",
	} {
		w := get(t, h, path)
		var got struct{ Events []store.Event }
		json.Unmarshal(w.Body.Bytes(), &got)
		var kinds []string
		for _, e := range got.Events {
			kinds = append(kinds, string(e.Kind))
		}
		if strings.Join(kinds, " ") != "new resolved reopened" {
			t.Errorf("GET %s: %d %s; want new resolved reopened", path, w.Code, w.Body)
		}
	}
}

func TestTokenIsRequiredWhenSet(t *testing.T) {
	h, _ := NewServer(ServerOptions{Store: seed(t), Token: "t0ken"})
	if w := get(t, h, "/api/findings"); w.Code != http.StatusUnauthorized {
		t.Errorf("no token: status %d, want 401", w.Code)
	}
	if w := get(t, h, "/", "Authorization", "Bearer wrong"); w.Code != http.StatusUnauthorized {
		t.Errorf("wrong token: status %d, want 401", w.Code)
	}
	if w := get(t, h, "/api/findings", "Authorization", "Bearer t0ken"); w.Code != http.StatusOK {
		t.Errorf("right token: status %d, want 200", w.Code)
	}
	if w := get(t, h, "/healthz"); w.Code != http.StatusOK {
		t.Errorf("healthz without token: status %d, want 200", w.Code)
	}
}

func TestCheckListen(t *testing.T) {
	tests := []struct {
		name, addr, token string
		ok                bool
	}{
		{"loopback without a token is allowed", "127.0.0.1:8484", "", true},
		{"localhost without a token is allowed", "localhost:8484", "", true},
		{"IPv6 loopback without a token is allowed", "[::1]:8484", "", true},
		{"all interfaces without a token is refused", ":8484", "", false},
		{"a public address without a token is refused", "0.0.0.0:8484", "", false},
		{"a public address with a token is allowed", "0.0.0.0:8484", "t", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := CheckListen(tt.addr, tt.token); (err == nil) != tt.ok {
				t.Errorf("CheckListen(%q) = %v", tt.addr, err)
			}
		})
	}
}

func TestDashboardEscapesUntrustedNamesAndLoadsNothingElsewhere(t *testing.T) {
	h, _ := NewServer(ServerOptions{Store: seed(t)})
	w := get(t, h, "/")
	body := w.Body.String()
	if w.Code != 200 {
		t.Fatalf("status %d: %s", w.Code, body)
	}
	if strings.Contains(body, xss) || !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("the resource name <script>alert(1)</script> is not escaped")
	}
	for _, want := range []string{`<svg id="timeline"`, `class="opened"`, "apim-prod", "az apim update --name apim-prod --resource-group rg"} {
		if !strings.Contains(body, want) {
			t.Errorf("dashboard lacks %q", want)
		}
	}
	if strings.Contains(body, "http://") && !strings.Contains(body, `xmlns="http://www.w3.org/2000/svg"`) || strings.Contains(body, "https://") {
		t.Error("dashboard references another site")
	}
	if csp := w.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("Content-Security-Policy = %q", csp)
	}
	r := get(t, h, "/resource?id="+url.QueryEscape(apimID))
	if !strings.Contains(r.Body.String(), "reopened") || r.Code != 200 {
		t.Errorf("resource page: %d %s", r.Code, r.Body)
	}
}

func TestMetricsExposeScansAndFindings(t *testing.T) {
	st := seed(t)
	metrics := NewMetrics(st)
	m, _ := New([]Target{{Name: "iac", Paths: []string{"x"}, Schedule: Every(time.Hour)}}, Options{Store: st, Metrics: metrics,
		IaC: ScannerFunc(func(context.Context, Target) (*report.Report, error) { return &report.Report{}, nil })})
	m.ScanNow(context.Background(), "iac")
	h, _ := NewServer(ServerOptions{Store: st, Metrics: metrics})
	body := get(t, h, "/metrics").Body.String()
	for _, want := range []string{`lensix_scans_total{status="complete",target="iac"} 1`, `lensix_findings{severity="medium",state="reopened"} 1`, "lensix_scan_duration_seconds_bucket"} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

func TestEventGrid(t *testing.T) {
	var scans atomic.Int32
	m, _ := New([]Target{{Name: "prod", Subscriptions: []string{subA}, Schedule: Every(time.Hour)}}, Options{Store: newStore(t),
		Live: ScannerFunc(func(context.Context, Target) (*report.Report, error) { scans.Add(1); return &report.Report{}, nil })})
	h, _ := NewServer(ServerOptions{Store: newStore(t), Monitor: m, Metrics: NewMetrics(nil)})
	// The monitor runs first, so the rescan an event queues cannot merge with its first scan.
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- m.Run(ctx) }()
	defer func() { stop(); <-done }()
	waitFor(t, "the first scheduled scan", func() bool { return scans.Load() == 1 })
	post := func(contentType, body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/events/eventgrid", strings.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w
	}

	t.Run("the subscription validation handshake echoes the code", func(t *testing.T) {
		w := post("application/json", `[{"id":"1","topic":"/subscriptions/x","subject":"","data":{"validationCode":"512d38b6-c7b8-40c8-89fe-f46f9e9622b6","validationUrl":"https://rp-eastus2.eventgrid.azure.net/x"},"eventType":"Microsoft.EventGrid.SubscriptionValidationEvent","eventTime":"2026-11-26T06:00:00Z","metadataVersion":"1","dataVersion":"2"}]`)
		if w.Code != 200 || !strings.Contains(w.Body.String(), `"validationResponse": "512d38b6-c7b8-40c8-89fe-f46f9e9622b6"`) {
			t.Errorf("%d %s", w.Code, w.Body)
		}
	})
	t.Run("the CloudEvents handshake allows the origin", func(t *testing.T) {
		req := httptest.NewRequest(http.MethodOptions, "/events/eventgrid", nil)
		req.Header.Set("WebHook-Request-Origin", "eventgrid.azure.net")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != 200 || w.Header().Get("WebHook-Allowed-Origin") != "eventgrid.azure.net" {
			t.Errorf("%d %v", w.Code, w.Header())
		}
	})
	t.Run("a ResourceWriteSuccess event queues a rescan of its subscription's target", func(t *testing.T) {
		w := post("application/json", `[{"id":"2","topic":"/subscriptions/`+subA+`","subject":"`+apimID+`","eventType":"Microsoft.Resources.ResourceWriteSuccess","eventTime":"2026-11-26T06:00:00Z","data":{"resourceUri":"`+apimID+`","operationName":"Microsoft.ApiManagement/service/write","status":"Succeeded","subscriptionId":"`+subA+`"},"dataVersion":"2","metadataVersion":"1"}]`)
		if w.Code != 200 || !strings.Contains(w.Body.String(), `"prod"`) {
			t.Errorf("%d %s", w.Code, w.Body)
		}
	})
	t.Run("a CloudEvents ResourceWriteSuccess event queues a rescan", func(t *testing.T) {
		w := post("application/cloudevents+json; charset=utf-8", `{"specversion":"1.0","type":"Microsoft.Resources.ResourceWriteSuccess","source":"/subscriptions/`+subA+`","subject":"`+apimID+`","id":"3","time":"2026-11-26T06:00:00Z","data":{"resourceUri":"`+apimID+`"}}`)
		if w.Code != 200 || !strings.Contains(w.Body.String(), `"prod"`) {
			t.Errorf("%d %s", w.Code, w.Body)
		}
	})
	t.Run("a write in another subscription queues nothing", func(t *testing.T) {
		w := post("application/json", `[{"eventType":"Microsoft.Resources.ResourceWriteSuccess","subject":"/subscriptions/other/resourceGroups/rg","data":{"resourceUri":"/subscriptions/other/resourceGroups/rg"}}]`)
		if w.Code != 200 || !strings.Contains(w.Body.String(), `"rescans": []`) {
			t.Errorf("%d %s", w.Code, w.Body)
		}
	})
	t.Run("a body that is not JSON is a 400", func(t *testing.T) {
		if w := post("application/json", `nope`); w.Code != 400 {
			t.Errorf("%d", w.Code)
		}
	})

	// The rescans the events queued run within seconds, not at the next hourly scan.
	waitFor(t, "the event-driven rescan", func() bool { return scans.Load() >= 2 })
}

func TestAPISuppressions(t *testing.T) {
	st := seed(t)
	h, _ := NewServer(ServerOptions{Store: st})
	post := func(body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/api/suppressions", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w
	}
	if w := post(`{"check_id":"apimgmt_nomanagedidentity","resource":"apim-*","who":"ana@example.com","why":"migrating to Key Vault by Q1","expires":"` + time.Now().Add(24*time.Hour).UTC().Format(time.RFC3339) + `"}`); w.Code != http.StatusCreated {
		t.Fatalf("POST: %d %s", w.Code, w.Body)
	}
	form := httptest.NewRequest(http.MethodPost, "/api/suppressions", strings.NewReader(`{"check_id":"x","who":"a","why":"b"}`))
	form.Header.Set("Content-Type", "text/plain")
	formW := httptest.NewRecorder()
	h.ServeHTTP(formW, form)
	if formW.Code != http.StatusUnsupportedMediaType {
		t.Errorf("a cross-site text/plain POST: %d, want 415", formW.Code)
	}
	if w := post(`{"check_id":"apimgmt_nomanagedidentity","resource":"*"}`); w.Code != http.StatusBadRequest {
		t.Errorf("a suppression without who and why: %d, want 400", w.Code)
	}
	if w := post(`{"check_id":"x","who":"a","why":"b","expires":"2001-01-01T00:00:00Z"}`); w.Code != http.StatusBadRequest {
		t.Errorf("a suppression that already expired: %d, want 400", w.Code)
	}
	var got struct{ Findings []store.Finding }
	json.Unmarshal(get(t, h, "/api/findings?status=reopened").Body.Bytes(), &got)
	if len(got.Findings) != 1 || got.Findings[0].Suppression == nil || got.Findings[0].Suppression.Who != "ana@example.com" {
		t.Errorf("the suppressed finding reads %+v", got.Findings)
	}
	var list struct{ Suppressions []store.Suppression }
	json.Unmarshal(get(t, h, "/api/suppressions").Body.Bytes(), &list)
	if len(list.Suppressions) != 1 || list.Suppressions[0].Why != "migrating to Key Vault by Q1" {
		t.Errorf("suppressions = %+v", list.Suppressions)
	}
}

func TestLoopbackServerRefusesForeignHostsAndOrigins(t *testing.T) {
	h, _ := NewServer(ServerOptions{Store: seed(t), Listen: "127.0.0.1:18486"})
	suppression := `{"check_id":"*","resource":"*","who":"x","why":"y"}`
	tests := []struct {
		name, method, target, host, origin string
		want                               int
	}{
		{"a rebound attacker host cannot read findings", "GET", "/api/findings", "attacker.example:18486", "", 403},
		{"a rebound attacker page cannot write a suppression", "POST", "/api/suppressions", "attacker.example:18486", "http://attacker.example:18486", 403},
		{"a loopback host on another port is refused", "GET", "/api/findings", "127.0.0.1:9999", "", 403},
		{"a loopback host without the port is refused", "GET", "/api/findings", "localhost", "", 403},
		{"127.0.0.1 with the right port reads findings", "GET", "/api/findings", "127.0.0.1:18486", "", 200},
		{"localhost in any case reads the dashboard", "GET", "/", "LocalHost:18486", "", 200},
		{"another 127/8 address is loopback too", "GET", "/api/findings", "127.0.0.2:18486", "", 200},
		{"[::1] is loopback", "GET", "/api/findings", "[::1]:18486", "", 200},
		{"a write from the dashboard's own origin is accepted", "POST", "/api/suppressions", "127.0.0.1:18486", "http://127.0.0.1:18486", 201},
		{"a write without Origin (curl) is accepted", "POST", "/api/suppressions", "localhost:18486", "", 201},
		{"a write from another loopback port's page is refused", "POST", "/api/suppressions", "127.0.0.1:18486", "http://127.0.0.1:3000", 403},
		{"a write from an opaque origin is refused", "POST", "/api/suppressions", "127.0.0.1:18486", "null", 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body io.Reader
			if tt.method == "POST" {
				body = strings.NewReader(suppression)
			}
			req := httptest.NewRequest(tt.method, tt.target, body)
			req.Host = tt.host
			req.Header.Set("Content-Type", "application/json")
			if tt.origin != "" {
				req.Header.Set("Origin", tt.origin)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != tt.want {
				t.Errorf("%s %s with Host %s, Origin %q: status %d, want %d (%s)", tt.method, tt.target, tt.host, tt.origin, w.Code, tt.want, w.Body)
			}
		})
	}
}

func TestLoopbackServerOnPortZeroChecksTheRealPort(t *testing.T) {
	h, _ := NewServer(ServerOptions{Store: seed(t), Listen: "127.0.0.1:0"})
	srv := httptest.NewServer(h)
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/api/findings")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET through the real loopback address: status %d, want 200", resp.StatusCode)
	}
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/findings", nil)
	req.Host = "attacker.example:" + strings.TrimPrefix(srv.URL[strings.LastIndex(srv.URL, ":"):], ":")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("GET with Host %s: status %d, want 403", req.Host, resp.StatusCode)
	}
}

func TestPublicServerWithTokenDoesNotCheckHost(t *testing.T) {
	h, _ := NewServer(ServerOptions{Store: seed(t), Listen: "0.0.0.0:8484", Token: "t0ken"})
	if w := get(t, h, "/api/findings", "Authorization", "Bearer t0ken"); w.Code != http.StatusOK {
		t.Errorf("a token holder reaching a public bind by name: status %d, want 200", w.Code)
	}
}
