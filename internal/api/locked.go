package api

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"wanhu/internal/auth"
)

// lockedError answers a login while the account, the source address or
// the known device must wait: 429 with Retry-After, saying when to try
// again. The wait is an answer, never a sleep.
func lockedError(w http.ResponseWriter, le *auth.LockedError) error {
	secs := le.RetryAfter(time.Now())
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	what := "this account"
	if le.Address {
		what = "this address"
	}
	return &apiError{http.StatusTooManyRequests, "too_many_attempts",
		fmt.Sprintf("too many failed logins from %s; try again in %d s (at %s)", what, secs, le.Until.UTC().Format(time.RFC3339)), ""}
}

// errEnrolTOTP answers a login or a token of a user whose role requires
// two-step sign-in and who has not turned it on.
var errEnrolTOTP = &apiError{http.StatusForbidden, "totp_enrolment_required",
	"your role must sign in with a one-time code: turn on two-step sign-in on the web (/account/totp), then sign in here with \"code\"", ""}

// errChangePassword answers a login or a token of an account that still
// has its one-time password.
var errChangePassword = &apiError{http.StatusForbidden, "password_change_required",
	"this account has a one-time password: change it on the web (/account/password) first, then sign in here with the new one", ""}

// enrolError turns auth.ErrEnrolTOTP and auth.ErrChangePassword into their
// answers; other errors pass.
func enrolError(err error) error {
	switch {
	case errors.Is(err, auth.ErrEnrolTOTP):
		return errEnrolTOTP
	case errors.Is(err, auth.ErrChangePassword):
		return errChangePassword
	}
	return err
}

// errCodeRequired answers a login of an account with TOTP that sent no
// "code" along with the right password.
var errCodeRequired = &apiError{http.StatusUnauthorized, "code_required", "this account signs in with a one-time code: send it as \"code\"", "code"}
