package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"wanhu/internal/calendar"
	"wanhu/internal/gen"
	"wanhu/internal/org"
	"wanhu/internal/server"
	"wanhu/internal/staff"
	"wanhu/internal/store/storetest"
	"wanhu/internal/visit"
)

// TestVolunteersOnTheDemo (issue 17): on the demo, 卓玛 the volunteer is
// judged against the volunteer's targets (2 visits a week, 8 hours a
// month), not the grid's 100 visits, and her card shows her hours by
// month; the volunteer who joined late is flagged on this week's plan;
// the working party member's service record downloads as xlsx with their
// unit; the pre-job course's attendance downloads too; the team page
// shows training and hours.
func TestVolunteersOnTheDemo(t *testing.T) {
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
	admin := e.signedIn("admin")

	var zhuoma, late, party, lateGrid int64
	if err := db.QueryRowContext(ctx, `SELECT id FROM team_members WHERE name = '卓玛' ORDER BY id LIMIT 1`).Scan(&zhuoma); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRowContext(ctx, `SELECT id FROM team_members WHERE role = 'volunteer' ORDER BY id LIMIT 1 OFFSET 2`).Scan(&late); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRowContext(ctx, `SELECT id FROM team_members WHERE unit <> '' ORDER BY id LIMIT 1`).Scan(&party); err != nil {
		t.Fatal(err)
	}
	p, _ := staff.PeriodOf("", "", calendar.Today())
	c, err := staff.ScorecardOf(ctx, db, org.Everything, p, staff.DefaultWeights, zhuoma)
	if err != nil {
		t.Fatal(err)
	}
	if c.WeeklyTarget != 2 || c.MonthlyHours != 8 || c.Hours <= 0 || c.HoursTarget <= 0 || c.Components[1].Key != "hours" || c.Components[1].Value == nil {
		t.Errorf("卓玛's card %+v", c)
	}
	status, body := admin.get("/staff/" + strconv.FormatInt(zhuoma, 10))
	if status != http.StatusOK {
		t.Fatalf("卓玛's card: %d", status)
	}
	mustContain(t, "卓玛's card", body, "考评目标：每周走访 2 户次；每月服务 8 小时", "周目标 2", `id="hours-table"`, "藏语翻译：陪同入户走访",
		strconv.FormatFloat(c.Hours, 'f', -1, 64)+" / ", "网格员岗前培训")
	mustNotContain(t, "卓玛's card", body, "周目标 100")

	// The late volunteer: no pre-job course, in this week's plan, flagged.
	flag, err := staff.WithoutPreJob(ctx, db, []int64{late, zhuoma}, calendar.Today())
	if err != nil || !flag[late] || flag[zhuoma] {
		t.Errorf("without pre-job %v %v", flag, err)
	}
	var lateName string
	if err := db.QueryRowContext(ctx, `SELECT p.grid_id, t.name FROM plan_items i JOIN plans p ON p.id = i.plan_id JOIN team_members t ON t.id = i.team_member_id
		WHERE i.team_member_id = ? ORDER BY p.id LIMIT 1`, late).Scan(&lateGrid, &lateName); err != nil {
		t.Fatalf("the late volunteer is in no plan: %v", err)
	}
	week := visit.WeekOf(calendar.Today()).String()
	status, body = admin.get("/plans?" + url.Values{"grid": {strconv.FormatInt(lateGrid, 10)}, "week": {week}}.Encode())
	if status != http.StatusOK {
		t.Fatalf("plan: %d", status)
	}
	mustContain(t, "plan", body, lateName+" 还没有完成岗前培训", `<span class="badge untrained">未完成岗前培训</span>`)
	if strings.Count(body, `class="badge untrained"`) != 1 {
		t.Errorf("%d visitors flagged", strings.Count(body, `class="badge untrained"`))
	}

	// The working party member's service record, with their unit.
	res, raw := admin.do(mustRequest("GET", e.srv.URL+"/staff/"+strconv.FormatInt(party, 10)+"/service"))
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Content-Type"), "spreadsheetml") {
		t.Errorf("service record: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	rows := readXLSX(t, raw)
	if len(rows) < 3 || rows[1][1] != "城东区税务局" || rows[len(rows)-1][2] != "合计" {
		t.Errorf("service record rows %q", rows)
	}

	// Courses: the pre-job course with its attendance as xlsx.
	status, body = admin.get("/training")
	mustContain(t, "courses", body, "网格员岗前培训：入户走访与信息采集", "在岗培训：邻里矛盾调解")
	var course int64
	if err := db.QueryRowContext(ctx, `SELECT id FROM training_courses WHERE kind = 'pre_job'`).Scan(&course); err != nil {
		t.Fatal(err)
	}
	_, raw = admin.do(mustRequest("GET", e.srv.URL+"/training/"+strconv.FormatInt(course, 10)+"?format=xlsx"))
	if rows := readXLSX(t, raw); len(rows) != 1+25 { // the 26-member team but the late volunteer
		t.Errorf("pre-job attendance: %d rows", len(rows))
	}

	// The team page: training and hours.
	_, body = admin.get("/team")
	mustContain(t, "team", body, `data-member="`+strconv.FormatInt(late, 10)+`"`, "未完成岗前培训", "服务时长（近三个月）")

	// The targets page: the volunteer's row; a bad value names its field.
	_, body = admin.get("/staff/targets")
	admin.csrf = csrfOf(body)
	mustContain(t, "targets", body, `name="volunteer.weekly_visits"`, `value="2"`)
	form := url.Values{"min_handled": {"5"}, "visit_hours": {"0.5"}, "round_hours": {"1"}}
	for _, r := range org.Roles {
		form.Set(string(r)+".weekly_visits", "3")
		form.Set(string(r)+".monthly_hours", "0")
	}
	form.Set("volunteer.weekly_visits", "-1")
	if status, body := admin.post("/staff/targets", form); status != http.StatusUnprocessableEntity || !strings.Contains(body, "志愿者 · 每周走访（户次）") {
		t.Errorf("bad target: %d", status)
	}
	form.Set("volunteer.weekly_visits", "0")
	form.Set("volunteer.monthly_hours", "6")
	if status, body := admin.post("/staff/targets", form); status != http.StatusOK || !strings.Contains(body, "考评目标已保存") {
		t.Errorf("save targets: %d", status)
	}
	_, body = admin.get("/staff/" + strconv.FormatInt(zhuoma, 10))
	mustContain(t, "卓玛 on hours only", body, "考评目标：每月服务 6 小时")
}

// readXLSX reads the first sheet of the xlsx body.
func readXLSX(t *testing.T, body string) [][]string {
	t.Helper()
	f, err := excelize.OpenReader(strings.NewReader(body))
	if err != nil {
		t.Fatalf("xlsx: %v", err)
	}
	rows, err := f.GetRows(f.GetSheetName(0))
	if err != nil {
		t.Fatal(err)
	}
	return rows
}
