package web

import (
	"errors"
	"net/http"
	"strconv"

	"wanhu/internal/apperr"
	"wanhu/internal/feedback"
	"wanhu/internal/request"
)

// The resident's thanks (感谢TA) and complaints on /r/{code} (issue 17):
// once the request is rated, the page names the people who handled it
// (names only, request.Thankable) and takes the resident's praise or
// complaint of one of them, with optional words (required for a
// complaint). The form carries the page's double-submit token; each person
// is thanked once per request, and an address is limited per hour
// (feedback.AddPublic).

// residentThanksForm is the thanks form of the status page.
type residentThanksForm struct {
	FormToken string
	People    []residentOption
	Kinds     []residentOption
	Body      string
	Error     string
}

// residentThanksForm fills v's thanks form when the request has been
// rated; failure is the thanks form's own error, if the post was one.
func (h *handler) residentThanksForm(w http.ResponseWriter, r *http.Request, v *residentStatusPage, failure error) error {
	if v.T.CallbackResult == "" {
		return nil
	}
	people, err := h.residentRequests().Thankable(r.Context(), v.T.TrackingCode)
	if err != nil || len(people) == 0 {
		return err
	}
	l := v.L
	thanking := r.PostFormValue("person") != ""
	f := &v.Thanks
	f.FormToken = maskToken(residentToken(w, r, true))
	for _, p := range people {
		f.People = append(f.People, residentOption{p.Key, p.Name, thanking && p.Key == r.PostFormValue("person")})
	}
	kind := feedback.Praise
	if thanking {
		kind, f.Body = r.PostFormValue("kind"), r.PostFormValue("body")
	}
	for _, k := range feedback.Kinds {
		f.Kinds = append(f.Kinds, residentOption{k, l.T("resident.fb_kind." + k), k == kind})
	}
	if fe, ok := apperr.AsField(failure); ok && thanking {
		f.Error, v.Error = labelled(l.T("resident.fb_field."+fe.Field), residentErr(l, fe)), ""
	}
	return nil
}

// residentThanks records the resident's praise or complaint and thanks
// them.
func (h *handler) residentThanks(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	code := r.PathValue("code")
	back := "/r/" + request.NormalizeCode(code)
	if _, ok := residentFormToken(r); !ok {
		h.residentNotice(w, r, errForbidden, back)
		return
	}
	rs := h.residentRequests()
	rs.SetClock(h.now)
	err := rs.GiveFeedback(r.Context(), code, feedback.PublicInput{Kind: r.PostFormValue("kind"), Person: r.PostFormValue("person"),
		Body: r.PostFormValue("body")}, h.auth.ClientAddr(r))
	var tooMany *apperr.TooMany
	switch {
	case err == nil:
	case errors.Is(err, feedback.ErrOnce):
		h.residentSaid(w, r, http.StatusConflict, "resident.fb_once", back)
		return
	case errors.As(err, &tooMany):
		w.Header().Set("Retry-After", strconv.Itoa(tooMany.Seconds()))
		h.residentSaid(w, r, http.StatusTooManyRequests, "resident.too_many", back)
		return
	default:
		if _, ok := apperr.AsField(err); ok {
			h.residentStatusWith(w, r, http.StatusBadRequest, err)
			return
		}
		h.residentNotice(w, r, err, back)
		return
	}
	key := "resident.fb_done"
	if r.PostFormValue("kind") == feedback.Complaint {
		key = "resident.fb_complaint_done"
	}
	h.residentSaid(w, r, http.StatusOK, key, back)
}

// residentSaid answers with the notice page saying key.
func (h *handler) residentSaid(w http.ResponseWriter, r *http.Request, status int, key, back string) {
	v := residentNoticePage{Page: h.page(r, "resident.fb_title", ""), Back: back}
	v.Brand = h.residentBrand(r)
	v.Message = v.L.T(key)
	h.render(w, r, status, "resident_notice", v)
}
