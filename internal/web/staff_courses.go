package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"wanhu/internal/access"
	"wanhu/internal/apperr"
	"wanhu/internal/audit"
	"wanhu/internal/calendar"
	"wanhu/internal/export"
	"wanhu/internal/org"
	"wanhu/internal/staff"
)

// The training courses (R20): /training lists the courses in scope
// and creates one; /training/{id} shows its sessions and attendance,
// adds, corrects and deletes a session, records who attended with their
// test score and removes an attendance entered by mistake, downloads the
// attendance (?format=xlsx), and deletes a course left with no sessions.

// coursesPage is the list of courses.
type coursesPage struct {
	Page
	Courses     []courseRow
	Communities []Option // where the user may create a course
	Kinds       []Option
	Topics      []Option
	Posted      url.Values
	Error       string
	Notice      string
}

type courseRow struct {
	staff.Course
	KindName, TopicName string
}

func courseView(l *Locale, c staff.Course) courseRow {
	return courseRow{Course: c, KindName: l.T("staff.kind." + c.Kind), TopicName: l.T("training.topic." + c.Topic)}
}

// courseCommunities are the communities whose courses the user may create.
func (h *handler) courseCommunities(r *http.Request) ([]Option, error) {
	if !can(r, access.PlanVisits) {
		return nil, nil
	}
	gs, err := h.files(r).GridChoices(r.Context())
	if err != nil {
		return nil, err
	}
	scope := access.Scope(user(r))
	seen := map[int64]bool{}
	var out []Option
	for _, g := range gs {
		if seen[g.CommunityID] {
			continue
		}
		seen[g.CommunityID] = true
		if ok, err := scope.Manages(r.Context(), h.db, g.CommunityID, 0); err != nil {
			return nil, err
		} else if ok {
			out = append(out, Option{Value: strconv.FormatInt(g.CommunityID, 10), Label: g.CommunityName})
		}
	}
	return out, nil
}

func (h *handler) staffCourses(w http.ResponseWriter, r *http.Request) {
	h.showCourses(w, r, http.StatusOK, url.Values{"kind": {staff.PreJob}, "topic": {"policy"}, "pass_mark": {"60"}}, nil)
}

func (h *handler) showCourses(w http.ResponseWriter, r *http.Request, status int, posted url.Values, failure *apperr.FieldError) {
	scope, ok := staffScopeOf(r)
	if !ok {
		h.forbidden(w, r)
		return
	}
	cs, err := staff.Courses(r.Context(), h.db, scope)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	v := coursesPage{Page: h.page(r, "training.courses_title", "staff"), Posted: posted}
	for _, c := range cs {
		v.Courses = append(v.Courses, courseView(v.L, c))
	}
	if v.Communities, err = h.courseCommunities(r); err != nil {
		h.showError(w, r, err)
		return
	}
	v.Kinds = choices(v.L, "staff.kind", staff.TrainingKinds, posted.Get("kind"))
	v.Topics = choices(v.L, "training.topic", staff.Topics, posted.Get("topic"))
	if failure != nil {
		v.Error = v.L.T("training.f."+failure.Field) + ": " + v.L.Err(failure)
	}
	if r.URL.Query().Get("deleted") != "" {
		v.Notice = v.L.T("training.deleted")
	}
	h.render(w, r, status, "staff_courses", v)
}

// staffCourseCreate creates a course in a community the user manages.
func (h *handler) staffCourseCreate(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	c := staff.Course{Title: f.Get("title"), Kind: f.Get("kind"), Topic: f.Get("topic")}
	var err error
	fail := func(err error) {
		if fe, ok := apperr.AsField(err); ok {
			h.showCourses(w, r, http.StatusUnprocessableEntity, f, fe)
			return
		}
		h.showError(w, r, err)
	}
	if c.CommunityID, err = strconv.ParseInt(f.Get("community_id"), 10, 64); err != nil {
		fail(apperr.Field("community_id", "required", "is required"))
		return
	}
	if c.PassMark, err = strconv.Atoi(strings.TrimSpace(f.Get("pass_mark"))); err != nil {
		fail(apperr.Field("pass_mark", "number", "must be a whole number from 0 to 100"))
		return
	}
	if ok, err := access.Scope(user(r)).Manages(r.Context(), h.db, c.CommunityID, 0); err != nil {
		h.showError(w, r, err)
		return
	} else if !ok {
		fail(apperr.Field("community_id", "not_found", "community %d is not one you manage", c.CommunityID))
		return
	}
	if err := staff.CreateCourse(r.Context(), h.db, &c, user(r).ID, h.now()); err != nil {
		fail(err)
		return
	}
	seeOther(w, r, fmt.Sprintf("/training/%d", c.ID))
}

