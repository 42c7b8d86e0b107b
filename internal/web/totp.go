package web

import (
	"errors"
	"net/http"
	"net/url"

	"wanhu/internal/apperr"
	"wanhu/internal/audit"
	"wanhu/internal/auth"
)

// totpView is the page where a user turns on two-step sign-in: the secret
// as text and as an otpauth:// URI, then a code to confirm. Required is
// true when the user's role requires it (Must: and they have not turned
// it on, so they can do nothing else yet); Next is where to go once on.
type totpView struct {
	Page
	Enabled  bool
	Required bool
	Must     bool
	Secret   string
	URI      string
	Next     string
	Error    string
	Notice   string
}

// totpPage shows the state of the user's second factor.
func (h *handler) totpPage(w http.ResponseWriter, r *http.Request) {
	h.showTOTP(w, r, http.StatusOK, "")
}

func (h *handler) showTOTP(w http.ResponseWriter, r *http.Request, status int, msg string) {
	ctx := r.Context()
	v := totpView{Page: h.page(r, "totp.title", "settings"), Error: msg, Must: auth.FromContext(ctx).EnrolTOTP}
	if n := r.URL.Query().Get("done"); n != "" && v.L.Has("totp.done."+n) {
		v.Notice = v.L.T("totp.done." + n)
	}
	if next := r.FormValue("next"); next != "" {
		v.Next = localPath(next)
	}
	var err error
	if v.Enabled, err = h.auth.TOTPEnabled(ctx, v.User.ID); err != nil {
		h.showError(w, r, err)
		return
	}
	if v.Required, err = h.auth.TOTPRequired(ctx, v.User); err != nil {
		h.showError(w, r, err)
		return
	}
	if !v.Enabled {
		v.Secret, err = h.auth.PendingTOTP(ctx, v.User.ID)
		if err != nil && !errors.Is(err, apperr.ErrNotFound) {
			h.showError(w, r, err)
			return
		}
		if v.Secret != "" {
			v.URI = auth.TOTPURI("Wanhu", v.User.Username, v.Secret)
		}
	}
	h.render(w, r, status, "totp", v)
}

// totpAction starts, confirms or turns off the user's second factor. Once
// confirmed it goes on to the page the user was going to, if any.
func (h *handler) totpAction(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := auth.FromContext(ctx).User
	act := r.PathValue("action")
	var err error
	switch act {
	case "begin":
		_, err = h.auth.BeginTOTP(ctx, u.ID)
	case "confirm":
		err = h.auth.ConfirmTOTP(ctx, u.ID, r.PostFormValue("code"))
	case "disable":
		err = h.auth.DisableTOTP(ctx, u.ID, r.PostFormValue("code"))
	default:
		err = apperr.ErrNotFound
	}
	if fe, bad := apperr.AsField(err); bad {
		msg := h.locale(r).T("totp.wrong_code")
		if fe.Code == "totp_required" {
			msg = h.locale(r).T("totp.still_required")
		}
		h.showTOTP(w, r, http.StatusBadRequest, msg)
		return
	}
	if err != nil {
		h.showError(w, r, err)
		return
	}
	if act != "begin" {
		e := h.auditWho(r)
		e.Action, e.Object, e.Result = "totp."+act, "user:"+u.Username, audit.OK
		if err := h.audit.Record(ctx, e); err != nil {
			h.log.ErrorContext(r.Context(), "audit totp", "route", r.Pattern, "error", err)
		}
	}
	q := url.Values{"done": {act}}
	if next := r.PostFormValue("next"); next != "" {
		if act == "confirm" {
			seeOther(w, r, localPath(next))
			return
		}
		q.Set("next", localPath(next))
	}
	seeOther(w, r, "/account/totp?"+q.Encode())
}
