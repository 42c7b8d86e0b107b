package request

import (
	"bytes"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestDueAtMidnight: the working days of a deadline count from the China
// day of submission. One second before and at midnight on 30/31 December
// are the same day in UTC (15:59:59 and 16:00:00) but two days in China,
// and the deadlines differ by one working day; around New Year's Day
// (Friday 1 January 2027 off) the count skips the holiday and the weekend.
func TestDueAtMidnight(t *testing.T) {
	cal := calendar.Builtin()
	for _, c := range []struct {
		submitted, want string
		n               int
	}{
		// Wednesday 30 December, last second: 31 Dec, 4 Jan, 5 Jan.
		{"2026-12-30T23:59:59+08:00", "2027-01-05T23:59:59+08:00", 3},
		// Thursday 31 December, first second: 4, 5, 6 January.
		{"2026-12-31T00:00:00+08:00", "2027-01-06T23:59:59+08:00", 3},
		// The last second of the year and the first of the next: the
		// first working day after either is Monday 4 January.
		{"2026-12-31T23:59:59+08:00", "2027-01-04T23:59:59+08:00", 1},
		{"2027-01-01T00:00:00+08:00", "2027-01-04T23:59:59+08:00", 1},
	} {
		at, _ := time.Parse(time.RFC3339, c.submitted)
		want, _ := time.Parse(time.RFC3339, c.want)
		due, est := Due(cal, General, at, c.n)
		if !due.Equal(want) || est {
			t.Errorf("submitted %s +%d: due %s (estimated %v), want %s", c.submitted, c.n, due.In(calendar.China).Format(time.RFC3339), est, c.want)
		}
	}
	// An urgent request is due 24 clock hours later, across the year.
	at, _ := time.Parse(time.RFC3339, "2026-12-31T23:59:59+08:00")
	if due, _ := Due(cal, Urgent, at, 0); !due.Equal(at.Add(24 * time.Hour)) {
		t.Errorf("urgent at the year's last second: due %s", due.In(calendar.China).Format(time.RFC3339))
	}
}

// TestDueWithoutHolidayData: a deadline that runs into a year with no
// holiday schedule (2028: neither built in nor loaded) is flagged, names
// the year for the administrator, and is logged; once 2028 is loaded it
// names none.
func TestDueWithoutHolidayData(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		w := newWorld(t, db)
		var logs bytes.Buffer
		w.s = w.s.WithLog(slog.New(slog.NewJSONHandler(&logs, nil)))
		w.now = time.Date(2027, 12, 30, 1, 0, 0, 0, time.UTC) // 09:00 on Thursday 30 December 2027 in China
		r := w.submit(t, Input{Category: "ev_charging", Description: "充电桩不够", Channel: "talk_room", HouseholdID: w.green.ID})
		r = w.apply(t, r.ID, Change{Action: Accept, Urgency: General, Handling: Community, WorkingDays: 5})
		if !r.DueEstimated || r.DueAt == nil || calendar.DayOf(*r.DueAt) != (calendar.Date{Y: 2028, M: 1, D: 6}) {
			t.Fatalf("accepted into 2028: due %v estimated %v", r.DueAt, r.DueEstimated)
		}
		cal, err := calendar.Load(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		if got := r.NoHolidayData(cal); !slices.Equal(got, []int{2028}) {
			t.Errorf("years without holiday data: %v, want [2028]", got)
		}
		if out := logs.String(); !strings.Contains(out, `"level":"WARN"`) || !strings.Contains(out, "no holiday data") ||
			!strings.Contains(out, `"years":[2028]`) {
			t.Errorf("the log does not name 2028:\n%s", out)
		}
		// A deadline inside known years is not flagged, and logs nothing.
		logs.Reset()
		w.now = time.Date(2027, 6, 1, 1, 0, 0, 0, time.UTC)
		known := w.submit(t, Input{Category: "ev_charging", Description: "充电桩不够", Channel: "talk_room", HouseholdID: w.green.ID})
		if known = w.apply(t, known.ID, Change{Action: Accept, Urgency: General, Handling: Community, WorkingDays: 5}); known.DueEstimated ||
			known.NoHolidayData(cal) != nil || logs.Len() != 0 {
			t.Errorf("a deadline in 2027: estimated %v, years %v, log %q", known.DueEstimated, known.NoHolidayData(cal), logs.String())
		}
		// A second request into 2028, extended by 3 working days.
		w.now = time.Date(2027, 12, 30, 2, 0, 0, 0, time.UTC)
		ext := w.submit(t, Input{Category: "ev_charging", Description: "路灯不亮", Channel: "talk_room", HouseholdID: w.green.ID})
		ext = w.apply(t, ext.ID, Change{Action: Accept, Urgency: General, Handling: Community, WorkingDays: 5})
		ext = w.apply(t, ext.ID, Change{Action: AskExtension, Days: 3, Note: "等配件"})
		ext = w.apply(t, ext.ID, Change{Action: ApproveExtension})
		if calendar.DayOf(*ext.DueAt) != (calendar.Date{Y: 2028, M: 1, D: 11}) || !ext.DueEstimated {
			t.Fatalf("extended into 2028: due %v estimated %v", ext.DueAt, ext.DueEstimated)
		}
		// Loading 2028 with Monday 3 January off counts both deadlines
		// again, in the same transaction: a day later, and exact.
		recounted := 0
		if err := calendar.SaveYears(ctx, db, []int{2028}, []calendar.Day{{Day: calendar.Date{Y: 2028, M: 1, D: 3}, Name: "元旦"}}, "admin", w.now,
			func(tx *store.Tx) (err error) {
				recounted, err = RecountDue(ctx, tx, household.Actor{Name: "admin"}, w.now)
				return err
			}); err != nil {
			t.Fatal(err)
		}
		if cal, err = calendar.Load(ctx, db); err != nil {
			t.Fatal(err)
		}
		before := known.Version
		get := func(id int64) *Request {
			r, err := w.s.Get(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		r, ext, known = get(r.ID), get(ext.ID), get(known.ID)
		if recounted != 2 || r.NoHolidayData(cal) != nil || r.DueEstimated || calendar.DayOf(*r.DueAt) != (calendar.Date{Y: 2028, M: 1, D: 7}) ||
			ext.DueEstimated || calendar.DayOf(*ext.DueAt) != (calendar.Date{Y: 2028, M: 1, D: 12}) || known.Version != before {
			t.Errorf("2028 loaded: %d recounted; due %v (estimated %v), extended due %v (estimated %v); the 2027 one's version %d, was %d",
				recounted, r.DueAt, r.DueEstimated, ext.DueAt, ext.DueEstimated, known.Version, before)
		}
		last := r.Timeline[len(r.Timeline)-1]
		if last.Kind != DueRecounted || !strings.Contains(last.Data, `"from":"2028-01-06T23:59:59+08:00"`) || !strings.Contains(last.Data, `"due_at":"2028-01-07T23:59:59+08:00"`) {
			t.Errorf("the timeline's last entry: %+v", last)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM outbox WHERE kind = 'request.due_recounted'`); n != 2 {
			t.Errorf("%d messages to the handlers, want one for each deadline moved", n)
		}
		// Counting again changes nothing.
		if err := db.InTx(ctx, func(tx *store.Tx) (err error) {
			recounted, err = RecountDue(ctx, tx, household.Actor{Name: "admin"}, w.now)
			return err
		}); err != nil || recounted != 0 {
			t.Errorf("a second recount: %d (%v), want 0", recounted, err)
		}
	})
}
