package staff

import (
	"context"
	"testing"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/household/householdtest"
	"wanhu/internal/org"
	"wanhu/internal/request"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
	"wanhu/internal/testworld"
)

// world is a community with two grids: member A (grid 1, linked to
// account "a"), member B (grid 2), and "dept", an officer's account not
// linked to a member. Today is Wednesday 25 November 2026 (week 2026-W48).
type world struct {
	db       *store.DB
	org      *testworld.Org
	a, b     org.TeamMember
	ua, dept int64
	hh       [2]int64
	now      time.Time
}

var clerk = household.Actor{Name: "值班员"}

func china(m time.Month, d, h int) time.Time {
	return time.Date(2026, m, d, h, 0, 0, 0, calendar.China)
}

func newWorld(t *testing.T, db *store.DB) *world {
	t.Helper()
	ctx := t.Context()
	w := &world{db: db, now: china(11, 25, 12)}
	var err error
	if w.org, err = testworld.NewOrg(ctx, db); err != nil {
		t.Fatal(err)
	}
	for i, m := range []*org.TeamMember{&w.a, &w.b} {
		*m = org.TeamMember{CommunityID: w.org.Community.ID, GridID: w.org.Grids[i].ID, Name: []string{"张网格", "李志愿"}[i], Role: org.RoleGridWorker}
		if err := org.CreateTeamMember(ctx, db, m); err != nil {
			t.Fatal(err)
		}
	}
	files := household.NewStore(db)
	for i, file := range []func(*testworld.Org) (household.Household, []household.Person){householdtest.Widow, householdtest.Family} {
		hh, people := file(w.org)
		h, err := files.CreateHousehold(ctx, clerk, hh, people)
		if err != nil {
			t.Fatal(err)
		}
		w.hh[i] = h.ID
	}
	for _, u := range []struct {
		name   string
		member any
		id     *int64
	}{{"a", w.a.ID, &w.ua}, {"dept", nil, &w.dept}} {
		if err := db.QueryRowContext(ctx, `INSERT INTO users(username, display_name, password_hash, team_member_id, created_at, password_changed_at)
			VALUES (?, ?, 'x', ?, ?, ?) RETURNING id`, u.name, u.name+"的名字", u.member, w.now, w.now).Scan(u.id); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

// visit records a visit of household hh at at by members.
func (w *world) visit(t *testing.T, hh int64, at time.Time, members ...int64) {
	t.Helper()
	var id int64
	grid := w.org.Grids[0].ID
	if hh == w.hh[1] {
		grid = w.org.Grids[1].ID
	}
	if err := w.db.QueryRowContext(t.Context(), `INSERT INTO visits(client_id, household_id, grid_id, outcome, at, created_at)
		VALUES (?, ?, ?, 'met', ?, ?) RETURNING id`, at.Format(time.RFC3339Nano)+time.Now().String(), hh, grid, at.UTC(), at.UTC()).Scan(&id); err != nil {
		t.Fatal(err)
	}
	for _, m := range members {
		if _, err := w.db.ExecContext(t.Context(), `INSERT INTO visit_visitors(visit_id, team_member_id, at) VALUES (?, ?, ?)`, id, m, at.UTC()); err != nil {
			t.Fatal(err)
		}
	}
}

// fill records the visits, requests and training of the tests:
//   - A: 3 visits this week (one with B), 1 the week before, 1 in March;
//     B: 1 this week (with A);
//   - r1 resolved by a on time, satisfied; r2 by a late, dissatisfied for
//     attitude; r3 by dept on time, dissatisfied as slow; r4 by a, called
//     back dissatisfied (not solved) and reopened, then resolved late by
//     dept;
//   - A: a pre-job course and 3 + 4.5 on-the-job hours this year, 10 last
//     year; B: nothing.
func (w *world) fill(t *testing.T) {
	ctx := t.Context()
	w.visit(t, w.hh[0], china(11, 23, 10), w.a.ID)
	w.visit(t, w.hh[0], china(11, 24, 10), w.a.ID, w.b.ID)
	w.visit(t, w.hh[0], china(11, 25, 9), w.a.ID)
	w.visit(t, w.hh[0], china(11, 22, 23), w.a.ID) // Sunday of the week before
	w.visit(t, w.hh[0], china(3, 2, 10), w.a.ID)

	var clock time.Time
	files := household.NewStore(db(w))
	rs := request.NewStore(w.db, files)
	rs.SetClock(func() time.Time { return clock })
	a, dept := household.Actor{ID: w.ua, Name: "a"}, household.Actor{ID: w.dept, Name: "dept"}
	step := func(id int64, who household.Actor, at time.Time, c request.Change) {
		t.Helper()
		clock = at
		if _, err := rs.Apply(ctx, who, id, c); err != nil {
			t.Fatalf("%s: %v", c.Action, err)
		}
	}
	submit := func(at time.Time) int64 {
		t.Helper()
		clock = at
		r, err := rs.Submit(ctx, clerk, request.Input{Category: "water_supply", Description: "漏水", Channel: "walk_in", HouseholdID: w.hh[0]})
		if err != nil {
			t.Fatal(err)
		}
		step(r.ID, clerk, at.Add(time.Hour), request.Change{Action: request.Accept, Urgency: request.Urgent, Handling: request.Community})
		return r.ID // due 24 hours after at
	}
	need := func() *household.Need { return &household.Need{Kind: "other", Note: "跟进"} }
	r1 := submit(china(11, 2, 9))
	step(r1, a, china(11, 2, 15), request.Change{Action: request.Resolve, Note: "修好"})
	step(r1, clerk, china(11, 3, 10), request.Change{Action: request.Callback, Method: "phone", Result: request.Satisfied})
	r2 := submit(china(11, 4, 9))
	step(r2, a, china(11, 6, 9), request.Change{Action: request.Resolve, Note: "修好"})
	step(r2, clerk, china(11, 7, 10), request.Change{Action: request.Callback, Method: "phone", Result: request.Dissatisfied, Reason: "attitude", Note: "态度差", FollowUp: need()})
	r3 := submit(china(11, 8, 9))
	step(r3, dept, china(11, 8, 20), request.Change{Action: request.Resolve, Note: "修好"})
	step(r3, clerk, china(11, 9, 10), request.Change{Action: request.Callback, Method: "phone", Result: request.Dissatisfied, Reason: "slow", FollowUp: need()})
	r4 := submit(china(10, 10, 9))
	step(r4, a, china(10, 10, 15), request.Change{Action: request.Resolve, Note: "修好"})
	step(r4, clerk, china(10, 11, 10), request.Change{Action: request.Callback, Method: "phone", Result: request.Dissatisfied, Reason: "not_solved"})
	step(r4, dept, china(11, 12, 10), request.Change{Action: request.Resolve, Note: "再修"})

	for _, tr := range []TrainingRecord{
		{TeamMemberID: w.a.ID, Course: "网格员岗前培训", Kind: PreJob, CompletedOn: calendar.Date{Y: 2025, M: 3, D: 1}, Hours: 16},
		{TeamMemberID: w.a.ID, Course: "入户走访沟通技巧", Kind: OnJob, CompletedOn: calendar.Date{Y: 2026, M: 4, D: 10}, Hours: 3},
		{TeamMemberID: w.a.ID, Course: "消防安全排查", Kind: OnJob, CompletedOn: calendar.Date{Y: 2026, M: 9, D: 5}, Hours: 4.5},
		{TeamMemberID: w.a.ID, Course: "去年的课", Kind: OnJob, CompletedOn: calendar.Date{Y: 2025, M: 6, D: 1}, Hours: 10},
	} {
		if err := AddTraining(ctx, w.db, &tr, w.now); err != nil {
			t.Fatal(err)
		}
	}
}

func db(w *world) *store.DB { return w.db }

func TestScorecards(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		w := newWorld(t, db)
		w.fill(t)
		today := calendar.DateOf(w.now)
		p, err := PeriodOf("", "", today)
		if err != nil {
			t.Fatal(err)
		}
		if p.Week != "2026-W48" || p.WeekFrom.String() != "2026-11-23" || p.From.String() != "2026-01-01" || p.To.String() != "2026-11-25" {
			t.Errorf("period %+v", p)
		}
		weights := Weights{Visits: 40, OnTime: 20, Satisfaction: 20, Complaints: 10, Training: 10, WeeklyVisits: 100, TrainingHours: 10, ComplaintPenalty: 30}
		targets := DefaultTargets.complete()
		targets.Roles[string(org.RoleGridWorker)] = RoleTarget{WeeklyVisits: 4}
		targets.MinHandled = 1
		if err := SaveTargets(ctx, db, targets, w.now); err != nil {
			t.Fatal(err)
		}
		rep, err := Scorecards(ctx, db, org.Everything, p, weights, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Scorecards) != 3 {
			t.Fatalf("scorecards %+v", rep.Scorecards)
		}
		byName := map[string]Scorecard{}
		for _, c := range rep.Scorecards {
			byName[c.Name] = c
		}
		a := byName["张网格"]
		// visits 3 of 4 → 75; on time 1 of 2 → 50; satisfied 1 of 2 → 50;
		// one complaint → 70; training 50 + 50×7.5/10 = 87.5.
		// score (40×75 + 20×50 + 20×50 + 10×70 + 10×87.5) / 100 = 65.75 → 65.8
		if a.WeekVisits != 3 || a.Visits != 3 || a.WeeklyTarget != 4 || a.Handled != 2 || a.OnTime != 1 || a.Rated != 2 || a.Satisfied != 1 ||
			a.Complaints != 1 || !a.PreJob || a.TrainingHours != 7.5 || a.UserID != w.ua || a.Score == nil || *a.Score != 65.8 {
			t.Errorf("A %+v score %v", a, deref(a.Score))
		}
		if got := values(a); got != "75 - 50 50 70 87.5" {
			t.Errorf("A components %s", got)
		}
		b := byName["李志愿"]
		// visits 1 of 4 → 25; no requests; training 0: (40×25 + 10×0) / 50 = 20
		if b.WeekVisits != 1 || b.Handled != 0 || b.OnTimeRate != nil || b.PreJob || b.Score == nil || *b.Score != 20 || values(b) != "25 - - - - 0" {
			t.Errorf("B %+v score %v components %s", b, deref(b.Score), values(b))
		}
		d := byName["dept的名字"]
		// r3 on time, r4 late (reopened, then resolved by dept): on time 50;
		// both rated dissatisfied: 0; no complaint: 100.
		// (20×50 + 20×0 + 10×100) / 50 = 40
		if d.Kind != KindUser || d.UserID != w.dept || d.Handled != 2 || d.OnTime != 1 || d.Rated != 2 || d.Satisfied != 0 || d.Complaints != 0 ||
			d.Score == nil || *d.Score != 40 || values(d) != "- - 50 0 100 -" {
			t.Errorf("dept %+v score %v components %s", d, deref(d.Score), values(d))
		}
		if rep.Scorecards[0].Name != "张网格" || rep.Scorecards[2].Name != "李志愿" {
			t.Errorf("order %s, %s, %s", rep.Scorecards[0].Name, rep.Scorecards[1].Name, rep.Scorecards[2].Name)
		}

		// A chosen period: visits of the same days, training of those days.
		p2, err := PeriodOf("2026-11-16", "2026-11-29", today)
		if err != nil {
			t.Fatal(err)
		}
		c, err := ScorecardOf(ctx, db, org.Everything, p2, weights, w.a.ID)
		if err != nil {
			t.Fatal(err)
		}
		// 4 visits in two weeks against 8: 50; no training hours: 50.
		if c.Visits != 4 || c.WeekVisits != 3 || c.TrainingHours != 0 || c.Handled != 0 || values(*c) != "50 - - - - 50" {
			t.Errorf("A in two weeks %+v %s", c, values(*c))
		}

		// Scope: grid 2's leader sees B only, and no staff account; a
		// visitor only themselves.
		leader := org.Scope{GridIDs: []int64{w.org.Grids[1].ID}}
		rep, err = Scorecards(ctx, db, leader, p, weights, 0)
		if err != nil || len(rep.Scorecards) != 1 || rep.Scorecards[0].MemberID != w.b.ID {
			t.Errorf("grid 2 leader sees %+v %v", rep, err)
		}
		if _, err := ScorecardOf(ctx, db, leader, p, weights, w.a.ID); err != apperr.ErrNotFound {
			t.Errorf("grid 2 leader reads A: %v", err)
		}
		if err := Visible(ctx, db, leader, w.a.ID); err != apperr.ErrNotFound {
			t.Errorf("A visible to grid 2's leader: %v", err)
		}
		if err := Visible(ctx, db, leader, w.b.ID); err != nil {
			t.Errorf("B not visible to grid 2's leader: %v", err)
		}
		self := org.Scope{MemberID: w.a.ID}
		rep, err = Scorecards(ctx, db, self, p, weights, 0)
		if err != nil || len(rep.Scorecards) != 1 || rep.Scorecards[0].MemberID != w.a.ID || rep.Scorecards[0].WeekVisits != 3 {
			t.Errorf("visitor A sees %+v %v", rep, err)
		}
		admin := org.Scope{Paths: []string{w.org.Community.Path}}
		rep, err = Scorecards(ctx, db, admin, p, weights, w.org.Grids[0].ID)
		if err != nil || len(rep.Scorecards) != 1 || rep.Scorecards[0].MemberID != w.a.ID || *rep.Scorecards[0].Score != 65.8 {
			t.Errorf("admin, grid 1: %+v %v", rep, err)
		}
	})
}

