package web

import (
	"net/http"
	"strconv"
	"strings"

	"wanhu/internal/access"
	"wanhu/internal/apperr"
	"wanhu/internal/calendar"
	"wanhu/internal/request"
)

// calendarPage is one year of the working-day calendar: its holidays and
// make-up working days, where they come from, and for administrators a
// textarea to replace the year.
type calendarPage struct {
	Page
	Year, Prev, Next int
	Source           string
	Days             []calendarDay
	Edit             bool
	Lines            string
	Notice, Error    string
	// EstimatedDue counts the requests being handled whose deadline in
	// this year (estimated) was counted Monday to Friday, for those who
	// may load the year.
	EstimatedDue int
}

// calendarDay is one line of the list.
type calendarDay struct {
	Day, Weekday, Name string
	Workday            bool
}

// calendarShow shows the year of ?year= (this year by default).
func (h *handler) calendarShow(w http.ResponseWriter, r *http.Request) {
	y, err := strconv.Atoi(r.URL.Query().Get("year"))
	if err != nil || y < 1 || y > 9999 {
		y = h.currentDay().Y
	}
	v := calendarPage{Page: h.page(r, "calendar.title", "calendar")}
	if r.URL.Query().Get("saved") != "" {
		v.Notice = v.L.T("calendar.saved", y)
		if n, _ := strconv.Atoi(r.URL.Query().Get("recounted")); n > 0 {
			v.Notice += v.L.T("calendar.recounted", n)
		}
	}
	h.showCalendar(w, r, http.StatusOK, v, y, "")
}

// calendarSave replaces the year of the form with the lines pasted.
func (h *handler) calendarSave(w http.ResponseWriter, r *http.Request) {
	y, err := strconv.Atoi(r.PostForm.Get("year"))
	if err != nil || y < 1 || y > 9999 {
		h.showError(w, r, apperr.Field("year", "calendar_year", "no such year"))
		return
	}
	lines := r.PostForm.Get("lines")
	// fail shows a bad line beside the lines typed (422), any other
	// error as the error page.
	fail := func(err error) {
		fe, bad := apperr.AsField(err)
		if !bad {
			h.showError(w, r, err)
			return
		}
		v := calendarPage{Page: h.page(r, "calendar.title", "calendar")}
		where := fe.Field
		if n, ok := strings.CutPrefix(fe.Field, "line "); ok {
			where = v.L.T("calendar.line", n)
		}
		v.Error = v.L.T("calendar.error", where, v.L.Err(fe))
		h.showCalendar(w, r, http.StatusUnprocessableEntity, v, y, lines)
	}
	days, err := calendar.Parse(lines, y)
	if err != nil {
		fail(err)
		return
	}
	recounted := 0
	if err := calendar.SaveYears(r.Context(), h.db, []int{y}, days, user(r).Username, h.now(),
		request.Recount(r.Context(), actor(r), h.now(), &recounted)); err != nil {
		fail(err)
		return
	}
	to := "/calendar?year=" + strconv.Itoa(y) + "&saved=1"
	if recounted > 0 {
		to += "&recounted=" + strconv.Itoa(recounted)
	}
	seeOther(w, r, to)
}

// showCalendar fills v with year y and renders it; lines, when not empty,
// is what the user typed (kept after an error).
func (h *handler) showCalendar(w http.ResponseWriter, r *http.Request, status int, v calendarPage, y int, lines string) {
	cal, err := calendar.Load(r.Context(), h.db)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	days, src := cal.Year(y)
	v.Year, v.Prev, v.Next = y, y-1, y+1
	v.Source = v.L.T("calendar.source_" + string(src))
	for _, d := range days {
		v.Days = append(v.Days, calendarDay{Day: d.Day.String(), Weekday: v.L.T("calendar.wd_" + strconv.Itoa(int(d.Day.Time().Weekday()))),
			Name: d.Name, Workday: d.Workday})
	}
	v.Edit = can(r, access.Configure)
	if v.Edit && src == calendar.Estimated {
		if v.EstimatedDue, err = request.EstimatedDueIn(r.Context(), h.db, y); err != nil {
			h.showError(w, r, err)
			return
		}
	}
	v.Lines = lines
	if lines == "" {
		v.Lines = calendar.Format(days)
	}
	h.render(w, r, status, "calendar", v)
}
