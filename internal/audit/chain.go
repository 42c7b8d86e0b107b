package audit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"wanhu/internal/calendar"
	"wanhu/internal/secret"
	"wanhu/internal/store"
)

// ErrNoKey is returned when the log must be written or verified without
// the key file.
var ErrNoKey = errors.New("audit: the log is chained with the audit key of the key file: give --key-file (or WANHU_KEY_FILE)")

// keyedChain is the version audit_chain holds once the log is keyed.
const keyedChain = 2

// keysOf returns the keyring the chain is keyed with: that of q.
func keysOf(q store.Querier) (*secret.Keyring, error) {
	if k := store.KeysOf(q); k != nil {
		return k, nil
	}
	return nil, ErrNoKey
}

// rekeying is what keying an unkeyed log did.
type rekeying struct {
	entries     int    // entries re-chained under the key
	left        int    // entries left as they were: the old chain was broken there
	checkpoints int    // purge checkpoints signed
	refused     string // why the log was not re-chained, or ""
}

// prepare locks the chain inside tx and returns the keys to chain with.
// The first time it runs on a log that is not keyed yet (one written by an
// older Wanhu, or a new one), it keys it: every entry is re-chained under
// the key and audit_chain records that it was, in tx, so a crash leaves
// the log as it was and a second server waits on the lock and then finds
// it keyed. From then on only keyed entries verify, so no one can pass
// off rewritten entries as old ones. The re-chaining is itself recorded,
// as "audit.rekey", at now.
func (l *Log) prepare(ctx context.Context, tx *store.Tx, now time.Time) (*secret.Keyring, error) {
	keys, err := keysOf(tx)
	if err != nil {
		return nil, err
	}
	if err := lock(ctx, tx); err != nil {
		return nil, err
	}
	var version int
	err = tx.QueryRowContext(ctx, `SELECT version FROM audit_chain WHERE id = 1`).Scan(&version)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("audit: chain state: %w", err)
	}
	if version >= keyedChain {
		return keys, nil
	}
	rk, err := rekey(ctx, tx, keys)
	if err != nil {
		return nil, err
	}
	now = now.UTC().Truncate(time.Microsecond)
	if _, err := tx.ExecContext(ctx, `INSERT INTO audit_chain(id, version, keyed_at, rekeyed) VALUES (1, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET version = excluded.version, keyed_at = excluded.keyed_at, rekeyed = excluded.rekeyed`,
		keyedChain, now, rk.entries); err != nil {
		return nil, fmt.Errorf("audit: chain state: %w", err)
	}
	if e, ok := rk.entry(); ok {
		rec, err := clean(e)
		if err != nil {
			return nil, err
		}
		if _, err := l.insert(ctx, tx, keys, rec, now); err != nil {
			return nil, err
		}
	}
	return keys, nil
}

// Key keys the log if no keyed Wanhu has written it yet (see prepare).
// Servers call it at start, so that re-chaining a large log happens before
// any request waits for it.
func (l *Log) Key(ctx context.Context) error {
	return l.db.InTx(ctx, func(tx *store.Tx) error {
		_, err := l.prepare(ctx, tx, l.now())
		return err
	})
}

// entry is the "audit.rekey" entry that tells what rekey did, if it did
// anything.
func (rk rekeying) entry() (Entry, bool) {
	e := Entry{Username: "system", Action: "audit.rekey", Object: "audit_log", Result: OK}
	switch {
	case rk.refused != "":
		e.Result = Error
		e.Detail = "the log was marked as never keyed, but " + rk.refused + ": it was not re-chained; run wanhu audit verify"
	case rk.entries+rk.left+rk.checkpoints == 0:
		return e, false
	default:
		e.Detail = fmt.Sprintf("re-chained %d entries under the audit key (HMAC-SHA-256) and signed %d purge checkpoints", rk.entries, rk.checkpoints)
		if rk.left > 0 {
			e.Result = Error
			e.Detail += fmt.Sprintf("; left %d entries as they were, because the old chain was already broken there", rk.left)
		}
	}
	return e, true
}

