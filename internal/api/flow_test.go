package api

import (
	"bytes"
	"encoding/csv"
	"mime"
	"strings"
	"testing"

	"wanhu/internal/household"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestDoneMeans walks the flow through the API: find the red
// household of a living-alone elderly person and why it is red; a member of
// a green family loses their job, the family turns yellow and the ledger
// shows lost_job and colour_changed.
func TestDoneMeans(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		fx.run(t, []scenario{
			{name: "find the red household by its member's name", method: "GET", path: "/households?colour=red&q=%E7%8E%8B%E7%A7%80",
				user: "clerk", status: 200, check: wantTotal(1),
				want: []string{`"id":{red}`, `"colour":"red"`, `"code":"living_alone_elderly"`, `"name_zh":"独居老人"`, `"person":"王秀兰"`}},
			{name: "the green family", method: "GET", path: "/households/{green}", user: "clerk", status: 200,
				want: []string{`"colour":"green"`, `"code":"ordinary"`}},
			{name: "the father loses his job", method: "PATCH", path: "/persons/{father}", user: "clerk", status: 200,
				body: `{"version":1,"employment":"unemployed"}`, want: []string{`"employment":"unemployed"`, `"unemployed"`}},
			{name: "the family is yellow, and why", method: "GET", path: "/households/{green}", user: "clerk", status: 200,
				want: []string{`"colour":"yellow"`, `"code":"unemployed"`, `"person":"李建国"`}},
			{name: "the ledger grew", method: "GET", path: "/households/{green}/ledger", user: "clerk", status: 200,
				want: []string{`"type":"lost_job"`, `"type":"colour_changed"`, `"before":"green"`, `"after":"yellow"`, `"actor":"网格员小李"`},
				check: func(t *testing.T, b []byte) {
					l := decodeAs[list[household.LedgerEvent]](t, b)
					if len(l.Items) == 0 || l.Items[0].At.IsZero() {
						t.Errorf("ledger items %+v", l.Items)
					}
				}},
			{name: "community ledger, lost jobs in the last week", method: "GET", path: "/ledger?days=7&type=lost_job", user: "clerk",
				status: 200, check: wantTotal(1), want: []string{`"person":"李建国"`, `"household_id":{green}`}},
			{name: "community ledger, grid one", method: "GET", path: "/ledger?grid={grid1}", user: "clerk", status: 200,
				want: []string{`"household_id":{red}`}, reject: []string{`"household_id":{green}`}},
			{name: "community ledger, default 30 days, paged", method: "GET", path: "/ledger?per_page=1", user: "clerk", status: 200,
				want: []string{`"items":[{`}},
			{name: "community ledger, wrong type", method: "GET", path: "/ledger?type=party", user: "clerk", status: 400, check: wantError("one_of", "type")},
			{name: "community ledger, days=0", method: "GET", path: "/ledger?days=0", user: "clerk", status: 400, check: wantError("range", "days")},
			{name: "community ledger, grid=abc", method: "GET", path: "/ledger?grid=abc", user: "clerk", status: 400, check: wantError("invalid", "grid")},
			{name: "community ledger, no token", method: "GET", path: "/ledger", status: 401, check: wantError("unauthorized", "")},
			{name: "household ledger, not found", method: "GET", path: "/households/99999/ledger", user: "clerk", status: 404, check: wantError("not_found", "")},
			{name: "household ledger, bad page", method: "GET", path: "/households/{green}/ledger?page=0", user: "clerk", status: 400, check: wantError("range", "page")},
		})
	})
}

func TestHealthNotesMaskedInLedger(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		fx.run(t, []scenario{
			{name: "health worsened", method: "POST", path: "/persons/{widow}/events", user: "clerk", status: 200,
				body: `{"type":"health_worsened","health_notes":"确诊肺癌","serious_illness":true}`, want: []string{`"serious_illness"`}},
			{name: "others do not see the notes in the ledger", method: "GET", path: "/households/{red}/ledger", user: "visitor", status: 200,
				want: []string{`"type":"health_worsened"`, `"after":"***"`}, reject: []string{"确诊肺癌", "高血压"}},
			{name: "admin does", method: "GET", path: "/households/{red}/ledger", user: "admin", status: 200, want: []string{"确诊肺癌"}},
		})
	})
}

