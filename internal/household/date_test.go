package household

import (
	"testing"
	"time"

	"wanhu/internal/apperr"
)

// TestDayRange: a period of China days runs from the midnight of its
// first day in China to the midnight after its last; without bounds, from
// the epoch to the end of today; a bad day names its field.
func TestDayRange(t *testing.T) {
	today := Date{Y: 2026, M: 11, D: 29}
	start, end, err := DayRange("2026-01-01", "2026-09-30", today)
	if err != nil || !start.Equal(time.Date(2025, 12, 31, 16, 0, 0, 0, time.UTC)) || !end.Equal(time.Date(2026, 9, 30, 16, 0, 0, 0, time.UTC)) {
		t.Errorf("2026-01-01..2026-09-30: %v – %v, %v", start, end, err)
	}
	start, end, err = DayRange("", "", today)
	if err != nil || !start.Equal(time.Unix(0, 0)) || end.Format(time.RFC3339) != "2026-11-30T00:00:00+08:00" {
		t.Errorf("no bounds: %v – %v, %v", start, end, err)
	}
	for _, c := range []struct{ from, to, field string }{{"2026-02-30", "", "from"}, {"", "yesterday", "to"}} {
		_, _, err := DayRange(c.from, c.to, today)
		if fe, ok := apperr.AsField(err); !ok || fe.Field != c.field {
			t.Errorf("%q %q: %v, want an error on %s", c.from, c.to, err, c.field)
		}
	}
}
