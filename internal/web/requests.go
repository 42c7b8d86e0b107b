package web

import (
	"net/http"
	"slices"
	"strconv"

	"wanhu/internal/access"
	"wanhu/internal/calendar"
	"wanhu/internal/org"
	"wanhu/internal/request"
)

// requests returns the request store as the signed-in user may see it.
func (h *handler) requests(r *http.Request) *request.Store {
	return h.requestsIn(access.Scope(user(r)))
}

// requestsIn returns the requests of scope (a user's, or narrowed to a
// community of it).
func (h *handler) requestsIn(scope org.Scope) *request.Store {
	return request.NewStore(h.db, h.households).In(scope, h.households.In(scope)).WithLog(h.log)
}

// readsRequests lets through who submits or handles requests; each sees
// the requests of their scope.
func (h *handler) readsRequests(fn http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !can(r, access.SubmitRequests) && !can(r, access.HandleRequests) {
			h.forbidden(w, r)
			return
		}
		fn(w, r)
	}
}

// categoryNames maps each category code to its name in l's language.
func (h *handler) categoryNames(r *http.Request, l *Locale) ([]request.Category, map[string]string, error) {
	cs, err := request.Categories(r.Context(), h.db)
	names := map[string]string{}
	for _, c := range cs {
		names[c.Code] = l.Name(c.Name, c.NameEN)
	}
	return cs, names, err
}

// timeLeft says how long until a deadline ("剩 3 小时") or how long past
// it ("逾期 2 天").
func timeLeft(l *Locale, secs int64) string {
	key, n := "requests.left", secs
	if secs < 0 {
		key, n = "requests.late", -secs
	}
	switch {
	case n >= 24*3600:
		return l.T(key+"_days", n/(24*3600))
	case n >= 3600:
		return l.T(key+"_hours", n/3600)
	}
	return l.T(key+"_minutes", max(n/60, 1))
}

// short cuts s to n characters.
func short(s string, n int) string {
	if rs := []rune(s); len(rs) > n {
		return string(rs[:n]) + "…"
	}
	return s
}

// requestRow is a request on the work queue.
type requestRow struct {
	ID                                     int64
	Category, Description, Address, Due    string
	State, StateCode, Urgency, UrgencyCode string
	Left                                   string
	Overdue, Estimated                     bool
}

func queueRow(l *Locale, names map[string]string, rq request.Request) requestRow {
	row := requestRow{ID: rq.ID, Category: names[rq.Category], Description: short(rq.Description, 40), Address: rq.Address,
		State: l.Enum("requests.state", rq.State), StateCode: rq.State, UrgencyCode: rq.Urgency, Overdue: rq.Overdue, Estimated: rq.DueEstimated}
	if rq.Urgency != "" {
		row.Urgency = l.T("requests.urgency." + rq.Urgency)
	}
	if rq.DueAt != nil {
		row.Due = l.Time(*rq.DueAt)
	}
	if rq.SecondsLeft != nil {
		row.Left = timeLeft(l, *rq.SecondsLeft)
	}
	return row
}

// queuePage is the work queue: the requests of the user's scope, the
// soonest due (overdue) first.
type queuePage struct {
	Page
	Rows               []requestRow
	States, Categories []Option
	Grid               *gridFilter
	Overdue, CanSubmit bool
	Pager              pager
}

const queuePerPage = 50

// requestQueue lists the requests in scope: by default the open ones;
// ?state= (or "all"), ?grid=, ?category=, ?overdue=true.
func (h *handler) requestQueue(w http.ResponseWriter, r *http.Request) {
	v := queuePage{Page: h.page(r, "requests.queue_title", "requests"), CanSubmit: can(r, access.SubmitRequests)}
	l, q := v.L, r.URL.Query()
	f := request.Filter{Category: q.Get("category"), Overdue: q.Get("overdue") == "true", PerPage: queuePerPage}
	f.Page, _ = strconv.Atoi(q.Get("page"))
	f.Page = max(f.Page, 1)
	state := q.Get("state")
	switch {
	case state == "":
		f.Open = true
	case slices.Contains(request.States, state):
		f.State = state
	}
	v.Overdue = f.Overdue
	v.States = []Option{{Value: "", Label: l.T("requests.open_states")}, {Value: "all", Label: l.T("requests.all_states"), Selected: state == "all"}}
	for _, s := range request.States {
		v.States = append(v.States, Option{Value: s, Label: l.T("requests.state." + s), Selected: s == state})
	}
	cs, names, err := h.categoryNames(r, l)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	rs := h.requests(r)
	f.GridID, _ = strconv.ParseInt(q.Get("grid"), 10, 64)
	if can(r, access.ReadHouseholds) {
		gf, err := h.gridFilterOf(r, access.Scope(v.User), l.T("visit.all_grids"))
		if err != nil {
			h.showError(w, r, err)
			return
		}
		if gf.Communities != nil || len(gf.Grids) > 1 {
			v.Grid = gf
		}
		f.GridID, rs = gf.GridID, h.requestsIn(gf.Scope)
	}
	list, total, err := rs.List(r.Context(), f)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	v.Categories = []Option{{Value: "", Label: l.T("requests.all_categories")}}
	for _, c := range cs {
		v.Categories = append(v.Categories, Option{Value: c.Code, Label: names[c.Code], Selected: c.Code == f.Category})
	}
	for _, rq := range list {
		v.Rows = append(v.Rows, queueRow(l, names, rq))
	}
	v.Pager = newPager("/requests", q, f.Page, queuePerPage, total)
	h.render(w, r, http.StatusOK, "requests", v)
}

// boardPage is the community board.
type boardPage struct {
	Page
	B                     *request.Board
	OnTimeRate, Satisfied string
	Month                 string
}

// requestBoard shows the board of the requests in scope.
func (h *handler) requestBoard(w http.ResponseWriter, r *http.Request) {
	b, err := h.requests(r).Board(r.Context())
	if err != nil {
		h.showError(w, r, err)
		return
	}
	v := boardPage{Page: h.page(r, "requests.board_title", "requests"), B: b, Month: h.now().In(calendar.China).Format("2006-01")}
	percent := func(n, of int) string {
		if of == 0 {
			return "—"
		}
		return strconv.Itoa(n*100/of) + "%"
	}
	v.OnTimeRate, v.Satisfied = percent(b.MonthOnTime, b.MonthResolved), percent(b.MonthSatisfied, b.MonthCallbacks)
	h.render(w, r, http.StatusOK, "requests_board", v)
}
