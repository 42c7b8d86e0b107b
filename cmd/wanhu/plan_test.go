package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"wanhu/internal/household"
	"wanhu/internal/org"
)

// TestPlanWeekContract: `wanhu plan week --format json` answers
// {"grid","week","visitors":[{"user","team_member_id","role","households":
// [{"household_id","colour","priority",…}]}],"total"}, red first, and the
// Tibetan-speaking household goes to the volunteer who speaks it; CSV has
// one line a household.
func TestPlanWeekContract(t *testing.T) {
	path, f := seedDB(t)
	ctx := context.Background()
	db := openSeeded(t, path)
	for _, m := range []org.TeamMember{
		{CommunityID: f.Community.ID, GridID: f.Grids[0].ID, Name: "马学军", Role: org.RoleGridWorker, Availability: []string{"daytime", "evening", "weekend"}},
		{CommunityID: f.Community.ID, Name: "卓玛", Role: org.RoleVolunteer, Languages: []string{"bo"}, Availability: []string{"weekend"}},
	} {
		if err := org.CreateTeamMember(ctx, db, &m); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := household.NewStore(db).CreateHousehold(ctx, household.Actor{Name: "test"},
		household.Household{BuildingID: f.Buildings[0].ID, Unit: "2", Room: "301", Language: "bo"},
		[]household.Person{{Name: "才让", Gender: household.Male, BirthDate: mustDate(t, "1970-05-01"), Relation: "householder"}}); err != nil {
		t.Fatal(err)
	}
	db.Close()

	grid := fmt.Sprint(f.Grids[0].ID)
	var out bytes.Buffer
	if err := run(ctx, []string{"plan", "week", "--db", path, "--grid", grid, "--week", "2026-W49", "--format", "json"}, &out); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Grid     int64  `json:"grid"`
		Week     string `json:"week"`
		Total    int    `json:"total"`
		Visitors []struct {
			User         string           `json:"user"`
			TeamMemberID int64            `json:"team_member_id"`
			Role         string           `json:"role"`
			Households   []map[string]any `json:"households"`
		} `json:"visitors"`
	}
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("%v in %s", err, out.String())
	}
	if got.Grid != f.Grids[0].ID || got.Week != "2026-W49" || got.Total != 2 || len(got.Visitors) != 2 {
		t.Fatalf("plan = %s", out.String())
	}
	worker, zhuoma := got.Visitors[0], got.Visitors[1]
	if worker.User != "马学军" || worker.Role != "grid_worker" || worker.TeamMemberID == 0 || len(worker.Households) != 1 ||
		worker.Households[0]["colour"] != "red" {
		t.Errorf("grid worker's part: %+v", worker)
	}
	if zhuoma.User != "卓玛" || len(zhuoma.Households) != 1 || zhuoma.Households[0]["language"] != "bo" {
		t.Errorf("the Tibetan-speaking household did not go to 卓玛: %+v", zhuoma)
	}
	for _, k := range []string{"household_id", "colour", "priority", "reason", "position", "address"} {
		if _, ok := worker.Households[0][k]; !ok {
			t.Errorf("household lacks %q", k)
		}
	}

	out.Reset()
	if err := run(ctx, []string{"plan", "week", "--db", path, "--grid", grid, "--week", "2026-W49", "--format", "csv"}, &out); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(out.String(), "\ufeff"))).ReadAll()
	if err != nil || len(recs) != 3 || recs[0][0] != "grid" || recs[1][3] != "马学军" {
		t.Errorf("csv: %v %q", err, recs)
	}
	if err := run(ctx, []string{"plan", "week", "--db", path, "--grid", grid, "--week", "2026-49"}, &out); err == nil {
		t.Error("a bad week was accepted")
	}
}
