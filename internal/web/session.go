package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"wanhu/internal/access"
	"wanhu/internal/apperr"
	"wanhu/internal/auth"
	"wanhu/internal/visit"
)

const (
	sessionCookie = "wanhu_session"
	loginCookie   = "wanhu_login_csrf"
	langCookie    = "lang"
)

// secure reports whether the request came over TLS, directly or through a
// proxy that says so.
func secure(r *http.Request) bool {
	return r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

func setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: secure(r)})
}

// locale is the user's language: the lang cookie, else Chinese. The
// browser's Accept-Language is deliberately ignored.
func (h *handler) locale(r *http.Request) *Locale {
	lang := ""
	if c, err := r.Cookie(langCookie); err == nil {
		lang = c.Value
	}
	return h.catalog.Locale(lang)
}

// localPath returns p if it is a path on this site, else "/", the start
// page, which sends each user to their own work (landing).
func localPath(p string) string {
	if p == "" || !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") || strings.ContainsAny(p, "\r\n") {
		return "/"
	}
	return p
}

// nextPath is the next of a sign-in form: p if it is a path on this
// site, "" (the user's landing) when there is none.
func nextPath(p string) string {
	if p == "" {
		return ""
	}
	return localPath(p)
}

// landing is where u's work starts, by role: an auditor's is the audit
// log, a department officer's the requests referred to them, a visiting
// team member's (not an administrator) the route of the day, everyone
// else's the household list. The start page and the login form both go
// there.
func landing(u *auth.User) string {
	switch {
	case u == nil:
		return "/login"
	case !access.Can(u, access.ReadHouseholds) && access.Can(u, access.ReadAudit):
		return "/audit"
	case !access.Can(u, access.ReadHouseholds) && access.Can(u, access.HandleRequests):
		return "/requests"
	case u.TeamMemberID != 0 && access.Can(u, access.RecordVisits) && !u.Has(auth.Admin):
		return "/today"
	}
	return "/households"
}

// formToken sets a new double-submit token as cookie name (maxAge seconds)
// and returns it for the form's hidden field: the CSRF check of the pages
// without a session (login, the public appointment and request pages).
func formToken(w http.ResponseWriter, r *http.Request, name string, maxAge int) string {
	b := make([]byte, 24)
	rand.Read(b)
	tok := base64.RawURLEncoding.EncodeToString(b)
	setCookie(w, r, name, tok, maxAge)
	return tok
}

// sameToken compares two tokens in constant time.
func sameToken(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// maskToken returns a CSRF token tok as a page carries it: a random pad
// of its length, then tok XOR the pad, in base64. Every response so
// carries different bytes for the same token, and a compressed page
// (server.Write) whose length an eavesdropper watches while making the
// browser send guesses in a search term tells nothing of it (BREACH).
func maskToken(tok string) string {
	b := make([]byte, 2*len(tok))
	rand.Read(b[:len(tok)])
	for i := range len(tok) {
		b[len(tok)+i] = b[i] ^ tok[i]
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// tokenMatches reports whether the token a form sent is secret: masked by
// maskToken, or as it is (a page rendered before tokens were masked, a
// visit that waited in a phone's offline queue since).
func tokenMatches(form, secret string) bool {
	if b, err := base64.RawURLEncoding.DecodeString(form); err == nil && secret != "" && len(b) == 2*len(secret) {
		n := len(secret)
		for i := range n {
			b[n+i] ^= b[i]
		}
		return subtle.ConstantTimeCompare(b[n:], []byte(secret)) == 1
	}
	return sameToken(form, secret)
}

// signedIn lets a request through only with a valid web session, and a POST
// only with the session's CSRF token in the form field "csrf" (a streamed
// upload's handler checks it itself: see streamedUploads).
func (h *handler) signedIn(next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var sess *auth.Session
		if c, err := r.Cookie(sessionCookie); err == nil {
			if sess, err = h.auth.Authenticate(r.Context(), c.Value, auth.Web); err != nil && !errors.Is(err, auth.ErrBadCredentials) {
				h.serverError(w, r, err) // the database failing: not a reason to sign in again
				return
			}
		}
		if sess == nil {
			next := r.URL.Path
			if r.Method == http.MethodGet && r.URL.RawQuery != "" {
				next += "?" + r.URL.RawQuery
			}
			http.Redirect(w, r, "/login?next="+url.QueryEscape(localPath(next)), http.StatusSeeOther)
			return
		}
		r = r.WithContext(auth.WithSession(r.Context(), sess))
		if sess.ChangePassword && !changingPassword(r) {
			h.toPasswordChange(w, r)
			return
		}
		if sess.EnrolTOTP && !enrolling(r) {
			h.toEnrolment(w, r)
			return
		}
		if r.Method == http.MethodPost && !streamedUploads[r.Pattern] {
			limit := int64(1 << 20)
			if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
				limit += visit.MaxPhotos * visit.MaxPhotoBytes // a visit's photos
			}
			r.Body = http.MaxBytesReader(w, r.Body, limit)
			if !tokenMatches(r.PostFormValue("csrf"), sess.CSRF) {
				h.expired(w, r)
				return
			}
		}
		if err := formText(r); err != nil {
			h.showError(w, r, err)
			return
		}
		next(w, r)
	})
}

