package request

import (
	"context"
	"time"
	"wanhu/internal/calendar"
)

// Allowed lists the actions the state machine allows on r now (whether
// the user may do them is access's business).
func Allowed(r *Request) []string {
	var out []string
	for _, a := range []string{Accept, Decline, Merge, Progress, Resolve, HandBack, AskExtension, ApproveExtension, RefuseExtension, Callback, Arrive} {
		if legal(r, a) == nil {
			out = append(out, a)
		}
	}
	return out
}

// Board is the community board's figures over the requests in scope: the
// open ones now, and this month's (China time).
type Board struct {
	Submitted, Accepted, Resolved int // open, by state
	Overdue, DueToday             int // accepted ones
	// This month: submitted; resolved (a reopened request counts at its
	// last resolution), of which by the deadline; callbacks that closed a
	// request in the month, of which satisfied or basically satisfied.
	MonthSubmitted, MonthResolved, MonthOnTime int
	MonthCallbacks, MonthSatisfied             int
}

// Board counts the board's figures at now.
func (s *Store) Board(ctx context.Context) (*Board, error) {
	now := s.now().In(calendar.China)
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, calendar.China)
	month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, calendar.China)
	next := month.AddDate(0, 1, 0)
	cond, args := Where(s.scope)
	var b Board
	err := s.db.QueryRowContext(ctx, `SELECT
		COALESCE(SUM(CASE WHEN r.state = ? THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN r.state = ? THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN r.state = ? THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN r.state = ? AND r.due_at < ? THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN r.state = ? AND r.due_at >= ? AND r.due_at < ? THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN r.submitted_at >= ? AND r.submitted_at < ? THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN r.resolved_at >= ? AND r.resolved_at < ? THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN r.resolved_at >= ? AND r.resolved_at < ? AND r.resolved_at <= r.due_at THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN r.closed_at >= ? AND r.closed_at < ? AND r.callback_result <> '' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN r.closed_at >= ? AND r.closed_at < ? AND r.callback_result IN (?, ?) THEN 1 ELSE 0 END), 0)
		FROM requests r WHERE `+cond,
		append([]any{Submitted, Accepted, Resolved,
			Accepted, now.UTC(),
			Accepted, now.UTC(), day.AddDate(0, 0, 1).UTC(),
			month.UTC(), next.UTC(),
			month.UTC(), next.UTC(),
			month.UTC(), next.UTC(),
			month.UTC(), next.UTC(),
			month.UTC(), next.UTC(), Satisfied, BasicallySatisfied}, args...)...).Scan(
		&b.Submitted, &b.Accepted, &b.Resolved, &b.Overdue, &b.DueToday,
		&b.MonthSubmitted, &b.MonthResolved, &b.MonthOnTime, &b.MonthCallbacks, &b.MonthSatisfied)
	if err != nil {
		return nil, err
	}
	return &b, nil
}
