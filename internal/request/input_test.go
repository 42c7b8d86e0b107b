package request

import (
	"math"
	"testing"

	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestSubmitRefusesWhatCannotBeStored: a NaN coordinate (Open311 reads
// "NaN" as a number) and text PostgreSQL cannot store (a NUL character,
// bytes that are not UTF-8) are refused naming the field, and nothing is
// stored. Before, NaN was kept (as NULL by SQLite, so lat went missing
// beside lng; as NaN by PostgreSQL, so every JSON list holding the request
// answered 500) and the text answered 500 on PostgreSQL.
func TestSubmitRefusesWhatCannotBeStored(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		nan, zero := math.NaN(), 0.0
		for _, c := range []struct {
			in    Input
			field string
		}{
			{Input{Category: "repairs", Description: "灯坏了", Channel: "open311", Address: "x", Lat: &nan, Lng: &zero, OrgPath: w.org.Community.Path}, "lat"},
			{Input{Category: "repairs", Description: "灯坏了", Channel: "open311", Address: "x", Lat: &zero, Lng: &nan, OrgPath: w.org.Community.Path}, "lat"},
			{Input{Category: "repairs", Description: "灯\x00坏了", Channel: "web", Address: "x", OrgPath: w.org.Community.Path}, "description"},
			{Input{Category: "repairs", Description: "灯坏了", Channel: "web", Address: "\xff\xfe", OrgPath: w.org.Community.Path}, "address"},
			{Input{Category: "repairs", Description: "灯坏了", Channel: "web", Address: "x", Phone: "13912345678\x00", OrgPath: w.org.Community.Path}, "reporter_phone"},
		} {
			if _, err := w.s.Submit(t.Context(), clerk, c.in); !isField(err, c.field) {
				t.Errorf("%+v: %v, want an error on %s", c.in, err, c.field)
			}
		}
		if n := count(t, db, `SELECT COUNT(*) FROM requests`); n != 0 {
			t.Errorf("%d requests stored", n)
		}
		r := w.submit(t, Input{Category: "repairs", Description: "灯坏了", Channel: "walk_in", HouseholdID: w.red.ID})
		if _, err := w.s.Apply(t.Context(), clerk, r.ID, Change{Action: Decline, Note: "重复\x00"}); !isField(err, "reason") {
			t.Errorf("a reason with NUL: %v", err)
		}
		if got, _ := w.s.Get(t.Context(), r.ID); got.State != Submitted || len(got.Timeline) != 1 {
			t.Errorf("after the refusal: %s with %d timeline entries", got.State, len(got.Timeline))
		}
	})
}
