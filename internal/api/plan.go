package api

import (
	"net/http"

	"wanhu/internal/household"
)

type needInput struct {
	PersonID int64  `json:"person_id"`
	Kind     string `json:"kind"`
	Note     string `json:"note"`
	Status   string `json:"status"`
}

// addNeed adds an item to a household's needs list.
func (h *handler) addNeed(w http.ResponseWriter, r *http.Request) {
	var in needInput
	id, err := pathID(r)
	if err == nil {
		err = allow(r, actWrite)
	}
	if err == nil {
		err = decode(w, r, &in)
	}
	var n *household.Need
	if err == nil {
		n, err = h.d.Households.AddNeed(r.Context(), actor(r),
			household.Need{HouseholdID: id, PersonID: in.PersonID, Kind: in.Kind, Note: in.Note, Status: in.Status})
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusCreated, n)
}

// needPatch changes a need's status (kept when left out) and its note
// (household.Store.UpdateNeed replaces the note, so one left out is cleared).
type needPatch struct {
	Status string `json:"status"`
	Note   string `json:"note"`
}

// updateNeed changes the status or note of a need.
func (h *handler) updateNeed(w http.ResponseWriter, r *http.Request) {
	var in needPatch
	id, err := pathID(r)
	if err == nil {
		err = allow(r, actWrite)
	}
	if err == nil {
		err = decode(w, r, &in)
	}
	var n *household.Need
	if err == nil {
		n, err = h.d.Households.UpdateNeed(r.Context(), actor(r), id, in.Status, in.Note)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, n)
}

// measureInput is a measure of a household plan. A PATCH sends the whole
// measure (household.Store.SaveMeasure replaces every field).
type measureInput struct {
	Kind        string `json:"kind"`
	Description string `json:"description"`
	OwnerID     int64  `json:"owner_id"`
	Frequency   string `json:"frequency"`
	Status      string `json:"status"`
}

func (in measureInput) measure() household.Measure {
	return household.Measure{Kind: in.Kind, Description: in.Description, OwnerID: in.OwnerID, Frequency: in.Frequency, Status: in.Status}
}

// addMeasure adds a measure to a household plan.
func (h *handler) addMeasure(w http.ResponseWriter, r *http.Request) {
	h.saveMeasure(w, r, true)
}

// updateMeasure changes a measure of a household plan.
func (h *handler) updateMeasure(w http.ResponseWriter, r *http.Request) {
	h.saveMeasure(w, r, false)
}

func (h *handler) saveMeasure(w http.ResponseWriter, r *http.Request, create bool) {
	var in measureInput
	id, err := pathID(r)
	if err == nil {
		err = allow(r, actWrite)
	}
	if err == nil {
		err = decode(w, r, &in)
	}
	var m *household.Measure
	if err == nil {
		nm := in.measure()
		if create {
			nm.HouseholdID = id
		} else {
			nm.ID = id
		}
		m, err = h.d.Households.SaveMeasure(r.Context(), actor(r), nm)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	status := http.StatusOK
	if create {
		status = http.StatusCreated
	}
	h.writeJSON(w, r, status, m)
}
