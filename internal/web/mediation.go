package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"wanhu/internal/access"
	"wanhu/internal/apperr"
	"wanhu/internal/calendar"
	"wanhu/internal/mediation"
)

// Mediation cases (调解, issue 16): the cases in scope with a form to open
// one, and a case's page with its parties, mediators, sessions, outcome
// and escalation.

// mediationList is the list of cases.
type mediationList struct {
	Page
	Cases     []mediation.Case
	Total     int
	Edit      bool
	Error     string
	Posted    url.Values
	Mediators []Option
}

// mediationShow lists the cases in scope.
func (h *handler) mediationShow(w http.ResponseWriter, r *http.Request) {
	h.mediationListPage(w, r, http.StatusOK, "")
}

func (h *handler) mediationListPage(w http.ResponseWriter, r *http.Request, status int, msg string) {
	v := mediationList{Page: h.page(r, "mediation.title", "talk"), Edit: can(r, access.RecordTalks), Error: msg}
	if msg != "" {
		v.Posted = r.PostForm
	}
	var err error
	if v.Cases, v.Total, err = h.talks(r).Cases(r.Context(), mediation.CaseFilter{PerPage: 100}); err != nil {
		h.showError(w, r, err)
		return
	}
	if v.Edit {
		if v.Mediators, err = h.mediatorChoices(r, nil); err != nil {
			h.showError(w, r, err)
			return
		}
	}
	h.render(w, r, status, "mediation", v)
}

// mediatorChoices are the active team members in scope, those with a
// mediation skill first; chosen are ticked.
func (h *handler) mediatorChoices(r *http.Request, chosen []int64) ([]Option, error) {
	ms, err := h.files(r).Team(r.Context())
	if err != nil {
		return nil, err
	}
	var first, rest []Option
	for _, m := range ms {
		o := Option{Value: strconv.FormatInt(m.ID, 10), Label: m.Name + " · " + h.roleName(r, string(m.Role))}
		for _, c := range chosen {
			o.Selected = o.Selected || c == m.ID
		}
		skilled := false
		for _, s := range m.Skills {
			skilled = skilled || strings.Contains(s, "调解")
		}
		if skilled || m.Role == "party_member" {
			first = append(first, o)
		} else {
			rest = append(rest, o)
		}
	}
	return append(first, rest...), nil
}

// roleName is a team role in the user's language.
func (h *handler) roleName(r *http.Request, role string) string {
	l := h.locale(r)
	if k := "role." + role; l.Has(k) {
		return l.T(k)
	}
	return role
}

// ids reads a list of ids from a form: the values of name, each of which
// may hold several separated by commas or spaces.
func ids(f url.Values, name string) ([]int64, error) {
	var out []int64
	for _, v := range f[name] {
		for _, s := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == '，' || r == ' ' }) {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil || n < 1 {
				return nil, apperr.Field(name, "number", "must be a whole number")
			}
			out = append(out, n)
		}
	}
	return out, nil
}

// caseInput reads the fields of a case's form.
func caseInput(f url.Values) (mediation.CaseInput, error) {
	in := mediation.CaseInput{Title: f.Get("title"), Summary: f.Get("summary"), OpenedOn: strings.TrimSpace(f.Get("opened_on")),
		Outcome: f.Get("outcome"), Agreement: f.Get("agreement"), FollowUpOn: strings.TrimSpace(f.Get("follow_up_on"))}
	var err error
	if in.HouseholdIDs, err = ids(f, "household_ids"); err != nil {
		return in, err
	}
	if in.MediatorIDs, err = ids(f, "mediator_ids"); err != nil {
		return in, err
	}
	in.Version, err = intField(f, "version")
	return in, err
}

// mediationCreate opens a case and shows it.
func (h *handler) mediationCreate(w http.ResponseWriter, r *http.Request) {
	in, err := caseInput(r.PostForm)
	var c *mediation.Case
	if err == nil {
		c, err = h.talks(r).CreateCase(r.Context(), actor(r), in)
	}
	if fe, ok := apperr.AsField(err); ok && !errors.Is(err, apperr.ErrNotFound) {
		h.mediationListPage(w, r, http.StatusUnprocessableEntity, talkError(h.locale(r), fe))
		return
	}
	if err != nil {
		h.showError(w, r, err)
		return
	}
	seeOther(w, r, fmt.Sprintf("/mediation/%d", c.ID))
}

