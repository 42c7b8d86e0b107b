// Package feedback is the thanks and complaints of residents about a named
// team member or staff account (issue 17): praise (表扬/感谢) and
// complaints (投诉), from a request's rating on the resident's page, a
// visit, a dissatisfied callback for attitude (态度) or the office by hand.
// A complaint is its own record and is followed up: open → looked into →
// closed with an outcome.
//
// It is a package of its own, not part of internal/staff, because the
// places feedback arrives from record it in their own transactions:
// internal/request (the resident's rating, the callback) and internal/visit
// (the household's thanks) import it, and internal/staff, which imports
// request, reads it for the scorecards. staff owns the evaluation; this
// package owns the records, their rules and their scope.
//
// Scope: a record belongs to the unit of whom it is about (their grid, or
// their community for a helper without one) or, for a staff account not
// on the team, to the request's unit. An administrator reaches their
// subtree, a grid leader their grids' records, a visitor those about
// themselves. What is out of scope answers apperr.ErrNotFound.
package feedback

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"wanhu/internal/org"
	"wanhu/internal/store"
)

// Kinds of feedback.
const (
	Praise    = "praise"    // 表扬/感谢
	Complaint = "complaint" // 投诉
)

// Sources of feedback: where it was given.
const (
	FromRating   = "rating"   // the resident's page, after rating a request
	FromVisit    = "visit"    // a visit record
	FromCallback = "callback" // a dissatisfied callback for attitude
	FromOffice   = "office"   // recorded by hand in the office
)

// Statuses of a complaint (praise has none).
const (
	Open       = "open"
	LookedInto = "looked_into"
	Closed     = "closed"
)

// Kinds, Sources and Statuses are the values in order.
var (
	Kinds    = []string{Praise, Complaint}
	Sources  = []string{FromRating, FromVisit, FromCallback, FromOffice}
	Statuses = []string{Open, LookedInto, Closed}
)

// MaxBody is the longest text of a record, in characters.
const MaxBody = 1000

// Feedback is one record of praise or complaint.
type Feedback struct {
	ID        int64      `json:"id"`
	Kind      string     `json:"kind"`
	MemberID  int64      `json:"member_id,omitempty"`
	UserID    int64      `json:"user_id,omitempty"` // a staff account not on the team
	Subject   string     `json:"subject"`           // the name of whom it is about
	GridID    int64      `json:"grid_id,omitempty"`
	Body      string     `json:"body"`
	FromName  string     `json:"from_name,omitempty"` // who gave it ("李奶奶"), when said
	Source    string     `json:"source"`
	RequestID int64      `json:"request_id,omitempty"`
	VisitID   int64      `json:"visit_id,omitempty"`
	Status    string     `json:"status,omitempty"` // complaints only
	Outcome   string     `json:"outcome,omitempty"`
	HandledBy string     `json:"handled_by,omitempty"`
	HandledAt *time.Time `json:"handled_at,omitempty"`
	// RecordedBy is the staff account that recorded it, or "居民" for the
	// resident's own page.
	RecordedBy string    `json:"recorded_by"`
	At         time.Time `json:"at"`
	Version    int       `json:"version"`
}

// Input is a new record. Exactly one of MemberID and UserID names whom it
// is about; a UserID that is linked to a team member is taken as the
// member. A staff account not on the team is named only with the request
// it handled (RequestID).
type Input struct {
	Kind      string     `json:"kind"`
	MemberID  int64      `json:"member_id"`
	UserID    int64      `json:"user_id"`
	Body      string     `json:"body"`
	FromName  string     `json:"from_name"`
	Source    string     `json:"source"`
	RequestID int64      `json:"request_id"`
	VisitID   int64      `json:"visit_id"`
	At        *time.Time `json:"at"`
}

// Store keeps feedback within a scope.
type Store struct {
	db    *store.DB
	scope org.Scope
	now   func() time.Time
}

// NewStore returns a Store that sees everything; faces serving users call
// In.
func NewStore(db *store.DB) *Store { return &Store{db: db, scope: org.Everything, now: time.Now} }

// In returns a Store limited to scope.
func (s *Store) In(scope org.Scope) *Store {
	c := *s
	c.scope = scope
	return &c
}

// SetClock replaces the clock, for tests and the demo.
func (s *Store) SetClock(now func() time.Time) { s.now = now }

// Where returns scope sc as an SQL condition on feedback f.
func Where(sc org.Scope) (string, []any) {
	if sc.All {
		return "1 = 1", nil
	}
	var or []string
	var args []any
	for _, p := range sc.Paths {
		or, args = append(or, "f.org_path LIKE ?"), append(args, p+"%")
	}
	if n := len(sc.GridIDs); n > 0 {
		or = append(or, "f.grid_id IN (?"+strings.Repeat(", ?", n-1)+")")
		for _, id := range sc.GridIDs {
			args = append(args, id)
		}
	}
	if sc.MemberID != 0 {
		or, args = append(or, "f.team_member_id = ?"), append(args, sc.MemberID)
	}
	if len(or) == 0 {
		return "1 = 0", nil
	}
	return "(" + strings.Join(or, " OR ") + ")", args
}

