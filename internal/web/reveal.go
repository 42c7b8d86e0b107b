package web

import (
	"fmt"
	"net/http"
	"strings"

	"wanhu/internal/apperr"
)

// revealForm is the little form beside a masked value that asks for the
// full one with a reason.
type revealForm struct {
	L                   *Locale
	CSRF, Action, Field string
}

// revealView shows one full value, once, with the reason it was asked for.
type revealView struct {
	Page
	Whose, Field, Value, Reason string
	HouseholdID                 int64
}

// revealPerson shows a member's full ID number or phone to a role that
// needs it; the view is written to the audit log first.
func (h *handler) revealPerson(w http.ResponseWriter, r *http.Request) {
	h.reveal(w, r, "person", func(id int64, field string) (string, string, int64, error) {
		p, err := h.files(r).PersonByID(r.Context(), id)
		if err != nil {
			return "", "", 0, err
		}
		v, ok := map[string]string{"id_number": p.IDNumber, "phone": p.Phone}[field]
		if !ok {
			return "", "", 0, apperr.ErrNotFound
		}
		return p.Name, v, p.HouseholdID, nil
	})
}

// revealHousehold shows a household's full contact phone (audited).
func (h *handler) revealHousehold(w http.ResponseWriter, r *http.Request) {
	h.reveal(w, r, "household", func(id int64, field string) (string, string, int64, error) {
		hh, err := h.files(r).HouseholdByID(r.Context(), id)
		if err != nil || field != "phone" {
			return "", "", 0, apperr.ErrNotFound
		}
		return hh.Address, hh.Phone, hh.ID, nil
	})
}

func (h *handler) reveal(w http.ResponseWriter, r *http.Request, kind string, value func(id int64, field string) (whose, v string, householdID int64, err error)) {
	id, err := pathID(r.PathValue("id"))
	if err != nil {
		h.showError(w, r, err)
		return
	}
	v := revealView{Page: h.page(r, "reveal.title", "households"), Field: r.PostForm.Get("field"), Reason: strings.TrimSpace(r.PostForm.Get("reason"))}
	if v.Reason == "" {
		h.showError(w, r, apperr.Field("reason", "required", "say why you need the full value"))
		return
	}
	var full string
	v.Whose, full, v.HouseholdID, err = value(id, v.Field)
	result := "ok"
	if err != nil {
		result = "denied"
	}
	e := h.auditWho(r)
	e.Action, e.Object, e.Result, e.Detail = "reveal."+v.Field, fmt.Sprintf("%s:%d", kind, id), result, v.Reason
	aerr := h.audit.Record(r.Context(), e)
	if err == nil {
		err = aerr // no view without its audit entry
	}
	if err != nil {
		h.showError(w, r, err)
		return
	}
	v.Value = full
	w.Header().Set("Cache-Control", "no-store")
	h.render(w, r, http.StatusOK, "reveal", v)
}
