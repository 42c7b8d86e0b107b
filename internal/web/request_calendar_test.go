package web

import (
	"context"
	"fmt"
	"testing"
	"time"

	"wanhu/internal/household"
	"wanhu/internal/request"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestRequestPageNamesMissingHolidayData: a deadline counted into 2028,
// which has no holiday schedule, says so on the request page, with a link
// to load the year for whoever may configure the calendar, and the
// calendar page of 2028 counts it; once 2028 is loaded, both warnings are
// gone and the deadline is counted again.
func TestRequestPageNamesMissingHolidayData(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		rs := request.NewStore(db, e.hs)
		rs.SetClock(func() time.Time { return time.Date(2027, 12, 30, 1, 0, 0, 0, time.UTC) })
		clerk := household.Actor{Name: "值班员"}
		r, err := rs.Submit(ctx, clerk, request.Input{Category: "ev_charging", Description: "充电桩不够", Channel: "talk_room", HouseholdID: e.family.ID})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := rs.Apply(ctx, clerk, r.ID, request.Change{Action: request.Accept, Urgency: request.General, Handling: request.Community, WorkingDays: 5}); err != nil {
			t.Fatal(err)
		}
		admin := e.signedIn("admin")
		path := fmt.Sprintf("/requests/%d", r.ID)
		_, body := admin.get(path)
		mustContain(t, "estimated", body, `id="request-no-holiday-data-2028"`, "2028 年的放假安排尚未载入", `<a href="/calendar?year=2028">载入 2028 年放假安排</a>`)
		_, body = admin.get("/calendar?year=2028")
		mustContain(t, "calendar 2028", body, `id="calendar-estimated-due"`, "有 1 件办理中的诉求期限落在 2028 年")
		_, body = admin.get("/calendar?year=2029")
		mustNotContain(t, "calendar 2029", body, `id="calendar-estimated-due"`)
		code, _ := admin.post("/calendar", map[string][]string{"year": {"2028"}, "lines": {"2028-01-01,off,元旦"}})
		if code != 200 && code != 303 {
			t.Fatalf("loading 2028: %d", code)
		}
		_, body = admin.get(path)
		mustNotContain(t, "2028 loaded", body, `id="request-no-holiday-data-2028"`)
		// The deadline was counted again with 2028's schedule, in the
		// load's transaction: exact now, and the timeline says so.
		mustNotContain(t, "2028 loaded", body, "估算")
		mustContain(t, "2028 loaded", body, "按新的放假安排重新计算办理期限")
		_, body = admin.get("/calendar?year=2028")
		mustNotContain(t, "calendar 2028 loaded", body, `id="calendar-estimated-due"`)
	})
}
