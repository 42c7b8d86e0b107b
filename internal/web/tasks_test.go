package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/proactive"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestTaskPages: the day's proactive tasks show on the visitor's today
// page (her households only), on the household file and in the list; they
// are done, dismissed with a reason and turned into a request from the
// pages; another grid's task is not found.
func TestTaskPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		if _, err := e.hs.RecordEvent(ctx, household.Actor{Name: "测试"}, e.family.Members[0].ID, household.Event{Type: household.EvLostJob}); err != nil {
			t.Fatal(err)
		}
		if _, err := proactive.Run(ctx, db, calendar.DayOf(testNow), testNow); err != nil {
			t.Fatal(err)
		}
		id := func(rule string, hh int64) int64 {
			var n int64
			storetest.Scan(t, db.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM proactive_tasks WHERE rule = ? AND household_id = ?`, rule, hh), &n)
			return n
		}
		visit, lost := id("alone_elderly_visit", e.widow.ID), id("lost_job", e.family.ID)

		worker := e.signedIn("worker")
		code, body := worker.get("/today")
		if code != http.StatusOK {
			t.Fatalf("today: %d", code)
		}
		mustContain(t, "today", body, "今日未诉先办", fmt.Sprintf(`id="task-%d"`, visit), "独居老人王秀兰")
		mustNotContain(t, "today", body, "李建国")
		_, body = worker.get("/tasks")
		mustNotContain(t, "worker's list", body, fmt.Sprintf(`id="task-%d"`, lost))
		if code, _ := worker.post(fmt.Sprintf("/tasks/%d/done", lost), url.Values{}); code != http.StatusNotFound {
			t.Errorf("worker marks another grid's task done: %d, want 404", code)
		}
		code, body = worker.post(fmt.Sprintf("/tasks/%d/done", visit), url.Values{"back": {"/today"}})
		if code != http.StatusOK {
			t.Fatalf("done: %d", code)
		}
		mustNotContain(t, "today after done", body, fmt.Sprintf(`id="task-%d"`, visit))
		var state string
		storetest.Scan(t, db.QueryRowContext(ctx, `SELECT state FROM proactive_tasks WHERE id = ?`, visit), &state)
		if state != proactive.Done {
			t.Errorf("after done: %s", state)
		}

		admin := e.signedIn("admin")
		_, body = admin.get(fmt.Sprintf("/households/%d", e.family.ID))
		mustContain(t, "household file", body, `id="tasks"`, fmt.Sprintf(`id="task-%d"`, lost), "低保边缘评估")
		if code, _ := admin.post(fmt.Sprintf("/tasks/%d/dismiss", lost), url.Values{"reason": {" "}}); code != http.StatusBadRequest {
			t.Errorf("dismiss without a reason: %d, want 400", code)
		}
		_, body = admin.get("/tasks?rule=lost_job")
		mustContain(t, "list by rule", body, fmt.Sprintf(`id="task-%d"`, lost), "转为诉求")
		res, _ := admin.postRaw(fmt.Sprintf("/tasks/%d/request", lost), url.Values{"csrf": {admin.csrf}, "category": {"other"}})
		if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || len(loc) < 11 || loc[:10] != "/requests/" {
			t.Fatalf("to a request: %d %s", res.StatusCode, loc)
		}
		_, body = admin.get("/tasks?state=converted")
		mustContain(t, "converted", body, fmt.Sprintf(`id="task-%d"`, lost), "已转诉求")
		fraud := id("anti_fraud", e.widow.ID)
		if code, _ := admin.post(fmt.Sprintf("/tasks/%d/dismiss", fraud), url.Values{"reason": {"上周已宣传"}}); code != http.StatusOK {
			t.Errorf("dismiss: %d", code)
		}
		storetest.Scan(t, db.QueryRowContext(ctx, `SELECT state FROM proactive_tasks WHERE id = ?`, fraud), &state)
		if state != proactive.Dismissed {
			t.Errorf("after dismiss: %s", state)
		}
	})
}

// TestProactiveSettingsPage: the administrator sets a rule's parameter
// and turns a rule off; a wrong value is refused naming the rule and
// stores nothing; a visitor may not see the page.
func TestProactiveSettingsPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		admin := e.signedIn("admin")
		code, body := admin.get("/settings/proactive")
		if code != http.StatusOK {
			t.Fatalf("page: %d", code)
		}
		mustContain(t, "page", body, "独居老人走访", `name="p.alone_elderly_visit.days" value="7"`, "默认：10-15")
		form := url.Values{"p.alone_elderly_visit.days": {"0"}, "on.alone_elderly_visit": {"1"}}
		code, body = admin.post("/settings/proactive", form)
		if code != http.StatusUnprocessableEntity {
			t.Fatalf("days 0: %d", code)
		}
		mustContain(t, "error", body, "独居老人走访 · 天数", `aria-invalid="true"`)
		form.Set("p.alone_elderly_visit.days", "5")
		code, body = admin.post("/settings/proactive", form)
		if code != http.StatusOK {
			t.Fatalf("save: %d", code)
		}
		mustContain(t, "saved", body, "规则已保存", `name="p.alone_elderly_visit.days" value="5"`)
		s, err := proactive.LoadSettings(context.Background(), db)
		if err != nil {
			t.Fatal(err)
		}
		if s["alone_elderly_visit"].Params["days"] != "5" || !s["alone_elderly_visit"].Enabled || s["heating_check"].Enabled ||
			s["heating_check"].Params["start"] != "10-15" {
			t.Errorf("stored: %+v", s)
		}
		if code, _ := e.signedIn("worker").get("/settings/proactive"); code != http.StatusForbidden {
			t.Errorf("worker: %d, want 403", code)
		}
	})
}
