package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"wanhu/internal/org"
)

// TestStaffScorecardsSameAsAPI: `wanhu staff scorecards --format json`
// prints what GET /api/v1/scorecards answers an administrator of the city,
// the xlsx opens with Chinese headers, and a bad date names its flag.
func TestStaffScorecardsSameAsAPI(t *testing.T) {
	path, f := seedDB(t)
	ctx := context.Background()
	db := openSeeded(t, path)
	defer db.Close()
	m := org.TeamMember{CommunityID: f.Community.ID, GridID: f.Grids[0].ID, Name: "卓玛", Role: org.RoleVolunteer}
	if err := org.CreateTeamMember(ctx, db, &m); err != nil {
		t.Fatal(err)
	}
	want := cityAdminAPI(t, db)("/scorecards?from=2026-01-01&to=2026-11-29")
	var out bytes.Buffer
	if err := run(ctx, []string{"staff", "scorecards", "--db", path, "--from", "2026-01-01", "--to", "2026-11-29", "--format", "json"}, &out); err != nil {
		t.Fatal(err)
	}
	if out.String() != want || !strings.Contains(out.String(), `"name":"卓玛"`) {
		t.Errorf("cli %s\napi %s", out.String(), want)
	}
	out.Reset()
	if err := run(ctx, []string{"staff", "scorecards", "--db", path, "--format", "xlsx"}, &out); err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenReader(&out)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := x.GetRows("考评")
	if err != nil || len(rows) != 2 || rows[0][2] != "姓名" || rows[1][2] != "卓玛" || rows[1][6] != "2" { // the volunteer's own target, not the grid's 100
		t.Errorf("xlsx %v %v", rows, err)
	}
	if err := run(ctx, []string{"staff", "scorecards", "--db", path, "--to", "2026-02-30"}, io.Discard); err == nil || !strings.Contains(err.Error(), "--to") {
		t.Errorf("bad --to: %v", err)
	}
}
