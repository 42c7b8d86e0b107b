package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"wanhu/internal/auth"
	"wanhu/internal/calendar"
	"wanhu/internal/household/householdtest"
	"wanhu/internal/pii"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
	"wanhu/internal/testworld"
)

// received is the intake form's "received at" for a call taken ago.
func received(ago time.Duration) string {
	return time.Now().Add(-ago).In(calendar.China).Format("2006-01-02T15:04")
}

// register submits the intake form and returns the new request's id.
func register(t *testing.T, c *client, v url.Values) int64 {
	t.Helper()
	v.Set("csrf", c.csrf)
	res, body := c.postRaw("/requests", v)
	loc := res.Header.Get("Location")
	id, err := strconv.ParseInt(strings.TrimPrefix(loc, "/requests/"), 10, 64)
	if res.StatusCode != http.StatusSeeOther || err != nil {
		t.Fatalf("register: %d %s %s", res.StatusCode, loc, body)
	}
	return id
}

// step posts a step of request id's page with the version shown there.
func step(t *testing.T, c *client, id int64, action string, v url.Values) (int, string) {
	t.Helper()
	_, page := c.get(fmt.Sprintf("/requests/%d", id))
	if v.Get("version") == "" {
		m := versionField.FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("request %d: no form with a version on the page", id)
		}
		v.Set("version", m[1])
	}
	return c.post(fmt.Sprintf("/requests/%d/%s", id, action), v)
}

var versionField = regexp.MustCompile(`name="version" value="(\d+)"`)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestRequestWorkflowPages walks a hotline call through the intake, the
// acceptance, the resolution and the callback; a stale form and an illegal
// step show messages and change nothing; the page reads in English.
func TestRequestWorkflowPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		admin := e.signedIn("admin")
		code, body := admin.get("/requests/new")
		if code != http.StatusOK {
			t.Fatalf("intake: %d", code)
		}
		mustContain(t, "intake", body, `id="intake-form"`, `<option value="hotline" selected>24小时热线</option>`, `id="nav-requests"`)

		// The caller's phone finds the household.
		code, body = admin.post("/requests", url.Values{"find": {"1"}, "q": {householdtest.WidowPhone}, "category": {"sanitation"}, "description": {"化粪池外溢"}})
		if code != http.StatusOK {
			t.Fatalf("find: %d", code)
		}
		mustContain(t, "find", body, fmt.Sprintf(`name="household_id" value="%d" checked`, e.widow.ID), "化粪池外溢</textarea>", `<option value="sanitation" selected>`)

		// A bad input shows the form again with what was typed.
		code, body = admin.post("/requests", url.Values{"category": {"sanitation"}, "description": {"化粪池外溢"}, "channel": {"hotline"},
			"household_id": {itoa(e.widow.ID)}, "received_at": {received(-2 * time.Hour)}})
		if code != http.StatusUnprocessableEntity {
			t.Fatalf("a call received in the future: %d", code)
		}
		mustContain(t, "future", body, "受理时间: 不能晚于现在", "化粪池外溢</textarea>")

		id := register(t, admin, url.Values{"category": {"sanitation"}, "description": {"化粪池外溢"}, "channel": {"hotline"},
			"household_id": {itoa(e.widow.ID)}, "received_at": {received(time.Hour)}})
		_, body = admin.get(fmt.Sprintf("/requests/%d", id))
		mustContain(t, "submitted", body, "待接单", pii.MaskPhone(householdtest.WidowPhone), "24小时热线", `id="form-accept"`, `id="form-decline"`, "群众点单")
		mustNotContain(t, "submitted", body, householdtest.WidowPhone, `id="form-resolve"`, `id="form-callback"`)

		code, body = step(t, admin, id, "accept", url.Values{"urgency": {"urgent"}, "handling": {"community"}, "working_days": {"5"}})
		if code != http.StatusOK {
			t.Fatalf("accept: %d", code)
		}
		// Received an hour ago, due 24 hours after: 22 full hours left.
		mustContain(t, "accepted", body, `id="request-state">办理中`, "紧急", "剩 22 小时", "社区接单", `id="form-resolve"`)

		// A form from before the acceptance is stale.
		code, body = step(t, admin, id, "progress", url.Values{"note": {"已联系"}, "version": {"1"}})
		if code != http.StatusConflict {
			t.Fatalf("stale: %d", code)
		}
		mustContain(t, "stale", body, "刚被他人修改过", `id="request-state">办理中`)
		mustNotContain(t, "stale", body, "已联系")
		// A callback before the resolution is not a step of this state.
		code, body = step(t, admin, id, "callback", url.Values{"result": {"satisfied"}})
		if code != http.StatusConflict {
			t.Fatalf("illegal: %d", code)
		}
		mustContain(t, "illegal", body, "无法“记录回访”：此诉求现在是“办理中”")
		// A resolution needs its note.
		code, body = step(t, admin, id, "resolve", url.Values{"note": {""}})
		if code != http.StatusUnprocessableEntity {
			t.Fatalf("empty resolution: %d", code)
		}
		mustContain(t, "empty resolution", body, "说明: 必填", `<details class="add" open><summary class="button" id="open-resolve">`,
			`name="public_note"`, "公开答复（居民和公众可见）")

		if code, body = step(t, admin, id, "resolve", url.Values{"note": {"已清掏疏通"}, "public_note": {"化粪池已清掏疏通。"}}); code != http.StatusOK {
			t.Fatalf("resolve: %d", code)
		}
		mustContain(t, "resolved", body, `id="request-state">待回访`, "已清掏疏通", `id="form-callback"`,
			`id="request-public-note">化粪池已清掏疏通。<`, `id="request-callback-due"`, "回访方式", `name="method" value="phone" required`, "上门回访")
		mustNotContain(t, "resolved", body, `name="method" value="resident"`)
		// A callback says how it was made.
		if code, body = step(t, admin, id, "callback", url.Values{"result": {"satisfied"}, "comment": {"很及时"}}); code != http.StatusUnprocessableEntity {
			t.Fatalf("callback without a method: %d", code)
		}
		mustContain(t, "callback without a method", body, "回访方式")
		if code, body = step(t, admin, id, "callback", url.Values{"result": {"satisfied"}, "method": {"phone"}, "comment": {"很及时"}}); code != http.StatusOK {
			t.Fatalf("callback: %d", code)
		}
		mustContain(t, "closed", body, `id="request-state">已办结`, "满意 · 电话回访 · 很及时", "群众点单", "社区接单", "办结", "回访", "→ 已办结")
		mustNotContain(t, "closed", body, `id="request-actions"`)

		// In English.
		admin.get(fmt.Sprintf("/lang?to=en&back=/requests/%d", id))
		_, body = admin.get(fmt.Sprintf("/requests/%d", id))
		mustContain(t, "English", body, fmt.Sprintf("Request #%d", id), "Timeline", `id="request-state">Closed`, "Satisfied · by phone · 很及时", "24-hour hotline")
		mustNotContain(t, "English", body, "⟦")
	})
}

