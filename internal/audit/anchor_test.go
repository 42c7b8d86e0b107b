package audit

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"wanhu/internal/notify"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestAnchorFindsDeletedTail: deleting the newest entries leaves a chain
// that holds; the anchor stored in the database finds it, and when that
// was deleted too, the anchor kept elsewhere does.
func TestAnchorFindsDeletedTail(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		l, _ := newLog(t, db)
		record(t, l, 10)
		a, err := l.Anchor(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if a.ID != 10 || a.Count != 10 {
			t.Fatalf("anchor = %+v", a)
		}
		record(t, l, 2)
		rep, err := l.CheckAnchor(ctx, a)
		if err != nil || rep.Break != nil || rep.Checked != 12 || rep.Anchor == nil || rep.Anchor.ID != 10 {
			t.Fatalf("CheckAnchor on the intact log = %+v, %v", rep, err)
		}

		exec(t, db, `DELETE FROM audit_log WHERE id > 6`)
		if bad := firstBad(t, l); bad != 7 {
			t.Errorf("tail deleted, stored anchor kept: first bad #%d, want #7", bad)
		}
		exec(t, db, `DELETE FROM audit_anchors`)
		verifyIntact(t, l, 6) // without an anchor kept elsewhere, a shorter chain holds
		rep, err = l.CheckAnchor(ctx, a)
		if err != nil || rep.Break == nil || rep.Break.Record.ID != 7 || !rep.Break.Anchored || !strings.Contains(rep.Break.Reason, "deleted") {
			t.Fatalf("CheckAnchor after the tail was deleted = %+v, %v", rep.Break, err)
		}

		// A stored anchor cannot be forged or moved without the key.
		record(t, l, 2)
		if _, err := l.Anchor(ctx); err != nil {
			t.Fatal(err)
		}
		exec(t, db, `UPDATE audit_anchors SET entry_id = 5`)
		if rep, err := l.Check(ctx); err != nil || rep.Break == nil || !strings.Contains(rep.Break.Reason, "not signed") {
			t.Errorf("a moved stored anchor: %+v, %v", rep.Break, err)
		}
	})
}

// TestAnchorAfterPurge: an anchor of an entry purged since cannot be
// checked by hash; the signed checkpoint stands for it.
func TestAnchorAfterPurge(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		l, c := newLog(t, db)
		now := time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)
		c.set(now.AddDate(0, -8, 0))
		record(t, l, 5)
		old, _ := l.Anchor(ctx)
		record(t, l, 5)
		atCheckpoint, _ := l.Anchor(ctx)
		c.set(now)
		record(t, l, 2)
		if _, err := l.Purge(ctx, now.AddDate(0, -6, 0)); err != nil {
			t.Fatal(err)
		}
		for _, a := range []Anchor{old, atCheckpoint} {
			rep, err := l.CheckAnchor(ctx, a)
			if err != nil || rep.Break != nil || rep.AnchorPurged != (a.ID < 10) {
				t.Errorf("anchor #%d after the purge: %+v, %v", a.ID, rep, err)
			}
		}
		atCheckpoint.Hash = old.Hash
		if rep, _ := l.CheckAnchor(ctx, atCheckpoint); rep.Break == nil {
			t.Error("an anchor whose hash is not the checkpoint's passed")
		}
	})
}

// TestAnchorDayOnceAcrossServers: several servers anchoring the same day
// take one anchor, and put one message in the outbox.
func TestAnchorDayOnceAcrossServers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		l, _ := newLog(t, db)
		record(t, l, 3)
		var wg sync.WaitGroup
		made := make(chan bool, 6)
		for range 6 {
			wg.Go(func() {
				_, ok, err := New(db).AnchorDay(ctx, "2026-06-01", true)
				if err != nil {
					t.Error(err)
				}
				made <- ok
			})
		}
		wg.Wait()
		close(made)
		n := 0
		for ok := range made {
			if ok {
				n++
			}
		}
		if _, ok, _ := l.AnchorDay(ctx, "2026-06-02", false); !ok {
			t.Error("the next day was not anchored")
		}
		var anchors, messages int
		storetest.Scan(t, db.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_anchors`), &anchors)
		storetest.Scan(t, db.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox WHERE kind = ?`, AnchorKind), &messages)
		if n != 1 || anchors != 2 || messages != 1 {
			t.Errorf("%d servers made the anchor, %d anchors stored, %d sent; want 1, 2, 1", n, anchors, messages)
		}
	})
}

