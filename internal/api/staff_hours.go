package api

import (
	"fmt"
	"net/http"

	"wanhu/internal/access"
	"wanhu/internal/apperr"
	"wanhu/internal/calendar"
	"wanhu/internal/export"
	"wanhu/internal/staff"
)

// Volunteer hours, training courses and scorecard targets (issue 17):
// /staff-hours lists the hours of service of the team in scope month by
// month; /team/{id}/hours reads one member's (?format=xlsx: the service
// record their unit asks for) and adds service by hand; /training-courses
// and their sessions and attendance; /scorecard-targets the targets per
// role.

// staffHours lists the hours of the active members in scope (?from&to,
// this year by default).
func (h *handler) staffHours(w http.ResponseWriter, r *http.Request) {
	scope, p, _, err := h.staffInputs(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	hs, err := staff.Hours(r.Context(), h.d.DB, scope, p.From, p.To, 0)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, map[string]any{"from": p.From, "to": p.To, "items": hs, "total": len(hs)})
}

// memberHours answers one member's hours month by month with the items
// they are made of, or their service record as xlsx (audited).
func (h *handler) memberHours(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	format, err := export.FormatOf(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if _, err := h.trainingMember(r, id, false); err != nil {
		h.fail(w, r, err)
		return
	}
	scope, p, _, err := h.staffInputs(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	hs, err := staff.Hours(r.Context(), h.d.DB, scope, p.From, p.To, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	t, err := staff.LoadTargets(r.Context(), h.d.DB)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	items, err := staff.Service(r.Context(), h.d.DB, t, p.From, p.To, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if format != export.JSON {
		err = h.staffExport(w, r, format, fmt.Sprintf("service:%d", id), "服务记录-"+hs[0].Name, len(items), p, staff.ServiceColumns,
			func(out export.Writer) error { return staff.WriteService(out, hs[0], items) })
		if err != nil {
			h.fail(w, r, err)
		}
		return
	}
	list := items
	if list == nil {
		list = []staff.ServiceItem{}
	}
	h.writeJSON(w, r, http.StatusOK, map[string]any{"hours": hs[0], "items": list})
}

// addHours enters service a member did by hand (day, hours, what).
func (h *handler) addHours(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Day   calendar.Date `json:"day"`
		Hours float64       `json:"hours"`
		What  string        `json:"what"`
	}
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := decode(w, r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	if _, err := h.trainingMember(r, id, true); err != nil {
		h.fail(w, r, err)
		return
	}
	u := user(r)
	e := staff.ServiceEntry{TeamMemberID: id, Day: in.Day, Hours: in.Hours, What: in.What, RecordedBy: u.ID, RecordedByName: u.Username}
	if err := staff.AddService(r.Context(), h.d.DB, &e, h.now()); err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusCreated, e)
}

// scorecardTargets answers the targets per role.
func (h *handler) scorecardTargets(w http.ResponseWriter, r *http.Request) {
	if _, err := staffScope(r); err != nil {
		h.fail(w, r, err)
		return
	}
	t, err := staff.LoadTargets(r.Context(), h.d.DB)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, t)
}

// setScorecardTargets replaces the targets (administrators); a role or
// value left out keeps the stored one.
func (h *handler) setScorecardTargets(w http.ResponseWriter, r *http.Request) {
	t, err := staff.LoadTargets(r.Context(), h.d.DB)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var in staff.Targets
	in.MinHandled, in.VisitHours, in.RoundHours = t.MinHandled, t.VisitHours, t.RoundHours
	if err := decode(w, r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	for role, rt := range in.Roles {
		t.Roles[role] = rt
	}
	t.MinHandled, t.VisitHours, t.RoundHours = in.MinHandled, in.VisitHours, in.RoundHours
	if err := staff.SaveTargets(r.Context(), h.d.DB, t, h.now()); err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, t)
}

// courses lists the training courses in scope.
func (h *handler) courses(w http.ResponseWriter, r *http.Request) {
	scope, err := staffScope(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	cs, err := staff.Courses(r.Context(), h.d.DB, scope)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, listOf(cs, len(cs)))
}

// courseIn is the body of a course to create or edit.
type courseIn struct {
	CommunityID int64  `json:"community_id"`
	Title       string `json:"title"`
	Kind        string `json:"kind"`
	Topic       string `json:"topic"`
	PassMark    *int   `json:"pass_mark"`
	Version     int    `json:"version"`
}

// createCourse creates a course in a community the user manages.
func (h *handler) createCourse(w http.ResponseWriter, r *http.Request) {
	var in courseIn
	if err := decode(w, r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	if _, err := staffScope(r); err != nil {
		h.fail(w, r, err)
		return
	}
	if ok, err := access.Scope(user(r)).Manages(r.Context(), h.d.DB, in.CommunityID, 0); err != nil {
		h.fail(w, r, err)
		return
	} else if !ok || !access.Can(user(r), access.PlanVisits) {
		h.fail(w, r, apperr.Field("community_id", "not_found", "community %d is not one you manage", in.CommunityID))
		return
	}
	c := staff.Course{CommunityID: in.CommunityID, Title: in.Title, Kind: in.Kind, Topic: in.Topic, PassMark: 60}
	if in.PassMark != nil {
		c.PassMark = *in.PassMark
	}
	if err := staff.CreateCourse(r.Context(), h.d.DB, &c, user(r).ID, h.now()); err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusCreated, c)
}

// course returns course {id} in scope and, with manage, checks the user
// manages its community (errForbidden otherwise).
func (h *handler) course(r *http.Request, manage bool) (staff.Course, error) {
	id, err := pathID(r)
	if err != nil {
		return staff.Course{}, err
	}
	scope, err := staffScope(r)
	if err != nil {
		return staff.Course{}, err
	}
	c, err := staff.CourseOf(r.Context(), h.d.DB, scope, id)
	if err != nil || !manage {
		return c, err
	}
	ok, err := access.Scope(user(r)).Manages(r.Context(), h.d.DB, c.CommunityID, 0)
	if err != nil {
		return c, err
	}
	if !ok || !access.Can(user(r), access.PlanVisits) {
		return c, errForbidden
	}
	return c, nil
}

// getCourse answers a course with its sessions and the attendance in
// scope, or the attendance as xlsx or CSV (audited).
func (h *handler) getCourse(w http.ResponseWriter, r *http.Request) {
	format, err := export.FormatOf(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	c, err := h.course(r, false)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	scope, _ := staffScope(r)
	as, err := staff.Attendance(r.Context(), h.d.DB, scope, c)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if format != export.JSON {
		if err := allow(r, access.Export); err != nil {
			h.fail(w, r, err)
			return
		}
		day := calendar.DayOf(h.now())
		err = h.staffExport(w, r, format, fmt.Sprintf("attendance:%d", c.ID), "培训签到-"+c.Title, len(as), staff.Period{From: day, To: day},
			staff.AttendanceColumns, func(out export.Writer) error { return staff.WriteAttendance(out, c, as) })
		if err != nil {
			h.fail(w, r, err)
		}
		return
	}
	ss, err := staff.Sessions(r.Context(), h.d.DB, c.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, map[string]any{"course": c, "sessions": ss, "attendance": as})
}

// updateCourse edits a course at the version the edit started from (409
// when stale).
func (h *handler) updateCourse(w http.ResponseWriter, r *http.Request) {
	var in courseIn
	if err := decode(w, r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	c, err := h.course(r, true)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if in.Version == 0 {
		h.fail(w, r, fieldRequired("version"))
		return
	}
	c.Title, c.Kind, c.Topic, c.Version = in.Title, in.Kind, in.Topic, in.Version
	if in.PassMark != nil {
		c.PassMark = *in.PassMark
	}
	if err := staff.UpdateCourse(r.Context(), h.d.DB, &c); err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, c)
}

// sessionIn is the body of a sitting to add or correct.
type sessionIn struct {
	Day     calendar.Date `json:"day"`
	Hours   float64       `json:"hours"`
	Place   string        `json:"place"`
	Teacher string        `json:"teacher"`
	Version int           `json:"version"` // of a correction: the version it started from
}

// sessionBody reads the body of a sitting of course {id}, which the user
// must manage; it has answered the error when ok is false.
func (h *handler) sessionBody(w http.ResponseWriter, r *http.Request) (s staff.Session, ok bool) {
	var in sessionIn
	if err := decode(w, r, &in); err != nil {
		h.fail(w, r, err)
		return s, false
	}
	c, err := h.course(r, true)
	if err != nil {
		h.fail(w, r, err)
		return s, false
	}
	return staff.Session{CourseID: c.ID, Day: in.Day, Hours: in.Hours, Place: in.Place, Teacher: in.Teacher, Version: in.Version}, true
}

// addSession adds a sitting to a course.
func (h *handler) addSession(w http.ResponseWriter, r *http.Request) {
	s, ok := h.sessionBody(w, r)
	if !ok {
		return
	}
	if err := staff.AddSession(r.Context(), h.d.DB, &s, h.now()); err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusCreated, s)
}

// updateSession corrects a sitting of a course at the version the
// correction started from (409 when stale); its attendance records follow
// its day and hours.
func (h *handler) updateSession(w http.ResponseWriter, r *http.Request) {
	s, ok := h.sessionBody(w, r)
	if !ok {
		return
	}
	var err error
	if s.ID, err = pathNumber(r, "session"); err != nil {
		h.fail(w, r, err)
		return
	}
	if s.Version == 0 {
		h.fail(w, r, fieldRequired("version"))
		return
	}
	if err := staff.UpdateSession(r.Context(), h.d.DB, &s, h.now()); err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, s)
}

// deleteSession removes a sitting entered by mistake, with its
// attendance, and answers how many attendance records went.
func (h *handler) deleteSession(w http.ResponseWriter, r *http.Request) {
	c, err := h.course(r, true)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	sid, err := pathNumber(r, "session")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	n, err := staff.DeleteSession(r.Context(), h.d.DB, c.ID, sid)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, map[string]int{"attendance_removed": n})
}

