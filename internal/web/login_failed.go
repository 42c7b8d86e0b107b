package web

import (
	"errors"
	"net/http"

	"wanhu/internal/auth"
)

// loginFailed shows the login form again after a failed attempt: "wrong
// username or password", or, while the account or the address is locked,
// the time to try again (in China's time zone). Errors other than those
// two are logged and shown as the same failure.
func (h *handler) loginFailed(w http.ResponseWriter, r *http.Request, username string, err error) {
	l := h.locale(r)
	var le *auth.LockedError
	switch {
	case errors.As(err, &le):
		h.showLogin(w, r, http.StatusUnauthorized, username, l.T("login.locked", le.Until.In(shanghai).Format("15:04")))
		return
	case !errors.Is(err, auth.ErrBadCredentials):
		h.log.Error("web login", "route", r.Pattern, "error", err)
	}
	h.showLogin(w, r, http.StatusUnauthorized, username, l.T("login.failed"))
}
