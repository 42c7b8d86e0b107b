package api

import (
	"net/http"

	"wanhu/internal/access"
	"wanhu/internal/org"
)

// listScope is the caller's scope for a list that takes ?community= (as
// it takes ?grid=): narrowed to that community when given (inCommunity),
// so that an administrator above several communities lists one of them.
// It only narrows: a community out of scope, a grid's id or any
// community asked by a grid leader or a visitor answers errCommunity,
// the same 404 whether or not it exists; and one community's list leaves
// out what an officer's departments reach elsewhere, as the request
// report does. A bad ?community= (not a positive number) answers 400.
func (h *handler) listScope(r *http.Request) (org.Scope, error) {
	q := &query{r: r}
	community := q.id("community")
	scope := access.Scope(user(r))
	if q.err != nil || community == 0 {
		return scope, q.err
	}
	scope.DepartmentPaths = nil
	return h.inCommunity(r, scope, community)
}
