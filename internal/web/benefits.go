package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"wanhu/internal/access"
	"wanhu/internal/apperr"
	"wanhu/internal/household"
	"wanhu/internal/org"
)

// Benefit cases on the household file (issue 17): the household's relief
// and benefits, applied for in one step from a need, a plan measure or a
// visit (?benefit_need=, ?benefit_measure=, ?benefit_visit=,
// ?benefit_request= open the form filled in), and decided on the file;
// there an applied case is withdrawn (撤回) by its helper or a role that
// decides, and an approved one paid monthly is ended (停发) by a role
// that decides.

// benefitBlock is the section of the household file.
type benefitBlock struct {
	Cases     []benefitRow
	CanApply  bool
	CanDecide bool
	// The apply form: open when it came from a need, measure or visit.
	Open                                  bool
	Source                                string
	NeedID, MeasureID, VisitID, RequestID int64
	Kinds, Periods, Forms, Helpers        []Option
	Persons                               []benefitPersonOption
	Today                                 string
	Decisions                             []Option
}

type benefitPersonOption struct {
	ID      int64
	Name    string
	Checked bool
}

// benefitRow is one case as the file shows it.
type benefitRow struct {
	ID                                    int64
	Kind, Persons, AppliedOn, Status      string
	StatusCode, DecidedOn, Amount, Helper string
	Note, Form                            string
	Applied                               bool
	// EndedOn, WithdrawnOn and Reason: a case ended or withdrawn.
	EndedOn, WithdrawnOn, Reason string
	// Endable: approved and paid monthly (a role that decides ends it);
	// CanWithdraw: applied, and the user may withdraw it (its helper or a
	// role that decides).
	Endable, CanWithdraw bool
	// The edit form's values: the amount (empty when hidden), the codes.
	AmountValue, PeriodCode, FormCode, NoteValue string
	Version                                      int
	NeedID, MeasureID, VisitID, RequestID        int64
}

// benefitBlockOf builds the benefit section of file v for the user.
func (h *handler) benefitBlockOf(r *http.Request, v *fileView) (*benefitBlock, error) {
	ctx, l, hh := r.Context(), v.L, v.H
	var cases []household.BenefitCase
	if v.blocks.Benefits {
		var err error
		if cases, _, err = h.files(r).Benefits(ctx, household.BenefitFilter{HouseholdID: hh.ID, PerPage: 100, NoTotal: true}); err != nil {
			return nil, err
		}
	}
	b := &benefitBlock{CanApply: can(r, access.RecordNeeds), CanDecide: can(r, access.EditHouseholds), Today: h.currentDay().String()}
	var member int64
	if u := user(r); u != nil {
		member = u.TeamMemberID
	}
	for _, c := range cases {
		row := benefitRowOf(l, c)
		row.CanWithdraw = row.Applied && household.MayWithdrawBenefit(&c, b.CanDecide, b.CanApply, member)
		b.Cases = append(b.Cases, row)
	}
	if b.CanDecide { // the decision form's choices (household.html)
		b.Decisions = enumOptions(l, "benefit_status", []string{household.BenefitApproved, household.BenefitRejected}, household.BenefitApproved, "")[1:]
	}
	if !b.CanApply {
		return b, nil
	}
	q := r.URL.Query()
	kind, onlyPerson := household.BenefitTemporaryRelief, int64(0)
	if id, _ := strconv.ParseInt(q.Get("benefit_need"), 10, 64); id != 0 {
		for _, n := range hh.Needs {
			if n.ID == id {
				b.NeedID, b.Open, onlyPerson = n.ID, true, n.PersonID
				b.Source = l.T("benefit.from_need", l.Enum("need_kind", n.Kind))
			}
		}
	}
	if id, _ := strconv.ParseInt(q.Get("benefit_measure"), 10, 64); id != 0 {
		for _, m := range hh.Measures {
			if m.ID == id {
				b.MeasureID, b.Open = m.ID, true
				b.Source = l.T("benefit.from_measure", l.Enum("measure_kind", m.Kind))
				if m.Kind == "dibao_check" {
					kind = household.BenefitDibao
				}
			}
		}
	}
	if id, _ := strconv.ParseInt(q.Get("benefit_visit"), 10, 64); id != 0 {
		b.VisitID, b.Open, b.Source = id, true, l.T("benefit.from_visit", id)
	}
	if id, _ := strconv.ParseInt(q.Get("benefit_request"), 10, 64); id != 0 {
		b.RequestID, b.Open, b.Source = id, true, l.T("benefit.from_request", id)
	}
	if k := q.Get("benefit_kind"); k != "" {
		kind = k
	}
	b.Kinds = enumOptions(l, "benefit_kind", household.BenefitKinds, kind, "")[1:]
	b.Periods = enumOptions(l, "benefit_period", household.BenefitPeriods, "", "—")
	b.Forms = enumOptions(l, "benefit_form", household.BenefitForms, "cash", "")[1:]
	for _, p := range hh.Members {
		if p.Current() {
			b.Persons = append(b.Persons, benefitPersonOption{ID: p.ID, Name: p.Name, Checked: onlyPerson == p.ID || onlyPerson == 0})
		}
	}
	// The helper: an editor chooses among the grid's and community's team
	// (as for plan measures); anyone else is the helper themselves.
	b.Helpers = []Option{{Value: "", Label: "—"}}
	var team []org.TeamMember
	if b.CanDecide { // an editor: the file has read the community's team
		team = v.team
	} else if u := user(r); u != nil && u.TeamMemberID != 0 {
		if v.helper == u.TeamMemberID { // read with the file's blocks
			if m := v.blocks.Member; m.ID != 0 {
				team = []org.TeamMember{{ID: m.ID, GridID: m.GridID, Name: m.Name, Role: org.Role(m.Role)}}
				b.Helpers = nil
			}
		} else if m, err := org.TeamMemberByID(ctx, h.db, u.TeamMemberID); err == nil {
			team = []org.TeamMember{m}
			b.Helpers = nil
		}
	}
	for _, t := range team {
		if t.GridID == 0 || t.GridID == hh.GridID {
			b.Helpers = append(b.Helpers, Option{Value: strconv.FormatInt(t.ID, 10), Label: t.Name + "（" + l.Enum("role", string(t.Role)) + "）"})
		}
	}
	return b, nil
}

