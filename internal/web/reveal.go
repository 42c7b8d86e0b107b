package web

import (
	"net/http"
	"strings"

	"wanhu/internal/apperr"
	"wanhu/internal/audit"
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
// needs it; the household store writes the view to the audit log with it.
func (h *handler) revealPerson(w http.ResponseWriter, r *http.Request) {
	h.reveal(w, r, func(e audit.Entry, id int64, field string) (string, string, int64, error) {
		if field != "id_number" && field != "phone" {
			return "", "", 0, apperr.ErrNotFound
		}
		return h.files(r).RevealPerson(r.Context(), h.audit, e, id, field)
	})
}

// revealHousehold shows a household's full contact phone (audited).
func (h *handler) revealHousehold(w http.ResponseWriter, r *http.Request) {
	h.reveal(w, r, func(e audit.Entry, id int64, field string) (string, string, int64, error) {
		if field != "phone" {
			return "", "", 0, apperr.ErrNotFound
		}
		address, phone, err := h.files(r).RevealHousehold(r.Context(), h.audit, e, id)
		return address, phone, id, err
	})
}

func (h *handler) reveal(w http.ResponseWriter, r *http.Request, value func(e audit.Entry, id int64, field string) (whose, v string, householdID int64, err error)) {
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
	e := h.auditWho(r)
	e.Detail = v.Reason
	if v.Whose, v.Value, v.HouseholdID, err = value(e, id, v.Field); err != nil {
		h.showError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	h.render(w, r, http.StatusOK, "reveal", v)
}
