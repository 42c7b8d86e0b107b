package request

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/notify"
	"wanhu/internal/store"
)

// Escalation steps, in order: escalation_level is the last one taken for
// the request's current deadline.
const (
	stepWarned    = 1 // the handler is warned before the deadline
	stepGrid      = 2 // overdue: the grid leader hears
	stepSecretary = 3 // overdue for EscalationConfig.SecretaryAfter: the community secretary hears
)

// EscalationConfig tunes the escalation job; zero values take the defaults.
type EscalationConfig struct {
	UrgentWarning  time.Duration // how long before an urgent deadline the handler is warned (4 h)
	GeneralWarning time.Duration // when, after midnight of a general request's due day (China time), the handler is warned (9 h: the morning)
	SecretaryAfter time.Duration // how long overdue before the community secretary hears (8 h)
	Log            *slog.Logger
	// Ran, when set, is told of every round of RunEscalations: when it
	// started and its error, if any (the job lag of the metrics).
	Ran func(start time.Time, err error)
}

func (c EscalationConfig) withDefaults() EscalationConfig {
	if c.UrgentWarning <= 0 {
		c.UrgentWarning = 4 * time.Hour
	}
	if c.GeneralWarning <= 0 {
		c.GeneralWarning = 9 * time.Hour
	}
	if c.SecretaryAfter <= 0 {
		c.SecretaryAfter = 8 * time.Hour
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	return c
}

// warnAt is when the handler of a request due at due is warned.
func (c EscalationConfig) warnAt(urgency string, due time.Time) time.Time {
	if urgency == Urgent {
		return due.Add(-c.UrgentWarning)
	}
	d := due.In(calendar.China)
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, calendar.China).Add(c.GeneralWarning)
}

// target is the step a request due at due has reached at now.
func (c EscalationConfig) target(urgency string, due, now time.Time) int {
	switch {
	case !now.Before(due.Add(c.SecretaryAfter)):
		return stepSecretary
	case !now.Before(due):
		return stepGrid
	case !now.Before(c.warnAt(urgency, due)):
		return stepWarned
	}
	return 0
}

// escalator is the system as the actor of the timeline.
var escalator = household.Actor{Name: "系统"}

