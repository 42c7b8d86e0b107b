package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"wanhu/internal/auth"
	"wanhu/internal/org"
	"wanhu/internal/server"
	"wanhu/internal/setup"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// setupReq is a request to the first-run page from addr, with headers
// (name, value, …) and the cookies of an earlier answer.
func setupReq(method, target, addr string, form url.Values, cookies []*http.Cookie, headers ...string) *http.Request {
	var r *http.Request
	if form != nil {
		r = httptest.NewRequest(method, target, strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		r = httptest.NewRequest(method, target, nil)
	}
	r.RemoteAddr = addr
	for i := 0; i+1 < len(headers); i += 2 {
		r.Header.Set(headers[i], headers[i+1])
	}
	for _, c := range cookies {
		r.AddCookie(c)
	}
	return r
}

// TestSetupPage: the first-run page answers the server's own machine, and
// anyone with the one-time token, but not a request relayed by a proxy
// (even from the same machine, even with --trust-proxy) nor a stranger;
// it sets the community up as wanhu init does, refusing bad input without
// writing anything, and is gone once there is an administrator.
func TestSetupPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		d := server.NewDeps(db, nil)
		d.Auth.TrustProxy = true
		mux := http.NewServeMux()
		newHandler(d).routes(mux)
		serve := func(r *http.Request) *httptest.ResponseRecorder {
			w := httptest.NewRecorder()
			mux.ServeHTTP(w, r)
			return w
		}
		const stranger, local = "203.0.113.7:40000", "127.0.0.1:40000"
		tok, err := setup.Token(ctx, db)
		if err != nil || tok == "" {
			t.Fatalf("token %q %v", tok, err)
		}
		for _, c := range []struct {
			name, target, addr string
			headers            []string
			want               int
		}{
			{"a stranger", "/setup", stranger, nil, http.StatusForbidden},
			{"a stranger with a wrong token", "/setup?token=" + tok[1:], stranger, nil, http.StatusForbidden},
			{"relayed by a proxy on this machine", "/setup", local, []string{"X-Forwarded-For", "127.0.0.1"}, http.StatusForbidden},
			{"relayed, Forwarded", "/setup", "[::1]:40000", []string{"Forwarded", "for=203.0.113.7"}, http.StatusForbidden},
			{"this machine", "/setup", local, nil, http.StatusOK},
			{"this machine over IPv6", "/setup", "[::1]:40000", nil, http.StatusOK},
			{"a stranger with the token", "/setup?token=" + tok, stranger, nil, http.StatusOK},
			{"relayed, with the token", "/setup?token=" + tok, local, []string{"X-Forwarded-For", "203.0.113.7"}, http.StatusOK},
		} {
			if w := serve(setupReq("GET", c.target, c.addr, nil, nil, c.headers...)); w.Code != c.want {
				t.Errorf("%s: %d, want %d", c.name, w.Code, c.want)
			}
		}
		w := serve(setupReq("GET", "/setup?token="+tok, stranger, nil, nil))
		if !strings.Contains(w.Body.String(), `name="token" value="`+tok+`"`) || !strings.Contains(w.Body.String(), "首次设置") {
			t.Fatalf("the form does not carry the token on:\n%s", w.Body.String())
		}
		cookies := w.Result().Cookies()
		form := url.Values{"csrf": {csrfOf(w.Body.String())}, "token": {tok}, "city": {"西宁市"}, "district": {"城东区"}, "street": {"韵家口镇"},
			"community": {"东兴社区"}, "grids": {"0"}, "admin_username": {"zhang"}, "admin_password": {"dongxing-setup-2026"},
			"admin_password2": {"dongxing-setup-2026"}}
		if w := serve(setupReq("POST", "/setup", stranger, form, nil)); w.Code != http.StatusForbidden {
			t.Errorf("a post without the form's cookie: %d, want 403", w.Code)
		}
		if w := serve(setupReq("POST", "/setup", stranger, form, cookies)); w.Code != http.StatusUnprocessableEntity ||
			!strings.Contains(w.Body.String(), `id="err-grids"`) {
			t.Errorf("0 grids: %d\n%s", w.Code, w.Body.String())
		}
		if units, _ := org.Units(ctx, db, org.City); len(units) != 0 {
			t.Fatal("refused input made an org tree")
		}
		form.Set("grids", "7")
		w = serve(setupReq("POST", "/setup", stranger, form, cookies))
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `id="setup-done"`) {
			t.Fatalf("set-up: %d\n%s", w.Code, w.Body.String())
		}
		grids, err := org.Grids(ctx, db)
		if err != nil || len(grids) != 7 || grids[6].Name != "第七网格" {
			t.Errorf("grids %+v %v", grids, err)
		}
		if u, err := d.Auth.UserByUsername(ctx, "zhang"); err != nil || !slices.ContainsFunc(u.Grants, func(g auth.Grant) bool { return g.Role == auth.Admin }) {
			t.Errorf("administrator %+v %v", u, err)
		}
		for _, r := range []*http.Request{setupReq("GET", "/setup", local, nil, nil), setupReq("GET", "/setup?token="+tok, stranger, nil, nil),
			setupReq("POST", "/setup", local, form, cookies)} {
			if w := serve(r); w.Code != http.StatusNotFound {
				t.Errorf("%s %s after the set-up: %d, want 404", r.Method, r.URL, w.Code)
			}
		}
	})
}
