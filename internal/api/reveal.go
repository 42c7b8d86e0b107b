package api

import (
	"net/http"
	"strings"

	"wanhu/internal/apperr"
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
// role that needs them; the household store writes the view to the audit
// log with it.
func (h *handler) revealPerson(w http.ResponseWriter, r *http.Request) {
	h.reveal(w, r, func(id int64, in revealInput) (string, error) {
		e := h.auditWho(r)
		e.Detail = in.Reason
		_, v, _, err := h.files(r).RevealPerson(r.Context(), h.d.Audit, e, id, in.Field)
		return v, err
	})
}

// revealHousehold shows a household's full contact phone (audited).
func (h *handler) revealHousehold(w http.ResponseWriter, r *http.Request) {
	h.reveal(w, r, func(id int64, in revealInput) (string, error) {
		if in.Field != "phone" {
			return "", apperr.OneOf("field", in.Field, []string{"phone"})
		}
		e := h.auditWho(r)
		e.Detail = in.Reason
		_, v, err := h.files(r).RevealHousehold(r.Context(), h.d.Audit, e, id)
		return v, err
	})
}

func (h *handler) reveal(w http.ResponseWriter, r *http.Request, value func(id int64, in revealInput) (string, error)) {
	var in revealInput
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := decode(w, r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	in.Reason = strings.TrimSpace(in.Reason)
	if in.Reason == "" {
		h.fail(w, r, apperr.Field("reason", "required", "say why you need the full value; it goes into the audit log"))
		return
	}
	v, err := value(id, in)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	h.writeJSON(w, r, http.StatusOK, revealed{Field: in.Field, Value: v})
}
