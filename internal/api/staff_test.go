package api

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"wanhu/internal/org"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestStaff: scorecards, training records and the bad-review analysis,
// each scoped like the team: the visitor (卓玛, grid 1) sees only their own
// scorecard, leader1 grid 1's members, the admin everybody, including the
// staff account "clerk" who resolved a request; exports are xlsx that open
// and are audited.
func TestStaff(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		ctx := t.Context()
		lajia := org.TeamMember{CommunityID: fx.org.Community.ID, GridID: fx.org.Grids[1].ID, Name: "拉加", Role: org.RoleGridWorker}
		if err := org.CreateTeamMember(ctx, db, &lajia); err != nil {
			t.Fatal(err)
		}
		var zhuoma int64
		if err := db.QueryRowContext(ctx, `SELECT team_member_id FROM users WHERE username = 'visitor'`).Scan(&zhuoma); err != nil {
			t.Fatal(err)
		}
		// Two visits of 卓玛 this week, one of 拉加.
		now := time.Now().Add(-time.Second).UTC()
		for i, who := range []int64{zhuoma, zhuoma, lajia.ID} {
			var id int64
			hh, grid := fx.red.ID, fx.org.Grids[0].ID
			if who == lajia.ID {
				hh, grid = fx.green.ID, fx.org.Grids[1].ID
			}
			if err := db.QueryRowContext(ctx, `INSERT INTO visits(client_id, household_id, grid_id, outcome, at, created_at) VALUES (?, ?, ?, 'met', ?, ?) RETURNING id`,
				fmt.Sprintf("staff-%d", i), hh, grid, now, now).Scan(&id); err != nil {
				t.Fatal(err)
			}
			if _, err := db.ExecContext(ctx, `INSERT INTO visit_visitors(visit_id, team_member_id, at) VALUES (?, ?, ?)`, id, who, now); err != nil {
				t.Fatal(err)
			}
		}
		// A request of grid 1 that "clerk" resolves and the resident finds rude.
		_, body := fx.do(t, "admin", "POST", "/requests", `{"category":"water_supply","description":"漏水","channel":"walk_in","household_id":{red}}`, nil)
		req := decodeAs[struct{ ID int64 }](t, body).ID
		for _, s := range []struct{ user, action, body string }{
			{"admin", "accept", `{"urgency":"urgent","handling":"community"}`},
			{"clerk", "resolve", `{"note":"修好了"}`},
			{"admin", "callback", `{"result":"dissatisfied","reason":"attitude","method":"visit","comment":"态度不好","follow_up":{"kind":"other","note":"道歉"}}`},
		} {
			if res, b := fx.do(t, s.user, "POST", fmt.Sprintf("/requests/%d/%s", req, s.action), s.body, nil); res.StatusCode != 200 {
				t.Fatalf("%s: %d %s", s.action, res.StatusCode, short(b))
			}
		}
		fx.ids = strings.NewReplacer(append(replacements(fx), "{zhuoma}", fmt.Sprint(zhuoma), "{lajia}", fmt.Sprint(lajia.ID))...)
		var training int64
		fx.run(t, []scenario{
			{name: "visitor sees only their own", method: "GET", path: "/scorecards", user: "visitor", status: 200,
				want: []string{`"name":"卓玛"`, `"week_visits":2`, `"weekly_target":2`}, reject: []string{`拉加`, `网格员小李`}},
			{name: "visitor's own card", method: "GET", path: "/scorecards/{zhuoma}", user: "visitor", status: 200,
				want: []string{`"week_visits":2`, `"components":[{"key":"visits","value":100,"weight":30}`}},
			{name: "visitor may not read another", method: "GET", path: "/scorecards/{lajia}", user: "visitor", status: 404},
			{name: "grid leader sees their grid", method: "GET", path: "/scorecards", user: "leader1", status: 200,
				want: []string{`"name":"卓玛"`}, reject: []string{`拉加`}},
			{name: "not another grid's member", method: "GET", path: "/scorecards/{lajia}", user: "leader1", status: 404},
			{name: "officer has no scorecards", method: "GET", path: "/scorecards", user: "officer", status: 403},
			{name: "admin sees all and the staff account", method: "GET", path: "/scorecards", user: "admin", status: 200,
				want: []string{`"name":"卓玛"`, `"name":"拉加"`, `"kind":"user","user_id":`, `"name":"网格员小李"`, `"handled":1`, `"complaints":1`,
					`"on_time_rate":1`, `"satisfaction_rate":0`}},
			{name: "admin, one grid", method: "GET", path: "/scorecards?grid={grid2}", user: "admin", status: 200,
				want: []string{`"name":"拉加"`, `"week_visits":1`}, reject: []string{`卓玛`}},
			{name: "bad period", method: "GET", path: "/scorecards?from=2026-12-01&to=2026-11-01", user: "admin", status: 400,
				check: wantError("before_from", "to")},
			{name: "bad format", method: "GET", path: "/scorecards?format=pdf", user: "admin", status: 400, check: wantError("one_of", "format")},
			{name: "visitor may not export", method: "GET", path: "/scorecards?format=csv", user: "visitor", status: 403},

			{name: "visitor may not add training", method: "POST", path: "/team/{zhuoma}/training", user: "visitor", status: 403,
				body: `{"course":"岗前培训","kind":"pre_job","completed_on":"2026-01-05","hours":8}`},
			{name: "training kind", method: "POST", path: "/team/{zhuoma}/training", user: "leader1", status: 400,
				body: `{"course":"岗前培训","kind":"weekly","completed_on":"2026-01-05","hours":8}`, check: wantError("one_of", "kind")},
			{name: "training hours", method: "POST", path: "/team/{zhuoma}/training", user: "leader1", status: 400,
				body: `{"course":"岗前培训","kind":"pre_job","completed_on":"2026-01-05","hours":0}`, check: wantError("range", "hours")},
			{name: "not another grid's training", method: "POST", path: "/team/{lajia}/training", user: "leader1", status: 404,
				body: `{"course":"岗前培训","kind":"pre_job","completed_on":"2026-01-05","hours":8}`},
			{name: "add training", method: "POST", path: "/team/{zhuoma}/training", user: "leader1", status: 201,
				body:  `{"course":" 网格员岗前培训 ","kind":"pre_job","completed_on":"2026-01-05","hours":8}`,
				want:  []string{`"course":"网格员岗前培训"`, `"completed_on":"2026-01-05"`},
				check: func(t *testing.T, b []byte) { training = decodeAs[struct{ ID int64 }](t, b).ID }},
			{name: "the member reads their training", method: "GET", path: "/team/{zhuoma}/training", user: "visitor", status: 200,
				check: wantTotal(1)},
			{name: "pre-job course counts", method: "GET", path: "/scorecards/{zhuoma}", user: "visitor", status: 200,
				want: []string{`"pre_job_done":true`, `"key":"training","value":50`}},
		})
		fx.run(t, []scenario{
			{name: "visitor may not delete", method: "DELETE", path: fmt.Sprintf("/training/%d", training), user: "visitor", status: 403},
			{name: "leader deletes", method: "DELETE", path: fmt.Sprintf("/training/%d", training), user: "leader1", status: 204},
			{name: "gone", method: "DELETE", path: fmt.Sprintf("/training/%d", training), user: "leader1", status: 404},

			{name: "weights", method: "GET", path: "/scorecard-weights", user: "visitor", status: 200,
				want: []string{`"weekly_visit_target":100`, `"formula":"(30×走访 + 20×服务时长 + 20×按期办结 + 20×回访满意 + 15×投诉 + 15×培训) ÷ 120"`}},
			{name: "leader may not set weights", method: "PUT", path: "/scorecard-weights", user: "leader1", status: 403, body: `{"visits":50}`},
			{name: "bad weight", method: "PUT", path: "/scorecard-weights", user: "admin", status: 400, body: `{"training":120}`,
				check: wantError("range", "training")},
			{name: "set weights", method: "PUT", path: "/scorecard-weights", user: "admin", status: 200,
				body: `{"visits":100,"hours":0,"on_time":0,"satisfaction":0,"complaints":0,"training":0,"weekly_visit_target":4}`,
				want: []string{`"formula":"(100×走访 + 0×服务时长 + 0×按期办结 + 0×回访满意 + 0×投诉 + 0×培训) ÷ 100"`}},
			{name: "a volunteer's target", method: "PUT", path: "/scorecard-targets", user: "admin", status: 200,
				body: `{"roles":{"volunteer":{"weekly_visits":4,"monthly_hours":0}}}`, want: []string{`"volunteer":{"weekly_visits":4,"monthly_hours":0}`}},
			{name: "score by the new weights", method: "GET", path: "/scorecards/{zhuoma}", user: "visitor", status: 200,
				want: []string{`"weekly_target":4`, `"score":50`}},

			{name: "bad reviews", method: "GET", path: "/stats/bad-reviews", user: "leader1", status: 200,
				want: []string{`"total":1`, `"reason":"attitude"`, `"handler":"网格员小李"`, `"category":"water_supply"`, `"comment":"态度不好"`,
					`"by_reason":[{"key":"attitude","name":"attitude","count":1}]`}},
			{name: "officer has no bad-review analysis", method: "GET", path: "/stats/bad-reviews", user: "officer", status: 403},
		})

		// The performance review's export: an xlsx that opens, audited.
		res, b := fx.do(t, "admin", "GET", "/scorecards", "", map[string]string{"Accept": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"})
		if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Content-Disposition"), ".xlsx") {
			t.Fatalf("xlsx: %d %s", res.StatusCode, res.Header)
		}
		f, err := excelize.OpenReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := f.GetRows("考评")
		if err != nil || len(rows) != 4 || rows[0][2] != "姓名" || rows[0][15] != "表扬" || rows[0][19] != "服务时长" || rows[0][21] != "得分" {
			t.Fatalf("xlsx rows %v %v", rows, err)
		}
		names := ""
		for _, r := range rows[1:] {
			names += r[2] + ","
		}
		if !strings.Contains(names, "卓玛") || !strings.Contains(names, "网格员小李") {
			t.Errorf("xlsx names %s", names)
		}
		res, b = fx.do(t, "leader1", "GET", "/stats/bad-reviews?format=csv", "", nil)
		if res.StatusCode != 200 || !strings.HasPrefix(string(b), "\ufeff回访时间") || !strings.Contains(string(b), "态度") {
			t.Errorf("bad reviews csv: %d %s", res.StatusCode, b)
		}
		var n int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = 'export' AND object IN ('staff:scorecards', 'staff:bad_reviews')`).Scan(&n); err != nil || n != 2 {
			t.Errorf("export audit entries %d %v", n, err)
		}
	})
}
