package visit

import (
	"fmt"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/calendar"
)

// Week is an ISO 8601 week ("2026-W49"), Monday to Sunday, the period of a
// weekly plan.
type Week struct {
	Year, Num int
}

// ParseWeek reads "YYYY-Www"; a bad value is a FieldError on field.
func ParseWeek(field, s string) (Week, error) {
	var w Week
	if n, err := fmt.Sscanf(s, "%4d-W%2d", &w.Year, &w.Num); err != nil || n != 2 || len(s) != 8 {
		return Week{}, apperr.Field(field, "format", "must be an ISO week like 2026-W49")
	}
	if y, n := w.Monday().Time().ISOWeek(); y != w.Year || n != w.Num || w.Num < 1 {
		return Week{}, apperr.Field(field, "format", "year %d has no week %d", w.Year, w.Num)
	}
	if calendar.CheckDate(field, w.Monday()) != nil || calendar.CheckDate(field, w.Sunday()) != nil {
		return Week{}, apperr.Field(field, "date_range", "must be a week from %s to %s", calendar.FirstDate, calendar.LastDate)
	}
	return w, nil
}

// WeekOf returns the ISO week that contains d.
func WeekOf(d calendar.Date) Week {
	y, n := d.Time().ISOWeek()
	return Week{y, n}
}

// String returns "YYYY-Www".
func (w Week) String() string { return fmt.Sprintf("%04d-W%02d", w.Year, w.Num) }

// Monday returns the first day of w (week 1 holds 4 January).
func (w Week) Monday() calendar.Date {
	jan4 := time.Date(w.Year, 1, 4, 0, 0, 0, 0, time.UTC)
	back := (int(jan4.Weekday()) + 6) % 7
	return calendar.DateOf(jan4.AddDate(0, 0, -back+(w.Num-1)*7))
}

// Sunday returns the last day of w.
func (w Week) Sunday() calendar.Date {
	return calendar.DateOf(w.Monday().Time().AddDate(0, 0, 6))
}

// Next returns the week after w.
func (w Week) Next() Week {
	return WeekOf(calendar.DateOf(w.Monday().Time().AddDate(0, 0, 7)))
}
