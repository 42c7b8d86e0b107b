package audit

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"wanhu/internal/secret"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// t0 has nanoseconds, which PostgreSQL would drop: the log must truncate
// before hashing so the chain verifies on both engines.
var t0 = time.Date(2026, 6, 1, 2, 3, 4, 123456789, time.UTC)

// clock is a settable clock for a Log.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Millisecond + time.Nanosecond)
	return c.t
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

func newLog(t *testing.T, db *store.DB) (*Log, *clock) {
	c := &clock{t: t0}
	l := New(db)
	l.SetClock(c.now)
	return l, c
}

func record(t *testing.T, l *Log, n int) {
	t.Helper()
	for i := range n {
		e := Entry{UserID: int64(i%3 + 1), Username: fmt.Sprintf("user%d", i%3), Role: "admin", IP: "10.0.0.1",
			Action: []string{"login.success", "write", "reveal.id_number"}[i%3], Object: fmt.Sprintf("household:%d", i), Detail: "测试"}
		if err := l.Record(context.Background(), e); err != nil {
			t.Fatal(err)
		}
	}
}

func verifyIntact(t *testing.T, l *Log, want int) {
	t.Helper()
	checked, bad, err := l.Verify(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if bad != 0 || checked != want {
		t.Fatalf("Verify = %d checked, first bad #%d; want %d checked, intact", checked, bad, want)
	}
}

func TestChainVerifiesWithConcurrentAppends(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		l, _ := newLog(t, db)
		verifyIntact(t, l, 0)
		record(t, l, 30)
		var wg sync.WaitGroup
		errs := make(chan error, 8*20)
		for g := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				// A Log per goroutine, as several servers would have.
				other := New(db)
				for i := range 20 {
					errs <- other.Record(context.Background(), Entry{Username: fmt.Sprintf("g%d", g), Action: "write", Object: fmt.Sprintf("person:%d", i)})
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		verifyIntact(t, l, 30+8*20)
	})
}

func TestTimesAreTruncatedAndStable(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		l, _ := newLog(t, db)
		record(t, l, 2)
		r, err := l.ByID(context.Background(), 1)
		if err != nil {
			t.Fatal(err)
		}
		want := t0.Add(time.Millisecond + time.Nanosecond).Truncate(time.Microsecond)
		if !r.At.Equal(want) || r.At.Location() != time.UTC {
			t.Errorf("at = %s, want %s in UTC", r.At.Format(time.RFC3339Nano), want.Format(time.RFC3339Nano))
		}
		if r.keyedHash(db.Keys()) != r.Hash || r.PrevHash != "" {
			t.Errorf("entry 1 read back does not hash to its stored hash")
		}
		verifyIntact(t, l, 2)
	})
}

// TestCanonicalForm pins the serialization: changing it breaks every
// existing chain, so it must be deliberate (and get a new hashVersion).
// The old form stays, to recognize the entries of older versions.
func TestCanonicalForm(t *testing.T) {
	r := Record{ID: 7, At: t0.Truncate(time.Microsecond), UserID: 2, Username: "leader3", Role: "grid_leader", IP: "10.0.0.1",
		Action: "reveal.id_number", Object: "person:97", Result: OK, Detail: "走访核实", PrevHash: "ab"}
	fields := "1:7\n27:2026-06-01T02:03:04.123456Z\n1:2\n7:leader3\n11:grid_leader\n8:10.0.0.1\n16:reveal.id_number\n9:person:97\n2:ok\n12:走访核实\n2:ab\n"
	for version, want := range map[string]string{hashVersion: "14:wanhu-audit-v2\n" + fields, legacyVersion: "14:wanhu-audit-v1\n" + fields} {
		if got := string(r.canonical(version)); got != want {
			t.Errorf("canonical form changed:\n%q\nwant\n%q", got, want)
		}
	}
	// The keyed hash depends on the key; the legacy one is plain SHA-256.
	keys := secret.TestKeyring()
	if r.keyedHash(keys) == r.legacyHash() || len(r.keyedHash(keys)) != 64 {
		t.Errorf("keyed hash %q, legacy %q", r.keyedHash(keys), r.legacyHash())
	}
	// What versions before the key wrote, so their entries are recognized.
	if got, want := r.legacyHash(), "17d0a4b78271ed12029a8ee4ee673b6ba45ef2aeec38075663aa8319c6e7bc86"; got != want {
		t.Errorf("legacy hash %s, want %s", got, want)
	}
}

