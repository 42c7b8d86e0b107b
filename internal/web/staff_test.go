package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"wanhu/internal/calendar"
	"wanhu/internal/gen"
	"wanhu/internal/org"
	"wanhu/internal/server"
	"wanhu/internal/staff"
	"wanhu/internal/store/storetest"
)

// TestStaffDemo: on the generated demo, visitor1's scorecard shows this
// week's visits against 100 and their pre-job course; the admin sees the
// team with the formula and the bad-review analysis with the charger
// owner's "not solved"; a visitor cannot open another member's card, and
// the weights form is the admin's.
func TestStaffDemo(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := t.Context()
	if _, err := gen.Generate(ctx, db, gen.Options{}); err != nil {
		t.Fatal(err)
	}
	if _, err := gen.DemoAccounts(ctx, db, testPassword); err != nil {
		t.Fatal(err)
	}
	h := newHandler(server.NewDeps(db, nil))
	mux := http.NewServeMux()
	h.routes(mux)
	e := &env{t: t, h: h, srv: httptest.NewServer(server.Secure(mux))}
	t.Cleanup(e.srv.Close)

	var member int64
	if err := db.QueryRowContext(ctx, `SELECT team_member_id FROM users WHERE username = 'visitor1'`).Scan(&member); err != nil || member == 0 {
		t.Fatalf("visitor1's member %d %v", member, err)
	}
	p, _ := staff.PeriodOf("", "", calendar.Today())
	c, err := staff.ScorecardOf(ctx, db, org.Everything, p, staff.DefaultWeights, member)
	if err != nil {
		t.Fatal(err)
	}
	visitor := e.signedIn("visitor1")
	_, home := visitor.get("/households")
	mustContain(t, "visitor's nav", home, `href="/staff/`+strconv.FormatInt(member, 10)+`"`, "我的考评")
	status, body := visitor.get("/staff/" + strconv.FormatInt(member, 10))
	if status != http.StatusOK {
		t.Fatalf("visitor1's scorecard: %d", status)
	}
	week := strconv.Itoa(c.WeekVisits)
	target := strconv.Itoa(c.WeeklyTarget) // the grid worker's own target, not the grid's 100
	if c.WeeklyTarget != staff.DefaultTargets.Roles["grid_worker"].WeeklyVisits {
		t.Errorf("visitor1 judged against %d", c.WeeklyTarget)
	}
	mustContain(t, "visitor1's scorecard", body, "本周已走访 "+week+" 户次，周目标 "+target, `id="staff-week-numbers">`+week+` / `+target+`<`,
		`<progress id="staff-week-bar"`, `id="staff-prejob">已完成<`, "得分公式：", "(30×走访 &#43; 20×服务时长 &#43; 20×按期办结 &#43; 20×回访满意 &#43; 15×投诉 &#43; 15×培训) ÷ 120",
		"考评目标：每周走访 "+target+" 户次",
		"网格员岗前培训")
	mustNotContain(t, "visitor1's scorecard", body, "添加培训记录")
	var other int64
	if err := db.QueryRowContext(ctx, `SELECT MIN(id) FROM team_members WHERE id <> ? AND grid_id <> (SELECT grid_id FROM team_members WHERE id = ?)`,
		member, member).Scan(&other); err != nil {
		t.Fatal(err)
	}
	if status, _ := visitor.get("/staff/" + strconv.FormatInt(other, 10)); status != http.StatusNotFound {
		t.Errorf("visitor1 reads another grid's member: %d", status)
	}
	if status, body := visitor.get("/staff"); status != http.StatusOK || strings.Count(body, `<th scope="row"><a href="/staff/`) != 1 {
		t.Errorf("visitor1's list: %d, %d cards", status, strings.Count(body, `<th scope="row"><a href="/staff/`))
	}

	admin := e.signedIn("admin")
	status, body = admin.get("/staff")
	if status != http.StatusOK {
		t.Fatalf("admin's list: %d", status)
	}
	mustContain(t, "admin's list", body, `id="nav-staff"`, "得分公式：", `href="/staff/`+strconv.FormatInt(member, 10)+`"`, "导出 Excel")
	status, body = admin.get("/staff/bad-reviews")
	mustContain(t, "bad reviews", body, "差评共 1 条", "未解决", "电动车充电桩")
	if status != http.StatusOK {
		t.Errorf("bad reviews: %d", status)
	}
	res, _ := admin.do(mustRequest("GET", e.srv.URL+"/staff?format=xlsx"))
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Content-Type"), "spreadsheetml") {
		t.Errorf("xlsx export: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}

	// The admin adds a course on the scorecard page; a bad one names its field.
	card := "/staff/" + strconv.FormatInt(member, 10)
	_, body = admin.get(card)
	admin.csrf = csrfOf(body)
	if status, body := admin.post(card+"/training", url.Values{"course": {"接诉即办"}, "kind": {"on_job"}, "completed_on": {calendar.Today().String()}, "hours": {"abc"}}); status != http.StatusUnprocessableEntity || !strings.Contains(body, "学时") {
		t.Errorf("bad hours: %d", status)
	}
	if status, _ := admin.post(card+"/training", url.Values{"course": {"接诉即办工作规范（二）"}, "kind": {"on_job"}, "completed_on": {calendar.Today().String()}, "hours": {"2.5"}}); status != http.StatusOK {
		t.Errorf("add training: %d", status)
	}
	_, body = admin.get(card)
	mustContain(t, "after adding", body, "接诉即办工作规范（二）", "添加培训记录")

	_, body = visitor.get("/staff/weights")
	mustNotContain(t, "visitor's weights", body, `id="weights-save"`)
	_, body = admin.get("/staff/weights")
	admin.csrf = csrfOf(body)
	form := url.Values{"visits": {"50"}, "hours": {"0"}, "on_time": {"10"}, "satisfaction": {"10"}, "complaints": {"10"}, "training": {"20"},
		"weekly_visit_target": {"100"}, "training_hours_target": {"12"}, "complaint_penalty": {"200"}}
	if status, body := admin.post("/staff/weights", form); status != http.StatusUnprocessableEntity || !strings.Contains(body, "每次投诉扣分") {
		t.Errorf("bad penalty: %d", status)
	}
	form.Set("complaint_penalty", "20")
	if status, body := admin.post("/staff/weights", form); status != http.StatusOK || !strings.Contains(body, "权重已保存") {
		t.Errorf("save weights: %d", status)
	}
	_, body = visitor.get(card)
	mustContain(t, "new formula", body, "(50×走访 &#43; 0×服务时长 &#43; 10×按期办结 &#43; 10×回访满意 &#43; 10×投诉 &#43; 20×培训) ÷ 100")
}
