package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"wanhu/internal/household"
	"wanhu/internal/household/householdtest"
	"wanhu/internal/pii"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

func TestLogin(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		c := e.client()

		// A page without a session sends the browser to the login form.
		req, _ := http.NewRequest("GET", e.srv.URL+"/households?colour=red", nil)
		res, _ := c.do(req)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/login?next=%2Fhouseholds%3Fcolour%3Dred" {
			t.Errorf("unauthenticated: %d %q", res.StatusCode, res.Header.Get("Location"))
		}

		_, body := c.get("/login")
		tok := csrfOf(body)
		mustContain(t, "login form", body, `name="username"`, `name="password"`, `id="login-submit"`)
		if res, _ := c.postRaw("/login", url.Values{"username": {"admin"}, "password": {testPassword}}); res.StatusCode != http.StatusForbidden {
			t.Errorf("login without CSRF token: %d, want 403", res.StatusCode)
		}
		res, body = c.postRaw("/login", url.Values{"csrf": {tok}, "username": {"admin"}, "password": {"wrong-password"}})
		if res.StatusCode != http.StatusUnauthorized {
			t.Errorf("bad password: %d", res.StatusCode)
		}
		mustContain(t, "bad password", body, "用户名或密码错误", `value="admin"`)

		// next must stay on this site.
		res, _ = c.postRaw("/login", url.Values{"csrf": {csrfOf(body)}, "username": {"admin"}, "password": {testPassword}, "next": {"//evil.example/x"}})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/households" {
			t.Errorf("login with foreign next: %d %q", res.StatusCode, res.Header.Get("Location"))
		}
		for _, ck := range res.Cookies() {
			if ck.Name == sessionCookie && (!ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/") {
				t.Errorf("session cookie %+v", ck)
			}
		}
		_, body = c.get("/households")
		c.csrf = csrfOf(body)
		mustContain(t, "signed in", body, "管理员", "王秀兰")

		// A form without the session's CSRF token is refused and changes nothing.
		before, _ := e.hs.HouseholdByID(context.Background(), e.widow.ID)
		res, _ = c.postRaw(fmt.Sprintf("/households/%d/colour", e.widow.ID), url.Values{"colour": {"green"}, "reason": {"x"}})
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("POST without CSRF: %d, want 403", res.StatusCode)
		}
		res, _ = c.postRaw(fmt.Sprintf("/households/%d/colour", e.widow.ID), url.Values{"csrf": {"forged"}, "colour": {"green"}, "reason": {"x"}})
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("POST with a wrong CSRF token: %d, want 403", res.StatusCode)
		}
		if after, _ := e.hs.HouseholdByID(context.Background(), e.widow.ID); after.ColourOverride != before.ColourOverride {
			t.Error("a refused POST changed the colour")
		}

		if code, body := c.post("/logout", url.Values{}); code != http.StatusOK || !strings.Contains(body, `name="password"`) {
			t.Errorf("logout: %d", code)
		}
		req, _ = http.NewRequest("GET", e.srv.URL+"/households", nil)
		if res, _ := c.do(req); res.StatusCode != http.StatusSeeOther {
			t.Errorf("after logout: %d", res.StatusCode)
		}
	})
}

