package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"wanhu/internal/access"
	"wanhu/internal/apperr"
	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/request"
)

// requests returns the request store as the signed-in user may see it.
func (h *handler) requests(r *http.Request) *request.Store {
	return request.NewStore(h.db, h.households).In(access.Scope(user(r)), h.files(r))
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

// actionRight is the right each action of the request page needs (as in
// the API).
var actionRight = map[string]access.Action{
	request.Accept: access.AcceptRequests, request.Decline: access.AcceptRequests, request.Merge: access.AcceptRequests,
	request.ApproveExtension: access.AcceptRequests, request.RefuseExtension: access.AcceptRequests, request.Callback: access.AcceptRequests,
	request.Progress: access.HandleRequests, request.Resolve: access.HandleRequests, request.HandBack: access.HandleRequests,
	request.AskExtension: access.HandleRequests,
}

// staffChannels are the channels of the intake form (the resident's own
// page and Open311 register themselves).
var staffChannels = []string{"hotline", "walk_in", "visit", "grid_group", "talk_room"}

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
	Rows                      []requestRow
	States, Grids, Categories []Option
	Overdue, CanSubmit        bool
	Pager                     pager
}

const queuePerPage = 50

// requestQueue lists the requests in scope: by default the open ones;
// ?state= (or "all"), ?grid=, ?category=, ?overdue=true.
func (h *handler) requestQueue(w http.ResponseWriter, r *http.Request) {
	v := queuePage{Page: h.page(r, "requests.queue_title", "requests"), CanSubmit: can(r, access.SubmitRequests)}
	l, q := v.L, r.URL.Query()
	f := request.Filter{Category: q.Get("category"), Overdue: q.Get("overdue") == "true", PerPage: queuePerPage}
	f.GridID, _ = strconv.ParseInt(q.Get("grid"), 10, 64)
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
	var rs []request.Request
	var total int
	if err == nil {
		rs, total, err = h.requests(r).List(r.Context(), f)
	}
	var gs []org.Grid
	if err == nil && can(r, access.ReadHouseholds) {
		gs, err = h.files(r).Grids(r.Context())
	}
	if err != nil {
		h.showError(w, r, err)
		return
	}
	v.Categories = []Option{{Value: "", Label: l.T("requests.all_categories")}}
	for _, c := range cs {
		v.Categories = append(v.Categories, Option{Value: c.Code, Label: names[c.Code], Selected: c.Code == f.Category})
	}
	if len(gs) > 1 {
		v.Grids = []Option{{Value: "", Label: l.T("visit.all_grids")}}
		for _, g := range gs {
			v.Grids = append(v.Grids, Option{Value: strconv.FormatInt(g.ID, 10), Label: g.Name, Selected: g.ID == f.GridID})
		}
	}
	for _, rq := range rs {
		v.Rows = append(v.Rows, queueRow(l, names, rq))
	}
	v.Pager = newPager("/requests", q, f.Page, queuePerPage, total)
	h.render(w, r, http.StatusOK, "requests", v)
}

// eventRow is one entry of a request's timeline.
type eventRow struct {
	At, Actor, Kind, To, Note string
}

// requestPage is one request: its fields, its timeline, and the forms of
// the steps the user may take now.
type requestPage struct {
	Page
	R                                           *request.Request
	Category, State, Urgency, Handling, Channel string
	Submitted, Accepted, Due, Left, Resolved    string
	Closed, Result                              string
	HouseholdLink                               bool
	Timeline                                    []eventRow
	Forms                                       map[string]bool
	Failed                                      string // the action whose form failed: shown open, with its values
	Posted                                      url.Values
	Error                                       string
	Urgencies, Handlings, Departments, Results  []Option
	Reasons                                     []Option // a dissatisfied callback's reason categories
	Reason                                      string   // the callback's reason, shown
	NeedKinds, Candidates                       []Option
	WorkingDays                                 int
	NoteForms                                   []noteForm
}

// noteForm is the form of a step that takes one text: a note or a reason.
type noteForm struct {
	Action, Field string
	P             *requestPage
}

// noteSteps are the steps whose form is one text, in the page's order.
var noteSteps = []noteForm{{Action: request.Progress, Field: "note"}, {Action: request.Resolve, Field: "note"},
	{Action: request.Decline, Field: "reason"}, {Action: request.ApproveExtension, Field: "note"},
	{Action: request.RefuseExtension, Field: "reason"}, {Action: request.HandBack, Field: "reason"}}

// requestShow shows request {id}.
func (h *handler) requestShow(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r.PathValue("id"))
	if err != nil {
		h.showError(w, r, err)
		return
	}
	h.showRequest(w, r, http.StatusOK, id, "", "")
}

