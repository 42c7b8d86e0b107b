package audit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"wanhu/internal/store"
)

// verifyBatch is how many entries Verify reads at a time.
const verifyBatch = 1000

// Break describes the first entry where the chain does not hold.
type Break struct {
	Record Record // the entry as stored
	Reason string // what is wrong with it
}

// Report is the outcome of walking the chain.
type Report struct {
	Checked int    // entries that verified before the break (all, when intact)
	Start   int64  // the id the walk started after: 0, or the last purged entry
	Break   *Break // nil when the chain is intact
}

// Verify walks the chain and returns how many entries it checked and the
// id of the first broken one (0 when the chain is intact): an entry whose
// fields no longer match its hash, or whose previous hash is not the hash
// of the entry before it (a row was deleted or inserted), or that sits
// before the last purge checkpoint.
func (l *Log) Verify(ctx context.Context) (checked int, firstBad int64, err error) {
	rep, err := l.Check(ctx)
	if err != nil || rep.Break == nil {
		return rep.Checked, 0, err
	}
	return rep.Checked, rep.Break.Record.ID, nil
}

// Check is Verify with the broken entry and the reason, for messages.
func (l *Log) Check(ctx context.Context) (Report, error) {
	cp, err := lastCheckpoint(ctx, l.db)
	if err != nil {
		return Report{}, err
	}
	rep := Report{Start: cp.ID}
	prevID, prevHash := cp.ID, cp.Hash
	after := int64(-1 << 63)
	for {
		batch, err := l.batch(ctx, after, verifyBatch)
		if err != nil {
			return rep, err
		}
		for _, r := range batch {
			if reason := judge(r, prevID, prevHash, cp.ID); reason != "" {
				rep.Break = &Break{Record: r, Reason: reason}
				return rep, nil
			}
			rep.Checked++
			prevID, prevHash = r.ID, r.Hash
		}
		if len(batch) < verifyBatch {
			return rep, nil
		}
		after = batch[len(batch)-1].ID
	}
}

// judge says what is wrong with r given the entry before it, or "".
func judge(r Record, prevID int64, prevHash string, checkpoint int64) string {
	switch {
	case r.ID <= checkpoint:
		return fmt.Sprintf("it lies before the purge checkpoint (entry #%d)", checkpoint)
	case r.PrevHash != prevHash && r.ID != prevID+1:
		return fmt.Sprintf("it does not follow entry #%d: an entry is missing before it", prevID)
	case r.PrevHash != prevHash:
		return fmt.Sprintf("its previous hash is not the hash of entry #%d", prevID)
	case r.computeHash() != r.Hash:
		return "its fields do not match its hash: the entry was changed"
	case r.ID != prevID+1:
		return fmt.Sprintf("its id does not follow entry #%d", prevID)
	}
	return ""
}

// batch returns up to n entries with ids above after, in order.
func (l *Log) batch(ctx context.Context, after int64, n int) ([]Record, error) {
	rows, err := l.db.QueryContext(ctx, `SELECT `+recordColumns+` FROM audit_log WHERE id > ? ORDER BY id LIMIT ?`, after, n)
	if err != nil {
		return nil, fmt.Errorf("audit: read: %w", err)
	}
	return scanRecords(rows)
}

const recordColumns = `id, at, user_id, username, role, ip, action, object, result, detail, prev_hash, hash`

func scanRecords(rows *sql.Rows) ([]Record, error) {
	defer rows.Close()
	var out []Record
	for rows.Next() {
		var r Record
		if err := rows.Scan(&r.ID, &r.At, &r.UserID, &r.Username, &r.Role, &r.IP, &r.Action, &r.Object,
			&r.Result, &r.Detail, &r.PrevHash, &r.Hash); err != nil {
			return nil, fmt.Errorf("audit: read: %w", err)
		}
		r.At = r.At.UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}

// ByID returns one entry.
func (l *Log) ByID(ctx context.Context, id int64) (Record, error) {
	recs, err := l.batch(ctx, id-1, 1)
	if err != nil {
		return Record{}, err
	}
	if len(recs) == 0 || recs[0].ID != id {
		return Record{}, fmt.Errorf("audit: no entry #%d", id)
	}
	return recs[0], nil
}

// checkpoint is the last entry a purge removed.
type checkpoint struct {
	ID   int64
	Hash string
	At   time.Time
}

func lastCheckpoint(ctx context.Context, q store.Querier) (checkpoint, error) {
	var cp checkpoint
	err := q.QueryRowContext(ctx, `SELECT last_purged_id, last_purged_hash, at FROM audit_checkpoints
		ORDER BY last_purged_id DESC LIMIT 1`).Scan(&cp.ID, &cp.Hash, &cp.At)
	if errors.Is(err, sql.ErrNoRows) {
		return checkpoint{}, nil
	}
	if err != nil {
		return cp, fmt.Errorf("audit: last checkpoint: %w", err)
	}
	return cp, nil
}
