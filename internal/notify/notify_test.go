package notify_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"wanhu/internal/notify"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestEnqueueInTx: a message is written with the caller's transaction and
// gone with its rollback; Cancel takes a pending message back.
func TestEnqueueInTx(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		later := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
		boom := errors.New("boom")
		err := db.InTx(ctx, func(tx *store.Tx) error {
			if err := notify.Enqueue(ctx, tx, notify.Message{Kind: notify.AppointmentConfirmed, Recipient: "appointment:1", Payload: map[string]int{"n": 1}}); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatal(err)
		}
		if ps, _ := notify.PendingFor(ctx, db, "appointment:1"); len(ps) != 0 {
			t.Fatalf("rolled back, still %d messages", len(ps))
		}
		err = db.InTx(ctx, func(tx *store.Tx) error {
			return notify.Enqueue(ctx, tx, notify.Message{Kind: notify.AppointmentReminder, Recipient: "appointment:1", Payload: map[string]int{"n": 2}, NotBefore: later})
		})
		if err != nil {
			t.Fatal(err)
		}
		ps, err := notify.PendingFor(ctx, db, "appointment:1")
		if err != nil || len(ps) != 1 || ps[0].Channel != notify.SMS || !ps[0].NextAttemptAt.Equal(later) || !strings.Contains(ps[0].Payload, `"n":2`) {
			t.Fatalf("committed: %+v %v", ps, err)
		}
		if err := notify.Cancel(ctx, db, "appointment:1"); err != nil {
			t.Fatal(err)
		}
		if ps, _ := notify.PendingFor(ctx, db, "appointment:1"); len(ps) != 0 {
			t.Errorf("cancelled, still pending: %+v", ps)
		}
	})
}
