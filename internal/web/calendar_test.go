package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"wanhu/internal/calendar"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestCalendarPage: everyone reads a year; an administrator pastes the
// 2028 schedule, a bad line is named and changes nothing.
func TestCalendarPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		admin := e.signedIn("admin")
		code, body := admin.get("/calendar?year=2026")
		if code != http.StatusOK {
			t.Fatalf("page: %d", code)
		}
		mustContain(t, "2026", body, "程序内置", "2026-10-10 周六", "调休上班", "2026-10-01 周四", `id="calendar-form"`, `id="nav-settings" aria-current="page"`)

		worker := e.signedIn("worker")
		code, body = worker.get("/calendar?year=2028")
		if code != http.StatusOK {
			t.Fatalf("worker page: %d", code)
		}
		mustContain(t, "2028 for a worker", body, "暂无该年的放假安排")
		if strings.Contains(body, `id="calendar-form"`) {
			t.Error("a grid worker is offered the form")
		}
		if _, body := worker.get("/settings"); strings.Contains(body, `id="settings-calendar"`) || !strings.Contains(body, `id="settings-survey"`) {
			t.Error("a grid worker's settings offer the calendar, or not the survey questions")
		}
		if code, _ := worker.post("/calendar", url.Values{"year": {"2028"}, "lines": {"2028-01-03,off,元旦"}}); code != http.StatusForbidden {
			t.Errorf("worker saved: %d", code)
		}

		code, body = admin.post("/calendar", url.Values{"year": {"2028"}, "lines": {"2028-01-03,off,元旦\n2028-01-29,班,春节调休\n2028-13-01,off"}})
		if code != http.StatusUnprocessableEntity {
			t.Fatalf("bad line: %d", code)
		}
		mustContain(t, "bad line", body, "第 3 行", "2028-13-01 不是真实存在的日期", "2028-01-29,班,春节调休")
		cal, err := calendar.Load(context.Background(), db)
		if err != nil {
			t.Fatal(err)
		}
		if _, src := cal.Year(2028); src != calendar.Estimated {
			t.Fatalf("after a bad line 2028 is %s", src)
		}

		res, _ := admin.postRaw("/calendar", url.Values{"csrf": {admin.csrf}, "year": {"2028"}, "lines": {"2028-01-03,off,元旦\n2028-01-29,班,春节调休\n"}})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/calendar?year=2028&saved=1" {
			t.Fatalf("save: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		_, body = admin.get("/calendar?year=2028&saved=1")
		mustContain(t, "saved", body, "2028 年的放假安排已保存", "管理员录入", "2028-01-29 周六", "2028-01-03,off,元旦\n2028-01-29,work,春节调休")
	})
}