func deref(f *float64) any {
	if f == nil {
		return nil
	}
	return *f
}

// values writes a scorecard's component values, "-" for none.
func values(c Scorecard) string {
	s := ""
	for i, v := range c.Components {
		if i > 0 {
			s += " "
		}
		if v.Value == nil {
			s += "-"
		} else {
			s += trim(*v.Value)
		}
	}
	return s
}

func trim(f float64) string { return num(f) }

func TestBadReviews(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		w.fill(t)
		p, _ := PeriodOf("", "", calendar.DateOf(w.now))
		rep, err := BadReviews(t.Context(), db, org.Everything, p)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Total != 3 || len(rep.Reviews) != 3 {
			t.Fatalf("bad reviews %+v", rep)
		}
		first := rep.Reviews[0] // r4's, in October, handled by a then
		if first.Reason != "not_solved" || first.HandlerUserID != w.ua || first.HandlerMember != w.a.ID || first.Handler != "a的名字" ||
			first.Category != "water_supply" || first.GridName != "第一网格" {
			t.Errorf("first %+v", first)
		}
		if rep.Reviews[1].Reason != "attitude" || rep.Reviews[1].Comment != "态度差" || rep.Reviews[2].Handler != "dept的名字" {
			t.Errorf("reviews %+v", rep.Reviews)
		}
		if got := counts(rep.ByReason); got != "attitude:1 not_solved:1 slow:1" {
			t.Errorf("by reason %s", got)
		}
		if got := counts(rep.ByStaff); got != "user:"+itoa(w.ua)+":2 user:"+itoa(w.dept)+":1" {
			t.Errorf("by staff %s", got)
		}
		if len(rep.ByMonth) != 2 || rep.ByMonth[0].Month != "2026-10" || rep.ByMonth[1].Count != 2 || rep.ByMonth[1].ByReason["slow"] != 1 {
			t.Errorf("by month %+v", rep.ByMonth)
		}
		// grid 2's leader sees none of grid 1's requests.
		rep, err = BadReviews(t.Context(), db, org.Scope{GridIDs: []int64{w.org.Grids[1].ID}}, p)
		if err != nil || rep.Total != 0 {
			t.Errorf("grid 2: %+v %v", rep, err)
		}
	})
}