// deleteCourse removes a course that has no sessions left.
func (h *handler) deleteCourse(w http.ResponseWriter, r *http.Request) {
	c, err := h.course(r, true)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := staff.DeleteCourse(r.Context(), h.d.DB, c.ID); err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// attend records that a member attended a session of the course, with
// their test score (recording again replaces it).
func (h *handler) attend(w http.ResponseWriter, r *http.Request) {
	var in struct {
		SessionID    int64 `json:"session_id"`
		TeamMemberID int64 `json:"team_member_id"`
		Score        *int  `json:"score"`
	}
	if err := decode(w, r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	c, err := h.course(r, false)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if s, err := staff.SessionByID(r.Context(), h.d.DB, in.SessionID); err != nil || s.CourseID != c.ID {
		h.fail(w, r, apperr.Field("session_id", "not_found", "session %d is not one of this course's", in.SessionID))
		return
	}
	if _, err := h.trainingMember(r, in.TeamMemberID, true); err != nil {
		if err == apperr.ErrNotFound {
			err = apperr.Field("team_member_id", "not_found", "team member %d does not exist", in.TeamMemberID)
		}
		h.fail(w, r, err)
		return
	}
	rec, err := staff.Attend(r.Context(), h.d.DB, in.SessionID, in.TeamMemberID, in.Score, user(r).ID, h.now())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, rec)
}
