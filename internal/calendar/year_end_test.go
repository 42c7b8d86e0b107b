package calendar

import (
	"slices"
	"testing"
	"time"
)

// TestDayOfAtMidnight: the China day changes at 16:00 UTC, so the last
// second of a year in China is still 31 December and the next is 1
// January, though both are 31 December in UTC.
func TestDayOfAtMidnight(t *testing.T) {
	for _, c := range []struct {
		at   time.Time
		want Date
	}{
		{time.Date(2026, 12, 31, 15, 59, 59, 0, time.UTC), Date{2026, 12, 31}},
		{time.Date(2026, 12, 31, 16, 0, 0, 0, time.UTC), Date{2027, 1, 1}},
		{time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), Date{2027, 1, 1}},
	} {
		if got := DayOf(c.at); got != c.want {
			t.Errorf("DayOf(%s) = %s, want %s", c.at.Format(time.RFC3339), got, c.want)
		}
	}
	if got := (Date{2027, 1, 1}).Midnight(); !got.Equal(time.Date(2026, 12, 31, 16, 0, 0, 0, time.UTC)) {
		t.Errorf("midnight of 1 January 2027 in China: %s", got.UTC())
	}
}

// TestMissingYears: the built-in schedules end with 2027 (lunar-go
// v1.4.7); a span into 2028 names it, one within known years names none,
// and a loaded year is known.
func TestMissingYears(t *testing.T) {
	c := Builtin()
	if got := c.MissingYears(Date{2027, 12, 30}, Date{2029, 1, 5}); !slices.Equal(got, []int{2028, 2029}) {
		t.Errorf("2027–2029: missing %v, want [2028 2029]", got)
	}
	if got := c.MissingYears(Date{2026, 12, 30}, Date{2027, 1, 6}); got != nil {
		t.Errorf("2026–2027: missing %v", got)
	}
	c.years[2028] = Loaded
	if got := c.MissingYears(Date{2027, 12, 30}, Date{2028, 1, 6}); got != nil {
		t.Errorf("2028 loaded: missing %v", got)
	}
}
