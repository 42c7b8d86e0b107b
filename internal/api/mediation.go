package api

import (
	"context"
	"net/http"

	"wanhu/internal/access"
	"wanhu/internal/calendar"
	"wanhu/internal/mediation"
)

// The talk room (谈心室) and mediation (调解) of issue 16: whoever reads
// household files reads the sessions and cases their scope reaches
// (internal/mediation says which); administrators and grid leaders
// (access.RecordTalks) keep them. A record out of scope is 404 before a
// missing right is 403.

// talks returns the talk room and mediation store as the user of r sees it.
func (h *handler) talks(r *http.Request) *mediation.Store {
	files, rs := h.files(r), h.requests(r)
	return mediation.NewStore(h.d.DB, files, rs).In(access.Scope(user(r)), files, rs)
}

// talkSessions lists the talk sessions in scope, the latest first:
// ?community=, ?from=, ?to= (days), ?page=, ?per_page=.
func (h *handler) talkSessions(w http.ResponseWriter, r *http.Request) {
	q := &query{r: r}
	f := mediation.SessionFilter{CommunityID: q.id("community"), From: q.day("from"), To: q.day("to")}
	f.Page, f.PerPage = q.page()
	if q.err != nil {
		h.fail(w, r, q.err)
		return
	}
	ts, total, err := h.talks(r).Sessions(r.Context(), f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, listOf(ts, total))
}

// talkSession returns one session with its visitors (audited).
func (h *handler) talkSession(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	t, err := h.talks(r).Session(r.Context(), id)
	h.answer(w, r, http.StatusOK, t, err)
}

// createTalkSession records a session: 201 with it. Without community_id
// it is the community of the user's own unit.
func (h *handler) createTalkSession(w http.ResponseWriter, r *http.Request) {
	var in mediation.SessionInput
	if err := decode(w, r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	in.Home = access.HomePath(user(r))
	t, err := h.talks(r).CreateSession(r.Context(), actor(r), in)
	h.answer(w, r, http.StatusCreated, t, err)
}

// updateTalkSession saves a session's day, hours, host and note, given the
// version the user saw (409 when it changed meanwhile).
func (h *handler) updateTalkSession(w http.ResponseWriter, r *http.Request) {
	var in mediation.SessionInput
	id, ok := h.writable(w, r, &in, (*mediation.Store).SessionInScope)
	if !ok {
		return
	}
	t, err := h.talks(r).UpdateSession(r.Context(), id, in)
	h.answer(w, r, http.StatusOK, t, err)
}

// addTalkVisitor records who came and what they said, and the request
// that came of it (referred at once when it names a department).
func (h *handler) addTalkVisitor(w http.ResponseWriter, r *http.Request) {
	var in mediation.VisitorInput
	id, ok := h.writable(w, r, &in, (*mediation.Store).SessionInScope)
	if !ok {
		return
	}
	t, err := h.talks(r).AddVisitor(r.Context(), actor(r), id, in)
	h.answer(w, r, http.StatusCreated, t, err)
}

// mediationCases lists the cases in scope, the latest first:
// ?community=, ?open=true (no outcome yet), ?page=, ?per_page=.
func (h *handler) mediationCases(w http.ResponseWriter, r *http.Request) {
	q := &query{r: r}
	f := mediation.CaseFilter{CommunityID: q.id("community"), Open: q.oneOf("open", []string{"true", "false"}) == "true"}
	f.Page, f.PerPage = q.page()
	if q.err != nil {
		h.fail(w, r, q.err)
		return
	}
	cs, total, err := h.talks(r).Cases(r.Context(), f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, listOf(cs, total))
}

// mediationCase returns one case (audited).
func (h *handler) mediationCase(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	c, err := h.talks(r).Case(r.Context(), id)
	h.answer(w, r, http.StatusOK, c, err)
}

// createMediationCase opens a case: 201 with it.
func (h *handler) createMediationCase(w http.ResponseWriter, r *http.Request) {
	var in mediation.CaseInput
	if err := decode(w, r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	c, err := h.talks(r).CreateCase(r.Context(), actor(r), in)
	h.answer(w, r, http.StatusCreated, c, err)
}

// updateMediationCase saves a case's title, summary, mediators, outcome,
// agreement and follow-up day, given the version the user saw.
func (h *handler) updateMediationCase(w http.ResponseWriter, r *http.Request) {
	var in mediation.CaseInput
	id, ok := h.writable(w, r, &in, (*mediation.Store).CaseInScope)
	if !ok {
		return
	}
	c, err := h.talks(r).UpdateCase(r.Context(), id, in)
	h.answer(w, r, http.StatusOK, c, err)
}

// addMediationSession records a session of a case.
func (h *handler) addMediationSession(w http.ResponseWriter, r *http.Request) {
	var in mediation.MeetingInput
	id, ok := h.writable(w, r, &in, (*mediation.Store).CaseInScope)
	if !ok {
		return
	}
	c, err := h.talks(r).AddMeeting(r.Context(), actor(r), id, in)
	h.answer(w, r, http.StatusCreated, c, err)
}

// escalateInput refers a dispute that grows: the department (the police
// station, the judicial office), and optionally the category, description
// and urgency of the request it becomes.
type escalateInput struct {
	Version int `json:"version"`
	mediation.NewRequest
}

// escalateMediationCase turns a case into a request referred to a
// department, once (409 the second time).
func (h *handler) escalateMediationCase(w http.ResponseWriter, r *http.Request) {
	var in escalateInput
	id, ok := h.writable(w, r, &in, (*mediation.Store).CaseInScope)
	if !ok {
		return
	}
	c, err := h.talks(r).Escalate(r.Context(), actor(r), id, in.Version, in.NewRequest)
	h.answer(w, r, http.StatusOK, c, err)
}

// householdTalks returns the talk-room visits and mediation cases of a
// household in scope.
func (h *handler) householdTalks(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.files(r).Visible(r.Context(), id); err != nil {
		h.fail(w, r, err)
		return
	}
	out, err := h.talks(r).ForHousehold(r.Context(), id)
	h.answer(w, r, http.StatusOK, out, err)
}

// writable checks, for a write to record {id}, that the record is in
// scope (404 otherwise) before the right to keep the log (403), then
// reads the body into in.
func (h *handler) writable(w http.ResponseWriter, r *http.Request, in any, visible func(*mediation.Store, context.Context, int64) error) (int64, bool) {
	id, err := pathID(r)
	if err == nil {
		err = visible(h.talks(r), r.Context(), id)
	}
	if err == nil {
		err = allow(r, access.RecordTalks)
	}
	if err == nil {
		err = decode(w, r, in)
	}
	if err != nil {
		h.fail(w, r, err)
		return 0, false
	}
	return id, true
}

// day reads a day parameter ("YYYY-MM-DD"), "" when absent.
func (q *query) day(name string) string {
	s := q.str(name)
	if s == "" {
		return ""
	}
	if _, err := calendar.ParseDate(name, s); err != nil && q.err == nil {
		q.err = err
	}
	return s
}

// answer writes v with status, or the error.
func (h *handler) answer(w http.ResponseWriter, r *http.Request, status int, v any, err error) {
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, status, v)
}
