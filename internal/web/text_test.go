package web

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestFormTextRefused: a query or form value PostgreSQL cannot store (a
// NUL character, bytes that are not UTF-8) answers 400 naming it, on every
// page, and changes nothing; on PostgreSQL it was a 500.
func TestFormTextRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		admin := e.signedIn("admin")
		if code, _ := admin.get("/households?q=%E7%8E%8B%00"); code != http.StatusBadRequest {
			t.Errorf("a search with NUL: %d, want 400", code)
		}
		if code, _ := admin.get("/households?q=%FF%FE"); code != http.StatusBadRequest {
			t.Errorf("a search that is not UTF-8: %d, want 400", code)
		}
		path := fmt.Sprintf("/households/%d", e.widow.ID)
		admin.get(path)
		code, body := admin.post(path+"/needs", url.Values{"kind": {"medical"}, "note": {"陪诊\x00"}})
		if code != http.StatusBadRequest {
			t.Errorf("a need with NUL: %d, want 400", code)
		}
		mustContain(t, "need with NUL", body, "说明: 含有无法保存的字符")
		var n int
		if err := db.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM needs WHERE household_id = ?`, e.widow.ID).Scan(&n); err != nil || n != 0 {
			t.Errorf("%d needs saved (%v)", n, err)
		}
	})
}