// coursePage is one course.
type coursePage struct {
	Page
	C          courseRow
	Manage     bool
	Sessions   []courseSessionRow
	Attendance []attendRow
	Members    []Option // the members whose attendance the user may record
	SessionOps []Option
	Kinds      []Option
	Topics     []Option
	Posted     map[string]string
	Form       string // which form the error is of: edit, session, attend
	Error      string
	Notice     string
	Export     bool
}

// courseSessionRow is one sitting of a course as shown, with its correction form: the
// session's values, or those posted when its correction failed (Open).
type courseSessionRow struct {
	staff.Session
	HoursText string
	Attended  int // attendance records, told before a delete
	Posted    map[string]string
	Open      bool
}

// attendRow is one attendance as shown.
type attendRow struct {
	staff.Attendee
	ScoreText string
	Failed    bool
}

// courseOf returns course id in the user's scope and whether they manage
// its community.
func (h *handler) courseOf(r *http.Request, id int64) (staff.Course, org.Scope, bool, error) {
	scope, ok := staffScopeOf(r)
	if !ok {
		return staff.Course{}, scope, false, errForbidden
	}
	c, err := staff.CourseOf(r.Context(), h.db, scope, id)
	if err != nil {
		return c, scope, false, err
	}
	manage, err := access.Scope(user(r)).Manages(r.Context(), h.db, c.CommunityID, 0)
	return c, scope, manage && can(r, access.PlanVisits), err
}

func (h *handler) staffCourse(w http.ResponseWriter, r *http.Request) {
	h.showCourse(w, r, http.StatusOK, "", nil, nil)
}

func (h *handler) showCourse(w http.ResponseWriter, r *http.Request, status int, form string, posted map[string]string, failure *apperr.FieldError) {
	id, err := pathID(r.PathValue("id"))
	if err != nil {
		h.staffFail(w, r, err)
		return
	}
	c, scope, manage, err := h.courseOf(r, id)
	if err != nil {
		h.staffFail(w, r, err)
		return
	}
	as, err := staff.Attendance(r.Context(), h.db, scope, c)
	if err != nil {
		h.staffFail(w, r, err)
		return
	}
	if format := r.URL.Query().Get("format"); format != "" {
		f, err := export.FormatOf(r)
		if err != nil {
			h.staffFail(w, r, err)
			return
		}
		if !can(r, access.Export) {
			h.forbidden(w, r)
			return
		}
		if err := h.auditing().Export(w, r, audit.Download{Object: fmt.Sprintf("staff:attendance:%d", c.ID),
			Detail: fmt.Sprintf("%s %d rows", f, len(as)), Format: f, Name: "培训签到-" + c.Title, ASCIIName: fmt.Sprintf("attendance-%d", c.ID),
			Day: h.currentDay().String(), Columns: staff.AttendanceColumns,
			Write: func(out export.Writer) error { return staff.WriteAttendance(out, c, as) }}); err != nil {
			h.showError(w, r, err)
		}
		return
	}
	ss, err := staff.Sessions(r.Context(), h.db, c.ID)
	if err != nil {
		h.staffFail(w, r, err)
		return
	}
	v := coursePage{Page: h.page(r, "", "staff"), C: courseView(h.locale(r), c), Manage: manage,
		Form: form, Export: can(r, access.Export)}
	attended := map[int64]int{}
	for _, a := range as {
		row := attendRow{Attendee: a}
		if a.Score != nil {
			row.ScoreText, row.Failed = strconv.Itoa(*a.Score), !*a.Passed
		}
		v.Attendance = append(v.Attendance, row)
		attended[a.SessionID]++
	}
	for _, s := range ss {
		row := courseSessionRow{Session: s, HoursText: strconv.FormatFloat(s.Hours, 'f', -1, 64), Attended: attended[s.ID]}
		row.Posted = map[string]string{"day": s.Day.String(), "hours": row.HoursText, "place": s.Place, "teacher": s.Teacher,
			"version": strconv.Itoa(s.Version)}
		if form == "edit-session" && posted["session"] == strconv.FormatInt(s.ID, 10) {
			row.Posted, row.Open = posted, true
		}
		v.Sessions = append(v.Sessions, row)
	}
	v.Title = v.L.T("training.course_title", c.Title)
	v.Posted = map[string]string{"title": c.Title, "kind": c.Kind, "topic": c.Topic, "pass_mark": strconv.Itoa(c.PassMark),
		"version": strconv.Itoa(c.Version), "day": h.currentDay().String()}
	if form != "edit-session" {
		for k, val := range posted {
			v.Posted[k] = val
		}
	}
	v.Kinds = choices(v.L, "staff.kind", staff.TrainingKinds, v.Posted["kind"])
	v.Topics = choices(v.L, "training.topic", staff.Topics, v.Posted["topic"])
	for _, s := range ss {
		v.SessionOps = append(v.SessionOps, Option{Value: strconv.FormatInt(s.ID, 10), Label: s.Day.String() + " · " + strconv.FormatFloat(s.Hours, 'f', -1, 64) + "h",
			Selected: v.Posted["session_id"] == strconv.FormatInt(s.ID, 10)})
	}
	if manage {
		team, err := org.CommunityTeam(r.Context(), h.db, c.CommunityID)
		if err != nil {
			h.staffFail(w, r, err)
			return
		}
		for _, m := range team {
			if staff.Visible(r.Context(), h.db, scope, m.ID) == nil {
				v.Members = append(v.Members, Option{Value: strconv.FormatInt(m.ID, 10), Label: m.Name + "（" + v.L.Enum("role", string(m.Role)) + "）",
					Selected: v.Posted["team_member_id"] == strconv.FormatInt(m.ID, 10)})
			}
		}
	}
	if failure != nil {
		v.Error = v.L.T("training.f."+failure.Field) + ": " + v.L.Err(failure)
	}
	if r.URL.Query().Get("saved") != "" {
		v.Notice = v.L.T("training.saved")
	}
	h.render(w, r, status, "staff_course", v)
}

