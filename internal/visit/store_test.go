package visit_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
	"wanhu/internal/testworld"
	"wanhu/internal/visit"
)

// TestRecomputeDue: never visited → due today; a met visit restarts the
// cycle by colour; a weekly plan measure then wins; the batch job agrees.
func TestRecomputeDue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fx, err := testworld.NewOrg(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		files := household.NewStore(db)
		clerk := household.Actor{Name: "测试"}
		h, err := files.CreateHousehold(ctx, clerk, household.Household{BuildingID: fx.Buildings[0].ID, Room: "101"},
			[]household.Person{{Name: "李建国", BirthDate: mustDate("1980-07-01"), Gender: "male", Relation: "householder"}})
		if err != nil {
			t.Fatal(err)
		}
		today := calendar.Today()
		if n, err := visit.RecomputeDue(ctx, db, today); err != nil || n != 1 {
			t.Fatalf("recompute: %d %v", n, err)
		}
		vs := visit.NewStore(db, files)
		sc, err := vs.ScheduleOf(ctx, h.ID)
		if err != nil || sc.NextDueOn != today || sc.Frequency != "half_yearly" || sc.Overdue {
			t.Fatalf("never visited: %+v %v", sc, err)
		}
		at := time.Now().Add(-time.Hour)
		if _, created, err := vs.Record(ctx, clerk, visit.Input{ClientID: "x1", HouseholdID: h.ID, Outcome: "met", At: &at}); err != nil || !created {
			t.Fatalf("record: %v %v", created, err)
		}
		met := calendar.DayOf(at)
		if sc, _ = vs.ScheduleOf(ctx, h.ID); sc.NextDueOn != visit.After(met, "half_yearly") {
			t.Errorf("after a visit: due %s", sc.NextDueOn)
		}
		if _, err := files.SaveMeasure(ctx, clerk, household.Measure{HouseholdID: h.ID, Kind: "weekly_visit", Frequency: "weekly"}); err != nil {
			t.Fatal(err)
		}
		if n, err := visit.RecomputeDue(ctx, db, today); err != nil || n != 1 {
			t.Fatalf("recompute after the plan: %d %v", n, err)
		}
		if sc, _ = vs.ScheduleOf(ctx, h.ID); sc.NextDueOn != visit.After(met, "weekly") || sc.Reason != "plan" {
			t.Errorf("with a weekly measure: %+v", sc)
		}
		// DueOf is the same schedule without the frequency and its reason.
		due, err := vs.DueOf(ctx, h.ID)
		if err != nil {
			t.Fatal(err)
		}
		sc.Frequency, sc.Reason = "", ""
		if due.LastVisitAt == nil || sc.LastVisitAt == nil || !due.LastVisitAt.Equal(*sc.LastVisitAt) {
			t.Errorf("DueOf: last visit %v, ScheduleOf %v", due.LastVisitAt, sc.LastVisitAt)
		}
		due.LastVisitAt = sc.LastVisitAt
		if *due != *sc {
			t.Errorf("DueOf %+v, ScheduleOf without the frequency %+v", *due, *sc)
		}
		// DueWithBlocks is DueOf with the file's blocks, as FileBlocks reads them.
		due2, blocks, err := vs.DueWithBlocks(ctx, h.ID, 0)
		if err != nil || due2.LastVisitAt == nil || !due2.LastVisitAt.Equal(*sc.LastVisitAt) {
			t.Fatalf("DueWithBlocks: %+v, %v", due2, err)
		}
		due2.LastVisitAt = sc.LastVisitAt
		if want, err := files.FileBlocks(ctx, h.ID); *due2 != *sc || err != nil || blocks != want {
			t.Errorf("DueWithBlocks %+v, %+v; want %+v, %+v (%v)", *due2, blocks, *sc, want, err)
		}
		// With a team member (the benefit form's helper), in a grid
		// leader's scope (its arguments after the member's): the same
		// schedule, and the member as FileBlocksOf reads it.
		m := org.TeamMember{CommunityID: fx.Community.ID, GridID: fx.Grids[0].ID, Name: "网格员甲", Role: org.RoleGridWorker}
		if err := org.CreateTeamMember(ctx, db, &m); err != nil {
			t.Fatal(err)
		}
		due3, blocks3, err := vs.In(org.Scope{GridIDs: []int64{fx.Grids[0].ID}}).DueWithBlocks(ctx, h.ID, m.ID)
		if err != nil {
			t.Fatalf("DueWithBlocks with a member: %v", err)
		}
		due3.LastVisitAt = sc.LastVisitAt
		if want, err := files.FileBlocksOf(ctx, h.ID, m.ID); *due3 != *sc || err != nil || blocks3 != want || want.Member.ID != m.ID || want.Member.Name != m.Name {
			t.Errorf("DueWithBlocks with a member %+v, %+v; want %+v, %+v (%v)", *due3, blocks3, *sc, want, err)
		}
		if _, _, err := vs.In(org.Scope{GridIDs: []int64{fx.Grids[1].ID}}).DueWithBlocks(ctx, h.ID, m.ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("DueWithBlocks with a member: another grid's leader saw the household: %v", err)
		}
		// Out of scope looks like not there.
		if _, _, err := vs.In(org.Scope{}).DueWithBlocks(ctx, h.ID, 0); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("DueWithBlocks: an empty scope saw the household: %v", err)
		}
		if _, err := vs.In(org.Scope{}).ScheduleOf(ctx, h.ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("an empty scope saw the household: %v", err)
		}
		if _, err := vs.In(org.Scope{}).DueOf(ctx, h.ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("DueOf: an empty scope saw the household: %v", err)
		}
	})
}

