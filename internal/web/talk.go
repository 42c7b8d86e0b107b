package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"wanhu/internal/access"
	"wanhu/internal/apperr"
	"wanhu/internal/mediation"
	"wanhu/internal/org"
)

// The talk room's log (谈心室, issue 16): the sessions in scope, a form for
// a new one, and a session's page with its visitors, what they said and
// the requests that came of it.

// talks returns the talk room and mediation store as the signed-in user
// sees it.
func (h *handler) talks(r *http.Request) *mediation.Store {
	files, rs := h.files(r), h.requests(r)
	return mediation.NewStore(h.db, files, rs).In(access.Scope(user(r)), files, rs)
}

// talkList is the talk room's log.
type talkList struct {
	Page
	Sessions []mediation.Session
	Total    int
	Edit     bool
	Error    string
	Posted   url.Values
	Today    string
}

// talkShow lists the sessions in scope, the latest first.
func (h *handler) talkShow(w http.ResponseWriter, r *http.Request) {
	h.talkListPage(w, r, http.StatusOK, "")
}

func (h *handler) talkListPage(w http.ResponseWriter, r *http.Request, status int, msg string) {
	v := talkList{Page: h.page(r, "talk.title", "talk"), Edit: can(r, access.RecordTalks), Error: msg, Today: h.currentDay().String()}
	if msg != "" {
		v.Posted = r.PostForm
	}
	var err error
	if v.Sessions, v.Total, err = h.talks(r).Sessions(r.Context(), mediation.SessionFilter{PerPage: 100}); err != nil {
		h.showError(w, r, err)
		return
	}
	h.render(w, r, status, "talk", v)
}

// talkCreate records a new session and opens it.
func (h *handler) talkCreate(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	t, err := h.talks(r).CreateSession(r.Context(), actor(r), mediation.SessionInput{Day: f.Get("day"), Starts: f.Get("starts"), Ends: f.Get("ends"),
		Host: f.Get("host"), Note: f.Get("note"), Home: access.HomePath(user(r))})
	if err != nil {
		if fe, ok := apperr.AsField(err); ok {
			h.talkListPage(w, r, http.StatusUnprocessableEntity, talkError(h.locale(r), fe))
			return
		}
		h.showError(w, r, err)
		return
	}
	seeOther(w, r, fmt.Sprintf("/talk/%d", t.ID))
}

// talkPage is one session.
type talkPage struct {
	Page
	S                       *mediation.Session
	Edit                    bool
	Error                   string
	Posted                  url.Values
	Categories, Departments []Option
}

// talkSessionShow shows session {id}.
func (h *handler) talkSessionShow(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r.PathValue("id"))
	if err != nil {
		h.showError(w, r, err)
		return
	}
	h.talkSessionPage(w, r, http.StatusOK, id, "")
}

func (h *handler) talkSessionPage(w http.ResponseWriter, r *http.Request, status int, id int64, msg string) {
	t, err := h.talks(r).Session(r.Context(), id)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	v := talkPage{Page: h.page(r, "", "talk"), S: t, Edit: can(r, access.RecordTalks), Error: msg}
	v.Title = v.L.T("talk.session_title", t.Day, t.Starts, t.Ends)
	if msg != "" {
		v.Posted = r.PostForm
	}
	if v.Edit {
		if v.Categories, v.Departments, err = h.requestChoices(r, v.L); err != nil {
			h.showError(w, r, err)
			return
		}
	}
	h.render(w, r, status, "talk_session", v)
}

// requestChoices are the categories of a request and the departments it
// may be referred to ("—": handled in the community).
func (h *handler) requestChoices(r *http.Request, l *Locale) (cats, depts []Option, err error) {
	cs, names, err := h.categoryNames(r, l)
	if err != nil {
		return nil, nil, err
	}
	for _, c := range cs {
		cats = append(cats, Option{Value: c.Code, Label: names[c.Code]})
	}
	ds, err := org.Units(r.Context(), h.db, org.Department)
	if err != nil {
		return nil, nil, err
	}
	depts = []Option{{Value: "", Label: "—"}}
	for _, d := range ds {
		depts = append(depts, Option{Value: strconv.FormatInt(d.ID, 10), Label: d.Name})
	}
	return cats, depts, nil
}

// talkVisitorAdd records a visitor of session {id}, and the request of
// their words when the form asks for one.
func (h *handler) talkVisitorAdd(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r.PathValue("id"))
	if err != nil {
		h.showError(w, r, err)
		return
	}
	f := r.PostForm
	in := mediation.VisitorInput{Name: f.Get("name"), Said: f.Get("said")}
	if in.HouseholdID, err = id64(f, "household_id"); err == nil && f.Get("make_request") != "" {
		in.Request = &mediation.NewRequest{Category: f.Get("category"), Description: strings.TrimSpace(f.Get("description"))}
		in.Request.DepartmentID, err = id64(f, "department_id")
	}
	if err == nil {
		_, err = h.talks(r).AddVisitor(r.Context(), actor(r), id, in)
	}
	if fe, ok := apperr.AsField(err); ok && !errors.Is(err, apperr.ErrNotFound) {
		h.talkSessionPage(w, r, http.StatusUnprocessableEntity, id, talkError(h.locale(r), fe))
		return
	}
	if err != nil {
		h.showError(w, r, err)
		return
	}
	seeOther(w, r, fmt.Sprintf("/talk/%d#visitors", id))
}

// talkError says what is wrong with a field of a talk-room or mediation
// form: the field's label and the reason.
func talkError(l *Locale, fe *apperr.FieldError) string {
	label := fe.Field
	if k := "talk.f." + strings.ReplaceAll(fe.Field, ".", "_"); l.Has(k) {
		label = l.T(k)
	}
	return label + ": " + l.Err(fe)
}
