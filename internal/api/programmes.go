package api

import (
	"context"
	"errors"
	"net/http"
	"time"

	"wanhu/internal/access"
	"wanhu/internal/apperr"
	"wanhu/internal/calendar"
	"wanhu/internal/programme"
	"wanhu/internal/programme/candidates"
)

// Programmes and activities of issue 17: whoever reads household files
// reads the programmes and activities of the communities their scope
// reaches, with the enrolments and sign-ups of their own households;
// administrators and grid leaders (access.EditHouseholds) keep them. A
// record out of scope is 404 before a missing right is 403.

// programmes returns the programme store as the user of r sees it.
func (h *handler) programmes(r *http.Request) *programme.Store {
	files := h.files(r)
	s := programme.NewStore(h.d.DB, files).In(access.Scope(user(r)), files)
	if h.now != nil {
		s.SetClock(h.now)
	}
	return s
}

// listProgrammes lists the programmes in scope (the contract of GET
// /programmes): id, name, the persons enrolled (of the user's households)
// and the sessions.
func (h *handler) listProgrammes(w http.ResponseWriter, r *http.Request) {
	items, err := h.programmes(r).Summaries(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, listOf(items, len(items)))
}

// createProgramme creates a programme: 201 with it. Without community_id
// it is the community of the user's own unit.
func (h *handler) createProgramme(w http.ResponseWriter, r *http.Request) {
	var in programme.ProgrammeInput
	if err := decode(w, r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	in.Home = access.HomePath(user(r))
	p, err := h.programmes(r).CreateProgramme(r.Context(), actor(r), in)
	h.answer(w, r, http.StatusCreated, p, err)
}

// getProgramme returns one programme.
func (h *handler) getProgramme(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p, err := h.programmes(r).Programme(r.Context(), id)
	h.answer(w, r, http.StatusOK, p, err)
}

// programmeWritable checks a write to programme or activity {id}: in
// scope (404), the right (403), then the body.
func (h *handler) programmeWritable(w http.ResponseWriter, r *http.Request, in any, visible func(*programme.Store, context.Context, int64) error) (int64, bool) {
	id, err := pathID(r)
	if err == nil {
		err = visible(h.programmes(r), r.Context(), id)
	}
	if err == nil {
		err = allow(r, access.EditHouseholds)
	}
	if err == nil && in != nil {
		err = decode(w, r, in)
	}
	if err != nil {
		h.fail(w, r, err)
		return 0, false
	}
	return id, true
}

// updateProgramme saves a programme given the version the user saw.
func (h *handler) updateProgramme(w http.ResponseWriter, r *http.Request) {
	var in programme.ProgrammeInput
	id, ok := h.programmeWritable(w, r, &in, (*programme.Store).ProgrammeInScope)
	if !ok {
		return
	}
	p, err := h.programmes(r).UpdateProgramme(r.Context(), id, in)
	h.answer(w, r, http.StatusOK, p, err)
}

// programmeSessions lists a programme's sessions, the latest first.
func (h *handler) programmeSessions(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	ss, err := h.programmes(r).Sessions(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, listOf(ss, len(ss)))
}

// addProgrammeSession records a session: 201 with it.
func (h *handler) addProgrammeSession(w http.ResponseWriter, r *http.Request) {
	var in programme.SessionInput
	id, ok := h.programmeWritable(w, r, &in, (*programme.Store).ProgrammeInScope)
	if !ok {
		return
	}
	s, err := h.programmes(r).AddSession(r.Context(), actor(r), id, in)
	h.answer(w, r, http.StatusCreated, s, err)
}

// updateProgrammeSession corrects a session (times, place, topic, staff:
// all replaced, as when it was added) given the version the user saw.
func (h *handler) updateProgrammeSession(w http.ResponseWriter, r *http.Request) {
	var in programme.SessionInput
	id, ok := h.programmeWritable(w, r, &in, (*programme.Store).ProgrammeInScope)
	if !ok {
		return
	}
	sid, err := pathNumber(r, "session")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	s, err := h.programmes(r).UpdateSession(r.Context(), id, sid, in)
	h.answer(w, r, http.StatusOK, s, err)
}

// deleteProgrammeSession deletes a session added by mistake or cancelled:
// 204; 409 (code attended) when attendance is recorded for it.
func (h *handler) deleteProgrammeSession(w http.ResponseWriter, r *http.Request) {
	id, ok := h.programmeWritable(w, r, nil, (*programme.Store).ProgrammeInScope)
	if !ok {
		return
	}
	sid, err := pathNumber(r, "session")
	if err == nil {
		err = h.programmes(r).DeleteSession(r.Context(), id, sid)
	}
	var attended *programme.SessionAttended
	if errors.As(err, &attended) {
		err = &apiError{http.StatusConflict, "attended", attended.Error(), "session"}
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// attendanceInput names the enrolments present at a session.
type attendanceInput struct {
	Present []int64 `json:"present"`
}

// setProgrammeAttendance records who came to a session.
func (h *handler) setProgrammeAttendance(w http.ResponseWriter, r *http.Request) {
	var in attendanceInput
	id, ok := h.programmeWritable(w, r, &in, (*programme.Store).ProgrammeInScope)
	if !ok {
		return
	}
	sid, err := pathNumber(r, "session")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	s, err := h.programmes(r).SetAttendance(r.Context(), id, sid, in.Present)
	h.answer(w, r, http.StatusOK, s, err)
}

// programmeEnrolments lists the persons enrolled (of the user's
// households): names, ages, addresses and interests, no ID number or
// phone.
func (h *handler) programmeEnrolments(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	es, err := h.programmes(r).Enrolments(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, listOf(es, len(es)))
}

// enrol enrols a person: 201 with the enrolment.
func (h *handler) enrol(w http.ResponseWriter, r *http.Request) {
	var in programme.EnrolInput
	id, ok := h.programmeWritable(w, r, &in, (*programme.Store).ProgrammeInScope)
	if !ok {
		return
	}
	e, err := h.programmes(r).Enrol(r.Context(), actor(r), id, in)
	h.answer(w, r, http.StatusCreated, e, err)
}

// withdrawEnrolment records that a person left the programme: 200 with
// the enrolment (left_on set).
func (h *handler) withdrawEnrolment(w http.ResponseWriter, r *http.Request) {
	id, ok := h.programmeWritable(w, r, nil, (*programme.Store).ProgrammeInScope)
	if !ok {
		return
	}
	eid, err := pathNumber(r, "enrolment")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	e, err := h.programmes(r).Withdraw(r.Context(), id, eid)
	h.answer(w, r, http.StatusOK, e, err)
}

// interestsInput is the whole set of an enrolment's interests.
type interestsInput struct {
	Interests []string `json:"interests"`
}

// setEnrolmentInterests replaces an enrolment's interests: 200 with the
// enrolment.
func (h *handler) setEnrolmentInterests(w http.ResponseWriter, r *http.Request) {
	var in interestsInput
	id, ok := h.programmeWritable(w, r, &in, (*programme.Store).ProgrammeInScope)
	if !ok {
		return
	}
	eid, err := pathNumber(r, "enrolment")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	e, err := h.programmes(r).SetInterests(r.Context(), id, eid, in.Interests)
	h.answer(w, r, http.StatusOK, e, err)
}

// programmeCandidates lists the roster's people not enrolled yet.
func (h *handler) programmeCandidates(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	now := time.Now()
	if h.now != nil {
		now = h.now()
	}
	cs, err := candidates.List(r.Context(), h.d.DB, access.Scope(user(r)), h.programmes(r), id, calendar.DayOf(now))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, listOf(cs, len(cs)))
}

// programmeTeachers matches the children's interests with the team.
func (h *handler) programmeTeachers(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	ts, err := h.programmes(r).Teachers(r.Context(), id, r.URL.Query().Get("lang"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, listOf(ts, len(ts)))
}

// programmeStats counts people served per programme, month and grid, the
// attendance rates and the children of the four-thirty class: ?from=,
// ?to= (days; default the 90 days to today, or to ?to=).
func (h *handler) programmeStats(w http.ResponseWriter, r *http.Request) {
	q := &query{r: r}
	from, to := q.day("from"), q.day("to")
	if q.err != nil {
		h.fail(w, r, q.err)
		return
	}
	now := time.Now()
	if h.now != nil {
		now = h.now()
	}
	f, t, err := programme.Period(from, to, calendar.DayOf(now))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	st, err := h.programmes(r).Stats(r.Context(), f, t)
	h.answer(w, r, http.StatusOK, st, err)
}

// listActivities lists the activities in scope, the latest first;
// ?upcoming=true those not ended, the soonest first.
func (h *handler) listActivities(w http.ResponseWriter, r *http.Request) {
	q := &query{r: r}
	f := programme.ActivityFilter{CommunityID: q.id("community"), Upcoming: q.oneOf("upcoming", []string{"true", "false"}) == "true"}
	if q.err != nil {
		h.fail(w, r, q.err)
		return
	}
	as, err := h.programmes(r).Activities(r.Context(), f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, listOf(as, len(as)))
}

// createActivity creates an activity: 201 with it.
func (h *handler) createActivity(w http.ResponseWriter, r *http.Request) {
	var in programme.ActivityInput
	if err := decode(w, r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	in.Home = access.HomePath(user(r))
	a, err := h.programmes(r).CreateActivity(r.Context(), actor(r), in)
	h.answer(w, r, http.StatusCreated, a, err)
}

// getActivity returns one activity.
func (h *handler) getActivity(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	a, err := h.programmes(r).Activity(r.Context(), id)
	h.answer(w, r, http.StatusOK, a, err)
}

// updateActivity saves an activity given the version the user saw.
func (h *handler) updateActivity(w http.ResponseWriter, r *http.Request) {
	var in programme.ActivityInput
	id, ok := h.programmeWritable(w, r, &in, (*programme.Store).ActivityInScope)
	if !ok {
		return
	}
	a, err := h.programmes(r).UpdateActivity(r.Context(), id, in)
	h.answer(w, r, http.StatusOK, a, err)
}

// activitySignups is the list on the day: the sign-ups of the user's
// households.
func (h *handler) activitySignups(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	ss, err := h.programmes(r).Signups(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, listOf(ss, len(ss)))
}

// signUpHousehold signs a household up on the resident's behalf (staff on
// the phone): 201 with the sign-up.
func (h *handler) signUpHousehold(w http.ResponseWriter, r *http.Request) {
	var in programme.SignupInput
	id, ok := h.programmeWritable(w, r, &in, (*programme.Store).ActivityInScope)
	if !ok {
		return
	}
	in.Via = programme.ViaStaff
	s, err := h.programmes(r).SignUp(r.Context(), actor(r), id, in)
	h.answer(w, r, http.StatusCreated, s, err)
}

// attendedInput is how many people of a sign-up came.
type attendedInput struct {
	Attended int `json:"attended"`
}

// markSignupAttended records how many people of a sign-up came.
func (h *handler) markSignupAttended(w http.ResponseWriter, r *http.Request) {
	var in attendedInput
	id, ok := h.programmeWritable(w, r, &in, (*programme.Store).ActivityInScope)
	if !ok {
		return
	}
	sid, err := pathNumber(r, "signup")
	if err != nil {
		h.fail(w, r, apperr.ErrNotFound)
		return
	}
	s, err := h.programmes(r).MarkAttended(r.Context(), actor(r), id, sid, in.Attended)
	h.answer(w, r, http.StatusOK, s, err)
}

// householdProgrammes is what a household's members joined: enrolments in
// programmes and sign-ups for activities.
type householdProgrammes struct {
	Enrolments []programme.Enrolment `json:"enrolments"`
	Signups    []programme.Signup    `json:"signups"`
}

// getHouseholdProgrammes returns the programmes and activities of a
// household in scope.
func (h *handler) getHouseholdProgrammes(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	ps := h.programmes(r)
	var out householdProgrammes
	if out.Enrolments, err = ps.HouseholdEnrolments(r.Context(), id); err != nil {
		h.fail(w, r, err)
		return
	}
	out.Signups, err = ps.HouseholdSignups(r.Context(), id)
	h.answer(w, r, http.StatusOK, out, err)
}
