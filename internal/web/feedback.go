package web

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"wanhu/internal/access"
	"wanhu/internal/apperr"
	"wanhu/internal/feedback"
)

// Thanks and complaints (issue 17): /feedback lists the praise and
// complaints about the team members the user's scorecards cover
// (access.StaffScope), records what is given to the office, and follows
// complaints up (administrators and grid leaders, access.AcceptRequests).
// A member's scorecard page lists theirs (memberFeedback).

// feedbackRow is one record as shown.
type feedbackRow struct {
	feedback.Feedback
	KindName, SourceName, StatusName, When, HandledWhen string
	Open                                                bool // a complaint still to be followed up
}

// feedbackTable is the list of records the "feedback_table" partial shows.
type feedbackTable struct {
	L      *Locale
	CSRF   string
	Rows   []feedbackRow
	Handle bool // the user may follow complaints up
	Back   string
}

// feedbackPage is the view of /feedback.
type feedbackPage struct {
	Page
	Table           feedbackTable
	Kinds, Statuses []Option
	Members         []Option
	Community       *gridFilter // a large scope's choice of a community
	Action          string      // the record form's URL, keeping the community
	NewKinds        []Option
	Record          bool
	Posted          map[string]string
	Error, Notice   string
}

// feedbackRows prepares records for the page.
func feedbackRows(l *Locale, fs []feedback.Feedback) []feedbackRow {
	out := make([]feedbackRow, len(fs))
	for i, f := range fs {
		out[i] = feedbackRow{Feedback: f, KindName: l.T("feedback.kind." + f.Kind), SourceName: l.T("feedback.source." + f.Source),
			StatusName: l.Enum("feedback.status", f.Status), When: l.Time(f.At),
			Open: f.Kind == feedback.Complaint && f.Status != feedback.Closed}
		if f.HandledAt != nil {
			out[i].HandledWhen = l.Time(*f.HandledAt)
		}
	}
	return out
}

// feedbackStore is the feedback store as the user of r sees it, or
// errForbidden.
func (h *handler) feedbackStore(r *http.Request) (*feedback.Store, error) {
	scope, ok := staffScopeOf(r)
	if !ok {
		return nil, errForbidden
	}
	s := feedback.NewStore(h.db).In(scope)
	s.SetClock(h.now)
	return s, nil
}

// feedbackList shows the feedback in scope (?kind, ?status).
func (h *handler) feedbackList(w http.ResponseWriter, r *http.Request) {
	h.showFeedback(w, r, http.StatusOK, nil, nil)
}

func (h *handler) showFeedback(w http.ResponseWriter, r *http.Request, status int, failure *apperr.FieldError, posted map[string]string) {
	s, err := h.feedbackStore(r)
	if err != nil {
		h.staffFail(w, r, err)
		return
	}
	l := h.locale(r)
	q := r.URL.Query()
	kind, st := q.Get("kind"), q.Get("status")
	if !slices.Contains(feedback.Kinds, kind) {
		kind = ""
	}
	if !slices.Contains(feedback.Statuses, st) {
		st = ""
	}
	// A scope of many grids (a street's or the city's) chooses a community
	// first: its feedback is listed and its members offered, not the city's.
	scope, _ := staffScopeOf(r)
	gf, err := h.gridFilterOf(r, scope, "-")
	if err != nil {
		h.showError(w, r, err)
		return
	}
	if gf.Community != nil {
		s = s.In(gf.Scope)
	}
	fs, err := s.List(r.Context(), feedback.Filter{Kind: kind, Status: st})
	if err != nil {
		h.showError(w, r, err)
		return
	}
	v := feedbackPage{Page: h.page(r, "feedback.title", "staff"), Record: can(r, access.AcceptRequests), Posted: posted}
	v.Table = feedbackTable{L: l, CSRF: v.CSRF, Rows: feedbackRows(l, fs), Handle: v.Record, Back: "/feedback"}
	v.Kinds = append([]Option{{Value: "", Label: l.T("feedback.all")}}, choices(l, "feedback.kind", feedback.Kinds, kind)...)
	v.Statuses = append([]Option{{Value: "", Label: l.T("feedback.all")}}, choices(l, "feedback.status", feedback.Statuses, st)...)
	if v.Posted == nil {
		v.Posted = map[string]string{}
	}
	v.NewKinds = choices(l, "feedback.kind", feedback.Kinds, v.Posted["kind"])
	if gf.Communities != nil {
		v.Community = gf
		v.Action = "/feedback"
		if gf.Community != nil {
			v.Action += "?community=" + strconv.FormatInt(gf.Community.ID, 10)
		}
	}
	if v.Record && (gf.Communities == nil || gf.Community != nil) {
		ms, err := feedback.Members(r.Context(), h.db, gf.Scope)
		if err != nil {
			h.showError(w, r, err)
			return
		}
		for _, m := range ms {
			id := strconv.FormatInt(m.ID, 10)
			v.Members = append(v.Members, Option{Value: id, Label: m.Name, Selected: id == v.Posted["member_id"]})
		}
	}
	if failure != nil {
		v.Error = labelled(l.T("feedback.f."+failure.Field), l.Err(failure))
	}
	if q.Get("saved") != "" {
		v.Notice = l.T("feedback.saved")
	}
	h.render(w, r, status, "feedback", v)
}

