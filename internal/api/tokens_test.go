package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestAccessTokens: a token is shown once, stored hashed, works as a
// bearer token within its scope, and ends when deleted.
func TestAccessTokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		create := func(user, body string) (int, map[string]any) {
			res, b := fx.do(t, user, "POST", "/tokens", body, nil)
			var m map[string]any
			json.Unmarshal(b, &m)
			return res.StatusCode, m
		}
		code, ro := create("admin", `{"name":"nightly export","scopes":["read"],"expires_in_days":30}`)
		if code != http.StatusCreated || !strings.HasPrefix(ro["token"].(string), "wanhu_pat_") {
			t.Fatalf("create: %d %v", code, ro)
		}
		_, rw := create("admin", `{"name":"sync","scopes":["read","write"]}`)
		if code, m := create("admin", `{"name":"x","scopes":["admin"]}`); code != http.StatusBadRequest {
			t.Errorf("unknown scope: %d %v", code, m)
		}
		if code, _ := create("admin", `{"name":"x","expires_in_days":1000}`); code != http.StatusBadRequest {
			t.Errorf("expiry beyond a year: %d", code)
		}
		fx.tokens["ro"], fx.tokens["rw"] = ro["token"].(string), rw["token"].(string)
		// Only the hash is stored.
		var n int
		storetest.Scan(t, db.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM access_tokens WHERE token_hash = ? OR token_hash = ?`, fx.tokens["ro"], fx.tokens["rw"]), &n)
		if n != 0 {
			t.Error("a token is stored in the clear")
		}
		fx.run(t, []scenario{
			{name: "read token reads", method: "GET", path: "/households/{red}", user: "ro", status: 200},
			{name: "read token may not write", method: "PATCH", path: "/households/{red}", body: `{"version":1,"notes":"x"}`, user: "ro", status: 403},
			{name: "read token may not make tokens", method: "POST", path: "/tokens", body: `{"name":"y"}`, user: "ro", status: 403},
			{name: "write token writes", method: "PATCH", path: "/households/{red}", body: `{"version":1,"notes":"由脚本更新"}`, user: "rw", status: 200},
			{name: "write token may not make tokens", method: "POST", path: "/tokens", body: `{"name":"y"}`, user: "rw", status: 403},
			{name: "list hides the tokens", method: "GET", path: "/tokens", user: "admin", status: 200,
				want: []string{"nightly export", `"total":2`}, reject: []string{"wanhu_pat_"}},
			{name: "the clerk sees none of them", method: "GET", path: "/tokens", user: "clerk", status: 200, want: []string{`"total":0`}},
		})
		path := fmt.Sprintf("/tokens/%d", int(ro["id"].(float64)))
		if res, _ := fx.do(t, "clerk", "DELETE", path, "", nil); res.StatusCode != http.StatusNotFound {
			t.Errorf("clerk deleting the admin's token: %d, want 404", res.StatusCode)
		}
		if res, _ := fx.do(t, "admin", "DELETE", path, "", nil); res.StatusCode != http.StatusNoContent {
			t.Errorf("delete: %d", res.StatusCode)
		}
		if res, _ := fx.do(t, "ro", "GET", "/me", "", nil); res.StatusCode != http.StatusUnauthorized {
			t.Errorf("deleted token: %d, want 401", res.StatusCode)
		}
	})
}
