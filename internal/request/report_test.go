package request

import (
	"testing"
	"time"

	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestReport: four requests — one urgent, accepted at once and resolved in
// time, rated satisfied; one referred, accepted after two days and
// resolved late, rated dissatisfied and closed with a follow-up; one
// accepted and overdue; one declined — give the rates of the contract, by
// category, grid and department; scope and period limit them.
func TestReport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := t.Context()
		start := w.now
		at := func(h time.Duration) { w.now = start.Add(h) }

		sewage := w.submit(t, Input{Category: "sanitation", Description: "化粪池外溢", Channel: "hotline", HouseholdID: w.red.ID})
		charger := w.submit(t, Input{Category: "ev_charging", Description: "想装充电桩", Channel: "visit", HouseholdID: w.green.ID})
		lamp := w.submit(t, Input{Category: "repairs", Description: "楼道灯坏了", Channel: "grid_group", HouseholdID: w.red.ID})
		spam := w.submit(t, Input{Category: "other", Description: "广告", Channel: "web", HouseholdID: w.red.ID})

		at(time.Hour)
		w.apply(t, sewage.ID, Change{Action: Accept, Urgency: Urgent, Handling: Community})
		w.apply(t, lamp.ID, Change{Action: Accept, Urgency: General, Handling: Community, WorkingDays: 3})
		w.apply(t, spam.ID, Change{Action: Decline, Note: "不属于诉求"})
		at(5 * time.Hour)
		w.apply(t, sewage.ID, Change{Action: Resolve, Note: "吸污车已清理"})
		w.apply(t, sewage.ID, Change{Action: Callback, Method: "phone", Result: Satisfied})
		at(49 * time.Hour)
		w.apply(t, charger.ID, Change{Action: Accept, Urgency: General, Handling: Referred, DepartmentID: w.dept.ID, WorkingDays: 3})
		at(30 * 24 * time.Hour) // after both deadlines
		w.apply(t, charger.ID, Change{Action: Resolve, Note: "已增设充电桩"})
		w.apply(t, charger.ID, Change{Action: Callback, Method: "phone", Result: Dissatisfied, Reason: "not_solved", Note: "希望多装几个",
			FollowUp: &household.Need{Kind: "other"}})

		from, to := start.Add(-time.Hour), start.Add(60*24*time.Hour) // the deadlines are due by now, before to
		rep, err := Report(ctx, db, org.Everything, from, to, w.now, 0)
		if err != nil {
			t.Fatal(err)
		}
		f := rep.Figures
		if f.Total != 4 || f.Accepted != 3 || f.Resolved != 2 || f.Due != 3 || f.OnTime != 1 || f.Rated != 2 || f.Satisfied != 1 || f.Closed != 2 {
			t.Errorf("counts %+v", f)
		}
		rate := func(what string, got *float64, want float64) {
			t.Helper()
			if got == nil || *got < want-1e-9 || *got > want+1e-9 {
				t.Errorf("%s: %v, want %v", what, got, want)
			}
		}
		rate("response", f.ResponseRate, 2.0/3)
		rate("resolution", f.ResolutionRate, 2.0/3)
		rate("on time", f.OnTimeRate, 0.5)
		rate("satisfaction", f.SatisfactionRate, 0.5)
		// Responses: 1 h, 1 h, 49 h → median 1 h, mean 17 h.
		if r := f.Response; r.MedianSeconds == nil || *r.MedianSeconds != 3600 || *r.MeanSeconds != 17*3600 {
			t.Errorf("response times %+v", r)
		}
		if len(rep.ByDepartment) != 1 || rep.ByDepartment[0].Name != "区文体旅游科技局" || rep.ByDepartment[0].Total != 1 || rep.ByDepartment[0].OnTime != 0 {
			t.Errorf("by department %+v", rep.ByDepartment)
		}
		if len(rep.ByCategory) != 4 || len(rep.ByGrid) != 2 || rep.ByGrid[0].Total != 3 || rep.ByGrid[0].Key != itoa(w.red.GridID) {
			t.Errorf("by category %d groups, by grid %+v", len(rep.ByCategory), rep.ByGrid)
		}
		// The other grid's leader sees the charger only; a later period has
		// none, and no rates.
		rep, err = Report(ctx, db, org.Scope{GridIDs: []int64{w.green.GridID}}, from, to, w.now, 0)
		if err != nil || rep.Total != 1 || rep.OnTimeRate == nil || *rep.OnTimeRate != 0 {
			t.Errorf("grid scope: %+v, %v", rep, err)
		}
		rep, err = Report(ctx, db, org.Everything, to, to.Add(time.Hour), w.now, 0)
		if err != nil || rep.Total != 0 || rep.SatisfactionRate != nil || rep.Response.MedianSeconds != nil {
			t.Errorf("empty period: %+v, %v", rep, err)
		}
		// A response time of 2 days counts the charger as answered in time.
		rep, err = Report(ctx, db, org.Everything, from, to, w.now, 72*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		rate("response within 72 h", rep.ResponseRate, 1)
	})
}
