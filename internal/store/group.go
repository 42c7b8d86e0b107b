package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"
)

// SQLite's write transactions commit in groups.
//
// SQLite runs one write transaction at a time, and with synchronous=FULL
// each commit waits for its fsync: under the morning's load the commits
// held the writer about three quarters of the time (bench/README.md,
// "Write transactions commit in groups"), so the visits and request steps
// queued behind each other's fsyncs. Now the transactions that wait while
// one is being written run, in order of arrival, in the next one: each in
// a savepoint of its own, so one that fails (or panics) is rolled back
// alone and its caller gets its error, and the group commits once, with
// one fsync. Every caller still returns only after its own changes are
// committed; a failed commit fails every caller of the group, none of
// which has been told its changes were kept.
//
// The transactions of a group run one after the other, on the goroutine of
// the first caller (the leader), in one SQLite transaction: each sees what
// those before it wrote, as it would have once they had committed. A
// caller that gives up (its context done) before its turn leaves the
// queue; once its turn has come, its statements run to their end (a
// cancelled statement could roll back the whole group's transaction), and
// it is stopped at its next statement.

// maxGroup bounds the transactions committed together.
const maxGroup = 64

// writeGroup queues the write transactions of a SQLite database.
type writeGroup struct {
	mu      sync.Mutex
	pending []*pendingTx // in order of arrival, not yet taken by a leader
	busy    bool         // a leader is writing a group
	commits int64        // groups committed or rolled back, for tests
}

// pendingTx is one caller's transaction, waiting or written; with no fn,
// a write outside a transaction waiting for its turn (see turn).
type pendingTx struct {
	ctx context.Context
	fn  func(*Tx) error
	// wake says true to the caller that is to lead the next group, false
	// once the caller's outcome (err, panicked) is known.
	wake     chan bool
	err      error
	panicked any
}

// inGroup runs fn in the next group, leading it if no group is being
// written, and returns once the group has committed (or failed).
func (db *DB) inGroup(ctx context.Context, fn func(*Tx) error) error {
	p := &pendingTx{ctx: ctx, fn: fn, wake: make(chan bool, 1)}
	g := db.group
	g.mu.Lock()
	lead := !g.busy
	g.busy = true
	if !lead {
		g.pending = append(g.pending, p)
	}
	g.mu.Unlock()
	if !lead {
		select {
		case lead = <-p.wake:
		case <-ctx.Done():
			g.mu.Lock()
			if i := slices.Index(g.pending, p); i >= 0 {
				g.pending = slices.Delete(g.pending, i, i+1)
				g.mu.Unlock()
				return fmt.Errorf("begin: %w", ctx.Err())
			}
			g.mu.Unlock()
			lead = <-p.wake // taken meanwhile: wait for its outcome
		}
	}
	if lead {
		db.keepMissed(ctx, db.lead(p))
	}
	if p.panicked != nil {
		panic(p.panicked)
	}
	return p.err
}

