// Package audit is the append-only log of who saw or changed what: logins,
// unmasked views, exports, writes, permission changes and key rotation.
//
// Each entry carries the HMAC-SHA-256, under the audit key of the key file
// (never stored in the database), of its own fields and of the previous
// entry's hash. So editing, deleting or inserting a row breaks the chain at
// that row, Verify names it, and someone who can write the database but
// lacks the key cannot compute a chain that verifies. Deleting the newest
// entries leaves a shorter chain that still holds; an anchor (the head
// entry's id and hash, kept off the database's machine) finds that too.
// Appends are serialized: SQLite has one writer (transactions begin
// IMMEDIATE), PostgreSQL takes an advisory transaction lock, so several
// servers append to one chain. Entries recorded at the same moment are
// committed together, in order of arrival (see Record).
package audit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"wanhu/internal/pii"
	"wanhu/internal/secret"
	"wanhu/internal/store"
)

// Results of an action.
const (
	OK     = "ok"
	Denied = "denied"
	Error  = "error"
)

// Entry is one audit record. Action is a dotted verb like "login.success",
// "login.failure", "reveal.id_number", "export.csv", "request.resolve",
// "visit.record", "key.rotate", or "write" for a change no domain named
// (see Describe and Actions). Object names the thing, e.g. "person:97",
// "household:42", "request:7", "user:leader3". Result is "ok", "denied" or "error". Detail is free text
// without personal data.
type Entry struct {
	UserID                                             int64
	Username, Role, IP, Action, Object, Result, Detail string
}

// Record is an entry as stored: with its id, time and place in the chain.
type Record struct {
	ID       int64     `json:"id"`
	At       time.Time `json:"at"`
	UserID   int64     `json:"user_id"`
	Username string    `json:"username"`
	Role     string    `json:"role"`
	IP       string    `json:"ip"`
	Action   string    `json:"action"`
	Object   string    `json:"object"`
	Result   string    `json:"result"`
	Detail   string    `json:"detail"`
	PrevHash string    `json:"prev_hash"`
	Hash     string    `json:"hash"`
}

// DefaultRetentionMonths is the shortest time entries are kept: six months
// (Cybersecurity Law Art. 21). It is also the minimum.
const DefaultRetentionMonths = 6

// Log appends to and reads the audit log.
type Log struct {
	db *store.DB
	// RetentionMonths is how long entries are kept before Purge may remove
	// them; values below DefaultRetentionMonths count as the default.
	RetentionMonths int
	now             func() time.Time
	group           *group
	// beforeInsert, when set (by tests), runs before each entry is
	// stored and fails it with its error.
	beforeInsert func(Record) error
}

// New returns the audit log kept in db.
func New(db *store.DB) *Log {
	return &Log{db: db, RetentionMonths: DefaultRetentionMonths, now: time.Now, group: &group{}}
}

// SetClock replaces the clock, for tests.
func (l *Log) SetClock(now func() time.Time) { l.now = now }

// lockKey is the PostgreSQL advisory lock that serializes appends ("audit").
const lockKey = 0x6175646974c6f67

// Record appends e to the log and returns once the entry is committed. A
// nil Log records nothing, so tools that run without one need no special
// case. Within a transaction joined to ctx (store.WithTx), e is appended
// in it, and kept only if it commits.
//
// Entries recorded at the same moment commit together (group commit):
// the first caller that finds no batch being written writes every entry
// waiting at that moment in one transaction, one fsync on SQLite and one
// advisory lock on PostgreSQL, in the order they arrived; the callers that
// arrived meanwhile wait for that commit, and the first of them writes the
// next batch. So each caller still returns only after its own entry is
// durable (an acknowledged request's entry is never lost), and a burst of
// N requests costs a few commits instead of N. When a batch cannot be
// committed, its entries are tried again one by one, so an entry that
// cannot be stored fails its own caller and no one else's.
func (l *Log) Record(ctx context.Context, e Entry) error {
	if l == nil {
		return nil
	}
	if tx := store.TxOf(ctx); tx != nil {
		return l.RecordTx(ctx, tx, e)
	}
	rec, err := clean(e)
	if err != nil {
		return err
	}
	w := &waiting{rec: rec, wake: make(chan bool, 1)}
	g := l.group
	g.mu.Lock()
	// The time is taken in the order of arrival, which is the order of ids.
	w.at = l.now().UTC().Truncate(time.Microsecond)
	g.pending = append(g.pending, w)
	lead := !g.busy
	g.busy = true
	g.mu.Unlock()
	if !lead && !<-w.wake {
		return w.err // another caller committed it
	}
	g.mu.Lock()
	batch := g.pending
	g.pending = nil
	g.mu.Unlock()
	defer l.handOff(batch, w)
	// The batch holds other callers' entries: one caller giving up (a
	// client hanging up) must not fail theirs.
	l.commit(context.WithoutCancel(ctx), batch)
	return w.err
}

// handOff ends the writing of batch by w's caller: the first entry that
// arrived meanwhile writes the next batch, and the other callers of batch
// learn their outcome. It runs even if the commit panicked, so no caller
// waits forever.
func (l *Log) handOff(batch []*waiting, w *waiting) {
	g := l.group
	g.mu.Lock()
	g.batches++
	if len(g.pending) > 0 {
		g.pending[0].wake <- true
	} else {
		g.busy = false
	}
	g.mu.Unlock()
	for _, o := range batch {
		if o != w {
			if o.err == nil && !o.done {
				o.err = errors.New("audit: the batch was not committed")
			}
			o.wake <- false
		}
	}
}

