package api

import (
	"bytes"
	"mime"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"wanhu/internal/audit"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestServiceRosters reads the service rosters through the API: scoped
// JSON, CSV with a byte-order mark, a real xlsx with Chinese headers and
// as many rows as the JSON total, the audit entry of each download, the
// roles that may not, bad parameters, and saved rosters.
func TestServiceRosters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		var sc []scenario
		// People aged 40 and over: the widow (grid 1) and the couple (grid 2).
		for user, n := range map[string]int{"admin": 3, "clerk": 3, "leader1": 1, "visitor": 1} {
			sc = append(sc, scenario{name: user + " people 40-", method: "GET", path: "/rosters/people?age=40-", user: user, status: 200,
				check: wantTotal(n)})
		}
		for _, user := range []string{"officer", "auditor"} {
			sc = append(sc, scenario{name: user + " rosters", method: "GET", path: "/rosters/people", user: user, status: 403})
			sc = append(sc, scenario{name: user + " index", method: "GET", path: "/rosters", user: user, status: 403})
		}
		sc = append(sc,
			scenario{name: "index", method: "GET", path: "/rosters", user: "admin", status: 200, check: wantTotal(8),
				want: []string{`"name":"four_thirty"`, `"title_zh":"四点半课堂"`, `"name":"living_alone_elderly","title_zh":"独居老人"`, `"count":1,"at_least":false,"path":"/rosters/living_alone_elderly"`}},
			scenario{name: "living alone", method: "GET", path: "/rosters/living_alone_elderly", user: "leader1", status: 200,
				check: wantTotal(1), want: []string{`"name":"王秀兰"`, `"page":1`, `"per_page":50`}},
			scenario{name: "check-ups", method: "GET", path: "/rosters/elderly_checkup?on=2026-06-01", user: "admin", status: 200,
				check: wantTotal(1), want: []string{`"on":"2026-06-01"`, `"age":78`}},
			scenario{name: "special difficulty masked", method: "GET", path: "/rosters/special_difficulty", user: "admin", status: 200,
				check: wantTotal(1), want: []string{`"phone":"139****5678"`}, reject: []string{"13912345678"}},
			scenario{name: "visitor csv", method: "GET", path: "/rosters/people?format=csv", user: "visitor", status: 403},
			scenario{name: "bad sex", method: "GET", path: "/rosters/people?sex=x", user: "admin", status: 400, check: wantError("one_of", "sex")},
			scenario{name: "bad age", method: "GET", path: "/rosters/people?age=12-6", user: "admin", status: 400, check: wantError("band_order", "age")},
			scenario{name: "filter of another roster", method: "GET", path: "/rosters/fire_safety?sex=male", user: "admin", status: 400, check: wantError("unknown", "sex")},
			scenario{name: "bad format", method: "GET", path: "/rosters/people?format=pdf", user: "admin", status: 400, check: wantError("one_of", "format")},
			scenario{name: "grid out of scope", method: "GET", path: "/rosters/people?grid={grid2}", user: "leader1", status: 400, check: wantError("not_found", "grid")},
			scenario{name: "unknown roster", method: "GET", path: "/rosters/nope", user: "admin", status: 404},
			scenario{name: "save", method: "POST", path: "/saved-rosters", body: `{"name":"老人","roster":"people","filter":{"age":"60-"}}`,
				user: "leader1", status: 201, want: []string{`"name":"老人"`, `"entity":"person"`, `"filter":{"age":"60-"}`}},
			scenario{name: "save twice", method: "POST", path: "/saved-rosters", body: `{"name":"老人","roster":"people"}`,
				user: "leader1", status: 400, check: wantError("duplicate", "name")},
			scenario{name: "save bad filter", method: "POST", path: "/saved-rosters", body: `{"name":"x","roster":"people","filter":{"dibao":"maybe"}}`,
				user: "leader1", status: 400, check: wantError("one_of", "dibao")},
			scenario{name: "saved", method: "GET", path: "/saved-rosters", user: "leader1", status: 200, check: wantTotal(1)},
			scenario{name: "saved of another user", method: "GET", path: "/saved-rosters", user: "admin", status: 200, check: wantTotal(0)},
			scenario{name: "delete another's", method: "DELETE", path: "/saved-rosters/1", user: "admin", status: 404},
			scenario{name: "delete", method: "DELETE", path: "/saved-rosters/1", user: "leader1", status: 204},
		)
		fx.run(t, sc)

		// CSV: byte-order mark, Chinese header, one line per row.
		resp, body := fx.do(t, "admin", "GET", "/rosters/people?age=40-&format=csv", "", nil)
		if resp.StatusCode != 200 || !bytes.HasPrefix(body, []byte("\uFEFF姓名,性别,出生日期,年龄")) {
			t.Fatalf("csv %d: %s", resp.StatusCode, short(body))
		}
		if lines := strings.Count(strings.TrimSpace(string(body)), "\n"); lines != 3 {
			t.Errorf("csv has %d rows, want 3:\n%s", lines, body)
		}
		// xlsx by Accept, as the grid leader: their grid only.
		resp, body = fx.do(t, "leader1", "GET", "/rosters/people?age=40-", "", map[string]string{"Accept": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"})
		if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Disposition"), `filename="roster-people-`) {
			t.Fatalf("xlsx %d %v", resp.StatusCode, resp.Header)
		}
		// The file and its sheet are named in Chinese, as the office would.
		if _, p, err := mime.ParseMediaType(resp.Header.Get("Content-Disposition")); err != nil ||
			!strings.HasPrefix(p["filename"], "人员筛选名单-") || !strings.HasSuffix(p["filename"], ".xlsx") {
			t.Errorf("xlsx file named %q (%v)", p["filename"], err)
		}
		f, err := excelize.OpenReader(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := f.GetRows("人员筛选名单")
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 2 || rows[0][0] != "姓名" || rows[0][8] != "地址" || rows[1][0] != "王秀兰" {
			t.Errorf("xlsx rows %v, want the header and 王秀兰", rows)
		}
		recs, n, err := fx.d.Audit.Search(t.Context(), audit.Filter{Action: "export", Object: "roster:people"})
		if err != nil || n != 2 {
			t.Fatalf("%d export entries (%v), want 2", n, err)
		}
		if recs[0].Detail != "xlsx 1 rows age=40-" || recs[0].Username != "leader1" || recs[1].Detail != "csv 3 rows age=40-" {
			t.Errorf("audit details %q by %s, %q", recs[0].Detail, recs[0].Username, recs[1].Detail)
		}
	})
}
