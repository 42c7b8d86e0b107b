package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
)

// TestStablePlans: every connection of an SQLite database keeps its
// statements' plans whatever their values (the QPSG, set by the
// connection hook): the pool's first connection and a second one held at
// the same time. The check reads the setting back from SQLite: turned off
// on one connection, it reads off there and still on on the other.
func TestStablePlans(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var conns []*sql.Conn
	for range 2 {
		c, err := db.sql.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if err := c.PingContext(ctx); err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	want := func(c *sql.Conn, on bool) {
		t.Helper()
		got, err := stablePlans(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		if got != on {
			t.Errorf("QPSG %v, want %v", got, on)
		}
	}
	want(conns[0], true)
	want(conns[1], true)
	if err := conns[1].Raw(func(dc any) error {
		db, tls, _ := sqliteHandle(dc)
		_, err := qpsg(tls, db, 0)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	want(conns[1], false)
	want(conns[0], true)
}
