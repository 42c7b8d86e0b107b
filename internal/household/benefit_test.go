package household_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// benefitWorld is two households, one per grid: a couple in grid 1 (with
// a need and a relief measure) and a widow in grid 2, and a grid worker
// of grid 1.
type benefitWorld struct {
	couple, widow *household.Household
	need          *household.Need
	measure       *household.Measure
	worker        org.TeamMember
}

func newBenefitWorld(t *testing.T, ctx context.Context, db *store.DB, s *household.Store, grid1, grid2 int64, b1, b2 int64, community int64) benefitWorld {
	t.Helper()
	var w benefitWorld
	var err error
	w.couple, err = s.CreateHousehold(ctx, clerk, household.Household{BuildingID: b1, Room: "101"},
		[]household.Person{{Name: "赵大", BirthDate: mustDate("1970-01-01"), Gender: household.Male, Relation: "householder"}, {Name: "钱二", BirthDate: mustDate("1972-01-01"), Gender: household.Female, Relation: "spouse"}})
	if err != nil {
		t.Fatal(err)
	}
	w.widow, err = s.CreateHousehold(ctx, clerk, household.Household{BuildingID: b2, Room: "201"},
		[]household.Person{{Name: "孙奶奶", BirthDate: mustDate("1940-01-01"), Gender: household.Female, Relation: "householder"}})
	if err != nil {
		t.Fatal(err)
	}
	if w.need, err = s.AddNeed(ctx, clerk, household.Need{HouseholdID: w.couple.ID, PersonID: w.couple.Members[1].ID, Kind: "financial_aid"}); err != nil {
		t.Fatal(err)
	}
	if w.measure, err = s.SaveMeasure(ctx, clerk, household.Measure{HouseholdID: w.couple.ID, Kind: "temporary_relief", Frequency: "once"}); err != nil {
		t.Fatal(err)
	}
	w.worker = org.TeamMember{CommunityID: community, GridID: grid1, Name: "网格员甲", Role: org.RoleGridWorker}
	if err := org.CreateTeamMember(ctx, db, &w.worker); err != nil {
		t.Fatal(err)
	}
	return w
}

func ledgerTypes(t *testing.T, ctx context.Context, s *household.Store, hid int64) []string {
	t.Helper()
	es, _, err := s.Ledger(ctx, household.LedgerFilter{HouseholdID: hid})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Type)
	}
	return out
}

func TestBenefitCaseLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, f := setup(t, db)
		w := newBenefitWorld(t, ctx, db, s, f.Grids[0].ID, f.Grids[1].ID, f.Buildings[0].ID, f.Buildings[1].ID, f.Community.ID)

		// From the need, one step: the need's person is the case's.
		c, err := s.CreateBenefit(ctx, clerk, household.BenefitInput{HouseholdID: w.couple.ID, Kind: household.BenefitTemporaryRelief,
			NeedID: w.need.ID, MeasureID: w.measure.ID, HelperID: w.worker.ID, Amount: 800, Period: "one_off"})
		if err != nil {
			t.Fatal(err)
		}
		if c.Status != household.BenefitApplied || c.Version != 1 || len(c.PersonIDs) != 1 || c.PersonIDs[0] != w.couple.Members[1].ID ||
			c.AppliedOn != "2026-06-01" || c.Helper != "网格员甲" || c.Amount == nil || *c.Amount != 800 || c.Form != "cash" {
			t.Fatalf("created %+v", c)
		}
		if got := ledgerTypes(t, ctx, s, w.couple.ID); got[0] != household.EvBenefitApplied {
			t.Errorf("ledger %v, want benefit_applied first", got)
		}

		// Bad input names its field and writes nothing.
		for field, in := range map[string]household.BenefitInput{
			"kind":       {HouseholdID: w.couple.ID, Kind: "lottery", PersonIDs: []int64{w.couple.Members[0].ID}},
			"person_ids": {HouseholdID: w.couple.ID, Kind: household.BenefitDibao, PersonIDs: []int64{w.widow.Members[0].ID}},
			"need_id":    {HouseholdID: w.widow.ID, Kind: household.BenefitDibao, NeedID: w.need.ID, PersonIDs: []int64{w.widow.Members[0].ID}},
			"amount":     {HouseholdID: w.couple.ID, Kind: household.BenefitDibao, Amount: -1, PersonIDs: []int64{w.couple.Members[0].ID}},
			"applied_on": {HouseholdID: w.couple.ID, Kind: household.BenefitDibao, AppliedOn: "2026-06-02", PersonIDs: []int64{w.couple.Members[0].ID}},
			"helper_id":  {HouseholdID: w.widow.ID, Kind: household.BenefitDibao, HelperID: w.worker.ID, PersonIDs: []int64{w.widow.Members[0].ID}},
		} {
			_, err := s.CreateBenefit(ctx, clerk, in)
			if fe, ok := apperr.AsField(err); !ok || fe.Field != field {
				t.Errorf("%s: err %v, want a field error on it", field, err)
			}
		}
		if _, total, _ := s.Benefits(ctx, household.BenefitFilter{}); total != 1 {
			t.Errorf("%d cases after bad input, want 1", total)
		}
		if cs, none, err := s.Benefits(ctx, household.BenefitFilter{HouseholdID: c.HouseholdID, NoTotal: true}); err != nil || none != 0 || len(cs) != 1 || cs[0].ID != c.ID {
			t.Errorf("uncounted: %d cases, total %d, %v; want case %d, total 0", len(cs), none, err, c.ID)
		}

		// An edit of the application carries its version.
		c, err = s.UpdateBenefit(ctx, clerk, c.ID, household.BenefitEdit{Amount: ptr(int64(900)), Period: "one_off", Note: "换灯、修龙头", HelperID: w.worker.ID, Version: 1})
		if err != nil || *c.Amount != 900 || c.Version != 2 || c.Note != "换灯、修龙头" {
			t.Fatalf("edited %+v, %v", c, err)
		}
		if got := ledgerTypes(t, ctx, s, w.couple.ID); got[0] != household.EvBenefitChanged {
			t.Errorf("ledger %v, want benefit_changed first", got)
		}
		if _, err := s.UpdateBenefit(ctx, clerk, c.ID, household.BenefitEdit{Amount: ptr(int64(1)), Version: 1}); !errors.Is(err, apperr.ErrConflict) {
			t.Fatalf("stale edit: %v", err)
		}
		// A stale version is refused and changes nothing.
		if _, err := s.DecideBenefit(ctx, clerk, c.ID, household.BenefitDecision{Status: household.BenefitApproved, Version: 7}); !errors.Is(err, apperr.ErrConflict) {
			t.Fatalf("stale decision: %v, want ErrConflict", err)
		}
		if got, _ := s.BenefitByID(ctx, c.ID); got.Status != household.BenefitApplied || got.Version != 2 || *got.Amount != 900 {
			t.Fatalf("after a stale decision %+v", got)
		}
		if _, err := s.DecideBenefit(ctx, clerk, c.ID, household.BenefitDecision{Status: household.BenefitApproved, DecidedOn: "2026-05-01", Version: 2}); err == nil {
			t.Fatal("a decision before the application was accepted")
		}
		amount := int64(600)
		d, err := s.DecideBenefit(ctx, clerk, c.ID, household.BenefitDecision{Status: household.BenefitApproved, Amount: &amount, Version: 2})
		if err != nil {
			t.Fatal(err)
		}
		if d.Status != household.BenefitApproved || d.DecidedOn != "2026-06-01" || *d.Amount != 600 || d.Version != 3 {
			t.Fatalf("decided %+v", d)
		}
		if got := ledgerTypes(t, ctx, s, w.couple.ID); got[0] != household.EvBenefitGranted {
			t.Errorf("ledger %v, want benefit_granted first", got)
		}
		// An approved case cannot be decided again, not even at its version.
		_, err = s.DecideBenefit(ctx, clerk, c.ID, household.BenefitDecision{Status: household.BenefitRejected, Version: 3})
		if fe, ok := apperr.AsField(err); !ok || fe.Field != "status" || fe.Code != "invalid_transition" {
			t.Fatalf("second decision: %v, want invalid_transition on status", err)
		}
		_, err = s.UpdateBenefit(ctx, clerk, c.ID, household.BenefitEdit{Amount: ptr(int64(1)), Version: 3})
		if fe, ok := apperr.AsField(err); !ok || fe.Field != "status" {
			t.Fatalf("edit of a decided case: %v, want a field error on status", err)
		}
		if got, _ := s.BenefitByID(ctx, c.ID); got.Status != household.BenefitApproved || got.Version != 3 || *got.Amount != 600 {
			t.Fatalf("after a refused transition %+v", got)
		}
	})
}