// staffCourseUpdate edits a course (title, kind, topic, pass mark) at the
// version the form was made from: a stale edit answers 409.
func (h *handler) staffCourseUpdate(w http.ResponseWriter, r *http.Request) {
	h.courseForm(w, r, "edit", func(c staff.Course, posted map[string]string) error {
		c.Title, c.Kind, c.Topic = posted["title"], posted["kind"], posted["topic"]
		var err error
		if c.PassMark, err = strconv.Atoi(posted["pass_mark"]); err != nil {
			return apperr.Field("pass_mark", "number", "must be a whole number from 0 to 100")
		}
		if c.Version, err = strconv.Atoi(posted["version"]); err != nil {
			return apperr.Field("version", "number", "is missing")
		}
		return staff.UpdateCourse(r.Context(), h.db, &c)
	}, "title", "kind", "topic", "pass_mark", "version")
}

// staffSessionAdd adds a sitting to a course.
func (h *handler) staffSessionAdd(w http.ResponseWriter, r *http.Request) {
	h.courseForm(w, r, "session", func(c staff.Course, posted map[string]string) error {
		s := staff.Session{CourseID: c.ID, Place: posted["place"], Teacher: posted["teacher"]}
		if err := sessionPosted(&s, posted); err != nil {
			return err
		}
		return staff.AddSession(r.Context(), h.db, &s, h.now())
	}, "day", "hours", "place", "teacher")
}

// sessionPosted reads the day and hours of a session's form into s.
func sessionPosted(s *staff.Session, posted map[string]string) error {
	var err error
	if posted["day"] != "" {
		if s.Day, err = calendar.ParseDate("day", posted["day"]); err != nil {
			return err
		}
	}
	if s.Hours, err = strconv.ParseFloat(posted["hours"], 64); err != nil {
		return apperr.Field("hours", "number", "must be a number of hours")
	}
	return nil
}

// staffSessionUpdate corrects a sitting at the version the form was made
// from (a stale correction answers 409): its attendance records follow
// its day and hours.
func (h *handler) staffSessionUpdate(w http.ResponseWriter, r *http.Request) {
	h.courseForm(w, r, "edit-session", func(c staff.Course, posted map[string]string) error {
		s := staff.Session{CourseID: c.ID, Place: posted["place"], Teacher: posted["teacher"]}
		posted["session"] = r.PathValue("session")
		var err error
		if s.ID, err = pathID(posted["session"]); err != nil {
			return err
		}
		if err := sessionPosted(&s, posted); err != nil {
			return err
		}
		if s.Version, err = strconv.Atoi(posted["version"]); err != nil {
			return apperr.Field("version", "number", "is missing")
		}
		return staff.UpdateSession(r.Context(), h.db, &s, h.now())
	}, "day", "hours", "place", "teacher", "version")
}

