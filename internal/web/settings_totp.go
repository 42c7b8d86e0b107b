package web

import (
	"net/http"
	"slices"
	"strings"

	"wanhu/internal/apperr"
	"wanhu/internal/audit"
	"wanhu/internal/auth"
)

// totpRolesView is the settings page where administrators choose the
// roles that must sign in with a one-time code (see auth.TOTPRoles).
type totpRolesView struct {
	Page
	Roles  []Option
	Error  string
	Notice string
}

// totpRolesPage shows the roles and which of them must use TOTP.
func (h *handler) totpRolesPage(w http.ResponseWriter, r *http.Request) {
	roles, err := h.auth.TOTPRoles(r.Context())
	if err != nil {
		h.showError(w, r, err)
		return
	}
	h.showTOTPRoles(w, r, http.StatusOK, roles, "")
}

func (h *handler) showTOTPRoles(w http.ResponseWriter, r *http.Request, status int, required []auth.Role, msg string) {
	v := totpRolesView{Page: h.page(r, "settings.totp_roles", "settings"), Error: msg}
	if r.URL.Query().Get("done") == "saved" {
		v.Notice = v.L.T("account.totp_roles_saved")
	}
	for _, o := range roleOptions(v.L) {
		o.Selected = slices.Contains(required, auth.Role(o.Value))
		v.Roles = append(v.Roles, o)
	}
	h.render(w, r, status, "settings_totp", v)
}

// totpRolesSave sets the roles that must use TOTP, and audits the change.
func (h *handler) totpRolesSave(w http.ResponseWriter, r *http.Request) {
	var roles []auth.Role
	for _, v := range r.PostForm["roles"] {
		roles = append(roles, auth.Role(v))
	}
	if err := h.auth.SetTOTPRoles(r.Context(), roles); err != nil {
		if _, ok := apperr.AsField(err); ok {
			h.showTOTPRoles(w, r, http.StatusBadRequest, roles, h.locale(r).Err(mustField(err)))
			return
		}
		h.showError(w, r, err)
		return
	}
	names := make([]string, len(roles))
	for i, r := range roles {
		names[i] = string(r)
	}
	e := h.auditWho(r)
	e.Action, e.Object, e.Result, e.Detail = "settings.totp_roles", "settings:totp_required_roles", audit.OK, "roles="+strings.Join(names, ",")
	if err := h.audit.Record(r.Context(), e); err != nil {
		h.log.ErrorContext(r.Context(), "audit totp roles", "route", r.Pattern, "error", err)
	}
	seeOther(w, r, "/settings/totp?done=saved")
}

// mustField returns the FieldError in err (the caller checked there is one).
func mustField(err error) *apperr.FieldError {
	fe, _ := apperr.AsField(err)
	return fe
}
