package azure

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestParseTimeSpan(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"00:00:05", 5 * time.Second, true},
		{"00:01:02.5000000", time.Minute + 2500*time.Millisecond, true},
		{"1.00:00:01", 24*time.Hour + time.Second, true},
		{"5", 0, false},
		{"aa:bb:cc", 0, false},
	}
	for _, tt := range tests {
		got, ok := parseTimeSpan(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseTimeSpan(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestQuotaPolicyWaitsOnlyWhenTheQuotaIsSpent(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name      string
		remaining string
		resets    string
		wantUntil time.Time
	}{
		{"quota left: no wait", "3", "00:00:04", time.Time{}},
		{"quota spent: wait until it resets", "0", "00:00:04", now.Add(4 * time.Second)},
		{"no quota headers: no wait", "", "", time.Time{}},
		{"an unreadable reset time: no wait", "0", "soon", time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &quotaPolicy{}
			h := http.Header{}
			if tt.remaining != "" {
				h.Set("x-ms-user-quota-remaining", tt.remaining)
				h.Set("x-ms-user-quota-resets-after", tt.resets)
			}
			p.observe(h, now)
			if !p.until.Equal(tt.wantUntil) {
				t.Errorf("waits until %v, want %v", p.until, tt.wantUntil)
			}
		})
	}
}

func TestGraphQueryAsksForTheTypesAndGroups(t *testing.T) {
	q := GraphQuery([]string{"Microsoft.ApiManagement/service"}, []string{"rg-a", "o'brien"})
	for _, want := range []string{"resources\n", "where type in~ ('microsoft.apimanagement/service')", `where resourceGroup in~ ('rg-a', 'o\'brien')`, "| project id, name, type,", "identity", "properties"} {
		if !strings.Contains(q, want) {
			t.Errorf("query %q lacks %q", q, want)
		}
	}
}
