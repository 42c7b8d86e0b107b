package store

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// holdAndRelease takes n connections of db's pool at once, then gives
// them all back.
func holdAndRelease(t *testing.T, db *sql.DB, n int) {
	t.Helper()
	var conns []*sql.Conn
	for range n {
		c, err := db.Conn(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	for _, c := range conns {
		c.Close()
	}
}

// TestSQLitePoolKeepsItsConnections: after a burst that uses the whole
// pool, every connection stays open for the next one (database/sql's
// default kept 2 and closed the others, so under load connections were
// opened again continuously, each with its pragmas).
func TestSQLitePoolKeepsItsConnections(t *testing.T) {
	db, err := openSQLite(filepath.Join(t.TempDir(), "pool.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	holdAndRelease(t, db.sql, sqliteConns)
	holdAndRelease(t, db.sql, sqliteConns)
	s := db.sql.Stats()
	// One more than the readers': the write transactions' (DB.begin).
	if s.MaxOpenConnections != sqliteConns+1 || s.Idle != sqliteConns || s.MaxIdleClosed != 0 {
		t.Errorf("pool after two bursts: max open %d, idle %d, closed as surplus idle %d; want %d, %d, 0",
			s.MaxOpenConnections, s.Idle, s.MaxIdleClosed, sqliteConns+1, sqliteConns)
	}
}

// TestPostgresPoolKeepsItsConnections: the same for PostgreSQL.
func TestPostgresPoolKeepsItsConnections(t *testing.T) {
	dsn := os.Getenv("WANHU_TEST_POSTGRES_URL")
	if dsn == "" {
		t.Skip("WANHU_TEST_POSTGRES_URL is not set: no PostgreSQL to open")
	}
	db, err := openPostgres(dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	holdAndRelease(t, db.sql, 6)
	holdAndRelease(t, db.sql, 6)
	if s := db.sql.Stats(); s.MaxOpenConnections != postgresConns || s.Idle != 6 || s.MaxIdleClosed != 0 {
		t.Errorf("pool after two bursts of 6: max open %d, idle %d, closed as surplus idle %d", s.MaxOpenConnections, s.Idle, s.MaxIdleClosed)
	}
}

// TestPostgresWithoutJIT: the pool's sessions run without JIT compilation,
// unless the URL asks for it.
func TestPostgresWithoutJIT(t *testing.T) {
	dsn := os.Getenv("WANHU_TEST_POSTGRES_URL")
	if dsn == "" {
		t.Skip("WANHU_TEST_POSTGRES_URL is not set: no PostgreSQL to open")
	}
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	for url, want := range map[string]string{dsn: "off", dsn + sep + "jit=on": "on"} {
		db, err := openPostgres(url)
		if err != nil {
			t.Fatal(err)
		}
		var jit string
		err = db.QueryRowContext(context.Background(), `SHOW jit`).Scan(&jit)
		db.Close()
		if err != nil || jit != want {
			t.Errorf("jit with %q: %q, %v; want %q", strings.TrimPrefix(url, dsn), jit, err, want)
		}
	}
}

// TestSQLiteStatementsStayPrepared: a query run outside a transaction is
// prepared once and reused, sees what was written after it was prepared
// (a kept statement holds no snapshot), and a query with a long IN list
// is not kept.
func TestSQLiteStatementsStayPrepared(t *testing.T) {
	ctx := context.Background()
	db, err := openSQLite(filepath.Join(t.TempDir(), "stmts.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `CREATE TABLE kv(k TEXT PRIMARY KEY, v TEXT)`); err != nil {
		t.Fatal(err)
	}
	read := `SELECT v FROM kv WHERE k = ?`
	var v string
	if err := db.QueryRowContext(ctx, read, "a").Scan(&v); err != sql.ErrNoRows {
		t.Fatalf("first read: %v", err)
	}
	first := db.stmts.m[read]
	if first == nil {
		t.Fatal("the read was not kept prepared")
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO kv(k, v) VALUES (?, ?)`, "a", "1"); err != nil {
		t.Fatal(err)
	}
	err = db.InTx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE kv SET v = ? WHERE k = ?`, "2", "a")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := db.QueryRowContext(ctx, read, "a").Scan(&v); err != nil || v != "2" {
			t.Fatalf("read after the writes: %q %v, want 2", v, err)
		}
	}
	if db.stmts.m[read] != first {
		t.Error("the read was prepared again")
	}
	long := `SELECT COUNT(*) FROM kv WHERE k IN (?` + strings.Repeat(", ?", 19) + `)`
	args := make([]any, 20)
	for i := range args {
		args[i] = "a"
	}
	var n int
	if err := db.QueryRowContext(ctx, long, args...).Scan(&n); err != nil || n != 1 {
		t.Fatalf("long IN list: %d %v", n, err)
	}
	if _, kept := db.stmts.m[long]; kept {
		t.Error("a query with a long IN list was kept")
	}
	if err := db.QueryRowContext(ctx, `SELECT x FROM nowhere`).Scan(&n); err == nil || !strings.Contains(err.Error(), "no such table") {
		t.Errorf("a bad query: %v, want its own error", err)
	}
}

// TestSQLiteWritersWaitWithoutAConnection: transactions that wait for
// SQLite's one writer wait holding no connection of the pool, so a read
// still gets one while they queue; every transaction still commits.
func TestSQLiteWritersWaitWithoutAConnection(t *testing.T) {
	db, err := openSQLite(filepath.Join(t.TempDir(), "writers.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, `CREATE TABLE n (i INTEGER)`); err != nil {
		t.Fatal(err)
	}
	// The writers' statement is kept prepared once a first transaction
	// has run it; the leader that missed it prepares it on the pool after
	// handing the writer on, which would count here as a second
	// connection in use.
	insert := func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO n VALUES (1)`)
		return err
	}
	if err := db.InTx(ctx, insert); err != nil {
		t.Fatal(err)
	}
	const writers = 3 * sqliteConns
	inside := make(chan struct{})
	release := make(chan struct{})
	done := make(chan error, writers)
	for range writers {
		go func() {
			done <- db.InTx(ctx, func(tx *Tx) error {
				inside <- struct{}{}
				<-release
				return insert(tx)
			})
		}()
	}
	for i := range writers {
		<-inside // one writer is inside its transaction; the others wait
		if got := db.sql.Stats().InUse; got != 1 {
			t.Errorf("writer %d inside: %d connections in use, want 1 (the others wait without one)", i, got)
		}
		var one int
		if err := db.QueryRowContext(ctx, `SELECT 1`).Scan(&one); err != nil {
			t.Fatalf("a read while writers queue: %v", err)
		}
		release <- struct{}{}
	}
	for range writers {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	var n int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM n`).Scan(&n); err != nil || n != writers+1 {
		t.Fatalf("%d rows, %v; want %d", n, err, writers+1)
	}
}

// TestSQLiteWriteOutsideATxTakesItsTurn: while a job runs transactions
// back to back (the daily recolouring), a write outside any transaction
// (a session stored at sign-in) and an INSERT … RETURNING take their turn
// at the writers' gate: each runs within a transaction or two, where in
// SQLite's busy handler they waited until the job ended or busy_timeout
// failed them (SQLITE_BUSY: a 500 at sign-in).
func TestSQLiteWriteOutsideATxTakesItsTurn(t *testing.T) {
	db, err := openSQLite(filepath.Join(t.TempDir(), "turn.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, `CREATE TABLE n (i INTEGER)`); err != nil {
		t.Fatal(err)
	}
	const job = 6 * time.Second
	stop := make(chan struct{})
	jobDone := make(chan error, 1)
	go func() {
		end := time.Now().Add(job)
		for time.Now().Before(end) {
			select {
			case <-stop:
				jobDone <- nil
				return
			default:
			}
			err := db.InTx(ctx, func(tx *Tx) error {
				_, err := tx.ExecContext(ctx, `INSERT INTO n VALUES (0)`)
				time.Sleep(20 * time.Millisecond)
				return err
			})
			if err != nil {
				jobDone <- err
				return
			}
		}
		jobDone <- nil
	}()
	time.Sleep(100 * time.Millisecond)
	for _, w := range []struct {
		name string
		run  func() error
	}{
		{"exec", func() error { _, err := db.ExecContext(ctx, `INSERT INTO n VALUES (1)`); return err }},
		{"insert returning", func() error {
			var i int
			return db.QueryRowContext(ctx, `INSERT INTO n VALUES (2) RETURNING i`).Scan(&i)
		}},
	} {
		start := time.Now()
		err := w.run()
		if took := time.Since(start); err != nil || took > 2*time.Second {
			t.Errorf("%s during the job: %v after %s; want done within a few of its transactions", w.name, err, took.Round(time.Millisecond))
		}
	}
	close(stop)
	if err := <-jobDone; err != nil {
		t.Fatal(err)
	}
}
