package api

import (
	"net/http"

	"wanhu/internal/access"

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
	if err == nil && in.Colour == "" {
		err = fieldRequired("colour")
	}
	h.overrideColour(w, r, id, household.Colour(in.Colour), in.Reason, err)
}

// clearColourOverride returns a household to the colour of the rules.
func (h *handler) clearColourOverride(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = allow(r, access.EditHouseholds)
	}
	h.overrideColour(w, r, id, "", "", err)
}

func (h *handler) overrideColour(w http.ResponseWriter, r *http.Request, id int64, c household.Colour, reason string, err error) {
	var hh *household.Household
	if err == nil {
		hh, err = h.files(r).SetColourOverride(r.Context(), actor(r), id, c, reason)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, fileView(hh))
}
