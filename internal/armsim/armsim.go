// Package armsim is a local HTTPS emulator of the parts of Azure that lensix talks to: the
// Microsoft Entra token endpoint and its OpenID metadata (client-credentials flow), the
// subscriptions list, Azure Resource Graph queries and API Management services in Resource
// Manager. It serves generated tenants of any size and injects the faults large tenants produce —
// latency, throttling, server errors, forbidden subscriptions, dropped connections — so the real
// Azure SDK can be tested end to end, benchmarked, and demonstrated without an Azure account.
//
// It listens on 127.0.0.1 only, with a self-signed certificate made at start; clients trust it
// through Server.Client or Server.CertPool.
package armsim

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Credentials a client must present at the token endpoint.
const (
	ClientID     = "11111111-2222-3333-4444-555555555555"
	ClientSecret = "armsim-secret"
)

// Server is a running emulator.
type Server struct {
	// URL is the base address, https://127.0.0.1:port, serving Entra, Resource Manager and
	// Resource Graph alike.
	URL string

	tenant   *Tenant
	certPool *x509.CertPool
	http     *http.Server
	listener net.Listener

	mu     sync.Mutex
	faults Faults
	tokens map[string]bool
	// results are Resource Graph result sets being paged through, by skip-token result ID.
	results map[string][]map[string]any

	attempts   map[[32]byte]bool // requests seen, by hash of method, URL and body
	inventoryN atomic.Int64      // distinct requests seen, the clock faults are scheduled by
	stats      stats
	quota      quotaWindow
}

type stats struct {
	token, subscriptions, graph, apimList, apimGet, apimUpdate, dropped, throttled, failed, forbidden atomic.Int64
}

// Stats counts the requests a server answered, by API.
type Stats struct {
	Token         int64 // token requests
	Subscriptions int64 // subscriptions list pages
	Graph         int64 // Resource Graph queries
	APIMList      int64 // API Management list pages
	APIMGet       int64
	APIMUpdate    int64
	Dropped       int64 // connections closed without an answer
	Throttled     int64 // 429 answers
	Failed        int64 // injected 5xx answers
	Forbidden     int64 // 403 answers
}

// Inventory is the number of requests to inventory APIs: subscriptions, Resource Graph and
// API Management lists, faults included.
func (s Stats) Inventory() int64 { return s.Subscriptions + s.Graph + s.APIMList }

// Start serves tenant on a new loopback port until Close.
func Start(tenant *Tenant, faults Faults) (*Server, error) {
	cert, pool, err := selfSignedCert()
	if err != nil {
		return nil, fmt.Errorf("armsim: make certificate: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("armsim: listen: %w", err)
	}
	s := &Server{
		URL:      "https://" + ln.Addr().String(),
		tenant:   tenant,
		certPool: pool,
		listener: ln,
		faults:   faults,
		tokens:   map[string]bool{},
		attempts: map[[32]byte]bool{},
		results:  map[string][]map[string]any{},
	}
	s.http = &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 30 * time.Second,
		// HTTP/1.1 only, so a connection can be hijacked and dropped on purpose.
		TLSConfig:    &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{"http/1.1"}, MinVersion: tls.VersionTLS12},
		TLSNextProto: map[string]func(*http.Server, *tls.Conn, http.Handler){},
		ErrorLog:     nil,
	}
	go func() { _ = s.http.ServeTLS(ln, "", "") }()
	return s, nil
}

// Close stops the server and closes its connections.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := s.http.Shutdown(ctx); err != nil {
		return s.http.Close()
	}
	return nil
}

// Tenant returns the tenant the server serves.
func (s *Server) Tenant() *Tenant { return s.tenant }

// CertPool holds the server's certificate, for a client's TLS configuration.
func (s *Server) CertPool() *x509.CertPool { return s.certPool }

// Client returns an HTTP client that trusts the server and talks to nothing but loopback.
func (s *Server) Client() *http.Client {
	dialer := &net.Dialer{Timeout: 10 * time.Second}
	return &http.Client{Transport: &http.Transport{
		TLSClientConfig:     &tls.Config{RootCAs: s.certPool, MinVersion: tls.VersionTLS12},
		MaxIdleConnsPerHost: 64,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, _, err := net.SplitHostPort(addr)
			if err != nil || !net.ParseIP(host).IsLoopback() {
				return nil, fmt.Errorf("armsim client: refusing to dial %s: only loopback is allowed", addr)
			}
			return dialer.DialContext(ctx, network, addr)
		},
	}}
}

// SetFaults replaces the faults injected from now on.
func (s *Server) SetFaults(f Faults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = f
}

func (s *Server) currentFaults() Faults {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faults
}

