package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"wanhu/internal/api"
	"wanhu/internal/audit"
	"wanhu/internal/calendar"
	"wanhu/internal/export"
	"wanhu/internal/gen"
	"wanhu/internal/server"
	"wanhu/internal/stats"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// demoEnv is the web app and the API on the generated Dongxing community
// with its demo accounts (admin, leader1, visitor1, auditor1 …).
func demoEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	ctx := t.Context()
	if _, err := gen.Generate(ctx, db, gen.Options{}); err != nil {
		t.Fatal(err)
	}
	if _, err := gen.DemoAccounts(ctx, db, testPassword); err != nil {
		t.Fatal(err)
	}
	d := server.NewDeps(db, nil)
	e := &env{t: t, hs: d.Households, h: newHandler(d)}
	mux := http.NewServeMux()
	e.h.routes(mux)
	api.Register(mux, d)
	e.srv = httptest.NewServer(server.Secure(mux))
	t.Cleanup(e.srv.Close)
	return e
}

// statCells reads the table data-table=id of a statistics page: each row's
// label and its cells as shown, with the link of each cell.
type statLine struct {
	Label string
	Cells []string
	Links []string
}

var (
	statRowRE  = regexp.MustCompile(`(?s)<tr[^>]*><th scope="row">(.*?)</th>(.*?)</tr>`)
	statCellRE = regexp.MustCompile(`(?s)<td>(?:<a href="([^"]*)">)?([^<]*)`)
	tagRE      = regexp.MustCompile(`<[^>]+>`)
)

func statTableOf(t *testing.T, body, id string) []statLine {
	t.Helper()
	i := strings.Index(body, `data-table="`+id+`"`)
	if i < 0 {
		t.Fatalf("no table %s", id)
	}
	part := body[i:]
	part = part[:strings.Index(part, "</table>")]
	var out []statLine
	for _, m := range statRowRE.FindAllStringSubmatch(part, -1) {
		l := statLine{Label: strings.TrimSpace(tagRE.ReplaceAllString(m[1], ""))}
		for _, c := range statCellRE.FindAllStringSubmatch(m[2], -1) {
			l.Cells = append(l.Cells, strings.TrimSpace(c[2]))
			l.Links = append(l.Links, strings.ReplaceAll(c[1], "&amp;", "&"))
		}
		out = append(out, l)
	}
	return out
}

// apiGet calls the API as username (a token from the API's login).
func (c *client) apiGet(username, path string, into any) {
	c.e.t.Helper()
	res, err := http.Post(c.e.srv.URL+"/api/v1/auth/login", "application/json",
		strings.NewReader(fmt.Sprintf(`{"username":%q,"password":%q}`, username, testPassword)))
	if err != nil {
		c.e.t.Fatal(err)
	}
	var login struct{ Token string }
	json.NewDecoder(res.Body).Decode(&login)
	res.Body.Close()
	req, _ := http.NewRequest("GET", c.e.srv.URL+"/api/v1"+path, nil)
	req.Header.Set("Authorization", "Bearer "+login.Token)
	res, b := c.do(req)
	if res.StatusCode != 200 {
		c.e.t.Fatalf("GET %s as %s: %d %s", path, username, res.StatusCode, b)
	}
	if err := json.Unmarshal([]byte(b), into); err != nil {
		c.e.t.Fatal(err)
	}
}

