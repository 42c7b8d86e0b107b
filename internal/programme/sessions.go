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
}

// SessionInput is a new session. StaffIDs are the team members who
// taught or served.
type SessionInput struct {
	StartsAt time.Time `json:"starts_at"`
	EndsAt   time.Time `json:"ends_at"`
	Place    string    `json:"place"`
	Topic    string    `json:"topic"`
	StaffIDs []int64   `json:"staff_ids"`
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
	staff, err := checkMembers(ctx, s.db, "staff_ids", p.CommunityID, in.StaffIDs)
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
	rows, err := s.db.QueryContext(ctx, `SELECT id, programme_id, starts_at, ends_at, place, topic FROM programme_sessions
		WHERE programme_id = ? ORDER BY starts_at DESC, id DESC`, id)
	if err != nil {
		return nil, err
	}
	out := []Session{}
	for rows.Next() {
		var x Session
		if err := rows.Scan(&x.ID, &x.ProgrammeID, &x.StartsAt, &x.EndsAt, &x.Place, &x.Topic); err != nil {
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
