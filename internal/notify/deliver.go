package notify

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/store"
)

// Delivery is a claimed message handed to a sender.
type Delivery struct {
	ID        int64
	Kind      string
	Channel   string
	Recipient string
	Payload   json.RawMessage
	Attempt   int // 1 for the first attempt
	CreatedAt time.Time
}

// ErrLoggedOnly is what a sender answers for a message it only wrote to
// the log because no provider is configured (LogGateway): the message is
// then "logged", not sent, and no attempt follows unless an administrator
// retries it.
var ErrLoggedOnly = errors.New("logged only, not sent: no provider is configured")

// Sender delivers the messages of one channel.
type Sender interface {
	Channel() string
	Send(ctx context.Context, d Delivery) error
}

// Options tune the sender loop; zero values take the defaults.
type Options struct {
	Batch       int             // messages claimed at a time (10)
	Interval    time.Duration   // how often Run looks for due messages (15 s)
	MaxAttempts int             // attempts before a message is failed (6)
	Backoff     []time.Duration // wait after the n-th failure; the last repeats (DefaultBackoff)
	// Lease is how long a claimed message stays with its claimer before
	// another loop may take it again (a server that died while sending);
	// it is far longer than a sender's HTTP timeout (10 min).
	Lease time.Duration
	Now   func() time.Time
	Log   *slog.Logger
}

// DefaultBackoff waits 1 min, 5 min, 30 min, 2 h, then 6 h between attempts.
var DefaultBackoff = []time.Duration{time.Minute, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 6 * time.Hour}