// columns are what scan reads, of feedback f.
const columns = `f.id, f.kind, COALESCE(f.team_member_id, 0), COALESCE(f.user_id, 0),
	COALESCE(m.name, NULLIF(u.display_name, ''), u.username, ''), COALESCE(f.grid_id, 0), f.body, f.from_name, f.source,
	COALESCE(f.request_id, 0), COALESCE(f.visit_id, 0), f.status, f.outcome, f.handled_by, f.handled_at, f.recorded_by, f.at, f.version
	FROM feedback f LEFT JOIN team_members m ON m.id = f.team_member_id LEFT JOIN users u ON u.id = f.user_id`

func scan(r interface{ Scan(...any) error }) (Feedback, error) {
	var f Feedback
	err := r.Scan(&f.ID, &f.Kind, &f.MemberID, &f.UserID, &f.Subject, &f.GridID, &f.Body, &f.FromName, &f.Source,
		&f.RequestID, &f.VisitID, &f.Status, &f.Outcome, &f.HandledBy, &f.HandledAt, &f.RecordedBy, &f.At, &f.Version)
	f.At = f.At.UTC()
	if f.HandledAt != nil {
		t := f.HandledAt.UTC()
		f.HandledAt = &t
	}
	return f, err
}

// Filter narrows a list.
type Filter struct {
	Kind, Status, Source string
	MemberID, UserID     int64
	RequestID, VisitID   int64
	From, To             time.Time // At from From (inclusive) to To (exclusive) when set
	Limit                int       // 0: 200
}

// List returns the feedback in scope that matches f, the latest first.
func (s *Store) List(ctx context.Context, f Filter) ([]Feedback, error) {
	return list(ctx, s.db, s.scope, f)
}

// list is List in q.
func list(ctx context.Context, q store.Querier, sc org.Scope, f Filter) ([]Feedback, error) {
	cond, args := Where(sc)
	add := func(c string, v any) { cond, args = cond+" AND "+c, append(args, v) }
	if f.Kind != "" {
		add("f.kind = ?", f.Kind)
	}
	if f.Status != "" {
		add("f.status = ?", f.Status)
	}
	if f.Source != "" {
		add("f.source = ?", f.Source)
	}
	if f.MemberID != 0 {
		add("f.team_member_id = ?", f.MemberID)
	}
	if f.UserID != 0 {
		add("f.user_id = ?", f.UserID)
	}
	if f.RequestID != 0 {
		add("f.request_id = ?", f.RequestID)
	}
	if f.VisitID != 0 {
		add("f.visit_id = ?", f.VisitID)
	}
	if !f.From.IsZero() {
		add("f.at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		add("f.at < ?", f.To.UTC())
	}
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 200
	}
	rows, err := q.QueryContext(ctx, `SELECT `+columns+` WHERE `+cond+fmt.Sprintf(` ORDER BY f.at DESC, f.id DESC LIMIT %d`, limit), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Feedback{}
	for rows.Next() {
		fb, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, fb)
	}
	return out, rows.Err()
}

// Get returns record id, or apperr.ErrNotFound when it does not exist or
// is out of scope.
func (s *Store) Get(ctx context.Context, id int64) (*Feedback, error) {
	return get(ctx, s.db, s.scope, id)
}

func get(ctx context.Context, q store.Querier, sc org.Scope, id int64) (*Feedback, error) {
	cond, args := Where(sc)
	f, err := scan(q.QueryRowContext(ctx, `SELECT `+columns+` WHERE f.id = ? AND `+cond, append([]any{id}, args...)...))
	if err != nil {
		return nil, notFound(err)
	}
	return &f, nil
}

// validKind reports whether k is a kind.
func validKind(k string) bool { return slices.Contains(Kinds, k) }

// Member is a team member feedback may be recorded about.
type Member struct {
	ID   int64
	Name string
}

// Members returns the active team members in scope sc, by name: those of
// the grids under an administrator's paths (and their community
// helpers), a grid leader's grids, or a visitor's own.
func Members(ctx context.Context, q store.Querier, sc org.Scope) ([]Member, error) {
	cond, args := Where(sc)
	cond = strings.NewReplacer("f.org_path", "o.path", "f.grid_id", "m.grid_id", "f.team_member_id", "m.id").Replace(cond)
	rows, err := q.QueryContext(ctx, `SELECT m.id, m.name FROM team_members m JOIN org_units o ON o.id = COALESCE(m.grid_id, m.community_id)
		WHERE m.active AND `+cond+` ORDER BY m.name, m.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Member{}
	for rows.Next() {
		var m Member
		if err := rows.Scan(&m.ID, &m.Name); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}
