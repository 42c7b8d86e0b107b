package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"wanhu/internal/calendar"
	"wanhu/internal/gen"
	"wanhu/internal/secret"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestBenefitsDoneMeans is issue 17's benefits on the demo, on both
// engines: over the pilot period the API answers the article's 4
// households / 8 people onto dibao, 1 household / 2 people onto
// near-dibao and 12 person-times of temporary relief; the CLI prints the
// same bytes and the statistics page shows the same table.
func TestBenefitsDoneMeans(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			dsn := filepath.Join(t.TempDir(), "demo.db")
			if engine == "postgres" {
				dsn = storetest.PostgresDSN(t)
			}
			s := newDemoSite(t, dsn)
			db, err := store.Open(t.Context(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			keys, err := secret.Load(s.keyFile)
			if err != nil {
				t.Fatal(err)
			}
			db.SetKeys(keys)
			today := calendar.Today()
			if err := gen.DemoBenefits(t.Context(), db, today); err != nil {
				t.Fatal(err)
			}
			from, to := gen.PilotPeriod(today)
			query := fmt.Sprintf("from=%s&to=%s", from, to)
			apiOut := s.api("admin", "/stats/benefits?"+query)
			var rep struct {
				Items []struct {
					Kind                string
					Households, Persons int
					PersonTimes         int `json:"person_times"`
				}
			}
			if err := json.Unmarshal(apiOut, &rep); err != nil {
				t.Fatal(err)
			}
			got := map[string][3]int{}
			for _, it := range rep.Items {
				got[it.Kind] = [3]int{it.Households, it.Persons, it.PersonTimes}
			}
			if g := got["dibao"]; g[0] != gen.DongxingDibaoHouseholds || g[1] != gen.DongxingDibaoPersons {
				t.Errorf("dibao %v, want %d households, %d persons", g, gen.DongxingDibaoHouseholds, gen.DongxingDibaoPersons)
			}
			if g := got["near_dibao"]; g[0] != gen.DongxingNearDibaoHouseholds || g[1] != gen.DongxingNearDibaoPersons {
				t.Errorf("near_dibao %v, want %d households, %d persons", g, gen.DongxingNearDibaoHouseholds, gen.DongxingNearDibaoPersons)
			}
			if g := got["temporary_relief"]; g[2] != gen.DongxingReliefPersonTimes {
				t.Errorf("temporary_relief %v, want %d person-times", g, gen.DongxingReliefPersonTimes)
			}
			cliOut := s.cli("stats", "benefits", "--from", from.String(), "--to", to.String(), "--format", "json")
			if string(cliOut) != string(apiOut) {
				t.Errorf("cli %s\napi %s", cliOut, apiOut)
			}
			page := string(s.page("admin", "/stats/benefits?"+query))
			for _, want := range []string{"低保边缘", "临时救助", ">12<"} {
				if !strings.Contains(page, want) {
					t.Errorf("the statistics page lacks %s", want)
				}
			}
			// 李奶奶's relief is on her file.
			// It came of her request (the lamp and the tap), which is hers.
			var hid int64
			var story string
			if err := db.QueryRowContext(t.Context(), `SELECT c.household_id, r.description FROM benefit_cases c JOIN benefit_persons b ON b.case_id = c.id
				JOIN persons p ON p.id = b.person_id JOIN requests r ON r.id = c.request_id AND r.household_id = c.household_id
				WHERE p.name = '李秀英' AND c.kind = 'temporary_relief'`).Scan(&hid, &story); err != nil {
				t.Fatalf("李奶奶's relief, linked to her request: %v", err)
			}
			if !strings.Contains(story, "李奶奶家灯坏了") {
				t.Errorf("李奶奶's relief came of the request %q", story)
			}
			file := string(s.page("admin", fmt.Sprintf("/households/%d", hid)))
			if !strings.Contains(file, "临时救助") || !strings.Contains(file, "已批准") {
				t.Errorf("李奶奶's file lacks her relief")
			}

			// Besides the article's cases (the figures above hold with
			// them): dibao ended (停发) when the household's income rose,
			// granted before the pilot, and an application withdrawn (撤回)
			// in it; each step in its household's ledger, each on the file
			// and in the list of its status.
			for _, c := range []struct {
				status, event, word string
				atLeast             int
			}{{"ended", "benefit_ended", "已停发", 2}, {"withdrawn", "benefit_withdrawn", "已撤回", 1}} {
				var n, stepped, early int
				var hid int64
				if err := db.QueryRowContext(t.Context(), `SELECT COUNT(*), COALESCE(MAX(c.household_id), 0),
					COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM ledger_events e WHERE e.household_id = c.household_id AND e.type = ?) THEN 1 ELSE 0 END), 0),
					COALESCE(SUM(CASE WHEN c.decided_on <> '' AND c.decided_on < ? THEN 1 ELSE 0 END), 0)
					FROM benefit_cases c JOIN households h ON h.id = c.household_id JOIN org_units g ON g.id = h.grid_id JOIN org_units u ON u.id = g.parent_id
					WHERE c.status = ? AND c.reason <> '' AND u.name = '东兴社区'`, c.event, from.String(), c.status).Scan(&n, &hid, &stepped, &early); err != nil {
					t.Fatal(err)
				}
				if n < c.atLeast || stepped != n || (c.status == "ended" && early != n) {
					t.Errorf("%s: %d cases (want at least %d), %d with the ledger's %s, %d granted before the pilot", c.status, n, c.atLeast, stepped, c.event, early)
					continue
				}
				t.Logf("%d cases %s", n, c.status)
				if file := string(s.page("admin", fmt.Sprintf("/households/%d", hid))); !strings.Contains(file, c.word) {
					t.Errorf("household %d's file lacks %s", hid, c.word)
				}
				if list := string(s.page("admin", "/benefits?status="+c.status)); !strings.Contains(list, fmt.Sprintf("共 %d 件", n)) {
					t.Errorf("the list of %s cases does not count %d", c.status, n)
				}
			}
		})
	}
}