// A failing ledger write leaves no case behind: both are in one
// transaction.
func TestBenefitLedgerSameTransaction(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, f := setup(t, db)
		w := newBenefitWorld(t, ctx, db, s, f.Grids[0].ID, f.Grids[1].ID, f.Buildings[0].ID, f.Buildings[1].ID, f.Community.ID)
		if _, err := db.ExecContext(ctx, `DROP TABLE ledger_events`); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateBenefit(ctx, clerk, household.BenefitInput{HouseholdID: w.widow.ID, Kind: household.BenefitDibao,
			PersonIDs: []int64{w.widow.Members[0].ID}}); err == nil {
			t.Fatal("created a case without its ledger event")
		}
		var n int
		storetest.Scan(t, db.QueryRowContext(ctx, `SELECT COUNT(*) FROM benefit_cases`), &n)
		if n != 0 {
			t.Errorf("%d cases written without their ledger event", n)
		}
	})
}

func TestBenefitScopeAndMasking(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, f := setup(t, db)
		w := newBenefitWorld(t, ctx, db, s, f.Grids[0].ID, f.Grids[1].ID, f.Buildings[0].ID, f.Buildings[1].ID, f.Community.ID)
		widowCase, err := s.CreateBenefit(ctx, clerk, household.BenefitInput{HouseholdID: w.widow.ID, Kind: household.BenefitDisabilityAid,
			PersonIDs: []int64{w.widow.Members[0].ID}, Amount: 300, Period: "monthly", Note: "二级肢体残疾"})
		if err != nil {
			t.Fatal(err)
		}
		leader := s.In(org.Scope{GridIDs: []int64{f.Grids[0].ID}, Reveal: true})
		// Out of scope answers as missing, for reads and decisions alike.
		if _, err := leader.BenefitByID(ctx, widowCase.ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("out of scope read: %v", err)
		}
		if _, err := leader.BenefitByID(ctx, widowCase.ID+1000); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("missing read: %v", err)
		}
		if _, err := leader.DecideBenefit(ctx, clerk, widowCase.ID, household.BenefitDecision{Status: household.BenefitApproved, Version: 1}); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("out of scope decision: %v", err)
		}
		_, err = leader.CreateBenefit(ctx, clerk, household.BenefitInput{HouseholdID: w.widow.ID, Kind: household.BenefitDibao, PersonIDs: []int64{w.widow.Members[0].ID}})
		if fe, ok := apperr.AsField(err); !ok || fe.Field != "household_id" {
			t.Errorf("out of scope create: %v", err)
		}
		if cs, total, _ := leader.Benefits(ctx, household.BenefitFilter{}); total != 0 || len(cs) != 0 {
			t.Errorf("grid 1 leader lists %d cases", total)
		}
		// The community's administrator sees the amount; a visitor of
		// the widow sees neither amount nor a disability note.
		admin := s.In(org.Scope{Paths: []string{f.Community.Path}, Reveal: true})
		if c, err := admin.BenefitByID(ctx, widowCase.ID); err != nil || c.Amount == nil || *c.Amount != 300 || c.Note != "二级肢体残疾" {
			t.Errorf("admin sees %+v, %v", c, err)
		}
		visitor := org.TeamMember{CommunityID: f.Community.ID, GridID: f.Grids[1].ID, Name: "志愿者", Role: org.RoleVolunteer}
		if err := org.CreateTeamMember(ctx, db, &visitor); err != nil {
			t.Fatal(err)
		}
		if err := s.Assign(ctx, visitor.ID, w.widow.ID); err != nil {
			t.Fatal(err)
		}
		v := s.In(org.Scope{MemberID: visitor.ID})
		c, err := v.BenefitByID(ctx, widowCase.ID)
		if err != nil || c.Amount != nil || !c.AmountHidden || c.Note != household.Hidden {
			t.Errorf("visitor sees %+v, %v", c, err)
		}
		// The visitor's edit sends back what they were shown: the amount
		// left out and the hidden note keep their values.
		if _, err := v.UpdateBenefit(ctx, clerk, widowCase.ID, household.BenefitEdit{Period: "monthly", Note: household.Hidden, Version: 1}); err != nil {
			t.Fatal(err)
		}
		if c, err := admin.BenefitByID(ctx, widowCase.ID); err != nil || *c.Amount != 300 || c.Note != "二级肢体残疾" || c.Version != 2 {
			t.Errorf("after the visitor's edit %+v, %v", c, err)
		}
		es, _, _ := v.Ledger(ctx, household.LedgerFilter{HouseholdID: w.widow.ID, Type: household.EvBenefitApplied})
		if len(es) != 1 || es[0].Note != household.Hidden {
			t.Errorf("visitor's ledger %+v, want the disability note hidden", es)
		}
	})
}

