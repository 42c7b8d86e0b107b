package programme

import (
	"context"
	"fmt"
	"slices"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/audit"
	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/store"
)

// Session is one session of a programme: when, where, what, who taught
// or served, and how many of the enrolled (that the user reaches) came.
type Session struct {
	ID          int64     `json:"id"`
	ProgrammeID int64     `json:"programme_id"`
	StartsAt    time.Time `json:"starts_at"`
	EndsAt      time.Time `json:"ends_at"`
	Place       string    `json:"place"`
	Topic       string    `json:"topic"`
	Staff       []Member  `json:"staff"`
	Attended    int       `json:"attended"`
	// Present lists the enrolment ids that came (those the user reaches).
	Present []int64 `json:"present"`
	Version int     `json:"version"`
}

// SessionInput is a new session or the corrected values of one, with the
// Version the user saw (a correction only). StaffIDs are the team members
// who taught or served.
type SessionInput struct {
	StartsAt time.Time `json:"starts_at"`
	EndsAt   time.Time `json:"ends_at"`
	Place    string    `json:"place"`
	Topic    string    `json:"topic"`
	StaffIDs []int64   `json:"staff_ids"`
	Version  int       `json:"version"`
}

func checkSpan(start, end time.Time) error {
	if start.IsZero() {
		return apperr.Field("starts_at", "required", "is required")
	}
	if err := calendar.CheckTime("starts_at", start); err != nil {
		return err
	}
	if end.IsZero() {
		return apperr.Field("ends_at", "required", "is required")
	}
	if !end.After(start) {
		return apperr.Field("ends_at", "before_start", "must be after starts_at")
	}
	if end.Sub(start) > 24*time.Hour {
		return apperr.Field("ends_at", "too_long", "must be within 24 hours of starts_at")
	}
	return nil
}

// AddSession records a session of programme id.
func (s *Store) AddSession(ctx context.Context, actor household.Actor, id int64, in SessionInput) (*Session, error) {
	audit.Describe(ctx, "programme.session", fmt.Sprintf("programme:%d", id), "")
	p, err := s.Programme(ctx, id)
	if err != nil {
		return nil, err
	}
	staff, err := s.checkSession(ctx, p, &in)
	if err != nil {
		return nil, err
	}
	var sid int64
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO programme_sessions(programme_id, starts_at, ends_at, place, topic, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, id, in.StartsAt.UTC(), in.EndsAt.UTC(), in.Place, in.Topic, actor.Name, s.now().UTC()).Scan(&sid); err != nil {
			return err
		}
		return setStaff(ctx, tx, "programme_session_staff", "session_id", sid, staff)
	})
	if err != nil {
		return nil, err
	}
	return s.session(ctx, id, sid)
}

// checkSession checks and normalises a new or corrected session of
// programme p (an empty place is the programme's) and returns its staff.
func (s *Store) checkSession(ctx context.Context, p *Programme, in *SessionInput) ([]int64, error) {
	if err := checkSpan(in.StartsAt, in.EndsAt); err != nil {
		return nil, err
	}
	if err := text("place", &in.Place, 100, false); err != nil {
		return nil, err
	}
	if err := text("topic", &in.Topic, 200, false); err != nil {
		return nil, err
	}
	if in.Place == "" {
		in.Place = p.Place
	}
	return checkMembers(ctx, s.db, "staff_ids", p.CommunityID, in.StaffIDs)
}

