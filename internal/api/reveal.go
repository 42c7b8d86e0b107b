package api

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"wanhu/internal/access"
	"wanhu/internal/apperr"
	"wanhu/internal/audit"
)

// revealInput asks for the full value of one masked field, with the reason
// the viewer needs it; both go into the audit log.
type revealInput struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// revealed is the answer: the full value of the field.
type revealed struct {
	Field string `json:"field"`
	Value string `json:"value"`
}

// revealPerson shows a person's full ID number, phone or health notes to a
// role that needs them, and writes the view to the audit log.
func (h *handler) revealPerson(w http.ResponseWriter, r *http.Request) {
	h.reveal(w, r, "person", []string{"id_number", "phone", "health_notes"}, func(id int64, field string) (string, error) {
		p, err := h.files(r).PersonByID(r.Context(), id)
		if err != nil {
			return "", err
		}
		return map[string]string{"id_number": p.IDNumber, "phone": p.Phone, "health_notes": p.HealthNotes}[field], nil
	})
}

// revealHousehold shows a household's full contact phone (audited).
func (h *handler) revealHousehold(w http.ResponseWriter, r *http.Request) {
	h.reveal(w, r, "household", []string{"phone"}, func(id int64, _ string) (string, error) {
		hh, err := h.files(r).HouseholdByID(r.Context(), id)
		if err != nil {
			return "", err
		}
		return hh.Phone, nil
	})
}

func (h *handler) reveal(w http.ResponseWriter, r *http.Request, kind string, fields []string, value func(id int64, field string) (string, error)) {
	var in revealInput
	id, err := pathID(r)
	if err == nil {
		err = decode(w, r, &in)
	}
	in.Reason = strings.TrimSpace(in.Reason)
	switch {
	case err != nil:
	case !slices.Contains(fields, in.Field):
		err = apperr.Field("field", "one_of", "%q is not one of %s", in.Field, strings.Join(fields, ", "))
	case in.Reason == "":
		err = apperr.Field("reason", "required", "say why you need the full value; it goes into the audit log")
	}
	var v string
	if err == nil {
		if err = allow(r, access.Reveal); err == nil {
			v, err = value(id, in.Field)
		}
	}
	result := "ok"
	if err != nil {
		result = "denied"
	}
	if err == nil || err == errForbidden || err == apperr.ErrNotFound {
		if aerr := h.d.Audit.Record(r.Context(), h.revealEntry(r, "reveal."+in.Field, fmt.Sprintf("%s:%d", kind, id), result, in.Reason)); aerr != nil && err == nil {
			err = aerr // no unaudited view
		}
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, revealed{Field: in.Field, Value: v})
}

// revealEntry is the audit entry of a reveal by the user of r.
func (h *handler) revealEntry(r *http.Request, action, object, result, reason string) audit.Entry {
	e := h.auditWho(r)
	e.Action, e.Object, e.Result, e.Detail = action, object, result, reason
	return e
}
