package request

import (
	"context"
	"encoding/json"
	"time"

	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/store"
)

// UrgentWithin is how long an urgent request has from its submission (R13).
const UrgentWithin = 24 * time.Hour

// Due returns the deadline of a request submitted at: 24 clock hours later
// when urgent; when general, the end (23:59:59 China time) of the n-th working
// day after the day of submission. estimated reports that the calendar had
// no official data for a day on the way (plain weekdays were assumed).
func Due(cal *calendar.Calendar, urgency string, submitted time.Time, n int) (due time.Time, estimated bool) {
	if urgency == Urgent {
		return submitted.Add(UrgentWithin).UTC(), false
	}
	day, known := cal.AddWorkingDays(calendar.DayOf(submitted), n)
	return endOf(day), !known
}

// extended returns a deadline moved n working days later (an approved
// extension): the end of the n-th working day after the deadline's day.
func extended(cal *calendar.Calendar, due time.Time, n int) (time.Time, bool) {
	day, known := cal.AddWorkingDays(calendar.DayOf(due), n)
	return endOf(day), !known
}

// endOf is the end of day d in China (23:59:59), so the deadline shows
// on its own day.
func endOf(d calendar.Date) time.Time {
	return time.Date(d.Y, d.M, d.D, 23, 59, 59, 0, calendar.China).UTC()
}

// NoHolidayData returns the years without a holiday schedule that the
// deadline of r was counted through (submission to deadline), when its
// deadline is estimated: what an administrator must load (calendar
// page, or wanhu calendar load) for it to be exact.
func (r *Request) NoHolidayData(cal *calendar.Calendar) []int {
	if !r.DueEstimated || r.DueAt == nil {
		return nil
	}
	return cal.MissingYears(calendar.DayOf(r.SubmittedAt), calendar.DayOf(*r.DueAt))
}

// EstimatedDueIn counts the requests being handled (accepted) whose
// deadline falls in year y of China time and was counted without that
// year's holiday data: what loading the year's schedule would correct.
func EstimatedDueIn(ctx context.Context, q store.Querier, y int) (int, error) {
	from := calendar.Date{Y: y, M: time.January, D: 1}.Midnight().UTC()
	to := calendar.Date{Y: y + 1, M: time.January, D: 1}.Midnight().UTC()
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM requests WHERE state = ? AND due_estimated = ? AND due_at >= ? AND due_at < ?`,
		Accepted, true, from, to).Scan(&n)
	return n, err
}

// DueRecounted is the timeline kind of a deadline counted again after a
// year's holiday schedule was loaded (RecountDue).
const DueRecounted = "due_recounted"

// RecountDue counts again, with the calendar as tx now holds it, the
// deadline of every request being handled whose deadline was estimated
// (counted through a year without holiday data), and returns how many
// moved or became exact. It replays what set the deadline, from the
// timeline: the acceptance (from the submission), a dissatisfied
// callback that reopened the request (from then), and each approved
// extension. A changed request gets a timeline entry naming the old and
// the new deadline, and its handler is told. Call it in the transaction
// that loads the year (calendar.SaveYears), so loading and recounting
// happen together or not at all.
func RecountDue(ctx context.Context, tx *store.Tx, actor household.Actor, now time.Time) (int, error) {
	cal, err := calendar.Load(ctx, tx)
	if err != nil {
		return 0, err
	}
	ids, err := store.IDs(ctx, tx, `SELECT id FROM requests WHERE state = ? AND due_estimated = ? ORDER BY id`, Accepted, true)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		r, err := load(ctx, tx, id)
		if err != nil {
			return n, err
		}
		due, est, ok, err := replayDue(ctx, tx, cal, r)
		if err != nil {
			return n, err
		}
		if !ok || r.DueAt == nil || due.Equal(*r.DueAt) && est == r.DueEstimated {
			continue
		}
		if _, err := tx.ExecContext(ctx, `UPDATE requests SET due_at = ?, due_estimated = ?, updated_at = ?, version = version + 1 WHERE id = ?`,
			due, est, now, id); err != nil {
			return n, err
		}
		after, err := load(ctx, tx, id)
		if err != nil {
			return n, err
		}
		data := map[string]any{"from": r.DueAt.In(calendar.China).Format(time.RFC3339), "due_at": due.In(calendar.China).Format(time.RFC3339)}
		if est {
			data["due_estimated"] = true
		}
		if err := record(ctx, tx, actor, after, DueRecounted, "", "", "", data, now); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// replayDue counts r's deadline again from its timeline; ok is false when
// the timeline holds nothing that set one (a request of an older version).
func replayDue(ctx context.Context, tx *store.Tx, cal *calendar.Calendar, r *Request) (due time.Time, est, ok bool, err error) {
	rows, err := tx.QueryContext(ctx, `SELECT kind, at, to_state, data FROM request_events WHERE request_id = ?
		AND kind IN (?, ?, ?) ORDER BY id`, r.ID, Accept, Callback, ApproveExtension)
	if err != nil {
		return due, false, false, err
	}
	defer rows.Close()
	for rows.Next() {
		var kind, to, data string
		var at time.Time
		if err := rows.Scan(&kind, &at, &to, &data); err != nil {
			return due, false, false, err
		}
		switch {
		case kind == Accept:
			due, est = Due(cal, r.Urgency, r.SubmittedAt, r.WorkingDays)
			ok = true
		case kind == Callback && to == Accepted:
			due, est = Due(cal, r.Urgency, at, r.WorkingDays)
			ok = true
		case kind == ApproveExtension && ok:
			var d struct {
				Days int `json:"days"`
			}
			if err := json.Unmarshal([]byte(data), &d); err != nil || d.Days < 1 {
				return due, false, false, nil // not counted again: left as it is
			}
			var e bool
			due, e = extended(cal, due, d.Days)
			est = est || e
		}
	}
	return due, est, ok, rows.Err()
}

// Recount is RecountDue as the step after a calendar load
// (calendar.SaveYears' then), counting the deadlines it moved into n.
func Recount(ctx context.Context, actor household.Actor, now time.Time, n *int) func(*store.Tx) error {
	return func(tx *store.Tx) (err error) {
		*n, err = RecountDue(ctx, tx, actor, now)
		return err
	}
}