// showRequest renders request id; failed and msg, after a step that
// failed, name its action and say why.
func (h *handler) showRequest(w http.ResponseWriter, r *http.Request, status int, id int64, failed, msg string) {
	ctx := r.Context()
	rq, err := h.requests(r).Get(ctx, id)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	v := requestPage{Page: h.page(r, "", "requests"), R: rq, Failed: failed, Error: msg, Forms: map[string]bool{}}
	l := v.L
	v.Title = l.T("requests.page_title", rq.ID)
	if failed != "" {
		v.Posted = r.PostForm
	}
	cs, names, err := h.categoryNames(r, l)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	v.Category, v.State, v.Channel = names[rq.Category], l.T("requests.state."+rq.State), l.T("requests.channel."+rq.Channel)
	v.Urgency, v.Handling, v.Result = l.Enum("requests.urgency", rq.Urgency), l.Enum("requests.handling", rq.Handling), l.Enum("requests.result", rq.CallbackResult)
	if rq.CallbackReason != "" {
		v.Reason = l.T("requests.reason." + rq.CallbackReason)
	}
	v.Submitted = l.Time(rq.SubmittedAt)
	for _, t := range []struct {
		at  *time.Time
		out *string
	}{{rq.AcceptedAt, &v.Accepted}, {rq.DueAt, &v.Due}, {rq.ResolvedAt, &v.Resolved}, {rq.ClosedAt, &v.Closed}} {
		if t.at != nil {
			*t.out = l.Time(*t.at)
		}
	}
	if rq.SecondsLeft != nil {
		v.Left = timeLeft(l, *rq.SecondsLeft)
	}
	v.HouseholdLink = rq.HouseholdID != 0 && can(r, access.ReadHouseholds)
	for _, e := range rq.Timeline {
		row := eventRow{At: l.Time(e.At), Actor: e.Actor, Kind: l.Value("requests.event", e.Kind), Note: e.Note}
		if e.ToState != "" {
			row.To = l.T("requests.state." + e.ToState)
		}
		v.Timeline = append(v.Timeline, row)
	}
	for _, a := range request.Allowed(rq) {
		if can(r, actionRight[a]) {
			v.Forms[a] = true
		}
	}
	if v.Forms[request.Accept] {
		i := slices.IndexFunc(cs, func(c request.Category) bool { return c.Code == rq.Category })
		urgency := request.General
		if i >= 0 {
			urgency, v.WorkingDays = cs[i].DefaultUrgency, cs[i].WorkingDays
		}
		v.Urgencies = choices(l, "requests.urgency", request.Urgencies, urgency)
		v.Handlings = choices(l, "requests.handling", request.Handlings, request.Community)
		ds, err := org.Units(ctx, h.db, org.Department)
		if err != nil {
			h.showError(w, r, err)
			return
		}
		v.Departments = []Option{{Value: "", Label: "—"}}
		for _, d := range ds {
			v.Departments = append(v.Departments, Option{Value: strconv.FormatInt(d.ID, 10), Label: d.Name})
		}
	}
	if v.Forms[request.Merge] {
		if v.Candidates, err = h.mergeCandidates(r, rq, names); err != nil {
			h.showError(w, r, err)
			return
		}
	}
	if v.Forms[request.Callback] {
		v.Results = choices(l, "requests.result", request.Results, request.Satisfied)
		v.Reasons = append([]Option{{Label: "—"}}, choices(l, "requests.reason", request.CallbackReasons, v.Posted.Get("reason"))...)
		v.NeedKinds = options(l, "need_kind", household.NeedKinds, true)
	}
	for _, n := range noteSteps {
		if v.Forms[n.Action] {
			n.P = &v
			v.NoteForms = append(v.NoteForms, n)
		}
	}
	h.render(w, r, status, "request", v)
}

// choices are the options of an enumeration, cur selected.
func choices(l *Locale, key string, values []string, cur string) []Option {
	out := make([]Option, len(values))
	for i, s := range values {
		out[i] = Option{Value: s, Label: l.T(key + "." + s), Selected: s == cur}
	}
	return out
}

