package api

import (
	"net/http"
	"strings"

	"wanhu/internal/access"
	"wanhu/internal/auth"
	"wanhu/internal/household"
	"wanhu/internal/org"
)

// user returns the signed-in user of r (set by authenticated).
func user(r *http.Request) *auth.User { return auth.FromContext(r.Context()).User }

// actor is the signed-in user as the ledger names them.
func actor(r *http.Request) household.Actor {
	u := user(r)
	return household.Actor{ID: u.ID, Name: u.DisplayName}
}

// allow returns errForbidden unless the user of r may do a (access is the
// one place that decides).
func allow(r *http.Request, a access.Action) error {
	if !access.Can(user(r), a) {
		return errForbidden
	}
	return nil
}

// writeInput reads what every writer of a record needs: the {id} of the
// path and the JSON body into in. The route table has checked the right
// to write before, so a role that may not learns nothing from the body's
// checks.
func writeInput(w http.ResponseWriter, r *http.Request, in any) (int64, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, err
	}
	return id, decode(w, r, in)
}

// files returns the household files as the user of r may see them:
// whatever is out of their scope answers 404, like what does not exist.
func (h *handler) files(r *http.Request) *household.Store {
	return h.d.Households.In(access.Scope(user(r)))
}

// filesIn is the household files of scope: a list's (listScope).
func (h *handler) filesIn(scope org.Scope) *household.Store {
	return h.d.Households.In(scope)
}

// authenticated lets a request through only with a live API bearer token,
// putting its session into the request's context.
func (h *handler) authenticated(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		token, ok := bearer(r)
		if !ok {
			h.fail(w, r, errUnauthorized)
			return
		}
		s, err := h.d.Auth.Authenticate(r.Context(), token, auth.API)
		if err != nil {
			h.fail(w, r, enrolError(err))
			return
		}
		next(w, r.WithContext(auth.WithSession(r.Context(), s)))
	}
}

// bearer returns the token of an "Authorization: Bearer" header.
func bearer(r *http.Request) (string, bool) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	token = strings.TrimSpace(token)
	return token, ok && strings.EqualFold(scheme, "Bearer") && token != ""
}
