package staff

import (
	"context"
	"database/sql"
	"errors"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"wanhu/internal/apperr"
	"wanhu/internal/calendar"
	"wanhu/internal/org"
	"wanhu/internal/store"
)

// Topics of a training course (R20): policy 政策, mediation 调解, service
// manners 服务礼仪, the app itself 系统使用, and other.
var Topics = []string{"policy", "mediation", "manners", "app", "other"}

// Course is a training course a community runs: pre-job (岗前) or
// on-the-job (在岗), on a topic, with the pass mark of its short test
// (0–100). Version counts saved edits, so a stale edit is refused.
type Course struct {
	ID          int64     `json:"id"`
	CommunityID int64     `json:"community_id"`
	Title       string    `json:"title"`
	Kind        string    `json:"kind"`
	Topic       string    `json:"topic"`
	PassMark    int       `json:"pass_mark"`
	Version     int       `json:"version"`
	CreatedAt   time.Time `json:"created_at"`
	Sessions    int       `json:"sessions"`  // how many sittings
	Attendees   int       `json:"attendees"` // members who attended one
}

// Session is one sitting of a course: a day, its hours, where and who
// taught it. Version counts saved corrections, so a stale one is refused.
type Session struct {
	ID       int64         `json:"id"`
	CourseID int64         `json:"course_id"`
	Day      calendar.Date `json:"day"`
	Hours    float64       `json:"hours"`
	Place    string        `json:"place,omitempty"`
	Teacher  string        `json:"teacher,omitempty"`
	Version  int           `json:"version"`
}

// checkCourse normalises c and returns a FieldError naming the first
// field that is wrong.
func checkCourse(c *Course) error {
	c.Title = strings.TrimSpace(c.Title)
	switch {
	case c.Title == "":
		return apperr.Field("title", "required", "is required")
	case utf8.RuneCountInString(c.Title) > 100:
		return apperr.Field("title", "too_long", "must be at most %d characters", 100)
	case !slices.Contains(TrainingKinds, c.Kind):
		return apperr.Field("kind", "one_of", "must be one of %s", strings.Join(TrainingKinds, ", "))
	case !slices.Contains(Topics, c.Topic):
		return apperr.Field("topic", "one_of", "must be one of %s", strings.Join(Topics, ", "))
	case c.PassMark < 0 || c.PassMark > 100:
		return apperr.Field("pass_mark", "range", "must be from 0 to 100")
	}
	return nil
}

// CreateCourse validates c and inserts it in its community (a FieldError
// on community_id when that is no community), filling in ID and version.
func CreateCourse(ctx context.Context, q store.Querier, c *Course, by int64, now time.Time) error {
	if err := checkCourse(c); err != nil {
		return err
	}
	if u, err := org.UnitByID(ctx, q, c.CommunityID); err != nil || u.Kind != org.Community {
		return apperr.Field("community_id", "not_found", "community %d does not exist", c.CommunityID)
	}
	c.Version, c.CreatedAt = 1, now.UTC()
	var byID any
	if by != 0 {
		byID = by
	}
	return q.QueryRowContext(ctx, `INSERT INTO training_courses(community_id, title, kind, topic, pass_mark, version, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, 1, ?, ?) RETURNING id`, c.CommunityID, c.Title, c.Kind, c.Topic, c.PassMark, byID, c.CreatedAt).Scan(&c.ID)
}

// UpdateCourse saves c's title, kind, topic and pass mark if it is still
// at c.Version (apperr.ErrConflict otherwise); c.Version moves on. The
// records of its sessions follow the title and kind.
func UpdateCourse(ctx context.Context, q store.Querier, c *Course) error {
	if err := checkCourse(c); err != nil {
		return err
	}
	res, err := q.ExecContext(ctx, `UPDATE training_courses SET title = ?, kind = ?, topic = ?, pass_mark = ?, version = version + 1
		WHERE id = ? AND version = ?`, c.Title, c.Kind, c.Topic, c.PassMark, c.ID, c.Version)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return store.Stale(ctx, q, "training_courses", c.ID)
	}
	c.Version++
	_, err = q.ExecContext(ctx, `UPDATE training_records SET course = ?, kind = ?
		WHERE session_id IN (SELECT id FROM training_sessions WHERE course_id = ?)`, c.Title, c.Kind, c.ID)
	return err
}

