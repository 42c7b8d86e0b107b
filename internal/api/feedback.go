package api

import (
	"net/http"

	"wanhu/internal/calendar"
	"wanhu/internal/feedback"
	"wanhu/internal/request"
)

// Thanks and complaints (issue 17): whoever reads scorecards reads the
// feedback of the members their scorecards cover (access.StaffScope);
// administrators and grid leaders (access.AcceptRequests, who record
// callbacks) record it and follow complaints up. Out of scope is 404.
// Residents give theirs without an account, once their request is rated:
// /public/requests/{code}/people and /public/requests/{code}/feedback.

// feedbackStore returns the feedback store as the user of r sees it.
func (h *handler) feedbackStore(r *http.Request) (*feedback.Store, error) {
	scope, err := staffScope(r)
	if err != nil {
		return nil, err
	}
	return feedback.NewStore(h.d.DB).In(scope), nil
}

// feedbackList lists the feedback in scope, the latest first: ?kind,
// ?status, ?source, ?member, ?request, ?from and ?to (days, China time),
// ?limit (at most 1000).
func (h *handler) feedbackList(w http.ResponseWriter, r *http.Request) {
	q := &query{r: r}
	f := feedback.Filter{Kind: q.oneOf("kind", feedback.Kinds), Status: q.oneOf("status", feedback.Statuses),
		Source: q.oneOf("source", feedback.Sources), MemberID: q.id("member"), RequestID: q.id("request"), Limit: q.intIn("limit", 200, 1, 1000)}
	from, to := q.day("from"), q.day("to")
	if q.err != nil {
		h.fail(w, r, q.err)
		return
	}
	if d, err := calendar.ParseDate("from", from); from != "" && err == nil {
		f.From = d.Midnight()
	}
	if d, err := calendar.ParseDate("to", to); to != "" && err == nil {
		f.To = d.Midnight().AddDate(0, 0, 1)
	}
	s, err := h.feedbackStore(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	items, err := s.List(r.Context(), f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, listOf(items, len(items)))
}

// feedbackOne returns one record.
func (h *handler) feedbackOne(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	s, err := h.feedbackStore(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f, err := s.Get(r.Context(), id)
	h.answer(w, r, http.StatusOK, f, err)
}

// recordFeedback records praise or a complaint given to the office: 201
// with it.
func (h *handler) recordFeedback(w http.ResponseWriter, r *http.Request) {
	var in feedback.Input
	if err := decode(w, r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	s, err := h.feedbackStore(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f, err := s.Record(r.Context(), actor(r), in)
	h.answer(w, r, http.StatusCreated, f, err)
}

// handleComplaint takes a complaint a step further (looked_into, closed
// with an outcome); a step its status does not allow is 409.
func (h *handler) handleComplaint(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var in feedback.Handling
	if err := decode(w, r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	s, err := h.feedbackStore(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f, err := s.Handle(r.Context(), actor(r), id, in)
	h.answer(w, r, http.StatusOK, f, err)
}

// publicPeople lists, for the resident holding a tracking code, whom they
// may thank once their request is rated: names only. Its reads count
// against the public read limit.
func (h *handler) publicPeople(w http.ResponseWriter, r *http.Request) {
	if err := request.CountRead(r.Context(), h.d.DB, "resident", h.d.Auth.ClientAddr(r), request.PublicReads, h.now()); err != nil {
		h.fail(w, r, err)
		return
	}
	people, err := request.NewStore(h.d.DB, h.d.Households).Thankable(r.Context(), r.PathValue("code"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, listOf(people, len(people)))
}

// publicFeedback records a resident's praise or complaint of one of the
// people who handled their rated request: 201; once per person and
// request (409 again), limited per address (429).
func (h *handler) publicFeedback(w http.ResponseWriter, r *http.Request) {
	var in feedback.PublicInput
	if err := decode(w, r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	rs := request.NewStore(h.d.DB, h.d.Households)
	rs.SetClock(h.now)
	err := rs.GiveFeedback(r.Context(), r.PathValue("code"), in, h.d.Auth.ClientAddr(r))
	h.answer(w, r, http.StatusCreated, map[string]bool{"ok": true}, err)
}
