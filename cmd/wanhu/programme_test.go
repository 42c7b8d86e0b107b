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
	"wanhu/internal/household"
	"wanhu/internal/programme"
	"wanhu/internal/server"
)

// TestProgrammeList: `wanhu programme list --format json` prints byte for
// byte what GET /api/v1/programmes answers the city's administrator; the
// text lists the same numbers; a bad format is refused.
func TestProgrammeList(t *testing.T) {
	path, f := seedDB(t)
	ctx := context.Background()
	db := openSeeded(t, path)
	defer db.Close()
	ps := programme.NewStore(db, household.NewStore(db))
	p, err := ps.CreateProgramme(ctx, household.Actor{Name: "test"}, programme.ProgrammeInput{CommunityID: f.Community.ID, Name: "四点半课堂", Kind: programme.FourThirty})
	if err != nil {
		t.Fatal(err)
	}
	var person int64
	if err := db.QueryRowContext(ctx, `SELECT MIN(id) FROM persons`).Scan(&person); err != nil {
		t.Fatal(err)
	}
	if _, err := ps.Enrol(ctx, household.Actor{Name: "test"}, p.ID, programme.EnrolInput{PersonID: person}); err != nil {
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
	req, _ := http.NewRequest("GET", srv.URL+api.Prefix+"/programmes", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var out bytes.Buffer
	if err := run(ctx, []string{"programme", "list", "--db", path, "--format", "json"}, &out); err != nil {
		t.Fatal(err)
	}
	if out.String() != string(want) {
		t.Errorf("cli %s\napi %s", out.String(), want)
	}
	if !strings.Contains(out.String(), `"enrolled":1`) {
		t.Errorf("enrolled missing: %s", out.String())
	}
	out.Reset()
	if err := run(ctx, []string{"programme", "list", "--db", path, "--format", "text"}, &out); err != nil {
		t.Fatal(err)
	}
	if words := strings.Join(strings.Fields(out.String()), " "); !strings.Contains(words, "1 1 0 四点半课堂") || !strings.Contains(words, "1 programmes") {
		t.Errorf("text: %s", out.String())
	}
	if err := run(ctx, []string{"programme", "list", "--db", path, "--format", "xml"}, io.Discard); err == nil || !strings.Contains(err.Error(), "--format") {
		t.Errorf("bad format: %v", err)
	}
}
