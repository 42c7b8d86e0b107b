// Package calendar knows which days are working days in China: Monday to
// Friday, except the official holidays, plus the make-up working weekend
// days (调休) the State Council moves around them.
//
// The official schedule of each year is published only in November or
// December of the year before. The program carries the schedules known when
// it was built (github.com/6tail/lunar-go's HolidayUtil); administrators load
// later years, or correct single days, into the database, and those
// corrections win. A year with neither is "estimated": plain Monday–Friday,
// and every answer about it says so.
package calendar

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/6tail/lunar-go/HolidayUtil"

	"wanhu/internal/store"
)

// Day is a day that differs from, or is named beyond, the plain weekday
// rule: a holiday (Workday false) or a make-up working day (Workday true).
type Day struct {
	Day     Date   `json:"day"`
	Workday bool   `json:"workday"`
	Name    string `json:"name"`
}

// Source says where a year's schedule comes from.
type Source string

const (
	Official  Source = "official"  // built into the program
	Loaded    Source = "loaded"    // loaded by an administrator
	Estimated Source = "estimated" // no data: plain Monday–Friday
)

// Calendar is the working-day calendar: built-in official data with the
// administrators' corrections on top. It is read-only once loaded.
type Calendar struct {
	days  map[Date]Day
	years map[int]Source // official or loaded years
}

// builtin is the official data carried by lunar-go: its days, and the years
// whose schedule it holds (the years its holidays belong to, so the make-up
// day 2025-12-28 of a 2026 holiday does not make 2025 "known").
var builtin = sync.OnceValue(func() *Calendar {
	c := &Calendar{days: map[Date]Day{}, years: map[int]Source{}}
	for y := 2001; y <= 2100; y++ {
		for e := HolidayUtil.GetHolidaysByYear(y).Front(); e != nil; e = e.Next() {
			h := e.Value.(*HolidayUtil.Holiday)
			d, err := ParseDate("day", h.GetDay())
			t, err2 := ParseDate("target", h.GetTarget())
			if err != nil || err2 != nil {
				panic(fmt.Sprintf("calendar: bad built-in holiday %v", h))
			}
			c.days[d] = Day{Day: d, Workday: h.IsWork(), Name: h.GetName()}
			c.years[t.Y] = Official
		}
	}
	return c
})

// Builtin returns the calendar of the official data alone, for when there
// is no database at hand.
func Builtin() *Calendar {
	b := builtin()
	return &Calendar{days: maps.Clone(b.days), years: maps.Clone(b.years)}
}

// Load returns the working-day calendar: built-in official data (github.com/6tail/lunar-go
// HolidayUtil) with the administrators' corrections from the database on top.
func Load(ctx context.Context, q store.Querier) (*Calendar, error) {
	c := Builtin()
	rows, err := q.QueryContext(ctx, `SELECT year FROM calendar_years`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var y int
		if err := rows.Scan(&y); err != nil {
			return nil, err
		}
		c.years[y] = Loaded
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	maps.DeleteFunc(c.days, func(d Date, _ Day) bool { return c.years[d.Y] == Loaded })
	rows, err = q.QueryContext(ctx, `SELECT day, workday, name FROM calendar_days`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var d Day
		if err := rows.Scan(&d.Day, &d.Workday, &d.Name); err != nil {
			return nil, err
		}
		c.days[d.Day] = d
	}
	return c, rows.Err()
}

// IsWorkday reports whether d is a working day, and whether the year of d has official data
// (known false: plain Monday–Friday was assumed).
func (c *Calendar) IsWorkday(d Date) (work, known bool) {
	known = c.years[d.Y] != ""
	if e, ok := c.days[d]; ok {
		return e.Workday, known
	}
	return weekday(d), known
}

// AddWorkingDays returns the n-th working day after d (d itself not counted), and known=false
// when any day on the way fell in a year without data (computed on plain weekdays then).
// For n <= 0 it returns d, known when d's year is.
func (c *Calendar) AddWorkingDays(d Date, n int) (due Date, known bool) {
	if n <= 0 {
		return d, c.years[d.Y] != ""
	}
	known = true
	for n > 0 {
		d = next(d)
		work, k := c.IsWorkday(d)
		known = known && k
		if work {
			n--
		}
	}
	return d, known
}

// Year returns the days of year y that differ from plain weekdays (the
// holidays on a weekday, the make-up working days on a weekend), in date
// order, and where the year's schedule comes from.
func (c *Calendar) Year(y int) ([]Day, Source) {
	var days []Day
	for d, e := range c.days {
		if d.Y == y && e.Workday != weekday(d) {
			days = append(days, e)
		}
	}
	slices.SortFunc(days, func(a, b Day) int { return a.Day.Time().Compare(b.Day.Time()) })
	src := c.years[y]
	if src == "" {
		src = Estimated
	}
	return days, src
}

// weekday reports whether d is Monday to Friday.
func weekday(d Date) bool {
	wd := d.Time().Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// next returns the day after d.
func next(d Date) Date {
	return DateOf(d.Time().AddDate(0, 0, 1))
}

// MissingYears returns the years from the year of from to the year of to
// that have no schedule (neither built in nor loaded), in order: a span of
// working days counted through them assumed plain Monday to Friday, and
// may be wrong once their holidays are published.
func (c *Calendar) MissingYears(from, to Date) []int {
	var ys []int
	for y := from.Y; y <= to.Y; y++ {
		if c.years[y] == "" {
			ys = append(ys, y)
		}
	}
	return ys
}
