package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"wanhu/internal/apperr"
	"wanhu/internal/household"
)

// householdNew shows the form for a new household and its first member.
func (h *handler) householdNew(w http.ResponseWriter, r *http.Request) {
	v := url.Values{"kind": {"residential"}, "occupancy": {"owner"}, "members[0].relation": {"householder"}, "members[0].residence": {"registered"}}
	h.showHouseholdForm(w, r, http.StatusOK, nil, v, nil)
}

// householdCreate saves a new household and goes to its file.
func (h *handler) householdCreate(w http.ResponseWriter, r *http.Request) {
	fail := func(err error) {
		if h.failed(w, r, err) {
			h.showHouseholdForm(w, r, status(err), nil, r.PostForm, err)
		}
	}
	if reloaded(r) {
		h.showHouseholdForm(w, r, http.StatusOK, nil, r.PostForm, nil)
		return
	}
	hh, err := parseHousehold(r.PostForm, nil)
	if err != nil {
		fail(err)
		return
	}
	p, err := parsePerson(r.PostForm, "members[0].", nil)
	if err != nil {
		fail(prefixed(err, "members[0]."))
		return
	}
	created, err := h.files(r).CreateHousehold(r.Context(), actor(r), hh, []household.Person{p})
	if err != nil {
		fail(err)
		return
	}
	seeOther(w, r, fmt.Sprintf("/households/%d", created.ID))
}

// reloaded tells whether the form was sent with its reload button (see
// Field.Reload): to be shown again with its choices narrowed, not saved.
func reloaded(r *http.Request) bool { return r.PostForm.Get("reload") != "" }

// householdEdit shows the edit form of a household.
func (h *handler) householdEdit(w http.ResponseWriter, r *http.Request) {
	hh, err := h.loadHousehold(r)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	h.showHouseholdForm(w, r, http.StatusOK, hh, householdValues(hh), nil)
}

// householdUpdate saves an edited household. On a conflict the form comes
// back with the user's input, the values saved in between and the new
// version, so saving again is a deliberate re-apply.
func (h *handler) householdUpdate(w http.ResponseWriter, r *http.Request) {
	old, err := h.loadHousehold(r)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	fail := func(err error) {
		if h.failed(w, r, err) {
			h.showHouseholdForm(w, r, status(err), old, r.PostForm, err)
		}
	}
	if reloaded(r) {
		h.showHouseholdForm(w, r, http.StatusOK, old, r.PostForm, nil)
		return
	}
	hh, err := parseHousehold(r.PostForm, old)
	if err != nil {
		fail(err)
		return
	}
	if _, err := h.files(r).UpdateHousehold(r.Context(), actor(r), hh); err != nil {
		fail(err)
		return
	}
	seeOther(w, r, fmt.Sprintf("/households/%d", old.ID))
}

// showHouseholdForm renders the household form with values v and err next
// to its field. old is nil for a new household.
func (h *handler) showHouseholdForm(w http.ResponseWriter, r *http.Request, code int, old *household.Household, v url.Values, err error) {
	ctx := r.Context()
	fv := FormView{Page: h.page(r, "household.new", "households"), Action: "/households", Back: "/households"}
	pc, perr := h.places(r, v)
	if perr != nil {
		h.showError(w, r, perr)
		return
	}
	_, tags, terr := h.tagNames(ctx, fv.L)
	if terr != nil {
		h.showError(w, r, terr)
		return
	}
	if old != nil {
		fv.Title = fv.L.T("household.edit")
		fv.Action, fv.Back = fmt.Sprintf("/households/%d", old.ID), fmt.Sprintf("/households/%d", old.ID)
		if errors.Is(err, apperr.ErrConflict) {
			if cur, cerr := h.files(r).HouseholdByID(ctx, old.ID); cerr == nil {
				cv := householdValues(cur)
				now := newForm(fv.L, cv, nil)
				cpc, perr := h.places(r, cv)
				if perr != nil {
					h.showError(w, r, perr)
					return
				}
				householdFields(now, cpc, tags, cur)
				fv.Conflict = summary(now)
				v.Set("version", fmt.Sprint(cur.Version))
				old = cur
			}
			fv.Error = fv.L.T("form.conflict")
		}
	}
	fv.Heading = fv.Title
	fv.Form = newForm(fv.L, v, err)
	householdFields(fv.Form, pc, tags, old)
	if old == nil {
		fv.Member = newForm(fv.L, v, err)
		fv.Member.prefix = "members[0]."
		personFields(fv.Member, tags, nil, true)
	}
	fv.Unplaced = unplaced(fv.L, err, fv.Form, fv.Member)
	if fv.Error == "" && err != nil {
		fv.Error = fv.L.T("form.fix")
	}
	h.render(w, r, code, "form", fv)
}
