package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"wanhu/internal/access"
	"wanhu/internal/apperr"
	"wanhu/internal/audit"
	"wanhu/internal/calendar"
	"wanhu/internal/export"
	"wanhu/internal/household"
	"wanhu/internal/programme"
	"wanhu/internal/programme/candidates"
	"wanhu/internal/roster"
)

// Programmes and activities (issue 17): the list of the programmes and
// activities in scope with forms to add one; a programme's page with its
// enrolments and their interests, the teachers matched with them, the
// roster's candidates, sessions and attendance, and its xlsx list; an
// activity's page with the list on the day; their statistics; and the
// household file's section. Residents sign up for an activity from their
// contact card's QR page (programmes_public.go).

// programmes returns the programme store as the user of r sees it.
func (h *handler) programmes(r *http.Request) *programme.Store {
	files := h.files(r)
	s := programme.NewStore(h.db, files).In(access.Scope(user(r)), files)
	s.SetClock(h.now)
	return s
}

// programmeList is the list page.
type programmeList struct {
	Page
	Programmes    []programme.Programme
	Activities    []activityRow
	Edit          bool
	Error, Failed string
	Posted        url.Values
	Kinds         []Option
	ActivityKinds []Option
	Rosters       []Option
}

// programmesShow lists the programmes and activities in scope.
func (h *handler) programmesShow(w http.ResponseWriter, r *http.Request) {
	h.programmesPage(w, r, http.StatusOK, "", "")
}

func (h *handler) programmesPage(w http.ResponseWriter, r *http.Request, status int, failed, msg string) {
	v := programmeList{Page: h.page(r, "programme.title", "programmes"), Edit: can(r, access.EditHouseholds), Error: msg, Failed: failed}
	if msg != "" {
		v.Posted = r.PostForm
	}
	s := h.programmes(r)
	var err error
	if v.Programmes, err = s.Programmes(r.Context()); err != nil {
		h.showError(w, r, err)
		return
	}
	as, err := s.Activities(r.Context(), programme.ActivityFilter{})
	if err != nil {
		h.showError(w, r, err)
		return
	}
	v.Activities = h.activityRows(v.L, as)
	v.Kinds = choices(v.L, "programme.kind", programme.Kinds, "")
	v.ActivityKinds = choices(v.L, "activity.kind", programme.ActivityKinds, "")
	v.Rosters = programmeRosters(v.L, "")
	h.render(w, r, status, "programmes", v)
}

// programmeRosters are the choices of a programme's roster of people,
// cur selected: none, or one of the built-in rosters of persons.
func programmeRosters(l *Locale, cur string) []Option {
	out := []Option{{Value: "", Label: l.T("programme.no_roster"), Selected: cur == ""}}
	for _, d := range roster.Builtins {
		if d.Entity == roster.Person {
			out = append(out, Option{Value: d.Name, Label: d.Title(l.Lang), Selected: d.Name == cur})
		}
	}
	return out
}

// programmeError names the field of fe and says what is wrong.
func programmeError(l *Locale, fe *apperr.FieldError) string {
	label := fe.Field
	if k := "programme.f." + fe.Field; l.Has(k) {
		label = l.T(k)
	}
	return label + ": " + l.Err(fe)
}

// programmeInputOf reads the fields of a programme's form (new or edit).
func programmeInputOf(f url.Values) (programme.ProgrammeInput, error) {
	in := programme.ProgrammeInput{Name: f.Get("name"), Kind: f.Get("kind"), Roster: f.Get("roster"), Place: f.Get("place"),
		Description: f.Get("description")}
	var err error
	in.Capacity, err = formInt(f, "capacity")
	return in, err
}

// formInt reads a whole number of a form, 0 when empty.
func formInt(f url.Values, name string) (int, error) {
	s := strings.TrimSpace(f.Get(name))
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, apperr.Field(name, "number", "must be a whole number")
	}
	return n, nil
}

// formSpan reads a day and two times of day (China) of a form.
func formSpan(f url.Values) (start, end time.Time, err error) {
	day, err := calendar.ParseDate("day", strings.TrimSpace(f.Get("day")))
	if err != nil {
		return start, end, err
	}
	at := func(field string) (time.Time, error) {
		t, err := time.Parse("15:04", strings.TrimSpace(f.Get(field)))
		if err != nil {
			return time.Time{}, apperr.Field(field, "time", "must be a time of day, HH:MM")
		}
		return day.Midnight().Add(time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute), nil
	}
	if start, err = at("starts"); err != nil {
		return
	}
	end, err = at("ends")
	return
}