// group gathers the entries that wait to be committed (see Record).
type group struct {
	mu      sync.Mutex
	pending []*waiting // in order of arrival
	busy    bool       // a caller is writing a batch
	batches int64      // batches written, for tests
}

// waiting is an entry waiting for its batch to commit.
type waiting struct {
	rec  Record
	at   time.Time
	err  error     // the outcome, set before wake is sent false
	done bool      // err is the outcome of a commit
	wake chan bool // true: write the next batch; false: done
}

// commit appends batch in one transaction and sets each entry's outcome.
// When the transaction fails, each entry is tried again alone.
func (l *Log) commit(ctx context.Context, batch []*waiting) {
	err := l.db.InTx(ctx, func(tx *store.Tx) error {
		keys, err := l.prepare(ctx, tx, batch[0].at)
		if err != nil {
			return err
		}
		lastID, lastHash, err := head(ctx, tx)
		if err != nil {
			return err
		}
		for _, w := range batch {
			rec, err := l.chain(ctx, tx, keys, w.rec, w.at, lastID, lastHash)
			if err != nil {
				return err
			}
			lastID, lastHash = rec.ID, rec.Hash
		}
		return nil
	})
	if err == nil || len(batch) == 1 {
		for _, w := range batch {
			w.err, w.done = err, true
		}
		return
	}
	for _, w := range batch {
		l.commit(ctx, []*waiting{w})
	}
}

// appendTx appends e inside tx, which it first locks against other
// appenders (and keys, see prepare).
func (l *Log) appendTx(ctx context.Context, tx *store.Tx, e Entry) (Record, error) {
	rec, err := clean(e)
	if err != nil {
		return rec, err
	}
	at := l.now().UTC().Truncate(time.Microsecond)
	keys, err := l.prepare(ctx, tx, at)
	if err != nil {
		return rec, err
	}
	return l.insert(ctx, tx, keys, rec, at)
}

// insert chains rec, made at at, to the head of the log and stores it;
// the caller holds the lock.
func (l *Log) insert(ctx context.Context, tx *store.Tx, keys *secret.Keyring, rec Record, at time.Time) (Record, error) {
	lastID, lastHash, err := head(ctx, tx)
	if err != nil {
		return rec, err
	}
	return l.chain(ctx, tx, keys, rec, at, lastID, lastHash)
}

// chain stores rec, made at at, as the entry after lastID, whose hash is
// lastHash; the caller holds the lock.
func (l *Log) chain(ctx context.Context, tx *store.Tx, keys *secret.Keyring, rec Record, at time.Time, lastID int64, lastHash string) (Record, error) {
	if l.beforeInsert != nil {
		if err := l.beforeInsert(rec); err != nil {
			return rec, fmt.Errorf("audit: append %s: %w", rec.Action, err)
		}
	}
	rec.ID, rec.PrevHash = lastID+1, lastHash
	rec.At = at.UTC().Truncate(time.Microsecond)
	rec.Hash = rec.keyedHash(keys)
	_, err := tx.ExecContext(ctx, `INSERT INTO audit_log(id, at, user_id, username, role, ip, action, object, result, detail, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		rec.ID, rec.At, rec.UserID, rec.Username, rec.Role, rec.IP, rec.Action, rec.Object, rec.Result, rec.Detail, rec.PrevHash, rec.Hash)
	if err != nil {
		return rec, fmt.Errorf("audit: append %s: %w", rec.Action, err)
	}
	return rec, nil
}

// lock takes the PostgreSQL advisory lock that serializes the writers of
// the chain, until tx ends; a SQLite transaction holds the write lock
// already.
func lock(ctx context.Context, tx *store.Tx) error {
	if tx.Dialect() != store.Postgres {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(?)`, int64(lockKey)); err != nil {
		return fmt.Errorf("audit: lock: %w", err)
	}
	return nil
}

// head returns the id and hash the next entry chains to: the last entry,
// or the last purge checkpoint when every entry has been purged.
func head(ctx context.Context, q store.Querier) (int64, string, error) {
	var id int64
	var hash string
	err := q.QueryRowContext(ctx, `SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1`).Scan(&id, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		cp, err := lastCheckpoint(ctx, q)
		return cp.ID, cp.Hash, err
	}
	if err != nil {
		return 0, "", fmt.Errorf("audit: last entry: %w", err)
	}
	return id, hash, nil
}

// clean checks e and makes it fit to store: a known result, short fields,
// and anything that looks like an ID or phone number masked.
func clean(e Entry) (Record, error) {
	r := Record{UserID: e.UserID, Username: short(e.Username, 100), Role: short(e.Role, 200), IP: short(e.IP, 64),
		Action: short(e.Action, 100), Object: short(e.Object, 200), Result: e.Result, Detail: short(e.Detail, 1000)}
	if r.Result == "" {
		r.Result = OK
	}
	if r.Result != OK && r.Result != Denied && r.Result != Error {
		return r, fmt.Errorf("audit: result %q is not ok, denied or error", e.Result)
	}
	if strings.TrimSpace(r.Action) == "" {
		return r, errors.New("audit: an entry needs an action")
	}
	r.Username, r.Object, r.Detail = pii.Redact(r.Username), pii.Redact(r.Object), pii.Redact(r.Detail)
	return r, nil
}

// short cuts s to at most n runes and makes it valid UTF-8.
func short(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// RecordTx appends e inside tx, for a caller that must record in the same
// transaction as its change (on SQLite, a second transaction would wait
// for the first). The entry is kept only if tx commits.
func (l *Log) RecordTx(ctx context.Context, tx *store.Tx, e Entry) error {
	if l == nil {
		return nil
	}
	_, err := l.appendTx(ctx, tx, e)
	return err
}
