// Package staff is the evaluation of the visiting team and the staff who
// handle requests (考评, issue 6, R19 and R20): training records, the
// scorecard of each team member and staff account, the configurable weights
// of its score, and the analysis of bad reviews (dissatisfied callbacks).
//
// Scorecards read what other packages record: visits (visit_visitors),
// requests and their timelines (the resolve step's actor is who handled a
// request), and the training records this package keeps.
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
	"wanhu/internal/store"
)

// Kinds of training (R20): the course every member takes before visiting,
// and the courses taken while in the job.
const (
	PreJob = "pre_job" // 岗前培训
	OnJob  = "on_job"  // 在岗培训
)

// TrainingKinds lists the kinds of training.
var TrainingKinds = []string{PreJob, OnJob}

// TrainingRecord is one course a team member completed.
type TrainingRecord struct {
	ID           int64         `json:"id"`
	TeamMemberID int64         `json:"team_member_id"`
	Course       string        `json:"course"`
	Kind         string        `json:"kind"`
	CompletedOn  calendar.Date `json:"completed_on"`
	Hours        float64       `json:"hours"`
	Note         string        `json:"note,omitempty"`
	RecordedBy   int64         `json:"recorded_by,omitempty"`
	CreatedAt    time.Time     `json:"created_at"`
	SessionID    int64         `json:"session_id,omitempty"` // set when the record is a course session's attendance
	Score        *int          `json:"score,omitempty"`      // the short test's score, 0–100
	Passed       *bool         `json:"passed,omitempty"`     // the score reached the course's pass mark
}

// checkTraining normalises t and returns a FieldError naming the first
// field that is wrong. today bounds the completion day: a course is
// recorded once it is done.
func checkTraining(t *TrainingRecord, today calendar.Date) error {
	t.Course, t.Note = strings.TrimSpace(t.Course), strings.TrimSpace(t.Note)
	switch {
	case t.Course == "":
		return apperr.Field("course", "required", "is required")
	case utf8.RuneCountInString(t.Course) > 100:
		return apperr.Field("course", "too_long", "must be at most %d characters", 100)
	case t.Kind == "":
		return apperr.Field("kind", "required", "is required")
	case !slices.Contains(TrainingKinds, t.Kind):
		return apperr.Field("kind", "one_of", "must be one of %s", strings.Join(TrainingKinds, ", "))
	case t.CompletedOn.IsZero():
		return apperr.Field("completed_on", "required", "is required")
	case t.CompletedOn.After(today):
		return apperr.Field("completed_on", "future", "must not be after today (%s)", today)
	case math.IsNaN(t.Hours) || t.Hours <= 0 || t.Hours > 200:
		return apperr.Field("hours", "range", "must be more than 0 and at most 200")
	case utf8.RuneCountInString(t.Note) > 500:
		return apperr.Field("note", "too_long", "must be at most %d characters", 500)
	}
	return nil
}

// AddTraining validates t and records it for its team member (who must
// exist: a FieldError on team_member_id otherwise), filling in its ID.
func AddTraining(ctx context.Context, q store.Querier, t *TrainingRecord, now time.Time) error {
	if err := checkTraining(t, calendar.DayOf(now)); err != nil {
		return err
	}
	var one int
	if err := q.QueryRowContext(ctx, `SELECT 1 FROM team_members WHERE id = ?`, t.TeamMemberID).Scan(&one); err != nil {
		return apperr.Field("team_member_id", "not_found", "team member %d does not exist", t.TeamMemberID)
	}
	t.CreatedAt = now.UTC()
	var by any
	if t.RecordedBy != 0 {
		by = t.RecordedBy
	}
	return q.QueryRowContext(ctx, `INSERT INTO training_records(team_member_id, course, kind, completed_on, hours, note, recorded_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, t.TeamMemberID, t.Course, t.Kind, t.CompletedOn.String(), t.Hours, t.Note, by,
		t.CreatedAt).Scan(&t.ID)
}

const trainingCols = `r.id, r.team_member_id, r.course, r.kind, r.completed_on, r.hours, r.note, COALESCE(r.recorded_by, 0), r.created_at,
	COALESCE(r.session_id, 0), r.score, COALESCE(c.pass_mark, 0)`

const trainingFrom = ` FROM training_records r LEFT JOIN training_sessions s ON s.id = r.session_id LEFT JOIN training_courses c ON c.id = s.course_id`

func scanTraining(s interface{ Scan(...any) error }) (TrainingRecord, error) {
	var t TrainingRecord
	var on string
	var score sql.NullInt64
	var pass int
	err := s.Scan(&t.ID, &t.TeamMemberID, &t.Course, &t.Kind, &on, &t.Hours, &t.Note, &t.RecordedBy, &t.CreatedAt, &t.SessionID, &score, &pass)
	if err == nil {
		t.CompletedOn, err = calendar.ParseDate("completed_on", on)
	}
	if score.Valid {
		n := int(score.Int64)
		ok := n >= pass
		t.Score, t.Passed = &n, &ok
	}
	t.CreatedAt = t.CreatedAt.In(calendar.China)
	return t, err
}

// Training lists the training records of team member memberID, the latest
// first.
func Training(ctx context.Context, q store.Querier, memberID int64) ([]TrainingRecord, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+trainingCols+trainingFrom+` WHERE r.team_member_id = ?
		ORDER BY r.completed_on DESC, r.id DESC`, memberID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []TrainingRecord{}
	for rows.Next() {
		t, err := scanTraining(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// TrainingByID returns one training record, or apperr.ErrNotFound.
func TrainingByID(ctx context.Context, q store.Querier, id int64) (TrainingRecord, error) {
	t, err := scanTraining(q.QueryRowContext(ctx, `SELECT `+trainingCols+trainingFrom+` WHERE r.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return t, apperr.ErrNotFound
	}
	return t, err
}

// DeleteTraining removes training record id (apperr.ErrNotFound if there
// is none).
func DeleteTraining(ctx context.Context, q store.Querier, id int64) error {
	res, err := q.ExecContext(ctx, `DELETE FROM training_records WHERE id = ?`, id)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return apperr.ErrNotFound
	}
	return nil
}