// programmeCreate creates a programme or an activity (form field what).
func (h *handler) programmeCreate(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	s := h.programmes(r)
	home := access.HomePath(user(r))
	var to string
	var err error
	switch f.Get("what") {
	case "activity":
		in := programme.ActivityInput{Title: f.Get("title"), Kind: f.Get("kind"), Place: f.Get("place"), Description: f.Get("description"), Home: home}
		in.StartsAt, in.EndsAt, err = formSpan(f)
		if err == nil {
			in.Capacity, err = formInt(f, "capacity")
		}
		if err == nil {
			in.PerHousehold, err = formInt(f, "per_household")
		}
		var a *programme.Activity
		if err == nil {
			a, err = s.CreateActivity(r.Context(), actor(r), in)
		}
		if err == nil {
			to = fmt.Sprintf("/activities/%d", a.ID)
		}
	default:
		var in programme.ProgrammeInput
		in, err = programmeInputOf(f)
		in.Home = home
		var p *programme.Programme
		if err == nil {
			p, err = s.CreateProgramme(r.Context(), actor(r), in)
		}
		if err == nil {
			to = fmt.Sprintf("/programmes/%d", p.ID)
		}
	}
	if fe, ok := apperr.AsField(err); ok {
		h.programmesPage(w, r, http.StatusUnprocessableEntity, f.Get("what"), programmeError(h.locale(r), fe))
		return
	}
	if err != nil {
		h.showError(w, r, err)
		return
	}
	seeOther(w, r, to)
}

// programmePage is one programme.
type programmePage struct {
	Page
	P          *programme.Programme
	Kind       string
	Edit       bool
	CanExport  bool
	Error      string
	Enrolments []enrolmentRow
	Sessions   []sessionRow
	Teachers   []programme.Teacher
	Candidates []Option
	Interests  []Option
	Staff      []Option
	// Kinds and Rosters are the choices of the programme's edit form.
	Kinds, Rosters []Option
	// Marking is the session whose attendance is being recorded.
	Marking *sessionRow
	// Correcting is the session being corrected (?edit=) with the values
	// of its form; Choosing the enrolment whose interests are being
	// changed (?interests=).
	Correcting *sessionForm
	Choosing   *interestsForm
}

// sessionForm is the form that corrects or deletes a session: its values
// as saved, or as posted when the correction was refused.
type sessionForm struct {
	Row                             sessionRow
	Day, Starts, Ends, Topic, Place string
	Version                         string
	Staff                           []Option
}

// interestsForm is the form that changes an enrolment's interests.
type interestsForm struct {
	E         programme.Enrolment
	Interests []Option
}

// enrolmentRow is an enrolment with its interests in words.
type enrolmentRow struct {
	E         programme.Enrolment
	Interests string
	Present   bool
}

// sessionRow is a session as the page shows it.
type sessionRow struct {
	S     programme.Session
	When  string
	Staff string
}

// programmeShow shows programme {id}.
func (h *handler) programmeShow(w http.ResponseWriter, r *http.Request) {
	h.programmePageOf(w, r, http.StatusOK, "")
}

func interestLabels(l *Locale, codes []string) string {
	var out []string
	for _, c := range codes {
		out = append(out, l.Value("interest", c))
	}
	return strings.Join(out, "、")
}

