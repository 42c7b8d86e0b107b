package api

import (
	"errors"
	"net/http"
	"strconv"

	"wanhu/internal/access"
	"wanhu/internal/apperr"
	"wanhu/internal/calendar"
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
	err := allow(r, access.PlanVisits)
	if err == nil {
		err = decode(w, r, &in)
	}
	if err == nil && in.GridID == 0 {
		err = fieldRequired("grid_id")
	}
	var week visit.Week
	if err == nil {
		week, err = h.planWeek("week", in.Week)
	}
	var p *visit.Plan
	if err == nil {
		p, err = h.visits(r).GeneratePlan(r.Context(), actor(r).Name, in.GridID, week)
	}
	if errors.Is(err, apperr.ErrNotFound) {
		err = errPlanGrid
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusCreated, p)
}

// plan returns the saved plan of ?grid= for ?week= (default next week).
func (h *handler) plan(w http.ResponseWriter, r *http.Request) {
	q := &query{r: r}
	grid := q.id("grid")
	if grid == 0 {
		q.bad("grid", "required", "is required")
	}
	err := allow(r, access.PlanVisits)
	if err == nil {
		err = q.err
	}
	var week visit.Week
	if err == nil {
		week, err = h.planWeek("week", q.str("week"))
	}
	var p *visit.Plan
	if err == nil {
		p, err = h.visits(r).Plan(r.Context(), grid, week)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, p)
}

// movePlanItem gives a household of a plan to another visitor of the grid.
func (h *handler) movePlanItem(w http.ResponseWriter, r *http.Request) {
	var in struct {
		TeamMemberID int64 `json:"team_member_id"`
	}
	err := allow(r, access.PlanVisits)
	id, err2 := pathID(r)
	hh, err3 := strconv.ParseInt(r.PathValue("household_id"), 10, 64)
	if err == nil && (err2 != nil || err3 != nil || hh < 1) {
		err = apperr.ErrNotFound
	}
	if err == nil {
		err = decode(w, r, &in)
	}
	if err == nil && in.TeamMemberID == 0 {
		err = fieldRequired("team_member_id")
	}
	var p *visit.Plan
	if err == nil {
		p, err = h.visits(r).MovePlanItem(r.Context(), id, hh, in.TeamMemberID)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, p)
}

// swapPlanVisitors exchanges the lists of two visitors of a plan.
func (h *handler) swapPlanVisitors(w http.ResponseWriter, r *http.Request) {
	var in struct {
		TeamMemberID int64 `json:"team_member_id"`
		With         int64 `json:"with"`
	}
	err := allow(r, access.PlanVisits)
	id, err2 := pathID(r)
	if err == nil {
		err = err2
	}
	if err == nil {
		err = decode(w, r, &in)
	}
	switch {
	case err != nil:
	case in.TeamMemberID == 0:
		err = fieldRequired("team_member_id")
	case in.With == 0:
		err = fieldRequired("with")
	}
	var p *visit.Plan
	if err == nil {
		p, err = h.visits(r).SwapPlanVisitors(r.Context(), id, in.TeamMemberID, in.With)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, p)
}
