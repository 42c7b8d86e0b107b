package feedback

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/store"
)

// notFound turns no row into apperr.ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.ErrNotFound
	}
	return err
}

// subject is whom a record is about, as stored.
type subject struct {
	memberID, userID int64
	key, name, path  string
	gridID           int64
}

// subjectOf resolves whom in is about: a member (or the member an
// account is linked to), or a staff account with the request it handled.
// field prefixes the field names of its errors.
func subjectOf(ctx context.Context, q store.Querier, in *Input) (*subject, error) {
	if in.MemberID == 0 && in.UserID != 0 {
		var m sql.NullInt64
		err := q.QueryRowContext(ctx, `SELECT team_member_id FROM users WHERE id = ?`, in.UserID).Scan(&m)
		if err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return nil, apperr.Field("user_id", "unknown", "is no staff account")
			}
			return nil, err
		}
		if m.Valid {
			in.MemberID, in.UserID = m.Int64, 0
		}
	}
	switch {
	case in.MemberID == 0 && in.UserID == 0:
		return nil, apperr.Field("member_id", "required", "is required: the team member it is about (or user_id, a staff account)")
	case in.MemberID != 0 && in.UserID != 0:
		return nil, apperr.Field("user_id", "both", "goes without member_id")
	case in.MemberID != 0:
		s := &subject{memberID: in.MemberID, key: fmt.Sprintf("m:%d", in.MemberID)}
		err := q.QueryRowContext(ctx, `SELECT m.name, COALESCE(m.grid_id, 0), o.path FROM team_members m
			JOIN org_units o ON o.id = COALESCE(m.grid_id, m.community_id) WHERE m.id = ?`, in.MemberID).Scan(&s.name, &s.gridID, &s.path)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, apperr.Field("member_id", "unknown", "is no team member")
		}
		return s, err
	}
	if in.RequestID == 0 {
		return nil, apperr.Field("request_id", "required", "is required with user_id: the request the account handled")
	}
	s := &subject{userID: in.UserID, key: fmt.Sprintf("u:%d", in.UserID)}
	err := q.QueryRowContext(ctx, `SELECT COALESCE(NULLIF(u.display_name, ''), u.username), r.org_path, COALESCE(r.grid_id, 0)
		FROM users u, requests r WHERE u.id = ? AND r.id = ?`, in.UserID, in.RequestID).Scan(&s.name, &s.path, &s.gridID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.Field("request_id", "unknown", "is no request")
	}
	return s, err
}

// check validates what can be checked without the database.
func (in *Input) check(now time.Time) error {
	in.Body, in.FromName = strings.TrimSpace(in.Body), strings.TrimSpace(in.FromName)
	switch {
	case !validKind(in.Kind):
		return apperr.Field("kind", "one_of", "must be one of %s", strings.Join(Kinds, ", "))
	case !validSource(in.Source):
		return apperr.Field("source", "one_of", "must be one of %s", strings.Join(Sources, ", "))
	case in.Kind == Complaint && in.Body == "":
		return apperr.Field("body", "required", "is required: what the complaint is about")
	case len([]rune(in.Body)) > MaxBody:
		return apperr.Field("body", "too_long", "must be at most %d characters", MaxBody)
	case len([]rune(in.FromName)) > 50:
		return apperr.Field("from_name", "too_long", "must be at most %d characters", 50)
	case in.At != nil && calendar.CheckTime("at", *in.At) != nil:
		return calendar.CheckTime("at", *in.At)
	case in.At != nil && in.At.After(now.Add(5*time.Minute)):
		return apperr.Field("at", "future", "must not be in the future")
	case in.Source == FromVisit && in.VisitID == 0:
		return apperr.Field("visit_id", "required", "is required with source visit")
	case (in.Source == FromRating || in.Source == FromCallback) && in.RequestID == 0:
		return apperr.Field("request_id", "required", "is required with source %s", in.Source)
	}
	if err := apperr.Text("body", in.Body); err != nil {
		return err
	}
	return apperr.Text("from_name", in.FromName)
}

