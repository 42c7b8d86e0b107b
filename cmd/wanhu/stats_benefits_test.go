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
	"wanhu/internal/server"
)

// TestStatsBenefitsSameAsAPI: `wanhu stats benefits --format json` prints
// byte for byte what GET /api/v1/stats/benefits answers the city's
// administrator; the text holds the same numbers; bad days name the flag.
func TestStatsBenefitsSameAsAPI(t *testing.T) {
	path, _ := seedDB(t)
	ctx := context.Background()
	db := openSeeded(t, path)
	defer db.Close()
	hs := household.NewStore(db)
	hh, _, err := hs.List(ctx, household.Filter{})
	if err != nil || len(hh) != 2 {
		t.Fatalf("households %d, %v", len(hh), err)
	}
	for _, h := range hh {
		f, err := hs.HouseholdByID(ctx, h.ID)
		if err != nil {
			t.Fatal(err)
		}
		c, err := hs.CreateBenefit(ctx, household.Actor{Name: "test"}, household.BenefitInput{HouseholdID: h.ID, Kind: household.BenefitTemporaryRelief,
			PersonIDs: []int64{f.Members[0].ID}, AppliedOn: "2026-01-05"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := hs.DecideBenefit(ctx, household.Actor{Name: "test"}, c.ID, household.BenefitDecision{Status: household.BenefitApproved, DecidedOn: "2026-01-10", Version: 1}); err != nil {
			t.Fatal(err)
		}
	}
	d := server.NewDeps(db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	city := int64(0)
	if err := db.QueryRowContext(ctx, `SELECT id FROM org_units WHERE kind = 'city'`).Scan(&city); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Auth.CreateUser(ctx, "admin", "管理员", "dongxing-admin-2025", auth.Grant{Role: auth.Admin, OrgUnitID: city}); err != nil {
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
	req, _ := http.NewRequest("GET", srv.URL+api.Prefix+"/stats/benefits?from=2026-01-01&to=2026-01-31", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var out bytes.Buffer
	if err := run(ctx, []string{"stats", "benefits", "--db", path, "--from", "2026-01-01", "--to", "2026-01-31", "--format", "json"}, &out); err != nil {
		t.Fatal(err)
	}
	if out.String() != string(want) {
		t.Errorf("cli %s\napi %s", out.String(), want)
	}
	if !strings.Contains(out.String(), `{"kind":"temporary_relief","households":2,"persons":2,"person_times":2}`) {
		t.Errorf("json %s", out.String())
	}
	out.Reset()
	if err := run(ctx, []string{"stats", "benefits", "--db", path, "--from", "2026-01-11", "--to", "2026-01-31"}, &out); err != nil {
		t.Fatal(err)
	}
	if text := strings.Join(strings.Fields(out.String()), " "); !strings.Contains(text, "dibao 0 0 0") || !strings.Contains(text, "temporary_relief 0 0 0") {
		t.Errorf("text:\n%s", out.String())
	}
	err = run(ctx, []string{"stats", "benefits", "--db", path, "--from", "2026-02-30"}, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "--from") {
		t.Errorf("bad --from: %v", err)
	}
}