func TestHouseholdList(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		c := e.signedIn("admin")
		code, body := c.get("/households")
		if code != http.StatusOK {
			t.Fatalf("list: %d", code)
		}
		mustContain(t, "list", body, "王秀兰", "李建国", "兴旺超市", "139****5678", "红色", "独居老人（王秀兰）", "共 3 条", `name="q"`)
		mustNotContain(t, "list", body, "13912345678")
		if strings.Index(body, `name="q"`) > strings.Index(body, "<h1>") {
			t.Error("the search box is not the first thing on the page")
		}
		for _, tc := range []struct {
			query string
			want  []string
			not   []string
		}{
			{"q=" + url.QueryEscape("王秀"), []string{"王秀兰", "共 1 条"}, []string{"李建国"}},
			{"q=13800001111", []string{"李建国"}, []string{"王秀兰"}},
			{"q=" + householdtest.IDNumber("1975-05-05", 31), []string{"兴旺超市"}, []string{"王秀兰"}},
			{"q=" + url.QueryEscape("八一路"), []string{"兴旺超市"}, []string{"李建国"}},
			{"colour=red", []string{"王秀兰"}, []string{"李建国", "兴旺超市"}},
			{"kind=commercial", []string{"兴旺超市"}, []string{"王秀兰"}},
			{fmt.Sprintf("grid=%d", e.org.Grids[1].ID), []string{"李建国", "兴旺超市"}, []string{"王秀兰"}},
			{"tag=living_alone_elderly", []string{"王秀兰"}, []string{"李建国"}},
			{"q=nobody", []string{"没有符合条件的住户"}, []string{"王秀兰"}},
			// Issue 14: the search box finds what people type.
			{"q=" + url.QueryEscape("一化小区1号楼"), []string{"王秀兰", "共 1 条"}, []string{"李建国"}},
			{"q=" + url.QueryEscape("一化小区 1号楼"), []string{"王秀兰", "共 1 条"}, []string{"李建国"}},
			{"q=1-2-302", []string{"王秀兰", "共 1 条"}, []string{"李建国"}},
			{"q=" + url.QueryEscape("2栋1单元"), []string{"李建国"}, []string{"王秀兰"}},
			{"q=5678", []string{"王秀兰", "139****5678"}, []string{"李建国", "13912345678"}},
			{"q=wxl", []string{"王秀兰", "共 1 条"}, []string{"李建国"}},
			{"q=ljg", []string{"李建国"}, []string{"王秀兰"}},
			{"q=" + url.QueryEscape("wang xiu lan"), []string{"王秀兰"}, []string{"李建国"}},
		} {
			code, body := c.get("/households?" + tc.query)
			if code != http.StatusOK {
				t.Errorf("%s: %d", tc.query, code)
			}
			mustContain(t, tc.query, body, tc.want...)
			mustNotContain(t, tc.query, body, tc.not...)
		}
	})
}

func TestHouseholdFile(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		admin := e.signedIn("admin")
		path := fmt.Sprintf("/households/%d", e.widow.ID)
		code, body := admin.get(path)
		if code != http.StatusOK {
			t.Fatalf("file: %d", code)
		}
		mustContain(t, "file", body, "一化小区 1号楼 2单元 302室", "红色", "独居老人（王秀兰）", "139****5678", pii.MaskIDNumber(householdtest.IDNumber("1948-03-05", 22)),
			"a class=\"button edit-member\"", "class=\"ledger-entry\"", "建档")
		// Pages never carry the full numbers, not even for an administrator.
		mustNotContain(t, "file", body, "13912345678", householdtest.IDNumber("1948-03-05", 22))
		// The visitor sees the household assigned to them, masked, and no other.
		worker := e.signedIn("worker")
		_, body = worker.get(path)
		mustContain(t, "worker's file", body, "139****5678", pii.MaskIDNumber(householdtest.IDNumber("1948-03-05", 22)))
		mustNotContain(t, "worker's file", body, "13912345678", householdtest.IDNumber("1948-03-05", 22), "edit-member")
		if code, _ := worker.get(fmt.Sprintf("/households/%d", e.family.ID)); code != http.StatusNotFound {
			t.Errorf("visitor opens a household not assigned to them: %d, want 404", code)
		}
		if code, _ := worker.get(path + "/edit"); code != http.StatusForbidden {
			t.Errorf("visitor opens the edit form: %d, want 403", code)
		}
		// The Tibetan-speaking family needs an interpreter.
		_, body = admin.get(fmt.Sprintf("/households/%d", e.family.ID))
		mustContain(t, "family file", body, "藏语", "需要翻译", "绿色", "普通家庭")
		mustNotContain(t, "family file", body, "消防重点")
		// A household tag set is named on the file and in its ledger, as
		// are the members' (独居老人 above).
		fam, err := e.hs.HouseholdByID(context.Background(), e.family.ID)
		if err != nil {
			t.Fatal(err)
		}
		fam.Tags = append(fam.Tags, "fire_safety_focus")
		if _, err := e.hs.UpdateHousehold(context.Background(), household.Actor{Name: "测试"}, *fam); err != nil {
			t.Fatal(err)
		}
		_, body = admin.get(fmt.Sprintf("/households/%d", e.family.ID))
		if n := strings.Count(body, "消防重点"); n < 2 {
			t.Errorf("the family's file names its new tag %d times, want it among its tags and in its ledger", n)
		}
		mustContain(t, "family file", body, "添加标签")
		mustNotContain(t, "family file", body, "fire_safety_focus")
		// Removed, it is named in the ledger only.
		if fam, err = e.hs.HouseholdByID(context.Background(), e.family.ID); err != nil {
			t.Fatal(err)
		}
		fam.Tags = slices.DeleteFunc(fam.Tags, func(c string) bool { return c == "fire_safety_focus" })
		if _, err := e.hs.UpdateHousehold(context.Background(), household.Actor{Name: "测试"}, *fam); err != nil {
			t.Fatal(err)
		}
		_, body = admin.get(fmt.Sprintf("/households/%d", e.family.ID))
		mustContain(t, "family file", body, "移除标签", "消防重点")
		mustNotContain(t, "family file", body, "fire_safety_focus")
		if code, _ := admin.get("/households/999999"); code != http.StatusNotFound {
			t.Errorf("missing household: %d", code)
		}
		if code, _ := admin.get("/households/abc"); code != http.StatusNotFound {
			t.Errorf("bad id: %d", code)
		}
	})
}

