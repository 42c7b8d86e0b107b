package audit

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"wanhu/internal/calendar"
	"wanhu/internal/secret"
	"wanhu/internal/store"
)

// verifyBatch is how many entries Verify reads at a time.
const verifyBatch = 1000

// Break describes the first entry where the chain does not hold.
type Break struct {
	Record Record // the entry as stored (only its id, for one that is missing)
	Reason string // what is wrong with it
	// Anchored says the chain holds in itself but not against the anchor.
	Anchored bool
}

// Report is the outcome of walking the chain.
type Report struct {
	Checked int    // entries that verified before the break (all, when intact)
	Start   int64  // the id the walk started after: 0, or the last purged entry
	Break   *Break // nil when the chain is intact
	// Anchor is the anchor the log was held against: the one given, or
	// else the newest stored in the database; nil when there was none.
	Anchor *Anchor
	// AnchorPurged says the anchored entry has since been purged, so only
	// the signed checkpoint after it could be checked.
	AnchorPurged bool
}

// Verify walks the chain and returns how many entries it checked and the
// id of the first broken one (0 when the chain is intact): an entry whose
// fields no longer match its keyed hash, or whose previous hash is not the
// hash of the entry before it (a row was deleted or inserted), or that
// sits before the last purge checkpoint.
func (l *Log) Verify(ctx context.Context) (checked int, firstBad int64, err error) {
	rep, err := l.Check(ctx)
	if err != nil || rep.Break == nil {
		return rep.Checked, 0, err
	}
	return rep.Checked, rep.Break.Record.ID, nil
}

// Check is Verify with the broken entry and the reason, for messages. It
// also holds the log against the newest anchor stored in the database,
// which finds the newest entries deleted unless the anchors were deleted
// too; CheckAnchor holds it against one kept elsewhere.
func (l *Log) Check(ctx context.Context) (Report, error) { return l.check(ctx, nil) }

// CheckAnchor is Check that also proves that nothing up to the anchored
// entry was changed, removed or re-chained since a was made: the entry
// must still be there with the anchored hash (or, if a purge has removed
// it since, lie before a signed checkpoint).
func (l *Log) CheckAnchor(ctx context.Context, a Anchor) (Report, error) { return l.check(ctx, &a) }

func (l *Log) check(ctx context.Context, given *Anchor) (Report, error) {
	keys, err := keysOf(l.db)
	if err != nil {
		return Report{}, err
	}
	// The anchors and the checkpoint are read before the entries, so an
	// entry appended during the walk cannot look missing.
	stored, err := newestAnchor(ctx, l.db)
	if err != nil {
		return Report{}, err
	}
	cp, err := lastCheckpoint(ctx, l.db)
	if err != nil {
		return Report{}, err
	}
	rep := Report{Start: cp.ID}
	if cp.row != 0 && !macEqual(cp.Mac, cp.sum(keys)) {
		rep.Break = &Break{Record: Record{ID: cp.ID, At: cp.At, Action: "audit.purge"},
			Reason: "its purge checkpoint is not signed with the audit key: it was forged or changed, to hide the entries before it"}
		return rep, nil
	}
	anchors := []*Anchor{given}
	if stored != nil {
		if !stored.signed(keys) {
			rep.Break = &Break{Record: Record{ID: stored.ID},
				Reason: fmt.Sprintf("the anchor stored for it (made %s) is not signed with the audit key: it was forged or changed", stored.At.In(calendar.China).Format(time.DateTime))}
			return rep, nil
		}
		anchors = append(anchors, stored)
	}
	anchored := map[int64]Record{}
	prevID, prevHash := cp.ID, cp.Hash
	err = eachBatch(ctx, l.db, func(batch []Record) error {
		for _, r := range batch {
			if reason := judge(keys, r, prevID, prevHash, cp.ID); reason != "" {
				rep.Break = &Break{Record: r, Reason: reason}
				return errStop
			}
			rep.Checked++
			prevID, prevHash = r.ID, r.Hash
			for _, a := range anchors {
				if a != nil && a.ID == r.ID {
					anchored[r.ID] = r
				}
			}
		}
		return nil
	})
	if err != nil {
		return rep, ignoreStop(err)
	}
	for _, a := range anchors {
		if a == nil {
			continue
		}
		if rep.Break = a.judge(cp, prevID, anchored); rep.Break != nil {
			rep.Break.Anchored, rep.Anchor = true, a
			return rep, nil
		}
	}
	if rep.Anchor = given; given == nil {
		rep.Anchor = stored
	}
	rep.AnchorPurged = rep.Anchor != nil && rep.Anchor.ID < cp.ID
	return rep, nil
}

