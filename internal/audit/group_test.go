package audit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// holdFirst makes the first entry stored wait until n more entries wait
// behind it, so that those n are committed as one batch. fail, if set,
// fails the entries it returns true for.
func holdFirst(l *Log, n int, fail func(Record) bool) {
	var once sync.Once
	l.beforeInsert = func(r Record) error {
		once.Do(func() {
			for {
				l.group.mu.Lock()
				waiting := len(l.group.pending)
				l.group.mu.Unlock()
				if waiting == n {
					return
				}
				time.Sleep(time.Millisecond)
			}
		})
		if fail != nil && fail(r) {
			return errors.New("refused by the test")
		}
		return nil
	}
}

func batches(l *Log) int64 {
	l.group.mu.Lock()
	defer l.group.mu.Unlock()
	return l.group.batches
}

// entries returns the entries whose object starts with prefix, by id.
func entries(t *testing.T, db *store.DB, prefix string) []Record {
	t.Helper()
	var out []Record
	rows, err := db.QueryContext(context.Background(), `SELECT id, at, action, object FROM audit_log WHERE object LIKE ? ORDER BY id`, prefix+"%")
	storetest.ScanAll(t, rows, err, func(rows *sql.Rows) error {
		var r Record
		if err := rows.Scan(&r.ID, &r.At, &r.Action, &r.Object); err != nil {
			return err
		}
		out = append(out, r)
		return nil
	})
	return out
}

func TestConcurrentRecordsCommitTogether(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		l, _ := newLog(t, db)
		const n = 20
		holdFirst(l, n-1, nil)
		first := make(chan error, 1)
		go func() {
			first <- l.Record(context.Background(), Entry{Username: "a", Action: "write", Object: "thing:0"})
		}()
		// The first caller writes its batch of one; the others arrive
		// while it does and wait.
		for {
			l.group.mu.Lock()
			busy := l.group.busy
			l.group.mu.Unlock()
			if busy {
				break
			}
			time.Sleep(time.Millisecond)
		}
		errs := make(chan error, n)
		for i := 1; i < n; i++ {
			go func() {
				errs <- l.Record(context.Background(), Entry{Username: "a", Action: "write", Object: fmt.Sprintf("thing:%d", i)})
			}()
		}
		if err := <-first; err != nil {
			t.Fatal(err)
		}
		for i := 1; i < n; i++ {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		if got := batches(l); got != 2 {
			t.Errorf("%d entries were committed in %d batches, want 2 (the first alone, then the %d that waited)", n, got, n-1)
		}
		got := entries(t, db, "thing:")
		if len(got) != n {
			t.Fatalf("%d entries stored, want %d", len(got), n)
		}
		// Ids follow the order of arrival, which the times record.
		for i := 1; i < len(got); i++ {
			if got[i].ID != got[i-1].ID+1 || !got[i].At.After(got[i-1].At) {
				t.Errorf("entry #%d at %s follows #%d at %s: ids must be consecutive and in order of arrival",
					got[i].ID, got[i].At, got[i-1].ID, got[i-1].At)
			}
		}
		verifyIntact(t, l, n)
	})
}

func TestFailedEntryFailsOnlyItsCaller(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		l, _ := newLog(t, db)
		const n = 12
		holdFirst(l, n-1, func(r Record) bool { return r.Object == "thing:bad" })
		first := make(chan error, 1)
		go func() {
			first <- l.Record(context.Background(), Entry{Username: "a", Action: "write", Object: "thing:first"})
		}()
		for {
			l.group.mu.Lock()
			busy := l.group.busy
			l.group.mu.Unlock()
			if busy {
				break
			}
			time.Sleep(time.Millisecond)
		}
		type result struct {
			object string
			err    error
		}
		results := make(chan result, n)
		for i := 1; i < n; i++ {
			obj := fmt.Sprintf("thing:%d", i)
			if i == n/2 {
				obj = "thing:bad"
			}
			go func() {
				results <- result{obj, l.Record(context.Background(), Entry{Username: "a", Action: "write", Object: obj})}
			}()
		}
		if err := <-first; err != nil {
			t.Fatal(err)
		}
		for i := 1; i < n; i++ {
			r := <-results
			if r.object == "thing:bad" && r.err == nil {
				t.Errorf("the entry that could not be stored returned no error")
			}
			if r.object != "thing:bad" && r.err != nil {
				t.Errorf("%s failed with the entry beside it in its batch: %v", r.object, r.err)
			}
		}
		got := entries(t, db, "thing:")
		if len(got) != n-1 {
			t.Fatalf("%d entries stored, want %d (all but the one refused)", len(got), n-1)
		}
		for _, r := range got {
			if r.Object == "thing:bad" {
				t.Errorf("the refused entry was stored as #%d", r.ID)
			}
		}
		verifyIntact(t, l, n-1)
	})
}

// TestWritesAnswerAfterTheirEntryIsCommitted sends concurrent writes
// through the web and API middleware: each answer comes only once its
// request's entry is in the log, and the chain holds.
func TestWritesAnswerAfterTheirEntryIsCommitted(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		l, _ := newLog(t, db)
		const n = 16
		// The first entry waits for the others, so that most answers
		// wait for a batch written by another request.
		holdFirst(l, n-1, nil)
		a := Web{Log: l, Addr: func(*http.Request) string { return "127.0.0.1" }, Errs: slog.New(slog.NewTextHandler(io.Discard, nil))}
		mux := http.NewServeMux()
		mux.HandleFunc("POST /things/{id}", a.Writes(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusCreated)
		}))
		srv := httptest.NewServer(mux)
		defer srv.Close()
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				resp, err := http.Post(fmt.Sprintf("%s/things/%d", srv.URL, i), "text/plain", nil)
				if err != nil {
					errs <- err
					return
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusCreated {
					errs <- fmt.Errorf("thing %d: status %d", i, resp.StatusCode)
					return
				}
				var count int
				if err := db.QueryRowContext(context.Background(),
					`SELECT COUNT(*) FROM audit_log WHERE object = ? AND action = 'write' AND result = 'ok'`, fmt.Sprintf("thing:%d", i)).Scan(&count); err != nil {
					errs <- err
					return
				}
				if count != 1 {
					errs <- fmt.Errorf("thing %d was answered with %d entries in the log, want 1", i, count)
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		if got := batches(l); got >= n {
			t.Errorf("%d requests took %d commits: they were not grouped", n, got)
		}
		verifyIntact(t, l, n)
	})
}