// staffSessionDelete deletes a sitting entered by mistake, with its
// attendance (the page told how many records go before asking).
func (h *handler) staffSessionDelete(w http.ResponseWriter, r *http.Request) {
	h.courseForm(w, r, "", func(c staff.Course, _ map[string]string) error {
		sid, err := pathID(r.PathValue("session"))
		if err != nil {
			return err
		}
		_, err = staff.DeleteSession(r.Context(), h.db, c.ID, sid)
		return err
	})
}

// staffAttendanceDelete removes one attendance of a session of the
// course, entered by mistake.
func (h *handler) staffAttendanceDelete(w http.ResponseWriter, r *http.Request) {
	h.courseForm(w, r, "", func(c staff.Course, _ map[string]string) error {
		id, err := pathID(r.PathValue("record"))
		if err != nil {
			return err
		}
		t, err := staff.TrainingByID(r.Context(), h.db, id)
		if err != nil {
			return err
		}
		if s, err := staff.SessionByID(r.Context(), h.db, t.SessionID); err != nil || s.CourseID != c.ID {
			return apperr.ErrNotFound
		}
		return staff.DeleteTraining(r.Context(), h.db, id)
	})
}

// staffCourseDelete deletes a course left with no sessions and goes back
// to the list; a course with sessions shows its page with the reason.
func (h *handler) staffCourseDelete(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r.PathValue("id"))
	if err != nil {
		h.staffFail(w, r, err)
		return
	}
	c, _, manage, err := h.courseOf(r, id)
	if err == nil && !manage {
		err = errForbidden
	}
	if err == nil {
		err = staff.DeleteCourse(r.Context(), h.db, c.ID)
	}
	if fe, ok := apperr.AsField(err); ok {
		h.showCourse(w, r, http.StatusUnprocessableEntity, "", nil, fe)
		return
	}
	if err != nil {
		h.staffFail(w, r, err)
		return
	}
	seeOther(w, r, "/training?deleted=1")
}

// staffAttend records a member's attendance of a session and their score.
func (h *handler) staffAttend(w http.ResponseWriter, r *http.Request) {
	h.courseForm(w, r, "attend", func(c staff.Course, posted map[string]string) error {
		sid, _ := strconv.ParseInt(posted["session_id"], 10, 64)
		if s, err := staff.SessionByID(r.Context(), h.db, sid); err != nil || s.CourseID != c.ID {
			return apperr.Field("session_id", "required", "choose a session of this course")
		}
		mid, _ := strconv.ParseInt(posted["team_member_id"], 10, 64)
		_, manage, err := h.staffMember(r, mid)
		if err != nil || !manage {
			return apperr.Field("team_member_id", "not_found", "choose a member you manage")
		}
		var score *int
		if posted["score"] != "" {
			n, err := strconv.Atoi(posted["score"])
			if err != nil {
				return apperr.Field("score", "number", "must be a whole number from 0 to 100")
			}
			score = &n
		}
		_, err = staff.Attend(r.Context(), h.db, sid, mid, score, user(r).ID, h.now())
		return err
	}, "session_id", "team_member_id", "score")
}

// courseForm reads fields of a course page's form and runs do; a field
// error shows the page again with it.
func (h *handler) courseForm(w http.ResponseWriter, r *http.Request, form string, do func(staff.Course, map[string]string) error, fields ...string) {
	id, err := pathID(r.PathValue("id"))
	if err != nil {
		h.staffFail(w, r, err)
		return
	}
	c, _, manage, err := h.courseOf(r, id)
	if err != nil {
		h.staffFail(w, r, err)
		return
	}
	if !manage {
		h.staffFail(w, r, errForbidden)
		return
	}
	posted := map[string]string{}
	for _, k := range fields {
		posted[k] = strings.TrimSpace(r.PostForm.Get(k))
	}
	if err := do(c, posted); err != nil {
		if fe, ok := apperr.AsField(err); ok {
			h.showCourse(w, r, http.StatusUnprocessableEntity, form, posted, fe)
			return
		}
		h.showError(w, r, err)
		return
	}
	seeOther(w, r, fmt.Sprintf("/training/%d?saved=1", id))
}
