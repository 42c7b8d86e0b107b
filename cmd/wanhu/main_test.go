package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"wanhu/internal/api"
	"wanhu/internal/auth"
	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/secret"
	"wanhu/internal/server"
	"wanhu/internal/store"
	"wanhu/internal/testworld"
)

// seedDB makes a SQLite file with one red and one green household, and its
// key file beside it (w.db.key, which commands find by default).
// openSeeded opens the database of seedDB with its key file.
func openSeeded(t *testing.T, path string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := secret.Load(path + ".key")
	if err != nil {
		t.Fatal(err)
	}
	db.SetKeys(keys)
	return db
}

func seedDB(t *testing.T) (string, *testworld.Org) {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "w.db")
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	keys, err := secret.NewKeyFile(path + ".key")
	if err != nil {
		t.Fatal(err)
	}
	db.SetKeys(keys)
	f, err := testworld.NewOrg(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	hs := household.NewStore(db)
	a := household.Actor{Name: "test"}
	if _, err := hs.CreateHousehold(ctx, a, household.Household{BuildingID: f.Buildings[0].ID, Unit: "1", Room: "101", Phone: "13912345678"},
		[]household.Person{{Name: "王秀兰", Gender: household.Female, BirthDate: mustDate(t, "1945-02-03"), Relation: "householder", Tags: []string{"living_alone_elderly"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := hs.CreateHousehold(ctx, a, household.Household{BuildingID: f.Buildings[1].ID, Unit: "2", Room: "202"},
		[]household.Person{{Name: "李建国", Gender: household.Male, BirthDate: mustDate(t, "1980-01-01"), Relation: "householder"}}); err != nil {
		t.Fatal(err)
	}
	return path, f
}

func mustDate(t *testing.T, s string) calendar.Date {
	d, err := calendar.ParseDate("", s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestHouseholdListJSON(t *testing.T) {
	path, _ := seedDB(t)
	var out bytes.Buffer
	if err := run(context.Background(), []string{"household", "list", "--db", path, "--colour", "red", "--format", "json"}, &out); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Items []map[string]any `json:"items"`
		Total int              `json:"total"`
	}
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("%v in %s", err, out.String())
	}
	if got.Total != 1 || len(got.Items) != 1 || got.Items[0]["colour"] != "red" || got.Items[0]["householder"] != "王秀兰" {
		t.Fatalf("list = %s", out.String())
	}
	for _, k := range []string{"id", "grid_id", "colour", "kind", "version"} {
		if _, ok := got.Items[0][k]; !ok {
			t.Errorf("item lacks %q", k)
		}
	}
	if strings.Contains(out.String(), "13912345678") {
		t.Error("the list shows a full phone number")
	}
}

func TestHouseholdListCSVAndEnv(t *testing.T) {
	path, f := seedDB(t)
	t.Setenv("WANHU_DB", path)
	var out bytes.Buffer
	if err := run(context.Background(), []string{"household", "list", "--grid", itoa(f.Grids[1].ID), "--format", "csv"}, &out); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(out.String(), "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[1][6] != "李建国" {
		t.Fatalf("csv rows %q", rows)
	}
}

func TestShowAndErrors(t *testing.T) {
	path, _ := seedDB(t)
	ctx := context.Background()
	var out bytes.Buffer
	if err := run(ctx, []string{"household", "show", "--db", path, "--id", "1", "--format", "text"}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "独居老人") || !strings.Contains(out.String(), "王秀兰") {
		t.Errorf("show text lacks the reason or the member:\n%s", out.String())
	}
	out.Reset()
	if err := run(ctx, []string{"household", "show", "--db", path, "--id", "1"}, &out); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "13912345678") || !strings.Contains(out.String(), "139****5678") {
		t.Errorf("show prints the phone unmasked:\n%s", out.String())
	}
	if err := run(ctx, []string{"household", "show", "--db", path, "--id", "999"}, &out); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Errorf("missing household: %v", err)
	}
	if err := run(ctx, []string{"nonsense"}, &out); err == nil {
		t.Error("unknown command accepted")
	}
	t.Setenv("WANHU_DB", "")
	if err := run(ctx, []string{"household", "list"}, &out); err == nil || !strings.Contains(err.Error(), "--db") {
		t.Errorf("no database: %v", err)
	}
}

func TestUserCommands(t *testing.T) {
	path, _ := seedDB(t)
	ctx := context.Background()
	var out bytes.Buffer
	if err := run(ctx, []string{"user", "add", "--db", path, "--username", "clerk", "--password", "short"}, &out); err == nil {
		t.Error("a short password was accepted")
	}
	if err := run(ctx, []string{"user", "add", "--db", path, "--username", "clerk", "--password", "dongxing-clerk-1"}, &out); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := run(ctx, []string{"user", "list", "--db", path}, &out); err != nil || !strings.Contains(out.String(), "clerk") || !strings.Contains(out.String(), "admin@") {
		t.Errorf("user list: %v\n%s", err, out.String())
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// cityAdminAPI serves the API on db and returns a function that GETs path
// (after /api/v1) as an administrator of the city and returns the body of
// its 200 answer: what a command's JSON is compared with.
func cityAdminAPI(t *testing.T, db *store.DB) func(path string) string {
	t.Helper()
	ctx := context.Background()
	var city int64
	if err := db.QueryRowContext(ctx, `SELECT id FROM org_units WHERE kind = 'city'`).Scan(&city); err != nil {
		t.Fatal(err)
	}
	d := server.NewDeps(db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if _, err := d.Auth.CreateUser(ctx, "admin", "管理员", "dongxing-admin-2025", auth.Grant{Role: auth.Admin, OrgUnitID: city}); err != nil {
		t.Fatal(err)
	}
	// The administrator signs in with the password alone; two-step
	// sign-in has tests of its own.
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
	t.Cleanup(srv.Close)
	return func(path string) string {
		t.Helper()
		req, _ := http.NewRequest("GET", srv.URL+api.Prefix+path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, resp.StatusCode, b)
		}
		return string(b)
	}
}
