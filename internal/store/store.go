// Package store opens the database, applies the embedded migrations and
// hides the few differences between the two engines Wanhu runs on: SQLite
// for one community on one machine, PostgreSQL for a city on several.
//
// Domain packages write portable SQL with "?" placeholders and run it through
// a Querier; the store rewrites placeholders for PostgreSQL. Dates and age
// cut-offs are computed in Go and passed as parameters, so no SQL needs the
// engines' date functions.
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"wanhu/internal/secret"
)

// Dialect names a database engine.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// Querier is what domain code runs SQL through: a *DB or a *Tx.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	Dialect() Dialect
}

// DB is an open database of either engine.
type DB struct {
	sql     *sql.DB
	dialect Dialect
	dsn     string
	keys    *secret.Keyring
	stmts   *stmtCache // SQLite's prepared statements (nil on PostgreSQL)
	// group queues SQLite's write transactions and commits them together
	// (nil on PostgreSQL); see InTx. wconn is the connection they run on,
	// taken from the pool by the first and used only by the leader of a
	// group (see begin).
	group *writeGroup
	wconn *sql.Conn
}

// Open opens a SQLite file path or a postgres:// URL and applies the
// migrations.
func Open(ctx context.Context, dsn string) (*DB, error) {
	db, err := OpenNoMigrate(ctx, dsn)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// OpenNoMigrate opens the database without touching its schema.
func OpenNoMigrate(ctx context.Context, dsn string) (*DB, error) {
	if dsn == "" {
		return nil, errors.New("no database given (--db PATH or postgres://…)")
	}
	var (
		db  *DB
		err error
	)
	if IsPostgresURL(dsn) {
		db, err = openPostgres(dsn)
	} else {
		db, err = openSQLite(dsn)
	}
	if err != nil {
		return nil, err
	}
	if err := db.sql.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to %s database: %w%s", db.dialect, err, openHint(db, err))
	}
	return db, nil
}

// IsPostgresURL reports whether dsn names a PostgreSQL database.
func IsPostgresURL(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Redact returns dsn with any password replaced, for messages and logs.
func Redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return dsn
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// Dialect returns the engine of db.
func (db *DB) Dialect() Dialect { return db.dialect }

// SQL returns the underlying *sql.DB, for bulk loaders and health checks.
func (db *DB) SQL() *sql.DB { return db.sql }

// SetKeys gives db the keyring that seals and opens personal data (ID
// numbers, phones) and hashes it for search. The keys come from a key file,
// never from the database.
func (db *DB) SetKeys(k *secret.Keyring) { db.keys = k }

// Keys returns the keyring set by SetKeys, or nil.
func (db *DB) Keys() *secret.Keyring { return db.keys }

// KeysOf returns the keyring of a Querier (a *DB or a *Tx, or anything with
// a Keys method), or nil; a nil keyring refuses to seal or open.
func KeysOf(q Querier) *secret.Keyring {
	if k, ok := q.(interface{ Keys() *secret.Keyring }); ok {
		return k.Keys()
	}
	return nil
}

// Close closes the database.
func (db *DB) Close() error {
	if g := db.group; g != nil {
		// Give the writer's connection back unless a group is being
		// written (left to the pool's Close).
		g.mu.Lock()
		if !g.busy && db.wconn != nil {
			db.wconn.Close()
			db.wconn = nil
		}
		g.mu.Unlock()
	}
	db.stmts.close()
	return db.sql.Close()
}

// ExecContext runs q outside any transaction. On SQLite it first waits
// its turn at the gate of the writers, as InTx does (see turn).
func (db *DB) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	defer db.turn(ctx, q)()
	if st := db.stmts.stmt(ctx, db.sql, q); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return db.sql.ExecContext(ctx, db.Rebind(q), args...)
}

// QueryContext runs q outside any transaction. A brief read (Brief) on
// SQLite runs unwatched by ctx (see Brief).
func (db *DB) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	ctx, err := db.unwatched(ctx, q)
	if err != nil {
		return nil, err
	}
	if st := db.stmts.stmt(ctx, db.sql, q); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return db.sql.QueryContext(ctx, db.Rebind(q), args...)
}

// QueryRowContext runs q outside any transaction; a write (INSERT …
// RETURNING) waits its turn at the gate on SQLite, as ExecContext does.
func (db *DB) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	if isWrite(q) {
		defer db.turn(ctx, q)()
	} else if c, err := db.unwatched(ctx, q); err == nil {
		ctx = c
	}
	if st := db.stmts.stmt(ctx, db.sql, q); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return db.sql.QueryRowContext(ctx, db.Rebind(q), args...)
}

