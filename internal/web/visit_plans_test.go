package web

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"wanhu/internal/calendar"
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
		mustContain(t, "plan", body, `id="plan"`, "小张", "王秀兰", "badge-red", `id="coverage"`, "本周", "重新生成计划",
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
		code, body = admin.post(fmt.Sprintf("/plans/%d/swap", planID), url.Values{"team_member_id": {fmt.Sprint(member)}, "with": {fmt.Sprint(member)}})
		if code != http.StatusOK {
			t.Errorf("swap: %d", code)
		}
		code, body = admin.get("/lang?to=en&back=" + url.QueryEscape("/plans?grid="+grid+"&week="+week))
		if code != http.StatusOK {
			t.Errorf("in English: %d", code)
		}
		mustContain(t, "plan in English", body, "Weekly visit plan", "this quarter", "Move to")
		mustNotContain(t, "plan in English", body, "⟦")
	})
}
