package gen_test

import (
	"context"
	"strings"
	"testing"

	"wanhu/internal/calendar"
	"wanhu/internal/gen"
	"wanhu/internal/proactive"
	"wanhu/internal/store/storetest"
)

// TestDemoProactive: on the generated Dongxing, the daily job run twice
// makes its tasks once: among them exactly three living-alone elderly
// visits due today, the list of those turning 80 in the next 30 days
// (every one of them), and the heating checks (the demo day is in
// season).
func TestDemoProactive(t *testing.T) {
	db := generatedDongxing(t)
	ctx := context.Background()
	now := articleDay.Midnight().Add(3 * 3600e9)
	first, err := proactive.Run(ctx, db, articleDay, now)
	if err != nil {
		t.Fatal(err)
	}
	second, err := proactive.Run(ctx, db, articleDay, now)
	if err != nil {
		t.Fatal(err)
	}
	if first.Created == 0 || first.Existing != 0 || second.Created != 0 || second.Existing != first.Created {
		t.Fatalf("runs: first %d made, %d there; second %d made, %d there", first.Created, first.Existing, second.Created, second.Existing)
	}
	by := map[string][]proactive.RunTask{}
	for _, task := range second.Tasks {
		by[task.Rule] = append(by[task.Rule], task)
	}
	if v := by["alone_elderly_visit"]; len(v) != gen.DemoAloneElderlyDue || v[0].Due != articleDay {
		t.Errorf("living-alone elderly visits: %+v, want %d due today", v, gen.DemoAloneElderlyDue)
	}
	var turning80 int
	storetest.Scan(t, db.QueryRowContext(ctx, `SELECT COUNT(*) FROM persons p WHERE p.active AND p.moved_out_on IS NULL
		AND p.deceased_on IS NULL AND p.birth_date >= ? AND p.birth_date <= ?`,
		articleDay.AddYears(-80), calendar.DateOf(articleDay.Time().AddDate(0, 0, 30)).AddYears(-80)), &turning80)
	var eighty int
	for _, task := range by["birthday"] {
		if strings.Contains(task.Reason, "满80周岁") {
			eighty++
		}
	}
	if turning80 == 0 || eighty != turning80 {
		t.Errorf("turning 80 in 30 days: %d tasks, %d persons; want all of them, and some", eighty, turning80)
	}
	var heating int
	storetest.Scan(t, db.QueryRowContext(ctx, `SELECT COUNT(DISTINCT p.household_id) FROM persons p JOIN person_tags t ON t.person_id = p.id
		WHERE t.tag IN ('living_alone_elderly', 'disabled') AND p.active AND p.moved_out_on IS NULL AND p.deceased_on IS NULL`), &heating)
	if heating == 0 || len(by["heating_check"]) != heating {
		t.Errorf("heating checks: %d, want one for each of the %d living-alone elderly and disabled households", len(by["heating_check"]), heating)
	}
}
