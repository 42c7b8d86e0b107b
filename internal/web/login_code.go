package web

import (
	"errors"
	"net/http"

	"wanhu/internal/apperr"
	"wanhu/internal/auth"
)

// codeCookie carries the challenge of a login whose password was right and
// that waits for the one-time code.
const codeCookie = "wanhu_login_code"

// codeView is the page that asks for the one-time code.
type codeView struct {
	Page
	Token string
	Next  string
	Error string
}

// askCode answers a sign-in that needs a one-time code by asking for it,
// and reports whether it did.
func (h *handler) askCode(w http.ResponseWriter, r *http.Request, err error) bool {
	var sf *auth.SecondFactorError
	if !errors.As(err, &sf) {
		return false
	}
	setCookie(w, r, codeCookie, sf.Challenge, int(auth.ChallengeLifetime.Seconds()))
	h.showCode(w, r, http.StatusOK, "")
	return true
}

func (h *handler) showCode(w http.ResponseWriter, r *http.Request, status int, msg string) {
	tok := maskToken(formToken(w, r, loginCookie, 3600))
	v := codeView{Page: h.page(r, "totp.login_title", ""), Token: tok, Next: nextPath(r.PostFormValue("next")), Error: msg}
	h.render(w, r, status, "login_code", v)
}

// loginCode finishes a sign-in with the one-time code.
func (h *handler) loginCode(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	c, err := r.Cookie(loginCookie)
	if err != nil || !tokenMatches(r.PostFormValue("csrf"), c.Value) {
		h.expired(w, r)
		return
	}
	ch, err := r.Cookie(codeCookie)
	if err != nil {
		seeOther(w, r, "/login")
		return
	}
	token, sess, err := h.auth.SignInCode(r.Context(), ch.Value, r.PostFormValue("code"), h.auth.ClientAddr(r), device(r))
	username := ""
	if sess != nil {
		username = sess.User.Username
	}
	h.auditLogin(r, username, sess, err)
	l := h.locale(r)
	var le *auth.LockedError
	switch _, badCode := apperr.AsField(err); {
	case err == nil:
		setCookie(w, r, codeCookie, "", -1)
		h.welcome(w, r, token, sess)
	case badCode:
		h.showCode(w, r, http.StatusUnauthorized, l.T("totp.wrong_code"))
	case errors.As(err, &le):
		setCookie(w, r, codeCookie, "", -1)
		h.showLogin(w, r, tooMany(w, le), "", lockedMessage(l, le))
	default:
		if !errors.Is(err, auth.ErrBadCredentials) {
			h.log.ErrorContext(r.Context(), "web login code", "route", r.Pattern, "error", err)
		}
		setCookie(w, r, codeCookie, "", -1)
		h.showLogin(w, r, http.StatusUnauthorized, "", l.T("totp.expired"))
	}
}