// judge says what is wrong with r given the entry before it, or "".
func judge(keys *secret.Keyring, r Record, prevID int64, prevHash string, checkpoint int64) string {
	switch {
	case r.ID <= checkpoint:
		return fmt.Sprintf("it lies before the purge checkpoint (entry #%d)", checkpoint)
	case r.PrevHash != prevHash && r.ID != prevID+1:
		return fmt.Sprintf("it does not follow entry #%d: an entry is missing before it", prevID)
	case r.PrevHash != prevHash:
		return fmt.Sprintf("its previous hash is not the hash of entry #%d", prevID)
	case !macEqual(r.Hash, r.keyedHash(keys)) && r.Hash == r.legacyHash():
		return "it is chained without the audit key (plain SHA-256): an older Wanhu wrote it and no keyed Wanhu has written the log since (the first one that does re-chains it), or someone without the key re-chained the log"
	case !macEqual(r.Hash, r.keyedHash(keys)):
		return "its fields do not match its hash: the entry was changed (or the key file is not the one the log was chained with)"
	case r.ID != prevID+1:
		return fmt.Sprintf("its id does not follow entry #%d", prevID)
	}
	return ""
}

// readBatch returns up to n entries with ids above after, in order.
func readBatch(ctx context.Context, q store.Querier, after int64, n int) ([]Record, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+recordColumns+` FROM audit_log WHERE id > ? ORDER BY id LIMIT ?`, after, n)
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
	recs, err := readBatch(ctx, l.db, id-1, 1)
	if err != nil {
		return Record{}, err
	}
	if len(recs) == 0 || recs[0].ID != id {
		return Record{}, fmt.Errorf("audit: no entry #%d", id)
	}
	return recs[0], nil
}

// checkpoint is the last entry a purge removed, and the purge.
type checkpoint struct {
	ID     int64  // the last entry removed
	Hash   string // its hash
	At     time.Time
	Before time.Time // the cut-off of the purge
	Count  int64     // how many entries it removed
	Mac    string    // the signature of the fields above under the audit key
	row    int64     // the id of the checkpoint row; 0 when there is none
}

// sum returns the signature of c under the audit key.
func (c checkpoint) sum(keys *secret.Keyring) string {
	return mac(keys, canon("wanhu-audit-checkpoint-v2", strconv.FormatInt(c.ID, 10), c.Hash,
		stamp(c.At), stamp(c.Before), strconv.FormatInt(c.Count, 10)))
}

const checkpointColumns = `id, last_purged_id, last_purged_hash, at, purged_before, purged_count, mac`

// lastCheckpoint returns the checkpoint of the last purge, or a zero one.
func lastCheckpoint(ctx context.Context, q store.Querier) (checkpoint, error) {
	cps, err := queryCheckpoints(ctx, q, ` ORDER BY last_purged_id DESC LIMIT 1`)
	if err != nil || len(cps) == 0 {
		return checkpoint{}, err
	}
	return cps[0], nil
}

// checkpoints returns every checkpoint.
func checkpoints(ctx context.Context, q store.Querier) ([]checkpoint, error) {
	return queryCheckpoints(ctx, q, ` ORDER BY id`)
}

func queryCheckpoints(ctx context.Context, q store.Querier, tail string) ([]checkpoint, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+checkpointColumns+` FROM audit_checkpoints`+tail)
	if err != nil {
		return nil, fmt.Errorf("audit: checkpoints: %w", err)
	}
	defer rows.Close()
	var out []checkpoint
	for rows.Next() {
		var c checkpoint
		if err := rows.Scan(&c.row, &c.ID, &c.Hash, &c.At, &c.Before, &c.Count, &c.Mac); err != nil {
			return nil, fmt.Errorf("audit: checkpoints: %w", err)
		}
		c.At, c.Before = c.At.UTC(), c.Before.UTC()
		out = append(out, c)
	}
	return out, rows.Err()
}