func TestTamperingIsFound(t *testing.T) {
	cases := []struct {
		name    string
		tamper  func(ctx context.Context, db *store.DB, l *Log) error
		wantBad int64
	}{
		{"edited detail", func(ctx context.Context, db *store.DB, l *Log) error {
			_, err := db.ExecContext(ctx, `UPDATE audit_log SET detail = 'nothing to see' WHERE id = 5`)
			return err
		}, 5},
		{"edited time", func(ctx context.Context, db *store.DB, l *Log) error {
			_, err := db.ExecContext(ctx, `UPDATE audit_log SET at = ? WHERE id = 7`, t0.Add(-time.Hour))
			return err
		}, 7},
		{"edited user", func(ctx context.Context, db *store.DB, l *Log) error {
			_, err := db.ExecContext(ctx, `UPDATE audit_log SET username = 'someone' WHERE id = 1`)
			return err
		}, 1},
		{"deleted row", func(ctx context.Context, db *store.DB, l *Log) error {
			_, err := db.ExecContext(ctx, `DELETE FROM audit_log WHERE id = 4`)
			return err
		}, 5},
		{"deleted first row", func(ctx context.Context, db *store.DB, l *Log) error {
			_, err := db.ExecContext(ctx, `DELETE FROM audit_log WHERE id = 1`)
			return err
		}, 2},
		{"forged row at the end", func(ctx context.Context, db *store.DB, l *Log) error {
			_, err := db.ExecContext(ctx, `INSERT INTO audit_log(id, at, username, action, result, prev_hash, hash)
				SELECT id + 1, at, 'ghost', 'login.success', 'ok', hash, 'deadbeef' FROM audit_log WHERE id = 10`)
			return err
		}, 11},
		{"well-formed forgery in the middle", func(ctx context.Context, db *store.DB, l *Log) error {
			// Make room at id 6 and insert a row whose own hash is right.
			for _, q := range []string{`UPDATE audit_log SET id = id + 1000 WHERE id >= 6`, `UPDATE audit_log SET id = id - 999 WHERE id >= 1000`} {
				if _, err := db.ExecContext(ctx, q); err != nil {
					return err
				}
			}
			prev, err := l.ByID(ctx, 5)
			if err != nil {
				return err
			}
			f := Record{ID: 6, At: prev.At, Username: "ghost", Action: "write", Result: OK, PrevHash: prev.Hash}
			f.Hash = f.keyedHash(db.Keys())
			_, err = db.ExecContext(ctx, `INSERT INTO audit_log(id, at, user_id, username, role, ip, action, object, result, detail, prev_hash, hash)
				VALUES (?, ?, 0, ?, '', '', ?, '', ?, '', ?, ?)`, f.ID, f.At, f.Username, f.Action, f.Result, f.PrevHash, f.Hash)
			return err
		}, 7},
		{"replaced hash", func(ctx context.Context, db *store.DB, l *Log) error {
			_, err := db.ExecContext(ctx, `UPDATE audit_log SET hash = prev_hash WHERE id = 9`)
			return err
		}, 9},
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				ctx := context.Background()
				if _, err := db.ExecContext(ctx, `DELETE FROM audit_log`); err != nil {
					t.Fatal(err)
				}
				l, _ := newLog(t, db)
				record(t, l, 10)
				verifyIntact(t, l, 10)
				if err := c.tamper(ctx, db, l); err != nil {
					t.Fatal(err)
				}
				rep, err := l.Check(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if rep.Break == nil || rep.Break.Record.ID != c.wantBad {
					t.Fatalf("Check = %+v, want the break at #%d", rep, c.wantBad)
				}
				if rep.Checked != int(c.wantBad)-1 && c.name != "deleted row" && c.name != "deleted first row" {
					t.Errorf("checked %d before the break, want %d", rep.Checked, c.wantBad-1)
				}
				if rep.Break.Reason == "" {
					t.Error("a break without a reason")
				}
			})
		}
	})
}

