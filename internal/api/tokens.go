package api

import (
	"net/http"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/auth"
)

// tokenInput asks for a personal access token.
type tokenInput struct {
	Name          string   `json:"name"`
	Scopes        []string `json:"scopes"`
	ExpiresInDays int      `json:"expires_in_days"`
}

// newToken is a created token: the only time the token itself is shown.
type newToken struct {
	auth.Token
	Plain string `json:"token"`
}

// scoped refuses a change (any method but GET and HEAD) made with a
// read-only personal access token.
func (h *handler) scoped(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead && !auth.FromContext(r.Context()).MayWrite() {
			h.fail(w, r, errReadOnlyToken)
			return
		}
		next(w, r)
	}
}

var errReadOnlyToken = &apiError{http.StatusForbidden, "forbidden", "this token has the read scope only", ""}

// errTokenSession: tokens are managed with a login session, not with a token.
var errTokenSession = &apiError{http.StatusForbidden, "forbidden", "manage tokens after signing in with a password, not with a token", ""}

// createToken makes a personal access token of the signed-in user.
func (h *handler) createToken(w http.ResponseWriter, r *http.Request) {
	s := auth.FromContext(r.Context())
	if s.TokenID != 0 {
		h.fail(w, r, errTokenSession)
		return
	}
	var in tokenInput
	if err := decode(w, r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	if in.ExpiresInDays == 0 {
		in.ExpiresInDays = 90
	}
	plain, t, err := h.d.Auth.CreateToken(r.Context(), s.User.ID, in.Name, in.Scopes, time.Duration(in.ExpiresInDays)*24*time.Hour)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusCreated, newToken{Token: t, Plain: plain})
}

// tokens lists the signed-in user's tokens (never the tokens themselves).
func (h *handler) tokens(w http.ResponseWriter, r *http.Request) {
	ts, err := h.d.Auth.Tokens(r.Context(), user(r).ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, listOf(ts, len(ts)))
}

// deleteToken revokes one of the signed-in user's tokens.
func (h *handler) deleteToken(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, apperr.ErrNotFound)
		return
	}
	if s := auth.FromContext(r.Context()); s.TokenID != 0 && s.TokenID != id {
		h.fail(w, r, errTokenSession)
		return
	}
	if err := h.d.Auth.DeleteToken(r.Context(), user(r).ID, id); err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