// courseWhere returns the courses scope s sees as an SQL condition on
// training_courses c and its community u: an administrator's subtrees,
// the communities of a grid leader's grids, a visitor's own community.
func courseWhere(s org.Scope) (string, []any) {
	if s.All {
		return "1 = 1", nil
	}
	var or []string
	var args []any
	for _, p := range s.Paths {
		or, args = append(or, "u.path LIKE ?"), append(args, p+"%")
	}
	if n := len(s.GridIDs); n > 0 {
		or = append(or, "c.community_id IN (SELECT parent_id FROM org_units WHERE id IN (?"+strings.Repeat(", ?", n-1)+"))")
		for _, id := range s.GridIDs {
			args = append(args, id)
		}
	}
	if s.MemberID != 0 {
		or, args = append(or, "c.community_id = (SELECT community_id FROM team_members WHERE id = ?)"), append(args, s.MemberID)
	}
	if len(or) == 0 {
		return "1 = 0", nil
	}
	return "(" + strings.Join(or, " OR ") + ")", args
}

const courseCols = `c.id, c.community_id, c.title, c.kind, c.topic, c.pass_mark, c.version, c.created_at,
	(SELECT COUNT(*) FROM training_sessions s WHERE s.course_id = c.id),
	(SELECT COUNT(DISTINCT r.team_member_id) FROM training_records r JOIN training_sessions s ON s.id = r.session_id WHERE s.course_id = c.id)`

func scanCourse(s interface{ Scan(...any) error }) (Course, error) {
	var c Course
	err := s.Scan(&c.ID, &c.CommunityID, &c.Title, &c.Kind, &c.Topic, &c.PassMark, &c.Version, &c.CreatedAt, &c.Sessions, &c.Attendees)
	c.CreatedAt = c.CreatedAt.In(calendar.China)
	return c, err
}

