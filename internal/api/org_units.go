package api

import (
	"fmt"
	"net/http"

	"wanhu/internal/audit"
	"wanhu/internal/org"
)

// The structure of the org tree (issue 12): everybody reads the units
// they see (an administrator their subtree, a grid leader their grids);
// administrators (access.ManageOrg) create, rename, move, renumber and
// retire what is under their subtree. Whatever else answers 404, like
// what does not exist.

// structure returns the structure editor as the user of r: their scope,
// households moved through the household store in their name.
func (h *handler) structure(r *http.Request) *org.Structure {
	return h.files(r).Structure(actor(r))
}

// orgUnits lists the units the user sees, depth first; retired=true adds
// the retired ones.
func (h *handler) orgUnits(w http.ResponseWriter, r *http.Request) {
	q := &query{r: r}
	retired := q.oneOf("retired", []string{"true", "false"}) == "true"
	if q.err != nil {
		h.fail(w, r, q.err)
		return
	}
	us, err := h.structure(r).Tree(r.Context(), retired)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, listOf(us, len(us)))
}

// orgUnit returns one unit the user sees, retired or not.
func (h *handler) orgUnit(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	u, err := h.structure(r).Unit(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, u)
}

// createOrgUnit adds a unit under a parent the administrator administers.
func (h *handler) createOrgUnit(w http.ResponseWriter, r *http.Request) {
	var in struct {
		ParentID int64    `json:"parent_id"`
		Kind     org.Kind `json:"kind"`
		Name     string   `json:"name"`
		Code     string   `json:"code"`
		Number   int      `json:"number"`
		Phone    string   `json:"phone"`
	}
	if err := decode(w, r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	u := org.Unit{ParentID: in.ParentID, Kind: in.Kind, Name: in.Name, Code: in.Code, Number: in.Number, Phone: in.Phone}
	if err := h.structure(r).CreateUnit(r.Context(), &u); err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Location", fmt.Sprintf("%s/org-units/%d", Prefix, u.ID))
	h.writeJSON(w, r, http.StatusCreated, u)
}

// unitPatch holds the editable fields of a unit; a field left out does
// not change. parent_id moves the unit, number renumbers a grid.
type unitPatch struct {
	Name     *string `json:"name"`
	Code     *string `json:"code"`
	Phone    *string `json:"phone"`
	Number   *int    `json:"number"`
	ParentID *int64  `json:"parent_id"`
}

// updateOrgUnit renames, renumbers or moves a unit; a move and a
// renumbering get audit entries of their own.
func (h *handler) updateOrgUnit(w http.ResponseWriter, r *http.Request) {
	var in unitPatch
	id, err := writeInput(w, r, &in)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	st := h.structure(r)
	before, err := st.Unit(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	u, err := st.ChangeUnit(r.Context(), id, org.UnitChange{Name: in.Name, Code: in.Code, Phone: in.Phone, Number: in.Number, ParentID: in.ParentID})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for _, n := range org.ChangeNotes(before, u) {
		audit.Note(r.Context(), n.Action, fmt.Sprintf("org-unit:%d", id), audit.OK, n.Detail)
	}
	h.writeJSON(w, r, http.StatusOK, u)
}

// retireOrgUnit retires a unit; a grid's households, buildings and team
// move to target_grid_id, each household's move a ledger event.
func (h *handler) retireOrgUnit(w http.ResponseWriter, r *http.Request) {
	var in struct {
		TargetGridID int64 `json:"target_grid_id"`
	}
	id, err := writeInput(w, r, &in)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	res, err := h.structure(r).RetireUnit(r.Context(), id, in.TargetGridID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	audit.Note(r.Context(), "org.retire", fmt.Sprintf("org-unit:%d", id), audit.OK, res.Detail())
	h.writeJSON(w, r, http.StatusOK, res)
}