// Brief marks ctx for brief reads: each reads a bounded handful of rows
// through an index (a session by its id, one household's file), so it
// ends within a fraction of a millisecond of starting. On SQLite such a
// read is not watched for ctx's end: database/sql and modernc.org/sqlite
// each start a goroutine per query to watch a context that can end (a
// request's can): `SELECT 1` took 6–9 µs of CPU so, 2–3 µs without
// (bench/README.md, "The household JSON (h2, stop 29)"). ctx is looked at before the read starts
// (an ended ctx fails it as before); a read that has started runs to its
// end, which for a brief read is sooner than a watcher would stop it. A
// write is always watched, and PostgreSQL's reads are (a read there waits
// on the network).
func Brief(ctx context.Context) context.Context { return context.WithValue(ctx, briefKey{}, true) }

type briefKey struct{}

// unwatched returns ctx without its end when it is Brief, db is SQLite
// and q reads (see Brief), or ctx's error if it has ended already.
func (db *DB) unwatched(ctx context.Context, q string) (context.Context, error) {
	if db.dialect != SQLite || ctx.Done() == nil || ctx.Value(briefKey{}) == nil || isWrite(q) {
		return ctx, nil
	}
	if err := ctx.Err(); err != nil {
		return ctx, err
	}
	return context.WithoutCancel(ctx), nil
}

// Rebind rewrites "?" placeholders as "$1", "$2", … for PostgreSQL. A "?"
// inside a quoted string literal is left alone.
func (db *DB) Rebind(q string) string { return rebind(db.dialect, q) }

func rebind(d Dialect, q string) string {
	if d != Postgres || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 8)
	n, inQuote := 0, false
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\'':
			inQuote = !inQuote
		case c == '?' && !inQuote:
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// Tx is a transaction; it rebinds like DB.
type Tx struct {
	tx      *sql.Tx
	dialect Dialect
	keys    *secret.Keyring
	stmts   map[string]*sql.Stmt // prepared by Prepared, or taken from cache
	// cache is the database's kept statements (SQLite; nil on
	// PostgreSQL): a statement kept there runs in the transaction without
	// being prepared again (see stmt). missed are the texts the
	// transaction ran that were not kept yet: InTx keeps them once the
	// transaction has ended (on SQLite, once its group has committed).
	cache  *stmtCache
	missed []string
	// grouped: the transaction is a group's (SQLite, group.go); a
	// statement runs to its end whatever its context, which is looked at
	// before it starts.
	grouped bool
}

func (tx *Tx) Dialect() Dialect { return tx.dialect }

// Keys returns the keyring of the database the transaction runs on.
func (tx *Tx) Keys() *secret.Keyring { return tx.keys }

func (tx *Tx) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if tx.grouped {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		ctx = context.WithoutCancel(ctx)
	}
	if st := tx.stmt(ctx, q); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return tx.tx.ExecContext(ctx, rebind(tx.dialect, q), args...)
}

func (tx *Tx) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if tx.grouped {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		ctx = context.WithoutCancel(ctx)
	}
	if st := tx.stmt(ctx, q); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return tx.tx.QueryContext(ctx, rebind(tx.dialect, q), args...)
}

func (tx *Tx) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	if tx.grouped {
		if ctx.Err() != nil {
			return tx.tx.QueryRowContext(ctx, rebind(tx.dialect, q), args...) // answers ctx's error
		}
		ctx = context.WithoutCancel(ctx)
	}
	if st := tx.stmt(ctx, q); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return tx.tx.QueryRowContext(ctx, rebind(tx.dialect, q), args...)
}

// stmt returns q's kept statement for use in the transaction, or nil
// (q then runs prepared anew, as outside the cache). On SQLite the write
// transactions run one at a time: preparing their statements anew each
// time was CPU spent while every other writer waited. A kept statement is
// prepared once on each connection it runs on, the writer's included, and
// stays prepared there. A text not yet kept is noted, and kept once the
// transaction has committed (group.go), never by taking another
// connection while SQLite's write lock is held.
func (tx *Tx) stmt(ctx context.Context, q string) *sql.Stmt {
	if tx.cache == nil {
		return nil
	}
	if st, ok := tx.stmts[q]; ok {
		return st
	}
	kept := tx.cache.get(q)
	if kept == nil {
		if keepInTx(q) && len(tx.missed) < 32 {
			tx.missed = append(tx.missed, q)
		}
		return nil
	}
	st := tx.tx.StmtContext(ctx, kept)
	if tx.stmts == nil {
		tx.stmts = map[string]*sql.Stmt{}
	}
	tx.stmts[q] = st
	return st
}

// Prepare prepares q (rebound) for repeated use inside the transaction.
func (tx *Tx) Prepare(ctx context.Context, q string) (*sql.Stmt, error) {
	return tx.tx.PrepareContext(ctx, rebind(tx.dialect, q))
}

// Prepared returns q (rebound) prepared in the transaction, once: the
// same statement for the same q until the transaction ends, which closes
// it. For statements a bulk load runs thousands of times.
func (tx *Tx) Prepared(ctx context.Context, q string) (*sql.Stmt, error) {
	if st, ok := tx.stmts[q]; ok {
		return st, nil
	}
	st, err := tx.Prepare(ctx, q)
	if err != nil {
		return nil, err
	}
	if tx.stmts == nil {
		tx.stmts = map[string]*sql.Stmt{}
	}
	tx.stmts[q] = st
	return st, nil
}

