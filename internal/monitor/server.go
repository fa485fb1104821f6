package monitor

import (
	"context"
	"crypto/subtle"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/lensix/lensix/internal/store"
)

//go:embed web
var webFS embed.FS

// ServerOptions are the HTTP server's dependencies.
type ServerOptions struct {
	Store store.Store
	// Monitor receives event-driven rescans; nil disables the Event Grid endpoint.
	Monitor *Monitor
	Metrics *Metrics
	// Token, when set, is required as "Authorization: Bearer TOKEN" on every route but /healthz.
	Token string
	// Listen is the address the server is bound to. On loopback without a Token, requests must
	// name a loopback host and this port in Host, so a DNS-rebound page cannot read or write.
	Listen string
	Logger *slog.Logger
	Now    func() time.Time
}

// CheckListen refuses to serve beyond the local machine without a token.
func CheckListen(addr, token string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("listen address %q: %w", addr, err)
	}
	if token != "" {
		return nil
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("listen address %s is reachable from other machines; set a bearer token (token-env in the config) or listen on 127.0.0.1", addr)
}

type server struct {
	ServerOptions
	pages *template.Template
}

// NewServer returns the handler for the API, the dashboard, /healthz, /metrics and the Event
// Grid endpoint.
func NewServer(opts ServerOptions) (http.Handler, error) {
	if opts.Store == nil {
		return nil, errors.New("server: a store is required")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	pages, err := template.New("").Funcs(templateFuncs).ParseFS(webFS, "web/*.html")
	if err != nil {
		return nil, err
	}
	s := &server{ServerOptions: opts, pages: pages}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", s.healthz)
	if opts.Metrics != nil {
		mux.Handle("GET /metrics", promhttp.HandlerFor(opts.Metrics.Registry, promhttp.HandlerOpts{}))
	}
	mux.HandleFunc("GET /api/findings", s.apiFindings)
	mux.HandleFunc("GET /api/scans", s.apiScans)
	mux.HandleFunc("GET /api/resources/{rest...}", s.apiHistory)
	mux.HandleFunc("GET /api/suppressions", s.apiSuppressions)
	mux.HandleFunc("POST /api/suppressions", s.apiSuppress)
	mux.HandleFunc("GET /{$}", s.dashboard)
	mux.HandleFunc("GET /resource", s.resourcePage)
	static, _ := fs.Sub(webFS, "web/static")
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	if opts.Monitor != nil {
		mux.HandleFunc("POST /events/eventgrid", s.eventGrid)
		mux.HandleFunc("OPTIONS /events/eventgrid", s.cloudEventsHandshake)
	}
	return s.secure(mux), nil
}

// secure adds the bearer-token check and headers that keep the page from loading anything
// from elsewhere or running script.
func (s *server) secure(next http.Handler) http.Handler {
	want := []byte("Bearer " + s.Token)
	_, listenPort, _ := net.SplitHostPort(s.Listen)
	guardHost := s.Token == "" && s.Listen != "" && CheckListen(s.Listen, "") == nil
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		if guardHost {
			if err := checkLoopbackRequest(r, listenPort); err != nil {
				http.Error(w, err.Error(), http.StatusForbidden)
				return
			}
		}
		if s.Token != "" && r.URL.Path != "/healthz" && subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			h.Set("WWW-Authenticate", `Bearer realm="lensix"`)
			http.Error(w, "a bearer token is required", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// checkLoopbackRequest refuses a request to a loopback server that names another host in Host
// (DNS rebinding) or, when it changes state, comes from a page of another origin.
func checkLoopbackRequest(r *http.Request, listenPort string) error {
	port := listenPort
	if addr, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		if _, p, err := net.SplitHostPort(addr.String()); err == nil {
			port = p // the real port, also when the listen address asked for port 0
		}
	}
	if !isLoopbackHost(r.Host, port) {
		return fmt.Errorf("the Host %q is not this machine's loopback address; open the dashboard as http://127.0.0.1:%s/", r.Host, port)
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return nil
	}
	if origin := r.Header.Get("Origin"); origin != "" && !strings.EqualFold(origin, "http://"+r.Host) {
		return fmt.Errorf("the Origin %q is not this dashboard's origin (http://%s); requests from other sites are refused", origin, r.Host)
	}
	return nil
}

// isLoopbackHost says whether hostport (a Host header) names localhost, 127.x or [::1] on port.
func isLoopbackHost(hostport, port string) bool {
	host, p, err := net.SplitHostPort(hostport)
	if err != nil {
		host, p = hostport, "80" // a Host without a port means the scheme's default
		if strings.HasPrefix(host, "[") && strings.HasSuffix(host, "]") {
			host = host[1 : len(host)-1]
		}
	}
	if port != "" && p != port {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

func apiError(w http.ResponseWriter, status int, format string, args ...any) {
	writeJSON(w, status, map[string]string{"error": fmt.Sprintf(format, args...)})
}

func (s *server) healthz(w http.ResponseWriter, r *http.Request) {
	if _, err := s.Store.Scans(r.Context(), "", 1); err != nil {
		apiError(w, http.StatusServiceUnavailable, "store: %v", err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// parseSince reads an RFC 3339 time or a duration back from now ("24h").
func parseSince(v string, now time.Time) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if d, err := time.ParseDuration(v); err == nil {
		return now.Add(-d), nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("since=%q: want an RFC 3339 time (2026-11-26T06:00:00Z) or a duration (24h)", v)
	}
	return t, nil
}

// findingFilter reads the filters of /api/findings: status (open, resolved, reopened; comma
// separated), check, subscription, target, since, limit.
func findingFilter(r *http.Request, now time.Time) (store.FindingFilter, error) {
	q := r.URL.Query()
	f := store.FindingFilter{CheckID: q.Get("check"), Subscription: q.Get("subscription"), Target: q.Get("target")}
	for _, st := range strings.Split(q.Get("status"), ",") {
		switch st = strings.TrimSpace(st); st {
		case "":
		case string(store.Open), string(store.Resolved), string(store.Reopened):
			f.States = append(f.States, store.State(st))
		default:
			return f, fmt.Errorf("status=%q: want open, resolved or reopened", st)
		}
	}
	var err error
	if f.Since, err = parseSince(q.Get("since"), now); err != nil {
		return f, err
	}
	f.Limit = 1000
	if v := q.Get("limit"); v != "" {
		if f.Limit, err = strconv.Atoi(v); err != nil || f.Limit <= 0 {
			return f, fmt.Errorf("limit=%q: want a positive number", v)
		}
	}
	return f, nil
}

func (s *server) apiFindings(w http.ResponseWriter, r *http.Request) {
	f, err := findingFilter(r, s.Now())
	if err != nil {
		apiError(w, http.StatusBadRequest, "%v", err)
		return
	}
	fs, err := s.Store.Findings(r.Context(), f)
	if err != nil {
		apiError(w, http.StatusInternalServerError, "%v", err)
		return
	}
	if fs == nil {
		fs = []store.Finding{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"findings": fs})
}

func (s *server) apiScans(w http.ResponseWriter, r *http.Request) {
	limit := 100
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			apiError(w, http.StatusBadRequest, "limit=%q: want a positive number", v)
			return
		}
		limit = n
	}
	scans, err := s.Store.Scans(r.Context(), r.URL.Query().Get("target"), limit)
	if err != nil {
		apiError(w, http.StatusInternalServerError, "%v", err)
		return
	}
	if scans == nil {
		scans = []store.Scan{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"scans": scans})
}

// apiHistory serves /api/resources/{id}/history. The ID may be URL-escaped as one segment
// (%2Fsubscriptions%2F…) or written out (/api/resources/subscriptions/…/history); IaC resources
// are named file#address (# escaped as %23).
func (s *server) apiHistory(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutSuffix(r.PathValue("rest"), "/history")
	if !ok || rest == "" {
		apiError(w, http.StatusNotFound, "want /api/resources/{id}/history")
		return
	}
	id := rest
	if strings.HasPrefix(strings.ToLower(id), "subscriptions/") {
		id = "/" + id
	}
	events, err := s.Store.History(r.Context(), id)
	if err != nil {
		apiError(w, http.StatusInternalServerError, "%v", err)
		return
	}
	if events == nil {
		events = []store.Event{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"resource": id, "events": events})
}

func (s *server) apiSuppressions(w http.ResponseWriter, r *http.Request) {
	var now time.Time
	if r.URL.Query().Get("all") == "" {
		now = s.Now()
	}
	sups, err := s.Store.Suppressions(r.Context(), now)
	if err != nil {
		apiError(w, http.StatusInternalServerError, "%v", err)
		return
	}
	if sups == nil {
		sups = []store.Suppression{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"suppressions": sups})
}

// apiSuppress records a person's suppression: {"check_id", "resource" (glob over ARM ID, address
// or name), "who", "why", "expires" (RFC 3339, optional)}.
func (s *server) apiSuppress(w http.ResponseWriter, r *http.Request) {
	// A cross-site form cannot send application/json without a CORS preflight, which is never
	// granted: this keeps a web page from writing suppressions through a browser on this machine.
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		apiError(w, http.StatusUnsupportedMediaType, "send the suppression as Content-Type: application/json")
		return
	}
	var in store.Suppression
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		apiError(w, http.StatusBadRequest, "want {\"check_id\", \"resource\", \"who\", \"why\", \"expires\"}: %v", err)
		return
	}
	if in.CheckID == "" || in.Who == "" || in.Why == "" {
		apiError(w, http.StatusBadRequest, "check_id, who and why are required: a suppression nobody can explain is a finding waiting to happen")
		return
	}
	if !in.Expires.IsZero() && !in.Expires.After(s.Now()) {
		apiError(w, http.StatusBadRequest, "expires %s is in the past", in.Expires.Format(time.RFC3339))
		return
	}
	in.ID, in.Created = 0, s.Now()
	out, err := s.Store.Suppress(r.Context(), in)
	if err != nil {
		apiError(w, http.StatusInternalServerError, "%v", err)
		return
	}
	writeJSON(w, http.StatusCreated, out)
}

// eventGridEvent is an event in the Event Grid schema or in CloudEvents 1.0; the fields lensix
// reads have different names in each.
type eventGridEvent struct {
	EventType   string `json:"eventType"` // Event Grid schema
	Type        string `json:"type"`      // CloudEvents
	Subject     string `json:"subject"`
	SpecVersion string `json:"specversion"`
	Data        struct {
		ValidationCode string `json:"validationCode"`
		ResourceURI    string `json:"resourceUri"`
	} `json:"data"`
}

const (
	validationEvent    = "Microsoft.EventGrid.SubscriptionValidationEvent"
	resourceWriteEvent = "Microsoft.Resources.ResourceWriteSuccess"
)

// eventGrid accepts Event Grid deliveries: the subscription validation handshake, and resource
// write events (Event Grid schema or CloudEvents), which queue a rescan of the targets covering
// the resource.
func (s *server) eventGrid(w http.ResponseWriter, r *http.Request) {
	body := http.MaxBytesReader(w, r.Body, 1<<20)
	var events []eventGridEvent
	dec := json.NewDecoder(body)
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/cloudevents+json") {
		var one eventGridEvent
		if err := dec.Decode(&one); err != nil {
			apiError(w, http.StatusBadRequest, "not a CloudEvent: %v", err)
			return
		}
		events = append(events, one)
	} else if err := dec.Decode(&events); err != nil {
		apiError(w, http.StatusBadRequest, "not an Event Grid delivery (a JSON array of events): %v", err)
		return
	}
	var rescans []string
	seen := map[string]bool{}
	for _, e := range events {
		kind := e.EventType
		if kind == "" {
			kind = e.Type
		}
		s.Metrics.eventReceived(kind)
		switch kind {
		case validationEvent:
			if e.Data.ValidationCode == "" {
				apiError(w, http.StatusBadRequest, "validation event without data.validationCode")
				return
			}
			writeJSON(w, http.StatusOK, map[string]string{"validationResponse": e.Data.ValidationCode})
			return
		case resourceWriteEvent:
			id := e.Data.ResourceURI
			if id == "" {
				id = e.Subject
			}
			for _, name := range s.Monitor.Trigger(id) {
				if !seen[name] {
					seen[name] = true
					rescans = append(rescans, name)
				}
			}
		}
	}
	sort.Strings(rescans)
	if rescans == nil {
		rescans = []string{}
	}
	s.Logger.Info("event grid delivery", "events", len(events), "rescans", rescans)
	writeJSON(w, http.StatusOK, map[string]any{"rescans": rescans})
}

// cloudEventsHandshake answers the CloudEvents webhook validation (an OPTIONS request naming
// the sender in WebHook-Request-Origin).
func (s *server) cloudEventsHandshake(w http.ResponseWriter, r *http.Request) {
	origin := r.Header.Get("WebHook-Request-Origin")
	if origin == "" {
		http.Error(w, "missing WebHook-Request-Origin", http.StatusBadRequest)
		return
	}
	w.Header().Set("WebHook-Allowed-Origin", origin)
	w.Header().Set("Allow", "POST, OPTIONS")
	w.WriteHeader(http.StatusOK)
}

// Serve serves h on addr until ctx ends, then shuts down gracefully.
func Serve(ctx context.Context, addr string, h http.Handler, logger *slog.Logger) error {
	srv := &http.Server{Addr: addr, Handler: h, ReadHeaderTimeout: 10 * time.Second}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	logger.Info("serving dashboard and API", "url", "http://"+ln.Addr().String()+"/")
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return srv.Shutdown(sctx)
	}
}