func TestEditHouseholdConflict(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		c := e.signedIn("admin")
		path := fmt.Sprintf("/households/%d", e.family.ID)
		_, form := c.get(path + "/edit")
		mustContain(t, "edit form", form, `name="version" value="1"`, "138****1111")
		mustNotContain(t, "edit form", form, "13800001111")

		v := householdValues(e.family)
		v.Set("notes", "周末在家")
		if code, body := c.post(path, v); code != http.StatusOK || !strings.Contains(body, "周末在家") {
			t.Fatalf("save: %d", code)
		}
		// Saving again from the same (now stale) version is a conflict:
		// the form comes back with the user's input and the current values.
		v.Set("notes", "改成晚上联系")
		code, body := c.post(path, v)
		if code != http.StatusConflict {
			t.Fatalf("stale save: %d, want 409", code)
		}
		mustContain(t, "conflict", body, "已有他人修改", "当前保存的内容", "周末在家", "改成晚上联系", `name="version" value="2"`)
		if h, _ := e.hs.HouseholdByID(context.Background(), e.family.ID); h.Notes != "周末在家" || h.Version != 2 {
			t.Errorf("after conflict: notes %q version %d", h.Notes, h.Version)
		}
		// A validation error is shown next to its field, input kept.
		v = householdValues(e.shop)
		v.Set("shop_name", "")
		v.Set("notes", "保留我")
		code, body = c.post(fmt.Sprintf("/households/%d", e.shop.ID), v)
		if code != http.StatusUnprocessableEntity {
			t.Errorf("invalid save: %d", code)
		}
		mustContain(t, "invalid", body, `id="err-shop_name"`, "必填", "保留我")
	})
}

func TestEditMember(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		c := e.signedIn("admin")
		father := e.family.Members[0]
		path := fmt.Sprintf("/persons/%d", father.ID)
		_, form := c.get(path + "/edit")
		mustContain(t, "member form", form, `placeholder="`+father.IDNumber+`"`, `id="event-form"`)

		// A wrong check digit: the message is next to the ID number input, nothing saved.
		fatherID := householdtest.IDNumber("1980-07-01", 11)
		bad := fatherID[:17] + "0"
		if bad == fatherID {
			bad = fatherID[:17] + "1"
		}
		want := string(household.IDCheckChar(fatherID[:17]))
		v := personValues(&father)
		v.Set("id_number", bad)
		v.Set("employment", "unemployed")
		code, body := c.post(path, v)
		if code != http.StatusUnprocessableEntity {
			t.Errorf("bad ID: %d", code)
		}
		mustContain(t, "bad ID", body, `<p class="field-error" id="err-id_number" role="alert">校验码应为 `+want+`</p>`)
		if p, _ := e.hs.PersonByID(ctx, father.ID); p.Version != father.Version || p.Employment != "employed" {
			t.Errorf("bad ID saved something: %+v", p)
		}

		// Losing his job makes the family yellow, and the ledger says why.
		v = personValues(&father)
		v.Set("employment", "unemployed")
		code, body = c.post(path, v)
		if code != http.StatusOK {
			t.Fatalf("save member: %d", code)
		}
		mustContain(t, "file after lost job", body, "黄色", "有失业人员（李建国）", "失业")
		_, body = c.get(fmt.Sprintf("/households/%d/ledger", e.family.ID))
		mustContain(t, "household ledger", body, `data-type="lost_job"`, "失业", `data-type="colour_changed"`, "颜色变化", "绿色", "黄色")
		_, body = c.get("/ledger?days=3660&type=lost_job")
		mustContain(t, "community ledger", body, "李建国", "失业")
		mustNotContain(t, "community ledger", body, `data-type="colour_changed"`)

		// A stale member edit is a conflict.
		v.Set("employment", "retired")
		if code, body := c.post(path, v); code != http.StatusConflict || !strings.Contains(body, "当前保存的内容") {
			t.Errorf("stale member edit: %d", code)
		}

		// A typed event: found a job again.
		code, body = c.post(path+"/events", url.Values{"type": {"found_job"}, "note": {"超市理货"}})
		if code != http.StatusOK {
			t.Fatalf("event: %d", code)
		}
		mustContain(t, "after found job", body, "绿色")
		_, body = c.get(fmt.Sprintf("/households/%d/ledger", e.family.ID))
		mustContain(t, "ledger", body, `data-type="found_job"`, "超市理货")
		if code, body := c.post(path+"/events", url.Values{"type": {"started_school"}}); code != http.StatusUnprocessableEntity || !strings.Contains(body, `id="err-school"`) {
			t.Errorf("event without school: %d", code)
		}
	})
}