// turnWait is how long a statement run outside a transaction waits at the
// gate of the writers before it runs anyway, as it did before the gate
// (SQLite's busy_timeout then applies): a bound, so that a write run
// through the *DB inside an InTx of the same goroutine fails as it did
// rather than waiting for ever, and one behind a long transaction (an
// import applied in one) waits at most this much longer than it did. The
// transactions of a job take a fraction of a second each; the gate lets
// the writers in the order they came.
const turnWait = 5 * time.Second

// turn waits, on SQLite, for the writer (see group.go) before a write q
// run outside a transaction, and returns what gives it back.
func (db *DB) turn(ctx context.Context, q string) (done func()) {
	if db.group == nil || TxOf(ctx) != nil || !isWrite(q) {
		return func() {}
	}
	return db.group.turn(ctx, turnWait)
}

// isWrite reports whether q begins with INSERT, UPDATE, DELETE or REPLACE
// (after any space): a statement that takes SQLite's write lock.
func isWrite(q string) bool {
	q = strings.TrimLeft(q, " \t\r\n")
	if len(q) < 6 {
		return false
	}
	switch strings.ToUpper(q[:6]) {
	case "INSERT", "UPDATE", "DELETE", "REPLAC":
		return true
	}
	return false
}

// InTx runs fn in a transaction, committing when fn returns nil and rolling
// back otherwise, so a failed change leaves the data as it was.
//
// Within a transaction joined to ctx by WithTx, InTx runs fn in that
// transaction instead, so several domains' changes commit or fail together.
func (db *DB) InTx(ctx context.Context, fn func(tx *Tx) error) (err error) {
	if outer, ok := ctx.Value(txKey{}).(*Tx); ok {
		return fn(outer)
	}
	// SQLite runs one write transaction at a time (BEGIN IMMEDIATE).
	// The others wait in Go, holding no connection, rather than in
	// SQLite's busy handler, which sleeps while it holds one of the
	// pool's few connections (under load the waiting writers took every
	// connection and the reads queued behind them); and they commit
	// together (group.go).
	if db.group != nil {
		return db.inGroup(ctx, fn)
	}
	t, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			t.Rollback()
			panic(p)
		}
	}()
	if err := fn(&Tx{tx: t, dialect: db.dialect, keys: db.keys}); err != nil {
		t.Rollback()
		return err
	}
	if err := t.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// keepMissed keeps the statements tx (nil: none) prepared anew (see
// Tx.stmt). It takes a connection of the pool for each: the caller holds
// none, and no group is waiting for it.
func (db *DB) keepMissed(ctx context.Context, tx *Tx) {
	if tx == nil {
		return
	}
	for _, q := range tx.missed {
		db.stmts.stmt(ctx, db.sql, q)
	}
	tx.missed = nil
}

// begin begins a SQLite write transaction, for the leader of a group
// (group.go), on the writer's connection, kept out of the pool for write
// transactions: a writer that took a connection from the pool waited,
// holding SQLite's one write lock, behind every read queued for one, and
// prepared its statements on whichever connection it got.
func (db *DB) begin(ctx context.Context) (*sql.Tx, error) {
	for try := 0; ; try++ {
		if db.wconn == nil {
			c, err := db.sql.Conn(ctx)
			if err != nil {
				return nil, err
			}
			db.wconn = c
		}
		t, err := db.wconn.BeginTx(ctx, nil)
		if err == nil || try > 0 || !(errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone)) {
			return t, err
		}
		// The connection broke: take another.
		db.wconn.Close()
		db.wconn = nil
	}
}

type txKey struct{}

// TxOf returns the transaction joined to ctx by WithTx, or nil.
func TxOf(ctx context.Context) *Tx {
	tx, _ := ctx.Value(txKey{}).(*Tx)
	return tx
}

// WithTx returns ctx carrying tx: every InTx run with the returned context
// joins tx rather than beginning a transaction of its own.
func WithTx(ctx context.Context, tx *Tx) context.Context {
	return context.WithValue(ctx, txKey{}, tx)
}

// IsUniqueViolation reports whether err is a unique-constraint violation on
// either engine.
func IsUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	s := err.Error()
	return strings.Contains(s, "UNIQUE constraint failed") || strings.Contains(s, "SQLSTATE 23505")
}

// IDs returns the integers (ids) the query selects, in its order; never
// nil.
func IDs(ctx context.Context, q Querier, query string, args ...any) ([]int64, error) {
	out := []int64{}
	err := Each(ctx, q, query, args, func(rows *sql.Rows) error {
		var id int64
		err := rows.Scan(&id)
		out = append(out, id)
		return err
	})
	return out, err
}

// Each runs query and calls scan for each row it returns, stopping at the
// first error.
func Each(ctx context.Context, q Querier, query string, args []any, scan func(*sql.Rows) error) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
