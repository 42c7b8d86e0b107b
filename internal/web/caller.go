package web

import (
	"net/http"

	"wanhu/internal/access"
	"wanhu/internal/apperr"
	"wanhu/internal/auth"
	"wanhu/internal/household"
)

// files returns the household files as the signed-in user may see them:
// what is out of their scope answers 404, like what does not exist.
func (h *handler) files(r *http.Request) *household.Store {
	return h.households.In(access.Scope(user(r)))
}

// user returns the signed-in user of r.
func user(r *http.Request) *auth.User {
	if s := auth.FromContext(r.Context()); s != nil {
		return s.User
	}
	return nil
}

// can reports whether the signed-in user may do a (access decides).
func can(r *http.Request, a access.Action) bool { return access.Can(user(r), a) }

// errNotYours is what a record or page out of the user's reach looks like:
// the same as one that does not exist.
var errNotYours = apperr.ErrNotFound
