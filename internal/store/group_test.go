package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// groups returns how many groups db has written.
func groups(db *DB) int64 {
	db.group.mu.Lock()
	defer db.group.mu.Unlock()
	return db.group.commits
}

// queued waits until n transactions wait for the next group.
func queued(t *testing.T, db *DB, n int) {
	t.Helper()
	for start := time.Now(); ; time.Sleep(time.Millisecond) {
		db.group.mu.Lock()
		got := len(db.group.pending)
		db.group.mu.Unlock()
		if got == n {
			return
		}
		if time.Since(start) > 10*time.Second {
			t.Fatalf("%d transactions wait, want %d", got, n)
		}
	}
}

// TestSQLiteWritesCommitInGroups: the transactions that arrive while one is
// being written commit together, in one SQLite transaction, in order of
// arrival; one that fails or panics is rolled back alone, and its caller
// alone gets its error or panic.
func TestSQLiteWritesCommitInGroups(t *testing.T) {
	ctx := context.Background()
	db, err := openSQLite(filepath.Join(t.TempDir(), "group.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `CREATE TABLE n (i INTEGER PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	insert := func(i int) func(tx *Tx) error {
		return func(tx *Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO n VALUES (?)`, i)
			return err
		}
	}
	before := groups(db)
	inside, release := make(chan struct{}), make(chan struct{})
	first := make(chan error, 1)
	go func() {
		first <- db.InTx(ctx, func(tx *Tx) error {
			close(inside)
			<-release
			return insert(0)(tx)
		})
	}()
	<-inside
	const n = 10
	failed := errors.New("refused")
	type outcome struct {
		i        int
		err      error
		panicked any
	}
	done := make(chan outcome, n)
	for i := 1; i <= n; i++ {
		fn := insert(i)
		switch i {
		case 4: // writes, then fails: its row must go
			fn = func(tx *Tx) error {
				if err := insert(4)(tx); err != nil {
					return err
				}
				return failed
			}
		case 6: // writes, then panics
			fn = func(tx *Tx) error {
				insert(6)(tx)
				panic("six")
			}
		case 8: // sees what the transactions before it in the group wrote
			fn = func(tx *Tx) error {
				var c int
				if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM n`).Scan(&c); err != nil {
					return err
				}
				if c != 6 { // 0, 1, 2, 3, 5, 7
					return fmt.Errorf("the eighth sees %d rows, want 6", c)
				}
				return insert(8)(tx)
			}
		}
		go func() {
			o := outcome{i: i}
			defer func() {
				o.panicked = recover()
				done <- o
			}()
			o.err = db.InTx(ctx, fn)
		}()
		queued(t, db, i) // in order of arrival
	}
	close(release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	for range n {
		o := <-done
		switch {
		case o.i == 4 && !errors.Is(o.err, failed):
			t.Errorf("the failing transaction answered %v, want its own error", o.err)
		case o.i == 6 && o.panicked != "six":
			t.Errorf("the panicking transaction's caller: panic %v, err %v; want its panic", o.panicked, o.err)
		case o.i != 4 && o.i != 6 && (o.err != nil || o.panicked != nil):
			t.Errorf("transaction %d: %v %v", o.i, o.err, o.panicked)
		}
	}
	// The leader takes, before it commits, the ten that queued meanwhile.
	if got := groups(db) - before; got != 1 {
		t.Errorf("%d groups written, want 1 (the first and the ten that waited)", got)
	}
	var got []string
	rows, err := db.QueryContext(ctx, `SELECT i FROM n ORDER BY i`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var i string
		rows.Scan(&i)
		got = append(got, i)
	}
	if s := strings.Join(got, ","); s != "0,1,2,3,5,7,8,9,10" {
		t.Errorf("rows %s, want 0,1,2,3,5,7,8,9,10 (4 failed, 6 panicked)", s)
	}
}

