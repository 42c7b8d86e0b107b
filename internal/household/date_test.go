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

// TestDateRange: the faces take days from FirstDate to LastDate, both
// included, as days or inside instants; anything beyond is a date_range
// error on the field (issue 11: ?to=9999-12-31 gave a year no JSON time
// can hold). Stored days are read whatever their year.
func TestDateRange(t *testing.T) {
	for _, s := range []string{"1900-01-01", "2199-12-31"} {
		if _, err := ParseDate("on", s); err != nil {
			t.Errorf("%s: %v", s, err)
		}
	}
	for _, s := range []string{"1899-12-31", "2200-01-01", "0001-01-01", "9999-12-31"} {
		_, err := ParseDate("on", s)
		if fe, ok := apperr.AsField(err); !ok || fe.Field != "on" || fe.Code != "date_range" {
			t.Errorf("ParseDate %s: %v, want date_range on on", s, err)
		}
		_, _, err = DayRange("", s, Date{Y: 2026, M: 1, D: 1})
		if fe, ok := apperr.AsField(err); !ok || fe.Field != "to" || fe.Code != "date_range" {
			t.Errorf("DayRange to %s: %v, want date_range on to", s, err)
		}
	}
	for _, c := range []struct {
		s, code string
		end     bool
		want    string
	}{
		{"2026-03-01", "", false, "2026-02-28T16:00:00Z"},
		{"2026-03-01", "", true, "2026-03-01T16:00:00Z"},
		{"2026-03-01T08:30:00+08:00", "", false, "2026-03-01T00:30:00Z"},
		{"2199-12-31T23:59:59+08:00", "", false, "2199-12-31T15:59:59Z"},
		{"2199-12-31T23:00:00-05:00", "date_range", false, ""}, // 2200 in China
		{"9999-12-31T00:00:00Z", "date_range", false, ""},
		{"0001-01-01T00:00:00Z", "date_range", false, ""},
		{"0001-01-01", "date_range", false, ""},
		{"soon", "date_format", false, ""},
	} {
		got, err := ParseInstant("from", c.s, c.end)
		fe, _ := apperr.AsField(err)
		switch {
		case c.code == "" && (err != nil || got.UTC().Format(time.RFC3339) != c.want):
			t.Errorf("ParseInstant %s: %v %v, want %s", c.s, got, err, c.want)
		case c.code != "" && (fe == nil || fe.Field != "from" || fe.Code != c.code):
			t.Errorf("ParseInstant %s: %v, want %s on from", c.s, err, c.code)
		}
	}
	var d Date
	if err := d.Scan("1850-06-01"); err != nil || d.Y != 1850 {
		t.Errorf("Scan 1850-06-01: %v %v", d, err)
	}
}