func TestCreateAndSmallForms(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		c := e.signedIn("admin")
		code, body := c.get("/households/new")
		if code != http.StatusOK {
			t.Fatalf("new form: %d", code)
		}
		mustContain(t, "new form", body, `name="members[0].name"`, `name="building_id"`)
		v := url.Values{"building_id": {fmt.Sprint(e.org.Buildings[0].ID)}, "unit": {"1"}, "room": {"101"}, "kind": {"residential"}, "occupancy": {"rented"},
			"members[0].name": {"赵德明"}, "members[0].id_number": {householdtest.IDNumber("1950-02-03", 15)[:17] + "0"}, "members[0].relation": {"householder"}}
		if strings.HasSuffix(householdtest.IDNumber("1950-02-03", 15), "0") {
			v.Set("members[0].id_number", householdtest.IDNumber("1950-02-03", 15)[:17]+"1")
		}
		code, body = c.post("/households", v)
		if code != http.StatusUnprocessableEntity {
			t.Errorf("bad first member: %d", code)
		}
		mustContain(t, "bad first member", body, `id="err-members[0].id_number"`, "校验码应为", "赵德明")
		v.Set("members[0].id_number", householdtest.IDNumber("1950-02-03", 15))
		code, body = c.post("/households", v)
		if code != http.StatusOK {
			t.Fatalf("create: %d %s", code, body)
		}
		mustContain(t, "created", body, "一化小区 1号楼 1单元 101室", "赵德明", "出租")

		// Add a newborn.
		code, body = c.post(fmt.Sprintf("/households/%d/members", e.family.ID), url.Values{"name": {"李小花"}, "gender": {"female"},
			"birth_date": {"2026-05-20"}, "relation": {"child"}, "residence": {"registered"}, "arrival": {"born"}})
		if code != http.StatusOK {
			t.Fatalf("add member: %d", code)
		}
		mustContain(t, "newborn", body, "李小花")

		// Needs, plan and a colour override.
		hid := e.widow.ID
		if code, body = c.post(fmt.Sprintf("/households/%d/needs", hid), url.Values{"kind": {"elderly_care"}, "note": {"助餐"}}); code != http.StatusOK {
			t.Fatalf("add need: %d", code)
		}
		mustContain(t, "need", body, "养老照护", "助餐")
		h, _ := e.hs.HouseholdByID(ctx, hid)
		if code, body = c.post(fmt.Sprintf("/needs/%d", h.Needs[0].ID), url.Values{"household_id": {fmt.Sprint(hid)}, "status": {"met"}, "note": {"助餐"}}); code != http.StatusOK {
			t.Errorf("update need: %d", code)
		}
		mustContain(t, "need met", body, "已解决")
		if code, body = c.post(fmt.Sprintf("/households/%d/plan", hid), url.Values{"kind": {"weekly_visit"}, "frequency": {"weekly"}, "description": {"每周二上门"}}); code != http.StatusOK {
			t.Fatalf("add measure: %d", code)
		}
		mustContain(t, "measure", body, "每周走访", "每周二上门")
		if code, body = c.post(fmt.Sprintf("/households/%d/plan", hid), url.Values{"kind": {"weekly_visit"}, "frequency": {"hourly"}}); code != http.StatusUnprocessableEntity {
			t.Errorf("bad measure: %d", code)
		}
		h, _ = e.hs.HouseholdByID(ctx, hid)
		if code, _ = c.post(fmt.Sprintf("/plan/%d", h.Measures[0].ID), url.Values{"household_id": {fmt.Sprint(hid)}, "kind": {"weekly_visit"}, "frequency": {"monthly"}, "status": {"paused"}}); code != http.StatusOK {
			t.Errorf("update measure: %d", code)
		}
		if code, body = c.post(fmt.Sprintf("/households/%d/colour", hid), url.Values{"colour": {"yellow"}}); code != http.StatusUnprocessableEntity || !strings.Contains(body, "必填") {
			t.Errorf("override without reason: %d", code)
		}
		if code, body = c.post(fmt.Sprintf("/households/%d/colour", hid), url.Values{"colour": {"yellow"}, "reason": {"女儿已搬回同住"}}); code != http.StatusOK {
			t.Fatalf("override: %d", code)
		}
		mustContain(t, "override", body, "黄色", "人工调整：女儿已搬回同住", `id="clear-colour"`)
		if code, body = c.post(fmt.Sprintf("/households/%d/colour", hid), url.Values{"clear": {"1"}}); code != http.StatusOK || !strings.Contains(body, "红色") {
			t.Errorf("clear override: %d", code)
		}
	})
}

