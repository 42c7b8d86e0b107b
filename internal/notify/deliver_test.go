package notify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/notify"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
	"wanhu/internal/testworld"
)

// hookServer counts the deliveries per message id and answers with the
// status status() gives.
type hookServer struct {
	mu     sync.Mutex
	got    map[int64]int
	status int
}

func newHookServer(t *testing.T) (*hookServer, *httptest.Server) {
	h := &hookServer{got: map[int64]int{}, status: http.StatusOK}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct{ ID int64 }
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			t.Error(err)
		}
		h.mu.Lock()
		defer h.mu.Unlock()
		h.got[body.ID]++
		w.WriteHeader(h.status)
	}))
	t.Cleanup(srv.Close)
	return h, srv
}

type outboxRow struct {
	State, LastError string
	Attempts         int
	Next             time.Time
	SentAt           *time.Time
}

func rowOf(t *testing.T, db *store.DB, id int64) outboxRow {
	t.Helper()
	var r outboxRow
	if err := db.QueryRowContext(context.Background(), `SELECT state, last_error, attempts, next_attempt_at, sent_at FROM outbox WHERE id = ?`, id).
		Scan(&r.State, &r.LastError, &r.Attempts, &r.Next, &r.SentAt); err != nil {
		t.Fatal(err)
	}
	r.Next = r.Next.UTC()
	return r
}

func enqueue(t *testing.T, db *store.DB, channel string, at time.Time) int64 {
	t.Helper()
	ctx := context.Background()
	if err := notify.Enqueue(ctx, db, notify.Message{Kind: "request.created", Channel: channel, Recipient: "staff", Payload: map[string]int{"n": 1}, NotBefore: at}); err != nil {
		t.Fatal(err)
	}
	var id int64
	if err := db.QueryRowContext(ctx, `SELECT MAX(id) FROM outbox`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// TestDeliver: a due message is sent once; a 500 is retried after the
// backoff, and the message fails after the last attempt; an administrator
// retries it once more.
func TestDeliver(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		hook, srv := newHookServer(t)
		now := time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)
		opts := notify.Options{MaxAttempts: 3, Backoff: []time.Duration{time.Minute, 5 * time.Minute}, Now: func() time.Time { return now }}
		senders := []notify.Sender{notify.WebhookSender{URL: srv.URL, Secret: "k"}}

		a := enqueue(t, db, notify.Webhook, now.Add(-time.Second))
		later := enqueue(t, db, notify.Webhook, now.Add(time.Hour))
		wecom := enqueue(t, db, notify.WeCom, now.Add(-time.Second)) // no sender for it
		n, err := notify.Deliver(ctx, db, senders, opts)
		if err != nil || n != 1 {
			t.Fatalf("delivered %d, %v", n, err)
		}
		if r := rowOf(t, db, a); r.State != "sent" || r.SentAt == nil || !r.SentAt.Equal(now) || r.Attempts != 1 || hook.got[a] != 1 {
			t.Errorf("sent message: %+v, %d deliveries", r, hook.got[a])
		}
		if r := rowOf(t, db, later); r.State != "pending" || r.Attempts != 0 || hook.got[later] != 0 {
			t.Errorf("not yet due: %+v", r)
		}
		if r := rowOf(t, db, wecom); r.State != "pending" || r.Attempts != 0 {
			t.Errorf("without a sender: %+v", r)
		}
		if n, _ := notify.Deliver(ctx, db, senders, opts); n != 0 || hook.got[a] != 1 {
			t.Errorf("sent again: %d, %d deliveries", n, hook.got[a])
		}

		// The receiver fails: retried after 1 min, then 5 min, then failed.
		hook.status = http.StatusInternalServerError
		now = now.Add(time.Hour)
		notify.Deliver(ctx, db, senders, opts)
		r := rowOf(t, db, later)
		if r.State != "pending" || r.Attempts != 1 || !r.Next.Equal(now.Add(time.Minute)) || r.LastError != "webhook: HTTP 500" {
			t.Fatalf("after a 500: %+v", r)
		}
		now = now.Add(30 * time.Second)
		if notify.Deliver(ctx, db, senders, opts); hook.got[later] != 1 {
			t.Errorf("retried before the backoff: %d deliveries", hook.got[later])
		}
		now = now.Add(30 * time.Second)
		notify.Deliver(ctx, db, senders, opts)
		if r := rowOf(t, db, later); r.Attempts != 2 || !r.Next.Equal(now.Add(5*time.Minute)) || hook.got[later] != 2 {
			t.Fatalf("second attempt: %+v", r)
		}
		now = now.Add(5 * time.Minute)
		notify.Deliver(ctx, db, senders, opts)
		if r := rowOf(t, db, later); r.State != "failed" || r.Attempts != 3 || r.SentAt != nil || hook.got[later] != 3 {
			t.Fatalf("after the last attempt: %+v", r)
		}
		now = now.Add(24 * time.Hour)
		if notify.Deliver(ctx, db, senders, opts); hook.got[later] != 3 {
			t.Error("a failed message was sent again")
		}
		es, err := notify.List(ctx, db, "failed", 50)
		if err != nil || len(es) != 1 || es[0].ID != later || es[0].LastError != "webhook: HTTP 500" || es[0].NextAttemptAt != nil {
			t.Errorf("failed list %+v, %v", es, err)
		}

		// Retried by an administrator: one more attempt, which succeeds.
		if err := notify.Retry(ctx, db, a, now); !errors.Is(err, apperr.ErrConflict) {
			t.Errorf("retry a sent message: %v", err)
		}
		if err := notify.Retry(ctx, db, 9999, now); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("retry a missing message: %v", err)
		}
		if err := notify.Retry(ctx, db, later, now); err != nil {
			t.Fatal(err)
		}
		hook.status = http.StatusOK
		if n, _ := notify.Deliver(ctx, db, senders, opts); n != 1 {
			t.Errorf("after retry delivered %d", n)
		}
		if r := rowOf(t, db, later); r.State != "sent" || r.LastError != "" || hook.got[later] != 4 {
			t.Errorf("retried: %+v", r)
		}
	})
}

