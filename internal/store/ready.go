package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
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

// Unavailable reports whether err says the database could not be reached
// or dropped the connection (PostgreSQL restarting, the network between):
// a passing state, for a 503 with Retry-After rather than a 500. A query
// cancelled by a statement timeout is not one.
func Unavailable(err error) bool {
	if err == nil {
		return false
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return strings.HasPrefix(pg.Code, "57P") || strings.HasPrefix(pg.Code, "08")
	}
	var connect *pgconn.ConnectError
	var netErr net.Error
	return errors.As(err, &connect) || errors.As(err, &netErr) || errors.Is(err, pgconn.ErrConnClosed) ||
		errors.Is(err, driver.ErrBadConn) || errors.Is(err, io.ErrUnexpectedEOF)
}
