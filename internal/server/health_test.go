package server

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestReadyz: /readyz answers 200 on a migrated database, 503 with the
// reason on one not migrated and on one that is gone, and says so in the
// log once per change; /healthz answers 200 whatever the database.
func TestReadyz(t *testing.T) {
	probe := func(db *store.DB, log *slog.Logger) func(path string) (int, string) {
		mux := http.NewServeMux()
		Health(mux, Deps{DB: db, Log: log})
		return func(path string) (int, string) {
			rec := httptest.NewRecorder()
			mux.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
			b, _ := io.ReadAll(rec.Body)
			return rec.Code, strings.TrimSpace(string(b))
		}
	}
	var logs bytes.Buffer
	db := storetest.SQLite(t)
	get := probe(db, slog.New(slog.NewTextHandler(&logs, nil)))
	if code, body := get("/readyz"); code != 200 || body != "ready" {
		t.Errorf("/readyz on a migrated database: %d %q", code, body)
	}
	db.Close()
	for range 2 {
		if code, body := get("/readyz"); code != 503 || !strings.HasPrefix(body, "not ready: database") {
			t.Errorf("/readyz on a closed database: %d %q", code, body)
		}
	}
	if code, body := get("/healthz"); code != 200 || body != "ok" {
		t.Errorf("/healthz on a closed database: %d %q, want 200 ok", code, body)
	}
	if n := strings.Count(logs.String(), "not ready"); n != 1 {
		t.Errorf("the log says not ready %d times, want once:\n%s", n, logs.String())
	}

	empty, err := store.OpenNoMigrate(context.Background(), filepath.Join(t.TempDir(), "empty.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer empty.Close()
	if code, body := probe(empty, slog.New(slog.DiscardHandler))("/readyz"); code != 503 || body != "not ready: database schema not migrated" {
		t.Errorf("/readyz on a database not migrated: %d %q", code, body)
	}
}
