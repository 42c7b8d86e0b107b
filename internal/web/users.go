package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"wanhu/internal/access"
	"wanhu/internal/apperr"
	"wanhu/internal/audit"
	"wanhu/internal/auth"
	"wanhu/internal/org"
)

// The user admin pages: admins manage the accounts whose every grant lies
// within their own org subtree. Anybody else, and any account beyond the
// admin's reach, gets 404.

// roleView is one grant as shown: the role and the org unit's name.
type roleView struct {
	Role      string
	Label     string
	OrgUnitID int64
	Unit      string
}

// userRow is one account in the list and at the head of its page.
type userRow struct {
	Username    string
	DisplayName string
	Roles       []roleView
	Disabled    bool
	LockedUntil string
	// Above is true for an officer of a department above the admin's
	// subtree: listed, managed by an administrator above (auth.SeesOfficer).
	Above bool
}

// usersView is the list of accounts with the form to add one.
type usersView struct {
	Page
	Rows   []userRow
	Addrs  []lockedAddr
	Form   url.Values
	Roles  []Option
	Units  []Option
	Error  string
	Notice string
}

// userView is one account's page: its grants and the admin's actions.
// Self is true on the admin's own page, which resets no password (the
// admin changes their own, with the current one, on /account/password);
// TOTP is true when the account has a second factor to reset.
type userView struct {
	Page
	Row    userRow
	Roles  []Option
	Units  []Option
	Self   bool
	TOTP   bool
	Error  string
	Notice string
}

// adminOnly lets only those who may manage users (admins) through;
// everybody else sees a 404, as if the pages did not exist.
func (h *handler) adminOnly(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !can(r, access.ManageUsers) {
			h.showError(w, r, apperr.ErrNotFound)
			return
		}
		next(w, r)
	}
}

// unitNames returns the name of every org unit and the units admin
// administers, as options of a select.
func (h *handler) unitNames(ctx context.Context, l *Locale, admin *auth.User) (map[int64]string, []Option, error) {
	names := map[int64]string{}
	var opts []Option
	for _, k := range org.Kinds {
		units, err := org.Units(ctx, h.db, k)
		if err != nil {
			return nil, nil, err
		}
		for _, u := range units {
			names[u.ID] = u.Name
			if ok, err := h.auth.Administers(ctx, admin, u.ID); err != nil {
				return nil, nil, err
			} else if ok {
				opts = append(opts, Option{Value: strconv.FormatInt(u.ID, 10), Label: u.Name + " · " + l.T("users.kind."+string(k))})
			}
		}
	}
	return names, opts, nil
}

// roleOptions lists the roles for a select.
func roleOptions(l *Locale) []Option {
	var opts []Option
	for _, r := range auth.Roles {
		opts = append(opts, Option{Value: string(r), Label: l.T("users.role." + string(r))})
	}
	return opts
}

// rowOf shows an account.
func rowOf(l *Locale, u auth.User, names map[int64]string, locked map[string]string) userRow {
	row := userRow{Username: u.Username, DisplayName: u.DisplayName, Disabled: u.Disabled, LockedUntil: locked[u.Username]}
	for _, g := range u.Grants {
		row.Roles = append(row.Roles, roleView{Role: string(g.Role), Label: l.T("users.role." + string(g.Role)), OrgUnitID: g.OrgUnitID, Unit: names[g.OrgUnitID]})
	}
	return row
}

