package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
	"wanhu/internal/visit"
)

// TestPlansPage: the administrator generates grid 1's plan for next week,
// sees the worker's list with colours, reasons and coverage, and moves a
// household; a visitor may not plan.
func TestPlansPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		week := visit.WeekOf(calendar.Today()).Next().String()
		worker := e.signedIn("worker")
		if code, _ := worker.get("/plans"); code != http.StatusForbidden {
			t.Errorf("a visitor opened /plans: %d", code)
		}
		admin := e.signedIn("admin")
		code, body := admin.get("/plans")
		if code != http.StatusOK {
			t.Fatalf("plans: %d", code)
		}
		mustContain(t, "empty plans page", body, `id="nav-plans"`, `id="generate"`, "生成计划", `id="no-plan"`, `value="`+week+`" selected`)
		grid := fmt.Sprint(e.org.Grids[0].ID)
		code, body = admin.post("/plans", url.Values{"grid": {grid}, "week": {week}})
		if code != http.StatusOK {
			t.Fatalf("generate: %d", code)
		}
		mustContain(t, "plan", body, `id="plan"`, "小张", "王秀兰", "badge-red", `id="coverage"`, "本周（", "重新生成计划",
			fmt.Sprintf(`id="h%d"`, e.widow.ID))
		mustNotContain(t, "plan", body, "⟦")
		var planID int64
		storetest.Scan(t, db.QueryRowContext(t.Context(), `SELECT id FROM plans`), &planID)
		var member int64
		storetest.Scan(t, db.QueryRowContext(t.Context(), `SELECT team_member_id FROM plan_items WHERE household_id = ?`, e.widow.ID), &member)
		code, _ = admin.post(fmt.Sprintf("/plans/%d/items/%d", planID, e.widow.ID), url.Values{"team_member_id": {fmt.Sprint(member)}})
		if code != http.StatusOK {
			t.Errorf("move: %d", code)
		}
		code, _ = admin.post(fmt.Sprintf("/plans/%d/items/%d", planID, e.widow.ID), url.Values{"team_member_id": {"9999"}})
		if code != http.StatusBadRequest {
			t.Errorf("move to a stranger: %d", code)
		}
		code, _ = admin.post(fmt.Sprintf("/plans/%d/swap", planID), url.Values{"team_member_id": {fmt.Sprint(member)}, "with": {fmt.Sprint(member)}})
		if code != http.StatusBadRequest {
			t.Errorf("swap with oneself: %d, want 400", code)
		}
		code, body = admin.get("/lang?to=en&back=" + url.QueryEscape("/plans?grid="+grid+"&week="+week))
		if code != http.StatusOK {
			t.Errorf("in English: %d", code)
		}
		mustContain(t, "plan in English", body, "Weekly visit plan", "this quarter", "Move to")
		mustNotContain(t, "plan in English", body, "⟦")
	})
}

// TestPlanEditFeedback: a move and a swap say what they did; a visitor
// given more than their weekly capacity is warned about; neither list
// offers the visitor themselves, and the phone sees one button per
// household instead of a list of dropdowns.
func TestPlanEditFeedback(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := t.Context()
		head := org.TeamMember{CommunityID: e.org.Community.ID, GridID: e.org.Grids[0].ID, Name: "楼栋长老马", Role: org.RoleBuildingHead}
		if err := org.CreateTeamMember(ctx, db, &head); err != nil {
			t.Fatal(err)
		}
		for i := range 30 {
			if _, err := e.hs.CreateHousehold(ctx, household.Actor{Name: "测试"}, household.Household{BuildingID: e.org.Buildings[0].ID,
				Unit: "1", Room: fmt.Sprint(501 + i)}, []household.Person{{Name: fmt.Sprintf("住户%d", i), Relation: "householder", BirthDate: date("1960-01-01"), Gender: household.Female}}); err != nil {
				t.Fatal(err)
			}
		}
		week := visit.WeekOf(calendar.Today()).Next().String()
		admin := e.signedIn("admin")
		grid := fmt.Sprint(e.org.Grids[0].ID)
		if code, _ := admin.post("/plans", url.Values{"grid": {grid}, "week": {week}}); code != http.StatusOK {
			t.Fatalf("generate: %d", code)
		}
		var planID, worker int64
		storetest.Scan(t, db.QueryRowContext(ctx, `SELECT id FROM plans`), &planID)
		storetest.Scan(t, db.QueryRowContext(ctx, `SELECT team_member_id FROM plan_items WHERE household_id = ?`, e.widow.ID), &worker)
		var headLoad, workerLoad int
		storetest.Scan(t, db.QueryRowContext(ctx, `SELECT COUNT(*) FROM plan_items WHERE team_member_id = ?`, head.ID), &headLoad)
		storetest.Scan(t, db.QueryRowContext(ctx, `SELECT COUNT(*) FROM plan_items WHERE team_member_id = ?`, worker), &workerLoad)
		if worker == head.ID || headLoad > 20 || workerLoad <= 20 {
			t.Fatalf("generated: the widow with %d, the head has %d, the worker %d", worker, headLoad, workerLoad)
		}
		_, body := admin.get("/plans?grid=" + grid + "&week=" + week)
		mustNotContain(t, "plan as generated", body, "plan-warning", `id="plan-notice"`)
		// Each household's move is folded away, and no list offers its own visitor.
		mustContain(t, "plan as generated", body, `<details class="move"><summary>改派</summary>`)
		section := body[strings.Index(body, fmt.Sprintf(`data-member="%d"`, head.ID)):]
		section = section[:strings.Index(section, "</section>")]
		if strings.Contains(section, fmt.Sprintf(`<option value="%d">`, head.ID)) || !strings.Contains(section, fmt.Sprintf(`<option value="%d">`, worker)) {
			t.Errorf("the head's lists offer the head, or not the worker: %s", section)
		}

		_, body = admin.post(fmt.Sprintf("/plans/%d/items/%d", planID, e.widow.ID), url.Values{"team_member_id": {fmt.Sprint(head.ID)}})
		mustContain(t, "after a move", body, `id="plan-notice"`, "已将 一化小区 1号楼 2单元 302室 改派给 楼栋长老马。")
		_, body = admin.post(fmt.Sprintf("/plans/%d/swap", planID), url.Values{"team_member_id": {fmt.Sprint(head.ID)}, "with": {fmt.Sprint(worker)}})
		mustContain(t, "after a swap", body, "已交换 楼栋长老马 和 小张 的走访名单。", "plan-warning",
			fmt.Sprintf("楼栋长老马 本周有 %d 户，超过每周可走访的 20 户", workerLoad-1), "plan-visitor over")
	})
}
