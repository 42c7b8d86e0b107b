package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"wanhu/internal/app"
	"wanhu/internal/calendar"
	"wanhu/internal/gen"
	"wanhu/internal/secret"
	"wanhu/internal/server"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
	"wanhu/internal/visit"
)

const demoPassword = "demo-password-2026"

// demoSite is the whole app on the generated demo community, with the
// database's address and key file as the CLI is given them.
type demoSite struct {
	t            *testing.T
	url          string
	dsn, keyFile string
	tokens       map[string]string
	web          map[string]*http.Client
}

// newDemoSite generates the demo community into dsn and serves it.
func newDemoSite(t *testing.T, dsn string) *demoSite {
	ctx := t.Context()
	keyFile := filepath.Join(t.TempDir(), "demo.key")
	keys, err := secret.NewKeyFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.SetKeys(keys)
	if _, err := gen.Generate(ctx, db, gen.Options{}); err != nil {
		t.Fatal(err)
	}
	if _, err := gen.DemoAccounts(ctx, db, demoPassword); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(app.Handler(server.NewDeps(db, slog.New(slog.NewTextHandler(io.Discard, nil)))))
	t.Cleanup(srv.Close)
	return &demoSite{t: t, url: srv.URL, dsn: dsn, keyFile: keyFile, tokens: map[string]string{}, web: map[string]*http.Client{}}
}

// get answers GET path of the API as user.
func (s *demoSite) api(user, path string) []byte {
	s.t.Helper()
	if s.tokens[user] == "" {
		res, err := http.Post(s.url+"/api/v1/auth/login", "application/json", strings.NewReader(fmt.Sprintf(`{"username":%q,"password":%q}`, user, demoPassword)))
		if err != nil {
			s.t.Fatal(err)
		}
		var out struct{ Token string }
		json.NewDecoder(res.Body).Decode(&out)
		res.Body.Close()
		s.tokens[user] = out.Token
	}
	req, _ := http.NewRequest("GET", s.url+"/api/v1"+path, nil)
	req.Header.Set("Authorization", "Bearer "+s.tokens[user])
	return s.body(http.DefaultClient, req)
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// page answers GET path of the web app as user, signed in with the form.
func (s *demoSite) page(user, path string) []byte {
	s.t.Helper()
	c := s.web[user]
	if c == nil {
		jar, _ := cookiejar.New(nil)
		c = &http.Client{Jar: jar}
		req, _ := http.NewRequest("GET", s.url+"/login", nil)
		m := csrfField.FindSubmatch(s.body(c, req))
		if m == nil {
			s.t.Fatal("no CSRF field on the login page")
		}
		res, err := c.PostForm(s.url+"/login", url.Values{"csrf": {string(m[1])}, "username": {user}, "password": {demoPassword}})
		if err != nil {
			s.t.Fatal(err)
		}
		res.Body.Close()
		s.web[user] = c
	}
	req, _ := http.NewRequest("GET", s.url+path, nil)
	return s.body(c, req)
}

func (s *demoSite) body(c *http.Client, req *http.Request) []byte {
	s.t.Helper()
	res, err := c.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		s.t.Fatalf("%s: %d %.300s", req.URL.Path, res.StatusCode, b)
	}
	return b
}

// cli runs wanhu with args on the demo database and returns what it prints.
func (s *demoSite) cli(args ...string) []byte {
	s.t.Helper()
	var out bytes.Buffer
	if err := run(context.Background(), append(args, "--db", s.dsn), &out); err != nil {
		s.t.Fatalf("wanhu %v: %v", args, err)
	}
	return out.Bytes()
}

// xlsxRows reads the first sheet of an .xlsx file.
func xlsxRows(t *testing.T, b []byte) [][]string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not an xlsx file: %v", err)
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetName(0))
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestStatisticsDoneMeans is issue 6's "done means" on the demo community,
// on both engines: the population by the article's bands, shops and homes,
// the colour split by grid, the request rates and the survey's rates as
// the article gives them, the same numbers from the API, the CLI, the page
// and the xlsx export; the grid leader's numbers are their grid's; the
// four-thirty roster exports to an xlsx with Chinese headers, as many rows
// as the 6-12 band; a visitor's scorecard counts this week's visits
// against 100.
func TestStatisticsDoneMeans(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			dsn := filepath.Join(t.TempDir(), "demo.db")
			if engine == "postgres" {
				dsn = storetest.PostgresDSN(t)
			}
			statisticsDoneMeans(t, newDemoSite(t, dsn))
		})
	}
}