// locks returns the locked accounts with the end of each lock, as shown.
func (h *handler) locks(ctx context.Context, l *Locale) (map[string]string, error) {
	m, err := h.auth.LockedUsers(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for name, t := range m {
		out[name] = l.Time(t)
	}
	return out, nil
}

// userList shows the accounts the admin manages and the form to add one.
func (h *handler) userList(w http.ResponseWriter, r *http.Request) {
	h.showUsers(w, r, http.StatusOK, url.Values{"role": {string(auth.Visitor)}}, "", r.URL.Query().Get("done"))
}

func (h *handler) showUsers(w http.ResponseWriter, r *http.Request, status int, form url.Values, msg, notice string) {
	ctx := r.Context()
	v := usersView{Page: h.page(r, "users.title", "users"), Form: form, Error: msg}
	if notice != "" && v.L.Has("users.done."+notice) {
		v.Notice = v.L.T("users.done." + notice)
	}
	names, units, err := h.unitNames(ctx, v.L, v.User)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	v.Units, v.Roles = selected(units, form.Get("org")), selected(roleOptions(v.L), form.Get("role"))
	locked, err := h.locks(ctx, v.L)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	users, err := h.auth.Users(ctx)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	if v.Addrs, err = h.lockedAddrs(ctx, v.L); err != nil {
		h.showError(w, r, err)
		return
	}
	for _, u := range users {
		row := rowOf(v.L, u, names, locked)
		ok, err := h.auth.AdministersUser(ctx, v.User, &u)
		if err == nil && !ok {
			ok, err = h.auth.SeesOfficer(ctx, v.User, &u)
			row.Above = ok
		}
		if err != nil {
			h.showError(w, r, err)
			return
		}
		if ok {
			v.Rows = append(v.Rows, row)
		}
	}
	h.render(w, r, status, "users", v)
}

// selected returns opts with the one of value selected.
func selected(opts []Option, value string) []Option {
	opts = slices.Clone(opts)
	for i := range opts {
		opts[i].Selected = opts[i].Value == value
	}
	return opts
}

// userCreate adds an account with one grant within the admin's subtree.
func (h *handler) userCreate(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	admin := auth.FromContext(ctx).User
	f := r.PostForm
	unit, _ := strconv.ParseInt(f.Get("org"), 10, 64)
	g := auth.Grant{Role: auth.Role(f.Get("role")), OrgUnitID: unit}
	// fail shows a bad input on the list page again (400), without the
	// password, any other error as the error page.
	fail := func(err error) {
		if _, ok := apperr.AsField(err); !ok {
			h.showError(w, r, err)
			return
		}
		f.Del("password")
		h.showUsers(w, r, http.StatusBadRequest, f, h.fieldMessage(r, err), "")
	}
	ok, err := h.auth.Administers(ctx, admin, unit)
	if err != nil {
		fail(err)
		return
	}
	if !ok || !auth.ValidRole(g.Role) {
		fail(apperr.Field("org_unit_id", "invalid", "choose a role and an org unit"))
		return
	}
	if _, err := h.auth.CreateUser(ctx, strings.TrimSpace(f.Get("username")), f.Get("display_name"), f.Get("password"), g); err != nil {
		fail(err)
		return
	}
	h.auditUser(r, "user.add", f.Get("username"), "role="+string(g.Role)+" org="+f.Get("org"))
	seeOther(w, r, "/users/"+url.PathEscape(strings.TrimSpace(f.Get("username")))+"?done=added")
}

// fieldMessage says what is wrong with a form field, in the user's language.
func (h *handler) fieldMessage(r *http.Request, err error) string {
	l := h.locale(r)
	fe, _ := apperr.AsField(err)
	return l.T("users.field."+fe.Field) + ": " + l.Err(fe)
}

// managed returns the account named in the path if the admin manages it,
// else ErrNotFound.
func (h *handler) managed(r *http.Request) (*auth.User, error) {
	u, err := h.auth.UserByUsername(r.Context(), r.PathValue("username"))
	if err != nil {
		return nil, err
	}
	if ok, err := h.auth.AdministersUser(r.Context(), auth.FromContext(r.Context()).User, u); err != nil {
		return nil, err
	} else if !ok {
		return nil, apperr.ErrNotFound
	}
	return u, nil
}

// userPage shows one account with its grants and the admin's actions.
func (h *handler) userPage(w http.ResponseWriter, r *http.Request) {
	h.showUser(w, r, http.StatusOK, "", r.URL.Query().Get("done"))
}

func (h *handler) showUser(w http.ResponseWriter, r *http.Request, status int, msg, notice string) {
	ctx := r.Context()
	u, err := h.managed(r)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	v := userView{Page: h.page(r, "users.account", "users"), Error: msg}
	if notice != "" && v.L.Has("users.done."+notice) {
		v.Notice = v.L.T("users.done." + notice)
	}
	names, units, err := h.unitNames(ctx, v.L, v.User)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	locked, err := h.locks(ctx, v.L)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	v.Row, v.Units, v.Roles = rowOf(v.L, *u, names, locked), units, roleOptions(v.L)
	v.Title = v.Title + " · " + u.Username
	v.Self = u.ID == v.User.ID
	if _, err := h.auth.PendingTOTP(ctx, u.ID); err == nil {
		v.TOTP = true
	} else if v.TOTP, err = h.auth.TOTPEnabled(ctx, u.ID); err != nil {
		h.showError(w, r, err)
		return
	}
	h.render(w, r, status, "user", v)
}

// userAction runs one of the admin's actions on an account: grant, revoke,
// disable, enable, password (a reset, not for the admin's own account),
// unlock, totp (reset a lost second factor). A bad input shows the page
// again with the message; success goes back to the page with a notice.
func (h *handler) userAction(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u, err := h.managed(r)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	admin := auth.FromContext(ctx).User
	act, f := r.PathValue("action"), r.PostForm
	unit, _ := strconv.ParseInt(f.Get("org"), 10, 64)
	g := auth.Grant{Role: auth.Role(f.Get("role")), OrgUnitID: unit}
	detail := ""
	switch act {
	case "grant":
		err, detail = h.auth.GrantAs(ctx, admin, u.Username, g), "role="+string(g.Role)+" org="+f.Get("org")
	case "revoke":
		err, detail = h.auth.RevokeAs(ctx, admin, u.Username, g), "role="+string(g.Role)+" org="+f.Get("org")
	case "disable", "enable":
		if act == "disable" && u.ID == admin.ID {
			err = apperr.Field("username", "self", "you cannot disable your own account")
		} else {
			err = h.auth.SetDisabled(ctx, u.Username, act == "disable")
		}
	case "password":
		if u.ID == admin.ID {
			err = apperr.Field("password", "self_password", "change your own password under Settings, which asks for the current one")
		} else {
			err = h.auth.SetPassword(ctx, u.Username, f.Get("password"))
		}
	case "unlock":
		err = h.auth.Unlock(ctx, u.Username)
	case "totp":
		if u.ID == admin.ID {
			err = apperr.Field("code", "self_totp", "turn your own two-step sign-in off with a code")
		} else {
			err = h.auth.ResetTOTP(ctx, u.ID)
		}
	default:
		err = apperr.ErrNotFound
	}
	if _, isField := apperr.AsField(err); isField {
		h.showUser(w, r, http.StatusBadRequest, h.fieldMessage(r, err), "")
		return
	}
	if err != nil {
		h.showError(w, r, err)
		return
	}
	action := "user." + act
	if act == "grant" || act == "revoke" {
		action = act
	}
	h.auditUser(r, action, u.Username, detail)
	seeOther(w, r, "/users/"+url.PathEscape(u.Username)+"?done="+act)
}

// auditUser writes an admin's change of an account to the audit log.
func (h *handler) auditUser(r *http.Request, action, username, detail string) {
	e := h.auditWho(r)
	e.Action, e.Object, e.Result, e.Detail = action, "user:"+username, audit.OK, detail
	if err := h.audit.Record(r.Context(), e); err != nil {
		h.log.ErrorContext(r.Context(), "audit user change", "route", r.Pattern, "error", err)
	}
}