// TestSQLiteWriterGivesUpBeforeItsTurn: a transaction whose context ends
// while it waits leaves the queue without running; the others still
// commit.
func TestSQLiteWriterGivesUpBeforeItsTurn(t *testing.T) {
	db, err := openSQLite(filepath.Join(t.TempDir(), "cancel.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, `CREATE TABLE n (i INTEGER)`); err != nil {
		t.Fatal(err)
	}
	inside, release := make(chan struct{}), make(chan struct{})
	first := make(chan error, 1)
	go func() {
		first <- db.InTx(ctx, func(tx *Tx) error {
			close(inside)
			<-release
			_, err := tx.ExecContext(ctx, `INSERT INTO n VALUES (1)`)
			return err
		})
	}()
	<-inside
	cctx, cancel := context.WithCancel(ctx)
	gaveUp := make(chan error, 1)
	ran := false
	go func() {
		gaveUp <- db.InTx(cctx, func(tx *Tx) error {
			ran = true
			return nil
		})
	}()
	queued(t, db, 1)
	cancel()
	if err := <-gaveUp; !errors.Is(err, context.Canceled) {
		t.Errorf("a writer that gave up: %v, want context.Canceled", err)
	}
	queued(t, db, 0)
	close(release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if ran {
		t.Error("the transaction that gave up ran")
	}
	// The queue still works.
	if err := db.InTx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO n VALUES (2)`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var c int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM n`).Scan(&c); err != nil || c != 2 {
		t.Fatalf("%d rows, %v; want 2", c, err)
	}
}

// TestSQLiteStatementsInTransactionsStayPrepared: a statement run in a
// transaction is kept after it, and the next transaction runs it from
// the cache.
func TestSQLiteStatementsInTransactionsStayPrepared(t *testing.T) {
	db, err := openSQLite(filepath.Join(t.TempDir(), "txstmts.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, `CREATE TABLE kv(k TEXT PRIMARY KEY, v TEXT)`); err != nil {
		t.Fatal(err)
	}
	put := `INSERT INTO kv(k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v`
	ddl := `CREATE TABLE other(x INTEGER)`
	for i, v := range []string{"a", "b"} {
		var fromCache bool
		err := db.InTx(ctx, func(tx *Tx) error {
			fromCache = tx.cache.get(put) != nil
			if _, err := tx.ExecContext(ctx, put, "k", v); err != nil {
				return err
			}
			if i == 0 {
				_, err := tx.ExecContext(ctx, ddl)
				return err
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if fromCache != (i == 1) {
			t.Errorf("transaction %d: statement kept before it %v, want %v", i, fromCache, i == 1)
		}
	}
	if db.stmts.get(ddl) != nil {
		t.Error("a CREATE TABLE run in a transaction was kept")
	}
	var v string
	if err := db.QueryRowContext(ctx, `SELECT v FROM kv WHERE k = 'k'`).Scan(&v); err != nil || v != "b" {
		t.Fatalf("v = %q, %v; want b", v, err)
	}
}

// TestSQLiteGroupLeftWithoutCommitting: when the leader's goroutine ends
// in the middle of a group (runtime.Goexit, as t.Fatal in a function), no
// transaction of the group is committed and none of the callers is told
// it was; the next transaction leads a group of its own.
func TestSQLiteGroupLeftWithoutCommitting(t *testing.T) {
	db, err := openSQLite(filepath.Join(t.TempDir(), "goexit.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, `CREATE TABLE n (i INTEGER)`); err != nil {
		t.Fatal(err)
	}
	insert := func(i int) func(tx *Tx) error {
		return func(tx *Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO n VALUES (?)`, i)
			return err
		}
	}
	inside, release, leaderGone := make(chan struct{}), make(chan struct{}), make(chan struct{})
	go func() {
		defer close(leaderGone)
		db.InTx(ctx, func(tx *Tx) error {
			close(inside)
			<-release
			return insert(0)(tx)
		})
	}()
	<-inside
	errs := make(chan error, 2)
	go func() { errs <- db.InTx(ctx, insert(1)) }()
	queued(t, db, 1)
	go func() { errs <- db.InTx(ctx, func(tx *Tx) error { runtime.Goexit(); return nil }) }()
	queued(t, db, 2)
	close(release)
	<-leaderGone
	for range 2 {
		if err := <-errs; err == nil {
			t.Error("a caller of a group that was not committed was told it was")
		}
	}
	if err := db.InTx(ctx, insert(2)); err != nil {
		t.Fatal(err)
	}
	var got string
	if err := db.QueryRowContext(ctx, `SELECT group_concat(i) FROM n`).Scan(&got); err != nil || got != "2" {
		t.Fatalf("rows %q, %v; want only 2", got, err)
	}
}
