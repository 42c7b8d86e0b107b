package api

import (
	"errors"
	"net/http"
	"time"

	"wanhu/internal/auth"
)

type loginInput struct {
	Username string `json:"username"`
	Password string `json:"password"`
	Code     string `json:"code,omitempty"` // the one-time code of an account with TOTP
}

// sessionView is the answer of a login and of /me.
type sessionView struct {
	Token     string     `json:"token,omitempty"`
	ExpiresAt time.Time  `json:"expires_at"`
	User      *auth.User `json:"user"`
}

// login exchanges a username and password for an API bearer token.
func (h *handler) login(w http.ResponseWriter, r *http.Request) {
	var in loginInput
	if err := decode(w, r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	token, s, err := h.d.Auth.SignIn(r.Context(), auth.Attempt{Username: in.Username, Password: in.Password,
		Code: in.Code, Addr: h.d.Auth.ClientAddr(r), Device: device(r), Kind: auth.API})
	h.auditLogin(r, in.Username, s, err)
	if errors.Is(err, auth.ErrBadCredentials) {
		err = errCredentials
	}
	err = enrolError(err)
	if le := (*auth.LockedError)(nil); errors.As(err, &le) {
		err = lockedError(w, le)
	}
	if sf := (*auth.SecondFactorError)(nil); errors.As(err, &sf) {
		err = errCodeRequired
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, sessionView{Token: token, ExpiresAt: s.ExpiresAt, User: s.User})
}

// device returns the known-device token of a browser that signed in on
// the web before (the cookie auth.DeviceCookie), or "". The API reads it
// so that a page's script signs in like the page; it never sets it.
func device(r *http.Request) string {
	if c, err := r.Cookie(auth.DeviceCookie); err == nil {
		return c.Value
	}
	return ""
}

// logout ends the session of the bearer token.
func (h *handler) logout(w http.ResponseWriter, r *http.Request) {
	token, _ := bearer(r)
	if err := h.d.Auth.Logout(r.Context(), token); err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// me returns the signed-in user.
func (h *handler) me(w http.ResponseWriter, r *http.Request) {
	s := auth.FromContext(r.Context())
	h.writeJSON(w, r, http.StatusOK, sessionView{ExpiresAt: s.ExpiresAt, User: s.User})
}
