package web

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"wanhu/internal/auth"
	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/server"
	"wanhu/internal/stats"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
	"wanhu/internal/testworld"
)

// TestStatsByCommunity: the city's administrator, over the demo's
// community and a neighbour with one household, reads the households
// and the services by community (a row each, linked to its page, summing
// to the totals), live and from the snapshot, with a community select
// and no grid select; ?community= shows that community's grids only; a
// community out of scope is ignored (the page by community); the
// community's administrator and a grid leader see grids as before.
func TestStatsByCommunity(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := demoEnv(t, db)
		ctx := t.Context()
		streets, err := org.Units(ctx, db, org.Street)
		if err != nil || len(streets) != 1 {
			t.Fatalf("streets %v %v", streets, err)
		}
		cities, err := org.Units(ctx, db, org.City)
		if err != nil || len(cities) != 1 {
			t.Fatalf("cities %v %v", cities, err)
		}
		east, eastGrid, err := testworld.NeighbourGrid(ctx, db, streets[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		var home int64
		if err := db.QueryRowContext(ctx, `SELECT id FROM org_units WHERE kind = 'community' AND id <> ?`, east.ID).Scan(&home); err != nil {
			t.Fatal(err)
		}
		d := server.NewDeps(db, nil)
		if _, err := d.Households.CreateHousehold(ctx, household.Actor{Name: "测试"}, household.Household{GridID: eastGrid, Address: "东湖路1号"},
			[]household.Person{{Name: "东湖人", Gender: household.Male, BirthDate: calendar.Date{Y: 1960, M: 5, D: 1}, Relation: "householder"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Auth.CreateUser(ctx, "cityadmin", "市级管理员", testPassword, auth.Grant{Role: auth.Admin, OrgUnitID: cities[0].ID}); err != nil {
			t.Fatal(err)
		}
		city := e.signedIn("cityadmin")
		homeID, eastID := strconv.FormatInt(home, 10), strconv.FormatInt(east.ID, 10)

		byCommunity := func(what, body string) {
			t.Helper()
			rows := statTableOf(t, body, "community")
			if len(rows) != 2 || rows[0].Label != "东兴社区" || rows[1].Label != "东湖社区" {
				t.Fatalf("%s: communities %+v", what, rows)
			}
			if rows[1].Cells[3] != "1" {
				t.Errorf("%s: 东湖社区 has %s households, want 1", what, rows[1].Cells[3])
			}
			colours := statTableOf(t, body, "colour")
			for i := range 4 { // red, yellow, green, total
				sum := 0
				for _, r := range rows {
					n, _ := strconv.Atoi(r.Cells[i])
					sum += n
				}
				want := colours[i].Cells[0] // the colours' table: red, yellow, green, total
				if strconv.Itoa(sum) != want {
					t.Errorf("%s: column %d of the communities sums to %d, the colours' table says %s", what, i, sum, want)
				}
			}
			mustContain(t, what, body, `<a href="/stats/households?community=`+eastID+`">东湖社区</a>`, `<select name="community" id="filter-community">`,
				`<option value="`+eastID+`">东湖社区</option>`)
			mustNotContain(t, what, body, `data-table="grid"`, `<select name="grid" id="filter-grid">`)
		}
		_, body := city.get("/stats/households")
		byCommunity("live", body)
		if _, err := stats.RefreshSnapshot(ctx, db, time.Now()); err != nil {
			t.Fatal(err)
		}
		_, body = city.get("/stats/households")
		mustContain(t, "from the snapshot", body, `id="stats-source"`, "的统计快照")
		byCommunity("from the snapshot", body)
		_, body = city.get("/stats/households?community=999999")
		byCommunity("a community out of scope", body)

		_, body = city.get("/stats/households?community=" + eastID)
		grids := statTableOf(t, body, "grid")
		if len(grids) != 1 || grids[0].Label != "第一网格" || grids[0].Cells[3] != "1" {
			t.Errorf("?community=east: grids %+v", grids)
		}
		mustContain(t, "?community=east", body, `<option value="`+eastID+`" selected>东湖社区</option>`)
		mustNotContain(t, "?community=east", body, `data-table="community"`, `id="stats-source"`)
		_, body = city.get("/stats/households?community=" + homeID)
		if grids := statTableOf(t, body, "grid"); len(grids) < 2 {
			t.Errorf("?community=home: grids %+v", grids)
		}
		mustContain(t, "?community=home", body, `<select name="grid" id="filter-grid">`)
		// A grid of another community, left in the form, is ignored.
		_, body = city.get(fmt.Sprintf("/stats/households?community=%s&grid=%d", homeID, eastGrid))
		if grids := statTableOf(t, body, "grid"); len(grids) < 2 {
			t.Errorf("?community=home&grid=east's: grids %+v", grids)
		}

		_, body = city.get("/stats/services")
		cov := statTableOf(t, body, "coverage-community")
		if len(cov) != 3 || cov[0].Label != "东兴社区" || cov[1].Label != "东湖社区" {
			t.Fatalf("services: coverage %+v", cov)
		}
		a, _ := strconv.Atoi(cov[0].Cells[0])
		b, _ := strconv.Atoi(cov[1].Cells[0])
		if total, _ := strconv.Atoi(cov[2].Cells[0]); a+b != total || b != 1 {
			t.Errorf("services: households %d + %d, total %d", a, b, total)
		}
		mustContain(t, "services", body, `data-table="requests-community"`, `<a href="/visits/coverage?community=`+eastID+`">东湖社区</a>`)
		mustNotContain(t, "services", body, `data-table="coverage"`, `data-table="requests-grid"`)
		_, body = city.get("/stats/services?community=" + homeID)
		mustContain(t, "services of the community", body, `data-table="coverage"`, `data-table="requests-grid"`)
		mustNotContain(t, "services of the community", body, `data-table="coverage-community"`, "东湖社区</th>")

		for _, u := range []string{"admin", "leader1"} {
			c := e.signedIn(u)
			for _, p := range []string{"/stats/households", "/stats/services"} {
				_, body := c.get(p)
				mustContain(t, u+" "+p, body, "第一网格")
				mustNotContain(t, u+" "+p, body, `data-table="community"`, `data-table="coverage-community"`, `<select name="community" id="filter-community">`, "东湖社区")
			}
		}
		_, body = e.signedIn("admin").get("/stats/households?community=" + eastID)
		mustNotContain(t, "admin ?community=east", body, "东湖社区")
		if !strings.Contains(body, `data-table="grid"`) {
			t.Error("the community's administrator's ?community=east has no grids")
		}
	})
}
