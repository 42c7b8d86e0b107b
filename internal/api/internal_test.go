package api

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"wanhu/internal/auth"
	"wanhu/internal/server"
	"wanhu/internal/store/storetest"
)

// TestInternalError checks that an unexpected error answers 500 "internal"
// with a generic message and is logged once, with its route.
func TestInternalError(t *testing.T) {
	db := storetest.SQLite(t)
	var logs bytes.Buffer
	d := server.NewDeps(db, slog.New(slog.NewTextHandler(&logs, nil)))
	ctx := context.Background()
	if _, err := d.Auth.CreateUser(ctx, "admin", "", "dongxing-admin-2025"); err != nil {
		t.Fatal(err)
	}
	token, _, err := d.Auth.Login(ctx, "admin", "dongxing-admin-2025", auth.API)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	Register(mux, d)
	db.Close()
	req := httptest.NewRequest("GET", Prefix+"/households?q=13912345678", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, req)
	if w.Code != 500 {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	wantError("internal", "")(t, w.Body.Bytes())
	if strings.Contains(w.Body.String(), "closed") {
		t.Errorf("answer leaks the error: %s", w.Body)
	}
	if n := strings.Count(logs.String(), "api request failed"); n != 1 || !strings.Contains(logs.String(), "/api/v1/households") ||
		strings.Contains(logs.String(), "13912345678") {
		t.Errorf("logged %d times, want once with the route and no query: %s", n, logs.String())
	}
}