func mustDate(s string) calendar.Date {
	d, err := calendar.ParseDate("d", s)
	if err != nil {
		panic(err)
	}
	return d
}

// TestVisitIsWhole: a visit whose second finding fails (the member moved
// out by the first) leaves no visit, no need and no ledger entry behind,
// and the same client id can be sent again once fixed.
func TestVisitIsWhole(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fx, err := testworld.NewOrg(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		files := household.NewStore(db)
		clerk := household.Actor{Name: "测试"}
		h, err := files.CreateHousehold(ctx, clerk, household.Household{BuildingID: fx.Buildings[0].ID, Room: "101"},
			[]household.Person{{Name: "李建国", BirthDate: mustDate("1980-07-01"), Gender: "male", Relation: "householder", Employment: "employed"}})
		if err != nil {
			t.Fatal(err)
		}
		p := h.Members[0].ID
		_, ledgerBefore, _ := files.Ledger(ctx, household.LedgerFilter{HouseholdID: h.ID})
		vs := visit.NewStore(db, files)
		in := visit.Input{ClientID: "whole-1", HouseholdID: h.ID, Outcome: "met", Met: []int64{p},
			Needs: []visit.NeedFound{{Kind: "employment", Note: "想找工作"}},
			Events: []visit.Change{
				{PersonID: p, Event: household.Event{Type: household.EvMovedOut}},
				{PersonID: p, Event: household.Event{Type: household.EvLostJob}},
			}}
		if _, _, err := vs.Record(ctx, clerk, in); err == nil {
			t.Fatal("a visit whose second change cannot apply was recorded")
		}
		got, _ := files.HouseholdByID(ctx, h.ID)
		_, ledgerAfter, _ := files.Ledger(ctx, household.LedgerFilter{HouseholdID: h.ID})
		if len(got.Needs) != 0 || !got.Members[0].Current() || ledgerAfter != ledgerBefore {
			t.Errorf("a failed visit left %d needs, member current %v, ledger %d → %d", len(got.Needs), got.Members[0].Current(), ledgerBefore, ledgerAfter)
		}
		if vis, total, _ := vs.ForHousehold(ctx, h.ID, 1, 10); total != 0 {
			t.Errorf("a failed visit was stored: %+v", vis)
		}
		in.Events = in.Events[1:]
		if _, created, err := vs.Record(ctx, clerk, in); err != nil || !created {
			t.Fatalf("retry: %v %v", created, err)
		}
		got, _ = files.HouseholdByID(ctx, h.ID)
		if len(got.Needs) != 1 || got.Members[0].Employment != "unemployed" {
			t.Errorf("after the retry: needs %d, employment %s", len(got.Needs), got.Members[0].Employment)
		}
	})
}

