package api

import (
	"fmt"
	"net/http"

	"wanhu/internal/audit"
	"wanhu/internal/org"
)

// The places of a community (issue 12): administrators (access.ManageOrg)
// create, edit and retire the compounds and buildings of the communities
// they administer, and move a building to another grid with its
// households. GET /compounds lists them for everybody.

// createCompound adds a compound to a community.
func (h *handler) createCompound(w http.ResponseWriter, r *http.Request) {
	var in struct {
		CommunityID int64  `json:"community_id"`
		Name        string `json:"name"`
		Address     string `json:"address"`
		BuiltYear   int    `json:"built_year"`
		Notes       string `json:"notes"`
	}
	if err := decode(w, r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	c := org.Compound{CommunityID: in.CommunityID, Name: in.Name, Address: in.Address, BuiltYear: in.BuiltYear, Notes: in.Notes}
	if err := h.structure(r).CreateCompound(r.Context(), &c); err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Location", fmt.Sprintf("%s/compounds/%d", Prefix, c.ID))
	h.writeJSON(w, r, http.StatusCreated, c)
}

// updateCompound edits a compound's name, address, year or notes.
func (h *handler) updateCompound(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name      *string `json:"name"`
		Address   *string `json:"address"`
		BuiltYear *int    `json:"built_year"`
		Notes     *string `json:"notes"`
	}
	id, err := writeInput(w, r, &in)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	st := h.structure(r)
	if _, err := st.ChangeCompound(r.Context(), id, org.CompoundChange{Name: in.Name, Address: in.Address, BuiltYear: in.BuiltYear, Notes: in.Notes}); err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeCompound(w, r, st, id)
}

// writeCompound answers with compound id and its active buildings.
func (h *handler) writeCompound(w http.ResponseWriter, r *http.Request, st *org.Structure, id int64) {
	c, err := st.Compound(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, c)
}

// retireCompound retires a compound without active buildings.
func (h *handler) retireCompound(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	st := h.structure(r)
	if _, err := st.RetireCompound(r.Context(), id); err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeCompound(w, r, st, id)
}

// createBuilding adds a building to a compound, in a grid of the
// compound's community.
func (h *handler) createBuilding(w http.ResponseWriter, r *http.Request) {
	var in struct {
		GridID int64  `json:"grid_id"`
		Name   string `json:"name"`
		Floors int    `json:"floors"`
		Units  int    `json:"units"`
	}
	id, err := writeInput(w, r, &in)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	st := h.structure(r)
	if _, err := st.Compound(r.Context(), id); err != nil {
		h.fail(w, r, err)
		return
	}
	b := org.Building{CompoundID: id, GridID: in.GridID, Name: in.Name, Floors: in.Floors, Units: in.Units}
	if err := st.CreateBuilding(r.Context(), &b); err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Location", fmt.Sprintf("%s/buildings/%d", Prefix, b.ID))
	h.writeJSON(w, r, http.StatusCreated, b)
}

// movedBuilding is a building after an edit, with the households that
// moved with it to another grid.
type movedBuilding struct {
	org.Building
	HouseholdsMoved int `json:"households_moved"`
}

// updateBuilding edits a building; a new grid_id moves it, and its
// households (each a ledger event), to another grid of its community.
func (h *handler) updateBuilding(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name   *string `json:"name"`
		GridID *int64  `json:"grid_id"`
		Floors *int    `json:"floors"`
		Units  *int    `json:"units"`
	}
	id, err := writeInput(w, r, &in)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	b, moved, err := h.structure(r).ChangeBuilding(r.Context(), id, org.BuildingChange{Name: in.Name, GridID: in.GridID, Floors: in.Floors, Units: in.Units})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if moved > 0 {
		audit.Note(r.Context(), "org.move", fmt.Sprintf("building:%d", id), audit.OK, fmt.Sprintf("building %s to grid %d with %d households", b.Name, b.GridID, moved))
	}
	h.writeJSON(w, r, http.StatusOK, movedBuilding{b, moved})
}

// retireBuilding retires a building without households.
func (h *handler) retireBuilding(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	b, err := h.structure(r).RetireBuilding(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, b)
}
