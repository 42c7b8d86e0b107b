package audit

import (
	"context"
	"sync"
)

// A note is something a domain package noticed while serving a request
// and wants in the audit log under its own action, even when the request
// fails and its transaction is rolled back (an ID number that exists
// outside the writer's scope). The web and API middleware (Writes) give
// each write request a place for notes and record them after the handler.

type notesKey struct{}

type notes struct {
	mu      sync.Mutex
	entries []Entry
}

// withNotes returns ctx with an empty place for notes.
func withNotes(ctx context.Context) (context.Context, *notes) {
	n := &notes{}
	return context.WithValue(ctx, notesKey{}, n), n
}

// Note asks for an entry (action, object, result, detail) in the audit log
// of the request ctx belongs to, beside its "write" entry if it writes. It
// does nothing outside a request of the web or the API (the CLI, jobs).
func Note(ctx context.Context, action, object, result, detail string) {
	n, _ := ctx.Value(notesKey{}).(*notes)
	if n == nil {
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	n.entries = append(n.entries, Entry{Action: action, Object: object, Result: result, Detail: detail})
}

// taken returns the notes made so far.
func (n *notes) taken() []Entry {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.entries
}
