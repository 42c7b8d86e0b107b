package store

import (
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"

	"wanhu/internal/apperr"
)

// SQLite's primary result codes that mean the file cannot be written
// (https://sqlite.org/rescode.html); extended codes carry them in their
// low byte (SQLITE_READONLY_DBMOVED is 1032: the file was moved or
// deleted under the open database).
const (
	sqliteReadOnly = 8
	sqliteCantOpen = 14
	sqliteIOErr    = 10
	sqliteFull     = 13
)

// Fault returns the apperr.Storage that err is, or holds, when the
// database could not write for a reason outside the program: a full disk
// (SQLITE_FULL; PostgreSQL 53100 disk_full), a read-only database
// (SQLITE_READONLY, e.g. a file moved away under it or a read-only mount;
// PostgreSQL 25006 read_only_sql_transaction, a standby) or a disk error
// (SQLITE_IOERR; PostgreSQL 58030 io_error). nil otherwise. The faces
// answer it with 503 and a message that says what to do, instead of a
// bare 500.
func Fault(err error) *apperr.Storage {
	if err == nil {
		return nil
	}
	var st *apperr.Storage
	if errors.As(err, &st) {
		return st
	}
	kind := ""
	var se *sqlite.Error
	var pe *pgconn.PgError
	switch {
	case errors.As(err, &se):
		switch se.Code() & 0xff {
		case sqliteFull:
			kind = "storage_full"
		case sqliteReadOnly:
			kind = "read_only"
		case sqliteIOErr:
			kind = "storage_io"
		}
	case errors.As(err, &pe):
		switch pe.Code {
		case "53100":
			kind = "storage_full"
		case "25006":
			kind = "read_only"
		case "58030":
			kind = "storage_io"
		}
	}
	if kind == "" {
		return nil
	}
	return &apperr.Storage{Kind: kind, Err: err}
}

// openHint is what to check when a SQLite file cannot be opened or
// written at start: SQLite says only "unable to open database file".
// In WAL mode it must create and write the -wal and -shm files beside the
// database, so a read-only folder or disk stops it even for reading.
func openHint(db *DB, err error) string {
	var se *sqlite.Error
	if db.dialect != SQLite || !errors.As(err, &se) {
		return ""
	}
	switch se.Code() & 0xff {
	case sqliteCantOpen, sqliteReadOnly:
		return fmt.Sprintf(" (check that %s and its folder exist and that this user may write both: a read-only folder or disk cannot hold a Wanhu database, which writes %s-wal and %s-shm beside it)",
			db.dsn, db.dsn, db.dsn)
	}
	return ""
}