func itoa(n int64) string { return num(float64(n)) }

func counts(cs []Count) string {
	s := ""
	for i, c := range cs {
		if i > 0 {
			s += " "
		}
		s += c.Key + ":" + itoa(int64(c.Count))
	}
	return s
}

func TestTrainingAndWeights(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		for _, c := range []struct {
			in    TrainingRecord
			field string
		}{
			{TrainingRecord{TeamMemberID: w.a.ID, Kind: PreJob, CompletedOn: calendar.Date{Y: 2026, M: 1, D: 1}, Hours: 1}, "course"},
			{TrainingRecord{TeamMemberID: w.a.ID, Course: "x", Kind: "weekly", CompletedOn: calendar.Date{Y: 2026, M: 1, D: 1}, Hours: 1}, "kind"},
			{TrainingRecord{TeamMemberID: w.a.ID, Course: "x", Kind: OnJob, Hours: 1}, "completed_on"},
			{TrainingRecord{TeamMemberID: w.a.ID, Course: "x", Kind: OnJob, CompletedOn: calendar.Date{Y: 2026, M: 12, D: 1}, Hours: 1}, "completed_on"},
			{TrainingRecord{TeamMemberID: w.a.ID, Course: "x", Kind: OnJob, CompletedOn: calendar.Date{Y: 2026, M: 1, D: 1}, Hours: 0}, "hours"},
			{TrainingRecord{TeamMemberID: 99999, Course: "x", Kind: OnJob, CompletedOn: calendar.Date{Y: 2026, M: 1, D: 1}, Hours: 2}, "team_member_id"},
		} {
			if err := AddTraining(ctx, db, &c.in, w.now); !isField(err, c.field) {
				t.Errorf("%+v: %v, want a field error on %s", c.in, err, c.field)
			}
		}
		tr := TrainingRecord{TeamMemberID: w.a.ID, Course: " 岗前培训 ", Kind: PreJob, CompletedOn: calendar.Date{Y: 2026, M: 1, D: 5}, Hours: 8, RecordedBy: w.ua}
		if err := AddTraining(ctx, db, &tr, w.now); err != nil {
			t.Fatal(err)
		}
		list, err := Training(ctx, db, w.a.ID)
		if err != nil || len(list) != 1 || list[0].Course != "岗前培训" || list[0].CompletedOn.String() != "2026-01-05" || list[0].Hours != 8 || list[0].RecordedBy != w.ua {
			t.Errorf("training %+v %v", list, err)
		}
		if err := DeleteTraining(ctx, db, tr.ID); err != nil {
			t.Fatal(err)
		}
		if err := DeleteTraining(ctx, db, tr.ID); err != apperr.ErrNotFound {
			t.Errorf("deleted twice: %v", err)
		}

		if got, err := LoadWeights(ctx, db); err != nil || got != DefaultWeights {
			t.Errorf("default weights %+v %v", got, err)
		}
		bad := DefaultWeights
		bad.OnTime = -1
		if err := SaveWeights(ctx, db, bad, w.now); !isField(err, "on_time") {
			t.Errorf("negative weight: %v", err)
		}
		bad = DefaultWeights
		bad.WeeklyVisits = 0
		if err := SaveWeights(ctx, db, bad, w.now); !isField(err, "weekly_visit_target") {
			t.Errorf("no target: %v", err)
		}
		good := Weights{Visits: 50, OnTime: 0, Satisfaction: 25, Complaints: 25, Training: 0, WeeklyVisits: 80, TrainingHours: 20, ComplaintPenalty: 10}
		if err := SaveWeights(ctx, db, good, w.now); err != nil {
			t.Fatal(err)
		}
		if got, err := LoadWeights(ctx, db); err != nil || got != good {
			t.Errorf("saved weights %+v %v", got, err)
		}
		name := map[string]string{"visits": "走访", "on_time": "按期", "satisfaction": "满意", "complaints": "投诉", "training": "培训", "hours": "时长"}
		if f := good.Formula(func(k string) string { return name[k] }); f != "(50×走访 + 0×时长 + 0×按期 + 25×满意 + 25×投诉 + 0×培训) ÷ 100" {
			t.Errorf("formula %s", f)
		}
	})
}

func isField(err error, field string) bool {
	fe, ok := apperr.AsField(err)
	return ok && fe.Field == field
}
