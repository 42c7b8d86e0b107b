package audit

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"wanhu/internal/calendar"
	"wanhu/internal/notify"
	"wanhu/internal/secret"
	"wanhu/internal/store"
)

// Anchor pins the log at one moment: the id and hash of the head entry,
// when it was taken and how many entries the log held. Its JSON is
// {"id","hash","at","count"} (a contract: scripts rely on the names). Kept
// where whoever can write the database cannot reach it, it proves that
// nothing up to the head entry was changed, removed or re-chained since
// (CheckAnchor): the hash of an entry covers every entry before it.
type Anchor struct {
	ID    int64     `json:"id"`
	Hash  string    `json:"hash"`
	At    time.Time `json:"at"`
	Count int64     `json:"count"`
	day   string    // the China day of a scheduled anchor, or ""
	mac   string    // its signature as stored in the database
}

// sum returns the signature of a as stored, under the audit key.
func (a *Anchor) sum(keys *secret.Keyring) string {
	return mac(keys, canon("wanhu-audit-anchor-v2", strconv.FormatInt(a.ID, 10), a.Hash, stamp(a.At),
		strconv.FormatInt(a.Count, 10), a.day))
}

// signed reports whether a stored anchor carries its signature.
func (a *Anchor) signed(keys *secret.Keyring) bool { return macEqual(a.mac, a.sum(keys)) }

// Anchor takes an anchor of the log now, records it in the database and
// returns it. It keys the log first if no keyed Wanhu has written it yet,
// so the anchor is of the keyed chain.
func (l *Log) Anchor(ctx context.Context) (Anchor, error) {
	var a Anchor
	err := l.db.InTx(ctx, func(tx *store.Tx) error {
		now := l.now()
		keys, err := l.prepare(ctx, tx, now)
		if err != nil {
			return err
		}
		a, err = l.take(ctx, tx, keys, now, "")
		return err
	})
	return a, err
}