// TestStatsPages: on the demo community the administrator sees the
// article's bands with the API's numbers, each linked to its list of
// people; grid 1's leader sees grid 1 only, with the numbers the API
// gives for ?grid= of grid 1; the households, ledger and services pages
// show shops vs homes, the monthly trend and the article's rates; the
// nav link and the pages are for those with a statistics scope.
func TestStatsPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := demoEnv(t, db)
		admin, leader := e.signedIn("admin"), e.signedIn("leader1")
		today := calendar.Today().String()

		var all, grid1 stats.PopulationStats
		admin.apiGet("admin", "/stats/population?preset=article&on="+today, &all)
		var grid1ID int64
		for _, g := range all.ByGrid {
			if g.Name == "第一网格" {
				grid1ID, _ = strconv.ParseInt(g.Key, 10, 64)
			}
		}
		admin.apiGet("admin", fmt.Sprintf("/stats/population?preset=article&on=%s&grid=%d", today, grid1ID), &grid1)
		if all.Total < 4470 || grid1.Total == 0 || grid1.Total >= all.Total {
			t.Fatalf("population: all %d, grid 1 %d", all.Total, grid1.Total)
		}

		status, body := admin.get("/stats/population")
		if status != 200 {
			t.Fatalf("admin: %d", status)
		}
		mustContain(t, "admin's page", body, `id="nav-stats"`, `id="chart-bands"`, `id="chart-pyramid"`, `<script type="application/json" id="chart-bands-data">{"kind":"bar"`,
			staticURL(t, "vendor/echarts/echarts.min.js"), staticURL(t, "stats.js"), `name="grid"`, `href="/stats/population?format=xlsx"`)
		bands := statTableOf(t, body, "bands")
		want := []string{"0-3 岁", "4-12 岁", "6-12 岁", "60 岁及以上", "65 岁及以上", "合计"}
		if len(bands) != len(want) {
			t.Fatalf("bands table %+v", bands)
		}
		for i, b := range all.Bands {
			if bands[i].Label != want[i] || bands[i].Cells[0] != strconv.Itoa(b.Count) ||
				bands[i].Links[0] != "/rosters/people?age="+b.Band+"&on="+today {
				t.Errorf("band %s: page %+v, API %d", b.Band, bands[i], b.Count)
			}
		}
		if bands[5].Cells[0] != strconv.Itoa(all.Total) {
			t.Errorf("total %+v, API %d", bands[5], all.Total)
		}
		grids := statTableOf(t, body, "grid")
		if len(grids) != 7 || grids[0].Label != "第一网格" || grids[0].Links[0] != fmt.Sprintf("/rosters/people?grid=%d&on=%s", grid1ID, today) {
			t.Errorf("grid table %+v", grids)
		}
		if eth := statTableOf(t, body, "ethnicity"); len(eth) == 0 || eth[0].Label != "汉族" || eth[0].Links[0] != "/rosters/people?ethnicity=01&on="+today {
			t.Errorf("ethnicity table %+v", eth)
		}
		pyr := statTableOf(t, body, "pyramid")
		sum := 0
		for _, r := range pyr {
			n, _ := strconv.Atoi(r.Cells[2])
			sum += n
		}
		if len(pyr) != 21 || sum != all.Total || pyr[0].Links[0] != "/rosters/people?age=0-4&on="+today+"&sex=male" {
			t.Errorf("pyramid: %d groups summing to %d, want 21 and %d: %+v", len(pyr), sum, all.Total, pyr[0])
		}

		status, body = leader.get("/stats/population")
		if status != 200 {
			t.Fatalf("leader1: %d", status)
		}
		if strings.Contains(body, `name="grid"`) || strings.Contains(body, "第二网格") {
			t.Errorf("leader1's page offers or shows other grids")
		}
		bands = statTableOf(t, body, "bands")
		for i, b := range grid1.Bands {
			if bands[i].Cells[0] != strconv.Itoa(b.Count) {
				t.Errorf("leader1, band %s: page %s, API ?grid= %d", b.Band, bands[i].Cells[0], b.Count)
			}
		}
		if bands[5].Cells[0] != strconv.Itoa(grid1.Total) {
			t.Errorf("leader1's total %s, API ?grid= %d", bands[5].Cells[0], grid1.Total)
		}
		if status, _ := leader.get(fmt.Sprintf("/stats/population?grid=%d", grid1ID+1)); status != 404 {
			t.Errorf("leader1 asking for another grid: %d, want 404", status)
		}

		_, body = admin.get("/stats/population?preset=census&on=2027-09-01")
		if bands := statTableOf(t, body, "bands"); len(bands) != 6 || bands[0].Label != "0-14 岁" || bands[4].Label != "80 岁及以上" {
			t.Errorf("census preset: %+v", bands)
		}
		_, body = admin.get("/stats/population?bands=3-3&on=2027-09-01")
		if bands := statTableOf(t, body, "bands"); len(bands) != 2 || bands[0].Links[0] != "/rosters/people?age=3-3&on=2027-09-01" {
			t.Errorf("own bands: %+v", bands)
		}
		if status, body := admin.get("/stats/population?bands=9-3"); status != 400 || !strings.Contains(body, "9-3") {
			t.Errorf("bad bands: %d", status)
		}
		// The form sends the select, the bands field and the bands it
		// showed: a new select with the bands untouched counts the preset;
		// bands typed over count as the user's own, whatever the select.
		article := "0-3,4-12,6-12,60-,65-"
		for _, c := range []struct{ query, first, selected, field string }{
			{"preset=census&bands=" + article + "&shown=" + article, "0-14 岁", "census", "0-14,15-59,60-,65-,80-"},
			{"preset=census&bands=3-3&shown=" + article, "3-3 岁", "custom", "3-3"},
			{"preset=custom&bands=" + article + "&shown=" + article, "0-3 岁", "custom", article},
		} {
			_, body := admin.get("/stats/population?on=2027-09-01&" + c.query)
			bands := statTableOf(t, body, "bands")
			if len(bands) == 0 || bands[0].Label != c.first || !strings.Contains(body, `<option value="`+c.selected+`" selected>`) ||
				!strings.Contains(body, `name="bands" value="`+c.field+`"`) || !strings.Contains(body, `name="shown" value="`+c.field+`"`) {
				t.Errorf("%s: first band %+v, want %s, %s selected, bands %s", c.query, bands, c.first, c.selected, c.field)
			}
		}

		var hs stats.HouseholdStats
		admin.apiGet("admin", "/stats/households", &hs)
		_, body = admin.get("/stats/households")
		kind := statTableOf(t, body, "kind")
		if len(kind) != 4 || kind[1].Label != "商铺" || kind[1].Cells[0] != strconv.Itoa(hs.Kind["commercial"]) || hs.Kind["commercial"] == 0 ||
			kind[1].Links[0] != "/rosters/households?kind=commercial" || kind[0].Cells[0] != strconv.Itoa(hs.Kind["residential"]) {
			t.Errorf("kind: %+v, API %v", kind, hs.Kind)
		}
		byGrid := statTableOf(t, body, "grid")
		if len(byGrid) != 7 || byGrid[0].Cells[0] != strconv.Itoa(hs.ByGrid[0].Colour["red"]) ||
			byGrid[0].Links[0] != fmt.Sprintf("/rosters/households?colour=red&grid=%d", grid1ID) {
			t.Errorf("colours by grid: %+v, API %+v", byGrid, hs.ByGrid)
		}
		mustContain(t, "households", body, `id="chart-colour"`, `id="chart-grid-colours"`, `"kind":"stacked"`)

		_, body = admin.get("/stats/ledger")
		ledger := statTableOf(t, body, "ledger")
		if len(ledger) != len(stats.TrendTypes) || len(ledger[0].Cells) != 13 {
			t.Errorf("ledger table: %d rows of %d cells", len(ledger), len(ledger[0].Cells))
		}

		_, body = admin.get("/stats/services")
		survey := statTableOf(t, body, "survey")
		if len(survey) != 3 || survey[0].Cells[0] != "100%" || survey[1].Cells[0] != "96%" || survey[2].Cells[0] != "96%" {
			t.Errorf("survey rates: %+v", survey)
		}
		var rs struct{ Total, Resolved, Due, Satisfied, Rated int }
		admin.apiGet("admin", "/stats/requests", &rs)
		reqs := statTableOf(t, body, "requests")
		if rs.Total != 39 || reqs[0].Cells[0] != "39" || reqs[1].Cells[0] != "39" || reqs[3].Cells[0] != "100%" || reqs[3].Cells[1] != "39/39" ||
			reqs[5].Cells[1] != fmt.Sprintf("%d/%d", rs.Satisfied, rs.Rated) {
			t.Errorf("request figures: %+v, API %+v", reqs, rs)
		}
		chargers := false
		for _, c := range statTableOf(t, body, "requests-category") {
			chargers = chargers || c.Cells[2] == "95%" && c.Cells[3] == "19/20"
		}
		if !chargers {
			t.Errorf("no category with the 19-of-20 callback: %+v", statTableOf(t, body, "requests-category"))
		}

		for _, lang := range []string{"en", "zh-CN"} {
			admin.get("/lang?to=" + lang + "&back=/stats")
			for _, p := range []string{"/stats", "/stats/population", "/stats/households", "/stats/ledger", "/stats/services"} {
				if status, body := admin.get(p); status != 200 || strings.Contains(body, "⟦") || !strings.Contains(body, map[string]string{"en": ">Statistics<", "zh-CN": ">统计<"}[lang]) {
					t.Errorf("%s in %s: %d, untranslated: %v", p, lang, status, regexp.MustCompile(`⟦[^⟧]*⟧`).FindAllString(body, -1))
				}
			}
		}
		for _, c := range []struct {
			user, path string
			status     int
		}{
			{"visitor1", "/stats", 403}, {"visitor1", "/stats/population", 403}, {"auditor1", "/stats/households", 403},
			{"dept1", "/stats/services", 403}, {"leader1", "/stats", 200}, {"admin", "/stats", 200},
		} {
			status, body := e.signedIn(c.user).get(c.path)
			if status != c.status {
				t.Errorf("%s %s: %d, want %d", c.user, c.path, status, c.status)
			}
			if status == 200 && !strings.Contains(body, `href="/stats/ledger"`) {
				t.Errorf("%s: overview without its sections", c.user)
			}
		}
		for user, want := range map[string]bool{"admin": true, "leader1": true, "visitor1": false, "auditor1": false} {
			c := e.signedIn(user)
			_, body := c.get("/households")
			if user == "auditor1" {
				_, body = c.get("/audit")
			}
			if strings.Contains(body, `id="nav-stats"`) != want {
				t.Errorf("%s: nav link %v, want %v", user, !want, want)
			}
		}
	})
}

