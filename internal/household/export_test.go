package household_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"wanhu/internal/apperr"
	"wanhu/internal/audit"
	"wanhu/internal/household"
	"wanhu/internal/household/householdtest"
	"wanhu/internal/org"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
	"wanhu/internal/testworld"
)

// TestExportFull: the full values come with an audit entry that counts
// them; a reader who may not reveal gets none, and the attempt is recorded.
func TestExportFull(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f, err := testworld.NewOrg(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		id := householdtest.IDNumber("1945-02-03", 122)
		s := household.NewStore(db)
		if _, err := s.CreateHousehold(ctx, household.Actor{Name: "t"}, household.Household{BuildingID: f.Buildings[0].ID, Room: "101", Phone: "13912345678"},
			[]household.Person{{Name: "王秀兰", IDNumber: id, Relation: "householder", Phone: "13700001111"}}); err != nil {
			t.Fatal(err)
		}
		log := audit.New(db)
		var got []household.Household
		n, p, err := s.ExportFull(ctx, log, audit.Entry{Username: "u"}, func(h *household.Household) error { got = append(got, *h); return nil })
		if err != nil || n != 1 || p != 1 || len(got) != 1 || got[0].Phone != "13912345678" || got[0].Members[0].IDNumber != id {
			t.Fatalf("export: %d %d %v %+v", n, p, err, got)
		}
		visitor := s.In(org.Scope{GridIDs: []int64{f.Grids[0].ID}})
		if _, _, err := visitor.ExportFull(ctx, log, audit.Entry{Username: "v"}, func(*household.Household) error { return nil }); !errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("a reader who may not reveal: %v", err)
		}
		recs, _, err := log.Search(ctx, audit.Filter{Action: "export.households"})
		if err != nil {
			t.Fatal(err)
		}
		var ok, denied bool
		for _, r := range recs {
			ok = ok || r.Result == audit.OK && r.Username == "u" && strings.Contains(r.Detail, "1 households, 1 persons")
			denied = denied || r.Result == audit.Denied && r.Username == "v"
		}
		if !ok || !denied {
			t.Fatalf("audit entries %+v", recs)
		}
	})
}
