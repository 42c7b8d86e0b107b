package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"

	"wanhu/internal/household"
	"wanhu/internal/visit"
)

// TestVisitCoverage: `wanhu visit coverage` counts a visit recorded today
// in every period, as JSON (like the API), CSV with a byte-order mark and
// a text table.
func TestVisitCoverage(t *testing.T) {
	path, _ := seedDB(t)
	ctx := context.Background()
	db := openSeeded(t, path)
	files := household.NewStore(db)
	hs, _, err := files.List(ctx, household.Filter{})
	if err != nil || len(hs) != 2 {
		t.Fatalf("seeded households: %d %v", len(hs), err)
	}
	if _, _, err := visit.NewStore(db, files).Record(ctx, household.Actor{Name: "test"},
		visit.Input{ClientID: "cli-1", HouseholdID: hs[0].ID, Outcome: "met"}); err != nil {
		t.Fatal(err)
	}
	db.Close()

	var out bytes.Buffer
	if err := run(ctx, []string{"visit", "coverage", "--db", path, "--format", "json"}, &out); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Total   int `json:"total"`
		Overall struct {
			Households int     `json:"households"`
			Week       float64 `json:"week"`
			Visited    struct {
				Week, Year int
			} `json:"visited"`
		} `json:"overall"`
	}
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("%v in %s", err, out.String())
	}
	if o := got.Overall; got.Total != 2 || o.Households != 2 || o.Visited.Week != 1 || o.Visited.Year != 1 || o.Week != 0.5 {
		t.Errorf("json coverage: %s", out.String())
	}

	out.Reset()
	if err := run(ctx, []string{"visit", "coverage", "--db", path, "--format", "csv"}, &out); err != nil {
		t.Fatal(err)
	}
	body, ok := strings.CutPrefix(out.String(), "\ufeff")
	if !ok {
		t.Error("the CSV has no byte-order mark: Excel would garble the grid names")
	}
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil || len(rows) != 4 || rows[3][1] != "total" || rows[3][2] != "2" || rows[3][3] != "1" {
		t.Errorf("csv coverage (%v): %q", err, rows)
	}

	out.Reset()
	if err := run(ctx, []string{"visit", "coverage", "--db", path}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "1 (50.0%)") {
		t.Errorf("text coverage:\n%s", out.String())
	}
	if err := run(ctx, []string{"visit", "coverage", "--db", path, "--format", "xml"}, &out); err == nil {
		t.Error("--format xml was accepted")
	}
}
