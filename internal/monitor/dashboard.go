package monitor

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"time"

	"github.com/lensix/lensix/internal/check"
	"github.com/lensix/lensix/internal/store"
)

var templateFuncs = template.FuncMap{
	"when": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.UTC().Format("2006-01-02 15:04 UTC")
	},
	"resourceURL": resourceURL,
	"resourceRef": resourceRef,
	"seconds":     func(d time.Duration) string { return strconv.FormatFloat(d.Seconds(), 'f', 2, 64) },
}

// resourceRef names a finding's resource for its history: the ARM ID, else file#address.
func resourceRef(f store.Finding) string {
	if f.ResourceID != "" {
		return f.ResourceID
	}
	return f.File + "#" + f.Address
}

func resourceURL(f store.Finding) string { return "/resource?id=" + url.QueryEscape(resourceRef(f)) }

// findingView is a finding with its remediation rendered for the page.
type findingView struct {
	store.Finding
	Remediation check.Remediation
}

// countRow is one line of "open findings by check and subscription".
type countRow struct {
	CheckID, Severity, Subscription string
	Open, Reopened                  int
}

type dashboardData struct {
	Now                      time.Time
	Open, Reopened, Resolved int
	ByCheck                  []countRow
	Chart                    chart
	Findings                 []findingView
	Scans                    []store.Scan
}

func views(fs []store.Finding) []findingView {
	out := make([]findingView, len(fs))
	for i, f := range fs {
		out[i] = findingView{Finding: f}
		if f.State.IsOpen() {
			out[i].Remediation = Remediation(f)
		}
	}
	return out
}

func (s *server) dashboard(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	now := s.Now()
	data := dashboardData{Now: now}
	counts, err := s.Store.Counts(ctx)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	rows := map[[3]string]*countRow{}
	for _, c := range counts {
		switch c.State {
		case store.Open:
			data.Open += c.N
		case store.Reopened:
			data.Reopened += c.N
		case store.Resolved:
			data.Resolved += c.N
			continue
		}
		sub := c.Subscription
		if sub == "" {
			sub = "(IaC)"
		}
		k := [3]string{c.CheckID, c.Severity, sub}
		if rows[k] == nil {
			rows[k] = &countRow{CheckID: c.CheckID, Severity: c.Severity, Subscription: sub}
		}
		if c.State == store.Open {
			rows[k].Open += c.N
		} else {
			rows[k].Reopened += c.N
		}
	}
	for _, r := range rows {
		data.ByCheck = append(data.ByCheck, *r)
	}
	sort.Slice(data.ByCheck, func(i, j int) bool {
		a, b := data.ByCheck[i], data.ByCheck[j]
		if a.CheckID != b.CheckID {
			return a.CheckID < b.CheckID
		}
		return a.Subscription < b.Subscription
	})
	since := now.UTC().Truncate(24*time.Hour).AddDate(0, 0, -29)
	days, err := s.Store.Timeline(ctx, since)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	data.Chart = timelineChart(since, days)
	open, err := s.Store.Findings(ctx, store.FindingFilter{States: []store.State{store.Open, store.Reopened}, Limit: 500})
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	data.Findings = views(open)
	if data.Scans, err = s.Store.Scans(ctx, "", 20); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	s.render(w, "dashboard.html", data)
}

type resourceData struct {
	ID       string
	Findings []findingView
	Events   []store.Event
}

func (s *server) resourcePage(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("id")
	if id == "" {
		http.Error(w, "want /resource?id=RESOURCE", http.StatusBadRequest)
		return
	}
	fs, err := s.Store.Findings(r.Context(), store.FindingFilter{ResourceID: id})
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	events, err := s.Store.History(r.Context(), id)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	s.render(w, "resource.html", resourceData{ID: id, Findings: views(fs), Events: events})
}

func (s *server) render(w http.ResponseWriter, name string, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := s.pages.ExecuteTemplate(w, name, data); err != nil {
		s.Logger.Error("render page", "page", name, "err", err)
	}
}

// chart is the timeline drawn as inline SVG on the server: opened and resolved per day.
type chart struct {
	Width, Height int
	Bars          []bar
	Labels        []label
	Max           int
}

type bar struct {
	X, Y, W, H float64
	Class      string
	Title      string
}

type label struct {
	X, Y   float64
	Text   string
	Anchor string // SVG text-anchor
}

// timelineChart lays out 30 days from since: two bars a day (opened, resolved) on a common scale.
func timelineChart(since time.Time, days []store.Day) chart {
	const n, width, height, top, bottom, left = 30, 720, 180, 10, 24, 30
	c := chart{Width: width, Height: height, Max: 1}
	byDay := map[string]store.Day{}
	for _, d := range days {
		byDay[d.Day.Format("2006-01-02")] = d
	}
	for i := 0; i < n; i++ {
		d := byDay[since.AddDate(0, 0, i).Format("2006-01-02")]
		c.Max = max(c.Max, d.Opened, d.Resolved)
	}
	plot := float64(height - top - bottom)
	slot := float64(width-left) / n
	barW := slot*0.4 - 1
	for i := 0; i < n; i++ {
		day := since.AddDate(0, 0, i)
		d := byDay[day.Format("2006-01-02")]
		x := float64(left) + float64(i)*slot
		for j, v := range []struct {
			n     int
			class string
			verb  string
		}{{d.Opened, "opened", "opened"}, {d.Resolved, "resolved", "resolved"}} {
			h := plot * float64(v.n) / float64(c.Max)
			c.Bars = append(c.Bars, bar{
				X: x + float64(j)*(barW+1) + slot*0.1, Y: float64(top) + plot - h, W: barW, H: h, Class: v.class,
				Title: fmt.Sprintf("%s: %d %s", day.Format("2 Jan"), v.n, v.verb),
			})
		}
		switch {
		case i == n-1: // the last label ends at the right edge instead of running past it
			c.Labels = append(c.Labels, label{X: float64(width), Y: float64(height - 6), Text: day.Format("2 Jan"), Anchor: "end"})
		case i%5 == 0 && i < n-3:
			c.Labels = append(c.Labels, label{X: x, Y: float64(height - 6), Text: day.Format("2 Jan"), Anchor: "start"})
		}
	}
	return c
}
