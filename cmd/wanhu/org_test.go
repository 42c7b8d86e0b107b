package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"wanhu/internal/audit"
	"wanhu/internal/household"
	"wanhu/internal/org"
)

// TestOrgCommands: the structure from the command line, on the seeded
// database (a household in each grid): a grid holding households is not
// retired without --to; with it, its household moves, the change is
// audited and the tree no longer lists it; a building moved to a new grid
// takes its household along.
func TestOrgCommands(t *testing.T) {
	path, f := seedDB(t)
	ctx := context.Background()
	var out bytes.Buffer
	do := func(args ...string) error {
		out.Reset()
		return run(ctx, append(args, "--db", path), &out)
	}
	if err := do("org", "retire", "--id", itoa(f.Grids[1].ID)); err == nil || !strings.Contains(err.Error(), "--to:") {
		t.Fatalf("retire a grid with households without --to: %v", err)
	}
	if err := do("org", "retire", "--id", itoa(f.Grids[1].ID), "--to", itoa(f.Grids[0].ID)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "1 households, 1 buildings") {
		t.Errorf("retire said %q", out.String())
	}
	if err := do("org", "add", "--parent", itoa(f.Community.ID), "--kind", "grid", "--number", "2", "--format", "json"); err != nil {
		t.Fatal(err)
	}
	var added org.Unit
	if err := json.Unmarshal(out.Bytes(), &added); err != nil || added.Name != "第二网格" || added.ID == f.Grids[1].ID {
		t.Errorf("added %s (%v), want a new 第二网格", out.String(), err)
	}
	if err := do("org", "list", "--format", "json"); err != nil {
		t.Fatal(err)
	}
	var tree []org.Unit
	if err := json.Unmarshal(out.Bytes(), &tree); err != nil || len(tree) != 6 {
		t.Errorf("tree %s (%v), want the 6 active units", out.String(), err)
	}
	if err := do("place", "move", "--building", itoa(f.Buildings[0].ID), "--grid", itoa(added.ID)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "with 1 households") {
		t.Errorf("move said %q", out.String())
	}

	db := openSeeded(t, path)
	defer db.Close()
	hs, _, err := household.NewStore(db).List(ctx, household.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hs {
		want := f.Grids[0].ID // the household of the retired grid
		if h.BuildingID == f.Buildings[0].ID {
			want = added.ID // the household of the building moved
		}
		if h.GridID != want {
			t.Errorf("household %d in grid %d, want %d", h.ID, h.GridID, want)
		}
	}
	recs, _, err := audit.New(db).Search(ctx, audit.Filter{Action: "org.retire"})
	if err != nil || len(recs) != 1 || recs[0].Role != "cli" || recs[0].Object != "org-unit:"+itoa(f.Grids[1].ID) {
		t.Errorf("audit %+v %v", recs, err)
	}
}