func (h *handler) programmePageOf(w http.ResponseWriter, r *http.Request, status int, msg string) {
	id, err := pathID(r.PathValue("id"))
	if err != nil {
		h.showError(w, r, err)
		return
	}
	s := h.programmes(r)
	p, err := s.Programme(r.Context(), id)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	v := programmePage{Page: h.page(r, "", "programmes"), P: p, Edit: can(r, access.EditHouseholds), CanExport: can(r, access.Export), Error: msg}
	l := v.L
	v.Title, v.Kind = p.Name, l.Value("programme.kind", p.Kind)
	es, err := s.Enrolments(r.Context(), id)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	ss, err := s.Sessions(r.Context(), id)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	marking, _ := strconv.ParseInt(r.URL.Query().Get("session"), 10, 64)
	for _, x := range ss {
		row := sessionRow{S: x, When: l.Time(x.StartsAt) + "–" + x.EndsAt.In(calendar.China).Format("15:04")}
		var names []string
		for _, m := range x.Staff {
			names = append(names, m.Name)
		}
		row.Staff = strings.Join(names, "、")
		v.Sessions = append(v.Sessions, row)
		if x.ID == marking {
			v.Marking = &v.Sessions[len(v.Sessions)-1]
		}
	}
	for _, e := range es {
		row := enrolmentRow{E: e, Interests: interestLabels(l, e.Interests)}
		if v.Marking != nil {
			row.Present = slices.Contains(v.Marking.S.Present, e.ID)
		}
		v.Enrolments = append(v.Enrolments, row)
	}
	if v.Teachers, err = s.Teachers(r.Context(), id, l.Lang); err != nil {
		h.showError(w, r, err)
		return
	}
	if v.Edit {
		cs, err := candidates.List(r.Context(), h.db, access.Scope(user(r)), s, id, h.currentDay())
		if err != nil {
			h.showError(w, r, err)
			return
		}
		for _, c := range cs {
			label := c.Name + " · " + c.Address
			if c.Age != nil {
				label = fmt.Sprintf("%s（%d）· %s", c.Name, *c.Age, c.Address)
			}
			v.Candidates = append(v.Candidates, Option{Value: strconv.FormatInt(c.PersonID, 10), Label: label})
		}
		for _, in := range programme.Interests {
			v.Interests = append(v.Interests, Option{Value: in.Code, Label: l.Value("interest", in.Code)})
		}
		v.Kinds, v.Rosters = choices(l, "programme.kind", programme.Kinds, p.Kind), programmeRosters(l, p.Roster)
		team, err := h.files(r).Team(r.Context())
		if err != nil {
			h.showError(w, r, err)
			return
		}
		for _, m := range team {
			if m.CommunityID == p.CommunityID {
				v.Staff = append(v.Staff, Option{Value: strconv.FormatInt(m.ID, 10), Label: m.Name + " · " + h.roleName(r, string(m.Role)) + " " + strings.Join(m.Skills, "、")})
			}
		}
	}
	if v.Edit {
		correcting(r, &v, msg != "")
	}
	h.render(w, r, status, "programme", v)
}

// correcting fills the page's forms that correct a session (?edit=) and
// change an enrolment's interests (?interests=), or, when the page answers
// a refused post of one (refused), that form again with what was posted.
func correcting(r *http.Request, v *programmePage, refused bool) {
	q := r.URL.Query()
	editing, _ := strconv.ParseInt(q.Get("edit"), 10, 64)
	choosing, _ := strconv.ParseInt(q.Get("interests"), 10, 64)
	var posted url.Values
	if refused && r.Method == http.MethodPost {
		switch r.PathValue("action") {
		case "session-edit":
			editing, _ = strconv.ParseInt(r.PostForm.Get("session"), 10, 64)
			posted = r.PostForm
		case "session-delete":
			editing, _ = strconv.ParseInt(r.PostForm.Get("session"), 10, 64)
		case "interests":
			choosing, _ = strconv.ParseInt(r.PostForm.Get("enrolment"), 10, 64)
			posted = r.PostForm
		}
	}
	for _, row := range v.Sessions {
		if row.S.ID != editing {
			continue
		}
		x := row.S
		f := &sessionForm{Row: row, Day: calendar.DayOf(x.StartsAt).String(), Starts: x.StartsAt.In(calendar.China).Format("15:04"),
			Ends: x.EndsAt.In(calendar.China).Format("15:04"), Topic: x.Topic, Place: x.Place, Version: strconv.Itoa(x.Version)}
		staff := map[string]bool{}
		for _, m := range x.Staff {
			staff[strconv.FormatInt(m.ID, 10)] = true
		}
		if posted != nil {
			f.Day, f.Starts, f.Ends, f.Topic, f.Place = posted.Get("day"), posted.Get("starts"), posted.Get("ends"), posted.Get("topic"), posted.Get("place")
			f.Version = posted.Get("version")
			staff = map[string]bool{}
			for _, id := range posted["staff_ids"] {
				staff[id] = true
			}
		}
		listed := map[string]bool{}
		for _, o := range v.Staff {
			o.Selected, listed[o.Value] = staff[o.Value], true
			f.Staff = append(f.Staff, o)
		}
		// One who taught and has left the community's team stays a choice.
		for _, m := range x.Staff {
			if id := strconv.FormatInt(m.ID, 10); !listed[id] {
				f.Staff = append(f.Staff, Option{Value: id, Label: m.Name, Selected: staff[id]})
			}
		}
		v.Correcting = f
	}
	for _, row := range v.Enrolments {
		if row.E.ID != choosing {
			continue
		}
		chosen := row.E.Interests
		if posted != nil {
			chosen = posted["interests"]
		}
		f := &interestsForm{E: row.E}
		for _, o := range v.Interests {
			o.Selected = slices.Contains(chosen, o.Value)
			f.Interests = append(f.Interests, o)
		}
		v.Choosing = f
	}
}

