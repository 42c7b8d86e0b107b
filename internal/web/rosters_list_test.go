package web

import (
	"net/url"
	"strings"
	"testing"

	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestRosterPages: the roster index with counts, a roster page with its
// print button and downloads, a bad filter, saving a filter and opening
// it from the index, and a visitor who may not download.
func TestRosterPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		admin := e.signedIn("admin")
		status, body := admin.get("/rosters")
		if status != 200 {
			t.Fatalf("index %d", status)
		}
		mustContain(t, "index", body, `href="/rosters" id="nav-rosters" aria-current="page"`, `data-roster="four_thirty">四点半课堂</a>`,
			`data-count="fire_safety">共 1 条`, `data-count="living_alone_elderly">共 1 条`, `href="/rosters/people"`, "还没有保存的名册")

		status, body = admin.get("/rosters/fire_safety")
		if status != 200 {
			t.Fatalf("fire_safety %d", status)
		}
		mustContain(t, "fire_safety", body, "兴旺超市", "零售", `id="roster-print"`, `src="`+staticURL(t, "rosters.js")+`"`,
			`href="/rosters/fire_safety?format=xlsx"`, "共 1 条")
		mustNotContain(t, "fire_safety", body, "onclick")

		status, body = admin.get("/rosters/people?age=40-")
		if status != 200 {
			t.Fatalf("people %d", status)
		}
		mustContain(t, "people 40-", body, "王秀兰", "李建国", "张丽", "马福海", "共 4 条", `id="roster-save"`, `name="age" value="40-"`)
		mustNotContain(t, "people 40-", body, "李小明")

		status, body = admin.get("/rosters/people?sex=x")
		if status != 400 || !strings.Contains(body, `id="roster-error"`) || !strings.Contains(body, "性别") {
			t.Errorf("bad filter: %d %s", status, body)
		}

		status, body = admin.post("/rosters/saved", url.Values{"roster": {"people"}, "name": {"四十以上"}, "age": {"40-"}})
		if status != 200 {
			t.Fatalf("save %d %s", status, body)
		}
		mustContain(t, "index after saving", body, `<a href="/rosters/people?age=40-">四十以上</a>`)

		res, _ := admin.do(mustRequest("GET", e.srv.URL+"/rosters/four_thirty?format=xlsx"))
		if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Content-Type"), "spreadsheetml") {
			t.Errorf("xlsx: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
		if status, _ := admin.get("/rosters/key-persons"); status != 200 {
			t.Errorf("the old key-person page: %d", status)
		}

		worker := e.signedIn("worker")
		res, _ = worker.do(mustRequest("GET", e.srv.URL+"/rosters/people?format=csv"))
		if res.StatusCode != 403 {
			t.Errorf("visitor csv: %d, want 403", res.StatusCode)
		}
		status, body = worker.get("/rosters/people")
		if status != 200 || strings.Contains(body, "李建国") || !strings.Contains(body, "王秀兰") {
			t.Errorf("visitor sees %d: only the widow expected", status)
		}
	})
}
