package api

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"wanhu/internal/org"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestStaffHoursAndCourses: hours of service entered and listed in scope,
// the service record as xlsx, the targets per role, and training courses
// with sessions, attendance and a stale edit refused.
func TestStaffHoursAndCourses(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		ctx := t.Context()
		lajia := org.TeamMember{CommunityID: fx.org.Community.ID, GridID: fx.org.Grids[1].ID, Name: "拉加", Role: org.RolePartyMember, Unit: "区税务局"}
		if err := org.CreateTeamMember(ctx, db, &lajia); err != nil {
			t.Fatal(err)
		}
		var zhuoma int64
		if err := db.QueryRowContext(ctx, `SELECT team_member_id FROM users WHERE username = 'visitor'`).Scan(&zhuoma); err != nil {
			t.Fatal(err)
		}
		fx.ids = strings.NewReplacer(append(replacements(fx), "{zhuoma}", fmt.Sprint(zhuoma), "{lajia}", fmt.Sprint(lajia.ID), "{community}", fmt.Sprint(fx.org.Community.ID))...)
		var course int64
		fx.run(t, []scenario{
			{name: "targets", method: "GET", path: "/scorecard-targets", user: "visitor", status: 200,
				want: []string{`"volunteer":{"weekly_visits":2,"monthly_hours":8}`, `"grid_worker":{"weekly_visits":30,"monthly_hours":0}`, `"min_handled":5`}},
			{name: "leader may not set targets", method: "PUT", path: "/scorecard-targets", user: "leader1", status: 403, body: `{"min_handled":3}`},
			{name: "bad target", method: "PUT", path: "/scorecard-targets", user: "admin", status: 400,
				body: `{"roles":{"volunteer":{"weekly_visits":-1}}}`, check: wantError("range", "volunteer.weekly_visits")},
			{name: "set min handled", method: "PUT", path: "/scorecard-targets", user: "admin", status: 200, body: `{"min_handled":3}`,
				want: []string{`"min_handled":3`, `"volunteer":{"weekly_visits":2,"monthly_hours":8}`}},

			{name: "visitor may not enter hours", method: "POST", path: "/team/{zhuoma}/hours", user: "visitor", status: 403,
				body: `{"day":"2026-11-01","hours":3,"what":"翻译"}`},
			{name: "hours out of range", method: "POST", path: "/team/{zhuoma}/hours", user: "leader1", status: 400,
				body: `{"day":"2026-11-01","hours":30,"what":"翻译"}`, check: wantError("range", "hours")},
			{name: "not another grid's member", method: "POST", path: "/team/{lajia}/hours", user: "leader1", status: 404,
				body: `{"day":"2026-11-01","hours":3,"what":"报到服务"}`},
			{name: "enter hours", method: "POST", path: "/team/{zhuoma}/hours", user: "leader1", status: 201,
				body: `{"day":"2026-11-01","hours":3,"what":"藏语翻译"}`, want: []string{`"hours":3`, `"what":"藏语翻译"`}},
			{name: "party member's service", method: "POST", path: "/team/{lajia}/hours", user: "admin", status: 201,
				body: `{"day":"2026-11-02","hours":2.5,"what":"报到服务：楼道清理"}`},
			{name: "leader's list", method: "GET", path: "/staff-hours?from=2026-11-01&to=2026-11-30", user: "leader1", status: 200,
				want: []string{`"name":"卓玛"`, `"manual_hours":3`, `"total":1`}, reject: []string{`拉加`}},
			{name: "member's hours", method: "GET", path: "/team/{zhuoma}/hours?from=2026-11-01&to=2026-11-30", user: "visitor", status: 200,
				want: []string{`"kind":"manual"`, `"what":"藏语翻译"`}},
			{name: "not another grid's hours", method: "GET", path: "/team/{lajia}/hours", user: "leader1", status: 404},

			{name: "leader may not create a course", method: "POST", path: "/training-courses", user: "leader1", status: 400,
				body: `{"community_id":{community},"title":"岗前培训","kind":"pre_job","topic":"policy"}`, check: wantError("not_found", "community_id")},
			{name: "bad topic", method: "POST", path: "/training-courses", user: "admin", status: 400,
				body: `{"community_id":{community},"title":"岗前培训","kind":"pre_job","topic":"cooking"}`, check: wantError("one_of", "topic")},
			{name: "create a course", method: "POST", path: "/training-courses", user: "admin", status: 201,
				body:  `{"community_id":{community},"title":"岗前培训","kind":"pre_job","topic":"policy","pass_mark":80}`,
				check: func(t *testing.T, b []byte) { course = decodeAs[struct{ ID int64 }](t, b).ID }},
		})
		fx.ids = strings.NewReplacer(append(replacements(fx), "{zhuoma}", fmt.Sprint(zhuoma), "{lajia}", fmt.Sprint(lajia.ID), "{community}", fmt.Sprint(fx.org.Community.ID), "{course}", fmt.Sprint(course))...)
		var session int64
		fx.run(t, []scenario{
			{name: "add a session", method: "POST", path: "/training-courses/{course}/sessions", user: "admin", status: 201,
				body:  `{"day":"2026-11-20","hours":4,"place":"党群服务中心","teacher":"王书记"}`,
				check: func(t *testing.T, b []byte) { session = decodeAs[struct{ ID int64 }](t, b).ID }},
			{name: "leader may not add a session", method: "POST", path: "/training-courses/{course}/sessions", user: "leader1", status: 403,
				body: `{"day":"2026-11-20","hours":4}`},
		})
		fx.ids = strings.NewReplacer(append(replacements(fx), "{zhuoma}", fmt.Sprint(zhuoma), "{lajia}", fmt.Sprint(lajia.ID), "{community}", fmt.Sprint(fx.org.Community.ID), "{course}", fmt.Sprint(course),
			"{session}", fmt.Sprint(session))...)
		fx.run(t, []scenario{
			{name: "score out of range", method: "POST", path: "/training-courses/{course}/attendance", user: "leader1", status: 400,
				body: `{"session_id":{session},"team_member_id":{zhuoma},"score":120}`, check: wantError("range", "score")},
			{name: "leader records 卓玛", method: "POST", path: "/training-courses/{course}/attendance", user: "leader1", status: 200,
				body: `{"session_id":{session},"team_member_id":{zhuoma},"score":70}`, want: []string{`"score":70`, `"passed":false`}},
			{name: "not another grid's member", method: "POST", path: "/training-courses/{course}/attendance", user: "leader1", status: 400,
				body: `{"session_id":{session},"team_member_id":{lajia},"score":90}`, check: wantError("not_found", "team_member_id")},
			{name: "admin records 拉加", method: "POST", path: "/training-courses/{course}/attendance", user: "admin", status: 200,
				body: `{"session_id":{session},"team_member_id":{lajia},"score":90}`, want: []string{`"passed":true`}},
			{name: "leader sees their grid's attendance", method: "GET", path: "/training-courses/{course}", user: "leader1", status: 200,
				want: []string{`"name":"卓玛"`, `"attendees":2`}, reject: []string{`拉加`}},
			{name: "stale edit", method: "PUT", path: "/training-courses/{course}", user: "admin", status: 200,
				body: `{"version":1,"title":"岗前培训（政策）","kind":"pre_job","topic":"policy","pass_mark":60}`, want: []string{`"version":2`}},
			{name: "stale edit refused", method: "PUT", path: "/training-courses/{course}", user: "admin", status: 409,
				body: `{"version":1,"title":"旧","kind":"pre_job","topic":"policy","pass_mark":60}`, want: []string{`"current_version":2`}},
			{name: "the pass mark moved: 卓玛 passes", method: "GET", path: "/scorecards/{zhuoma}", user: "visitor", status: 200,
				want: []string{`"pre_job_done":true`}},
			{name: "course out of scope", method: "GET", path: "/training-courses/99999", user: "admin", status: 404},
		})
		// The party member's service record and the attendance, as xlsx.
		for _, c := range []struct{ path, sheetCell, want string }{
			{"/team/{lajia}/hours?from=2026-11-01&to=2026-11-30&format=xlsx", "B2", "区税务局"},
			{"/training-courses/{course}?format=xlsx", "D2", "卓玛"},
		} {
			res, b := fx.do(t, "admin", "GET", c.path, "", nil)
			if res.StatusCode != 200 {
				t.Fatalf("%s: %d %s", c.path, res.StatusCode, short(b))
			}
			f, err := excelize.OpenReader(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			if v, _ := f.GetCellValue(f.GetSheetName(0), c.sheetCell); v != c.want {
				t.Errorf("%s: %s is %q", c.path, c.sheetCell, v)
			}
		}
		// A sitting entered wrong is corrected or deleted, its attendance
		// with it; a course goes once its sessions have.
		fx.run(t, []scenario{
			{name: "leader may not correct a session", method: "PUT", path: "/training-courses/{course}/sessions/{session}", user: "leader1", status: 403,
				body: `{"day":"2026-11-21","hours":3,"version":1}`},
			{name: "a correction names its version", method: "PUT", path: "/training-courses/{course}/sessions/{session}", user: "admin", status: 400,
				body: `{"day":"2026-11-21","hours":3}`, check: wantError("required", "version")},
			{name: "an attended session stays in the past", method: "PUT", path: "/training-courses/{course}/sessions/{session}", user: "admin", status: 400,
				body: `{"day":"2030-01-01","hours":3,"version":1}`, check: wantError("attended", "day")},
			{name: "correct the session", method: "PUT", path: "/training-courses/{course}/sessions/{session}", user: "admin", status: 200,
				body: `{"day":"2026-11-21","hours":3,"place":"社区活动室","version":1}`, want: []string{`"day":"2026-11-21"`, `"hours":3`, `"place":"社区活动室"`, `"version":2`}},
			{name: "a stale correction", method: "PUT", path: "/training-courses/{course}/sessions/{session}", user: "admin", status: 409,
				body: `{"day":"2026-11-22","hours":5,"version":1}`, want: []string{`"current_version":2`}},
			{name: "the attendance followed", method: "GET", path: "/team/{zhuoma}/training", user: "admin", status: 200,
				want: []string{`"completed_on":"2026-11-21"`, `"hours":3`}},
			{name: "no session through another course", method: "DELETE", path: "/training-courses/99999/sessions/{session}", user: "admin", status: 404},
			{name: "not a course with sessions", method: "DELETE", path: "/training-courses/{course}", user: "admin", status: 400,
				check: wantError("not_empty", "sessions")},
			{name: "leader may not delete a session", method: "DELETE", path: "/training-courses/{course}/sessions/{session}", user: "leader1", status: 403},
			{name: "delete the session", method: "DELETE", path: "/training-courses/{course}/sessions/{session}", user: "admin", status: 200,
				want: []string{`{"attendance_removed":2}`}},
			{name: "its attendance went with it", method: "GET", path: "/team/{zhuoma}/training", user: "admin", status: 200,
				reject: []string{`岗前培训`}},
			{name: "leader may not delete the course", method: "DELETE", path: "/training-courses/{course}", user: "leader1", status: 403},
			{name: "delete the course", method: "DELETE", path: "/training-courses/{course}", user: "admin", status: 204},
			{name: "the course is gone", method: "GET", path: "/training-courses/{course}", user: "admin", status: 404},
		})
	})
}

// The dates the routes of hours and courses read (see dateRoutes).
func init() {
	dateRoutes["GET /staff-hours"] = dateRoute{}
	dateRoutes["GET /team/{id}/hours"] = dateRoute{path: "/team/{member}/hours"}
	dateRoutes["POST /team/{id}/hours"] = dateRoute{path: "/team/{member}/hours", body: `{"hours":2,"what":"x"}`}
	dateRoutes["POST /training-courses/{id}/sessions"] = dateRoute{path: "/training-courses/999999/sessions", body: `{"hours":2}`}
	dateRoutes["PUT /training-courses/{id}/sessions/{session}"] = dateRoute{path: "/training-courses/999999/sessions/999999", body: `{"hours":2}`}
}
