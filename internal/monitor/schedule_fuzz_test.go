package monitor

import (
	"testing"
	"time"
)

// FuzzParseSchedule: any text either fails to parse or gives a schedule whose next time is after
// the time asked about (or zero: never), without panicking or looping.
func FuzzParseSchedule(f *testing.F) {
	for _, seed := range []string{"15m", "@every 1h", "@daily", "*/15 * * * *", "0 9 * * mon-fri", "5,10 6 1-7/2 jan-mar 0,7", "0 0 31 2 *", "* * *", "*/0 * * * *"} {
		f.Add(seed)
	}
	from := time.Date(2026, 11, 26, 6, 7, 30, 0, time.UTC)
	f.Fuzz(func(t *testing.T, spec string) {
		s, err := ParseSchedule(spec)
		if err != nil {
			return
		}
		if next := s.Next(from); !next.IsZero() && !next.After(from) {
			t.Errorf("%q: next %v is not after %v", spec, next, from)
		}
	})
}
