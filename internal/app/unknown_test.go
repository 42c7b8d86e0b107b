package app

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"wanhu/internal/server"
	"wanhu/internal/store/storetest"
)

// TestUnknownAddresses drives the whole app: an address that is no page
// answers the web's 404 page (HTML, in Chinese), and one under /api/
// (another version, a typo) the API's JSON error, never Go's plain
// "404 page not found".
func TestUnknownAddresses(t *testing.T) {
	h := Handler(server.NewDeps(storetest.SQLite(t), slog.New(slog.DiscardHandler)))
	get := func(path string) (int, string, string) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		b, _ := io.ReadAll(rec.Body)
		return rec.Code, rec.Header().Get("Content-Type"), string(b)
	}
	for _, p := range []string{"/no/such/page", "/households/1/nothing", "/apiv1"} {
		code, ctype, body := get(p)
		if code != 404 || !strings.HasPrefix(ctype, "text/html") || !strings.Contains(body, "找不到该页面") {
			t.Errorf("GET %s: %d %s\n%.300s", p, code, ctype, body)
		}
	}
	for _, p := range []string{"/api/", "/api/v2/households", "/api/v1/nothing", "/api/v1/households/1/nothing"} {
		code, ctype, body := get(p)
		var out struct {
			Error struct{ Code, Message string }
		}
		if err := json.Unmarshal([]byte(body), &out); err != nil || code != 404 || !strings.HasPrefix(ctype, "application/json") || out.Error.Code != "not_found" || out.Error.Message == "" {
			t.Errorf("GET %s: %d %s %q", p, code, ctype, body)
		}
	}
}
