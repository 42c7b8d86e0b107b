package store

// SQLite through modernc.org/sqlite: pure Go, so the binary cross-compiles to
// a community office's Windows PC without cgo.
//
// The pragmas are set in the DSN so that every pooled connection gets them:
// busy_timeout first (a writer waits for another instead of failing at once),
// then WAL (readers never block the writer), foreign_keys (off by default in
// SQLite) and synchronous=NORMAL (safe with WAL). SQLite allows one writer at
// a time; BEGIN IMMEDIATE (_txlock) takes the write lock at the start of a
// transaction, so two transactions that read then write cannot deadlock.

import (
	"database/sql"
	"fmt"
	"net/url"
	"strings"

	_ "modernc.org/sqlite"
)

func openSQLite(path string) (*DB, error) {
	path = strings.TrimPrefix(path, "sqlite://")
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_txlock", "immediate")
	q.Set("_time_format", "sqlite")
	dsn := "file:" + path + "?" + q.Encode()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	db.SetMaxOpenConns(8)
	return &DB{sql: db, dialect: SQLite, dsn: path}, nil
}
