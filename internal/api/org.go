package api

import (
	"net/http"

	"wanhu/internal/apperr"

	"wanhu/internal/org"
)

// grids lists the grids with their household counts.
func (h *handler) grids(w http.ResponseWriter, r *http.Request) {
	gs, err := h.files(r).Grids(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, listOf(gs, len(gs)))
}

// grid returns one grid.
func (h *handler) grid(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	g, err := org.GridByID(r.Context(), h.d.DB, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	ok, err := h.files(r).GridVisible(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if !ok {
		h.fail(w, r, apperr.ErrNotFound)
		return
	}
	h.writeJSON(w, r, http.StatusOK, g)
}

// compounds lists the compounds with their buildings.
func (h *handler) compounds(w http.ResponseWriter, r *http.Request) {
	cs, err := org.Compounds(r.Context(), h.d.DB)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for i := range cs {
		if cs[i].Buildings == nil {
			cs[i].Buildings = []org.Building{}
		}
	}
	h.writeJSON(w, r, http.StatusOK, listOf(cs, len(cs)))
}