func statisticsDoneMeans(t *testing.T, s *demoSite) {
	// The population by the article's bands: API = CLI, byte for byte;
	// the page and its xlsx show the same numbers.
	apiPop := s.api("admin", "/stats/population?preset=article")
	if cliPop := s.cli("stats", "population", "--preset", "article", "--format", "json"); !bytes.Equal(cliPop, apiPop) {
		t.Errorf("population:\n cli %.300s\n api %.300s", cliPop, apiPop)
	}
	var pop struct {
		Total int
		Bands []struct {
			Band  string
			Count int
		}
	}
	json.Unmarshal(apiPop, &pop)
	band := map[string]int{}
	for _, b := range pop.Bands {
		band[b.Band] = b.Count
	}
	if len(band) != 5 || band["0-3"] == 0 || band["4-12"] == 0 || band["6-12"] < 30 || band["60-"] == 0 || band["65-"] >= band["60-"] {
		t.Errorf("the article's bands: %v", band)
	}
	page := string(s.page("admin", "/stats/population"))
	xlsx := map[string]string{}
	for _, r := range xlsxRows(t, s.page("admin", "/stats/population?format=xlsx")) {
		if len(r) == 4 && r[0] == "按年龄段" {
			xlsx[r[1]] = r[3]
		}
	}
	for b, label := range map[string]string{"0-3": "0-3 岁", "4-12": "4-12 岁", "6-12": "6-12 岁", "60-": "60 岁及以上", "65-": "65 岁及以上"} {
		n := strconv.Itoa(band[b])
		if !regexp.MustCompile(regexp.QuoteMeta(label) + `</th>\s*<td>(<a [^>]*>)?` + n + `<`).MatchString(page) {
			t.Errorf("the population page does not show %s = %s", label, n)
		}
		if xlsx[label] != n {
			t.Errorf("the population xlsx: %s = %q, want %s", label, xlsx[label], n)
		}
	}

	// Shops and homes, and the colour split by grid.
	apiHH := s.api("admin", "/stats/households")
	if cliHH := s.cli("stats", "households", "--format", "json"); !bytes.Equal(cliHH, apiHH) {
		t.Errorf("households:\n cli %.300s\n api %.300s", cliHH, apiHH)
	}
	var hh struct {
		Total  int
		Kind   map[string]int
		Colour map[string]int
		ByGrid []struct {
			Name   string
			Count  int
			Colour map[string]int
		} `json:"by_grid"`
	}
	json.Unmarshal(apiHH, &hh)
	if hh.Kind["commercial"] == 0 || hh.Kind["residential"] == 0 || hh.Kind["residential"]+hh.Kind["commercial"]+hh.Kind["mixed"] != hh.Total {
		t.Errorf("shops and homes: %v of %d", hh.Kind, hh.Total)
	}
	if len(hh.ByGrid) != 7 {
		t.Fatalf("the colour split has %d grids, want Dongxing's 7", len(hh.ByGrid))
	}
	red := 0
	for _, g := range hh.ByGrid {
		if g.Colour["red"]+g.Colour["yellow"]+g.Colour["green"] != g.Count {
			t.Errorf("grid %s: colours %v do not add up to %d", g.Name, g.Colour, g.Count)
		}
		red += g.Colour["red"]
	}
	if red == 0 || red != hh.Colour["red"] {
		t.Errorf("red households: %d by grid, %d in all", red, hh.Colour["red"])
	}

	// The request rates and the survey's, as the article gives them.
	var rq map[string]any
	json.Unmarshal(s.api("admin", "/stats/requests"), &rq)
	for k, want := range map[string]any{"total": 39.0, "resolved": 39.0, "response_rate": 1.0, "resolution_rate": 1.0, "on_time_rate": 1.0} {
		if rq[k] != want {
			t.Errorf("requests: %s = %v, want %v", k, rq[k], want)
		}
	}
	chargers := false
	for _, c := range rq["by_category"].([]any) {
		if c := c.(map[string]any); c["key"] == "ev_charging" {
			chargers = c["rated"] == 20.0 && c["satisfied"] == 19.0
		}
	}
	if !chargers {
		t.Errorf("the charger callback is not 19 satisfied of 20: %v", rq["by_category"])
	}
	apiSurvey := s.api("admin", "/stats/survey")
	if cliSurvey := s.cli("stats", "survey", "--format", "json"); !bytes.Equal(cliSurvey, apiSurvey) {
		t.Errorf("survey:\n cli %.300s\n api %.300s", cliSurvey, apiSurvey)
	}
	var sv map[string]any
	json.Unmarshal(apiSurvey, &sv)
	for k, want := range map[string]float64{"awareness_rate": 1, "participation_rate": 0.96, "satisfaction_rate": 0.96} {
		if sv[k] != want {
			t.Errorf("survey: %s = %v, want %v", k, sv[k], want)
		}
	}
	services := string(s.page("admin", "/stats/services"))
	for _, want := range []string{"100%", "96%", "39"} {
		if !strings.Contains(services, want) {
			t.Errorf("the services page does not show %s", want)
		}
	}

	// The grid leader of grid 1: grid 1's numbers, and no other grid's.
	var mine, grid1 struct{ Total int }
	json.Unmarshal(s.api("leader1", "/stats/population?preset=article"), &mine)
	json.Unmarshal(s.cli("stats", "population", "--preset", "article", "--grid", "1", "--format", "json"), &grid1)
	if mine.Total == 0 || mine.Total != grid1.Total || mine.Total >= pop.Total {
		t.Errorf("leader1 counts %d people, grid 1 has %d, the community %d", mine.Total, grid1.Total, pop.Total)
	}
	if !strings.Contains(string(s.page("leader1", "/stats/population")), ">"+strconv.Itoa(grid1.Total)+"<") {
		t.Errorf("leader1's population page does not show grid 1's %d people", grid1.Total)
	}

	// The four-thirty roster: its xlsx opens with Chinese headers, a row a
	// child of 6-12, the same from the API and the CLI.
	for what, b := range map[string][]byte{
		"api": s.api("admin", "/rosters/four_thirty?format=xlsx"),
		"cli": s.cli("roster", "export", "four_thirty", "--format", "xlsx", "--key-file", s.keyFile),
	} {
		rows := xlsxRows(t, b)
		if len(rows) != band["6-12"]+1 || len(rows[0]) == 0 || rows[0][0] != "姓名" {
			t.Errorf("four-thirty xlsx from the %s: %d rows, header %v; want %d children under Chinese headers", what, len(rows), rows[0], band["6-12"])
		}
	}

	// A visitor's scorecard: this week's visits against 100.
	var card struct {
		Scorecard struct {
			MemberID     int64 `json:"member_id"`
			WeekVisits   int   `json:"week_visits"`
			WeeklyTarget int   `json:"weekly_target"`
		}
	}
	var me struct {
		User struct {
			TeamMemberID int64 `json:"team_member_id"`
		}
	}
	json.Unmarshal(s.api("visitor1", "/me"), &me)
	if me.User.TeamMemberID == 0 {
		t.Fatal("visitor1 is not a member of the visiting team")
	}
	json.Unmarshal(s.api("visitor1", fmt.Sprintf("/scorecards/%d", me.User.TeamMemberID)), &card)
	// The demo's visits of this week are those up to yesterday: none yet
	// on a Monday (China time).
	today := calendar.Today()
	monday := visit.WeekOf(today).Monday() == today
	if card.Scorecard.WeeklyTarget != 30 || (card.Scorecard.WeekVisits == 0) != monday { // a grid worker's own target (the grid's is 100)
		t.Errorf("visitor1's scorecard on %s (Monday: %v): %+v", today, monday, card.Scorecard)
	}
	if !strings.Contains(string(s.page("visitor1", fmt.Sprintf("/staff/%d", me.User.TeamMemberID))), fmt.Sprintf("本周已走访 %d 户次，周目标 30", card.Scorecard.WeekVisits)) {
		t.Errorf("visitor1's scorecard page does not show %d visits against 100", card.Scorecard.WeekVisits)
	}
}