// Courses lists the courses in scope, the latest first.
func Courses(ctx context.Context, q store.Querier, scope org.Scope) ([]Course, error) {
	cond, args := courseWhere(scope)
	rows, err := q.QueryContext(ctx, `SELECT `+courseCols+` FROM training_courses c JOIN org_units u ON u.id = c.community_id
		WHERE `+cond+` ORDER BY c.id DESC`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Course{}
	for rows.Next() {
		c, err := scanCourse(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func courseByID(ctx context.Context, q store.Querier, id int64) (Course, error) {
	c, err := scanCourse(q.QueryRowContext(ctx, `SELECT `+courseCols+` FROM training_courses c WHERE c.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, apperr.ErrNotFound
	}
	return c, err
}

// CourseOf returns course id if scope sees it, apperr.ErrNotFound
// otherwise (a course out of scope answers as one that does not exist).
func CourseOf(ctx context.Context, q store.Querier, scope org.Scope, id int64) (Course, error) {
	cond, args := courseWhere(scope)
	c, err := scanCourse(q.QueryRowContext(ctx, `SELECT `+courseCols+` FROM training_courses c JOIN org_units u ON u.id = c.community_id
		WHERE c.id = ? AND `+cond, append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return c, apperr.ErrNotFound
	}
	return c, err
}

// checkSession normalises s and returns a FieldError naming the first
// field that is wrong.
func checkSession(s *Session) error {
	s.Place, s.Teacher = strings.TrimSpace(s.Place), strings.TrimSpace(s.Teacher)
	switch {
	case s.Day.IsZero():
		return apperr.Field("day", "required", "is required")
	case math.IsNaN(s.Hours) || s.Hours <= 0 || s.Hours > 24:
		return apperr.Field("hours", "range", "must be more than 0 and at most 24")
	case utf8.RuneCountInString(s.Place) > 100:
		return apperr.Field("place", "too_long", "must be at most %d characters", 100)
	case utf8.RuneCountInString(s.Teacher) > 50:
		return apperr.Field("teacher", "too_long", "must be at most %d characters", 50)
	}
	return nil
}

// AddSession validates s and adds it to its course, filling in its ID.
func AddSession(ctx context.Context, q store.Querier, s *Session, now time.Time) error {
	if err := checkSession(s); err != nil {
		return err
	}
	if _, err := courseByID(ctx, q, s.CourseID); err != nil {
		return apperr.Field("course_id", "not_found", "course %d does not exist", s.CourseID)
	}
	s.Version = 1
	return q.QueryRowContext(ctx, `INSERT INTO training_sessions(course_id, day, hours, place, teacher, created_at)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, s.CourseID, s.Day.String(), s.Hours, s.Place, s.Teacher, now.UTC()).Scan(&s.ID)
}

// sessionOf returns session id of course courseID, or apperr.ErrNotFound
// (a session of another course answers as one that does not exist), with
// how many attendance records it has.
func sessionOf(ctx context.Context, q store.Querier, courseID, id int64) (Session, int, error) {
	s, err := SessionByID(ctx, q, id)
	if err == nil && s.CourseID != courseID {
		err = apperr.ErrNotFound
	}
	if err != nil {
		return s, 0, err
	}
	var n int
	err = q.QueryRowContext(ctx, `SELECT COUNT(*) FROM training_records WHERE session_id = ?`, id).Scan(&n)
	return s, n, err
}

// UpdateSession saves the day, hours, place and teacher of session s.ID
// of course s.CourseID if it is still at s.Version (apperr.ErrConflict
// otherwise; s.Version moves on): a sitting entered with a wrong day or
// hours is corrected, not deleted and entered again. The attendance
// records of the session follow its day and hours, in the same
// transaction. A session someone attended cannot move after today (a
// FieldError on day), as attendance cannot be recorded for a future one.
func UpdateSession(ctx context.Context, db *store.DB, s *Session, now time.Time) error {
	if err := checkSession(s); err != nil {
		return err
	}
	return db.InTx(ctx, func(tx *store.Tx) error {
		_, attended, err := sessionOf(ctx, tx, s.CourseID, s.ID)
		if err != nil {
			return err
		}
		if attended > 0 && s.Day.After(calendar.DayOf(now)) {
			return apperr.Field("day", "attended", "%d members attended the session: its day cannot be after today", attended)
		}
		res, err := tx.ExecContext(ctx, `UPDATE training_sessions SET day = ?, hours = ?, place = ?, teacher = ?, version = version + 1
			WHERE id = ? AND version = ?`, s.Day.String(), s.Hours, s.Place, s.Teacher, s.ID, s.Version)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return store.Stale(ctx, tx, "training_sessions", s.ID)
		}
		s.Version++
		_, err = tx.ExecContext(ctx, `UPDATE training_records SET completed_on = ?, hours = ? WHERE session_id = ?`, s.Day.String(), s.Hours, s.ID)
		return err
	})
}

// DeleteSession removes session id of course courseID, entered by
// mistake, with its attendance records (the members' training hours of
// that sitting), in one transaction, and returns how many records went.
func DeleteSession(ctx context.Context, db *store.DB, courseID, id int64) (int, error) {
	var removed int
	err := db.InTx(ctx, func(tx *store.Tx) error {
		_, attended, err := sessionOf(ctx, tx, courseID, id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM training_records WHERE session_id = ?`, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM training_sessions WHERE id = ?`, id); err != nil {
			return err
		}
		removed = attended
		return nil
	})
	return removed, err
}

// DeleteCourse removes course id, which must have no sessions left (a
// FieldError on sessions otherwise: its sittings and their attendance
// are deleted one by one, on purpose).
func DeleteCourse(ctx context.Context, db *store.DB, id int64) error {
	return db.InTx(ctx, func(tx *store.Tx) error {
		c, err := courseByID(ctx, tx, id)
		if err != nil {
			return err
		}
		if c.Sessions > 0 {
			return apperr.Field("sessions", "not_empty", "the course still has sessions (%d): delete them first", c.Sessions)
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM training_courses WHERE id = ?`, id)
		return err
	})
}

// Sessions lists the sittings of course id, by day.
func Sessions(ctx context.Context, q store.Querier, courseID int64) ([]Session, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, course_id, day, hours, place, teacher, version FROM training_sessions WHERE course_id = ? ORDER BY day, id`, courseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Session{}
	for rows.Next() {
		var s Session
		var day string
		if err := rows.Scan(&s.ID, &s.CourseID, &day, &s.Hours, &s.Place, &s.Teacher, &s.Version); err != nil {
			return nil, err
		}
		if s.Day, err = calendar.ParseDate("day", day); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// SessionByID returns one session, or apperr.ErrNotFound.
func SessionByID(ctx context.Context, q store.Querier, id int64) (Session, error) {
	var s Session
	var day string
	err := q.QueryRowContext(ctx, `SELECT id, course_id, day, hours, place, teacher, version FROM training_sessions WHERE id = ?`, id).
		Scan(&s.ID, &s.CourseID, &day, &s.Hours, &s.Place, &s.Teacher, &s.Version)
	if errors.Is(err, sql.ErrNoRows) {
		return s, apperr.ErrNotFound
	}
	if err == nil {
		s.Day, err = calendar.ParseDate("day", day)
	}
	return s, err
}

// Attend records that team member memberID attended session sessionID,
// with their test score (nil: no test taken), as a training record of the
// course's title, kind and the session's day and hours. Recording again
// replaces the score. The session must have taken place (its day not after
// today) and the member be of the course's community.
func Attend(ctx context.Context, q store.Querier, sessionID, memberID int64, score *int, by int64, now time.Time) (TrainingRecord, error) {
	s, err := SessionByID(ctx, q, sessionID)
	if err != nil {
		return TrainingRecord{}, apperr.Field("session_id", "not_found", "session %d does not exist", sessionID)
	}
	c, err := courseByID(ctx, q, s.CourseID)
	if err != nil {
		return TrainingRecord{}, err
	}
	if s.Day.After(calendar.DayOf(now)) {
		return TrainingRecord{}, apperr.Field("session_id", "future", "the session is on %s, after today", s.Day)
	}
	if score != nil && (*score < 0 || *score > 100) {
		return TrainingRecord{}, apperr.Field("score", "range", "must be from 0 to 100")
	}
	m, err := org.TeamMemberByID(ctx, q, memberID)
	if err != nil || m.CommunityID != c.CommunityID {
		return TrainingRecord{}, apperr.Field("team_member_id", "not_found", "team member %d is not of the course's community", memberID)
	}
	var sc, byID any
	if score != nil {
		sc = *score
	}
	if by != 0 {
		byID = by
	}
	var id int64
	err = q.QueryRowContext(ctx, `INSERT INTO training_records(team_member_id, course, kind, completed_on, hours, note, recorded_by, created_at, session_id, score)
		VALUES (?, ?, ?, ?, ?, '', ?, ?, ?, ?)
		ON CONFLICT (session_id, team_member_id) DO UPDATE SET score = excluded.score RETURNING id`,
		memberID, c.Title, c.Kind, s.Day.String(), s.Hours, byID, now.UTC(), sessionID, sc).Scan(&id)
	if err != nil {
		return TrainingRecord{}, err
	}
	return TrainingByID(ctx, q, id)
}

// Attendee is one member's attendance of a session of a course.
type Attendee struct {
	RecordID  int64         `json:"record_id"`
	SessionID int64         `json:"session_id"`
	Day       calendar.Date `json:"day"`
	Hours     float64       `json:"hours"`
	MemberID  int64         `json:"member_id"`
	Name      string        `json:"name"`
	Role      string        `json:"role"`
	GridName  string        `json:"grid_name,omitempty"`
	Score     *int          `json:"score"`
	Passed    *bool         `json:"passed"` // nil: no test taken
}

// Attendance lists who attended the sessions of course c, by session and
// name: only the members scope sees (a grid leader, their grids').
func Attendance(ctx context.Context, q store.Querier, scope org.Scope, c Course) ([]Attendee, error) {
	cond, args := memberWhere(scope)
	rows, err := q.QueryContext(ctx, `SELECT r.id, s.id, s.day, s.hours, m.id, m.name, m.role, COALESCE(g.name, ''), r.score
		FROM training_records r JOIN training_sessions s ON s.id = r.session_id JOIN team_members m ON m.id = r.team_member_id
		JOIN org_units o ON o.id = COALESCE(m.grid_id, m.community_id) LEFT JOIN org_units g ON g.id = m.grid_id
		WHERE s.course_id = ? AND `+cond+` ORDER BY s.day, s.id, m.id`, append([]any{c.ID}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Attendee{}
	for rows.Next() {
		var a Attendee
		var day string
		var score sql.NullInt64
		if err := rows.Scan(&a.RecordID, &a.SessionID, &day, &a.Hours, &a.MemberID, &a.Name, &a.Role, &a.GridName, &score); err != nil {
			return nil, err
		}
		if a.Day, err = calendar.ParseDate("day", day); err != nil {
			return nil, err
		}
		if score.Valid {
			n := int(score.Int64)
			p := n >= c.PassMark
			a.Score, a.Passed = &n, &p
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// WithoutPreJob returns which of the members ids have not passed a pre-job
// course by day on (a pre-job record entered by hand, or a pre-job
// session attended whose test, if taken, reached the pass mark): the
// members to flag before they are put into a visit plan. The visit
// package's plan pages call it through web, so visit does not import
// staff.
func WithoutPreJob(ctx context.Context, q store.Querier, ids []int64, on calendar.Date) (map[int64]bool, error) {
	out := map[int64]bool{}
	if len(ids) == 0 {
		return out, nil
	}
	done, err := preJobDone(ctx, q, on)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		if !done[id] {
			out[id] = true
		}
	}
	return out, nil
}

// preJobDone returns the members who passed a pre-job course by day on.
func preJobDone(ctx context.Context, q store.Querier, on calendar.Date) (map[int64]bool, error) {
	rows, err := q.QueryContext(ctx, `SELECT DISTINCT r.team_member_id FROM training_records r
		LEFT JOIN training_sessions s ON s.id = r.session_id LEFT JOIN training_courses c ON c.id = s.course_id
		WHERE r.kind = 'pre_job' AND r.completed_on <= ? AND (r.score IS NULL OR c.id IS NULL OR r.score >= c.pass_mark)`, on.String())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]bool{}
	for rows.Next() {
		var m int64
		if err := rows.Scan(&m); err != nil {
			return nil, err
		}
		out[m] = true
	}
	return out, rows.Err()
}
