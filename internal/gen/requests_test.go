package gen_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"wanhu/internal/gen"
	"wanhu/internal/org"
	"wanhu/internal/request"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestDongxingRequests: the article's figures — 39 requests, all resolved
// and closed, the urgent ones the same day; the chargers referred to a
// department, and of their 20 owners called back 19 satisfied and one
// who wants more, a follow-up need.
func TestDongxingRequests(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := gen.Generate(ctx, db, gen.Options{Households: 600, Today: articleDay}); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			what string
			got  int
			want int
		}{
			{"requests", count(t, db, `SELECT COUNT(*) FROM requests`), gen.DongxingRequests},
			{"closed and resolved", count(t, db, `SELECT COUNT(*) FROM requests WHERE state = 'closed' AND resolved_at IS NOT NULL`), gen.DongxingRequests},
			{"charger owners", count(t, db, `SELECT COUNT(DISTINCT household_id) FROM requests WHERE category = 'ev_charging'`), gen.DongxingChargerOwners},
			{"chargers referred", count(t, db, `SELECT COUNT(*) FROM requests r JOIN org_units d ON d.id = r.department_id
				WHERE r.category = 'ev_charging' AND r.handling = 'referred' AND d.kind = 'department'`), gen.DongxingChargerOwners},
			{"charger owners satisfied", count(t, db, `SELECT COUNT(*) FROM requests WHERE category = 'ev_charging'
				AND callback_result IN ('satisfied', 'basically_satisfied')`), gen.DongxingChargersSatisfied},
			{"wants more chargers", count(t, db, `SELECT COUNT(*) FROM needs WHERE note LIKE '%多装几个%' AND status = 'open'`), 1},
			{"fitness equipment from 区文体旅游科技局", count(t, db, `SELECT COUNT(*) FROM requests r JOIN org_units d ON d.id = r.department_id
				WHERE r.category = 'fitness_equipment' AND d.name = '区文体旅游科技局'`), 1},
			{"channels", count(t, db, `SELECT COUNT(DISTINCT channel) FROM requests`), 5},
			{"extensions in the timelines", count(t, db, `SELECT COUNT(*) FROM request_events WHERE kind = 'extension_approve'`), gen.DongxingChargerOwners},
			{"historical messages kept", count(t, db, `SELECT COUNT(*) FROM outbox WHERE kind LIKE 'request.%'`), 0},
		} {
			if c.got != c.want {
				t.Errorf("%s: %d, want %d", c.what, c.got, c.want)
			}
		}
		// Every urgent one was resolved the day it came in (China time),
		// every one by its deadline.
		rs, _, err := request.NewStore(db, nil).List(ctx, request.Filter{PerPage: 100})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rs {
			if r.Urgency == request.Urgent && r.ResolvedAt.Format("2006-01-02") != r.SubmittedAt.Format("2006-01-02") {
				t.Errorf("urgent request %d (%s) submitted %s, resolved %s", r.ID, r.Description, r.SubmittedAt, r.ResolvedAt)
			}
			if r.ResolvedAt.After(*r.DueAt) || !r.ResolvedAt.Before(articleDay.Time()) {
				t.Errorf("request %d resolved %s, due %s", r.ID, r.ResolvedAt, r.DueAt)
			}
		}
		stats, err := request.Report(ctx, db, org.Everything, articleDay.Time().AddDate(-1, 0, 0), articleDay.Time(), articleDay.Time(), 0)
		if err != nil {
			t.Fatal(err)
		}
		if stats.Total != 39 || *stats.ResolutionRate != 1 || *stats.OnTimeRate != 1 || stats.Rated != 39 || stats.Satisfied != 38 {
			t.Errorf("report %+v", stats.Figures)
		}
	})
}

// TestDemoQueryPlans: the query that picks the households of Dongxing's
// requests finds them through the buildings' index instead of reading
// every household of the city (SCAN h).
// The people of the four-thirty class and the festival likewise come
// through the grids' households (SEARCH p by household), not every person
// of the city born in the range.
func TestDemoQueryPlans(t *testing.T) {
	db := generatedDongxing(t)
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, `ANALYZE`); err != nil {
		t.Fatal(err)
	}
	plan := func(query string, args ...any) []string {
		t.Helper()
		rows, err := db.QueryContext(ctx, `EXPLAIN QUERY PLAN `+query, args...)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		return plan
	}
	for _, op := range []string{"=", "<>"} {
		if p := plan(gen.DemoHouseholdSQL(op), 1, "一化小区"); !slices.Contains(p, "SEARCH h USING INDEX households_place (building_id=?)") {
			t.Errorf("c.name %s ?: plan %q", op, p)
		}
	}
	// A household's members by an index that leads with the household
	// (persons_household_active or persons_household_name).
	byHousehold := func(step string) bool {
		return strings.HasPrefix(step, "SEARCH p USING INDEX persons_household_") && strings.HasSuffix(step, " (household_id=?)")
	}
	if p := plan(gen.CommunityPeopleSQL, 8, "2000-01-01", "2014-01-01"); !slices.ContainsFunc(p, byHousehold) {
		t.Errorf("community's people: plan %q", p)
	}
}
