package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

func TestTokenPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		admin := e.signedIn("admin")
		code, body := admin.post("/account/tokens", url.Values{"name": {"夜间导出"}, "days": {"30"}})
		m := regexp.MustCompile(`id="token-value">(wanhu_pat_[A-Za-z0-9_-]+)<`).FindStringSubmatch(body)
		if code != http.StatusCreated || m == nil {
			t.Fatalf("create: %d", code)
		}
		if sess, err := e.h.auth.Authenticate(t.Context(), m[1], "api"); err != nil || sess.MayWrite() {
			t.Errorf("the new token: %v, write %v", err, sess != nil && sess.MayWrite())
		}
		_, body = admin.get("/account/tokens")
		if strings.Contains(body, m[1]) || !strings.Contains(body, "夜间导出") {
			t.Error("the list shows the token again, or not its name")
		}
		if code, _ := admin.post("/account/tokens", url.Values{"name": {""}, "days": {"30"}}); code != http.StatusBadRequest {
			t.Errorf("nameless token: %d", code)
		}
		id := regexp.MustCompile(`/account/tokens/(\d+)/delete`).FindStringSubmatch(body)[1]
		if code, _ := e.signedIn("worker").post("/account/tokens/"+id+"/delete", url.Values{}); code != http.StatusNotFound {
			t.Errorf("worker deleting the admin's token: %d", code)
		}
		if code, body := admin.post("/account/tokens/"+id+"/delete", url.Values{}); code != http.StatusOK || strings.Contains(body, "夜间导出") {
			t.Errorf("delete: %d", code)
		}
		if _, err := e.h.auth.Authenticate(t.Context(), m[1], "api"); err == nil {
			t.Error("a deleted token still works")
		}
	})
}