// Escalate takes the escalation steps due at now, each once per request
// and deadline: a warning to the handler before the deadline (skipped when
// the request is already overdue), the grid leader once overdue, the
// community secretary later. Each step writes a timeline entry and its
// outbox message in one transaction with the step's record. On PostgreSQL
// the requests are claimed with FOR UPDATE SKIP LOCKED, so several servers
// may run it at once; SQLite's transactions run one at a time. It returns
// how many steps it took.
func Escalate(ctx context.Context, db *store.DB, now time.Time, cfg EscalationConfig) (int, error) {
	cfg = cfg.withDefaults()
	now = now.UTC()
	lock := ""
	if db.Dialect() == store.Postgres {
		lock = " FOR UPDATE OF r SKIP LOCKED"
	}
	// A general request's warning comes at most a day before its deadline
	// (the end of the due day); an urgent one's UrgentWarning before.
	horizon := now.Add(max(cfg.UrgentWarning, 24*time.Hour))
	taken := 0
	err := db.InTx(ctx, func(tx *store.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT r.id, r.urgency, r.due_at, r.escalation_level, r.escalation_due_at FROM requests r
			WHERE r.state = ? AND r.due_at IS NOT NULL AND r.due_at <= ?
			AND (r.escalation_due_at IS NULL OR r.escalation_due_at <> r.due_at OR r.escalation_level < ?)
			ORDER BY r.due_at, r.id`+lock, Accepted, horizon, stepSecretary)
		if err != nil {
			return err
		}
		type claimed struct {
			id      int64
			urgency string
			due     time.Time
			level   int
			levelOf *time.Time
		}
		var cs []claimed
		for rows.Next() {
			var c claimed
			if err := rows.Scan(&c.id, &c.urgency, &c.due, &c.level, &c.levelOf); err != nil {
				rows.Close()
				return err
			}
			cs = append(cs, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, c := range cs {
			level := c.level
			if c.levelOf == nil || !c.levelOf.Equal(c.due) {
				level = 0 // a new deadline: the steps start again
			}
			to := cfg.target(c.urgency, c.due, now)
			if to <= level {
				continue
			}
			r, err := load(ctx, tx, c.id)
			if err != nil {
				return err
			}
			for step := level + 1; step <= to; step++ {
				if step == stepWarned && to > stepWarned {
					continue // already overdue: no warning
				}
				if err := escalate(ctx, tx, r, step, now); err != nil {
					return err
				}
				taken++
			}
			if _, err := tx.ExecContext(ctx, `UPDATE requests SET escalation_level = ?, escalation_due_at = ? WHERE id = ?`, to, c.due, c.id); err != nil {
				return err
			}
		}
		return nil
	})
	return taken, err
}

// escalate writes one step for r: its timeline entry and its message.
func escalate(ctx context.Context, tx *store.Tx, r *Request, step int, now time.Time) error {
	kind, who, recipient := "escalated", "grid_leader", gridRecipient(r)
	switch step {
	case stepWarned:
		kind, who, recipient = "warned", "handler", handlerRecipient(r)
	case stepSecretary:
		var community int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM org_units WHERE kind = 'community' AND ? LIKE path || '%' ORDER BY LENGTH(path) DESC`,
			r.orgPath).Scan(&community)
		if err != nil {
			return fmt.Errorf("request %d: the community of %s: %w", r.ID, r.orgPath, err)
		}
		who, recipient = "secretary", "unit:"+strconv.FormatInt(community, 10)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO request_events(request_id, at, actor, kind, note, data) VALUES (?, ?, ?, ?, ?, ?)`,
		r.ID, now, escalator.Name, kind, "", fmt.Sprintf(`{"to":%q,"recipient":%q}`, who, recipient)); err != nil {
		return fmt.Errorf("insert request event: %w", err)
	}
	payload := map[string]any{"request_id": r.ID, "tracking_code": r.TrackingCode, "category": r.Category, "state": r.State, "to": who}
	if r.DueAt != nil {
		payload["due_at"] = r.DueAt.In(calendar.China).Format(time.RFC3339)
	}
	return notify.Enqueue(ctx, tx, notify.Message{Kind: "request." + kind, Channel: StaffChannel, Recipient: recipient, Payload: payload})
}

// RemindCallbacks reminds the grid of each resolved request whose callback
// is due (on the morning of its due day, as a general request's handler is
// warned), once per resolution: a timeline entry and a message in one
// transaction. Several servers may run it at once, as Escalate. It returns
// how many it reminded of.
func RemindCallbacks(ctx context.Context, db *store.DB, now time.Time, cfg EscalationConfig) (int, error) {
	cfg = cfg.withDefaults()
	now = now.UTC()
	lock := ""
	if db.Dialect() == store.Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	n := 0
	err := db.InTx(ctx, func(tx *store.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, callback_due_at FROM requests
			WHERE state = ? AND callback_due_at IS NOT NULL AND callback_due_at <= ? AND callback_reminded_at IS NULL
			ORDER BY callback_due_at, id`+lock, Resolved, now.Add(24*time.Hour))
		if err != nil {
			return err
		}
		var due []int64
		for rows.Next() {
			var id int64
			var at time.Time
			if err := rows.Scan(&id, &at); err != nil {
				rows.Close()
				return err
			}
			if !now.Before(cfg.warnAt(General, at)) {
				due = append(due, id)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, id := range due {
			r, err := load(ctx, tx, id)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO request_events(request_id, at, actor, kind, note, data) VALUES (?, ?, ?, ?, ?, ?)`,
				r.ID, now, escalator.Name, "callback_due", "", fmt.Sprintf(`{"recipient":%q}`, gridRecipient(r))); err != nil {
				return fmt.Errorf("insert request event: %w", err)
			}
			payload := map[string]any{"request_id": r.ID, "tracking_code": r.TrackingCode, "category": r.Category, "state": r.State,
				"due_at": r.CallbackDueAt.In(calendar.China).Format(time.RFC3339)}
			if err := notify.Enqueue(ctx, tx, notify.Message{Kind: "request.callback_due", Channel: StaffChannel, Recipient: gridRecipient(r), Payload: payload}); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE requests SET callback_reminded_at = ? WHERE id = ?`, now, r.ID); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// RunEscalations runs Escalate and RemindCallbacks every interval until
// ctx ends.
func RunEscalations(ctx context.Context, db *store.DB, every time.Duration, cfg EscalationConfig) {
	cfg = cfg.withDefaults()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		start := time.Now()
		n, err := Escalate(ctx, db, start, cfg)
		if err != nil && ctx.Err() == nil {
			cfg.Log.Error("request: escalating", "err", err)
		} else if n > 0 {
			cfg.Log.Info("request: escalated", "steps", n)
		}
		n, cerr := RemindCallbacks(ctx, db, time.Now(), cfg)
		if cerr != nil && ctx.Err() == nil {
			cfg.Log.Error("request: reminding of callbacks", "err", cerr)
		} else if n > 0 {
			cfg.Log.Info("request: reminded of callbacks", "requests", n)
		}
		if cfg.Ran != nil && ctx.Err() == nil {
			cfg.Ran(start, errors.Join(err, cerr))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
