package audit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"wanhu/internal/store"
)

// ErrTooRecent is returned by Purge for a cut-off inside the retention
// period.
var ErrTooRecent = errors.New("audit: entries younger than the retention period may not be purged")

// Retention returns the configured retention in months, never less than
// DefaultRetentionMonths.
func (l *Log) Retention() int { return max(l.RetentionMonths, DefaultRetentionMonths) }

// Purge removes the entries older than before and returns how many it
// removed. It refuses a cut-off later than now minus the retention period.
// The chain stays verifiable: a checkpoint keeps the id and hash of the
// last entry removed, signed with the audit key so that no one without it
// can forge one to hide deleted entries; Verify starts from it, and the
// purge itself is appended to the log as "audit.purge" by "system".
func (l *Log) Purge(ctx context.Context, before time.Time) (int64, error) {
	limit := l.now().AddDate(0, -l.Retention(), 0)
	if before.After(limit) {
		return 0, fmt.Errorf("%w (%d months: the latest cut-off now is %s)", ErrTooRecent, l.Retention(), limit.UTC().Format("2006-01-02"))
	}
	before = before.UTC().Truncate(time.Microsecond)
	var n int64
	err := l.db.InTx(ctx, func(tx *store.Tx) error {
		cp := checkpoint{At: l.now().UTC().Truncate(time.Microsecond), Before: before}
		keys, err := l.prepare(ctx, tx, cp.At)
		if err != nil {
			return err
		}
		// The last entry older than the cut-off; everything up to it goes,
		// so the remaining chain is one piece.
		err = tx.QueryRowContext(ctx, `SELECT id, hash FROM audit_log WHERE at < ? ORDER BY id DESC LIMIT 1`, before).Scan(&cp.ID, &cp.Hash)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("audit: purge: %w", err)
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM audit_log WHERE id <= ?`, cp.ID)
		if err != nil {
			return fmt.Errorf("audit: purge: %w", err)
		}
		n, _ = res.RowsAffected()
		cp.Count = n
		if _, err := tx.ExecContext(ctx, `INSERT INTO audit_checkpoints(at, purged_before, purged_count, last_purged_id, last_purged_hash, mac)
			VALUES (?, ?, ?, ?, ?, ?)`, cp.At, cp.Before, cp.Count, cp.ID, cp.Hash, cp.sum(keys)); err != nil {
			return fmt.Errorf("audit: checkpoint: %w", err)
		}
		_, err = l.appendTx(ctx, tx, Entry{Username: "system", Action: "audit.purge", Object: "audit_log", Result: OK,
			Detail: fmt.Sprintf("purged %d entries before %s, up to #%d", n, before.Format(time.RFC3339), cp.ID)})
		return err
	})
	return n, err
}