func TestPurgeKeepsChainAndRetention(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		l, c := newLog(t, db)
		now := time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)
		c.set(now.AddDate(0, -8, 0))
		record(t, l, 10)
		c.set(now.AddDate(0, -1, 0))
		record(t, l, 5)
		c.set(now)
		if _, err := l.Purge(ctx, now.AddDate(0, -5, 0)); !errors.Is(err, ErrTooRecent) {
			t.Fatalf("purge within 6 months: %v, want ErrTooRecent", err)
		}
		l.RetentionMonths = 3 // below the legal minimum: still 6
		if _, err := l.Purge(ctx, now.AddDate(0, -4, 0)); !errors.Is(err, ErrTooRecent) {
			t.Fatalf("purge with retention below the minimum: %v, want ErrTooRecent", err)
		}
		n, err := l.Purge(ctx, now.AddDate(0, -6, 0))
		if err != nil || n != 10 {
			t.Fatalf("purge = %d, %v; want 10 purged", n, err)
		}
		verifyIntact(t, l, 6) // 5 left and the purge entry
		recs, total, err := l.Search(ctx, Filter{Action: "audit.purge"})
		if err != nil || total != 1 || !strings.Contains(recs[0].Detail, "purged 10") {
			t.Fatalf("purge entry: %v %d %v", recs, total, err)
		}
		record(t, l, 3)
		verifyIntact(t, l, 9)
		if n, err := l.Purge(ctx, now.AddDate(0, -7, 0)); err != nil || n != 0 {
			t.Fatalf("second purge = %d, %v; want nothing to purge", n, err)
		}

		// Deleting the first entry left after the purge is still found.
		if _, err := db.ExecContext(ctx, `DELETE FROM audit_log WHERE id = 11`); err != nil {
			t.Fatal(err)
		}
		if _, bad, _ := l.Verify(ctx); bad != 12 {
			t.Errorf("after deleting the first kept entry: first bad #%d, want #12", bad)
		}
		// So is a row put back before the checkpoint.
		if _, err := db.ExecContext(ctx, `INSERT INTO audit_log(id, at, action, result, prev_hash, hash) VALUES (3, ?, 'write', 'ok', '', '')`, now); err != nil {
			t.Fatal(err)
		}
		if _, bad, _ := l.Verify(ctx); bad != 3 {
			t.Errorf("a row before the checkpoint: first bad #%d, want #3", bad)
		}
	})
}

func TestSearchAndExport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		l, c := newLog(t, db)
		record(t, l, 9)
		l.Record(ctx, Entry{Username: "visitor1", Action: "login.failure", Result: Denied, Detail: "=HYPERLINK(\"x\")"})
		for _, tc := range []struct {
			f    Filter
			want int
		}{
			{Filter{}, 10},
			{Filter{User: "user1"}, 3},
			{Filter{Action: "login"}, 4},
			{Filter{Action: "login.failure"}, 1},
			{Filter{Action: "log"}, 0},
			{Filter{Object: "household:4"}, 1},
			{Filter{Object: "household:"}, 9},
			{Filter{From: t0.Add(3500 * time.Microsecond)}, 7},
			{Filter{To: t0.Add(3500 * time.Microsecond)}, 3},
			{Filter{User: "user0", Action: "login", To: c.now()}, 3},
		} {
			recs, total, err := l.Search(ctx, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			if total != tc.want || len(recs) != tc.want {
				t.Errorf("Search(%+v) = %d (%d on the page), want %d", tc.f, total, len(recs), tc.want)
			}
		}
		recs, total, _ := l.Search(ctx, Filter{Page: 2, PerPage: 4})
		if total != 10 || len(recs) != 4 || recs[0].ID != 6 {
			t.Errorf("page 2 of 4: total %d, %d items, first #%d", total, len(recs), recs[0].ID)
		}

		var buf bytes.Buffer
		if err := l.ExportCSV(ctx, &buf, Filter{Action: "login"}); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(buf.String(), "\ufeff编号,时间,") {
			t.Errorf("export starts %q", buf.String()[:min(30, buf.Len())])
		}
		rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), "\ufeff"))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 5 || rows[4][3] != "visitor1" || rows[4][9] != "'=HYPERLINK(\"x\")" {
			t.Errorf("export rows: %q", rows)
		}
		if !strings.HasSuffix(rows[1][1], "+08:00") {
			t.Errorf("export time %q is not in China's time", rows[1][1])
		}
	})
}

func TestRecordRedactsAndChecks(t *testing.T) {
	db := storetest.SQLite(t)
	l, _ := newLog(t, db)
	ctx := context.Background()
	if err := l.Record(ctx, Entry{Action: "write", Result: "maybe"}); err == nil {
		t.Error("an unknown result was accepted")
	}
	if err := l.Record(ctx, Entry{Result: OK}); err == nil {
		t.Error("an entry without an action was accepted")
	}
	if err := l.Record(ctx, Entry{Username: "63010219480305022X", Action: "login.failure", Result: Denied, Detail: "tried 13912345678"}); err != nil {
		t.Fatal(err)
	}
	r, _ := l.ByID(ctx, 1)
	if r.Username != "63****************" || r.Detail != "tried 139****5678" {
		t.Errorf("not redacted: %q %q", r.Username, r.Detail)
	}
	var nilLog *Log
	if err := nilLog.Record(ctx, Entry{Action: "write"}); err != nil {
		t.Errorf("nil log: %v", err)
	}
}
