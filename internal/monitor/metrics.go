package monitor

import (
	"context"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/lensix/lensix/internal/store"
)

// Metrics are the monitor's Prometheus metrics, in a registry of their own (no global state).
// A nil *Metrics records nothing.
type Metrics struct {
	Registry      *prometheus.Registry
	scans         *prometheus.CounterVec
	scanDuration  *prometheus.HistogramVec
	changes       *prometheus.CounterVec
	notifications *prometheus.CounterVec
	dropped       *prometheus.CounterVec
	events        *prometheus.CounterVec
	azureCalls    *prometheus.CounterVec
	throttles     *prometheus.CounterVec
}

// NewMetrics registers the monitor's metrics, and a collector that reads findings by state and
// severity from st at each scrape.
func NewMetrics(st store.Store) *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		scans: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "lensix_scans_total", Help: "Scans run, by target and status (complete, partial, failed).",
		}, []string{"target", "status"}),
		scanDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "lensix_scan_duration_seconds", Help: "Wall time of a scan, by target.",
			Buckets: prometheus.ExponentialBuckets(0.05, 2, 12),
		}, []string{"target"}),
		changes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "lensix_finding_changes_total", Help: "Finding state changes, by kind (new, resolved, reopened).",
		}, []string{"kind"}),
		notifications: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "lensix_notifications_total", Help: "Notification deliveries, by channel and result (ok, failed).",
		}, []string{"channel", "result"}),
		dropped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "lensix_notifications_dropped_total", Help: "Changes dropped because a channel's queue was full.",
		}, []string{"channel"}),
		azureCalls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "lensix_azure_requests_total", Help: "Requests to Azure by live scans, by API (graph, arm) and HTTP status (error: no answer).",
		}, []string{"api", "status"}),
		throttles: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "lensix_azure_throttled_total", Help: "Azure requests answered 429 Too Many Requests, by API.",
		}, []string{"api"}),
		events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "lensix_eventgrid_events_total", Help: "Event Grid events received, by type.",
		}, []string{"type"}),
	}
	m.Registry.MustRegister(m.scans, m.scanDuration, m.changes, m.notifications, m.dropped, m.events, m.azureCalls, m.throttles,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if st != nil {
		m.Registry.MustRegister(&findingsCollector{st: st})
	}
	return m
}

func (m *Metrics) scanned(target string, status store.ScanStatus, d time.Duration, changes []store.Change) {
	if m == nil {
		return
	}
	m.scans.WithLabelValues(target, string(status)).Inc()
	m.scanDuration.WithLabelValues(target).Observe(d.Seconds())
	for _, c := range changes {
		m.changes.WithLabelValues(string(c.Kind)).Inc()
	}
}

func (m *Metrics) notificationSent(channel, result string) {
	if m != nil {
		m.notifications.WithLabelValues(channel, result).Inc()
	}
}

func (m *Metrics) notificationDropped(channel string, n int) {
	if m != nil {
		m.dropped.WithLabelValues(channel).Add(float64(n))
	}
}

// azureRequest counts one Azure request, named by the API its path belongs to.
func (m *Metrics) azureRequest(path, status string) {
	if m == nil {
		return
	}
	p := strings.ToLower(path)
	api := "arm"
	if strings.Contains(p, "/providers/microsoft.resourcegraph/") {
		api = "graph"
	}
	m.azureCalls.WithLabelValues(api, status).Inc()
	if status == "429" {
		m.throttles.WithLabelValues(api).Inc()
	}
}

func (m *Metrics) eventReceived(eventType string) {
	if m != nil {
		m.events.WithLabelValues(eventType).Inc()
	}
}

// findingsCollector reports current findings by state and severity straight from the store, so
// the gauge is right after a restart too.
type findingsCollector struct{ st store.Store }

var findingsDesc = prometheus.NewDesc("lensix_findings", "Findings by lifecycle state and severity.", []string{"state", "severity"}, nil)

func (c *findingsCollector) Describe(ch chan<- *prometheus.Desc) { ch <- findingsDesc }

func (c *findingsCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	all, err := c.st.Counts(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(findingsDesc, err)
		return
	}
	counts := map[[2]string]int{}
	for _, n := range all {
		counts[[2]string{string(n.State), n.Severity}] += n.N
	}
	for k, n := range counts {
		ch <- prometheus.MustNewConstMetric(findingsDesc, prometheus.GaugeValue, float64(n), k[0], k[1])
	}
}
