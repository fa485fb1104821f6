package monitor

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Schedule says when a target is next due.
type Schedule interface {
	// Next returns the first due time strictly after t.
	Next(t time.Time) time.Time
	String() string
}

// Every is a fixed interval.
type Every time.Duration

// Next implements Schedule.
func (e Every) Next(t time.Time) time.Time { return t.Add(time.Duration(e)) }

func (e Every) String() string { return "every " + time.Duration(e).String() }

// Cron is a standard five-field cron expression (minute hour day-of-month month day-of-week),
// evaluated in UTC. It is written here rather than imported: the matching is small, and the
// usual module (robfig/cron) has had no release since 2020.
type Cron struct {
	expr                          string
	minute, hour, dom, month, dow uint64 // bit i set: value i allowed
	domAny, dowAny                bool
}

var cronMacros = map[string]string{
	"@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
	"@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
}

var monthNames = []string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}
var dayNames = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// ParseSchedule reads "@every 5m", a plain duration ("15m"), a macro ("@hourly") or a five-field
// cron expression ("*/15 * * * *").
func ParseSchedule(s string) (Schedule, error) {
	s = strings.TrimSpace(s)
	if rest, ok := strings.CutPrefix(s, "@every "); ok {
		s = strings.TrimSpace(rest)
	}
	if d, err := time.ParseDuration(s); err == nil {
		if d < time.Second {
			return nil, fmt.Errorf("interval %s is shorter than a second", d)
		}
		return Every(d), nil
	}
	return ParseCron(s)
}

// ParseCron parses a five-field cron expression or a macro.
func ParseCron(expr string) (*Cron, error) {
	spec := strings.TrimSpace(expr)
	if m, ok := cronMacros[strings.ToLower(spec)]; ok {
		spec = m
	}
	fields := strings.Fields(spec)
	if len(fields) != 5 {
		return nil, fmt.Errorf("cron expression %q has %d fields; want 5 (minute hour day-of-month month day-of-week), a macro like @hourly, or an interval like 15m", expr, len(fields))
	}
	c := &Cron{expr: expr}
	var err error
	parts := []struct {
		name     string
		dst      *uint64
		min, max int
		names    []string
	}{
		{"minute", &c.minute, 0, 59, nil},
		{"hour", &c.hour, 0, 23, nil},
		{"day-of-month", &c.dom, 1, 31, nil},
		{"month", &c.month, 1, 12, monthNames},
		{"day-of-week", &c.dow, 0, 7, dayNames},
	}
	for i, p := range parts {
		if *p.dst, err = parseField(fields[i], p.min, p.max, p.names); err != nil {
			return nil, fmt.Errorf("cron expression %q: %s field: %w", expr, p.name, err)
		}
	}
	if c.dow&(1<<7) != 0 { // 7 is Sunday too
		c.dow |= 1
	}
	c.domAny, c.dowAny = fields[2] == "*" || fields[2] == "?", fields[4] == "*" || fields[4] == "?"
	return c, nil
}

func parseField(field string, min, max int, names []string) (uint64, error) {
	var bits uint64
	for _, part := range strings.Split(field, ",") {
		rng, stepText, hasStep := strings.Cut(part, "/")
		step := 1
		if hasStep {
			n, err := strconv.Atoi(stepText)
			if err != nil || n <= 0 {
				return 0, fmt.Errorf("bad step %q", stepText)
			}
			step = n
		}
		lo, hi := min, max
		switch {
		case rng == "*" || rng == "?":
		default:
			a, b, isRange := strings.Cut(rng, "-")
			var err error
			if lo, err = value(a, min, max, names); err != nil {
				return 0, err
			}
			hi = lo
			if isRange {
				if hi, err = value(b, min, max, names); err != nil {
					return 0, err
				}
				if hi < lo {
					return 0, fmt.Errorf("range %q runs backwards", rng)
				}
			} else if hasStep {
				hi = max
			}
		}
		for v := lo; v <= hi; v += step {
			bits |= 1 << v
		}
	}
	return bits, nil
}

func value(s string, min, max int, names []string) (int, error) {
	for i, n := range names {
		if strings.EqualFold(s, n) {
			return i + min, nil
		}
	}
	v, err := strconv.Atoi(s)
	if err != nil || v < min || v > max {
		return 0, fmt.Errorf("%q is not a number from %d to %d", s, min, max)
	}
	return v, nil
}

func (c *Cron) String() string { return c.expr }

// dayMatches applies cron's rule: when both day fields are restricted, either may match.
func (c *Cron) dayMatches(t time.Time) bool {
	dom, dow := c.dom&(1<<t.Day()) != 0, c.dow&(1<<int(t.Weekday())) != 0
	switch {
	case c.domAny && c.dowAny:
		return true
	case c.domAny:
		return dow
	case c.dowAny:
		return dom
	default:
		return dom || dow
	}
}

// Next implements Schedule. It skips whole months, days and hours that cannot match, so it
// takes at most a few thousand steps even for a date years away; it returns the zero time for
// an expression that never matches (31 February).
func (c *Cron) Next(t time.Time) time.Time {
	t = t.UTC().Truncate(time.Minute).Add(time.Minute)
	limit := t.AddDate(5, 0, 0)
	for t.Before(limit) {
		switch {
		case c.month&(1<<int(t.Month())) == 0:
			t = time.Date(t.Year(), t.Month()+1, 1, 0, 0, 0, 0, time.UTC)
		case !c.dayMatches(t):
			t = time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, time.UTC)
		case c.hour&(1<<t.Hour()) == 0:
			t = t.Truncate(time.Hour).Add(time.Hour)
		case c.minute&(1<<t.Minute()) == 0:
			t = t.Add(time.Minute)
		default:
			return t
		}
	}
	return time.Time{}
}