func TestPrintRostersAndLanguage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		c := e.signedIn("admin")
		code, body := c.get(fmt.Sprintf("/households/%d/print", e.widow.ID))
		if code != http.StatusOK {
			t.Fatalf("print: %d", code)
		}
		mustContain(t, "print", body, "一户一档", "东兴社区", "一化小区 1号楼 2单元 302室", "王秀兰", "独居老人", "打印时间", `data-print`)
		// The file reads the community only for those who assign or edit;
		// the sheet names it for the visitor too.
		if code, body = e.signedIn("worker").get(fmt.Sprintf("/households/%d/print", e.widow.ID)); code != http.StatusOK {
			t.Fatalf("the visitor's print: %d", code)
		}
		mustContain(t, "the visitor's print", body, "东兴社区", "独居老人", "139****5678")

		code, body = c.get("/rosters/key-persons")
		if code != http.StatusOK {
			t.Fatalf("key persons: %d", code)
		}
		mustContain(t, "key persons", body, "王秀兰", "共 1 条")
		_, body = c.get(fmt.Sprintf("/rosters/key-persons?grid=%d", e.org.Grids[1].ID))
		mustContain(t, "key persons grid 2", body, "共 0 条")
		code, body = c.get("/rosters/key-persons.csv")
		if code != http.StatusOK || !strings.HasPrefix(body, "\ufeff姓名,性别,出生日期,年龄") || !strings.Contains(body, "王秀兰") {
			t.Errorf("key persons CSV: %d %q", code, body)
		}
		if _, err := e.hs.UpdateHousehold(context.Background(), household.Actor{Name: "测试"}, withTag(e.widow, household.SpecialDifficulty)); err != nil {
			t.Fatal(err)
		}
		_, body = c.get("/rosters/special-difficulty")
		mustContain(t, "special difficulty", body, "王秀兰", "139****5678", "共 1 条")
		_, body = c.get("/rosters/special-difficulty.csv")
		if !strings.HasPrefix(body, "\ufeff户主,网格,地址") || !strings.Contains(body, "139****5678") || strings.Contains(body, "13912345678") {
			t.Errorf("special difficulty CSV: %q", body)
		}

		// English on request; back where we were.
		code, body = c.get("/lang?to=en&back=" + url.QueryEscape("/households?colour=red"))
		if code != http.StatusOK {
			t.Fatalf("lang: %d", code)
		}
		mustContain(t, "english", body, `lang="en"`, "Households", "Red", "Elderly person living alone (王秀兰)", "中文")
		_, body = c.get(fmt.Sprintf("/households/%d", e.family.ID))
		mustContain(t, "english file", body, "Tibetan", "needs an interpreter", "Householder")
	})
}

func withTag(h *household.Household, tag string) household.Household {
	c := *h
	c.Tags = append(append([]string{}, h.Tags...), tag)
	return c
}

// TestLedgerHealthNotes: a change of health notes shows in one household's
// ledger to those who edit the file, and stays hidden in the community
// ledger and from visitors.
func TestLedgerHealthNotes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		widow := e.widow.Members[0] // her household is the worker's to visit
		v := personValues(&widow)
		v.Set("health_notes", "高血压，每月复查")
		if code, _ := e.signedIn("admin").post(fmt.Sprintf("/persons/%d", widow.ID), v); code != http.StatusOK {
			t.Fatalf("save health notes: %d", code)
		}
		own := fmt.Sprintf("/households/%d/ledger", e.widow.ID)
		_, body := e.signedIn("admin").get(own)
		mustContain(t, "editor's household ledger", body, "高血压，每月复查")
		_, body = e.signedIn("admin").get("/ledger?days=3660")
		mustContain(t, "community ledger", body, "内容不公开")
		mustNotContain(t, "community ledger", body, "高血压")
		code, body := e.signedIn("worker").get(own)
		if code != http.StatusOK {
			t.Fatalf("visitor's household ledger: %d", code)
		}
		mustContain(t, "visitor's household ledger", body, "内容不公开")
		mustNotContain(t, "visitor's household ledger", body, "高血压")
	})
}
