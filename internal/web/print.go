package web

import (
	"net/http"
	"wanhu/internal/calendar"
	"wanhu/internal/org"
)

// householdPrint shows the one-page 一户一档 sheet, laid out for A4.
func (h *handler) householdPrint(w http.ResponseWriter, r *http.Request) {
	v, err := h.fileOf(r, "print.title")
	if err != nil {
		h.showError(w, r, err)
		return
	}
	if v.Community == "" { // the file reads it only for those who assign or edit
		if c, err := org.CommunityOfGrid(r.Context(), h.db, v.H.GridID); err == nil {
			v.Community = c.Name
		}
	}
	v.Printed = h.now().In(calendar.China).Format("2006-01-02 15:04")
	h.render(w, r, http.StatusOK, "print", v)
}
