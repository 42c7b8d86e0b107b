package store

import (
	"context"
	"database/sql"
	"strings"
	"sync"
	"unicode"
)

// stmtCache keeps the statements a SQLite database runs outside
// transactions prepared, by their SQL text. modernc.org/sqlite prepares
// every query anew (pgx keeps a cache per connection, so PostgreSQL needs
// none): under load, preparing took a third of the CPU of a signed-in
// request. A *sql.Stmt prepares itself once on each pooled connection it
// runs on and keeps it; the pool keeps its connections (sqliteConns), so a
// hot query is prepared at most sqliteConns times.
//
// The cache is bounded: queries with long IN lists (each length a text of
// its own) are not kept, and once it holds maxCachedStmts statements, new
// texts run unprepared as before.
type stmtCache struct {
	mu sync.RWMutex
	m  map[string]*sql.Stmt
}

// maxCachedStmts bounds the statements kept (each on up to sqliteConns
// connections).
const maxCachedStmts = 400

// stmt returns q prepared on db, or nil when q is not to be cached or
// cannot be prepared (the caller then runs q as it is and gets its error).
func (c *stmtCache) stmt(ctx context.Context, db *sql.DB, q string) *sql.Stmt {
	if c == nil {
		return nil
	}
	c.mu.RLock()
	st, ok := c.m[q]
	n := len(c.m)
	c.mu.RUnlock()
	if ok {
		return st
	}
	if n >= maxCachedStmts || strings.Count(q, "?") > 16 {
		return nil
	}
	st, err := db.PrepareContext(ctx, q)
	if err != nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.m[q]; ok {
		st.Close()
		return old
	}
	c.m[q] = st
	return st
}

// get returns q's kept statement, or nil.
func (c *stmtCache) get(q string) *sql.Stmt {
	if c == nil {
		return nil
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.m[q]
}

// keepInTx reports whether q, run in a transaction, is to be kept: a
// single statement reading or writing rows (a transaction also runs the
// migrations' DDL, each text once).
func keepInTx(q string) bool {
	q = strings.TrimSpace(q)
	if strings.Contains(strings.TrimSuffix(q, ";"), ";") || strings.Count(q, "?") > 16 {
		return false
	}
	w := q
	if i := strings.IndexFunc(q, unicode.IsSpace); i > 0 {
		w = q[:i]
	}
	switch strings.ToUpper(w) {
	case "SELECT", "INSERT", "UPDATE", "DELETE", "WITH", "REPLACE":
		return true
	}
	return false
}

// close closes the cached statements.
func (c *stmtCache) close() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for q, st := range c.m {
		st.Close()
		delete(c.m, q)
	}
}