// programmeAct edits the programme (name, kind, roster, capacity, place
// and description, at the version shown), enrols a person, withdraws an
// enrolment or changes its interests, adds a session, corrects one (at
// the version shown) or deletes one, or records attendance.
func (h *handler) programmeAct(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r.PathValue("id"))
	if err != nil {
		h.showError(w, r, err)
		return
	}
	f := r.PostForm
	s := h.programmes(r)
	to := fmt.Sprintf("/programmes/%d", id)
	switch r.PathValue("action") {
	case "edit":
		var in programme.ProgrammeInput
		if in, err = programmeInputOf(f); err == nil {
			if in.Version, err = strconv.Atoi(f.Get("version")); err != nil {
				err = apperr.Field("version", "number", "must be a whole number")
			}
		}
		if err == nil {
			_, err = s.UpdateProgramme(r.Context(), id, in)
		}
	case "enrol":
		var person []int64
		if person, err = ids(f, "person_id"); err == nil && len(person) == 0 {
			err = apperr.Field("person_id", "required", "is required")
		}
		if err == nil {
			source := "hand"
			if f.Get("from") == "roster" {
				source = "roster"
			}
			_, err = s.Enrol(r.Context(), actor(r), id, programme.EnrolInput{PersonID: person[0], Interests: f["interests"], Source: source})
		}
		to += "#enrolments"
	case "session":
		in := programme.SessionInput{Topic: f.Get("topic"), Place: f.Get("place")}
		in.StartsAt, in.EndsAt, err = formSpan(f)
		if err == nil {
			in.StaffIDs, err = ids(f, "staff_ids")
		}
		if err == nil {
			_, err = s.AddSession(r.Context(), actor(r), id, in)
		}
		to += "#sessions"
	case "session-edit":
		var sid int64
		if sid, err = strconv.ParseInt(f.Get("session"), 10, 64); err != nil {
			err = apperr.ErrNotFound
		}
		in := programme.SessionInput{Topic: f.Get("topic"), Place: f.Get("place")}
		if err == nil {
			in.StartsAt, in.EndsAt, err = formSpan(f)
		}
		if err == nil {
			in.StaffIDs, err = ids(f, "staff_ids")
		}
		if err == nil {
			if in.Version, err = strconv.Atoi(f.Get("version")); err != nil {
				err = apperr.Field("version", "number", "must be a whole number")
			}
		}
		if err == nil {
			_, err = s.UpdateSession(r.Context(), id, sid, in)
		}
		to += "#sessions"
	case "session-delete":
		var sid int64
		if sid, err = strconv.ParseInt(f.Get("session"), 10, 64); err != nil {
			err = apperr.ErrNotFound
		}
		if err == nil {
			err = s.DeleteSession(r.Context(), id, sid)
		}
		var attended *programme.SessionAttended
		if errors.As(err, &attended) {
			h.programmePageOf(w, r, http.StatusConflict, h.locale(r).T("programme.session_attended", attended.Attended))
			return
		}
		to += "#sessions"
	case "interests":
		var eid int64
		if eid, err = strconv.ParseInt(f.Get("enrolment"), 10, 64); err != nil {
			err = apperr.ErrNotFound
		}
		if err == nil {
			_, err = s.SetInterests(r.Context(), id, eid, f["interests"])
		}
		to += "#enrolments"
	case "withdraw":
		var eid int64
		if eid, err = strconv.ParseInt(f.Get("enrolment"), 10, 64); err != nil {
			err = apperr.ErrNotFound
		}
		if err == nil {
			_, err = s.Withdraw(r.Context(), id, eid)
		}
		to += "#enrolments"
	case "attendance":
		var sid int64
		if sid, err = strconv.ParseInt(f.Get("session"), 10, 64); err != nil {
			err = apperr.ErrNotFound
		}
		var present []int64
		if err == nil {
			present, err = ids(f, "present")
		}
		if err == nil {
			_, err = s.SetAttendance(r.Context(), id, sid, present)
		}
		to += "#sessions"
	default:
		err = apperr.ErrNotFound
	}
	if fe, ok := apperr.AsField(err); ok && !errors.Is(err, apperr.ErrNotFound) {
		h.programmePageOf(w, r, http.StatusUnprocessableEntity, programmeError(h.locale(r), fe))
		return
	}
	if err != nil {
		h.showError(w, r, err)
		return
	}
	seeOther(w, r, to)
}