// rekey re-chains the log under the key, in tx: each entry that holds in
// the old chain (plain SHA-256, linked to the entry before it) gets the
// keyed hash of its fields and of the new hash before it. An entry that
// does not hold is left exactly as it is, so Verify still finds the break
// where it was. It re-chains nothing when any entry, checkpoint or anchor
// is keyed already: the log was keyed before and someone made it look
// unkeyed, and re-chaining would bless what they wrote.
func rekey(ctx context.Context, tx *store.Tx, keys *secret.Keyring) (rekeying, error) {
	var rk rekeying
	why, err := keyedEvidence(ctx, tx, keys)
	if err != nil || why != "" {
		rk.refused = why
		return rk, err
	}
	cp, err := lastCheckpoint(ctx, tx)
	if err != nil {
		return rk, err
	}
	oldID, oldHash, newHash := cp.ID, cp.Hash, cp.Hash
	err = eachBatch(ctx, tx, func(batch []Record) error {
		var changed []Record
		for _, r := range batch {
			holds := r.ID > cp.ID && r.ID == oldID+1 && r.PrevHash == oldHash && r.Hash == r.legacyHash()
			oldID, oldHash = r.ID, r.Hash
			if !holds {
				rk.left++
				newHash = r.Hash
				continue
			}
			r.PrevHash = newHash
			r.Hash = r.keyedHash(keys)
			changed = append(changed, r)
			newHash = r.Hash
		}
		rk.entries += len(changed)
		return storeHashes(ctx, tx, changed)
	})
	if err != nil {
		return rk, err
	}
	cps, err := checkpoints(ctx, tx)
	if err != nil {
		return rk, err
	}
	for _, c := range cps {
		if _, err := tx.ExecContext(ctx, `UPDATE audit_checkpoints SET mac = ? WHERE id = ?`, c.sum(keys), c.row); err != nil {
			return rk, fmt.Errorf("audit: sign checkpoint: %w", err)
		}
		rk.checkpoints++
	}
	return rk, nil
}

// storeHashes writes the new hashes of recs in one statement.
func storeHashes(ctx context.Context, tx *store.Tx, recs []Record) error {
	if len(recs) == 0 {
		return nil
	}
	values := make([]string, len(recs))
	args := make([]any, 0, 3*len(recs))
	for i, r := range recs {
		values[i] = "(CAST(? AS BIGINT), ?, ?)"
		args = append(args, r.ID, r.PrevHash, r.Hash)
	}
	_, err := tx.ExecContext(ctx, `WITH v(id, prev_hash, hash) AS (VALUES `+strings.Join(values, ", ")+`)
		UPDATE audit_log SET prev_hash = v.prev_hash, hash = v.hash FROM v WHERE audit_log.id = v.id`, args...)
	if err != nil {
		return fmt.Errorf("audit: re-chain #%d to #%d: %w", recs[0].ID, recs[len(recs)-1].ID, err)
	}
	return nil
}

// keyedEvidence names the first entry, checkpoint or anchor that the key
// signed, or returns "".
func keyedEvidence(ctx context.Context, tx *store.Tx, keys *secret.Keyring) (string, error) {
	var why string
	err := eachBatch(ctx, tx, func(batch []Record) error {
		for _, r := range batch {
			if macEqual(r.Hash, r.keyedHash(keys)) {
				why = fmt.Sprintf("entry #%d is keyed", r.ID)
				return errStop
			}
		}
		return nil
	})
	if err = ignoreStop(err); err != nil || why != "" {
		return why, err
	}
	cps, err := checkpoints(ctx, tx)
	if err != nil {
		return "", err
	}
	for _, c := range cps {
		if c.Mac != "" && macEqual(c.Mac, c.sum(keys)) {
			return fmt.Sprintf("the purge checkpoint at entry #%d is signed", c.ID), nil
		}
	}
	anchors, err := storedAnchors(ctx, tx)
	if err != nil {
		return "", err
	}
	for _, a := range anchors {
		if a.signed(keys) {
			return fmt.Sprintf("the anchor of entry #%d made %s is signed", a.ID, a.At.In(calendar.China).Format(time.DateTime)), nil
		}
	}
	return "", nil
}

// errStop ends a walk early.
var errStop = errors.New("stop")

// ignoreStop returns err unless it is errStop.
func ignoreStop(err error) error {
	if errors.Is(err, errStop) {
		return nil
	}
	return err
}

// eachBatch calls fn with every entry of the log through q, in order of
// id, verifyBatch at a time.
func eachBatch(ctx context.Context, q store.Querier, fn func([]Record) error) error {
	after := int64(-1 << 63)
	for {
		batch, err := readBatch(ctx, q, after, verifyBatch)
		if err != nil {
			return err
		}
		if err := fn(batch); err != nil {
			return err
		}
		if len(batch) < verifyBatch {
			return nil
		}
		after = batch[len(batch)-1].ID
	}
}
