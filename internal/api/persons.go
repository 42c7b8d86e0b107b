package api

import (
	"errors"
	"fmt"
	"net/http"

	"wanhu/internal/access"

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
	var p *household.Person
	if err == nil {
		var np household.Person
		if np, err = in.person(); err == nil {
			p, err = h.files(r).AddMember(r.Context(), actor(r), id, np, in.Event)
		}
	}
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
	var p *household.Person
	if err == nil {
		p, err = h.files(r).PersonByID(r.Context(), id)
	}
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
	if err == nil && in.Version == nil {
		err = fieldRequired("version")
	}
	var p *household.Person
	if err == nil {
		p, err = h.files(r).PersonByID(r.Context(), id)
	}
	if err == nil {
		if err = in.apply(p); err == nil {
			p, err = h.files(r).UpdatePerson(r.Context(), actor(r), *p)
		}
	}
	if errors.Is(err, apperr.ErrConflict) {
		if cur, e := h.files(r).PersonByID(r.Context(), id); e == nil {
			err = &staleError{current: cur.Version}
		}
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, p)
}

// personEvent records a typed event (lost_job, died, …) for a person.
func (h *handler) personEvent(w http.ResponseWriter, r *http.Request) {
	var in household.Event
	id, err := pathID(r)
	if err == nil {
		err = allow(r, access.RecordNeeds)
	}
	if err == nil {
		err = decode(w, r, &in)
		if fe, ok := apperr.AsField(err); ok && fe.Field == "" {
			err = apperr.InField(err, "date")
		}
	}
	var p *household.Person
	if err == nil {
		p, err = h.files(r).RecordEvent(r.Context(), actor(r), id, in)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, p)
}
