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

	"wanhu/internal/api"
	"wanhu/internal/auth"
	"wanhu/internal/feedback"
	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/server"
)

// TestFeedbackListSameAsAPI: `wanhu feedback list --format json` prints
// what GET /api/v1/feedback answers an administrator of the city; a bad
// --kind names its flag.
func TestFeedbackListSameAsAPI(t *testing.T) {
	path, f := seedDB(t)
	ctx := context.Background()
	db := openSeeded(t, path)
	defer db.Close()
	m := org.TeamMember{CommunityID: f.Community.ID, GridID: f.Grids[0].ID, Name: "卓玛", Role: org.RoleVolunteer}
	if err := org.CreateTeamMember(ctx, db, &m); err != nil {
		t.Fatal(err)
	}
	if _, err := feedback.NewStore(db).Record(ctx, household.Actor{Name: "冯晓霞"}, feedback.Input{Kind: feedback.Praise, MemberID: m.ID,
		FromName: "藏族居民", Body: "卓玛帮着翻译"}); err != nil {
		t.Fatal(err)
	}
	d := server.NewDeps(db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if _, err := d.Auth.CreateUser(ctx, "admin", "管理员", "dongxing-admin-2025", auth.Grant{Role: auth.Admin, OrgUnitID: f.City.ID}); err != nil {
		t.Fatal(err)
	}
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
	req, _ := http.NewRequest("GET", srv.URL+api.Prefix+"/feedback?kind=praise", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var out bytes.Buffer
	if err := run(ctx, []string{"feedback", "list", "--db", path, "--kind", "praise", "--format", "json"}, &out); err != nil {
		t.Fatal(err)
	}
	if out.String() != string(want) || !strings.Contains(out.String(), `"subject":"卓玛"`) {
		t.Errorf("cli %s\napi %s", out.String(), want)
	}
	if err := run(ctx, []string{"feedback", "list", "--db", path, "--kind", "thanks"}, io.Discard); err == nil || !strings.Contains(err.Error(), "--kind") {
		t.Errorf("bad --kind: %v", err)
	}
}
