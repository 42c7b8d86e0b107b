package api

import (
	"errors"
	"net/http"

	"wanhu/internal/apperr"
	"wanhu/internal/calendar"
	"wanhu/internal/staff"
	"wanhu/internal/visit"
)

// errPlanGrid answers a plan of a grid that is not there or not in the
// caller's scope: the same 404 either way.
var errPlanGrid = &apiError{http.StatusNotFound, "not_found", "no such grid", "grid_id"}

// planWeek reads an ISO week, next week when empty.
func (h *handler) planWeek(field, s string) (visit.Week, error) {
	if s == "" {
		return visit.WeekOf(calendar.DayOf(h.now())).Next(), nil
	}
	return visit.ParseWeek(field, s)
}

// createPlan generates the weekly visit plan of a grid, replacing the one
// there was: 201 with the plan.
func (h *handler) createPlan(w http.ResponseWriter, r *http.Request) {
	var in struct {
		GridID int64  `json:"grid_id"`
		Week   string `json:"week"`
	}
	if err := decode(w, r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	if in.GridID == 0 {
		h.fail(w, r, fieldRequired("grid_id"))
		return
	}
	week, err := h.planWeek("week", in.Week)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p, err := h.visits(r).GeneratePlan(r.Context(), actor(r).Name, in.GridID, week)
	if errors.Is(err, apperr.ErrNotFound) {
		err = errPlanGrid
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writePlan(w, r, http.StatusCreated, p)
}

// plan returns the saved plan of ?grid= for ?week= (default next week).
func (h *handler) plan(w http.ResponseWriter, r *http.Request) {
	q := &query{r: r}
	grid := q.id("grid")
	if grid == 0 {
		q.bad("grid", "required", "is required")
	}
	if q.err != nil {
		h.fail(w, r, q.err)
		return
	}
	week, err := h.planWeek("week", q.str("week"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p, err := h.visits(r).Plan(r.Context(), grid, week)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writePlan(w, r, http.StatusOK, p)
}

// movePlanItem gives a household of a plan to another visitor of the grid.
func (h *handler) movePlanItem(w http.ResponseWriter, r *http.Request) {
	var in struct {
		TeamMemberID int64 `json:"team_member_id"`
	}
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	hh, err := pathNumber(r, "household_id")
	if err != nil {
		h.fail(w, r, apperr.ErrNotFound)
		return
	}
	if err := decode(w, r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	if in.TeamMemberID == 0 {
		h.fail(w, r, fieldRequired("team_member_id"))
		return
	}
	p, err := h.visits(r).MovePlanItem(r.Context(), id, hh, in.TeamMemberID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writePlan(w, r, http.StatusOK, p)
}

// swapPlanVisitors exchanges the lists of two visitors of a plan.
func (h *handler) swapPlanVisitors(w http.ResponseWriter, r *http.Request) {
	var in struct {
		TeamMemberID int64 `json:"team_member_id"`
		With         int64 `json:"with"`
	}
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := decode(w, r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	switch {
	case in.TeamMemberID == 0:
		h.fail(w, r, fieldRequired("team_member_id"))
		return
	case in.With == 0:
		h.fail(w, r, fieldRequired("with"))
		return
	}
	p, err := h.visits(r).SwapPlanVisitors(r.Context(), id, in.TeamMemberID, in.With)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writePlan(w, r, http.StatusOK, p)
}

// writePlan answers plan p with its visitors who have not passed the
// pre-job training flagged (without_pre_job), as the plan page flags them.
func (h *handler) writePlan(w http.ResponseWriter, r *http.Request, status int, p *visit.Plan) {
	ids := make([]int64, len(p.Visitors))
	for i, v := range p.Visitors {
		ids[i] = v.TeamMemberID
	}
	flag, err := staff.WithoutPreJob(r.Context(), h.d.DB, ids, calendar.DayOf(h.now()))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for i := range p.Visitors {
		p.Visitors[i].WithoutPreJob = flag[p.Visitors[i].TeamMemberID]
	}
	h.writeJSON(w, r, status, p)
}
