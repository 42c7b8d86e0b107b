package store

// SQLite through modernc.org/sqlite: pure Go, so the binary cross-compiles to
// a community office's Windows PC without cgo.
//
// The pragmas are set in the DSN so that every pooled connection gets them:
// busy_timeout first (a writer waits for another instead of failing at once),
// then WAL (readers never block the writer), foreign_keys (off by default in
// SQLite) and synchronous=FULL (on disk once acked). SQLite allows one writer at
// a time; BEGIN IMMEDIATE (_txlock) takes the write lock at the start of a
// transaction, so two transactions that read then write cannot deadlock.
//
// A new database file is created here, readable by its owner only (0600),
// before SQLite opens it: SQLite would create it 0644 (less the umask), and
// it holds the household files. SQLite gives the -wal and -shm files it
// creates beside it the database file's mode. An existing file keeps the
// mode it has.
//
// The pool keeps its connections open (sqliteConns), and the statements
// run outside transactions stay prepared on them (stmts.go).

import (
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"

	_ "modernc.org/sqlite"
)

// sqliteConns is the size of the pool, every connection kept open when
// idle: database/sql keeps only 2 idle by default, so under load the
// others would be closed and opened again continuously, each time parsing
// the schema and running the pragmas. One more is opened for the write
// transactions and kept by them (DB.begin).
const sqliteConns = 8

func openSQLite(path string) (*DB, error) {
	path = strings.TrimPrefix(path, "sqlite://")
	if err := createPrivate(path); err != nil {
		return nil, err
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(FULL)") // every commit flushed: a PC switched off keeps what was acknowledged (NORMAL loses the last commits; bench/killloop -sync)
	q.Set("_txlock", "immediate")
	q.Set("_time_format", "sqlite")
	dsn := "file:" + path + "?" + q.Encode()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	db.SetMaxOpenConns(sqliteConns + 1)
	db.SetMaxIdleConns(sqliteConns + 1)
	return &DB{sql: db, dialect: SQLite, dsn: path, stmts: &stmtCache{m: map[string]*sql.Stmt{}}, group: &writeGroup{}}, nil
}

// createPrivate creates an empty database file at path with mode 0600,
// unless a file is there already.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("create sqlite %s: %w", path, err)
	}
	return f.Close()
}