// mergeCandidates are the open requests rq may be a duplicate of: the
// same category, and the same household, building or address.
func (h *handler) mergeCandidates(r *http.Request, rq *request.Request, names map[string]string) ([]Option, error) {
	ctx := r.Context()
	rs, _, err := h.requests(r).List(ctx, request.Filter{Category: rq.Category, Open: true, PerPage: 100})
	if err != nil {
		return nil, err
	}
	building := func(hid int64) int64 {
		if hid == 0 {
			return 0
		}
		if hh, err := h.files(r).HouseholdByID(ctx, hid); err == nil {
			return hh.BuildingID
		}
		return 0
	}
	mine := building(rq.HouseholdID)
	var out []Option
	for _, c := range rs {
		if c.ID == rq.ID || c.State == request.Resolved {
			continue
		}
		same := c.Address == rq.Address || rq.HouseholdID != 0 && c.HouseholdID == rq.HouseholdID ||
			mine != 0 && building(c.HouseholdID) == mine
		if same {
			out = append(out, Option{Value: strconv.FormatInt(c.ID, 10),
				Label: fmt.Sprintf("#%d %s · %s · %s", c.ID, names[c.Category], c.Address, short(c.Description, 20))})
		}
	}
	return out, nil
}

// changeOf reads the form of action.
func changeOf(action string, f url.Values) (request.Change, error) {
	c := request.Change{Action: action}
	var err error
	if c.Version, err = intField(f, "version"); err != nil {
		return c, err
	}
	switch action {
	case request.Accept:
		c.Urgency, c.Handling = f.Get("urgency"), f.Get("handling")
		if c.Handling == request.Referred {
			if c.DepartmentID, err = id64(f, "department_id"); err != nil {
				return c, err
			}
		}
		if c.Urgency == request.General {
			c.WorkingDays, err = intField(f, "working_days")
		}
	case request.Merge:
		c.Into, err = id64(f, "into")
	case request.Progress, request.Resolve, request.ApproveExtension:
		c.Note = f.Get("note")
		if action == request.Resolve {
			c.PublicNote = f.Get("public_note")
		}
	case request.Decline, request.HandBack, request.RefuseExtension:
		c.Note = f.Get("reason")
	case request.AskExtension:
		c.Note = f.Get("reason")
		c.Days, err = intField(f, "days")
	case request.Callback:
		c.Result, c.Note = f.Get("result"), f.Get("comment")
		if c.Result == request.Dissatisfied {
			c.Reason = f.Get("reason")
		}
		if k := f.Get("follow_up_kind"); k != "" {
			c.FollowUp = &household.Need{Kind: k, Note: strings.TrimSpace(f.Get("follow_up_note"))}
		}
	}
	return c, err
}

// requestAct takes a step of the workflow from the request page. A stale
// form or a step the state no longer allows shows the request as it is
// now, with a message; a bad input shows the form again.
func (h *handler) requestAct(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r.PathValue("id"))
	action := r.PathValue("action")
	right, ok := actionRight[action]
	if err != nil || !ok {
		h.showError(w, r, apperr.ErrNotFound)
		return
	}
	if !can(r, right) {
		h.forbidden(w, r)
		return
	}
	c, err := changeOf(action, r.PostForm)
	if err == nil {
		_, err = h.requests(r).Apply(r.Context(), actor(r), id, c)
	}
	if err == nil {
		seeOther(w, r, fmt.Sprintf("/requests/%d#timeline", id))
		return
	}
	l := h.locale(r)
	var te *request.TransitionError
	switch fe, isField := apperr.AsField(err); {
	case errors.As(err, &te):
		h.showRequest(w, r, http.StatusConflict, id, "", l.T("requests.illegal", l.T("requests.action."+action), l.T("requests.state."+te.State)))
	case errors.Is(err, apperr.ErrConflict):
		h.showRequest(w, r, http.StatusConflict, id, "", l.T("requests.stale"))
	case isField && !errors.Is(err, apperr.ErrNotFound):
		h.showRequest(w, r, http.StatusUnprocessableEntity, id, action, requestFieldError(l, fe))
	default:
		h.showError(w, r, err)
	}
}

// requestFieldError says what is wrong with a field of a request form.
func requestFieldError(l *Locale, fe *apperr.FieldError) string {
	label := fe.Field
	if k := "requests.f." + strings.ReplaceAll(fe.Field, ".", "_"); l.Has(k) {
		label = l.T(k)
	}
	msg := l.Err(fe)
	if k := "requests.err." + fe.Code; l.Has(k) {
		msg = l.T(k, fe.Args...)
	}
	return label + ": " + msg
}

// intakePage is the hotline and walk-in intake: few fields, fast.
type intakePage struct {
	Page
	Values                      url.Values
	Categories, Channels, Grids []Option
	Found                       []Option // households found by the search
	Searched                    bool
	Need                        *household.Need
	NeedLabel, NeedAddress      string
	Error                       string
}

// requestNew shows the intake form; ?need_id= turns a need of a household
// file into a request.
func (h *handler) requestNew(w http.ResponseWriter, r *http.Request) {
	vals := url.Values{"channel": {"hotline"}, "received_at": {time.Now().In(shanghai).Format("2006-01-02T15:04")}}
	if n := r.URL.Query().Get("need_id"); n != "" {
		vals.Set("need_id", n)
		vals.Set("channel", "visit")
	}
	h.showIntake(w, r, http.StatusOK, vals, "")
}

