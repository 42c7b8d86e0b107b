package audit

import (
	"context"
	"sync"
)

// A note is something a domain package noticed while serving a request
// and wants in the audit log under its own action, even when the request
// fails and its transaction is rolled back (an ID number that exists
// outside the writer's scope). The web and API middleware (Writes) give
// each request a place for notes and record them after the handler.
//
// The same place holds what the request did, when the domain says so
// (Describe: "request.accept" on "request:7" rather than a "write" of
// "POST /requests/{id}/{action}"), and whether it only read (ReadOnly).

type notesKey struct{}

type notes struct {
	mu       sync.Mutex
	entries  []Entry
	did      *Entry
	readOnly bool
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

// Describe names what the request ctx belongs to does, for its entry in
// place of the generic "write" of its route: the action ("visit.record",
// "request.resolve"), the object ("household:42", "request:7") and a
// detail without personal data (the route is kept when it is empty). The
// result still comes from the answer, so a domain describes the change
// before it tries it, and a refused or failed one is recorded as such.
//
// The first action described counts: a change made as part of another
// (the need a visit adds, the need a request takes up) does not rename the
// request. Describing the same action again names its object and detail
// better (the id of what was created). It does nothing outside a request
// of the web or the API.
func Describe(ctx context.Context, action, object, detail string) {
	n, _ := ctx.Value(notesKey{}).(*notes)
	if n == nil {
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.did == nil || n.did.Action == action {
		n.did = &Entry{Action: action, Object: object, Detail: detail}
	}
}

// ReadOnly says that the request ctx belongs to only reads, though it was
// posted (a search on a form): it gets no write entry, like any other
// read. Its notes are still recorded.
func ReadOnly(ctx context.Context) {
	n, _ := ctx.Value(notesKey{}).(*notes)
	if n == nil {
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	n.readOnly = true
}

// taken returns the notes made so far.
func (n *notes) taken() []Entry {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.entries
}

// described returns what the request said it did, if it did, and whether
// it said it only read.
func (n *notes) described() (*Entry, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.did, n.readOnly
}
