package web

import (
	"errors"
	"net/http"

	"wanhu/internal/apperr"
	"wanhu/internal/audit"
	"wanhu/internal/auth"
)

// passwordView is the page where a signed-in user changes their own
// password. Whatever the role, it takes the current password: an
// administrator resets other people's on their account pages instead.
type passwordView struct {
	Page
	Error string
	// OneTime says the user signed in with a one-time password, which
	// they must change before anything else.
	OneTime bool
}

// passwordPage shows the form to change one's own password.
func (h *handler) passwordPage(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, http.StatusOK, "account_password", h.passwordView(r, ""))
}

// passwordView is the page's view with the error msg.
func (h *handler) passwordView(r *http.Request, msg string) passwordView {
	return passwordView{Page: h.page(r, "account.password_title", "settings"), Error: msg,
		OneTime: auth.FromContext(r.Context()).ChangePassword}
}

// changingPassword reports whether r is one of the few requests a session
// with a one-time password may make: the password page, its form, and
// signing out.
func changingPassword(r *http.Request) bool {
	return r.URL.Path == "/account/password" || r.URL.Path == "/logout"
}

// toPasswordChange answers any other request of a session with a
// one-time password: a page is sent to the password page, a form refused.
func (h *handler) toPasswordChange(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		h.forbidden(w, r)
		return
	}
	http.Redirect(w, r, "/account/password", http.StatusSeeOther)
}

// passwordChange changes the user's own password when the current one is
// right. That ends all their sessions, this one included, so it goes on
// to the login page. A wrong current password counts as a failed login.
func (h *handler) passwordChange(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := auth.FromContext(ctx).User
	err := h.auth.ChangePassword(ctx, u.Username, r.PostFormValue("current_password"), r.PostFormValue("password"), device(r))
	var le *auth.LockedError
	switch _, isField := apperr.AsField(err); {
	case isField:
		h.render(w, r, http.StatusBadRequest, "account_password", h.passwordView(r, h.fieldMessage(r, err)))
		return
	case errors.As(err, &le):
		status := tooMany(w, le)
		h.render(w, r, status, "account_password", h.passwordView(r, lockedMessage(h.locale(r), le)))
		return
	case err != nil:
		h.showError(w, r, err)
		return
	}
	e := h.auditWho(r)
	e.Action, e.Object, e.Result = "user.password_change", "user:"+u.Username, audit.OK
	if err := h.audit.Record(ctx, e); err != nil {
		h.log.ErrorContext(r.Context(), "audit password change", "route", r.Pattern, "error", err)
	}
	setCookie(w, r, sessionCookie, "", -1)
	seeOther(w, r, "/login?done=password")
}