// UpdateSession corrects session sid of programme id (its times, place,
// topic and who taught or served) with the checks of AddSession, if it is
// still at in.Version (apperr.ErrConflict otherwise; a FieldError on
// version without one). Its attendance stays with it: the statistics and
// the served hours, read from the sessions as they are, follow the
// corrected day and hours.
func (s *Store) UpdateSession(ctx context.Context, id, sid int64, in SessionInput) (*Session, error) {
	audit.Describe(ctx, "programme.session.update", fmt.Sprintf("programme:%d", id), fmt.Sprintf("session:%d", sid))
	p, err := s.Programme(ctx, id)
	if err != nil {
		return nil, err
	}
	if _, err := s.sessionVersion(ctx, s.db, id, sid); err != nil {
		return nil, err
	}
	if in.Version == 0 {
		return nil, apperr.Field("version", "required", "is required: the version of the session you corrected")
	}
	staff, err := s.checkSession(ctx, p, &in)
	if err != nil {
		return nil, err
	}
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE programme_sessions SET starts_at = ?, ends_at = ?, place = ?, topic = ?, version = version + 1
			WHERE id = ? AND programme_id = ? AND version = ?`, in.StartsAt.UTC(), in.EndsAt.UTC(), in.Place, in.Topic, sid, id, in.Version)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			v, err := s.sessionVersion(ctx, tx, id, sid)
			if err != nil {
				return err // deleted meanwhile
			}
			return &apperr.Stale{Current: v}
		}
		return setStaff(ctx, tx, "programme_session_staff", "session_id", sid, staff)
	})
	if err != nil {
		return nil, err
	}
	return s.session(ctx, id, sid)
}

// SessionAttended refuses to delete a session whose attendance is
// recorded: the attendances count in the programme's statistics (persons
// served, attendance rates) and the enrolments' sessions attended, so a
// session that was held is not deleted with them silently. Recording
// nobody present first (SetAttendance) makes a mistaken one deletable.
type SessionAttended struct {
	// Attended counts the attendances recorded, of all households.
	Attended int
}

func (e *SessionAttended) Error() string {
	return fmt.Sprintf("%d attendances are recorded for this session and count in the programme's statistics: record nobody present first, then delete it", e.Attended)
}

// DeleteSession deletes session sid of programme id, added by mistake or
// cancelled, with who was to teach it (their served hours go with it). A
// session with attendance recorded is refused (*SessionAttended).
func (s *Store) DeleteSession(ctx context.Context, id, sid int64) error {
	audit.Describe(ctx, "programme.session.delete", fmt.Sprintf("programme:%d", id), fmt.Sprintf("session:%d", sid))
	if err := s.ProgrammeInScope(ctx, id); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		if _, err := s.sessionVersion(ctx, tx, id, sid); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM programme_attendance WHERE session_id = ?`, sid).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return &SessionAttended{Attended: n}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM programme_session_staff WHERE session_id = ?`, sid); err != nil {
			return err
		}
		// NOT EXISTS: attendance committed since the count (PostgreSQL's
		// read committed) keeps the session rather than failing on its key.
		res, err := tx.ExecContext(ctx, `DELETE FROM programme_sessions WHERE id = ? AND NOT EXISTS (SELECT 1 FROM programme_attendance WHERE session_id = ?)`, sid, sid)
		if err != nil {
			return err
		}
		if k, err := res.RowsAffected(); err != nil {
			return err
		} else if k == 0 {
			return &SessionAttended{Attended: 1}
		}
		return nil
	})
}

// sessionVersion returns the version of session sid of programme id, or
// apperr.ErrNotFound (a session of another programme is one that does
// not exist).
func (s *Store) sessionVersion(ctx context.Context, q store.Querier, id, sid int64) (int, error) {
	var v int
	err := q.QueryRowContext(ctx, `SELECT version FROM programme_sessions WHERE id = ? AND programme_id = ?`, sid, id).Scan(&v)
	if noRows(err) {
		return 0, apperr.ErrNotFound
	}
	return v, err
}

func (s *Store) session(ctx context.Context, programmeID, id int64) (*Session, error) {
	ss, err := s.Sessions(ctx, programmeID)
	if err != nil {
		return nil, err
	}
	for i := range ss {
		if ss[i].ID == id {
			return &ss[i], nil
		}
	}
	return nil, apperr.ErrNotFound
}

// Sessions returns the sessions of programme id, the latest first.
func (s *Store) Sessions(ctx context.Context, id int64) ([]Session, error) {
	if err := s.ProgrammeInScope(ctx, id); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, programme_id, starts_at, ends_at, place, topic, version FROM programme_sessions
		WHERE programme_id = ? ORDER BY starts_at DESC, id DESC`, id)
	if err != nil {
		return nil, err
	}
	out := []Session{}
	for rows.Next() {
		var x Session
		if err := rows.Scan(&x.ID, &x.ProgrammeID, &x.StartsAt, &x.EndsAt, &x.Place, &x.Topic, &x.Version); err != nil {
			rows.Close()
			return nil, err
		}
		x.StartsAt, x.EndsAt = x.StartsAt.UTC(), x.EndsAt.UTC()
		out = append(out, x)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	hcond, hargs := s.households()
	for i := range out {
		x := &out[i]
		if x.Staff, err = members(ctx, s.db, `SELECT m.id, m.name, m.role FROM programme_session_staff st JOIN team_members m ON m.id = st.team_member_id
			WHERE st.session_id = ? ORDER BY m.id`, x.ID); err != nil {
			return nil, err
		}
		x.Present = []int64{}
		r, err := s.db.QueryContext(ctx, `SELECT a.enrolment_id FROM programme_attendance a JOIN programme_enrolments e ON e.id = a.enrolment_id
			JOIN households h ON h.id = e.household_id WHERE a.session_id = ? AND `+hcond+` ORDER BY a.enrolment_id`, append([]any{x.ID}, hargs...)...)
		if err != nil {
			return nil, err
		}
		for r.Next() {
			var e int64
			if err := r.Scan(&e); err != nil {
				r.Close()
				return nil, err
			}
			x.Present = append(x.Present, e)
		}
		r.Close()
		x.Attended = len(x.Present)
	}
	return out, nil
}

// SetAttendance records who of the enrolled came to session sid of
// programme id: enrolment ids present; the enrolments the user reaches
// and does not name are recorded absent.
func (s *Store) SetAttendance(ctx context.Context, id, sid int64, present []int64) (*Session, error) {
	audit.Describe(ctx, "programme.attendance", fmt.Sprintf("programme:%d", id), "")
	if _, err := s.session(ctx, id, sid); err != nil {
		return nil, err
	}
	es, err := s.Enrolments(ctx, id)
	if err != nil {
		return nil, err
	}
	mine := map[int64]bool{}
	for _, e := range es {
		mine[e.ID] = true
	}
	present = slices.Compact(slices.Sorted(slices.Values(present)))
	for _, e := range present {
		if !mine[e] {
			return nil, apperr.Field("present", "not_enrolled", "enrolment %d is not of this programme", e)
		}
	}
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		for e := range mine {
			if _, err := tx.ExecContext(ctx, `DELETE FROM programme_attendance WHERE session_id = ? AND enrolment_id = ?`, sid, e); err != nil {
				return err
			}
		}
		for _, e := range present {
			if _, err := tx.ExecContext(ctx, `INSERT INTO programme_attendance(session_id, enrolment_id) VALUES (?, ?)`, sid, e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.session(ctx, id, sid)
}
