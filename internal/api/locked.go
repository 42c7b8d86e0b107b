package api

import (
	"net/http"
	"strconv"
	"time"

	"wanhu/internal/auth"
)

// lockedError answers a login while the account or the source address is
// locked: 429 with Retry-After, saying when to try again.
func lockedError(w http.ResponseWriter, le *auth.LockedError) error {
	secs := max(int(time.Until(le.Until).Seconds())+1, 1)
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	return &apiError{http.StatusTooManyRequests, "too_many_attempts",
		"too many failed logins; try again at " + le.Until.UTC().Format(time.RFC3339), ""}
}

// errCodeRequired answers a login of an account with TOTP that sent no
// "code" along with the right password.
var errCodeRequired = &apiError{http.StatusUnauthorized, "code_required", "this account signs in with a one-time code: send it as \"code\"", "code"}