func benefitRowOf(l *Locale, c household.BenefitCase) benefitRow {
	row := benefitRow{ID: c.ID, Kind: l.Enum("benefit_kind", c.Kind), Persons: strings.Join(c.Persons, "、"), AppliedOn: c.AppliedOn,
		Status: l.Enum("benefit_status", c.Status), StatusCode: c.Status, DecidedOn: c.DecidedOn, Helper: c.Helper, Note: c.Note,
		Form: l.Enum("benefit_form", c.Form), Applied: c.Status == household.BenefitApplied, Version: c.Version,
		NeedID: c.NeedID, MeasureID: c.MeasureID, VisitID: c.VisitID, RequestID: c.RequestID}
	row.PeriodCode, row.FormCode, row.NoteValue = c.Period, c.Form, c.Note
	row.EndedOn, row.WithdrawnOn, row.Reason = c.EndedOn, c.WithdrawnOn, c.Reason
	row.Endable = c.Status == household.BenefitApproved && !household.OneOffBenefit(c.Kind, c.Period)
	if c.Amount != nil {
		row.AmountValue = strconv.FormatInt(*c.Amount, 10)
	}
	switch {
	case c.AmountHidden:
		row.Amount = l.T("benefit.amount_hidden")
	case c.Amount != nil && *c.Amount > 0:
		row.Amount = l.T("benefit.yuan", *c.Amount)
		if c.Period != "" {
			row.Amount += " · " + l.Enum("benefit_period", c.Period)
		}
	}
	if c.Note == household.Hidden {
		row.Note, row.NoteValue = l.T("ledger.hidden"), household.Hidden
	}
	if c.Reason == household.Hidden {
		row.Reason = l.T("ledger.hidden")
	}
	return row
}

// benefitApply records an application from the file's form.
func (h *handler) benefitApply(w http.ResponseWriter, r *http.Request) {
	hh, err := h.loadHousehold(r)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	in, err := benefitInputOf(r.PostForm)
	if err == nil {
		in.HouseholdID = hh.ID
		_, err = h.files(r).CreateBenefit(r.Context(), actor(r), in)
	}
	if err != nil {
		h.fileWithError(w, r, hh.ID, err)
		return
	}
	seeOther(w, r, fmt.Sprintf("/households/%d#benefits", hh.ID))
}

// benefitInputOf reads the apply form.
func benefitInputOf(v url.Values) (household.BenefitInput, error) {
	in := household.BenefitInput{Kind: v.Get("kind"), AppliedOn: strings.TrimSpace(v.Get("applied_on")), Period: v.Get("period"),
		Form: v.Get("form"), Note: v.Get("note")}
	for _, s := range v["person_ids"] {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id < 1 {
			return in, fieldNumber("person_ids")
		}
		in.PersonIDs = append(in.PersonIDs, id)
	}
	var err error
	for name, dst := range map[string]*int64{"helper_id": &in.HelperID, "need_id": &in.NeedID, "measure_id": &in.MeasureID,
		"visit_id": &in.VisitID, "request_id": &in.RequestID} {
		if *dst, err = id64(v, name); err != nil {
			return in, err
		}
	}
	if s := strings.TrimSpace(v.Get("amount")); s != "" {
		if in.Amount, err = strconv.ParseInt(s, 10, 64); err != nil {
			return in, fieldNumber("amount")
		}
	}
	return in, nil
}

