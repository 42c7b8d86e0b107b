package web

import (
	"fmt"
	"net/http"

	"wanhu/internal/household"
)

// fileWithError shows the household file again with err at the top, for a
// small form on the file (needs, plan, colour) that could not be saved.
func (h *handler) fileWithError(w http.ResponseWriter, r *http.Request, householdID int64, err error) {
	if !h.failed(w, r, err) {
		return
	}
	r.SetPathValue("id", fmt.Sprint(householdID))
	v, ferr := h.fileOf(r, "household.title")
	if ferr != nil {
		h.showError(w, r, ferr)
		return
	}
	v.Error = unplaced(v.L, err)
	if v.Error == "" {
		v.Error = v.L.T("form.conflict")
	}
	h.render(w, r, status(err), "household", v)
}

// needAdd adds an item to the household's needs list.
func (h *handler) needAdd(w http.ResponseWriter, r *http.Request) {
	hh, err := h.loadHousehold(r)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	n := household.Need{HouseholdID: hh.ID, Kind: r.PostForm.Get("kind"), Note: r.PostForm.Get("note"), Status: r.PostForm.Get("status")}
	if _, err := h.files(r).AddNeed(r.Context(), actor(r), n); err != nil {
		h.fileWithError(w, r, hh.ID, err)
		return
	}
	seeOther(w, r, fmt.Sprintf("/households/%d#needs", hh.ID))
}

// needUpdate changes a need's status or note.
func (h *handler) needUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r.PathValue("id"))
	if err != nil {
		h.showError(w, r, err)
		return
	}
	n, err := h.files(r).NeedByID(r.Context(), id)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	if _, err := h.loadHouseholdByID(r, n.HouseholdID); err != nil {
		h.showError(w, r, err)
		return
	}
	if _, err := h.files(r).UpdateNeed(r.Context(), actor(r), id, r.PostForm.Get("status"), r.PostForm.Get("note")); err != nil {
		h.fileWithError(w, r, n.HouseholdID, err)
		return
	}
	seeOther(w, r, fmt.Sprintf("/households/%d#needs", n.HouseholdID))
}

// measureOf reads a plan measure form.
func measureOf(r *http.Request) (household.Measure, error) {
	v := r.PostForm
	m := household.Measure{Kind: v.Get("kind"), Description: v.Get("description"), Frequency: v.Get("frequency"), Status: v.Get("status")}
	var err error
	m.OwnerID, err = id64(v, "owner_id")
	return m, err
}

// measureAdd adds a measure to the household plan (一户一策).
func (h *handler) measureAdd(w http.ResponseWriter, r *http.Request) {
	hh, err := h.loadHousehold(r)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	m, err := measureOf(r)
	if err != nil {
		h.fileWithError(w, r, hh.ID, err)
		return
	}
	m.HouseholdID = hh.ID
	if _, err := h.files(r).SaveMeasure(r.Context(), actor(r), m); err != nil {
		h.fileWithError(w, r, hh.ID, err)
		return
	}
	seeOther(w, r, fmt.Sprintf("/households/%d#plan", hh.ID))
}

// measureUpdate changes a measure of the plan.
func (h *handler) measureUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r.PathValue("id"))
	if err != nil {
		h.showError(w, r, err)
		return
	}
	old, err := h.files(r).MeasureByID(r.Context(), id)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	if _, err := h.loadHouseholdByID(r, old.HouseholdID); err != nil {
		h.showError(w, r, err)
		return
	}
	m, err := measureOf(r)
	if err != nil {
		h.fileWithError(w, r, old.HouseholdID, err)
		return
	}
	m.ID = id
	saved, err := h.files(r).SaveMeasure(r.Context(), actor(r), m)
	if err != nil {
		h.fileWithError(w, r, old.HouseholdID, err)
		return
	}
	seeOther(w, r, fmt.Sprintf("/households/%d#plan", saved.HouseholdID))
}

// colourOverride sets the colour by hand (with a reason) or clears it.
func (h *handler) colourOverride(w http.ResponseWriter, r *http.Request) {
	hh, err := h.loadHousehold(r)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	colour := household.Colour(r.PostForm.Get("colour"))
	if r.PostForm.Get("clear") != "" {
		colour = ""
	}
	if _, err := h.files(r).SetColourOverride(r.Context(), actor(r), hh.ID, colour, r.PostForm.Get("reason")); err != nil {
		h.fileWithError(w, r, hh.ID, err)
		return
	}
	seeOther(w, r, fmt.Sprintf("/households/%d", hh.ID))
}
