package monitor

import (
	"testing"
	"time"

	"github.com/lensix/lensix/internal/store"
)

func TestTimelineChartScalesBarsToTheBusiestDay(t *testing.T) {
	since := time.Date(2026, 10, 28, 0, 0, 0, 0, time.UTC)
	c := timelineChart(since, []store.Day{
		{Day: since.AddDate(0, 0, 3), Opened: 4, Resolved: 2},
		{Day: since.AddDate(0, 0, 29), Opened: 1},
		{Day: since.AddDate(0, 0, 40), Opened: 99}, // outside the 30 days: not drawn, but not the scale either
	})
	if len(c.Bars) != 60 {
		t.Fatalf("%d bars, want two a day for 30 days", len(c.Bars))
	}
	opened, resolved, last := c.Bars[2*3], c.Bars[2*3+1], c.Bars[2*29]
	if full := float64(c.Height - 10 - 24); opened.H != full || resolved.H*2 != opened.H || last.H*4 != opened.H {
		t.Errorf("bar heights opened %.1f, resolved %.1f, last day %.1f; want the busiest day full height, then 4:2:1", opened.H, resolved.H, last.H)
	}
	if opened.Title != "31 Oct: 4 opened" || resolved.Class != "resolved" {
		t.Errorf("bar = %+v / %+v", opened, resolved)
	}
	for _, b := range c.Bars {
		if b.X+b.W > float64(c.Width) || b.Y < 0 || b.Y+b.H > float64(c.Height) {
			t.Errorf("bar %+v is outside the %dx%d chart", b, c.Width, c.Height)
		}
	}
}