// TestApplyPolicy: a policy is stored and every household's due date
// follows it in one call; when one household cannot be written, the old
// policy and every old due date stay.
func TestApplyPolicy(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fx, err := testworld.NewOrg(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		files := household.NewStore(db)
		var ids []int64
		for _, room := range []string{"101", "102"} {
			h, err := files.CreateHousehold(ctx, household.Actor{Name: "测试"}, household.Household{BuildingID: fx.Buildings[0].ID, Room: room},
				[]household.Person{{Name: "李建国" + room, BirthDate: mustDate("1980-07-01"), Gender: "male", Relation: "householder"}})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, h.ID)
		}
		// Both were met on 1 December: when they are next due follows the
		// policy.
		if _, err := db.ExecContext(ctx, `UPDATE households SET last_met_on = ?`, mustDate("2026-12-01")); err != nil {
			t.Fatal(err)
		}
		now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
		if _, err := visit.RecomputeDue(ctx, db, calendar.DateOf(now)); err != nil {
			t.Fatal(err)
		}
		due := func() []calendar.Date {
			var out []calendar.Date
			for _, id := range ids {
				var d calendar.Date
				storetest.Scan(t, db.QueryRowContext(ctx, `SELECT next_due_on FROM households WHERE id = ?`, id), &d)
				out = append(out, d)
			}
			return out
		}
		before := due()

		// The second household's row refuses any update.
		trigger := `CREATE TRIGGER refuse BEFORE UPDATE ON households WHEN NEW.id = ` + strconv.FormatInt(ids[1], 10) +
			` BEGIN SELECT RAISE(ABORT, 'refused'); END`
		if db.Dialect() == store.Postgres {
			if _, err := db.ExecContext(ctx, `CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$ LANGUAGE plpgsql`); err != nil {
				t.Fatal(err)
			}
			trigger = `CREATE TRIGGER refuse BEFORE UPDATE ON households FOR EACH ROW WHEN (NEW.id = ` + strconv.FormatInt(ids[1], 10) +
				`) EXECUTE FUNCTION refuse()`
		}
		if _, err := db.ExecContext(ctx, trigger); err != nil {
			t.Fatal(err)
		}
		weekly := visit.Policy{Colours: map[string]string{"green": "weekly"}, Floor: "yearly"}
		if _, err := visit.ApplyPolicy(ctx, db, weekly, now.AddDate(0, 0, 3)); err == nil {
			t.Fatal("applied a policy although a household could not be written")
		}
		if p, err := visit.LoadPolicy(ctx, db); err != nil || p.Colours["green"] != visit.DefaultPolicy.Colours["green"] {
			t.Errorf("after the failure the stored policy is %+v (%v), want the default", p, err)
		}
		if got := due(); got[0] != before[0] || got[1] != before[1] {
			t.Errorf("after the failure due dates %v, want %v", got, before)
		}

		if _, err := db.ExecContext(ctx, `DROP TRIGGER refuse`+map[store.Dialect]string{store.Postgres: " ON households"}[db.Dialect()]); err != nil {
			t.Fatal(err)
		}
		n, err := visit.ApplyPolicy(ctx, db, weekly, now.AddDate(0, 0, 3))
		if err != nil || n != 2 {
			t.Fatalf("apply: %d households changed, %v; want 2", n, err)
		}
		if p, err := visit.LoadPolicy(ctx, db); err != nil || p.Colours["green"] != "weekly" {
			t.Errorf("stored policy %+v (%v), want green weekly", p, err)
		}
		if got := due(); got[0] == before[0] || got[0] != got[1] {
			t.Errorf("due dates %v after a weekly policy, before %v", got, before)
		}
		if _, err := visit.ApplyPolicy(ctx, db, visit.Policy{Tags: map[string]string{"nosuchtag": "weekly"}, Floor: "yearly"}, now); err == nil {
			t.Error("a policy naming an unknown tag was applied")
		}
	})
}
