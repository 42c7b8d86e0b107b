package store

import (
	"context"
	"database/sql"
	"errors"

	"wanhu/internal/apperr"
)

// Stale answers an update of row id of table that changed nothing because
// the row's version moved on: an *apperr.Stale holding the version now,
// apperr.ErrNotFound when the row is gone, or the read's own error. table
// is the caller's constant, never input.
func Stale(ctx context.Context, q Querier, table string, id int64) error {
	var v int
	err := q.QueryRowContext(ctx, "SELECT version FROM "+table+" WHERE id = ?", id).Scan(&v)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return apperr.ErrNotFound
	case err != nil:
		return err
	}
	return &apperr.Stale{Current: v}
}
