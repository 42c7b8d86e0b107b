package web

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"wanhu/internal/org"
	"wanhu/internal/store/storetest"
)

// TestTalkRoomPages: the administrator opens a talk session, records the
// widow and a passer-by whose stray-dog complaint becomes a request
// referred to city management, opens a mediation case between the widow
// and the family with its agreement; the worker, who visits the widow
// only, sees both with the family hidden and may not write; the widow's
// file lists them; every page is translated in both languages.
func TestTalkRoomPages(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	ctx := t.Context()
	dept := org.Unit{Kind: org.Department, ParentID: e.org.District.ID, Name: "区城市管理局"}
	if err := org.CreateUnit(ctx, e.h.db, &dept); err != nil {
		t.Fatal(err)
	}
	admin := e.signedIn("admin")
	admin.get("/talk")
	code, body := admin.post("/talk", url.Values{"day": {"2026-12-03"}, "starts": {"11:00"}, "ends": {"09:00"}, "host": {"冯晓霞"}})
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, "结束") {
		t.Errorf("a session ending before it starts: %d", code)
	}
	code, body = admin.post("/talk", url.Values{"day": {"2026-12-03"}, "starts": {"09:00"}, "ends": {"11:00"}, "host": {"冯晓霞"}})
	if code != http.StatusOK {
		t.Fatalf("new session: %d", code)
	}
	session := regexp.MustCompile(`action="/talk/(\d+)/visitors"`).FindStringSubmatch(body)
	if session == nil {
		t.Fatal("the session page has no visitor form")
	}
	visitors := "/talk/" + session[1] + "/visitors"
	admin.post(visitors, url.Values{"household_id": {fmt.Sprint(e.widow.ID)}, "said": {"养老金什么时候发"}})
	code, body = admin.post(visitors, url.Values{"name": {"路过的居民"}, "said": {"小区流浪狗多，晚上不敢出门"}, "make_request": {"1"},
		"category": {"environment"}, "department_id": {fmt.Sprint(dept.ID)}})
	mustContain(t, "session", body, "王秀兰", "养老金什么时候发", "路过的居民", "诉求 #")
	req := regexp.MustCompile(`href="/requests/(\d+)" class="talk-request"`).FindStringSubmatch(body)
	if code != http.StatusOK || req == nil {
		t.Fatalf("visitor with a request: %d", code)
	}
	_, body = admin.get("/requests/" + req[1])
	mustContain(t, "stray-dog request", body, "区城市管理局", "谈心室")

	var member int64
	if err := e.h.db.QueryRowContext(ctx, `SELECT id FROM team_members WHERE name = '小张'`).Scan(&member); err != nil {
		t.Fatal(err)
	}
	admin.get("/mediation")
	code, body = admin.post("/mediation", url.Values{"title": {"楼上漏水渗到楼下"}, "household_ids": {fmt.Sprintf("%d, %d", e.widow.ID, e.family.ID)},
		"mediator_ids": {fmt.Sprint(member)}})
	caseID := regexp.MustCompile(`action="/mediation/(\d+)/save"`).FindStringSubmatch(body)
	if code != http.StatusOK || caseID == nil {
		t.Fatalf("new case: %d", code)
	}
	save := url.Values{"title": {"楼上漏水渗到楼下"}, "mediator_ids": {fmt.Sprint(member)}, "outcome": {"agreed"}, "version": {"1"},
		"opened_on": {regexp.MustCompile(`name="opened_on" value="([0-9-]+)"`).FindStringSubmatch(body)[1]}}
	if code, _ := admin.post("/mediation/"+caseID[1]+"/save", save); code != http.StatusUnprocessableEntity {
		t.Errorf("agreed without an agreement: %d", code)
	}
	save.Set("agreement", "楼上三日内修好防水")
	code, body = admin.post("/mediation/"+caseID[1]+"/save", save)
	mustContain(t, "agreed case", body, "达成协议", "楼上三日内修好防水")
	if code, _ := admin.post("/mediation/"+caseID[1]+"/save", save); code != http.StatusConflict {
		t.Errorf("a stale save: %d", code)
	}

	worker := e.signedIn("worker")
	_, body = worker.get("/talk/" + session[1])
	mustContain(t, "worker's session", body, "养老金什么时候发", "其他网格的居民")
	if strings.Contains(body, "流浪狗") {
		t.Error("the worker reads the passer-by's words")
	}
	_, body = worker.get("/mediation/" + caseID[1])
	mustContain(t, "worker's case", body, "其他网格的住户", "楼上三日内修好防水")
	if code, _ := worker.post("/mediation", url.Values{"title": {"x"}}); code != http.StatusForbidden {
		t.Errorf("the worker opens a case: %d", code)
	}
	_, body = admin.get(fmt.Sprintf("/households/%d", e.widow.ID))
	mustContain(t, "the widow's file", body, `id="talks"`, "养老金什么时候发", "楼上漏水渗到楼下")

	for _, lang := range Languages {
		admin.get("/lang?to=" + lang + "&back=/talk")
		for _, p := range []string{"/talk", "/talk/" + session[1], "/mediation", "/mediation/" + caseID[1], fmt.Sprintf("/households/%d", e.family.ID)} {
			if code, body := admin.get(p); code != http.StatusOK || strings.Contains(body, "⟦") {
				t.Errorf("%s %s: %d, untranslated %v", lang, p, code, strings.Contains(body, "⟦"))
			}
		}
	}
}

// TestArrivalPage: an urgent request's page offers the arrival button;
// the arrival shows on the page with its minutes, and the report lists it
// beside the 24-hour deadline.
func TestArrivalPage(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	admin := e.signedIn("admin")
	admin.get("/requests/new")
	code, body := admin.post("/requests", url.Values{"category": {"water_supply"}, "description": {"凌晨暖气管漏水"}, "channel": {"hotline"},
		"household_id": {fmt.Sprint(e.widow.ID)}})
	id := regexp.MustCompile(`action="/requests/(\d+)/accept"`).FindStringSubmatch(body)
	if code != http.StatusOK || id == nil {
		t.Fatalf("new request: %d", code)
	}
	version := func(body string) string {
		return regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(body)[1]
	}
	_, body = admin.post("/requests/"+id[1]+"/accept", url.Values{"urgency": {"urgent"}, "handling": {"community"}, "version": {version(body)}})
	mustContain(t, "urgent request", body, `id="form-arrive"`)
	if code, _ := admin.post("/requests/"+id[1]+"/arrive", url.Values{"version": {version(body)}, "arrived_at": {"1999-01-01T00:00"}}); code != http.StatusUnprocessableEntity {
		t.Errorf("an arrival before the submission: %d", code)
	}
	_, body = admin.get("/requests/" + id[1])
	code, body = admin.post("/requests/"+id[1]+"/arrive", url.Values{"version": {version(body)}, "note": {"社区干部和水暖工"}})
	mustContain(t, "arrived", body, `id="request-arrived"`, "到场处置", "社区干部和水暖工")
	if code != http.StatusOK || strings.Contains(body, `id="form-arrive"`) {
		t.Errorf("after the arrival: %d, the button still there %v", code, strings.Contains(body, `id="form-arrive"`))
	}
	_, body = admin.get("/stats/services")
	mustContain(t, "report", body, "较急类诉求到场时间", "#"+id[1], "已记录到场 1/1")
}
