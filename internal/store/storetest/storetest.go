// Package storetest gives tests a fresh, migrated database on each engine:
// SQLite in a temporary directory always, and PostgreSQL in a schema of its
// own when WANHU_TEST_POSTGRES_URL is set.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"wanhu/internal/secret"
	"wanhu/internal/store"
)

// PostgresURLEnv names the variable that enables the PostgreSQL tests.
const PostgresURLEnv = "WANHU_TEST_POSTGRES_URL"

// Each runs fn once per engine as a subtest ("sqlite", "postgres"), each with
// a fresh migrated database. The PostgreSQL run is skipped, saying why, when
// WANHU_TEST_POSTGRES_URL is unset.
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
}

// SQLite returns a fresh migrated SQLite database in t.TempDir(), with
// secret.TestKeyring() as its keys.
func SQLite(t testing.TB) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "test.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.SetKeys(secret.TestKeyring())
	return db
}

// Postgres returns a fresh migrated PostgreSQL database living in a new
// schema that is dropped when the test ends, with secret.TestKeyring() as
// its keys. It skips the test when
// WANHU_TEST_POSTGRES_URL is unset.
func Postgres(t testing.TB) *store.DB {
	t.Helper()
	dsn := PostgresDSN(t)
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.SetKeys(secret.TestKeyring())
	return db
}

// PostgresDSN creates an empty schema for the test and returns a URL whose
// connections use it; the schema is dropped at cleanup.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	base := os.Getenv(PostgresURLEnv)
	if base == "" {
		t.Skip("PostgreSQL tests skipped: set " + PostgresURLEnv + " (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable)")
	}
	ctx := context.Background()
	admin, err := store.OpenNoMigrate(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "wanhu_test_" + hex.EncodeToString(b)
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Scan scans row into dest and fails the test when the query failed, so
// that a broken query cannot pass as a count of zero.
func Scan(t testing.TB, row *sql.Row, dest ...any) {
	t.Helper()
	if err := row.Scan(dest...); err != nil {
		t.Fatalf("query: %v", err)
	}
}

// ScanAll calls scan for each of rows and fails the test when the query,
// a scan or the iteration failed. It closes rows.
func ScanAll(t testing.TB, rows *sql.Rows, err error, scan func(rows *sql.Rows) error) {
	t.Helper()
	if err != nil {
		t.Fatalf("query: %v", err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			t.Fatalf("scan: %v", err)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("rows: %v", err)
	}
}