// showIntake renders the intake form with vals; msg says what went wrong.
func (h *handler) showIntake(w http.ResponseWriter, r *http.Request, status int, vals url.Values, msg string) {
	ctx := r.Context()
	v := intakePage{Page: h.page(r, "requests.new_title", "requests"), Values: vals, Error: msg}
	l := v.L
	cs, names, err := h.categoryNames(r, l)
	var gs []org.Grid
	if err == nil {
		gs, err = h.files(r).Grids(ctx)
	}
	if err == nil && vals.Get("need_id") != "" {
		var nid int64
		if nid, err = pathID(vals.Get("need_id")); err == nil {
			v.Need, err = h.files(r).NeedByID(ctx, nid)
		}
		var hh *household.Household
		if err == nil {
			hh, err = h.files(r).HouseholdByID(ctx, v.Need.HouseholdID)
		}
		if err == nil {
			v.NeedLabel, v.NeedAddress = l.Enum("need_kind", v.Need.Kind), hh.Address
			if vals.Get("description") == "" {
				vals.Set("description", v.Need.Note)
			}
		}
	}
	if q := strings.TrimSpace(vals.Get("q")); err == nil && q != "" {
		var hs []household.Household
		hs, _, err = h.files(r).List(ctx, household.Filter{Q: q, PerPage: 10})
		v.Searched = true
		for _, hh := range hs {
			id := strconv.FormatInt(hh.ID, 10)
			v.Found = append(v.Found, Option{Value: id, Label: hh.Address, Selected: vals.Get("household_id") == id || len(hs) == 1})
		}
	}
	if err != nil {
		h.showError(w, r, err)
		return
	}
	cur := vals.Get("category")
	v.Categories = []Option{{Value: "", Label: "—", Selected: cur == ""}}
	for _, c := range cs {
		v.Categories = append(v.Categories, Option{Value: c.Code, Label: names[c.Code], Selected: c.Code == cur})
	}
	v.Channels = choices(l, "requests.channel", staffChannels, vals.Get("channel"))
	if len(gs) > 0 {
		v.Grids = []Option{{Value: "", Label: "—"}}
		for _, g := range gs {
			id := strconv.FormatInt(g.ID, 10)
			v.Grids = append(v.Grids, Option{Value: id, Label: g.Name, Selected: vals.Get("grid_id") == id})
		}
	}
	h.render(w, r, status, "requests_new", v)
}

// requestCreate registers the intake form's request and goes to its page;
// the form's "find" button searches the households instead.
func (h *handler) requestCreate(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	if f.Get("find") != "" {
		f.Del("household_id")
		h.showIntake(w, r, http.StatusOK, f, "")
		return
	}
	in := request.Input{Category: f.Get("category"), Description: f.Get("description"), Channel: f.Get("channel"),
		Address: f.Get("address"), Phone: strings.TrimSpace(f.Get("reporter_phone")), OrgPath: access.HomePath(user(r))}
	var err error
	if in.NeedID, err = id64(f, "need_id"); err == nil {
		in.HouseholdID, err = id64(f, "household_id")
	}
	if err == nil {
		in.GridID, err = id64(f, "grid_id")
	}
	if s := strings.TrimSpace(f.Get("received_at")); err == nil && s != "" {
		t, perr := time.ParseInLocation("2006-01-02T15:04", s, shanghai)
		if perr != nil {
			err = apperr.Field("submitted_at", "invalid", "is not a date and time")
		}
		in.SubmittedAt = &t
	}
	var rq *request.Request
	if err == nil {
		rq, err = h.requests(r).Submit(r.Context(), actor(r), in)
	}
	if fe, ok := apperr.AsField(err); ok && !errors.Is(err, apperr.ErrNotFound) {
		h.showIntake(w, r, http.StatusUnprocessableEntity, f, requestFieldError(h.locale(r), fe))
		return
	}
	if err != nil {
		h.showError(w, r, err)
		return
	}
	seeOther(w, r, fmt.Sprintf("/requests/%d", rq.ID))
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
	v := boardPage{Page: h.page(r, "requests.board_title", "requests"), B: b, Month: time.Now().In(shanghai).Format("2006-01")}
	percent := func(n, of int) string {
		if of == 0 {
			return "—"
		}
		return strconv.Itoa(n*100/of) + "%"
	}
	v.OnTimeRate, v.Satisfied = percent(b.MonthOnTime, b.MonthResolved), percent(b.MonthSatisfied, b.MonthCallbacks)
	h.render(w, r, http.StatusOK, "requests_board", v)
}
