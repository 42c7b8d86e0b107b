package app

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"wanhu/internal/auth"
	"wanhu/internal/server"
	"wanhu/internal/store/storetest"
	"wanhu/internal/testworld"
)

// TestHeaders drives the whole app: pages and JSON (public, signed in,
// errors) are no-store and static assets are not; HSTS comes behind a
// proxy saying https and not over plain HTTP; /static/ lists no directory.
func TestHeaders(t *testing.T) {
	ctx := context.Background()
	db := storetest.SQLite(t)
	f, err := testworld.NewOrg(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	d := server.NewDeps(db, slog.New(slog.DiscardHandler))
	if err := d.Auth.SetTOTPRoles(ctx, nil); err != nil { // the admin signs in with a password only
		t.Fatal(err)
	}
	if _, err := d.Auth.CreateUser(ctx, "admin", "管理员", "headers-admin-2025", auth.Grant{Role: auth.Admin, OrgUnitID: f.City.ID}); err != nil {
		t.Fatal(err)
	}
	tok, _, err := d.Auth.Login(ctx, "admin", "headers-admin-2025", auth.API)
	if err != nil {
		t.Fatal(err)
	}
	h := Handler(d)
	get := func(path string, header map[string]string) (*http.Response, string) {
		r := httptest.NewRequest("GET", path, nil)
		for k, v := range header {
			r.Header.Set(k, v)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		b, _ := io.ReadAll(rec.Body)
		return rec.Result(), string(b)
	}
	bearer := map[string]string{"Authorization": "Bearer " + tok}
	for _, c := range []struct {
		path   string
		header map[string]string
		status int
	}{
		{"/login", nil, 200},
		{"/", nil, 303},
		{"/api/v1/me", bearer, 200},
		{"/api/v1/households", bearer, 200},
		{"/api/v1/households/99", bearer, 404},
		{"/api/v1/openapi.json", nil, 200},
		{"/open311/v2/services.json", nil, 200},
		{"/r/ABCDEFGH23", nil, 404},
	} {
		res, body := get(c.path, c.header)
		if res.StatusCode != c.status || res.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: %d, Cache-Control %q; want %d, no-store (%.100s)", c.path, res.StatusCode, res.Header.Get("Cache-Control"), c.status, body)
		}
		if hsts := res.Header.Get("Strict-Transport-Security"); hsts != "" {
			t.Errorf("%s over plain HTTP: HSTS %q", c.path, hsts)
		}
	}
	res, _ := get("/login", map[string]string{"X-Forwarded-Proto": "https"})
	if hsts := res.Header.Get("Strict-Transport-Security"); hsts != "max-age=31536000" {
		t.Errorf("behind a proxy saying https: HSTS %q", hsts)
	}
	res, body := get("/static/app.css", nil)
	if res.StatusCode != 200 || strings.Contains(res.Header.Get("Cache-Control"), "no-store") || len(body) == 0 {
		t.Errorf("/static/app.css: %d, Cache-Control %q, %d bytes", res.StatusCode, res.Header.Get("Cache-Control"), len(body))
	}
	for _, path := range []string{"/static/", "/static/vendor/", "/static/vendor", "/static/vendor/echarts/"} {
		res, body := get(path, nil)
		if res.StatusCode != 404 || strings.Contains(body, "app.css") || strings.Contains(body, "<a href") {
			t.Errorf("%s: %d %.200s, want 404 without a listing", path, res.StatusCode, body)
		}
	}
}