// TestStatsExport: the population page downloads as an .xlsx that excelize
// opens, with the Chinese headers and the page's numbers, and as a CSV
// with a byte-order mark; each download is audited; a visitor may not.
func TestStatsExport(t *testing.T) {
	db := storetest.SQLite(t)
	e := demoEnv(t, db)
	admin := e.signedIn("admin")
	_, page := admin.get("/stats/population?on=2026-12-01")
	bands := statTableOf(t, page, "bands")

	req, _ := http.NewRequest("GET", e.srv.URL+"/stats/population?on=2026-12-01&format=xlsx", nil)
	res, err := admin.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Content-Disposition"), ".xlsx") {
		t.Fatalf("xlsx: %d %v", res.StatusCode, res.Header)
	}
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	// The file and its sheet carry the Chinese name, and the plain
	// filename an ASCII one for clients that read no other.
	cd := res.Header.Get("Content-Disposition")
	if _, p, err := mime.ParseMediaType(cd); err != nil || !strings.HasPrefix(p["filename"], "统计-") ||
		f.GetSheetName(0) != regexp.MustCompile(`-\d{4}-\d\d-\d\d\.xlsx$`).ReplaceAllString(p["filename"], "") || !strings.Contains(cd, `filename="stats-population-`) {
		t.Errorf("xlsx named by %q (%v), sheet %q", cd, err, f.GetSheetName(0))
	}
	rows, err := f.GetRows(f.GetSheetName(0))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(rows[0], ",") != "表,项目,指标,数值" {
		t.Errorf("headers %v", rows[0])
	}
	got := map[string]string{}
	for _, r := range rows[1:] {
		if len(r) == 4 && r[0] == "按年龄段" {
			got[r[1]] = r[3]
		}
	}
	if len(got) != len(bands) {
		t.Errorf("xlsx bands %v, page %+v", got, bands)
	}
	for _, b := range bands {
		if got[b.Label] != b.Cells[0] {
			t.Errorf("%s: xlsx %q, page %q", b.Label, got[b.Label], b.Cells[0])
		}
	}

	status, csv := admin.get("/stats/households?format=csv")
	if status != 200 || !strings.HasPrefix(csv, "\ufeff表,项目,指标,数值") || !strings.Contains(csv, "住宅与商户,商铺,户数,103") {
		t.Errorf("csv: %d %.200q", status, csv)
	}
	recs, _, err := e.h.audit.Search(t.Context(), audit.Filter{Action: "export"})
	if err != nil {
		t.Fatal(err)
	}
	objects := map[string]string{}
	for _, r := range recs {
		objects[r.Object] = r.Detail
	}
	if !regexp.MustCompile(`^xlsx \d+ rows on=2026-12-01`).MatchString(objects["stats:population"]) || !strings.HasPrefix(objects["stats:households"], "csv 50 rows") {
		t.Errorf("audit entries: %v", objects)
	}
	if status, _ := e.signedIn("visitor1").get("/stats/population?format=xlsx"); status != 403 {
		t.Errorf("visitor's export: %d", status)
	}
	if status, _ := admin.get("/stats/population?format=pdf"); status != 400 {
		t.Errorf("format=pdf: %d", status)
	}
}