// programmeExport downloads the programme's enrolment and attendance
// list (xlsx, or CSV with ?format=csv): one row per person enrolled, one
// column per session (1 came). Names, ages and addresses only, audited.
func (h *handler) programmeExport(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r.PathValue("id"))
	if err != nil {
		h.showError(w, r, err)
		return
	}
	format, err := export.FormatOf(r)
	if err != nil || format == export.JSON {
		format = export.XLSX
	}
	s := h.programmes(r)
	p, err := s.Programme(r.Context(), id)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	es, err := s.Enrolments(r.Context(), id)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	ss, err := s.Sessions(r.Context(), id)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	slices.Reverse(ss) // the earliest first
	cols := []export.Column{{Header: "姓名", Width: 10}, {Header: "年龄", Width: 6}, {Header: "网格", Width: 10}, {Header: "住址", Width: 30},
		{Header: "兴趣", Width: 16}, {Header: "报名日期", Width: 12}, {Header: "出勤次数", Width: 8}}
	for _, x := range ss {
		cols = append(cols, export.Column{Header: x.StartsAt.In(calendar.China).Format("01-02 15:04"), Width: 11})
	}
	zh := h.catalog.Locale("zh-CN")
	if err := h.auditing().Export(w, r, audit.Download{Object: fmt.Sprintf("programme:%d", id), Detail: fmt.Sprintf("%s %d rows", format, len(es)),
		Format: format, Name: p.Name + "名单", ASCIIName: fmt.Sprintf("programme-%d", id), Day: h.currentDay().String(), Columns: cols,
		Write: func(out export.Writer) error {
			for _, e := range es {
				row := []any{e.Name, e.Age, e.Grid, e.Address, interestLabels(zh, e.Interests), e.EnrolledOn.String(), e.Attended}
				for _, x := range ss {
					if slices.Contains(x.Present, e.ID) {
						row = append(row, 1)
					} else {
						row = append(row, "")
					}
				}
				if err := out.Row(row...); err != nil {
					return err
				}
			}
			return nil
		}}); err != nil {
		h.showError(w, r, err)
	}
}

// programmeStatsPage is the statistics of the programmes.
type programmeStatsPage struct {
	Page
	S        *programme.Stats
	From, To string
	Rates    []rateRow
}

// rateRow is an attendance rate in percent.
type rateRow struct {
	R       programme.Rate
	Percent string
}

// programmeStats shows people served per programme, month and grid, the
// attendance rates and the children of the four-thirty class: ?from=,
// ?to= (default the last 90 days).
func (h *handler) programmeStats(w http.ResponseWriter, r *http.Request) {
	from, to, err := programme.Period(r.URL.Query().Get("from"), r.URL.Query().Get("to"), h.currentDay())
	if err != nil {
		h.showError(w, r, err)
		return
	}
	st, err := h.programmes(r).Stats(r.Context(), from, to)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	v := programmeStatsPage{Page: h.page(r, "programme.stats_title", "programmes"), S: st, From: from.String(), To: to.String()}
	for _, x := range st.Rates {
		v.Rates = append(v.Rates, rateRow{R: x, Percent: fmt.Sprintf("%.0f%%", x.Rate*100)})
	}
	h.render(w, r, http.StatusOK, "programme_stats", v)
}

// householdProgrammes is the household file's section: the programmes
// its members are enrolled in and the activities it signed up for.
type householdProgrammes struct {
	Enrolments []enrolmentRow
	Signups    []programme.Signup
}

// programmesOfHousehold fills the household file's section.
func (h *handler) programmesOfHousehold(r *http.Request, l *Locale, id int64, blocks household.FileBlocks) (*householdProgrammes, error) {
	es, signups, err := h.programmes(r).HouseholdFileKnown(r.Context(), id, blocks.Enrolments, blocks.Signups)
	if err != nil {
		return nil, err
	}
	out := &householdProgrammes{Signups: signups}
	for _, e := range es {
		out.Enrolments = append(out.Enrolments, enrolmentRow{E: e, Interests: interestLabels(l, e.Interests)})
	}
	return out, nil
}
