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
	id, err := writeInput(w, r, &in)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	n, err := h.files(r).AddNeed(r.Context(), actor(r),
		household.Need{HouseholdID: id, PersonID: in.PersonID, Kind: in.Kind, Note: in.Note, Status: in.Status})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusCreated, n)
}

// needPatch changes a need's status or note; what is left out is kept.
type needPatch struct {
	Status *string `json:"status"`
	Note   *string `json:"note"`
}

// updateNeed changes the status or note of a need.
func (h *handler) updateNeed(w http.ResponseWriter, r *http.Request) {
	var in needPatch
	id, err := writeInput(w, r, &in)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	n, err := h.files(r).NeedByID(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	status, note := n.Status, n.Note
	if in.Status != nil {
		status = *in.Status
	}
	if in.Note != nil {
		note = *in.Note
	}
	n, err = h.files(r).UpdateNeed(r.Context(), actor(r), id, status, note)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, n)
}

// measureInput is a measure of a household plan. A PATCH changes only the
// fields it sends.
type measureInput struct {
	Kind        *string `json:"kind"`
	Description *string `json:"description"`
	OwnerID     *int64  `json:"owner_id"`
	Frequency   *string `json:"frequency"`
	Status      *string `json:"status"`
}

// apply overlays the fields sent onto m.
func (in measureInput) apply(m household.Measure) household.Measure {
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&m.Kind, in.Kind)
	set(&m.Description, in.Description)
	set(&m.Frequency, in.Frequency)
	set(&m.Status, in.Status)
	if in.OwnerID != nil {
		m.OwnerID = *in.OwnerID
	}
	return m
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
	id, err := writeInput(w, r, &in)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	base := household.Measure{HouseholdID: id}
	if !create {
		cur, err := h.files(r).MeasureByID(r.Context(), id)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		base = *cur
	}
	m, err := h.files(r).SaveMeasure(r.Context(), actor(r), in.apply(base))
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