// TestDailyAnchorsReachTheWebhook: StartAnchors anchors today at once and
// each new day after, and the outbox delivers each anchor to the webhook,
// signed, as the JSON that verify --anchor reads.
func TestDailyAnchorsReachTheWebhook(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		const secret = "s3cret"
		var got []Anchor
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			ts := r.Header.Get("X-Wanhu-Timestamp")
			if r.Method != http.MethodPost || r.Header.Get("X-Wanhu-Signature") != "sha256="+notify.Sign(secret, ts, body) ||
				r.Header.Get("X-Wanhu-Event") != AnchorKind || r.Header.Get("X-Wanhu-Delivery") == "" {
				http.Error(w, "bad request", http.StatusBadRequest)
				return
			}
			var m map[string]json.RawMessage
			if json.Unmarshal(body, &m) != nil || len(m) != 4 {
				http.Error(w, "not an anchor", http.StatusBadRequest)
				return
			}
			a, err := ReadAnchor(bytes.NewReader(body))
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			got = append(got, a)
		}))
		defer srv.Close()

		l, c := newLog(t, db)
		day1 := time.Date(2026, 6, 1, 15, 0, 0, 0, time.UTC) // 23:00 in China
		c.set(day1)
		record(t, l, 2)
		tick := make(chan time.Time)
		stop, err := StartAnchors(ctx, l, AnchorOptions{Send: true, Tick: tick})
		if err != nil {
			t.Fatal(err)
		}
		// An unbuffered tick is taken only once the loop is done with the
		// one before.
		tick <- day1.Add(30 * time.Minute) // 23:30: the same China day
		tick <- day1.Add(90 * time.Minute) // 00:30: the next
		tick <- day1.Add(100 * time.Minute)
		stop()
		if _, err := notify.Deliver(ctx, db, []notify.Sender{AnchorSender{URL: srv.URL, Secret: secret}}, notify.Options{}); err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].ID != 2 || got[0].Count != 2 || got[1].ID != 2 {
			t.Fatalf("webhook got %+v, want the anchors of two days", got)
		}
		for _, a := range got {
			if rep, err := l.CheckAnchor(ctx, a); err != nil || rep.Break != nil {
				t.Errorf("the delivered anchor does not verify: %+v, %v", rep.Break, err)
			}
		}
		var days []string
		rows, err := db.QueryContext(ctx, `SELECT day FROM audit_anchors ORDER BY id`)
		storetest.ScanAll(t, rows, err, func(rows *sql.Rows) error {
			var d string
			err := rows.Scan(&d)
			days = append(days, d)
			return err
		})
		if fmt.Sprint(days) != "[2026-06-01 2026-06-02]" {
			t.Errorf("anchored days %v", days)
		}
	})
}

func TestReadAnchor(t *testing.T) {
	h := strings.Repeat("0a", 32)
	for _, c := range []struct{ in, field string }{
		{`{"id":3,"hash":"` + h + `","at":"2026-06-01T00:00:00Z","count":3}`, ""},
		{`{"id":0,"hash":"","at":"2026-06-01T00:00:00Z","count":0}`, ""},
		{`{"hash":"` + h + `","at":"2026-06-01T00:00:00Z","count":3}`, "id"},
		{`{"id":-1,"hash":"` + h + `","at":"2026-06-01T00:00:00Z","count":3}`, "id"},
		{`{"id":3,"hash":"` + h[:62] + `","at":"2026-06-01T00:00:00Z","count":3}`, "hash"},
		{`{"id":3,"hash":"","at":"2026-06-01T00:00:00Z","count":3}`, "hash"},
		{`{"id":3,"hash":"` + h + `","count":3}`, "at"},
		{`{"id":3,"hash":"` + h + `","at":"2026-06-01T00:00:00Z"}`, "count"},
		{`not json`, "JSON"},
	} {
		_, err := ReadAnchor(strings.NewReader(c.in))
		if c.field == "" && err != nil || c.field != "" && (err == nil || !strings.Contains(err.Error(), c.field)) {
			t.Errorf("ReadAnchor(%s) = %v, want an error naming %q", c.in, err, c.field)
		}
	}
}
