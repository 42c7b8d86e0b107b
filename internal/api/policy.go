package api

import (
	"net/http"
	"strings"

	"wanhu/internal/auth"
	"wanhu/internal/household"
)

// action is something a user may or may not do through the API.
type action string

const (
	actRead      action = "read"      // see households, persons, rosters, the ledger
	actWrite     action = "write"     // change households, persons, needs, plans, colours
	actConfigure action = "configure" // change tags and colour rules
)

// may decides whether u may do act. It is the one place the API asks, so
// roles and scopes (a later issue) change here: for now every signed-in
// user is trusted with the household files, and configuration needs Admin.
func may(u *auth.User, act action) bool {
	switch act {
	case actConfigure:
		return u.Has(auth.Admin)
	default:
		return u != nil
	}
}

// unmasked decides whether u sees full ID and phone numbers in a single
// household's file or person. Lists are always masked, whoever asks.
func unmasked(u *auth.User) bool { return u.Has(auth.Admin) }

// user returns the signed-in user of r (set by authenticated).
func user(r *http.Request) *auth.User { return auth.FromContext(r.Context()).User }

// actor is the signed-in user as the ledger names them.
func actor(r *http.Request) household.Actor {
	u := user(r)
	return household.Actor{ID: u.ID, Name: u.DisplayName}
}

// allow returns errForbidden unless the user of r may do act.
func allow(r *http.Request, act action) error {
	if !may(user(r), act) {
		return errForbidden
	}
	return nil
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
			h.fail(w, r, err)
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
