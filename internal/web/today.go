package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/calendar"
	"wanhu/internal/proactive"
	"wanhu/internal/visit"
)

// todayPage is the visitor's phone home page. "Today" is the rest of the
// week: the households of this ISO week's plan given to the user's team
// member, in walking order, each with the two one-tap visits. Households
// visited since Monday keep their place in the route, greyed, with the
// outcome, so the visitor sees where they are on the round. Without plan
// items the page lists the user's households due for a visit instead.
type todayPage struct {
	Page
	Week    string
	Planned bool // the rows are this week's plan, not the list of visits due
	Linked  bool // the account is a team member's
	Rows    []todayRow
	Done    int
	// Tasks are the open proactive tasks (未诉先办) of the user's
	// households due today or before, the earliest first; TasksMore how
	// many more there are than shown.
	Tasks     taskBlock
	TasksMore int
}

// todayTasks is how many proactive tasks the today page shows.
const todayTasks = 20

// todayRow is one household on the route.
type todayRow struct {
	HouseholdID int64
	Badge       Badge
	Address     string
	Householder string
	Reasons     []string
	Done        string // the outcome of this week's visit, if any
	DoneAt      string
}

// today shows the route of the week.
func (h *handler) today(w http.ResponseWriter, r *http.Request) {
	v := todayPage{Page: h.page(r, "today.title", "today")}
	now := h.now().In(calendar.China)
	week := visit.WeekOf(calendar.DateOf(now))
	v.Week, v.Linked = week.String(), user(r).TeamMemberID != 0
	var err error
	if v.Linked {
		v.Rows, err = h.todayPlan(r, week)
		v.Planned = len(v.Rows) > 0
	}
	if err == nil && !v.Planned {
		v.Rows, err = h.todayDue(r)
	}
	if err != nil {
		h.showError(w, r, err)
		return
	}
	for _, row := range v.Rows {
		if row.Done != "" {
			v.Done++
		}
	}
	ts, n, err := h.tasks(r).List(r.Context(), proactive.Filter{State: proactive.Open, DueBy: calendar.DateOf(now), Per: todayTasks})
	if err == nil {
		v.Tasks, err = h.taskBlockOf(r, v.Page, ts, "/today", true)
		v.TasksMore = n - len(ts)
	}
	if err != nil {
		h.showError(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "today", v)
}

// todayPlan returns the user's round of this week's plans.
func (h *handler) todayPlan(r *http.Request, week visit.Week) ([]todayRow, error) {
	l := h.locale(r)
	stops, err := h.visits(r).Round(r.Context(), user(r).TeamMemberID, week)
	if err != nil {
		return nil, err
	}
	var rows []todayRow
	for _, st := range stops {
		row := todayRow{HouseholdID: st.HouseholdID, Badge: badge(l, st.Colour), Address: st.Address,
			Householder: st.Householder, Reasons: planReasons(l, st.Reason)}
		if st.VisitedAt != nil {
			row.Done, row.DoneAt = l.Enum("visit_outcome", st.Outcome), l.Time(*st.VisitedAt)
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// planReasons says why a household is in a plan, one phrase per part of
// its reason ("overdue,language:bo").
func planReasons(l *Locale, reason string) []string {
	var out []string
	for _, part := range strings.Split(reason, ",") {
		key, arg, _ := strings.Cut(part, ":")
		if part == "" || !l.Has("plan.reason."+key) {
			continue
		}
		if arg != "" {
			arg = l.Enum("language", arg)
		}
		out = append(out, l.T("plan.reason."+key, arg))
	}
	return out
}

// todayPerPage is how many due households the page lists without a plan.
const todayPerPage = 50

// todayDue returns the households of the user's scope due for a visit
// (a visitor's scope is the households assigned to them), most urgent first.
func (h *handler) todayDue(r *http.Request) ([]todayRow, error) {
	l := h.locale(r)
	ds, _, err := h.visits(r).Due(r.Context(), visit.DueFilter{PerPage: todayPerPage})
	if err != nil {
		return nil, err
	}
	var rows []todayRow
	for _, d := range ds {
		row := todayRow{HouseholdID: d.HouseholdID, Badge: badge(l, d.Colour), Address: d.Address, Householder: d.Householder}
		if d.Overdue {
			row.Reasons = append(row.Reasons, l.T("visit.overdue_days", d.DaysOverdue))
		} else {
			row.Reasons = append(row.Reasons, l.T("plan.reason.due"))
		}
		if d.Offpeak {
			row.Reasons = append(row.Reasons, l.T("visit.offpeak"))
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// syncAnswer is what /visits/sync answers: the visit and whether this
// request created it, or what was wrong.
type syncAnswer struct {
	ID      int64  `json:"id,omitempty"`
	Created bool   `json:"created"`
	Error   string `json:"error,omitempty"`
	Field   string `json:"field,omitempty"`
}

// visitSync records a visit that the phone queued, perhaps in a stairwell
// without signal (static/offline.js): a one-tap visit or the full visit
// form, with household_id, the fields of the form (see visitInput), the
// client_id made at the tap, and age_ms, how long ago the tap was by the
// phone's clock, so a phone whose clock is wrong still dates the visit
// right. The same client_id again is the same visit (200, created false).
// Errors are JSON too: 404, 422 with the field, 503 while the photos find
// no decoding slot (the phone tries again).
func (h *handler) visitSync(w http.ResponseWriter, r *http.Request) {
	hid, _ := strconv.ParseInt(r.PostForm.Get("household_id"), 10, 64)
	in, err := visitInput(r, hid)
	if err != nil {
		h.syncRefused(w, r, err)
		return
	}
	if age, err := strconv.ParseInt(r.PostForm.Get("age_ms"), 10, 64); err == nil && age > 0 {
		at := h.now().Add(-time.Duration(age) * time.Millisecond)
		in.At = &at
	}
	v, created, err := h.visits(r).Record(r.Context(), actor(r), in)
	switch {
	case err == nil && created:
		writeJSON(w, http.StatusCreated, syncAnswer{ID: v.ID, Created: true})
	case err == nil:
		writeJSON(w, http.StatusOK, syncAnswer{ID: v.ID})
	default:
		h.syncRefused(w, r, err)
	}
}

// syncRefused answers a queued visit that was not recorded.
func (h *handler) syncRefused(w http.ResponseWriter, r *http.Request, err error) {
	fe, isField := apperr.AsField(err)
	switch {
	case errors.Is(err, apperr.ErrNotFound):
		writeJSON(w, http.StatusNotFound, syncAnswer{Error: "not_found"})
	case isField:
		writeJSON(w, http.StatusUnprocessableEntity, syncAnswer{Error: fe.Code, Field: fe.Field})
	case errors.Is(err, visit.ErrBusy) || r.Context().Err() != nil:
		w.Header().Set("Retry-After", strconv.Itoa(int(h.photos.RetryAfter().Seconds())))
		writeJSON(w, http.StatusServiceUnavailable, syncAnswer{Error: "busy"})
	default:
		h.log.ErrorContext(r.Context(), "web", "route", r.Pattern, "error", err)
		writeJSON(w, http.StatusInternalServerError, syncAnswer{Error: "internal"})
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
