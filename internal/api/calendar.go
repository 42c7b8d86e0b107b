package api

import (
	"net/http"
	"strconv"

	"wanhu/internal/apperr"
	"wanhu/internal/calendar"
	"wanhu/internal/request"
)

// calendarYear is a year of the working-day calendar: the days that differ
// from plain weekdays, and where the schedule comes from (official, loaded
// or estimated).
type calendarYear struct {
	Year   int             `json:"year"`
	Source calendar.Source `json:"source"`
	Days   []calendar.Day  `json:"days"`
	// Recounted is how many deadlines the saved schedule moved (PUT only).
	Recounted *int `json:"recounted,omitempty"`
}

// calendarYearOf answers the {year} of the path, or not found.
func calendarYearOf(r *http.Request) (int, error) {
	y, err := strconv.Atoi(r.PathValue("year"))
	if err != nil || y < 1 || y > 9999 {
		return 0, apperr.ErrNotFound
	}
	return y, nil
}

// calendarGet answers one year of the working-day calendar (anyone signed in).
func (h *handler) calendarGet(w http.ResponseWriter, r *http.Request) {
	y, err := calendarYearOf(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	cal, err := calendar.Load(r.Context(), h.d.DB)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, yearOut(cal, y))
}

// calendarPut replaces the schedule of a year (administrators): the days
// given become its holidays and make-up working days, the others follow
// Monday to Friday.
func (h *handler) calendarPut(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Days []calendar.Day `json:"days"`
	}
	y, err := calendarYearOf(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := decode(w, r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	recounted := 0
	if err := calendar.SaveYears(r.Context(), h.d.DB, []int{y}, in.Days, user(r).Username, h.now(),
		request.Recount(r.Context(), actor(r), h.now(), &recounted)); err != nil {
		h.fail(w, r, err)
		return
	}
	cal, err := calendar.Load(r.Context(), h.d.DB)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := yearOut(cal, y)
	out.Recounted = &recounted
	h.writeJSON(w, r, http.StatusOK, out)
}

func yearOut(cal *calendar.Calendar, y int) calendarYear {
	days, src := cal.Year(y)
	if days == nil {
		days = []calendar.Day{}
	}
	return calendarYear{Year: y, Source: src, Days: days}
}
