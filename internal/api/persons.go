package api

import (
	"errors"
	"fmt"
	"net/http"

	"wanhu/internal/apperr"
	"wanhu/internal/household"
)

// memberInput is a new member: a person and how they came.
type memberInput struct {
	personInput
	Event string `json:"event"`
}

// addMember adds a person to a household ("event": "born" or "moved_in").
func (h *handler) addMember(w http.ResponseWriter, r *http.Request) {
	var in memberInput
	id, err := writeInput(w, r, &in)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	np, err := in.person()
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p, err := h.files(r).AddMember(r.Context(), actor(r), id, np, in.Event)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Location", fmt.Sprintf("%s/persons/%d", Prefix, p.ID))
	h.writeJSON(w, r, http.StatusCreated, p)
}

// person returns one person.
func (h *handler) person(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p, err := h.files(r).PersonByID(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, p)
}

// updatePerson applies a patch to a person at the version it names.
func (h *handler) updatePerson(w http.ResponseWriter, r *http.Request) {
	var in personPatch
	id, err := writeInput(w, r, &in)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if in.Version == nil {
		h.fail(w, r, fieldRequired("version"))
		return
	}
	p, err := h.files(r).PersonByID(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := in.apply(p); err != nil {
		h.fail(w, r, err)
		return
	}
	p, err = h.files(r).UpdatePerson(r.Context(), actor(r), *p)
	if err != nil {
		if errors.Is(err, apperr.ErrConflict) {
			if cur, e := h.files(r).PersonByID(r.Context(), id); e == nil {
				err = &apperr.Stale{Current: cur.Version}
			}
		}
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, p)
}

// personEvent records a typed event (lost_job, died, …) for a person.
func (h *handler) personEvent(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var in household.Event
	if err := decode(w, r, &in); err != nil {
		if fe, ok := apperr.AsField(err); ok && fe.Field == "" {
			err = apperr.InField(err, "date")
		}
		h.fail(w, r, err)
		return
	}
	p, err := h.files(r).RecordEvent(r.Context(), actor(r), id, in)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, p)
}
