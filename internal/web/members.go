package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"wanhu/internal/apperr"
	"wanhu/internal/household"
)

// arrivals are the "arrived by" choices of a new member: the ledger event
// it is recorded as ("" is a plain member_added).
var arrivals = []string{household.EvBorn, household.EvMovedIn, "other"}

// memberNew shows the form for a new member of a household.
func (h *handler) memberNew(w http.ResponseWriter, r *http.Request) {
	hh, err := h.loadHousehold(r)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	h.showMemberForm(w, r, http.StatusOK, hh, url.Values{"relation": {"child"}, "residence": {"registered"}, "arrival": {"other"}}, nil)
}

// memberCreate adds a member and goes back to the file.
func (h *handler) memberCreate(w http.ResponseWriter, r *http.Request) {
	hh, err := h.loadHousehold(r)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	fail := func(err error) {
		if h.failed(w, r, err) {
			h.showMemberForm(w, r, status(err), hh, r.PostForm, err)
		}
	}
	p, err := parsePerson(r.PostForm, "", nil)
	if err != nil {
		fail(err)
		return
	}
	event := r.PostForm.Get("arrival")
	if event == "other" {
		event = ""
	}
	if _, err := h.files(r).AddMember(r.Context(), actor(r), hh.ID, p, event); err != nil {
		if fe, ok := apperr.AsField(err); ok && fe.Field == "event" {
			err = apperr.InField(err, "arrival")
		}
		fail(err)
		return
	}
	seeOther(w, r, fmt.Sprintf("/households/%d", hh.ID))
}

func (h *handler) showMemberForm(w http.ResponseWriter, r *http.Request, code int, hh *household.Household, v url.Values, err error) {
	fv := FormView{Page: h.page(r, "member.new", "households"), Action: fmt.Sprintf("/households/%d/members", hh.ID),
		Back: fmt.Sprintf("/households/%d", hh.ID)}
	fv.Heading = fv.Title + " · " + hh.Address
	_, tags, terr := h.tagNames(r.Context(), fv.L)
	if terr != nil {
		h.showError(w, r, terr)
		return
	}
	fv.Form = newForm(fv.L, v, err)
	fv.Form.enum("arrival", "arrival", arrivals, false)
	personFields(fv.Form, tags, nil, false)
	fv.Unplaced = unplaced(fv.L, err, fv.Form)
	if err != nil {
		fv.Error = fv.L.T("form.fix")
	}
	h.render(w, r, code, "form", fv)
}

// personView is the member edit page: the edit form and the form that
// records a typed event.
type personView struct {
	FormView
	Person     *household.Person
	EventForm  *form
	EventPath  string
	EventError string
}