// TestDeliverConcurrently: two servers' loops share the outbox and send
// every message exactly once.
func TestDeliverConcurrently(t *testing.T) {
	run := func(t *testing.T, open func() *store.DB) {
		ctx := context.Background()
		hook, srv := newHookServer(t)
		first := open()
		const messages = 60
		for range messages {
			enqueue(t, first, notify.Webhook, time.Time{})
		}
		second := open()
		senders := []notify.Sender{notify.WebhookSender{URL: srv.URL, Secret: "k"}}
		var wg sync.WaitGroup
		sent := make([]int, 2)
		for i, db := range []*store.DB{first, second} {
			wg.Go(func() {
				n, err := notify.Deliver(ctx, db, senders, notify.Options{Batch: 3})
				if err != nil {
					t.Error(err)
				}
				sent[i] = n
			})
		}
		wg.Wait()
		if len(hook.got) != messages || sent[0]+sent[1] != messages {
			t.Errorf("%d messages delivered (%d + %d), want %d", len(hook.got), sent[0], sent[1], messages)
		}
		for id, n := range hook.got {
			if n != 1 {
				t.Errorf("message %d delivered %d times", id, n)
			}
		}
		var left int
		storetest.Scan(t, first.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox WHERE state <> 'sent'`), &left)
		if left != 0 {
			t.Errorf("%d messages not marked sent", left)
		}
	}
	t.Run("postgres", func(t *testing.T) {
		dsn := storetest.PostgresDSN(t)
		run(t, func() *store.DB {
			db, err := store.Open(context.Background(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			return db
		})
	})
	t.Run("sqlite", func(t *testing.T) {
		db := storetest.SQLite(t)
		run(t, func() *store.DB { return db })
	})
}

// TestStaffDelivery: a message to staff goes out through the sender chosen
// for staff, here a WeCom group robot, with the request's text.
func TestStaffDelivery(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var got []string
		srv := robot(t, func(r *http.Request, body []byte) { got = append(got, string(body)) }, http.StatusOK, `{"errcode":0,"errmsg":"ok"}`)
		if err := notify.Enqueue(ctx, db, notify.Message{Kind: "request.escalated", Channel: notify.Staff, Recipient: "grid:1",
			Payload: map[string]any{"request_id": 12, "due_at": "2026-11-28T23:00:00+08:00"}}); err != nil {
			t.Fatal(err)
		}
		n, err := notify.Deliver(ctx, db, []notify.Sender{notify.ForStaff(notify.WeComSender{URL: srv.URL})}, notify.Options{})
		if err != nil || n != 1 || len(got) != 1 || !strings.Contains(got[0], "诉求 #12 已超过办理期限（11月28日 23:00），请督办。") {
			t.Fatalf("delivered %d (%v): %q", n, err, got)
		}
	})
}

// TestDeliverLoggedOnly: without a provider, a text is written to the log
// and marked logged, not sent; it is listed among those not delivered, and
// an administrator may queue it again once a provider is configured.
func TestDeliverLoggedOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fx, err := testworld.NewOrg(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		appt := newAppointment(t, db, fx, "101", "13912345678")
		if err := notify.Enqueue(ctx, db, notify.Message{Kind: notify.AppointmentConfirmed, Recipient: "appointment:" + strconv.FormatInt(appt, 10),
			Payload: map[string]any{"slot_start": sendNow, "slot_end": sendNow.Add(time.Hour), "community": "东兴社区"}}); err != nil {
			t.Fatal(err)
		}
		var id int64
		storetest.Scan(t, db.QueryRowContext(ctx, `SELECT MAX(id) FROM outbox`), &id)
		var buf bytes.Buffer
		senders := []notify.Sender{notify.SMSSender{DB: db, Gateway: notify.LogGateway{Log: slog.New(slog.NewTextHandler(&buf, nil))}}}
		now := time.Now().UTC().Add(time.Hour).Truncate(time.Second)
		n, err := notify.Deliver(ctx, db, senders, notify.Options{Now: func() time.Time { return now }})
		if err != nil || n != 0 {
			t.Fatalf("delivered %d, %v: a logged text counts as sent", n, err)
		}
		if r := rowOf(t, db, id); r.State != "logged" || r.SentAt != nil || r.Attempts != 1 {
			t.Errorf("logged text: %+v", r)
		}
		if line := buf.String(); !strings.Contains(line, "SMS to 139****5678 (logged only, not sent): 【东兴社区】您已预约东兴社区") {
			t.Errorf("log %q", line)
		}
		if es, err := notify.List(ctx, db, "", 10); err != nil || len(es) != 1 || es[0].State != "logged" {
			t.Errorf("not delivered: %+v, %v", es, err)
		}
		if n, _ := notify.Deliver(ctx, db, senders, notify.Options{Now: func() time.Time { return now.Add(24 * time.Hour) }}); n != 0 || strings.Count(buf.String(), "SMS to") != 1 {
			t.Error("a logged text was logged again")
		}
		if err := notify.Retry(ctx, db, id, now); err != nil {
			t.Fatal(err)
		}
		if r := rowOf(t, db, id); r.State != "pending" {
			t.Errorf("retried: %+v", r)
		}
	})
}

// stopAfterSend sends successfully and then stops the server (cancels
// the loop's context), as a SIGTERM arriving between a message's
// delivery and its record would.
type stopAfterSend struct {
	stop  context.CancelFunc
	count int
}

func (s *stopAfterSend) Channel() string { return notify.Webhook }

func (s *stopAfterSend) Send(ctx context.Context, d notify.Delivery) error {
	s.count++
	s.stop()
	return nil
}

// TestDeliverRecordsAfterStop: a message delivered just before the server
// is told to stop is still recorded as sent, so that no other server
// sends it again once the lease runs out; the rest of the batch is not
// sent.
func TestDeliverRecordsAfterStop(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		first := enqueue(t, db, notify.Webhook, time.Time{})
		second := enqueue(t, db, notify.Webhook, time.Time{})
		ctx, stop := context.WithCancel(context.Background())
		s := &stopAfterSend{stop: stop}
		if _, err := notify.Deliver(ctx, db, []notify.Sender{s}, notify.Options{}); err != nil && !errors.Is(err, context.Canceled) {
			t.Fatal(err)
		}
		if r := rowOf(t, db, first); s.count != 1 || r.State != "sent" || r.SentAt == nil {
			t.Errorf("sent %d times, then stopped: the message is %+v, want sent", s.count, r)
		}
		if r := rowOf(t, db, second); r.State != "pending" {
			t.Errorf("the rest of the batch: %+v, want pending", r)
		}
	})
}

// stopping is a sender during whose first send the server starts
// shutting down (cancel): that send fails with the context's error.
type stopping struct {
	cancel context.CancelFunc
	calls  int
}

func (s *stopping) Channel() string { return notify.Webhook }
func (s *stopping) Send(ctx context.Context, d notify.Delivery) error {
	s.calls++
	s.cancel()
	return ctx.Err()
}

// TestDeliverReleasesOnShutdown: a loop stopped mid-batch gives its claim
// back: the message being sent is due again at once (its attempt
// counted), the rest of the batch as if never claimed; the next loop sends
// them all, once each.
func TestDeliverReleasesOnShutdown(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)
		opts := notify.Options{Now: func() time.Time { return now }, Lease: time.Hour}
		ids := []int64{enqueue(t, db, notify.Webhook, now.Add(-3*time.Second)), enqueue(t, db, notify.Webhook, now.Add(-2*time.Second)),
			enqueue(t, db, notify.Webhook, now.Add(-time.Second))}
		ctx, cancel := context.WithCancel(context.Background())
		s := &stopping{cancel: cancel}
		if n, err := notify.Deliver(ctx, db, []notify.Sender{s}, opts); err != nil || n != 0 || s.calls != 1 {
			t.Fatalf("stopped: sent %d, %v, %d sends", n, err, s.calls)
		}
		for i, id := range ids {
			want := 0
			if i == 0 {
				want = 1
			}
			if r := rowOf(t, db, id); r.State != "pending" || r.Attempts != want || !r.Next.Equal(now) {
				t.Errorf("message %d after the shutdown: %+v (want due now, %d attempts)", i, r, want)
			}
		}
		hook, srv := newHookServer(t)
		if n, err := notify.Deliver(context.Background(), db, []notify.Sender{notify.WebhookSender{URL: srv.URL, Secret: "k"}}, opts); err != nil || n != 3 {
			t.Fatalf("the next loop sent %d, %v", n, err)
		}
		for _, id := range ids {
			if hook.got[id] != 1 {
				t.Errorf("message %d delivered %d times", id, hook.got[id])
			}
		}
	})
}