// TestRequestQueue: the queue puts the overdue first and leaves out the
// closed; an officer sees only what is referred to their department and
// resolves it; the board counts; a need on the household file becomes a
// request.
func TestRequestQueue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		dept, err := testworld.Department(ctx, db, e.org)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.h.auth.CreateUser(ctx, "officer", "文体局小马", testPassword, auth.Grant{Role: auth.Officer, OrgUnitID: dept.ID}); err != nil {
			t.Fatal(err)
		}
		admin := e.signedIn("admin")
		charger := register(t, admin, url.Values{"category": {"ev_charging"}, "description": {"电动车充电桩不够"}, "channel": {"talk_room"},
			"household_id": {itoa(e.family.ID)}})
		if code, _ := step(t, admin, charger, "accept", url.Values{"urgency": {"general"}, "handling": {"referred"},
			"department_id": {itoa(dept.ID)}, "working_days": {"5"}}); code != http.StatusOK {
			t.Fatalf("refer: %d", code)
		}
		late := register(t, admin, url.Values{"category": {"water_supply"}, "description": {"三楼漏水"}, "channel": {"hotline"},
			"address": {"一化小区3号楼"}, "received_at": {received(25 * time.Hour)}})
		step(t, admin, late, "accept", url.Values{"urgency": {"urgent"}, "handling": {"community"}})
		fresh := register(t, admin, url.Values{"category": {"repairs"}, "description": {"楼道灯坏了"}, "channel": {"walk_in"},
			"household_id": {itoa(e.widow.ID)}})
		done := register(t, admin, url.Values{"category": {"other"}, "description": {"已处理的事"}, "channel": {"walk_in"}, "household_id": {itoa(e.widow.ID)}})
		step(t, admin, done, "decline", url.Values{"reason": {"不属于社区职责"}})

		_, body := admin.get("/requests")
		at := func(id int64) int { return strings.Index(body, fmt.Sprintf(`data-request="%d"`, id)) }
		if !(at(late) >= 0 && at(late) < at(charger) && at(charger) < at(fresh)) || at(done) >= 0 {
			t.Errorf("queue order: late %d, charger %d, fresh %d, declined %d", at(late), at(charger), at(fresh), at(done))
		}
		mustContain(t, "queue", body, "逾期 1 小时", "三楼漏水", "一化小区3号楼", "待接单")
		_, body = admin.get("/requests?overdue=true")
		if at(late) < 0 || at(charger) >= 0 {
			t.Errorf("overdue filter shows late %d charger %d", at(late), at(charger))
		}
		_, body = admin.get("/requests?state=all&category=other")
		if at(done) < 0 || at(late) >= 0 {
			t.Errorf("all of category other: declined %d late %d", at(done), at(late))
		}
		_, body = admin.get("/requests/board")
		mustContain(t, "board", body, `id="b-submitted">1<`, `id="b-accepted">2<`, `id="b-overdue">1<`)

		// The officer's home is the queue of referred requests.
		officer := e.signedIn("officer")
		res, _ := officer.do(mustRequest("GET", e.srv.URL+"/"))
		if loc := res.Header.Get("Location"); loc != "/requests" {
			t.Errorf("officer home: %s", loc)
		}
		_, body = officer.get("/requests")
		if at(charger) < 0 || at(late) >= 0 || at(fresh) >= 0 {
			t.Errorf("officer queue: charger %d late %d fresh %d", at(charger), at(late), at(fresh))
		}
		mustNotContain(t, "officer queue", body, `id="intake-link"`)
		if code, _ := officer.get(fmt.Sprintf("/requests/%d", late)); code != http.StatusNotFound {
			t.Errorf("officer reads a community request: %d", code)
		}
		_, body = officer.get(fmt.Sprintf("/requests/%d", charger))
		mustContain(t, "officer page", body, "区文体旅游科技局", `id="form-resolve"`, `id="form-hand_back"`, `id="form-extension"`)
		mustNotContain(t, "officer page", body, `id="form-accept"`, `id="request-household"`)
		if code, _ := step(t, officer, charger, "callback", url.Values{"result": {"satisfied"}}); code != http.StatusForbidden {
			t.Errorf("officer records a callback: %d", code)
		}
		if code, body := step(t, officer, charger, "resolve", url.Values{"note": {"新增充电桩10个"}}); code != http.StatusOK || !strings.Contains(body, "待回访") {
			t.Errorf("officer resolves: %d", code)
		}

		// A need found on a visit becomes a request.
		admin.post(fmt.Sprintf("/households/%d/needs", e.widow.ID), url.Values{"kind": {"elderly_care"}, "status": {"open"}, "note": {"想要助餐"}})
		hh, err := e.hs.HouseholdByID(ctx, e.widow.ID)
		if err != nil || len(hh.Needs) != 1 {
			t.Fatalf("needs %v", err)
		}
		n := hh.Needs
		_, body = admin.get(fmt.Sprintf("/households/%d", e.widow.ID))
		mustContain(t, "household file", body, fmt.Sprintf(`id="need-request-%d"`, n[0].ID))
		_, body = admin.get(fmt.Sprintf("/requests/new?need_id=%d", n[0].ID))
		mustContain(t, "from need", body, "由住户需求转为诉求", "想要助餐</textarea>", `<option value="visit" selected>`)
		id := register(t, admin, url.Values{"category": {"elderly_care"}, "description": {"想要助餐"}, "channel": {"visit"}, "need_id": {itoa(n[0].ID)}})
		_, body = admin.get(fmt.Sprintf("/requests/%d", id))
		mustContain(t, "from need", body, fmt.Sprintf(`href="/households/%d" id="request-household"`, e.widow.ID), "入户走访")
	})
}