func validSource(s string) bool {
	for _, v := range Sources {
		if v == s {
			return true
		}
	}
	return false
}

// Record records feedback given to the office by hand (or with a request
// or visit in scope), about a member in scope; whom it is about out of
// scope answers like a member that does not exist.
func (s *Store) Record(ctx context.Context, actor household.Actor, in Input) (*Feedback, error) {
	if in.Source == "" {
		in.Source = FromOffice
	}
	var id int64
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		id, err = Add(ctx, tx, actor, in, s.now())
		if err != nil {
			return err
		}
		if _, err := get(ctx, tx, s.scope, id); err != nil {
			if errors.Is(err, apperr.ErrNotFound) {
				field := "member_id"
				if in.MemberID == 0 {
					field = "user_id"
				}
				return apperr.Field(field, "unknown", "is no team member")
			}
			return err
		}
		if err := s.inScope(ctx, tx, in); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, id)
}

// inScope checks that the request or visit in names is one the scope
// reaches (through the same org paths and grids).
func (s *Store) inScope(ctx context.Context, q store.Querier, in Input) error {
	if s.scope.All {
		return nil
	}
	check := func(field, query string, id int64) error {
		var path string
		var grid int64
		if err := q.QueryRowContext(ctx, query, id).Scan(&path, &grid); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return apperr.Field(field, "unknown", "does not exist")
			}
			return err
		}
		for _, p := range s.scope.Paths {
			if strings.HasPrefix(path, p) {
				return nil
			}
		}
		for _, g := range s.scope.GridIDs {
			if g == grid {
				return nil
			}
		}
		if s.scope.MemberID != 0 && field == "visit_id" {
			return nil // a visitor records the thanks of their own visits
		}
		return apperr.Field(field, "unknown", "does not exist")
	}
	if in.RequestID != 0 {
		if err := check("request_id", `SELECT org_path, COALESCE(grid_id, 0) FROM requests WHERE id = ?`, in.RequestID); err != nil {
			return err
		}
	}
	if in.VisitID != 0 {
		return check("visit_id", `SELECT o.path, h.grid_id FROM visits v JOIN households h ON h.id = v.household_id
			JOIN org_units o ON o.id = h.grid_id WHERE v.id = ?`, in.VisitID)
	}
	return nil
}

// Add inserts feedback in q, whatever the scope (the caller has checked
// it: a request's callback, a visit being saved), and returns its id. A
// complaint starts open.
func Add(ctx context.Context, q store.Querier, actor household.Actor, in Input, now time.Time) (int64, error) {
	now = now.UTC()
	if err := in.check(now); err != nil {
		return 0, err
	}
	sub, err := subjectOf(ctx, q, &in)
	if err != nil {
		return 0, err
	}
	at := now
	if in.At != nil {
		at = in.At.UTC()
	}
	status := ""
	if in.Kind == Complaint {
		status = Open
	}
	var id int64
	err = q.QueryRowContext(ctx, `INSERT INTO feedback(kind, team_member_id, user_id, subject_key, org_path, grid_id, body, from_name,
		source, request_id, visit_id, status, recorded_by, recorded_by_id, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		in.Kind, nullID(sub.memberID), nullID(sub.userID), sub.key, sub.path, nullID(sub.gridID), in.Body, in.FromName,
		in.Source, nullID(in.RequestID), nullID(in.VisitID), status, actor.Name, nullID(actor.ID), at).Scan(&id)
	if store.IsUniqueViolation(err) {
		return 0, ErrOnce
	}
	return id, err
}

// ErrOnce answers a second praise (or complaint) of one person on one
// request from the resident's page.
var ErrOnce = fmt.Errorf("already given for this request: %w", apperr.ErrConflict)

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
