package api

import (
	"errors"
	"fmt"
	"net/http"

	"wanhu/internal/apperr"
	"wanhu/internal/household"
)

// householdFilter reads the list filters of r.
func (h *handler) householdFilter(r *http.Request) (household.Filter, error) {
	q := &query{r: r}
	f := household.Filter{
		GridID:     q.id("grid"),
		CompoundID: q.id("compound"),
		BuildingID: q.id("building"),
		Colour:     household.Colour(q.oneOf("colour", household.Colours)),
		Kind:       household.Kind(q.oneOf("kind", household.Kinds)),
		Tag:        q.str("tag"),
		Q:          q.str("q"),
	}
	f.Page, f.PerPage = q.page()
	if q.err == nil && f.Tag != "" {
		q.err = h.checkTag(r, "tag", f.Tag)
	}
	return f, q.err
}

// households lists households, masked, with filters and pages.
func (h *handler) households(w http.ResponseWriter, r *http.Request) {
	f, err := h.householdFilter(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	hs, total, err := h.files(r).List(r.Context(), f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, listOf(hs, total))
}

// household returns one household file.
func (h *handler) household(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	hh, err := h.files(r).HouseholdByID(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, fileView(hh))
}

// createHousehold creates a household with its members.
func (h *handler) createHousehold(w http.ResponseWriter, r *http.Request) {
	var in householdInput
	if err := decode(w, r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	nh, members, err := in.household()
	if err != nil {
		h.fail(w, r, err)
		return
	}
	hh, err := h.files(r).CreateHousehold(r.Context(), actor(r), nh, members)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Location", fmt.Sprintf("%s/households/%d", Prefix, hh.ID))
	h.writeJSON(w, r, http.StatusCreated, fileView(hh))
}

// updateHousehold applies a patch to a household at the version it names.
func (h *handler) updateHousehold(w http.ResponseWriter, r *http.Request) {
	var in householdPatch
	id, err := writeInput(w, r, &in)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if in.Version == nil {
		h.fail(w, r, fieldRequired("version"))
		return
	}
	hh, err := h.files(r).HouseholdByID(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	in.apply(hh)
	if _, err := h.files(r).UpdateHousehold(r.Context(), actor(r), *hh); err != nil {
		if errors.Is(err, apperr.ErrConflict) {
			err = h.staleHousehold(r, id)
		}
		h.fail(w, r, err)
		return
	}
	hh, err = h.files(r).HouseholdByID(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, fileView(hh))
}

// staleHousehold is the conflict of an edit of household id, with its
// current version.
func (h *handler) staleHousehold(r *http.Request, id int64) error {
	cur, err := h.files(r).HouseholdByID(r.Context(), id)
	if err != nil {
		return err
	}
	return &staleError{current: cur.Version}
}

// checkTag returns a FieldError naming param unless tag is configured.
func (h *handler) checkTag(r *http.Request, param, tag string) error {
	ts, err := household.Tags(r.Context(), h.d.DB)
	if err != nil {
		return err
	}
	for _, t := range ts {
		if t.Code == tag {
			return nil
		}
	}
	return apperr.Field(param, "tag_unknown", "unknown tag %q", tag)
}
