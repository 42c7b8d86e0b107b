package api

import (
	"net/http"

	"wanhu/internal/household"
)

type overrideInput struct {
	Colour string `json:"colour"`
	Reason string `json:"reason"`
}

// setColourOverride sets a household's colour by hand, with a reason.
func (h *handler) setColourOverride(w http.ResponseWriter, r *http.Request) {
	var in overrideInput
	id, err := writeInput(w, r, &in)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if in.Colour == "" {
		h.fail(w, r, fieldRequired("colour"))
		return
	}
	h.overrideColour(w, r, id, household.Colour(in.Colour), in.Reason)
}

// clearColourOverride returns a household to the colour of the rules.
func (h *handler) clearColourOverride(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.overrideColour(w, r, id, "", "")
}

// overrideColour sets the colour override of household id to c, with
// reason, or clears it when c is "", and answers the household file.
func (h *handler) overrideColour(w http.ResponseWriter, r *http.Request, id int64, c household.Colour, reason string) {
	hh, err := h.files(r).SetColourOverride(r.Context(), actor(r), id, c, reason)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, fileView(hh))
}
