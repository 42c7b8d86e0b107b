package round

import (
	"errors"
	"slices"
	"testing"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/household"
	"wanhu/internal/household/householdtest"
	"wanhu/internal/org"
	"wanhu/internal/request"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
	"wanhu/internal/testworld"
)

var worker = household.Actor{Name: "马网格员"}

// world is the org of 东兴社区 with a grid worker in the first grid and a
// shop in the second, at Saturday 2026-12-05 22:00 China time.
type world struct {
	db     *store.DB
	org    *testworld.Org
	s      *Store
	member org.TeamMember
	shop   *household.Household
	home   *household.Household
	now    time.Time
}

func newWorld(t *testing.T, db *store.DB) *world {
	t.Helper()
	ctx := t.Context()
	w := &world{db: db, now: time.Date(2026, 12, 5, 14, 0, 0, 0, time.UTC)}
	var err error
	if w.org, err = testworld.NewOrg(ctx, db); err != nil {
		t.Fatal(err)
	}
	w.member = org.TeamMember{CommunityID: w.org.Community.ID, GridID: w.org.Grids[0].ID, Name: "马网格员", Role: org.RoleGridWorker}
	if err := org.CreateTeamMember(ctx, db, &w.member); err != nil {
		t.Fatal(err)
	}
	files := household.NewStore(db)
	w.shop, err = files.CreateHousehold(ctx, worker, household.Household{BuildingID: w.org.Buildings[1].ID, Unit: "1", Room: "1",
		Kind: household.Commercial, ShopName: "兴旺小卖部", BusinessType: "零售"},
		[]household.Person{{Name: "孙店主", IDNumber: householdtest.IDNumber("1980-01-01", 11), Relation: "householder"}})
	if err != nil {
		t.Fatal(err)
	}
	home, people := householdtest.Widow(w.org)
	if w.home, err = files.CreateHousehold(ctx, worker, home, people); err != nil {
		t.Fatal(err)
	}
	w.s = NewStore(db).WithClock(func() time.Time { return w.now })
	return w
}

func yes() *bool { v := true; return &v }
func no() *bool  { v := false; return &v }

func count(t *testing.T, db *store.DB, q string, args ...any) int {
	t.Helper()
	var n int
	storetest.Scan(t, db.QueryRowContext(t.Context(), q, args...), &n)
	return n
}

