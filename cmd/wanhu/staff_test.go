package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"wanhu/internal/api"
	"wanhu/internal/auth"
	"wanhu/internal/org"
	"wanhu/internal/server"
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
	d := server.NewDeps(db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if _, err := d.Auth.CreateUser(ctx, "admin", "管理员", "dongxing-admin-2025", auth.Grant{Role: auth.Admin, OrgUnitID: f.City.ID}); err != nil {
		t.Fatal(err)
	}
	// The fixture's administrators and grid leaders sign in with the
	// password alone; two-step sign-in has tests of its own.
	if err := d.Auth.SetTOTPRoles(ctx, nil); err != nil {
		t.Fatal(err)
	}
	token, _, err := d.Auth.Login(ctx, "admin", "dongxing-admin-2025", auth.API)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	api.Register(mux, d)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	req, _ := http.NewRequest("GET", srv.URL+api.Prefix+"/scorecards?from=2026-01-01&to=2026-11-29", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var out bytes.Buffer
	if err := run(ctx, []string{"staff", "scorecards", "--db", path, "--from", "2026-01-01", "--to", "2026-11-29", "--format", "json"}, &out); err != nil {
		t.Fatal(err)
	}
	if out.String() != string(want) || !strings.Contains(out.String(), `"name":"卓玛"`) {
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