// casePage is one case.
type casePage struct {
	Page
	C                       *mediation.Case
	Edit                    bool
	Error                   string
	Failed                  string
	Posted                  url.Values
	Mediators, Outcomes     []Option
	Categories, Departments []Option
	Sessions                []caseSession
	Outcome                 string
}

// caseSession is a session of a case as the page shows it.
type caseSession struct {
	At, Note, By string
}

// mediationCaseShow shows case {id}.
func (h *handler) mediationCaseShow(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r.PathValue("id"))
	if err != nil {
		h.showError(w, r, err)
		return
	}
	h.mediationCasePage(w, r, http.StatusOK, id, "", "")
}

func (h *handler) mediationCasePage(w http.ResponseWriter, r *http.Request, status int, id int64, failed, msg string) {
	c, err := h.talks(r).Case(r.Context(), id)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	v := casePage{Page: h.page(r, "", "talk"), C: c, Edit: can(r, access.RecordTalks), Error: msg, Failed: failed}
	l := v.L
	v.Title = l.T("mediation.case_title", c.ID, c.Title)
	v.Outcome = l.Value("mediation.outcome", cmpOr(c.Outcome, "open"))
	if failed != "" {
		v.Posted = r.PostForm
	}
	for _, s := range c.Sessions {
		v.Sessions = append(v.Sessions, caseSession{At: l.Time(s.HeldAt), Note: s.Note, By: s.By})
	}
	if v.Edit {
		var chosen []int64
		for _, m := range c.Mediators {
			chosen = append(chosen, m.ID)
		}
		if v.Mediators, err = h.mediatorChoices(r, chosen); err != nil {
			h.showError(w, r, err)
			return
		}
		v.Outcomes = []Option{{Value: "", Label: l.T("mediation.outcome.open"), Selected: c.Outcome == ""}}
		v.Outcomes = append(v.Outcomes, choices(l, "mediation.outcome", mediation.Outcomes, c.Outcome)...)
		if v.Categories, v.Departments, err = h.requestChoices(r, l); err != nil {
			h.showError(w, r, err)
			return
		}
		v.Departments = v.Departments[1:] // an escalation is referred
	}
	h.render(w, r, status, "mediation_case", v)
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// mediationCaseAct takes a step on case {id}: save (outcome, agreement,
// follow-up, mediators), session, escalate.
func (h *handler) mediationCaseAct(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r.PathValue("id"))
	action := r.PathValue("action")
	if err != nil || (action != "save" && action != "session" && action != "escalate") {
		h.showError(w, r, apperr.ErrNotFound)
		return
	}
	f, s, ctx := r.PostForm, h.talks(r), r.Context()
	switch action {
	case "save":
		var in mediation.CaseInput
		if in, err = caseInput(f); err == nil {
			_, err = s.UpdateCase(ctx, id, in)
		}
	case "session":
		in := mediation.MeetingInput{Note: f.Get("note")}
		if at := strings.TrimSpace(f.Get("held_at")); at != "" {
			t, perr := time.ParseInLocation("2006-01-02T15:04", at, calendar.China)
			if perr != nil {
				err = apperr.Field("held_at", "invalid", "is not a time")
			}
			in.HeldAt = &t
		}
		if err == nil {
			_, err = s.AddMeeting(ctx, actor(r), id, in)
		}
	case "escalate":
		nr := mediation.NewRequest{Category: f.Get("category"), Description: strings.TrimSpace(f.Get("description"))}
		var version int
		if nr.DepartmentID, err = id64(f, "department_id"); err == nil {
			if version, err = intField(f, "version"); err == nil {
				_, err = s.Escalate(ctx, actor(r), id, version, nr)
			}
		}
	}
	switch fe, isField := apperr.AsField(err); {
	case err == nil:
		seeOther(w, r, fmt.Sprintf("/mediation/%d", id))
	case isField && !errors.Is(err, apperr.ErrNotFound):
		h.mediationCasePage(w, r, http.StatusUnprocessableEntity, id, action, talkError(h.locale(r), fe))
	case errors.Is(err, apperr.ErrConflict) && !errors.Is(err, apperr.ErrNotFound):
		h.mediationCasePage(w, r, http.StatusConflict, id, "", h.locale(r).T("mediation.stale"))
	default:
		h.showError(w, r, err)
	}
}
