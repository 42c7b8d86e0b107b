package api

import "net/http"

// visitorsInput names the team members who are to visit a household.
type visitorsInput struct {
	TeamMemberIDs []int64 `json:"team_member_ids"`
}

// setVisitors replaces the visitors assigned to a household (grid leaders
// and administrators); an assigned visitor's account then sees it.
func (h *handler) setVisitors(w http.ResponseWriter, r *http.Request) {
	var in visitorsInput
	id, err := writeInput(w, r, &in)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	vs, err := h.files(r).SetVisitors(r.Context(), id, in.TeamMemberIDs)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, listOf(vs, len(vs)))
}