func TestRosters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		fx.run(t, []scenario{
			{name: "key persons", method: "GET", path: "/rosters/key-persons", user: "clerk", status: 200, check: wantTotal(1),
				want: []string{`"name":"王秀兰"`, `"tags":["living_alone_elderly"]`}},
			{name: "key persons by grid", method: "GET", path: "/rosters/key-persons?grid={grid2}", user: "clerk", status: 200, check: wantTotal(0)},
			{name: "key persons by tag", method: "GET", path: "/rosters/key-persons?tag=living_alone_elderly", user: "clerk", status: 200, check: wantTotal(1)},
			{name: "key persons, unknown tag", method: "GET", path: "/rosters/key-persons?tag=nope", user: "clerk", status: 400, check: wantError("tag_unknown", "tag")},
			{name: "key persons, grid=abc", method: "GET", path: "/rosters/key-persons?grid=abc", user: "clerk", status: 400, check: wantError("invalid", "grid")},
			{name: "key persons, bad format", method: "GET", path: "/rosters/key-persons?format=xls", user: "clerk", status: 400, check: wantError("one_of", "format")},
			{name: "key persons, no token", method: "GET", path: "/rosters/key-persons", status: 401, check: wantError("unauthorized", "")},
			{name: "special difficulty", method: "GET", path: "/rosters/special-difficulty-households", user: "clerk", status: 200,
				check: wantTotal(1), want: []string{`"id":{red}`, `"phone":"139****5678"`}, reject: []string{"13912345678"}},
			{name: "special difficulty, page=-1", method: "GET", path: "/rosters/special-difficulty-households?page=-1", user: "clerk",
				status: 400, check: wantError("range", "page")},
		})
	})
}

func TestRosterCSV(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		// More key persons than one page holds, to see that CSV takes all.
		for i := 0; i < 3; i++ {
			resp, body := fx.do(t, "clerk", "POST", "/households/{green}/members", `{"name":"老人`+string(rune('甲'+i))+
				`","birth_date":"1940-01-0`+string(rune('1'+i))+`","gender":"male","tags":["living_alone_elderly"]}`, nil)
			if resp.StatusCode != 201 {
				t.Fatalf("add member: %d %s", resp.StatusCode, short(body))
			}
		}
		for _, tc := range []struct {
			name, path string
			header     map[string]string
			rows       int
			head, file string
			zh         string
		}{
			{"key persons", "/rosters/key-persons?format=csv&per_page=1", nil, 4, "姓名", "key-persons-", "重点人群名单-"},
			{"key persons by Accept", "/rosters/key-persons", map[string]string{"Accept": "text/csv"}, 4, "姓名", "key-persons-", "重点人群名单-"},
			{"special difficulty", "/rosters/special-difficulty-households?format=csv", nil, 1, "户编号", "special-difficulty-households-", "特殊困难家庭名单-"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				resp, body := fx.do(t, "clerk", "GET", tc.path, "", tc.header)
				if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
					t.Fatalf("status %d type %q: %s", resp.StatusCode, resp.Header.Get("Content-Type"), short(body))
				}
				cd := resp.Header.Get("Content-Disposition")
				if _, p, err := mime.ParseMediaType(cd); err != nil || !strings.HasPrefix(cd, `attachment; filename="`+tc.file) ||
					!strings.HasPrefix(p["filename"], tc.zh) || !strings.HasSuffix(p["filename"], ".csv") {
					t.Errorf("Content-Disposition %q", cd)
				}
				if !bytes.HasPrefix(body, []byte("\uFEFF")) {
					t.Fatalf("no byte-order mark")
				}
				recs, err := csv.NewReader(bytes.NewReader(body[3:])).ReadAll()
				if err != nil {
					t.Fatal(err)
				}
				if len(recs) != tc.rows+1 || recs[0][0] != tc.head {
					t.Errorf("%d records (want %d + header), header %v", len(recs), tc.rows, recs[0])
				}
				if strings.Contains(string(body), "13912345678") {
					t.Error("CSV has an unmasked phone")
				}
			})
		}
	})
}