// lead writes a group that begins with p and takes the transactions that
// wait, then hands the writer on to the first that arrived meanwhile. It
// returns the group's transaction, nil if none began.
func (db *DB) lead(p *pendingTx) *Tx {
	g := db.group
	group := []*pendingTx{p}
	var t *sql.Tx
	ended := false // committed or rolled back, each outcome set
	defer func() {
		if !ended {
			// Left without committing (runtime.Goexit, as t.Fatal in a
			// test's function, or a panic outside the functions): no one
			// in the group was committed.
			if t != nil {
				t.Rollback()
			}
			for _, o := range group {
				if o.err == nil && o.panicked == nil {
					o.err = errors.New("store: the group's transaction was not committed")
				}
			}
		}
		g.mu.Lock()
		g.commits++
		g.mu.Unlock()
		g.handOver()
		for _, o := range group[1:] {
			o.wake <- false
		}
	}()
	// The group's transaction is everyone's: one caller giving up must
	// not roll it back.
	ctx := context.WithoutCancel(p.ctx)
	t, err := db.begin(ctx)
	if err != nil {
		for _, o := range group {
			o.err = fmt.Errorf("begin: %w", err)
		}
		ended = true
		return nil
	}
	tx := &Tx{tx: t, dialect: db.dialect, keys: db.keys, cache: db.stmts, grouped: true}
	var ok []*pendingTx // run without error, to be committed
	fail := func(err error) {
		t.Rollback()
		for _, o := range group {
			if o.err == nil && o.panicked == nil {
				o.err = err
			}
		}
	}
	for i := 0; ; i++ {
		if i == len(group) {
			g.mu.Lock()
			n := min(len(g.pending), maxGroup-len(group))
			if j := slices.IndexFunc(g.pending[:n], func(o *pendingTx) bool { return o.fn == nil }); j >= 0 {
				n = j // a write outside a transaction waits its turn after this group
			}
			group = append(group, g.pending[:n]...)
			g.pending = slices.Delete(g.pending, 0, n)
			g.mu.Unlock()
			if i == len(group) {
				break
			}
		}
		o := group[i]
		if err := o.ctx.Err(); err != nil {
			o.err = fmt.Errorf("begin: %w", err)
			continue
		}
		if err := runSavepoint(ctx, tx, o); err != nil {
			fail(err)
			ended = true
			return tx
		}
		if o.err == nil && o.panicked == nil {
			ok = append(ok, o)
		}
	}
	if err := t.Commit(); err != nil {
		for _, o := range ok {
			o.err = fmt.Errorf("commit: %w", err)
		}
	}
	ended = true
	return tx
}

// runSavepoint runs o's function in a savepoint of tx, setting o's
// outcome, and rolls its changes back when it fails or panics. An error
// returned means the savepoint could not be made, rolled back or
// released: the group's transaction is lost.
func runSavepoint(ctx context.Context, tx *Tx, o *pendingTx) error {
	if _, err := tx.tx.ExecContext(ctx, `SAVEPOINT intx`); err != nil {
		return err
	}
	func() {
		defer func() {
			if r := recover(); r != nil {
				o.panicked = r
			}
		}()
		o.err = o.fn(tx)
	}()
	if o.err != nil || o.panicked != nil {
		if _, err := tx.tx.ExecContext(ctx, `ROLLBACK TO intx`); err != nil {
			return errors.Join(o.err, err)
		}
	}
	_, err := tx.tx.ExecContext(ctx, `RELEASE intx`)
	return err
}

// handOver gives the writer to the first caller waiting, or frees it.
func (g *writeGroup) handOver() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.pending) > 0 {
		next := g.pending[0]
		g.pending = g.pending[1:]
		next.wake <- true
		return
	}
	g.busy = false
}

// turn holds the writer for a write run outside a transaction, on a
// connection of the pool: it waits, in the queue of the groups, until the
// groups before it have committed, at most wait (then, or when ctx is
// done, it runs anyway, in SQLite's busy handler as it did before), and
// returns what gives the writer back. Without it such a write (a session
// stored at sign-in, a throttle's count) waited in the busy handler, which
// polls, while a job's transactions took the lock back to back, and could
// fail with SQLITE_BUSY: a 500 at sign-in while the daily recolouring ran.
func (g *writeGroup) turn(ctx context.Context, wait time.Duration) (done func()) {
	g.mu.Lock()
	if !g.busy {
		g.busy = true
		g.mu.Unlock()
		return g.handOver
	}
	p := &pendingTx{ctx: ctx, wake: make(chan bool, 1)}
	g.pending = append(g.pending, p)
	g.mu.Unlock()
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-p.wake:
		return g.handOver
	case <-ctx.Done():
	case <-t.C:
	}
	g.mu.Lock()
	if i := slices.Index(g.pending, p); i >= 0 {
		g.pending = slices.Delete(g.pending, i, i+1)
		g.mu.Unlock()
		return func() {}
	}
	g.mu.Unlock()
	<-p.wake // its turn came meanwhile
	return g.handOver
}
