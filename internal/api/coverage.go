package api

import (
	"errors"
	"net/http"

	"wanhu/internal/access"
	"wanhu/internal/apperr"
	"wanhu/internal/calendar"
	"wanhu/internal/visit"
)

// The visit reports of grid leaders and administrators: coverage by grid,
// a grid's progress in a week, visits per visitor, the households not
// visited in a year and the not-at-home follow-ups. All need PlanVisits
// and see the caller's scope.

// errCommunity answers a ?community= that is not one of the communities
// under the caller's org paths, as one that does not exist.
var errCommunity = &apiError{http.StatusNotFound, "not_found", "no such community", "community"}

// reportVisits is the caller's visit reports, narrowed to ?community= when
// given (inCommunity): an administrator above several communities reads
// their grids, visitors and households one community at a time (the
// city's 5,824 team members are not one answer).
func (h *handler) reportVisits(r *http.Request, community int64) (*visit.Store, error) {
	scope, err := h.inCommunity(r, access.Scope(user(r)), community)
	if err != nil {
		return nil, err
	}
	return h.visits(r).In(scope), nil
}

// coverage lists the coverage of every grid in scope (?grid= only that
// one, ?community= those of that community), with the sum over them as
// "overall".
func (h *handler) coverage(w http.ResponseWriter, r *http.Request) {
	q := &query{r: r}
	grid, community := q.id("grid"), q.id("community")
	if q.err != nil {
		h.fail(w, r, q.err)
		return
	}
	vs, err := h.reportVisits(r, community)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	cs, err := vs.CoverageByGrid(r.Context(), grid)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, struct {
		list[visit.GridCoverage]
		Overall visit.GridCoverage `json:"overall"`
	}{listOf(cs, len(cs)), visit.CoverageTotal(cs)})
}

// progress returns the progress of ?grid= in ?week= (default this week).
func (h *handler) progress(w http.ResponseWriter, r *http.Request) {
	q := &query{r: r}
	grid := q.id("grid")
	if grid == 0 {
		q.bad("grid", "required", "is required")
	}
	if q.err != nil {
		h.fail(w, r, q.err)
		return
	}
	week := visit.WeekOf(calendar.DayOf(h.now()))
	if s := q.str("week"); s != "" {
		var err error
		week, err = visit.ParseWeek("week", s)
		if err != nil {
			h.fail(w, r, err)
			return
		}
	}
	p, err := h.visits(r).Progress(r.Context(), grid, week)
	if errors.Is(err, apperr.ErrNotFound) {
		err = errPlanGrid
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, p)
}

// visitsByVisitor counts the visits per team member and recording account
// in each of the last 8 weeks (?period=week, the default) or 6 months, of
// ?community= if given.
func (h *handler) visitsByVisitor(w http.ResponseWriter, r *http.Request) {
	q := &query{r: r}
	period := q.oneOf("period", []string{visit.ByWeek, visit.ByMonth})
	if period == "" {
		period = visit.ByWeek
	}
	community := q.id("community")
	if q.err != nil {
		h.fail(w, r, q.err)
		return
	}
	vs, err := h.reportVisits(r, community)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	rep, err := vs.VisitsByVisitor(r.Context(), period)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, rep)
}

// neverVisited lists the occupied households with no visit in ?year=
// (default this year), red first, of ?grid= or ?community= if given.
func (h *handler) neverVisited(w http.ResponseWriter, r *http.Request) {
	q := &query{r: r}
	this := h.now().In(calendar.China).Year()
	year, grid, community := q.intIn("year", this, 2000, this), q.id("grid"), q.id("community")
	page, per := q.page()
	if q.err != nil {
		h.fail(w, r, q.err)
		return
	}
	vs, err := h.reportVisits(r, community)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	us, total, err := vs.NeverVisited(r.Context(), year, grid, page, per)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, listOf(us, total))
}

// followUps lists the households whose last visit found nobody at home,
// soonest follow-up first.
func (h *handler) followUps(w http.ResponseWriter, r *http.Request) {
	q := &query{r: r}
	grid := q.id("grid")
	page, per := q.page()
	if q.err != nil {
		h.fail(w, r, q.err)
		return
	}
	fs, total, err := h.visits(r).FollowUps(r.Context(), grid, page, per)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, listOf(fs, total))
}
