package api

import (
	"errors"
	"net/http"

	"wanhu/internal/access"
	"wanhu/internal/apperr"
	"wanhu/internal/org"
	"wanhu/internal/visit"
)

// visits returns the visit store as the user of r may see it.
func (h *handler) visits(r *http.Request) *visit.Store {
	return h.visitsIn(access.Scope(user(r)))
}

// visitsIn is the visits of scope: a list's (listScope).
func (h *handler) visitsIn(scope org.Scope) *visit.Store {
	return visit.NewStore(h.d.DB, h.d.Households).In(scope).WithPhotoSlots(h.d.Photos)
}

// errVisitHousehold answers a visit to a household that is not there or
// not in the caller's scope: the same 404 either way, naming the field.
var errVisitHousehold = &apiError{http.StatusNotFound, "not_found", "no such household", "household_id"}

// createVisit records a visit (走访). The same client_id sent again answers
// 200 with the visit recorded the first time; a new one answers 201.
func (h *handler) createVisit(w http.ResponseWriter, r *http.Request) {
	var in visit.Input
	if err := decode(w, r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	v, created, err := h.visits(r).Record(r.Context(), actor(r), in)
	if errors.Is(err, apperr.ErrNotFound) {
		err = errVisitHousehold
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	h.writeJSON(w, r, status, v)
}

// householdVisits lists a household's visits, newest first.
func (h *handler) householdVisits(w http.ResponseWriter, r *http.Request) {
	q := &query{r: r}
	page, per := q.page()
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if q.err != nil {
		h.fail(w, r, q.err)
		return
	}
	vs, total, err := h.visits(r).ForHousehold(r.Context(), id, page, per)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, listOf(vs, total))
}

// visitsDue lists the households of the caller's scope that are due for a
// visit: overdue red households first, then by days overdue.
func (h *handler) visitsDue(w http.ResponseWriter, r *http.Request) {
	q := &query{r: r}
	f := visit.DueFilter{GridID: q.id("grid"), OverdueOnly: q.oneOf("overdue", []string{"true", "false"}) == "true"}
	f.Page, f.PerPage = q.page()
	if q.err != nil {
		h.fail(w, r, q.err)
		return
	}
	scope, err := h.listScope(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	ds, total, err := h.visitsIn(scope).Due(r.Context(), f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, listOf(ds, total))
}
