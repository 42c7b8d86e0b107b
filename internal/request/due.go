package request

import (
	"context"
	"time"

	"wanhu/internal/calendar"
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
