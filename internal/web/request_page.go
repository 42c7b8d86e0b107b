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
	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/request"
)

// actionRight is the right each action of the request page needs (as in
// the API).
var actionRight = map[string]access.Action{
	request.Accept: access.AcceptRequests, request.Decline: access.AcceptRequests, request.Merge: access.AcceptRequests,
	request.ApproveExtension: access.AcceptRequests, request.RefuseExtension: access.AcceptRequests, request.Callback: access.AcceptRequests,
	request.Progress: access.HandleRequests, request.Resolve: access.HandleRequests, request.HandBack: access.HandleRequests,
	request.AskExtension: access.HandleRequests, request.Arrive: access.HandleRequests,
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
	Closed, Result, Method, CallbackDue         string
	Arrived                                     string // when someone arrived on site
	ArrivalMinutes                              int64  // after the submission
	HouseholdLink                               bool
	Timeline                                    []eventRow
	Forms                                       map[string]bool
	Failed                                      string // the action whose form failed: shown open, with its values
	Posted                                      url.Values
	Error                                       string
	Urgencies, Handlings, Departments, Results  []Option
	Methods                                     []Option // how the callback is made: phone or visit
	Reasons                                     []Option // a dissatisfied callback's reason categories
	Reason                                      string   // the callback's reason, shown
	NeedKinds, Candidates                       []Option
	WorkingDays                                 int
	NoteForms                                   []noteForm
	// NoHolidayData are the years without a holiday schedule that an
	// estimated deadline was counted through; CanLoadCalendar links
	// each to the calendar page, to load it.
	NoHolidayData   []int
	CanLoadCalendar bool
	Feedback        feedbackTable // the thanks and complaints that came with it (feedback.go)
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
	if rq.CallbackMethod != "" {
		v.Method = l.Enum("requests.method", rq.CallbackMethod)
	}
	v.Submitted = l.Time(rq.SubmittedAt)
	for _, t := range []struct {
		at  *time.Time
		out *string
	}{{rq.AcceptedAt, &v.Accepted}, {rq.DueAt, &v.Due}, {rq.ResolvedAt, &v.Resolved}, {rq.ClosedAt, &v.Closed}, {rq.CallbackDueAt, &v.CallbackDue}} {
		if t.at != nil {
			*t.out = l.Time(*t.at)
		}
	}
	if rq.ArrivedAt != nil {
		v.Arrived, v.ArrivalMinutes = l.Time(*rq.ArrivedAt), *rq.ArrivalSeconds/60
	}
	if rq.SecondsLeft != nil {
		v.Left = timeLeft(l, *rq.SecondsLeft)
	}
	v.HouseholdLink = rq.HouseholdID != 0 && can(r, access.ReadHouseholds)
	if rq.DueEstimated {
		cal, err := calendar.Load(ctx, h.db)
		if err != nil {
			h.showError(w, r, err)
			return
		}
		v.NoHolidayData, v.CanLoadCalendar = rq.NoHolidayData(cal), can(r, access.Configure)
	}
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
		v.Methods = choices(l, "requests.method", request.CallbackMethods[:2], v.Posted.Get("method"))
		v.Reasons = append([]Option{{Label: "—"}}, choices(l, "requests.reason", request.CallbackReasons, v.Posted.Get("reason"))...)
		v.NeedKinds = options(l, "need_kind", household.NeedKinds, true)
	}
	for _, n := range noteSteps {
		if v.Forms[n.Action] {
			n.P = &v
			v.NoteForms = append(v.NoteForms, n)
		}
	}
	if v.Feedback, err = h.requestFeedback(r, v.R.ID); err != nil {
		h.showError(w, r, err)
		return
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
		hh, err := h.files(r).HouseholdByID(ctx, hid)
		if err != nil {
			return 0
		}
		return hh.BuildingID
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
	case request.Arrive:
		c.Note = f.Get("note")
		if at := strings.TrimSpace(f.Get("arrived_at")); at != "" {
			t, perr := time.ParseInLocation("2006-01-02T15:04", at, calendar.China)
			if perr != nil {
				return c, apperr.Field("arrived_at", "invalid", "is not a time")
			}
			c.ArrivedAt = &t
		}
	case request.Callback:
		c.Result, c.Method, c.Note = f.Get("result"), f.Get("method"), f.Get("comment")
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
	if err != nil {
		h.requestActFailed(w, r, id, action, err)
		return
	}
	if _, err := h.requests(r).Apply(r.Context(), actor(r), id, c); err != nil {
		h.requestActFailed(w, r, id, action, err)
		return
	}
	seeOther(w, r, fmt.Sprintf("/requests/%d#timeline", id))
}

// requestActFailed shows why step action of request id failed: the
// request as it is now with a message (409) when the form was stale or
// the state no longer allows the step, the step's form again (422) for a
// bad input, the error page otherwise.
func (h *handler) requestActFailed(w http.ResponseWriter, r *http.Request, id int64, action string, err error) {
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
