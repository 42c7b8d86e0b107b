package web

import (
	"errors"
	"net/http"
	"strconv"

	"wanhu/internal/apperr"
	"wanhu/internal/request"
)

// The public pages' reads (/r/{code}, /a/{token}) are rate-limited per
// client address in the database (request.CountRead), so that the limit
// holds across servers and nobody walks tracking codes or card tokens.

// readLimit is the limit of the public pages' reads: request.PublicReads
// unless a test set its own.
func (h *handler) readLimit() request.ReadLimit {
	if h.publicReads.Max > 0 {
		return h.publicReads
	}
	return request.PublicReads
}

// publicRead counts a read of the public page kind ("resident",
// "appointment") by the client of r. Over the limit it answers 429 with
// Retry-After and a page that says when to come back, and returns false.
func (h *handler) publicRead(w http.ResponseWriter, r *http.Request, kind string) bool {
	err := request.CountRead(r.Context(), h.db, kind, h.auth.ClientAddr(r), h.readLimit(), h.now())
	var tm *apperr.TooMany
	switch {
	case err == nil:
		return true
	case !errors.As(err, &tm):
		h.serverError(w, r, err)
		return false
	}
	secs := tm.Seconds()
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	minutes := max((secs+59)/60, 1)
	if kind == "appointment" {
		v := apptNoticePage{Page: h.page(r, "appt.title", "")}
		v.Message = v.L.T("public.too_many_reads", minutes)
		h.render(w, r, http.StatusTooManyRequests, "appointment_notice", v)
		return false
	}
	v := residentNoticePage{Page: h.page(r, "resident.notice_title", "")}
	v.Message = v.L.T("public.too_many_reads", minutes)
	h.render(w, r, http.StatusTooManyRequests, "resident_notice", v)
	return false
}
