package web

import (
	"html"
	"regexp"
	"strings"
	"testing"
	"time"

	"wanhu/internal/auth"
	"wanhu/internal/calendar"
	"wanhu/internal/org"
	"wanhu/internal/server"
	"wanhu/internal/stats"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
	"wanhu/internal/testworld"
)

var chartBandsRE = regexp.MustCompile(`id="chart-bands-data">([^<]*)<`)

// TestStatsSnapshotPages: the city's administrator sees the population
// and household pages counted live, saying that there is no snapshot yet;
// once it is taken, summed from it with its time and a link to live
// counts, which shows the same numbers and links back; the community's
// administrator is counted live with no such line.
func TestStatsSnapshotPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := demoEnv(t, db)
		ctx := t.Context()
		cities, err := org.Units(ctx, db, org.City)
		if err != nil || len(cities) != 1 {
			t.Fatalf("cities %v %v", cities, err)
		}
		streets, err := org.Units(ctx, db, org.Street)
		if err != nil || len(streets) != 1 {
			t.Fatalf("streets %v %v", streets, err)
		}
		if _, err := testworld.Neighbour(ctx, db, streets[0].ID); err != nil {
			t.Fatal(err)
		}
		if _, err := server.NewDeps(db, nil).Auth.CreateUser(ctx, "cityadmin", "市级管理员", testPassword,
			auth.Grant{Role: auth.Admin, OrgUnitID: cities[0].ID}); err != nil {
			t.Fatal(err)
		}
		city, admin := e.signedIn("cityadmin"), e.signedIn("admin")
		bands := func(body string) string {
			m := chartBandsRE.FindStringSubmatch(body)
			if m == nil {
				t.Fatalf("no bands chart in %.300s", body)
			}
			return html.UnescapeString(m[1])
		}

		_, live := city.get("/stats/population")
		mustContain(t, "before any snapshot", live, `id="stats-source"`, "尚无当日的统计快照")

		taken := time.Now()
		if _, err := stats.RefreshSnapshot(ctx, db, taken); err != nil {
			t.Fatal(err)
		}
		shown := taken.In(calendar.China).Format("2006-01-02 15:04")
		for _, page := range []string{"/stats/population", "/stats/households"} {
			_, body := city.get(page)
			mustContain(t, page+" from the snapshot", body, "以上为 "+shown+" 的统计快照", `<a href="`+page+`?live=1" id="stats-source-link">查看实时数据</a>`)
			_, body = city.get(page + "?live=1")
			mustContain(t, page+" live", body, "以上为实时统计", `id="stats-source-link">返回统计快照</a>`, `<input type="hidden" name="live" value="1">`)
			if strings.Contains(body, "统计快照（") {
				t.Errorf("%s?live=1 says it is the snapshot", page)
			}
			_, body = admin.get(page)
			if strings.Contains(body, `id="stats-source"`) {
				t.Errorf("the community's administrator's %s speaks of the snapshot", page)
			}
		}
		_, snap := city.get("/stats/population")
		_, live = city.get("/stats/population?live=1&on=" + calendar.DayOf(taken).String())
		if b, l := bands(snap), bands(live); b != l || !strings.Contains(b, `"data":[`) {
			t.Errorf("bands from the snapshot %s, live %s", b, l)
		}
	})
}
