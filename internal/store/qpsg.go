package store

import (
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"reflect"

	"modernc.org/libc"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// SQLite re-prepares a statement before it runs whenever the query planner
// looked at one of its bound values when it chose the plan: and it looks
// at them in more places than the documentation says (a join or a
// DISTINCT with "col = ?" is enough in SQLite 3.54), so every statement
// kept prepared (stmts.go) with such a condition was compiled again at
// each run with another household, user or path: 8% of the CPU of the
// household page, most of that of a household's programme enrolments
// (issue 15). The query planner stability guarantee (QPSG) turns that
// off: a statement keeps the plan it was prepared with, whatever its
// values. Wanhu loses nothing by it: no column has the NOCASE collation
// that lets LIKE use an index, the partial indexes are met by constants
// in the statements' text, and sqlite_stat4, which estimates rows from
// values, stays empty (only gen analyses, with analysis_limit).
//
// modernc.org/sqlite has no option for it, so every new connection sets
// it through the driver's handle, which the driver keeps as the first two
// fields of its connection. Should a later version of the driver lay out
// its connection otherwise, the connection opens without QPSG, as before,
// and TestStablePlans fails.
func init() {
	sqlite.RegisterConnectionHook(func(c sqlite.ExecQuerierContext, _ string) error {
		if db, tls, ok := sqliteHandle(c); ok {
			if _, err := qpsg(tls, db, 1); err != nil {
				return err
			}
		}
		return nil
	})
}

// sqliteHandle returns the SQLite connection and the C thread state of
// driver connection c, a *modernc.org/sqlite.conn, or false if its fields
// are not (db uintptr, tls *libc.TLS, ...).
func sqliteHandle(c any) (db uintptr, tls *libc.TLS, ok bool) {
	v := reflect.ValueOf(c)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return 0, nil, false
	}
	s := v.Elem()
	t := s.Type()
	if t.NumField() < 2 || t.Field(0).Name != "db" || t.Field(0).Type.Kind() != reflect.Uintptr ||
		t.Field(1).Name != "tls" || t.Field(1).Type != reflect.TypeFor[*libc.TLS]() {
		return 0, nil, false
	}
	return uintptr(s.Field(0).Uint()), (*libc.TLS)(s.Field(1).UnsafePointer()), true
}

// qpsg sets the QPSG of connection db to on (1, or 0), or only reads it
// (-1), and returns it as it is then.
func qpsg(tls *libc.TLS, db uintptr, on int32) (bool, error) {
	// C memory, not Go's, for both: SQLite writes the result through a
	// pointer, which -race's pointer checks refuse into Go's heap.
	bp := libc.Xmalloc(tls, 24) // the two arguments, 8 bytes each, then the result
	if bp == 0 {
		return false, fmt.Errorf("sqlite: no memory to set the QPSG")
	}
	defer libc.Xfree(tls, bp)
	res := bp + 16
	if rc := sqlite3.Xsqlite3_db_config(tls, db, sqlite3.SQLITE_DBCONFIG_ENABLE_QPSG, libc.VaList(bp, on, res)); rc != sqlite3.SQLITE_OK {
		return false, fmt.Errorf("sqlite: sqlite3_db_config(QPSG) returned %d", rc)
	}
	return binary.NativeEndian.Uint32(libc.GoBytes(res, 4)) != 0, nil
}

// stablePlans reports whether connection c of an SQLite database keeps
// its statements' plans whatever their values (QPSG).
func stablePlans(ctx context.Context, c *sql.Conn) (bool, error) {
	var on bool
	err := c.Raw(func(dc any) error {
		db, tls, ok := sqliteHandle(dc)
		if !ok {
			return fmt.Errorf("sqlite: the driver's connection is %T, laid out otherwise", dc)
		}
		var err error
		on, err = qpsg(tls, db, -1)
		return err
	})
	return on, err
}