// benefitDecide approves or rejects a case from the file.
func (h *handler) benefitDecide(w http.ResponseWriter, r *http.Request) {
	h.benefitStep(w, r, nil, false, func(c *household.BenefitCase, v url.Values, version int) error {
		d := household.BenefitDecision{Status: v.Get("status"), DecidedOn: strings.TrimSpace(v.Get("decided_on")), Note: v.Get("note"),
			Version: version}
		var err error
		if d.Amount, err = formAmount(v); err == nil {
			_, err = h.files(r).DecideBenefit(r.Context(), actor(r), c.ID, d)
		}
		return err
	})
}

// formAmount reads the amount field of a case's form: nil when empty.
func formAmount(v url.Values) (*int64, error) {
	s := strings.TrimSpace(v.Get("amount"))
	if s == "" {
		return nil, nil
	}
	a, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return nil, fieldNumber("amount")
	}
	return &a, nil
}

// fieldNumber is the error of a form field that is not a whole number.
func fieldNumber(name string) error {
	return apperr.Field(name, "number", "must be a whole number")
}

// benefitEdit changes an applied case from the file: amount, period,
// form and note, at the version shown (the helper stays).
func (h *handler) benefitEdit(w http.ResponseWriter, r *http.Request) {
	h.benefitStep(w, r, nil, false, func(c *household.BenefitCase, v url.Values, version int) error {
		e := household.BenefitEdit{Period: v.Get("period"), Form: v.Get("form"), Note: v.Get("note"), HelperID: c.HelperID, Version: version}
		var err error
		if e.Amount, err = formAmount(v); err == nil { // empty keeps it: a visitor does not see it
			_, err = h.files(r).UpdateBenefit(r.Context(), actor(r), c.ID, e)
		}
		return err
	})
}

// benefitEnd ends an approved case from the file (停发): the end date
// and the reason, at the version shown. The route asks for the right to
// decide.
func (h *handler) benefitEnd(w http.ResponseWriter, r *http.Request) {
	h.benefitStep(w, r, nil, true, func(c *household.BenefitCase, v url.Values, version int) error {
		_, err := h.files(r).EndBenefit(r.Context(), actor(r), c.ID, household.BenefitEnd{EndedOn: strings.TrimSpace(v.Get("ended_on")),
			Reason: v.Get("reason"), Version: version})
		return err
	})
}

// benefitWithdraw withdraws an applied case from the file (撤回): the
// reason, at the version shown; its helper or a role that decides may.
func (h *handler) benefitWithdraw(w http.ResponseWriter, r *http.Request) {
	may := func(c *household.BenefitCase) bool {
		var member int64
		if u := user(r); u != nil {
			member = u.TeamMemberID
		}
		return household.MayWithdrawBenefit(c, can(r, access.EditHouseholds), can(r, access.RecordNeeds), member)
	}
	h.benefitStep(w, r, may, true, func(c *household.BenefitCase, v url.Values, version int) error {
		_, err := h.files(r).WithdrawBenefit(r.Context(), actor(r), c.ID, household.BenefitWithdrawal{WithdrawnOn: strings.TrimSpace(v.Get("withdrawn_on")),
			Reason: v.Get("reason"), Version: version})
		return err
	})
}

// benefitStep reads the case in scope (missing answers 404), asks may
// (when given; 403 if not), reads the version of the form, runs step, and
// shows the file: with the error, or after a redirect to the file's
// cases, or to the case itself when toCase.
func (h *handler) benefitStep(w http.ResponseWriter, r *http.Request, may func(*household.BenefitCase) bool, toCase bool,
	step func(*household.BenefitCase, url.Values, int) error) {
	id, err := pathID(r.PathValue("id"))
	if err != nil {
		h.showError(w, r, err)
		return
	}
	c, err := h.files(r).BenefitByID(r.Context(), id)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	if may != nil && !may(c) {
		h.forbidden(w, r)
		return
	}
	version, err := strconv.Atoi(r.PostForm.Get("version"))
	if err != nil {
		err = fieldNumber("version")
	} else {
		err = step(c, r.PostForm, version)
	}
	if err != nil {
		h.fileWithError(w, r, c.HouseholdID, err)
		return
	}
	if toCase {
		seeOther(w, r, fmt.Sprintf("/households/%d#benefit-%d", c.HouseholdID, c.ID))
		return
	}
	seeOther(w, r, fmt.Sprintf("/households/%d#benefits", c.HouseholdID))
}
