package api

import (
	"net/http"

	"wanhu/internal/access"
	"wanhu/internal/apperr"
	"wanhu/internal/org"
	"wanhu/internal/round"
)

// rounds returns the safety rounds as the user of r may see them.
func (h *handler) rounds(r *http.Request) *round.Store {
	return h.roundsIn(access.Scope(user(r)))
}

// roundsIn is the safety rounds of scope: a list's (listScope).
func (h *handler) roundsIn(scope org.Scope) *round.Store {
	return round.NewStore(h.d.DB).WithClock(h.now).In(scope)
}

// roundTemplate is a template as the API lists it.
type roundTemplate struct {
	Code  string       `json:"code"`
	Name  string       `json:"name"`
	Shop  bool         `json:"shop"`
	Items []round.Item `json:"items"`
}

// roundTemplates lists the round templates with their checklists.
func (h *handler) roundTemplates(w http.ResponseWriter, r *http.Request) {
	out := []roundTemplate{}
	for _, t := range round.Templates {
		out = append(out, roundTemplate{t.Code, t.Name, t.Shop, t.Items})
	}
	h.writeJSON(w, r, http.StatusOK, listOf(out, len(out)))
}

// createRound starts a round in a grid (or at a shop), or schedules it
// when scheduled_for is given, which needs the right to plan visits: 201
// with the round. A grid or shop out of the caller's scope answers 404.
func (h *handler) createRound(w http.ResponseWriter, r *http.Request) {
	var in round.Start
	if err := decode(w, r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	if (in.ScheduledFor != nil || in.AssigneeMemberID != 0) && !access.Can(user(r), access.PlanVisits) {
		h.fail(w, r, errForbidden)
		return
	}
	out, err := h.rounds(r).Begin(r.Context(), actor(r), in)
	if fe, ok := apperr.AsField(err); ok && (fe.Field == "grid_id" || fe.Field == "household_id") && (fe.Code == "not_found" || fe.Code == "not_shop") {
		err = &apiError{http.StatusNotFound, "not_found", fe.Msg, fe.Field}
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusCreated, out)
}

// roundList lists rounds: ?state=, ?grid=, ?community=, ?household=, ?mine=true (those
// assigned to the caller's team member).
func (h *handler) roundList(w http.ResponseWriter, r *http.Request) {
	q := &query{r: r}
	f := round.Filter{State: q.oneOf("state", round.States), GridID: q.id("grid"), HouseholdID: q.id("household")}
	if q.oneOf("mine", []string{"true", "false"}) == "true" {
		f.MemberID = -1
		if u := user(r); u.TeamMemberID != 0 {
			f.MemberID = u.TeamMemberID
		}
	}
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
	rs, total, err := h.roundsIn(scope).List(r.Context(), f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, listOf(rs, total))
}

// oneRound answers round {id} with its results.
func (h *handler) oneRound(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out, err := h.rounds(r).Get(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, out)
}

// startRound starts scheduled round {id}.
func (h *handler) startRound(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out, err := h.rounds(r).StartNow(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, out)
}

// roundResults records round {id}'s results and ends it; each failed item
// makes a request, whose ids the round lists under "requests". The same
// client_id sent again answers the round as first recorded.
func (h *handler) roundResults(w http.ResponseWriter, r *http.Request) {
	var in round.Recording
	id, err := writeInput(w, r, &in)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out, err := h.rounds(r).Record(r.Context(), actor(r), id, in)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, out)
}

// hazardList is the hazards answer: the failed items and the repeat
// offenders among them.
type hazardList struct {
	Items     []round.Hazard   `json:"items"`
	Total     int              `json:"total"`
	Offenders []round.Offender `json:"offenders"`
}

// hazards lists the failed items of rounds: ?compound=, ?grid=, ?community=,
// ?open=true (only those whose request is still open).
func (h *handler) hazards(w http.ResponseWriter, r *http.Request) {
	q := &query{r: r}
	f := round.HazardFilter{CompoundID: q.id("compound"), GridID: q.id("grid"), Open: q.oneOf("open", []string{"true", "false"}) == "true"}
	if q.err != nil {
		h.fail(w, r, q.err)
		return
	}
	scope, err := h.listScope(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	hs, offenders, err := h.roundsIn(scope).Hazards(r.Context(), f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, hazardList{hs, len(hs), offenders})
}
