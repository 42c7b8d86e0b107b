package request

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"testing"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/household/householdtest"
	"wanhu/internal/notify"
	"wanhu/internal/org"
	"wanhu/internal/pii"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
	"wanhu/internal/testworld"
)

// TestStateMachine is the table of every action from every state: the
// legal ones pass, every other one is a TransitionError naming the state.
func TestStateMachine(t *testing.T) {
	legalIn := map[string][]string{
		Submitted: {Accept, Decline, Merge},
		Accepted:  {Progress, AskExtension, Resolve},
		Resolved:  {Callback},
	}
	for _, state := range States {
		for action := range transitions {
			err := legal(&Request{State: state, Handling: Community}, action)
			if slices.Contains(legalIn[state], action) {
				if err != nil {
					t.Errorf("%s from %s: %v, want allowed", action, state, err)
				}
				continue
			}
			var te *TransitionError
			if !errors.As(err, &te) || te.State != state || !errors.Is(err, apperr.ErrConflict) {
				t.Errorf("%s from %s: %v, want a TransitionError", action, state, err)
			}
		}
	}
	// The guards beyond the state.
	referred := &Request{State: Accepted, Handling: Referred}
	pending := &Request{State: Accepted, Handling: Referred, Extension: &Extension{Days: 2}}
	for _, c := range []struct {
		r      *Request
		action string
		ok     bool
	}{
		{referred, HandBack, true},
		{referred, ApproveExtension, false},
		{referred, RefuseExtension, false},
		{pending, AskExtension, false},
		{pending, ApproveExtension, true},
		{pending, RefuseExtension, true},
	} {
		if err := legal(c.r, c.action); (err == nil) != c.ok {
			t.Errorf("%s with %+v: %v, want ok %v", c.action, c.r, err, c.ok)
		}
	}
}

// TestDue is the clocks of R13 on the built-in calendar.
func TestDue(t *testing.T) {
	cal := calendar.Builtin()
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, c := range []struct {
		urgency, submitted string
		n                  int
		want               string
		estimated          bool
	}{
		// The hotline at 23:00: due 24 clock hours later.
		{Urgent, "2026-09-30T23:00:00+08:00", 0, "2026-10-01T23:00:00+08:00", false},
		// The day before National Day: the golden week is off, the make-up
		// Saturday 10 October is a working day.
		{General, "2026-09-30T10:00:00+08:00", 5, "2026-10-13T23:59:59+08:00", false},
		{General, "2026-09-30T10:00:00+08:00", 3, "2026-10-10T23:59:59+08:00", false},
		// A plain week: Monday plus 3 working days is Thursday.
		{General, "2026-11-02T09:00:00+08:00", 3, "2026-11-05T23:59:59+08:00", false},
		// 2028 has no official data yet: plain weekdays, flagged.
		{General, "2027-12-30T09:00:00+08:00", 5, "2028-01-06T23:59:59+08:00", true},
	} {
		due, est := Due(cal, c.urgency, at(c.submitted), c.n)
		if !due.Equal(at(c.want)) || est != c.estimated {
			t.Errorf("%s %s +%d: %s estimated %v, want %s %v", c.urgency, c.submitted, c.n, due.In(calendar.China).Format(time.RFC3339), est, c.want, c.estimated)
		}
	}
}

// world is a database with the org fixture, a household in each grid and a
// department.
type world struct {
	db         *store.DB
	org        *testworld.Org
	files      *household.Store
	s          *Store
	red, green *household.Household
	dept       org.Unit
	now        time.Time
}

var clerk = household.Actor{Name: "值班员"}