// feedbackRecord records praise or a complaint given to the office.
func (h *handler) feedbackRecord(w http.ResponseWriter, r *http.Request) {
	s, err := h.feedbackStore(r)
	if err != nil {
		h.staffFail(w, r, err)
		return
	}
	posted := map[string]string{}
	for _, k := range []string{"kind", "member_id", "from_name", "body"} {
		posted[k] = strings.TrimSpace(r.PostFormValue(k))
	}
	member, _ := strconv.ParseInt(posted["member_id"], 10, 64)
	_, err = s.Record(r.Context(), actor(r), feedback.Input{Kind: posted["kind"], MemberID: member, FromName: posted["from_name"],
		Body: posted["body"], Source: feedback.FromOffice})
	if fe, ok := apperr.AsField(err); ok {
		h.showFeedback(w, r, http.StatusBadRequest, fe, posted)
		return
	}
	if err != nil {
		h.showError(w, r, err)
		return
	}
	http.Redirect(w, r, "/feedback?saved=1", http.StatusSeeOther)
}

// feedbackHandle takes a complaint a step further; back, when it is a
// page of ours, is where to return.
func (h *handler) feedbackHandle(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r.PathValue("id"))
	if err != nil {
		h.showError(w, r, err)
		return
	}
	s, err := h.feedbackStore(r)
	if err != nil {
		h.staffFail(w, r, err)
		return
	}
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	_, err = s.Handle(r.Context(), actor(r), id, feedback.Handling{Status: r.PostFormValue("status"), Outcome: r.PostFormValue("outcome"), Version: version})
	if fe, ok := apperr.AsField(err); ok {
		h.showFeedback(w, r, http.StatusBadRequest, fe, nil)
		return
	}
	var te *feedback.TransitionError
	if errors.As(err, &te) {
		h.refuse(w, r, http.StatusConflict, "feedback.not_allowed")
		return
	}
	if err != nil {
		h.showError(w, r, err)
		return
	}
	back := r.PostFormValue("back")
	if !strings.HasPrefix(back, "/feedback") && !strings.HasPrefix(back, "/staff/") && !strings.HasPrefix(back, "/requests/") {
		back = "/feedback"
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// memberFeedback is the feedback about team member id for their
// scorecard page.
func (h *handler) memberFeedback(r *http.Request, id int64) (feedbackTable, error) {
	l := h.locale(r)
	t := feedbackTable{L: l, Handle: can(r, access.AcceptRequests), Back: "/staff/" + strconv.FormatInt(id, 10)}
	if s := h.page(r, "", ""); s.User != nil {
		t.CSRF = s.CSRF
	}
	st, err := h.feedbackStore(r)
	if err != nil {
		return t, err
	}
	fs, err := st.List(r.Context(), feedback.Filter{MemberID: id, Limit: 50})
	t.Rows = feedbackRows(l, fs)
	return t, err
}

// requestFeedback is the feedback that came with request id, for its page:
// none for a user whose role has no scorecards to see (an officer).
func (h *handler) requestFeedback(r *http.Request, id int64) (feedbackTable, error) {
	l := h.locale(r)
	t := feedbackTable{L: l, Handle: can(r, access.AcceptRequests), Back: "/requests/" + strconv.FormatInt(id, 10)}
	t.CSRF = h.page(r, "", "").CSRF
	st, err := h.feedbackStore(r)
	if errors.Is(err, errForbidden) {
		return t, nil
	}
	if err != nil {
		return t, err
	}
	fs, err := st.List(r.Context(), feedback.Filter{RequestID: id, Limit: 50})
	t.Rows = feedbackRows(l, fs)
	return t, err
}
