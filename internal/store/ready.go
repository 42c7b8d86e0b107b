package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// NotReady is why the database cannot serve requests now, for /readyz.
type NotReady struct {
	// Reason is short and safe to show to anyone: no address, user or
	// password ("database unreachable").
	Reason string
	Err    error
}

func (e *NotReady) Error() string { return e.Reason + ": " + e.Err.Error() }
func (e *NotReady) Unwrap() error { return e.Err }

// Ready checks, within ctx, that the database answers and its schema is
// migrated (the tags the migrations write are there). It returns nil or a
// *NotReady.
func (db *DB) Ready(ctx context.Context) error {
	var one int
	err := db.QueryRowContext(ctx, `SELECT 1 FROM tags LIMIT 1`).Scan(&one)
	if err == nil {
		return nil
	}
	return &NotReady{Reason: db.notReadyReason(ctx, err), Err: err}
}

func (db *DB) notReadyReason(ctx context.Context, err error) string {
	var pg *pgconn.PgError
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "database schema not set up (no tags)"
	case ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded):
		return "database did not answer in time"
	case errors.As(err, &pg) && pg.Code == "42P01", strings.Contains(err.Error(), "no such table"):
		return "database schema not migrated"
	case errors.As(err, &pg) && strings.HasPrefix(pg.Code, "57"):
		return "database shutting down or starting up"
	case errors.As(err, &pg):
		return "database error " + pg.Code
	case db.dialect == Postgres:
		return "database unreachable"
	}
	return "database error"
}
