package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"wanhu/internal/household"
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
	want := cityAdminAPI(t, db)("/stats/benefits?from=2026-01-01&to=2026-01-31")
	var out bytes.Buffer
	if err := run(ctx, []string{"stats", "benefits", "--db", path, "--from", "2026-01-01", "--to", "2026-01-31", "--format", "json"}, &out); err != nil {
		t.Fatal(err)
	}
	if out.String() != want {
		t.Errorf("cli %s\napi %s", out.String(), want)
	}
	if !strings.Contains(out.String(), `{"kind":"temporary_relief","households":2,"persons":2,"person_times":2,"paid_households":2,"paid_persons":2,"person_months":2}`) {
		t.Errorf("json %s", out.String())
	}
	out.Reset()
	if err := run(ctx, []string{"stats", "benefits", "--db", path, "--from", "2026-01-11", "--to", "2026-01-31"}, &out); err != nil {
		t.Fatal(err)
	}
	if text := strings.Join(strings.Fields(out.String()), " "); !strings.Contains(text, "dibao 0 0 0 0 0 0") ||
		!strings.Contains(text, "temporary_relief 0 0 0 2 2 2") || !strings.Contains(text, "person-times paid households paid persons person-months") {
		t.Errorf("text:\n%s", out.String())
	}
	err = run(ctx, []string{"stats", "benefits", "--db", path, "--from", "2026-02-30"}, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "--from") {
		t.Errorf("bad --from: %v", err)
	}
}
