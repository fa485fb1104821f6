package armsim

import (
	"strings"
	"sync"
	"time"
)

// Faults are the failures a server injects into Resource Manager and Resource Graph requests. The
// Every fields count distinct requests as they arrive: with ThrottleEvery 3, the first tries of
// requests 3, 6, 9… answer 429 and their retries succeed. A value of 1 fails every try of every
// request, which no retry gets past.
type Faults struct {
	// Latency delays every inventory request.
	Latency time.Duration
	// ThrottleEvery: every Nth request answers 429 Too Many Requests with RetryAfter.
	ThrottleEvery int
	// RetryAfter is the wait a 429 asks for (default 1 s; below a second it is also sent as
	// retry-after-ms).
	RetryAfter time.Duration
	// ServerErrorEvery: every Nth request answers 503.
	ServerErrorEvery int
	// DropEvery: every Nth request has its connection closed without an answer.
	DropEvery int
	// Forbidden subscriptions answer 403 AuthorizationFailed to Resource Manager reads; Resource
	// Graph leaves them out of its results, as it does for subscriptions a caller cannot read.
	Forbidden []string
	// GraphQuota is how many Resource Graph queries a client may make per GraphQuotaWindow
	// (default: unlimited); the answers carry x-ms-user-quota-remaining and
	// x-ms-user-quota-resets-after, and a query over quota answers 429.
	GraphQuota       int
	GraphQuotaWindow time.Duration
}

func (f Faults) retryAfter() time.Duration {
	if f.RetryAfter > 0 {
		return f.RetryAfter
	}
	return time.Second
}

func (f Faults) forbids(subscriptionID string) bool {
	for _, s := range f.Forbidden {
		if strings.EqualFold(s, subscriptionID) {
			return true
		}
	}
	return false
}

// quotaWindow tracks Resource Graph's per-user quota: a number of queries per fixed window.
type quotaWindow struct {
	mu    sync.Mutex
	start time.Time
	used  int
}

// take spends one query of the quota; it reports what remains and when the window resets, and
// ok false when the quota was already spent.
func (q *quotaWindow) take(limit int, window time.Duration, now time.Time) (remaining int, resetsAfter time.Duration, ok bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.start.IsZero() || now.Sub(q.start) >= window {
		q.start, q.used = now, 0
	}
	resetsAfter = window - now.Sub(q.start)
	if q.used >= limit {
		return 0, resetsAfter, false
	}
	q.used++
	return limit - q.used, resetsAfter, true
}
