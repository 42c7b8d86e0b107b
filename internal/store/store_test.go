package store_test

import (
	"context"
	"sort"
	"strings"
	"testing"

	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

func TestRebind(t *testing.T) {
	db := storetest.SQLite(t)
	if got := db.Rebind("SELECT ? WHERE a = '?'"); got != "SELECT ? WHERE a = '?'" {
		t.Errorf("sqlite rebind changed the query: %q", got)
	}
}

func TestInTxRollsBack(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		err := db.InTx(ctx, func(tx *store.Tx) error {
			if _, err := tx.ExecContext(ctx, "INSERT INTO settings(key, value, updated_at) VALUES (?, ?, CURRENT_TIMESTAMP)", "k", "v"); err != nil {
				return err
			}
			return context.Canceled
		})
		if err != context.Canceled {
			t.Fatalf("InTx returned %v, want the callback's error", err)
		}
		var n int
		if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM settings").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("rolled-back insert left %d rows", n)
		}
	})
}

// TestEnginesHaveSameSchema proves that both engines' migrations end with the
// same tables and columns.
func TestEnginesHaveSameSchema(t *testing.T) {
	lite := columns(t, storetest.SQLite(t))
	pg := columns(t, storetest.Postgres(t))
	if strings.Join(lite, "\n") != strings.Join(pg, "\n") {
		t.Errorf("schemas differ\nsqlite:\n%s\n\npostgres:\n%s", strings.Join(lite, "\n"), strings.Join(pg, "\n"))
	}
}

func columns(t *testing.T, db *store.DB) []string {
	t.Helper()
	ctx := context.Background()
	// A full-text table of SQLite (and its shadow tables) is an index in
	// all but name: PostgreSQL has an index in its place.
	q := `SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p
	      WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> 'goose_db_version'
	        AND NOT EXISTS (SELECT 1 FROM sqlite_master v WHERE v.type = 'table' AND v.sql LIKE 'CREATE VIRTUAL TABLE%'
	                        AND (m.name = v.name OR m.name LIKE v.name || '\_%' ESCAPE '\'))`
	if db.Dialect() == store.Postgres {
		q = `SELECT table_name, column_name FROM information_schema.columns
		     WHERE table_schema = current_schema() AND table_name <> 'goose_db_version'`
	}
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var tbl, col string
		if err := rows.Scan(&tbl, &col); err != nil {
			t.Fatal(err)
		}
		out = append(out, tbl+"."+col)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(out) < 50 {
		t.Fatalf("only %d columns found", len(out))
	}
	sort.Strings(out)
	return out
}

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://wanhu:s3cret@db:5432/wanhu": "postgres://wanhu:xxxxx@db:5432/wanhu",
		"postgres://wanhu@db/wanhu":             "postgres://wanhu@db/wanhu",
		"wanhu-demo.db":                         "wanhu-demo.db",
	} {
		if got := store.Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}