// Stats returns the request counts so far.
func (s *Server) Stats() Stats {
	return Stats{
		Token: s.stats.token.Load(), Subscriptions: s.stats.subscriptions.Load(), Graph: s.stats.graph.Load(),
		APIMList: s.stats.apimList.Load(), APIMGet: s.stats.apimGet.Load(), APIMUpdate: s.stats.apimUpdate.Load(),
		Dropped: s.stats.dropped.Load(), Throttled: s.stats.throttled.Load(), Failed: s.stats.failed.Load(),
		Forbidden: s.stats.forbidden.Load(),
	}
}

// ServeHTTP routes a request to Entra, Resource Graph or Resource Manager.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	switch {
	case strings.HasSuffix(path, "/.well-known/openid-configuration"), strings.HasSuffix(path, "/oauth2/v2.0/token"),
		path == "/common/discovery/instance":
		s.serveEntra(w, r)
		return
	}
	if !s.authorized(r) {
		writeARMError(w, http.StatusUnauthorized, "InvalidAuthenticationToken", "The access token is invalid.")
		return
	}
	if r.URL.Query().Get("api-version") == "" {
		writeARMError(w, http.StatusBadRequest, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests.")
		return
	}
	switch {
	case strings.EqualFold(path, "/providers/Microsoft.ResourceGraph/resources"):
		if s.inject(w, r, "") {
			return
		}
		s.stats.graph.Add(1)
		s.serveGraph(w, r)
	default:
		s.serveARM(w, r)
	}
}

// inject applies the configured faults to an inventory request and reports whether it answered.
// subscriptionID is the subscription the request reads, "" for tenant-wide requests.
func (s *Server) inject(w http.ResponseWriter, r *http.Request, subscriptionID string) bool {
	f := s.currentFaults()
	if f.Latency > 0 {
		select {
		case <-time.After(f.Latency):
		case <-r.Context().Done():
			return true
		}
	}
	first, n := s.attempt(r)
	hit := func(k int) bool { return k == 1 || (first && k > 0 && n%int64(k) == 0) }
	switch {
	case hit(f.DropEvery):
		s.stats.dropped.Add(1)
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return true
			}
		}
		panic(http.ErrAbortHandler) // closes the connection where hijacking is not possible
	case hit(f.ThrottleEvery):
		s.stats.throttled.Add(1)
		writeThrottled(w, f.retryAfter())
		return true
	case hit(f.ServerErrorEvery):
		s.stats.failed.Add(1)
		writeARMError(w, http.StatusServiceUnavailable, "ServiceUnavailable", "The service is temporarily unavailable. Please try again later.")
		return true
	case subscriptionID != "" && f.forbids(subscriptionID):
		s.stats.forbidden.Add(1)
		writeARMError(w, http.StatusForbidden, "AuthorizationFailed", fmt.Sprintf(
			"The client '%s' with object id '%s' does not have authorization to perform action 'Microsoft.ApiManagement/service/read' over scope '/subscriptions/%s' or the scope is invalid. If access was recently granted, please refresh your credentials.",
			ClientID, ClientID, subscriptionID))
		return true
	}
	return false
}

// attempt tells a request's first try from its retries, by method, URL and body, and numbers
// first tries. Faults strike first tries only (unless they strike every request), so a retried
// request always gets through however requests interleave: tests stay deterministic.
func (s *Server) attempt(r *http.Request) (first bool, n int64) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	sum := sha256.Sum256(append([]byte(r.Method+" "+r.URL.String()+"\n"), body...))
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.attempts[sum] {
		return false, 0
	}
	s.attempts[sum] = true
	return true, s.inventoryN.Add(1)
}

func writeThrottled(w http.ResponseWriter, after time.Duration) {
	secs := int((after + time.Second - 1) / time.Second)
	w.Header().Set("Retry-After", fmt.Sprint(secs))
	if after < time.Second {
		// Sub-second waits keep tests quick; azcore honours retry-after-ms before Retry-After.
		w.Header().Set("retry-after-ms", fmt.Sprint(after.Milliseconds()))
	}
	writeARMError(w, http.StatusTooManyRequests, "TooManyRequests", "The request was throttled. Please retry after the time given in the Retry-After header.")
}

// writeARMError writes the error body Resource Manager returns.
func writeARMError(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, map[string]any{"error": map[string]any{"code": code, "message": message}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("x-ms-request-id", newID())
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Server) authorized(r *http.Request) bool {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokens[token]
}

// selfSignedCert makes a certificate for 127.0.0.1 and localhost, valid for a day.
func selfSignedCert() (tls.Certificate, *x509.CertPool, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	serial, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{Organization: []string{"lensix armsim"}},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool, nil
}

func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
