package web

import (
	"errors"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"wanhu/internal/apperr"
	"wanhu/internal/audit"
	"wanhu/internal/setup"
)

// The first-run page (/setup, 首次设置) does what wanhu init does, in the
// browser, on a database without an administrator: the places from the
// city down to the community, the grids and the first administrator (or,
// when an org tree is there already, the administrator only). Only the
// server's own machine may open it, or whoever has the one-time link that
// `wanhu serve` prints when it starts; once an administrator exists it is
// gone (404).

// setupCookie carries the double-submit token of the first-run form.
const setupCookie = "wanhu_setup_csrf"

// setupView is the first-run page.
type setupView struct {
	Page
	Form       *form
	Places     bool   // ask for the places (no org tree yet)
	City       string // the org tree's city, when there is one
	FormToken  string
	SetupToken string
	Error      string
	Done       *setup.Result
}

// fromThisMachine reports whether r came straight from the server's own
// machine: a loopback peer and no proxy's header. A proxy on the same
// machine relays everybody's requests, so a relayed request is never
// local, whether or not --trust-proxy believes its header.
func fromThisMachine(r *http.Request) bool {
	for _, h := range []string{"X-Forwarded-For", "Forwarded", "X-Real-Ip", "X-Forwarded-Host", "X-Forwarded-Proto"} {
		if r.Header.Get(h) != "" {
			return false
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// setupOpen returns the database's state if r may use the first-run page:
// apperr.ErrNotFound once there is an administrator, apperr.ErrForbidden
// from elsewhere than the server's machine without the token.
func (h *handler) setupOpen(r *http.Request) (setup.State, error) {
	st, err := setup.StateOf(r.Context(), h.db)
	if err != nil {
		return st, err
	}
	if st.HasAdmin {
		return st, apperr.ErrNotFound
	}
	if fromThisMachine(r) {
		return st, nil
	}
	ok, err := setup.TokenValid(r.Context(), h.db, r.FormValue("token"))
	if err != nil {
		return st, err
	}
	if !ok {
		return st, apperr.ErrForbidden
	}
	return st, nil
}

// setupShow shows the first-run form.
func (h *handler) setupShow(w http.ResponseWriter, r *http.Request) {
	st, err := h.setupOpen(r)
	if err != nil {
		h.setupRefused(w, r, err)
		return
	}
	h.showSetup(w, r, http.StatusOK, st, url.Values{"grids": {"7"}}, nil)
}

// setupRefused answers a request the first-run page does not take: a
// missing page, or a stranger, told how to reach it.
func (h *handler) setupRefused(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, apperr.ErrForbidden) {
		v := errorView{Page: h.page(r, "setup.title", "")}
		v.Message = v.L.T("setup.not_local")
		h.render(w, r, http.StatusForbidden, "error", v)
		return
	}
	h.showError(w, r, err)
}

// setupSave sets the community up, or shows the form again with what is
// wrong.
func (h *handler) setupSave(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	c, err := r.Cookie(setupCookie)
	if err != nil || !tokenMatches(r.PostFormValue("csrf"), c.Value) {
		h.expired(w, r)
		return
	}
	st, err := h.setupOpen(r)
	if err != nil {
		h.setupRefused(w, r, err)
		return
	}
	if err := formText(r); err != nil {
		h.showSetup(w, r, http.StatusUnprocessableEntity, st, r.PostForm, err)
		return
	}
	p, err := setupPlan(r.PostForm, st.City == "")
	if err != nil { // a FieldError: the form again
		h.showSetup(w, r, http.StatusUnprocessableEntity, st, r.PostForm, err)
		return
	}
	res, err := setup.Run(r.Context(), h.db, p, audit.Entry{Username: "setup", Role: "web", IP: h.auth.ClientAddr(r)})
	var done *setup.InitialisedError
	if errors.As(err, &done) {
		h.showError(w, r, apperr.ErrNotFound) // set up meanwhile, by someone else
		return
	}
	if err != nil {
		if h.failed(w, r, err) {
			h.showSetup(w, r, http.StatusUnprocessableEntity, st, r.PostForm, err)
		}
		return
	}
	h.render(w, r, http.StatusOK, "setup", setupView{Page: h.page(r, "setup.title", ""), Done: res})
}

// setupPlan reads the first-run form.
func setupPlan(v url.Values, places bool) (setup.Plan, error) {
	p := setup.Plan{AdminUsername: v.Get("admin_username"), AdminName: v.Get("admin_name"),
		AdminPassword: v.Get("admin_password"), TOTPGrace: setup.DefaultTOTPGrace}
	if v.Get("admin_password") != v.Get("admin_password2") {
		return p, apperr.Field("admin_password2", "password_mismatch", "the two passwords differ")
	}
	if !places {
		return p, nil
	}
	p.City, p.District, p.Street, p.Community = v.Get("city"), v.Get("district"), v.Get("street"), v.Get("community")
	n, err := strconv.Atoi(strings.TrimSpace(v.Get("grids")))
	if err != nil {
		return p, apperr.Field("grids", "number", "is not a number")
	}
	p.Grids = n
	return p, nil
}

// showSetup renders the first-run form with values v and err beside its
// field.
func (h *handler) showSetup(w http.ResponseWriter, r *http.Request, code int, st setup.State, v url.Values, err error) {
	view := setupView{Page: h.page(r, "setup.title", ""), Places: st.City == "", City: st.City,
		FormToken: maskToken(formToken(w, r, setupCookie, 3600)), SetupToken: r.FormValue("token")}
	f := newForm(view.L, v, err)
	if view.Places {
		for _, name := range []string{"city", "district", "street", "community"} {
			f.text(name).Placeholder = view.L.T("setup." + name + "_example")
		}
		f.input("grids", "number").Hint = view.L.T("setup.grids_hint")
	}
	f.text("admin_username")
	f.text("admin_name").Hint = view.L.T("setup.admin_name_hint")
	f.input("admin_password", "password").Hint = view.L.T("setup.password_hint")
	f.input("admin_password2", "password")
	for i := range f.Fields {
		if strings.HasPrefix(f.Fields[i].Name, "admin_password") {
			f.Fields[i].Value = ""
		}
	}
	view.Form = f
	view.Error = unplaced(view.L, err, f)
	if view.Error == "" && err != nil {
		view.Error = view.L.T("form.fix")
	}
	h.render(w, r, code, "setup", view)
}