// AnchorDay takes the anchor of day (a China day, YYYY-MM-DD) unless one
// was taken already, by this server or another: the first to come takes
// it, under the lock of the chain. With send, the anchor also goes into
// the outbox for the anchor webhook (AnchorSender), in the same
// transaction. It reports whether it took the anchor.
func (l *Log) AnchorDay(ctx context.Context, day string, send bool) (Anchor, bool, error) {
	var a Anchor
	var made bool
	err := l.db.InTx(ctx, func(tx *store.Tx) error {
		now := l.now()
		keys, err := l.prepare(ctx, tx, now)
		if err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_anchors WHERE day = ?`, day).Scan(&n); err != nil {
			return fmt.Errorf("audit: anchors: %w", err)
		}
		if n > 0 {
			return nil
		}
		if a, err = l.take(ctx, tx, keys, now, day); err != nil {
			return err
		}
		made = true
		if !send {
			return nil
		}
		return notify.Enqueue(ctx, tx, notify.Message{Kind: AnchorKind, Channel: AnchorChannel, Recipient: "audit_log", Payload: a})
	})
	return a, made && err == nil, err
}

// take reads the head of the log and records the anchor of it, made at
// now; the caller holds the lock.
func (l *Log) take(ctx context.Context, tx *store.Tx, keys *secret.Keyring, now time.Time, day string) (Anchor, error) {
	a := Anchor{At: now.UTC().Truncate(time.Second), day: day}
	var err error
	if a.ID, a.Hash, err = head(ctx, tx); err != nil {
		return a, err
	}
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log`).Scan(&a.Count); err != nil {
		return a, fmt.Errorf("audit: count: %w", err)
	}
	a.mac = a.sum(keys)
	var d any
	if day != "" {
		d = day
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO audit_anchors(at, day, entry_id, hash, entry_count, mac) VALUES (?, ?, ?, ?, ?, ?)`,
		a.At, d, a.ID, a.Hash, a.Count, a.mac); err != nil {
		return a, fmt.Errorf("audit: record anchor: %w", err)
	}
	return a, nil
}

// judge says what is wrong with the log against a, given the last purge
// checkpoint, the id of the last entry and the entries found at anchored
// ids, or returns nil.
func (a *Anchor) judge(cp checkpoint, lastID int64, found map[int64]Record) *Break {
	when := a.At.In(calendar.China).Format(time.DateTime)
	switch {
	case a.ID < cp.ID:
		// Purged since: the signed checkpoint vouches for what went.
	case a.ID == cp.ID:
		if a.Hash != cp.Hash {
			return &Break{Record: Record{ID: cp.ID, At: cp.At, Action: "audit.purge"},
				Reason: fmt.Sprintf("the hash of the purge checkpoint is not the one anchored %s: the log was changed up to it and re-chained", when)}
		}
	case a.ID > lastID:
		return &Break{Record: Record{ID: lastID + 1},
			Reason: fmt.Sprintf("it is missing: the log ends at entry #%d, but the anchor made %s names entry #%d (of %d): the newest entries were deleted", lastID, when, a.ID, a.Count)}
	default:
		if r := found[a.ID]; r.Hash != a.Hash {
			return &Break{Record: r, Reason: fmt.Sprintf("its hash is not the one anchored %s: the log was changed up to here and re-chained", when)}
		}
	}
	return nil
}

const anchorColumns = `entry_id, hash, at, entry_count, COALESCE(day, ''), mac`

// newestAnchor returns the stored anchor of the highest entry, or nil.
func newestAnchor(ctx context.Context, q store.Querier) (*Anchor, error) {
	as, err := queryAnchors(ctx, q, ` ORDER BY entry_id DESC, id DESC LIMIT 1`)
	if err != nil || len(as) == 0 {
		return nil, err
	}
	return &as[0], nil
}

// storedAnchors returns every anchor stored in the database.
func storedAnchors(ctx context.Context, q store.Querier) ([]Anchor, error) {
	return queryAnchors(ctx, q, ` ORDER BY id`)
}

func queryAnchors(ctx context.Context, q store.Querier, tail string) ([]Anchor, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+anchorColumns+` FROM audit_anchors`+tail)
	if err != nil {
		return nil, fmt.Errorf("audit: anchors: %w", err)
	}
	defer rows.Close()
	var out []Anchor
	for rows.Next() {
		var a Anchor
		if err := rows.Scan(&a.ID, &a.Hash, &a.At, &a.Count, &a.day, &a.mac); err != nil {
			return nil, fmt.Errorf("audit: anchors: %w", err)
		}
		a.At = a.At.UTC()
		out = append(out, a)
	}
	return out, rows.Err()
}

// ReadAnchor reads an anchor as Anchor writes it as JSON, checking each
// field and naming the one that is wrong.
func ReadAnchor(r io.Reader) (Anchor, error) {
	var f struct {
		ID    *int64     `json:"id"`
		Hash  *string    `json:"hash"`
		At    *time.Time `json:"at"`
		Count *int64     `json:"count"`
	}
	if err := json.NewDecoder(io.LimitReader(r, 64<<10)).Decode(&f); err != nil {
		return Anchor{}, fmt.Errorf("anchor: not the JSON of an anchor ({\"id\",\"hash\",\"at\",\"count\"}): %w", err)
	}
	switch {
	case f.ID == nil || *f.ID < 0:
		return Anchor{}, errors.New("anchor: id: want the id of an entry, 0 or more")
	case f.Hash == nil || !isHash(*f.Hash) && (*f.Hash != "" || *f.ID != 0):
		return Anchor{}, errors.New("anchor: hash: want 64 hexadecimal digits")
	case f.At == nil || f.At.IsZero():
		return Anchor{}, errors.New("anchor: at: want the time the anchor was made")
	case f.Count == nil || *f.Count < 0:
		return Anchor{}, errors.New("anchor: count: want the number of entries, 0 or more")
	}
	return Anchor{ID: *f.ID, Hash: *f.Hash, At: f.At.UTC(), Count: *f.Count}, nil
}

// isHash reports whether s is a hex SHA-256 (or HMAC-SHA-256).
func isHash(s string) bool {
	b, err := hex.DecodeString(s)
	return err == nil && len(b) == 32
}