// TestStatsLongTable: a breakdown with more rows than a page shows (a
// city's buildings) says how many there are instead of listing them; the
// download still writes every row.
func TestStatsLongTable(t *testing.T) {
	h := newHandler(server.Deps{})
	v := &statsView{Page: Page{L: h.catalog.Locale("zh-CN")}}
	p := &stats.PopulationStats{On: calendar.Date{Y: 2026, M: 11, D: 29}}
	for i := range maxPageRows + 1 {
		p.ByBuilding = append(p.ByBuilding, stats.Count{Key: strconv.Itoa(i + 1), Name: "楼", Count: 1})
	}
	p.ByCompound = p.ByBuilding[:3]
	populationFigures(v, p, nil)
	for _, tb := range v.Tables {
		switch tb.ID {
		case "building":
			if !strings.Contains(tb.Long, "共 301 行") || len(tb.Rows) != 301 {
				t.Errorf("buildings: %q, %d rows", tb.Long, len(tb.Rows))
			}
		case "compound":
			if tb.Long != "" {
				t.Errorf("3 compounds: %q", tb.Long)
			}
		}
	}
	var buf bytes.Buffer
	w, err := export.NewCSV(&buf, statsColumns)
	if err != nil {
		t.Fatal(err)
	}
	if err := writeStatTables(w, v.Tables); err != nil {
		t.Fatal(err)
	}
	w.Close()
	if n := strings.Count(buf.String(), "按楼栋"); n != 301 {
		t.Errorf("the download has %d building rows, want 301", n)
	}
}