// loadPerson reads the person of the route's {id}, if the user may see them.
func (h *handler) loadPerson(r *http.Request) (*household.Person, error) {
	id, err := pathID(r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	p, err := h.files(r).PersonByID(r.Context(), id)
	if err != nil {
		return nil, err
	}
	if _, err := h.loadHouseholdByID(r, p.HouseholdID); err != nil {
		return nil, err
	}
	return p, nil
}

func (h *handler) loadHouseholdByID(r *http.Request, id int64) (*household.Household, error) {
	hh, err := h.files(r).HouseholdByID(r.Context(), id)
	if err != nil {
		return nil, err
	}
	return hh, nil
}

// personEdit shows a member's edit form.
func (h *handler) personEdit(w http.ResponseWriter, r *http.Request) {
	p, err := h.loadPerson(r)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	h.showPersonForm(w, r, http.StatusOK, p, personValues(p), nil, url.Values{}, nil)
}

// personUpdate saves an edited member.
func (h *handler) personUpdate(w http.ResponseWriter, r *http.Request) {
	old, err := h.loadPerson(r)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	fail := func(err error) {
		if h.failed(w, r, err) {
			h.showPersonForm(w, r, status(err), old, r.PostForm, err, url.Values{}, nil)
		}
	}
	p, err := parsePerson(r.PostForm, "", old)
	if err != nil {
		fail(err)
		return
	}
	if _, err := h.files(r).UpdatePerson(r.Context(), actor(r), p); err != nil {
		fail(err)
		return
	}
	seeOther(w, r, fmt.Sprintf("/households/%d", old.HouseholdID))
}

// personEvent records a typed event (lost job, died, …) for a member.
func (h *handler) personEvent(w http.ResponseWriter, r *http.Request) {
	p, err := h.loadPerson(r)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	v := r.PostForm
	ev := household.Event{Type: v.Get("type"), Note: v.Get("note"), School: v.Get("school"), Dibao: v.Get("dibao"),
		HealthNotes: v.Get("health_notes"), SeriousIllness: v.Get("serious_illness") == "yes"}
	fail := func(err error) {
		if h.failed(w, r, err) {
			h.showPersonForm(w, r, status(err), p, personValues(p), nil, v, err)
		}
	}
	if ev.Date, err = dateField(v, "date"); err != nil {
		fail(err)
		return
	}
	if _, err := h.files(r).RecordEvent(r.Context(), actor(r), p.ID, ev); err != nil {
		fail(err)
		return
	}
	seeOther(w, r, fmt.Sprintf("/households/%d", p.HouseholdID))
}

// showPersonForm renders the member page: the edit form with values v and
// editErr, and the event form with values ev and evErr.
func (h *handler) showPersonForm(w http.ResponseWriter, r *http.Request, code int, old *household.Person, v url.Values, editErr error, ev url.Values, evErr error) {
	ctx := r.Context()
	pv := personView{FormView: FormView{Page: h.page(r, "member.edit", "households"),
		Action: fmt.Sprintf("/persons/%d", old.ID), Back: fmt.Sprintf("/households/%d", old.HouseholdID)}, Person: old,
		EventPath: fmt.Sprintf("/persons/%d/events", old.ID)}
	pv.Heading = pv.Title + " · " + old.Name
	_, tags, err := h.tagNames(ctx, pv.L)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	if errors.Is(editErr, apperr.ErrConflict) {
		if cur, cerr := h.files(r).PersonByID(ctx, old.ID); cerr == nil {
			now := newForm(pv.L, personValues(cur), nil)
			personFields(now, tags, cur, false)
			pv.Conflict = summary(now)
			v.Set("version", fmt.Sprint(cur.Version))
			old = cur
		}
		pv.Error = pv.L.T("form.conflict")
	}
	pv.Form = newForm(pv.L, v, editErr)
	personFields(pv.Form, tags, old, false)
	pv.Unplaced = unplaced(pv.L, editErr, pv.Form)
	if pv.Error == "" && editErr != nil {
		pv.Error = pv.L.T("form.fix")
	}
	if errors.Is(evErr, apperr.ErrConflict) {
		pv.EventError = pv.L.T("form.conflict")
	}
	pv.EventForm = newForm(pv.L, ev, evErr)
	pv.EventForm.enum("type", "event", household.EventTypes, false)
	pv.EventForm.input("date", "date").Hint = pv.L.T("form.date_hint")
	pv.EventForm.enum("school", "school", household.Schools, true).Hint = pv.L.T("form.school_hint")
	pv.EventForm.enum("dibao", "dibao", []string{"dibao", "near_dibao"}, true).Hint = pv.L.T("form.dibao_hint")
	pv.EventForm.add("health_notes", "textarea", nil).Hint = pv.L.T("form.health_hint")
	pv.EventForm.checks("serious_illness", []string{"yes"}, []string{pv.L.T("form.serious_illness")})
	pv.EventForm.text("note")
	if evErr != nil && pv.EventError == "" {
		pv.EventError = unplaced(pv.L, evErr, pv.EventForm)
		if pv.EventError == "" {
			pv.EventError = pv.L.T("form.fix")
		}
	}
	h.render(w, r, code, "person", pv)
}
