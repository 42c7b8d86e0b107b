package web

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"wanhu/internal/auth"
	"wanhu/internal/calendar"
	"wanhu/internal/store"
)

// loginFailed shows the login form again after a failed attempt: "wrong
// username or password", or, while the account, the address or this
// browser must wait, how long (429 with Retry-After). Errors other than
// those two are logged and shown as the same failure, but for a database
// that cannot write (storageError).
func (h *handler) loginFailed(w http.ResponseWriter, r *http.Request, username string, err error) {
	l := h.locale(r)
	var le *auth.LockedError
	switch {
	case errors.As(err, &le):
		h.showLogin(w, r, tooMany(w, le), username, lockedMessage(l, le))
		return
	case store.Fault(err) != nil:
		// The session could not be written: say so, not "wrong password".
		h.storageError(w, r, store.Fault(err), err)
		return
	case !errors.Is(err, auth.ErrBadCredentials):
		h.log.ErrorContext(r.Context(), "web login", "route", r.Pattern, "error", err)
	}
	h.showLogin(w, r, http.StatusUnauthorized, username, l.T("login.failed"))
}

// tooMany sets Retry-After for a login that must wait and returns 429.
// The wait is an answer, never a sleep: nothing is held meanwhile.
func tooMany(w http.ResponseWriter, le *auth.LockedError) int {
	w.Header().Set("Retry-After", strconv.Itoa(le.RetryAfter(time.Now())))
	return http.StatusTooManyRequests
}

// lockedMessage says who must wait and for how long: the account (a
// browser that signed in to it before still may), this browser after its
// own failures, or the network (any browser used before still may).
func lockedMessage(l *Locale, le *auth.LockedError) string {
	key := "login.locked"
	switch {
	case le.Address:
		key = "login.wait_addr"
	case le.Device:
		key = "login.locked_device"
	}
	return l.T(key, waitText(l, le.RetryAfter(time.Now())), le.Until.In(calendar.China).Format("15:04"))
}

// waitText shows a wait of secs seconds in seconds, minutes or hours,
// rounded up.
func waitText(l *Locale, secs int) string {
	switch {
	case secs < 120:
		return l.T("login.seconds", secs)
	case secs < 2*3600:
		return l.T("login.minutes", (secs+59)/60)
	}
	return l.T("login.hours", (secs+3599)/3600)
}
