// Package notify is the notification outbox (DESIGN.md "outbox and
// senders"): domain code enqueues a message in the transaction that makes
// it true, so a message is written if and only if the change commits; the
// senders (issue 5) deliver pending messages later and retry.
package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"wanhu/internal/store"
)

// Message kinds and channels.
const (
	AppointmentConfirmed = "appointment.confirmed"
	AppointmentReminder  = "appointment.reminder"
	SMS                  = "sms"
)

// Message is one notification to deliver.
type Message struct {
	Kind    string // e.g. AppointmentConfirmed
	Channel string // SMS when empty
	// Recipient is a reference the sender resolves ("appointment:12": the
	// appointment's sealed phone), never a phone number in the clear.
	Recipient string
	Payload   any       // encoded as JSON
	NotBefore time.Time // when to send; now when zero
}

// Enqueue writes m as a pending message through q, the caller's
// transaction.
func Enqueue(ctx context.Context, q store.Querier, m Message) error {
	payload, err := json.Marshal(m.Payload)
	if err != nil {
		return fmt.Errorf("notify: payload of %s: %w", m.Kind, err)
	}
	if m.Channel == "" {
		m.Channel = SMS
	}
	now := time.Now().UTC()
	at := m.NotBefore.UTC()
	if m.NotBefore.IsZero() {
		at = now
	}
	_, err = q.ExecContext(ctx, `INSERT INTO outbox(kind, channel, recipient, payload, state, attempts, next_attempt_at, created_at)
		VALUES (?, ?, ?, ?, 'pending', 0, ?, ?)`, m.Kind, m.Channel, m.Recipient, string(payload), at, now)
	return err
}

// Cancel marks the pending messages to recipient cancelled (the change they
// announce was undone), in the caller's transaction.
func Cancel(ctx context.Context, q store.Querier, recipient string) error {
	_, err := q.ExecContext(ctx, `UPDATE outbox SET state = 'cancelled' WHERE recipient = ? AND state = 'pending'`, recipient)
	return err
}

// Pending is a message waiting in the outbox.
type Pending struct {
	ID            int64
	Kind          string
	Channel       string
	Recipient     string
	Payload       string
	NextAttemptAt time.Time
}

// PendingFor returns the pending messages to recipient, oldest first.
func PendingFor(ctx context.Context, q store.Querier, recipient string) ([]Pending, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, kind, channel, recipient, payload, next_attempt_at FROM outbox
		WHERE recipient = ? AND state = 'pending' ORDER BY id`, recipient)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Pending
	for rows.Next() {
		var p Pending
		if err := rows.Scan(&p.ID, &p.Kind, &p.Channel, &p.Recipient, &p.Payload, &p.NextAttemptAt); err != nil {
			return nil, err
		}
		p.NextAttemptAt = p.NextAttemptAt.UTC()
		out = append(out, p)
	}
	return out, rows.Err()
}
