package audit

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// legacyLog writes n entries as Wanhu wrote them before the key: chained
// with plain SHA-256, the first after prev (a checkpoint's hash, or "").
func legacyLog(t *testing.T, db *store.DB, first int64, n int, prev string) {
	t.Helper()
	for id := first; id < first+int64(n); id++ {
		r := Record{ID: id, At: t0.Add(time.Duration(id) * time.Second).Truncate(time.Microsecond), UserID: 1, Username: "old", Role: "admin",
			Action: "write", Object: fmt.Sprintf("household:%d", id), Result: OK, PrevHash: prev}
		r.Hash = r.legacyHash()
		insertRaw(t, db, r)
		prev = r.Hash
	}
}

// insertRaw stores r as it is, as someone writing the database would.
func insertRaw(t *testing.T, db *store.DB, r Record) {
	t.Helper()
	if _, err := db.ExecContext(context.Background(), `INSERT INTO audit_log(id, at, user_id, username, role, ip, action, object, result, detail, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, r.ID, r.At, r.UserID, r.Username, r.Role, r.IP, r.Action, r.Object, r.Result, r.Detail, r.PrevHash, r.Hash); err != nil {
		t.Fatal(err)
	}
}

func exec(t *testing.T, db *store.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.ExecContext(context.Background(), q, args...); err != nil {
		t.Fatal(err)
	}
}

// rekeyEntries returns the "audit.rekey" entries.
func rekeyEntries(t *testing.T, l *Log) []Record {
	t.Helper()
	recs, _, err := l.Search(context.Background(), Filter{Action: "audit.rekey"})
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func firstBad(t *testing.T, l *Log) int64 {
	t.Helper()
	_, bad, err := l.Verify(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return bad
}

// TestOldLogIsKeyedOnce: a log an older Wanhu chained with plain SHA-256,
// after a purge, is re-chained under the key by the first keyed writer,
// once, and from then on verifies; before, it does not.
func TestOldLogIsKeyedOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		purged := Record{ID: 3, At: t0, Action: "write", Result: OK}
		purged.Hash = purged.legacyHash()
		exec(t, db, `INSERT INTO audit_checkpoints(at, purged_before, purged_count, last_purged_id, last_purged_hash) VALUES (?, ?, 3, 3, ?)`,
			t0.Add(time.Hour), t0.Add(time.Minute), purged.Hash)
		legacyLog(t, db, 4, 10, purged.Hash)
		l, _ := newLog(t, db)
		if bad := firstBad(t, l); bad != 3 {
			t.Fatalf("an unkeyed log: first bad #%d, want the unsigned checkpoint #3", bad)
		}

		// Several servers start at once on the old log.
		var wg sync.WaitGroup
		errs := make(chan error, 6)
		for g := range 6 {
			wg.Go(func() {
				errs <- New(db).Record(ctx, Entry{Username: fmt.Sprintf("g%d", g), Action: "write"})
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		verifyIntact(t, l, 10+1+6)
		rk := rekeyEntries(t, l)
		if len(rk) != 1 || rk[0].ID != 14 || rk[0].Result != OK || !strings.Contains(rk[0].Detail, "re-chained 10 entries") || !strings.Contains(rk[0].Detail, "1 purge checkpoints") {
			t.Fatalf("rekey entries: %+v", rk)
		}
		for id := int64(4); id <= 13; id++ {
			r, _ := l.ByID(ctx, id)
			if r.Hash == r.legacyHash() || r.Hash != r.keyedHash(db.Keys()) {
				t.Fatalf("entry #%d is not keyed", id)
			}
		}
		// The old entries are keyed now: put back one as it was, and it breaks.
		r, _ := l.ByID(ctx, 8)
		exec(t, db, `UPDATE audit_log SET hash = ? WHERE id = 8`, r.legacyHash())
		if bad := firstBad(t, l); bad != 8 {
			t.Errorf("an old-style entry after keying: first bad #%d, want #8", bad)
		}
	})
}

// TestRekeyKeepsOldBreaks: an entry the old chain already did not hold is
// not blessed by re-chaining; Verify still finds it.
func TestRekeyKeepsOldBreaks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		legacyLog(t, db, 1, 10, "")
		exec(t, db, `UPDATE audit_log SET detail = 'edited before the upgrade' WHERE id = 6`)
		l, _ := newLog(t, db)
		record(t, l, 1)
		rk := rekeyEntries(t, l)
		if len(rk) != 1 || rk[0].Result != Error || !strings.Contains(rk[0].Detail, "left 1 entries") {
			t.Fatalf("rekey entries: %+v", rk)
		}
		if bad := firstBad(t, l); bad != 6 {
			t.Errorf("first bad #%d, want #6 as before the upgrade", bad)
		}
	})
}

// TestRekeyCrashLeavesOldLog: keying runs in one transaction; if it does
// not commit (a crash), the log is as it was and the next writer keys it.
func TestRekeyCrashLeavesOldLog(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		legacyLog(t, db, 1, 5, "")
		l, _ := newLog(t, db)
		crash := errors.New("crash")
		err := db.InTx(ctx, func(tx *store.Tx) error {
			if _, err := l.prepare(ctx, tx, t0); err != nil {
				return err
			}
			return crash
		})
		if !errors.Is(err, crash) {
			t.Fatal(err)
		}
		var version int
		if err := db.QueryRowContext(ctx, `SELECT version FROM audit_chain`).Scan(&version); err != nil || version != 1 {
			t.Fatalf("version after a crash = %d, %v", version, err)
		}
		for id := int64(1); id <= 5; id++ {
			if r, _ := l.ByID(ctx, id); r.Hash != r.legacyHash() {
				t.Fatalf("entry #%d changed by a keying that did not commit", id)
			}
		}
		record(t, l, 1)
		verifyIntact(t, l, 5+1+1)
	})
}

// TestNoRekeyOfAKeyedLog: someone who cannot compute keyed hashes makes a
// keyed log look like an old one (the chain marked unkeyed, their entries
// chained with plain SHA-256), hoping the next server re-chains their
// entries under the key. It does not while any entry, checkpoint or anchor
// is keyed, and says so in the log.
func TestNoRekeyOfAKeyedLog(t *testing.T) {
	cases := []struct {
		name    string
		tamper  func(t *testing.T, db *store.DB, l *Log)
		wantBad int64
	}{
		{"old-style entries appended", func(t *testing.T, db *store.DB, l *Log) {
			head, _ := l.ByID(context.Background(), 5)
			legacyLog(t, db, 6, 2, head.Hash)
		}, 6},
		{"whole log re-chained old-style, anchor kept", func(t *testing.T, db *store.DB, l *Log) {
			if _, err := l.Anchor(context.Background()); err != nil {
				t.Fatal(err)
			}
			exec(t, db, `DELETE FROM audit_log`)
			legacyLog(t, db, 1, 5, "")
		}, 1},
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				for _, q := range []string{`DELETE FROM audit_log`, `DELETE FROM audit_anchors`, `UPDATE audit_chain SET version = 1`} {
					exec(t, db, q)
				}
				l, _ := newLog(t, db)
				record(t, l, 5)
				c.tamper(t, db, l)
				exec(t, db, `UPDATE audit_chain SET version = 1`)
				record(t, New(db), 1) // a server writes on
				rk := rekeyEntries(t, l)
				if len(rk) != 1 || rk[0].Result != Error || !strings.Contains(rk[0].Detail, "not re-chained") {
					t.Fatalf("rekey entries: %+v", rk)
				}
				if bad := firstBad(t, l); bad != c.wantBad {
					t.Errorf("first bad #%d, want #%d", bad, c.wantBad)
				}
			})
		}
	})
}

// TestForgedCheckpointFound: a purge checkpoint that the key did not sign
// cannot hide deleted entries, and a genuine one cannot be moved.
func TestForgedCheckpointFound(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		l, c := newLog(t, db)
		now := time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)
		c.set(now.AddDate(0, -8, 0))
		record(t, l, 10)
		c.set(now)
		// A purge of nothing old enough leaves no checkpoint; forge one.
		e4, _ := l.ByID(ctx, 4)
		exec(t, db, `INSERT INTO audit_checkpoints(at, purged_before, purged_count, last_purged_id, last_purged_hash, mac) VALUES (?, ?, 4, 4, ?, ?)`,
			now, now.AddDate(0, -7, 0), e4.Hash, strings.Repeat("ab", 32))
		exec(t, db, `DELETE FROM audit_log WHERE id <= 4`)
		rep, err := l.Check(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Break == nil || rep.Break.Record.ID != 4 || !strings.Contains(rep.Break.Reason, "checkpoint") {
			t.Fatalf("a forged checkpoint: %+v", rep.Break)
		}

		// A genuine purge verifies; its checkpoint moved does not.
		exec(t, db, `DELETE FROM audit_checkpoints`)
		exec(t, db, `DELETE FROM audit_log`)
		exec(t, db, `DELETE FROM audit_anchors`)
		c.set(now.AddDate(0, -8, 0))
		record(t, l, 10)
		c.set(now)
		if n, err := l.Purge(ctx, now.AddDate(0, -6, 0)); err != nil || n != 10 {
			t.Fatalf("purge = %d, %v", n, err)
		}
		verifyIntact(t, l, 1)
		exec(t, db, `UPDATE audit_checkpoints SET purged_count = 3`)
		if bad := firstBad(t, l); bad != 10 {
			t.Errorf("an edited checkpoint: first bad #%d, want #10", bad)
		}
	})
}

func TestNoKey(t *testing.T) {
	db := storetest.SQLite(t)
	db.SetKeys(nil)
	l := New(db)
	if err := l.Record(context.Background(), Entry{Action: "write"}); !errors.Is(err, ErrNoKey) {
		t.Errorf("Record without a key: %v", err)
	}
	if _, err := l.Check(context.Background()); !errors.Is(err, ErrNoKey) {
		t.Errorf("Check without a key: %v", err)
	}
	if _, err := l.Anchor(context.Background()); !errors.Is(err, ErrNoKey) {
		t.Errorf("Anchor without a key: %v", err)
	}
}