func newWorld(t testing.TB, db *store.DB) *world {
	t.Helper()
	ctx := t.Context()
	w := &world{db: db, files: household.NewStore(db), now: time.Date(2026, 9, 30, 15, 0, 0, 0, time.UTC)} // 23:00 in China
	var err error
	if w.org, err = testworld.NewOrg(ctx, db); err != nil {
		t.Fatal(err)
	}
	red, people := householdtest.Widow(w.org)
	if w.red, err = w.files.CreateHousehold(ctx, clerk, red, people); err != nil {
		t.Fatal(err)
	}
	green, people := householdtest.Family(w.org)
	if w.green, err = w.files.CreateHousehold(ctx, clerk, green, people); err != nil {
		t.Fatal(err)
	}
	if w.dept, err = testworld.Department(ctx, db, w.org); err != nil {
		t.Fatal(err)
	}
	w.s = NewStore(db, w.files)
	w.s.SetClock(func() time.Time { return w.now })
	return w
}

func (w *world) submit(t *testing.T, in Input) *Request {
	t.Helper()
	r, err := w.s.Submit(t.Context(), clerk, in)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func (w *world) apply(t *testing.T, id int64, c Change) *Request {
	t.Helper()
	r, err := w.s.Apply(t.Context(), clerk, id, c)
	if err != nil {
		t.Fatalf("%s: %v", c.Action, err)
	}
	return r
}

func count(t *testing.T, q store.Querier, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := q.QueryRowContext(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestWorkflow walks a referred charger request through the four orders,
// a dissatisfied callback that reopens it, and a second callback that
// closes it with a follow-up need; and an urgent hotline request.
func TestWorkflow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := t.Context()
		sewage := w.submit(t, Input{Category: "sanitation", Description: "一化小区化粪池外溢", Channel: "hotline", HouseholdID: w.red.ID})
		if sewage.State != Submitted || sewage.GridID != w.org.Grids[0].ID || sewage.ReporterPhone != pii.MaskPhone(householdtest.WidowPhone) || len(sewage.TrackingCode) != 10 {
			t.Fatalf("submitted %+v", sewage)
		}
		sewage = w.apply(t, sewage.ID, Change{Action: Accept, Urgency: Urgent, Handling: Community, Version: sewage.Version})
		if want := w.now.Add(24 * time.Hour); !sewage.DueAt.Equal(want) || sewage.Overdue || *sewage.SecondsLeft != 24*3600 {
			t.Errorf("urgent due %v left %v, want %v", sewage.DueAt, *sewage.SecondsLeft, want)
		}
		w.now = w.now.Add(25 * time.Hour)
		if r, _ := w.s.Get(ctx, sewage.ID); !r.Overdue {
			t.Errorf("an hour past the deadline, overdue %v", r.Overdue)
		}
		if rs, n, err := w.s.List(ctx, Filter{Overdue: true}); err != nil || n != 1 || rs[0].ID != sewage.ID {
			t.Errorf("overdue list %d %v", n, err)
		}
		w.now = time.Date(2026, 9, 30, 2, 0, 0, 0, time.UTC)

		charger := w.submit(t, Input{Category: "ev_charging", Description: "电动车充电桩不够", Channel: "talk_room", HouseholdID: w.green.ID})
		charger = w.apply(t, charger.ID, Change{Action: Accept, Urgency: General, Handling: Referred, DepartmentID: w.dept.ID})
		if got := charger.DueAt.Format(time.RFC3339); got != "2026-10-13T23:59:59+08:00" || charger.DueEstimated || charger.WorkingDays != 5 {
			t.Errorf("general due %s estimated %v days %d", got, charger.DueEstimated, charger.WorkingDays)
		}
		charger = w.apply(t, charger.ID, Change{Action: AskExtension, Note: "需采购设备", Days: 2})
		charger = w.apply(t, charger.ID, Change{Action: ApproveExtension})
		if got := charger.DueAt.Format(time.RFC3339); got != "2026-10-15T23:59:59+08:00" || charger.Extension != nil {
			t.Errorf("extended due %s, extension %+v", got, charger.Extension)
		}
		charger = w.apply(t, charger.ID, Change{Action: Progress, Note: "已勘察"})
		charger = w.apply(t, charger.ID, Change{Action: Resolve, Note: "新增充电桩10个"})
		if _, err := w.s.Apply(t.Context(), clerk, charger.ID, Change{Action: Callback, Method: "phone", Result: Dissatisfied, Note: "还想要更多"}); !isField(err, "reason") {
			t.Errorf("dissatisfied without a reason: %v", err)
		}
		if _, err := w.s.Apply(t.Context(), clerk, charger.ID, Change{Action: Callback, Method: "phone", Result: Dissatisfied, Reason: "rude"}); !isField(err, "reason") {
			t.Errorf("unknown reason: %v", err)
		}
		if _, err := w.s.Apply(t.Context(), clerk, charger.ID, Change{Action: Callback, Method: "phone", Result: Satisfied, Reason: "slow"}); !isField(err, "reason") {
			t.Errorf("a reason with a satisfied result: %v", err)
		}
		charger = w.apply(t, charger.ID, Change{Action: Callback, Method: "phone", Result: Dissatisfied, Reason: "not_solved", Note: "还想要更多"})
		if charger.State != Accepted || charger.ResolvedAt != nil || charger.CallbackResult != Dissatisfied || charger.CallbackReason != "not_solved" {
			t.Errorf("reopened %+v", charger)
		}
		charger = w.apply(t, charger.ID, Change{Action: Resolve, Note: "再增5个"})
		charger = w.apply(t, charger.ID, Change{Action: Callback, Method: "phone", Result: Dissatisfied, Reason: "not_solved",
			FollowUp: &household.Need{Kind: "other", Note: "希望再增加充电桩"}})
		if charger.State != Closed || charger.ClosedAt == nil {
			t.Errorf("closed with follow-up %+v", charger)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM needs WHERE household_id = ? AND note = ?`, w.green.ID, "希望再增加充电桩"); n != 1 {
			t.Errorf("follow-up needs %d", n)
		}
		kinds := []string{}
		for _, e := range charger.Timeline {
			kinds = append(kinds, e.Kind)
		}
		want := []string{"submitted", Accept, AskExtension, ApproveExtension, Progress, Resolve, Callback, Resolve, Callback}
		if !slices.Equal(kinds, want) {
			t.Errorf("timeline %v, want %v", kinds, want)
		}
		// The department heard of the referral, the resident of the
		// submission, acceptance and both resolutions.
		if n := count(t, db, `SELECT COUNT(*) FROM outbox WHERE recipient = ? AND kind = 'request.accept'`, "unit:"+itoa(w.dept.ID)); n != 1 {
			t.Errorf("department messages %d", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM outbox WHERE recipient = ? AND channel = 'sms'`, "request:"+itoa(charger.ID)); n != 4 {
			t.Errorf("resident messages %d, want 4", n)
		}
		// The SMS sender finds the resident's phone behind the reference.
		if phone, err := notify.ResolvePhone(ctx, db, "request:"+itoa(charger.ID)); err != nil || phone != householdtest.FamilyPhone {
			t.Errorf("the resident's phone: %q %v", phone, err)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestIllegalAndConflict: an illegal action and a stale version change
// nothing — no timeline entry, no message.
func TestIllegalAndConflict(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := t.Context()
		r := w.submit(t, Input{Category: "repairs", Description: "楼道灯坏了", Channel: "walk_in", HouseholdID: w.red.ID})
		events, msgs := count(t, db, `SELECT COUNT(*) FROM request_events`), count(t, db, `SELECT COUNT(*) FROM outbox`)
		_, err := w.s.Apply(ctx, clerk, r.ID, Change{Action: Resolve, Note: "修好了"})
		var te *TransitionError
		if !errors.As(err, &te) || te.State != Submitted {
			t.Errorf("resolve a submitted request: %v", err)
		}
		w.apply(t, r.ID, Change{Action: Accept, Urgency: General, Handling: Community, Version: r.Version})
		events, msgs = events+1, msgs+2 // the timeline entry; the grid and the resident
		if _, err := w.s.Apply(ctx, clerk, r.ID, Change{Action: Progress, Note: "x", Version: r.Version}); !errors.Is(err, apperr.ErrConflict) || errors.As(err, &te) {
			t.Errorf("stale version: %v", err)
		}
		// A bad input fails the whole step.
		if _, err := w.s.Apply(ctx, clerk, r.ID, Change{Action: AskExtension, Note: "x", Days: 99}); err == nil {
			t.Error("an extension of 99 days passed")
		}
		if e, m := count(t, db, `SELECT COUNT(*) FROM request_events`), count(t, db, `SELECT COUNT(*) FROM outbox`); e != events || m != msgs {
			t.Errorf("events %d messages %d, want %d %d", e, m, events, msgs)
		}
		if got, _ := w.s.Get(ctx, r.ID); got.Version != r.Version+1 || got.State != Accepted {
			t.Errorf("after failures: version %d state %s", got.Version, got.State)
		}
	})
}

// TestScope: a grid leader sees their grid's requests, an officer only
// those referred to their department, a visitor those of their households.
func TestScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := t.Context()
		red := w.submit(t, Input{Category: "repairs", Description: "a", Channel: "walk_in", HouseholdID: w.red.ID})
		green := w.submit(t, Input{Category: "fitness_equipment", Description: "b", Channel: "web", HouseholdID: w.green.ID})
		free := w.submit(t, Input{Category: "environment", Description: "c", Channel: "hotline", Address: "一化小区门口", OrgPath: w.org.Community.Path})
		w.apply(t, green.ID, Change{Action: Accept, Urgency: General, Handling: Referred, DepartmentID: w.dept.ID})
		m := org.TeamMember{CommunityID: w.org.Community.ID, GridID: w.org.Grids[0].ID, Name: "卓玛", Role: org.RoleVolunteer}
		if err := org.CreateTeamMember(ctx, db, &m); err != nil {
			t.Fatal(err)
		}
		if err := w.files.Assign(ctx, m.ID, w.red.ID); err != nil {
			t.Fatal(err)
		}
		for name, c := range map[string]struct {
			scope org.Scope
			want  []int64
		}{
			"admin":   {org.Scope{Paths: []string{w.org.Community.Path}}, []int64{red.ID, green.ID, free.ID}},
			"leader1": {org.Scope{GridIDs: []int64{w.org.Grids[0].ID}}, []int64{red.ID}},
			"officer": {org.Scope{DepartmentPaths: []string{w.dept.Path}}, []int64{green.ID}},
			"visitor": {org.Scope{MemberID: m.ID}, []int64{red.ID}},
			"none":    {org.Scope{}, nil},
		} {
			s := w.s.In(c.scope, w.files)
			rs, n, err := s.List(ctx, Filter{})
			var got []int64
			for _, r := range rs {
				got = append(got, r.ID)
			}
			slices.Sort(got)
			if err != nil || n != len(c.want) || !slices.Equal(got, c.want) {
				t.Errorf("%s sees %v (%d) %v, want %v", name, got, n, err, c.want)
			}
			for _, id := range []int64{red.ID, green.ID, free.ID} {
				if _, err := s.Get(ctx, id); (err == nil) != slices.Contains(c.want, id) {
					t.Errorf("%s get %d: %v", name, id, err)
				}
			}
		}
		// Handed back, the request leaves the officer's view.
		w.apply(t, green.ID, Change{Action: HandBack, Note: "不属于本局职责"})
		if _, n, _ := w.s.In(org.Scope{DepartmentPaths: []string{w.dept.Path}}, w.files).List(ctx, Filter{}); n != 0 {
			t.Errorf("officer still sees %d after the hand-back", n)
		}
	})
}
