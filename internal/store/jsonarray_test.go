package store

import (
	"context"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"
)

// TestJSONArray: the values of a flat array as json_array makes them
// (strings with escapes, numbers, nulls), and what is not one of n
// values is refused.
func TestJSONArray(t *testing.T) {
	got, err := JSONArray(`[1, "王 \"强\"\n", null, -2.5e3, ""]`, 5)
	want := []JSONValue{{S: "1"}, {S: "王 \"强\"\n"}, {Null: true}, {S: "-2.5e3"}, {S: ""}}
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("got %+v, %v; want %+v", got, err, want)
	}
	for _, bad := range []string{`[1,2]`, `[1,2,3,4]`, `[1,2,3] x`, `[1,2,"3]`, `1,2,3`, `[1,[2],3]`, ``} {
		if v, err := JSONArray(bad, 3); err == nil {
			t.Errorf("%q: %+v, want an error", bad, v)
		}
	}
}

// TestSQLiteJSONArrayOfColumns: json_array hands over a row's values as
// the columns would be (text, integers, null, a timestamp's stored text).
func TestSQLiteJSONArrayOfColumns(t *testing.T) {
	ctx := context.Background()
	db, err := openSQLite(filepath.Join(t.TempDir(), "json.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `CREATE TABLE r(s TEXT, n INTEGER, z TEXT, at TIMESTAMP)`); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 12, 6, 8, 30, 0, 123, time.UTC)
	if _, err := db.ExecContext(ctx, `INSERT INTO r VALUES (?, ?, NULL, ?)`, "a\"b\\c\u0001王", int64(-9007199254740993), at); err != nil {
		t.Fatal(err)
	}
	var js, s, stored string
	var n int64
	if err := db.QueryRowContext(ctx, `SELECT json_array(s, n, z, at), s, n, CAST(at AS TEXT) FROM r`).Scan(&js, &s, &n, &stored); err != nil {
		t.Fatal(err)
	}
	v, err := JSONArray(js, 4)
	if err != nil {
		t.Fatal(err)
	}
	if v[0].S != s || v[1].S != "-9007199254740993" || n != -9007199254740993 || !v[2].Null || v[3].S != stored {
		t.Errorf("json_array %s: %+v; columns %q %d %q", js, v, s, n, stored)
	}
}

// TestSQLiteBriefReadsUnwatched: a brief read (Brief) on SQLite starts no
// goroutine to watch its context while its rows are open, as a read
// with a context that can end does (database/sql's); a context already
// ended fails it before it starts; a write with a brief context is
// watched as ever.
func TestSQLiteBriefReadsUnwatched(t *testing.T) {
	ctx := context.Background()
	db, err := openSQLite(filepath.Join(t.TempDir(), "brief.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `CREATE TABLE kv(k TEXT PRIMARY KEY, v TEXT)`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO kv VALUES ('a', '1'), ('b', '2')`); err != nil {
		t.Fatal(err)
	}
	read := `SELECT v FROM kv ORDER BY k`
	goroutines := func(c context.Context) int {
		runtime.GC()
		before := runtime.NumGoroutine()
		rows, err := db.QueryContext(c, read)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		if !rows.Next() {
			t.Fatal("no row")
		}
		time.Sleep(10 * time.Millisecond) // let a watcher start
		return runtime.NumGoroutine() - before
	}
	c, cancel := context.WithCancel(ctx)
	defer cancel()
	if n := goroutines(c); n < 1 {
		t.Errorf("a read with a context that can end: %d more goroutines, want a watcher", n)
	}
	if n := goroutines(Brief(c)); n != 0 {
		t.Errorf("a brief read: %d more goroutines, want none", n)
	}
	var v string
	if err := db.QueryRowContext(Brief(c), `SELECT v FROM kv WHERE k = ?`, "b").Scan(&v); err != nil || v != "2" {
		t.Errorf("a brief row: %q, %v", v, err)
	}
	ended, end := context.WithCancel(ctx)
	end()
	if _, err := db.QueryContext(Brief(ended), read); err != context.Canceled {
		t.Errorf("a brief read with an ended context: %v, want context.Canceled", err)
	}
	if err := db.QueryRowContext(Brief(ended), `SELECT v FROM kv WHERE k = ?`, "a").Scan(&v); err != context.Canceled {
		t.Errorf("a brief row with an ended context: %v, want context.Canceled", err)
	}
	if _, err := db.unwatched(Brief(c), `UPDATE kv SET v = '3'`); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.unwatched(Brief(c), `UPDATE kv SET v = '3'`); got.Done() == nil {
		t.Error("a write with a brief context is not watched")
	}
}

// TestJSONArrayInto: JSONArrayInto reads what JSONArray reads, into the
// caller's array, allocating nothing for a row without escapes.
func TestJSONArrayInto(t *testing.T) {
	const row = `["a",12,null,"王 \"一\""]`
	want, err := JSONArray(row, 4)
	if err != nil {
		t.Fatal(err)
	}
	var buf [4]JSONValue
	got, err := JSONArrayInto(buf[:0], row, 4)
	if err != nil || len(got) != 4 || &got[0] != &buf[0] {
		t.Fatalf("JSONArrayInto = %v, %v, not in the caller's array", got, err)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("value %d: %+v, JSONArray: %+v", i, got[i], want[i])
		}
	}
	if _, err := JSONArrayInto(buf[:0], `["a",12,null]`, 4); err == nil {
		t.Error("a value short: no error")
	}
	if n := testing.AllocsPerRun(100, func() {
		var buf [3]JSONValue
		if _, err := JSONArrayInto(buf[:0], `["a",12,null]`, 3); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("JSONArrayInto allocates %v times a row", n)
	}
}
