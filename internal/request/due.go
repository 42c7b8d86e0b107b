package request

import (
	"time"

	"wanhu/internal/calendar"
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