func TestBenefitStats(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, f := setup(t, db)
		w := newBenefitWorld(t, ctx, db, s, f.Grids[0].ID, f.Grids[1].ID, f.Buildings[0].ID, f.Buildings[1].ID, f.Community.ID)
		both := []int64{w.couple.Members[0].ID, w.couple.Members[1].ID}
		decide := func(kind string, hid int64, persons []int64, status string, at time.Time) {
			t.Helper()
			s.SetClock(func() time.Time { return at })
			c, err := s.CreateBenefit(ctx, clerk, household.BenefitInput{HouseholdID: hid, Kind: kind, PersonIDs: persons})
			if err != nil {
				t.Fatal(err)
			}
			if status != "" {
				if _, err := s.DecideBenefit(ctx, clerk, c.ID, household.BenefitDecision{Status: status, Version: 1}); err != nil {
					t.Fatal(err)
				}
			}
		}
		// 2026-05-31 16:30 UTC is 2026-06-01 00:30 in China: June's.
		june1 := time.Date(2026, 5, 31, 16, 30, 0, 0, time.UTC)
		// 2026-06-30 15:59 UTC is 23:59 on 30 June in China: still June's.
		june30 := time.Date(2026, 6, 30, 15, 59, 0, 0, time.UTC)
		// 2026-06-30 16:00 UTC is 1 July in China.
		july1 := time.Date(2026, 6, 30, 16, 0, 0, 0, time.UTC)
		may31 := time.Date(2026, 5, 31, 15, 0, 0, 0, time.UTC)
		decide(household.BenefitDibao, w.couple.ID, both, household.BenefitApproved, june1)
		decide(household.BenefitTemporaryRelief, w.couple.ID, both, household.BenefitApproved, june1)
		decide(household.BenefitTemporaryRelief, w.couple.ID, both[:1], household.BenefitApproved, june30)
		decide(household.BenefitTemporaryRelief, w.widow.ID, []int64{w.widow.Members[0].ID}, household.BenefitApproved, june30)
		decide(household.BenefitTemporaryRelief, w.widow.ID, []int64{w.widow.Members[0].ID}, household.BenefitApproved, july1)
		decide(household.BenefitTemporaryRelief, w.widow.ID, []int64{w.widow.Members[0].ID}, household.BenefitApproved, may31)
		decide(household.BenefitNearDibao, w.widow.ID, []int64{w.widow.Members[0].ID}, household.BenefitRejected, june30)
		decide(household.BenefitNearDibao, w.widow.ID, []int64{w.widow.Members[0].ID}, "", june30)

		want := map[string]household.BenefitCount{
			"dibao":            {Households: 1, Persons: 2, PersonTimes: 2},
			"near_dibao":       {},
			"temporary_relief": {Households: 2, Persons: 3, PersonTimes: 4},
		}
		got, err := s.BenefitStats(ctx, mustDate("2026-06-01"), mustDate("2026-06-30"))
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(household.BenefitKinds) {
			t.Fatalf("%d rows, want one per kind", len(got))
		}
		for _, c := range got {
			if x, ok := want[c.Kind]; ok && (c.Households != x.Households || c.Persons != x.Persons || c.PersonTimes != x.PersonTimes) {
				t.Errorf("%s: %+v, want %+v", c.Kind, c, x)
			}
		}
		// One day each side: the decision days are China's.
		for day, times := range map[string]int{"2026-05-31": 1, "2026-06-01": 2, "2026-06-30": 2, "2026-07-01": 1} {
			got, _ := s.BenefitStats(ctx, mustDate(day), mustDate(day))
			if got[2].Kind != "temporary_relief" || got[2].PersonTimes != times {
				t.Errorf("%s: temporary relief %+v, want %d person-times", day, got[2], times)
			}
		}
		// Scope: grid 2's leader counts the widow only.
		g2, _ := s.In(org.Scope{GridIDs: []int64{f.Grids[1].ID}}).BenefitStats(ctx, mustDate("2026-06-01"), mustDate("2026-06-30"))
		if g2[0].Households != 0 || g2[2].Households != 1 || g2[2].PersonTimes != 1 {
			t.Errorf("grid 2 counts %+v", g2)
		}
	})
}

func ptr[T any](v T) *T { return &v }