// formText refuses a query or form value that is not UTF-8 text without
// NUL (apperr.Text), naming it: PostgreSQL cannot store or compare it, and
// no page takes one.
func formText(r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.Field("", "invalid_text", "the form cannot be read")
	}
	for k, vs := range r.Form {
		if err := apperr.Text("field", k); err != nil {
			return err
		}
		for _, v := range vs {
			if err := apperr.Text(k, v); err != nil {
				return err
			}
		}
	}
	return nil
}

// loginView is the view of the login page.
type loginView struct {
	Page
	Token    string
	Next     string
	Username string
	Error    string
	Notice   string
}

// loginForm shows the login form with a fresh double-submit token.
func (h *handler) loginForm(w http.ResponseWriter, r *http.Request) {
	h.showLogin(w, r, http.StatusOK, "", "")
}

func (h *handler) showLogin(w http.ResponseWriter, r *http.Request, status int, username, msg string) {
	tok := maskToken(formToken(w, r, loginCookie, 3600))
	next := r.URL.Query().Get("next")
	if r.Method == http.MethodPost {
		next = r.PostFormValue("next")
	}
	v := loginView{Page: h.page(r, "login.title", ""), Token: tok, Next: nextPath(next), Username: username, Error: msg}
	if r.URL.Query().Get("done") == "password" && msg == "" {
		v.Notice = v.L.T("account.password_changed")
	}
	h.render(w, r, status, "login", v)
}

// login signs a user in and sends them where they were going.
func (h *handler) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	c, err := r.Cookie(loginCookie)
	if err != nil || !tokenMatches(r.PostFormValue("csrf"), c.Value) {
		h.expired(w, r)
		return
	}
	username := strings.TrimSpace(r.PostFormValue("username"))
	token, sess, err := h.auth.SignIn(r.Context(), auth.Attempt{Username: username, Password: r.PostFormValue("password"),
		Addr: h.auth.ClientAddr(r), Device: device(r), Kind: auth.Web})
	if h.askCode(w, r, err) {
		return
	}
	h.auditLogin(r, username, sess, err)
	if err != nil {
		h.loginFailed(w, r, username, err)
		return
	}
	h.welcome(w, r, token, sess)
}

// device returns the known-device token the browser sent, or "".
func device(r *http.Request) string {
	if c, err := r.Cookie(auth.DeviceCookie); err == nil {
		return c.Value
	}
	return ""
}

// welcome sets the cookies of a new web session, makes the browser a
// known device of the account (see auth/devices.go) and sends the user
// where they were going (the form's next), else to their own work
// (landing), or first to enrol in two-step sign-in when their role
// requires it, or to change a one-time password.
func (h *handler) welcome(w http.ResponseWriter, r *http.Request, token string, sess *auth.Session) {
	setCookie(w, r, sessionCookie, token, 0)
	if sess.Device != "" {
		setCookie(w, r, auth.DeviceCookie, sess.Device, int(auth.KnownDeviceLifetime.Seconds()))
	}
	setCookie(w, r, loginCookie, "", -1)
	next := localPath(r.PostFormValue("next"))
	if next == "/" {
		next = landing(sess.User)
	}
	if sess.EnrolTOTP {
		next = enrolmentPath(next)
	}
	if sess.ChangePassword {
		next = "/account/password"
	}
	seeOther(w, r, next)
}

// enrolmentPath is the TOTP enrolment page, going on to next once enrolled.
func enrolmentPath(next string) string {
	return "/account/totp?" + url.Values{"next": {localPath(next)}}.Encode()
}

// enrolling reports whether r is one of the few requests a session that
// must enrol in TOTP may make: the enrolment page, its begin and confirm
// steps, and signing out.
func enrolling(r *http.Request) bool {
	switch r.URL.Path {
	case "/account/totp", "/account/totp/begin", "/account/totp/confirm", "/logout":
		return true
	}
	return false
}

// toEnrolment answers any other request of a session that must enrol in
// TOTP: a page is sent to the enrolment page, a form refused.
func (h *handler) toEnrolment(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		h.forbidden(w, r)
		return
	}
	next := r.URL.Path
	if r.URL.RawQuery != "" {
		next += "?" + r.URL.RawQuery
	}
	http.Redirect(w, r, enrolmentPath(next), http.StatusSeeOther)
}

// logout ends the session.
func (h *handler) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		if err := h.auth.Logout(r.Context(), c.Value); err != nil {
			h.log.WarnContext(r.Context(), "logout", "error", err)
		}
	}
	setCookie(w, r, sessionCookie, "", -1)
	seeOther(w, r, "/login")
}

// setLang stores the chosen language in a cookie and goes back.
func (h *handler) setLang(w http.ResponseWriter, r *http.Request) {
	lang := r.URL.Query().Get("to")
	if lang != "en" {
		lang = Languages[0]
	}
	setCookie(w, r, langCookie, lang, 365*24*3600)
	seeOther(w, r, localPath(r.URL.Query().Get("back")))
}

// home sends the start page to the user's own work (landing).
func (h *handler) home(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, landing(user(r)), http.StatusFound)
}