// TestNightRoundManholeMissing is issue 16's done-means in the domain: a
// Saturday night round with a manhole cover missing makes an urgent
// request, accepted, due in 24 hours, linked to the round; the street
// light a general repair; the round lists both requests.
func TestNightRoundManholeMissing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := t.Context()
		mine := w.s.In(org.Scope{MemberID: w.member.ID})
		r, err := mine.Begin(ctx, worker, Start{Template: NightPublic, GridID: w.org.Grids[0].ID})
		if err != nil {
			t.Fatal(err)
		}
		if r.State != Started || r.TemplateName != "夜间公共区域巡查" {
			t.Fatalf("round %+v", r)
		}
		lat, lng := 36.62, 101.80
		got, err := mine.Record(ctx, worker, r.ID, Recording{ClientID: "phone-1", Lat: &lat, Lng: &lng, Items: []ResultInput{
			{Item: "fire_hydrant", OK: yes()},
			{Item: "manhole_cover", OK: no(), Note: "井盖缺失", BuildingID: w.org.Buildings[0].ID},
			{Item: "street_light", OK: no()},
		}})
		if err != nil {
			t.Fatal(err)
		}
		if got.State != Done || got.Failed != 2 || len(got.Requests) != 2 || len(got.Results) != 3 {
			t.Fatalf("recorded %+v", got)
		}
		reqs := request.NewStore(db, household.NewStore(db))
		manhole, err := reqs.Get(ctx, got.Requests[0])
		if err != nil {
			t.Fatal(err)
		}
		if manhole.Urgency != request.Urgent || manhole.Category != "safety" || manhole.State != request.Accepted ||
			manhole.DueAt == nil || !manhole.DueAt.Equal(manhole.SubmittedAt.Add(24*time.Hour)) || manhole.GridID != w.org.Grids[0].ID {
			t.Errorf("manhole request %+v", manhole)
		}
		if manhole.Address != "一化小区1号楼" || manhole.Lat == nil || *manhole.Lat != lat {
			t.Errorf("manhole request at %q %v", manhole.Address, manhole.Lat)
		}
		light, err := reqs.Get(ctx, got.Requests[1])
		if err != nil {
			t.Fatal(err)
		}
		if light.Urgency != request.General || light.Category != "repairs" {
			t.Errorf("street light request %s %s", light.Urgency, light.Category)
		}
		// The on-duty board counts them at once.
		b, err := reqs.Board(ctx)
		if err != nil || b.Accepted != 2 {
			t.Errorf("board %+v %v, want 2 accepted", b, err)
		}
		// The same recording sent again (the offline queue's retry) makes nothing new.
		again, err := mine.Record(ctx, worker, r.ID, Recording{ClientID: "phone-1", Items: []ResultInput{{Item: "manhole_cover", OK: no()}}})
		if err != nil || again.ID != r.ID || len(again.Requests) != 2 {
			t.Errorf("retry %+v %v", again, err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM requests`); n != 2 {
			t.Errorf("%d requests after the retry, want 2", n)
		}
		if _, err := mine.Record(ctx, worker, r.ID, Recording{ClientID: "phone-2", Items: []ResultInput{{Item: "manhole_cover", OK: no()}}}); !errors.Is(err, apperr.ErrConflict) {
			t.Errorf("a second recording: %v, want a conflict", err)
		}
		// Hazards: the manhole at 1号楼, open.
		hs, _, err := w.s.Hazards(ctx, HazardFilter{CompoundID: w.org.Compound.ID, Open: true})
		if err != nil || len(hs) != 1 || hs[0].Item != "manhole_cover" || hs[0].Building != "1号楼" || !hs[0].Open {
			t.Errorf("hazards %+v %v", hs, err)
		}
		p, err := w.s.PlanOf(ctx, w.org.Compound.ID)
		if err != nil || len(p.Buildings) != 2 || p.Buildings[0].Colour != "yellow" || p.Buildings[1].Colour != "green" {
			t.Errorf("plan %+v %v", p, err)
		}
	})
}

// TestRecordFailsWhole checks that a recording that fails on its way
// changes nothing: neither the round, nor a result, nor a request.
func TestRecordFailsWhole(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := t.Context()
		r, err := w.s.Begin(ctx, worker, Start{Template: NightPublic, GridID: w.org.Grids[0].ID})
		if err != nil {
			t.Fatal(err)
		}
		// The street light's category is retired: its request fails after
		// the manhole's was written.
		if _, err := db.ExecContext(ctx, `UPDATE request_categories SET active = FALSE WHERE code = 'repairs'`); err != nil {
			t.Fatal(err)
		}
		_, err = w.s.Record(ctx, worker, r.ID, Recording{Items: []ResultInput{
			{Item: "manhole_cover", OK: no()}, {Item: "street_light", OK: no()}}})
		if err == nil {
			t.Fatal("recorded with a retired category")
		}
		if n := count(t, db, `SELECT COUNT(*) FROM requests`) + count(t, db, `SELECT COUNT(*) FROM round_results`) +
			count(t, db, `SELECT COUNT(*) FROM rounds WHERE state = 'done'`); n != 0 {
			t.Errorf("a failed recording left %d rows", n)
		}
		// Bad input names its field.
		for _, c := range []struct {
			in    Recording
			field string
		}{
			{Recording{}, "items"},
			{Recording{Items: []ResultInput{{Item: "gas", OK: yes()}}}, "items[0].item"},
			{Recording{Items: []ResultInput{{Item: "fire_door"}}}, "items[0].ok"},
			{Recording{Items: []ResultInput{{Item: "fire_door", OK: no(), BuildingID: w.org.Buildings[1].ID}}}, "items[0].building_id"},
		} {
			_, err := w.s.Record(ctx, worker, r.ID, c.in)
			var fe *apperr.FieldError
			if !errors.As(err, &fe) || fe.Field != c.field {
				t.Errorf("%+v: %v, want a field error on %s", c.in, err, c.field)
			}
		}
	})
}

// TestScopeAndSchedule checks who sees a round and when an evening round
// may be scheduled.
func TestScopeAndSchedule(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := t.Context()
		leader := w.s.In(org.Scope{GridIDs: []int64{w.org.Grids[1].ID}})
		friday := time.Date(2026, 12, 11, 6, 0, 0, 0, time.UTC) // 14:00 in China
		_, err := leader.Begin(ctx, worker, Start{Template: NightPublic, GridID: w.org.Grids[1].ID, ScheduledFor: &friday})
		var fe *apperr.FieldError
		if !errors.As(err, &fe) || fe.Field != "scheduled_for" {
			t.Errorf("a weekday afternoon: %v, want refused", err)
		}
		saturday := time.Date(2026, 12, 12, 13, 0, 0, 0, time.UTC) // 21:00 Saturday in China
		if _, err := leader.Begin(ctx, worker, Start{Template: NightPublic, GridID: w.org.Grids[1].ID, ScheduledFor: &saturday,
			AssigneeMemberID: w.member.ID}); !errors.As(err, &fe) || fe.Field != "assignee_member_id" {
			t.Errorf("another grid's worker assigned: %v", err)
		}
		if _, err := leader.Begin(ctx, worker, Start{Template: NightPublic, GridID: w.org.Grids[0].ID}); !errors.As(err, &fe) || fe.Field != "grid_id" {
			t.Errorf("a round in another grid: %v", err)
		}
		shop, err := leader.Begin(ctx, worker, Start{Template: ShopFire, HouseholdID: w.shop.ID, ScheduledFor: &saturday})
		if err != nil || shop.State != Scheduled || shop.GridID != w.org.Grids[1].ID || shop.Shop != "兴旺小卖部" {
			t.Fatalf("shop check %+v %v", shop, err)
		}
		if _, err := leader.Begin(ctx, worker, Start{Template: ShopFire, HouseholdID: w.home.ID}); !errors.As(err, &fe) || fe.Field != "household_id" {
			t.Errorf("a shop check at a home: %v", err)
		}
		// The first grid's worker does not see the second grid's round.
		mine := w.s.In(org.Scope{MemberID: w.member.ID})
		if _, err := mine.Get(ctx, shop.ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("out of scope: %v", err)
		}
		if rs, n, err := mine.List(ctx, Filter{}); err != nil || n != 0 || len(rs) != 0 {
			t.Errorf("list out of scope %d %v", n, err)
		}
		if _, err := mine.PlanOf(ctx, w.org.Compound.ID); err != nil {
			t.Errorf("own building's plan: %v", err)
		}
		if _, err := leader.StartNow(ctx, shop.ID); err != nil {
			t.Fatal(err)
		}
		done, err := leader.Record(ctx, worker, shop.ID, Recording{Items: []ResultInput{{Item: "extinguisher", OK: no(), Note: "灭火器过期"},
			{Item: "gas", OK: yes()}}})
		if err != nil || len(done.Requests) != 1 {
			t.Fatalf("shop check recorded %+v %v", done, err)
		}
		var hh int64
		storetest.Scan(t, db.QueryRowContext(ctx, `SELECT household_id FROM requests WHERE id = ?`, done.Requests[0]), &hh)
		if hh != w.shop.ID {
			t.Errorf("the shop's request is of household %d, want %d", hh, w.shop.ID)
		}
		history, _, err := leader.List(ctx, Filter{HouseholdID: w.shop.ID})
		if err != nil || len(history) != 1 || history[0].Failed != 1 {
			t.Errorf("shop history %+v %v", history, err)
		}
		// A second failure of the extinguisher makes a repeat offender.
		again, err := leader.Begin(ctx, worker, Start{Template: ShopFire, HouseholdID: w.shop.ID})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := leader.Record(ctx, worker, again.ID, Recording{Items: []ResultInput{{Item: "extinguisher", OK: no()}}}); err != nil {
			t.Fatal(err)
		}
		_, offenders, err := leader.Hazards(ctx, HazardFilter{})
		if err != nil || !slices.ContainsFunc(offenders, func(o Offender) bool {
			return o.Place == "兴旺小卖部" && o.Item == "extinguisher" && o.Failures == 2
		}) {
			t.Errorf("offenders %+v %v", offenders, err)
		}
	})
}

// TestListOrder: the rounds waiting come first, the next one first; the
// rounds done follow, the latest first, so a page of the recent ones
// shows the latest and not the oldest.
func TestListOrder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := t.Context()
		var done []int64
		for i := range 3 {
			w.now = time.Date(2026, 11, 1+7*i, 13, 0, 0, 0, time.UTC) // 21:00 in China, a week apart
			r, err := w.s.Begin(ctx, worker, Start{Template: NightPublic, GridID: w.org.Grids[0].ID})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.s.Record(ctx, worker, r.ID, Recording{Items: []ResultInput{{Item: "fire_door", OK: yes()}}}); err != nil {
				t.Fatal(err)
			}
			done = append(done, r.ID)
		}
		w.now = time.Date(2026, 12, 5, 14, 0, 0, 0, time.UTC)
		waiting, err := w.s.Begin(ctx, worker, Start{Template: NightPublic, GridID: w.org.Grids[0].ID})
		if err != nil {
			t.Fatal(err)
		}
		rs, _, err := w.s.List(ctx, Filter{})
		if err != nil {
			t.Fatal(err)
		}
		var got []int64
		for _, r := range rs {
			got = append(got, r.ID)
		}
		if want := []int64{waiting.ID, done[2], done[1], done[0]}; !slices.Equal(got, want) {
			t.Errorf("rounds in order %v, want %v (waiting, then the latest done first)", got, want)
		}
	})
}
