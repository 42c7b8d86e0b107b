package notify

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"wanhu/internal/store"
)

// Backlog is what waits in the outbox at a moment: for the metrics of a
// server (the senders falling behind, a provider down).
type Backlog struct {
	Pending int // messages not yet sent, due or not
	Due     int // pending messages whose time to be sent (or retried) has come
	// OldestDue is when the longest-waiting due message became due; zero
	// when none is due.
	OldestDue time.Time
}

// BacklogAt returns the outbox's backlog at now. Every server sharing the
// database sees the same.
func BacklogAt(ctx context.Context, q store.Querier, now time.Time) (Backlog, error) {
	var b Backlog
	now = now.UTC()
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN next_attempt_at <= ? THEN 1 ELSE 0 END), 0)
		FROM outbox WHERE state = 'pending'`, now).Scan(&b.Pending, &b.Due); err != nil {
		return b, err
	}
	err := q.QueryRowContext(ctx, `SELECT next_attempt_at FROM outbox WHERE state = 'pending' AND next_attempt_at <= ?
		ORDER BY next_attempt_at LIMIT 1`, now).Scan(&b.OldestDue)
	if errors.Is(err, sql.ErrNoRows) {
		err = nil
	}
	return b, err
}