func (o Options) withDefaults() Options {
	if o.Batch <= 0 {
		o.Batch = 10
	}
	if o.Interval <= 0 {
		o.Interval = 15 * time.Second
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 6
	}
	if len(o.Backoff) == 0 {
		o.Backoff = DefaultBackoff
	}
	if o.Lease <= 0 {
		o.Lease = 10 * time.Minute
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return o
}

// Run delivers due messages through senders until ctx ends, looking every
// opts.Interval. Several servers may run it on one database: each message
// is claimed by one loop at a time.
func Run(ctx context.Context, db *store.DB, senders []Sender, opts Options) {
	opts = opts.withDefaults()
	var channels []string
	for _, s := range senders {
		channels = append(channels, s.Channel())
	}
	opts.Log.Info("notify: sending", "channels", channels)
	t := time.NewTicker(opts.Interval)
	defer t.Stop()
	for {
		if _, err := Deliver(ctx, db, senders, opts); err != nil && ctx.Err() == nil {
			opts.Log.Error("notify: delivering", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Deliver sends the messages due now, batch by batch, until none is left,
// and returns how many were sent. Messages of channels without a sender
// stay pending.
func Deliver(ctx context.Context, db *store.DB, senders []Sender, opts Options) (int, error) {
	opts = opts.withDefaults()
	by := map[string]Sender{}
	for _, s := range senders {
		by[s.Channel()] = s
	}
	if len(by) == 0 {
		return 0, nil
	}
	sent := 0
	for ctx.Err() == nil {
		batch, err := claim(ctx, db, by, opts)
		if err != nil || len(batch) == 0 {
			return sent, err
		}
		for i, d := range batch {
			if ctx.Err() != nil {
				// Shutting down: give back the rest of the claim, not
				// begun, for another server to send now.
				return sent, release(db, batch[i:], true, opts)
			}
			ok, err := deliverOne(ctx, db, by[d.Channel], d, opts)
			if err != nil {
				return sent, err
			}
			if ok {
				sent++
			}
		}
	}
	return sent, nil
}

// claim takes up to opts.Batch due messages: it counts the attempt and
// moves next_attempt_at a lease ahead, so no other loop takes them
// meanwhile. PostgreSQL skips rows another loop is claiming; SQLite's
// transactions take the write lock at BEGIN, so claims run one at a time.
func claim(ctx context.Context, db *store.DB, by map[string]Sender, opts Options) ([]Delivery, error) {
	channels := make([]string, 0, len(by))
	args := []any{opts.Now().UTC()}
	for c := range by {
		channels = append(channels, "?")
		args = append(args, c)
	}
	args = append(args, opts.Batch)
	lock := ""
	if db.Dialect() == store.Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	var out []Delivery
	err := db.InTx(ctx, func(tx *store.Tx) error {
		out = out[:0]
		rows, err := tx.QueryContext(ctx, `SELECT id, kind, channel, recipient, payload, attempts, created_at FROM outbox
			WHERE state = 'pending' AND next_attempt_at <= ? AND channel IN (`+strings.Join(channels, ", ")+`)
			ORDER BY next_attempt_at, id LIMIT ?`+lock, args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var d Delivery
			var payload string
			if err := rows.Scan(&d.ID, &d.Kind, &d.Channel, &d.Recipient, &payload, &d.Attempt, &d.CreatedAt); err != nil {
				rows.Close()
				return err
			}
			d.Payload, d.Attempt, d.CreatedAt = json.RawMessage(payload), d.Attempt+1, d.CreatedAt.UTC()
			out = append(out, d)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		leased := opts.Now().UTC().Add(opts.Lease)
		for _, d := range out {
			if _, err := tx.ExecContext(ctx, `UPDATE outbox SET attempts = ?, next_attempt_at = ? WHERE id = ?`, d.Attempt, leased, d.ID); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// deliverOne sends d and records the outcome: sent, logged only (the
// sender answered ErrLoggedOnly), or the error and the next attempt, or
// failed after the last one. The attempt count is the
// claim's token: a loop whose lease ran out records nothing. The outcome
// is recorded even when ctx ends meanwhile (the server is stopping): a
// message sent but not recorded would be sent again by another server
// once the lease runs out.
func deliverOne(ctx context.Context, db *store.DB, s Sender, d Delivery, opts Options) (bool, error) {
	sendErr := s.Send(ctx, d)
	if sendErr != nil && ctx.Err() != nil {
		// Shutting down mid-send: give it back for another attempt now
		// (it may have arrived, as when a server dies: at least once).
		return false, release(db, []Delivery{d}, false, opts)
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	now := opts.Now().UTC()
	var err error
	switch {
	case sendErr == nil:
		_, err = db.ExecContext(ctx, `UPDATE outbox SET state = 'sent', sent_at = ?, last_error = '' WHERE id = ? AND state = 'pending' AND attempts = ?`,
			now, d.ID, d.Attempt)
	case errors.Is(sendErr, ErrLoggedOnly):
		_, err = db.ExecContext(ctx, `UPDATE outbox SET state = 'logged', last_error = '' WHERE id = ? AND state = 'pending' AND attempts = ?`,
			d.ID, d.Attempt)
		return false, err
	case d.Attempt >= opts.MaxAttempts:
		opts.Log.Warn("notify: giving up", "id", d.ID, "kind", d.Kind, "channel", d.Channel, "attempts", d.Attempt, "err", sendErr)
		_, err = db.ExecContext(ctx, `UPDATE outbox SET state = 'failed', last_error = ? WHERE id = ? AND state = 'pending' AND attempts = ?`,
			clip(sendErr.Error()), d.ID, d.Attempt)
	default:
		wait := opts.Backoff[min(d.Attempt, len(opts.Backoff))-1]
		opts.Log.Info("notify: will retry", "id", d.ID, "kind", d.Kind, "channel", d.Channel, "attempt", d.Attempt, "in", wait, "err", sendErr)
		_, err = db.ExecContext(ctx, `UPDATE outbox SET last_error = ?, next_attempt_at = ? WHERE id = ? AND state = 'pending' AND attempts = ?`,
			clip(sendErr.Error()), now.Add(wait), d.ID, d.Attempt)
	}
	return sendErr == nil, err
}

// recordTimeout bounds the record of a delivery's outcome once the loop
// is told to stop.
const recordTimeout = 10 * time.Second

// release gives claimed messages back, due now, when their loop stops
// before it has sent them; with undo, the claim's attempt is not counted
// (it was never made). A message whose claim was taken over meanwhile is
// left alone.
func release(db *store.DB, ds []Delivery, undo bool, opts Options) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	back := 0
	if undo {
		back = 1
	}
	for _, d := range ds {
		if _, err := db.ExecContext(ctx, `UPDATE outbox SET next_attempt_at = ?, attempts = attempts - ? WHERE id = ? AND state = 'pending' AND attempts = ?`,
			opts.Now().UTC(), back, d.ID, d.Attempt); err != nil {
			return fmt.Errorf("notify: give back message %d: %w", d.ID, err)
		}
	}
	return nil
}

// clip shortens an error for the last_error column.
func clip(s string) string {
	if r := []rune(s); len(r) > 300 {
		return string(r[:300]) + "…"
	}
	return s
}

// Entry is a message as the administrators' page lists it.
type Entry struct {
	ID            int64      `json:"id"`
	Kind          string     `json:"kind"`
	Channel       string     `json:"channel"`
	Recipient     string     `json:"recipient"`
	State         string     `json:"state"`
	Attempts      int        `json:"attempts"`
	LastError     string     `json:"last_error"`
	NextAttemptAt *time.Time `json:"next_attempt_at,omitempty"` // pending only
	CreatedAt     time.Time  `json:"created_at"`
}

// States lists the states of outbox messages: "logged" is a message only
// written to the log, for want of a provider (ErrLoggedOnly), and never
// sent.
var States = []string{"pending", "sent", "failed", "cancelled", "logged"}

// List returns up to limit messages in state (when empty, those not
// delivered: pending, failed and logged only), newest first.
func List(ctx context.Context, q store.Querier, state string, limit int) ([]Entry, error) {
	cond, args := `state IN ('pending', 'failed', 'logged')`, []any{}
	if state != "" {
		cond, args = `state = ?`, append(args, state)
	}
	rows, err := q.QueryContext(ctx, `SELECT id, kind, channel, recipient, state, attempts, last_error, next_attempt_at, created_at
		FROM outbox WHERE `+cond+` ORDER BY id DESC LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Entry{}
	for rows.Next() {
		var e Entry
		var next time.Time
		if err := rows.Scan(&e.ID, &e.Kind, &e.Channel, &e.Recipient, &e.State, &e.Attempts, &e.LastError, &next, &e.CreatedAt); err != nil {
			return nil, err
		}
		if e.State == "pending" {
			next = next.UTC()
			e.NextAttemptAt = &next
		}
		e.CreatedAt = e.CreatedAt.UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}

// Retry puts failed or logged-only message id back in the queue, due now,
// for one more attempt (a provider configured since): ErrNotFound when
// there is no such message, ErrConflict when it is neither.
func Retry(ctx context.Context, q store.Querier, id int64, now time.Time) error {
	res, err := q.ExecContext(ctx, `UPDATE outbox SET state = 'pending', next_attempt_at = ? WHERE id = ? AND state IN ('failed', 'logged')`, now.UTC(), id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return nil
	}
	var state string
	err = q.QueryRowContext(ctx, `SELECT state FROM outbox WHERE id = ?`, id).Scan(&state)
	if err == nil {
		return apperr.ErrConflict
	}
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.ErrNotFound
	}
	return fmt.Errorf("notify: retry %d: %w", id, err)
}
