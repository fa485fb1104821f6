package azure

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// quotaPolicy honours Resource Graph's per-user quota: when an answer says no queries remain
// (x-ms-user-quota-remaining: 0), the next request waits until the quota resets
// (x-ms-user-quota-resets-after) instead of being throttled. It runs on every try, so retries
// wait too.
type quotaPolicy struct {
	mu    sync.Mutex
	until time.Time
}

func (p *quotaPolicy) Do(req *policy.Request) (*http.Response, error) {
	p.mu.Lock()
	wait := time.Until(p.until)
	p.mu.Unlock()
	if wait > 0 {
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-req.Raw().Context().Done():
			t.Stop()
			return nil, req.Raw().Context().Err()
		}
	}
	resp, err := req.Next()
	if resp != nil {
		p.observe(resp.Header, time.Now())
	}
	return resp, err
}

func (p *quotaPolicy) observe(h http.Header, now time.Time) {
	remaining, err := strconv.Atoi(strings.TrimSpace(h.Get("x-ms-user-quota-remaining")))
	if err != nil || remaining > 0 {
		return
	}
	resets, ok := parseTimeSpan(h.Get("x-ms-user-quota-resets-after"))
	if !ok {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if until := now.Add(resets); until.After(p.until) {
		p.until = until
	}
}

// parseTimeSpan reads a .NET TimeSpan as Resource Graph writes it: [d.]hh:mm:ss[.fffffff].
func parseTimeSpan(s string) (time.Duration, bool) {
	s = strings.TrimSpace(s)
	var days time.Duration
	if dot := strings.Index(s, "."); dot >= 0 && dot < strings.Index(s, ":") {
		d, err := strconv.Atoi(s[:dot])
		if err != nil {
			return 0, false
		}
		days, s = time.Duration(d)*24*time.Hour, s[dot+1:]
	}
	parts := strings.Split(s, ":")
	if len(parts) != 3 {
		return 0, false
	}
	h, err1 := strconv.Atoi(parts[0])
	m, err2 := strconv.Atoi(parts[1])
	sec, err3 := strconv.ParseFloat(parts[2], 64)
	if err1 != nil || err2 != nil || err3 != nil || h < 0 || m < 0 || sec < 0 {
		return 0, false
	}
	return days + time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(sec*float64(time.Second)), true
}
