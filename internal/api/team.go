package api

import (
	"errors"
	"fmt"
	"net/http"

	"wanhu/internal/access"
	"wanhu/internal/apperr"
	"wanhu/internal/org"
)

// The visiting team: everybody reads the members within their scope (the
// members of the grids they see and those grids' community helpers);
// whoever plans visits (access.PlanVisits) adds and changes members: a grid
// leader those of their own grids, an admin those of their whole org
// subtree, helpers without a grid included.

// team lists the active visiting team within the user's scope.
func (h *handler) team(w http.ResponseWriter, r *http.Request) {
	ms, err := h.files(r).Team(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, listOf(ms, len(ms)))
}

// teamMember returns one member of the team.
func (h *handler) teamMember(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	m, err := h.files(r).TeamMember(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, m)
}

// teamPatch holds the editable fields of a team member; a field left out
// is not changed. Version is the version the edit started from.
type teamPatch struct {
	Version      *int      `json:"version"`
	GridID       *int64    `json:"grid_id"`
	Name         *string   `json:"name"`
	Role         *string   `json:"role"`
	Phone        *string   `json:"phone"`
	WeChat       *string   `json:"wechat"`
	Unit         *string   `json:"unit"`
	Skills       *[]string `json:"skills"`
	Languages    *[]string `json:"languages"`
	Availability *[]string `json:"availability"`
	Active       *bool     `json:"active"`
}

// apply writes the given fields onto m.
func (p teamPatch) apply(m *org.TeamMember) {
	m.Version = *p.Version
	set(&m.GridID, p.GridID)
	set(&m.Name, p.Name)
	if p.Role != nil {
		m.Role = org.Role(*p.Role)
	}
	set(&m.Phone, p.Phone)
	set(&m.WeChat, p.WeChat)
	set(&m.Unit, p.Unit)
	set(&m.Skills, p.Skills)
	set(&m.Languages, p.Languages)
	set(&m.Availability, p.Availability)
	set(&m.Active, p.Active)
}

// checkManaged returns a FieldError on grid_id unless the user of r may
// have a member in grid gridID of community communityID.
func (h *handler) checkManaged(r *http.Request, communityID, gridID int64) error {
	ok, err := access.Scope(user(r)).Manages(r.Context(), h.d.DB, communityID, gridID)
	if err != nil {
		return err
	}
	if !ok {
		return apperr.Field("grid_id", "not_found", "grid %d is not one you manage the team of", gridID)
	}
	return nil
}

// createTeamMember adds a member to the team. A member of a grid belongs to
// the grid's community; a helper without a grid names its community.
func (h *handler) createTeamMember(w http.ResponseWriter, r *http.Request) {
	var in struct {
		CommunityID  int64    `json:"community_id"`
		GridID       int64    `json:"grid_id"`
		Name         string   `json:"name"`
		Role         string   `json:"role"`
		Phone        string   `json:"phone"`
		WeChat       string   `json:"wechat"`
		Unit         string   `json:"unit"`
		Skills       []string `json:"skills"`
		Languages    []string `json:"languages"`
		Availability []string `json:"availability"`
	}
	if err := decode(w, r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	m := org.TeamMember{CommunityID: in.CommunityID, GridID: in.GridID, Name: in.Name, Role: org.Role(in.Role), Phone: in.Phone,
		WeChat: in.WeChat, Unit: in.Unit, Skills: in.Skills, Languages: in.Languages, Availability: in.Availability}
	if m.GridID != 0 && m.CommunityID == 0 {
		g, err := org.GridByID(r.Context(), h.d.DB, m.GridID)
		if errors.Is(err, apperr.ErrNotFound) {
			err = apperr.Field("grid_id", "not_found", "grid %d does not exist", m.GridID)
		}
		if err != nil {
			h.fail(w, r, err)
			return
		}
		m.CommunityID = g.CommunityID
	}
	if m.GridID == 0 && m.CommunityID == 0 {
		h.fail(w, r, fieldRequired("grid_id"))
		return
	}
	if err := h.checkManaged(r, m.CommunityID, m.GridID); err != nil {
		h.fail(w, r, err)
		return
	}
	if err := org.CreateTeamMember(r.Context(), h.d.DB, &m); err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Location", fmt.Sprintf("%s/team/%d", Prefix, m.ID))
	h.writeJSON(w, r, http.StatusCreated, m)
}

// updateTeamMember applies a patch to a team member at the version it
// names; "active": false takes the member out of future plans.
func (h *handler) updateTeamMember(w http.ResponseWriter, r *http.Request) {
	var in teamPatch
	id, err := writeInput(w, r, &in)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if in.Version == nil {
		h.fail(w, r, fieldRequired("version"))
		return
	}
	if _, err := h.files(r).TeamMember(r.Context(), id); err != nil {
		h.fail(w, r, err)
		return
	}
	m, err := org.TeamMemberByID(r.Context(), h.d.DB, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	ok, err := access.Scope(user(r)).Manages(r.Context(), h.d.DB, m.CommunityID, m.GridID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if !ok {
		h.fail(w, r, errForbidden) // seen, as a community helper is by a grid leader, but not theirs to change
		return
	}
	in.apply(&m)
	if err := h.checkManaged(r, m.CommunityID, m.GridID); err != nil {
		h.fail(w, r, err)
		return
	}
	if err := org.UpdateTeamMember(r.Context(), h.d.DB, &m); err != nil {
		if errors.Is(err, apperr.ErrConflict) {
			if cur, cerr := org.TeamMemberByID(r.Context(), h.d.DB, id); cerr == nil {
				err = &apperr.Stale{Current: cur.Version}
			}
		}
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, m)
}
