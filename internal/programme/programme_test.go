package programme

import (
	"errors"
	"slices"
	"testing"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/household/householdtest"
	"wanhu/internal/org"
	"wanhu/internal/roster"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
	"wanhu/internal/testworld"
)

// world is the org fixture with the widow in the first grid, a family
// with two children (8 and 10) in the second, two party-member teachers,
// and stores as the system, the community's administrator, the first
// grid's leader and an administrator of another community see them.
type world struct {
	db                       *store.DB
	org                      *testworld.Org
	widow, family            *household.Household
	kids                     []int64
	art, music               int64
	all, admin, lead, second *Store
	other                    *Store
	now                      time.Time
}

var secretary = household.Actor{ID: 0, Name: "冯晓霞"}

func newWorld(t *testing.T, db *store.DB) *world {
	t.Helper()
	ctx := t.Context()
	w := &world{db: db, now: time.Date(2026, 12, 3, 2, 0, 0, 0, time.UTC)}
	var err error
	if w.org, err = testworld.NewOrg(ctx, db); err != nil {
		t.Fatal(err)
	}
	files := household.NewStore(db)
	files.SetClock(func() time.Time { return w.now })
	h, ps := householdtest.Widow(w.org)
	if w.widow, err = files.CreateHousehold(ctx, secretary, h, ps); err != nil {
		t.Fatal(err)
	}
	h, ps = householdtest.Family(w.org)
	ps = append(ps, household.Person{Name: "李小雨", IDNumber: householdtest.IDNumber("2018-05-01", 24), Relation: "child", Employment: "student"},
		household.Person{Name: "李小山", IDNumber: householdtest.IDNumber("2016-02-01", 13), Relation: "child", Employment: "student"})
	if w.family, err = files.CreateHousehold(ctx, secretary, h, ps); err != nil {
		t.Fatal(err)
	}
	for _, p := range w.family.Members {
		if p.Relation == "child" {
			w.kids = append(w.kids, p.ID)
		}
	}
	for i, m := range []org.TeamMember{{Name: "马老师", Role: org.RolePartyMember, Skills: []string{"美术老师"}},
		{Name: "韩老师", Role: org.RolePartyMember, Skills: []string{"音乐", "合唱"}}} {
		m.CommunityID = w.org.Community.ID
		if err := org.CreateTeamMember(ctx, db, &m); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			w.art = m.ID
		} else {
			w.music = m.ID
		}
	}
	other := org.Unit{Kind: org.Community, ParentID: w.org.Street.ID, Name: "乐居社区"}
	if err := org.CreateUnit(ctx, db, &other); err != nil {
		t.Fatal(err)
	}
	as := func(scope org.Scope) *Store {
		f := household.NewStore(db).In(scope)
		f.SetClock(func() time.Time { return w.now })
		s := NewStore(db, f).In(scope, f)
		s.SetClock(func() time.Time { return w.now })
		return s
	}
	w.all = as(org.Everything)
	w.admin = as(org.Scope{Paths: []string{w.org.Community.Path}, UserID: 1})
	w.lead = as(org.Scope{GridIDs: []int64{w.org.Grids[0].ID}, UserID: 2})
	w.second = as(org.Scope{GridIDs: []int64{w.org.Grids[1].ID}, UserID: 4})
	w.other = as(org.Scope{Paths: []string{other.Path}, UserID: 3})
	return w
}

func count(t *testing.T, db *store.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRowContext(t.Context(), q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func wantField(t *testing.T, err error, field, code string) {
	t.Helper()
	fe, ok := apperr.AsField(err)
	if !ok || fe.Field != field || fe.Code != code {
		t.Fatalf("err = %v, want field %s code %s", err, field, code)
	}
}

func TestProgrammes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		w := newWorld(t, db)
		// A programme without a roster, as on a fresh database.
		p, err := w.admin.CreateProgramme(ctx, secretary, ProgrammeInput{CommunityID: w.org.Community.ID, Name: "新手父母课堂", Kind: Parenting})
		if err != nil {
			t.Fatal(err)
		}
		if p.Roster != "" || p.Enrolled != 0 || p.Sessions != 0 || p.Version != 1 {
			t.Fatalf("created %+v", p)
		}
		_, err = w.admin.CreateProgramme(ctx, secretary, ProgrammeInput{CommunityID: w.org.Community.ID, Name: "x", Roster: "fire_safety"})
		wantField(t, err, "roster", "not_found")
		_, err = w.admin.CreateProgramme(ctx, secretary, ProgrammeInput{CommunityID: w.org.Community.ID, Name: "x", Kind: "party"})
		wantField(t, err, "kind", "one_of")
		_, err = w.other.CreateProgramme(ctx, secretary, ProgrammeInput{CommunityID: w.org.Community.ID, Name: "x"})
		wantField(t, err, "community_id", "not_found")

		c, err := w.admin.CreateProgramme(ctx, secretary, ProgrammeInput{CommunityID: w.org.Community.ID, Name: "四点半课堂", Kind: FourThirty,
			Roster: "four_thirty", Capacity: 2, Place: "社区活动室"})
		if err != nil {
			t.Fatal(err)
		}
		// Stale edits are refused.
		up, err := w.admin.UpdateProgramme(ctx, c.ID, ProgrammeInput{Name: "四点半课堂", Kind: FourThirty, Roster: "four_thirty", Capacity: 2,
			Place: "党群服务中心", Version: 1})
		if err != nil || up.Version != 2 || up.Place != "党群服务中心" {
			t.Fatalf("update = %+v, %v", up, err)
		}
		if _, err := w.admin.UpdateProgramme(ctx, c.ID, ProgrammeInput{Name: "旧", Kind: FourThirty, Version: 1}); !errors.Is(err, apperr.ErrConflict) {
			t.Fatalf("stale update: %v", err)
		}

		// What candidates are picked with (internal/programme/candidates).
		if _, enrolled, grids, err := w.admin.Enrollable(ctx, c.ID); err != nil || len(enrolled) != 0 || !grids[w.org.Grids[0].ID] || !grids[w.org.Grids[1].ID] {
			t.Fatalf("enrollable: %v %v %v", enrolled, grids, err)
		}
		if _, _, _, err := w.other.Enrollable(ctx, c.ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("other community's enrollable: %v", err)
		}
		ledger := `SELECT COUNT(*) FROM ledger_events WHERE type = 'joined_programme'`
		e, err := w.admin.Enrol(ctx, secretary, c.ID, EnrolInput{PersonID: w.kids[0], Interests: []string{"drawing", "singing"}, Source: "roster",
			EnrolledOn: "2026-11-20"})
		if err != nil {
			t.Fatal(err)
		}
		if e.Name != "李小雨" || e.Age != 8 || len(e.Interests) != 2 || e.HouseholdID != w.family.ID {
			t.Fatalf("enrolment %+v", e)
		}
		if n := count(t, db, ledger+` AND person_id = ? AND household_id = ?`, w.kids[0], w.family.ID); n != 1 {
			t.Fatalf("ledger events = %d", n)
		}
		// Once only; interests from the vocabulary; the widow fills the
		// last place, then the class is full and the failure leaves nothing.
		_, err = w.admin.Enrol(ctx, secretary, c.ID, EnrolInput{PersonID: w.kids[0]})
		wantField(t, err, "person_id", "enrolled")
		_, err = w.admin.Enrol(ctx, secretary, c.ID, EnrolInput{PersonID: w.kids[1], Interests: []string{"poker"}})
		wantField(t, err, "interests", "one_of")
		if _, err := w.admin.Enrol(ctx, secretary, c.ID, EnrolInput{PersonID: w.widow.Members[0].ID, EnrolledOn: "2026-11-20"}); err != nil {
			t.Fatal(err)
		}
		_, err = w.admin.Enrol(ctx, secretary, c.ID, EnrolInput{PersonID: w.kids[1], Interests: []string{"homework"}})
		wantField(t, err, "person_id", "full")
		if n := count(t, db, `SELECT COUNT(*) FROM programme_enrolments WHERE programme_id = ?`, c.ID); n != 2 {
			t.Fatalf("enrolments = %d", n)
		}
		if n := count(t, db, ledger); n != 2 {
			t.Fatalf("ledger events after a refused enrolment = %d", n)
		}
		if _, err := w.admin.UpdateProgramme(ctx, c.ID, ProgrammeInput{Name: "四点半课堂", Kind: FourThirty, Capacity: 1, Version: 2}); err == nil {
			t.Fatal("capacity below the enrolled was accepted")
		}

		// Scope: the first grid's leader sees the widow only; another
		// community sees nothing, as if it did not exist.
		lp, err := w.lead.Programme(ctx, c.ID)
		if err != nil || lp.Enrolled != 1 {
			t.Fatalf("lead sees %+v, %v", lp, err)
		}
		if es, _ := w.lead.Enrolments(ctx, c.ID); len(es) != 1 || es[0].Name != "王秀兰" {
			t.Fatalf("lead enrolments %+v", es)
		}
		if _, err := w.lead.Enrol(ctx, secretary, c.ID, EnrolInput{PersonID: w.kids[1]}); err == nil {
			t.Fatal("lead enrolled a child of another grid")
		}
		if _, err := w.other.Programme(ctx, c.ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("other community: %v", err)
		}
		if _, err := w.other.Enrolments(ctx, c.ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("other community enrolments: %v", err)
		}
		if _, err := w.other.Enrol(ctx, secretary, c.ID, EnrolInput{PersonID: w.kids[1]}); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("other community enrol: %v", err)
		}
		if ps, _ := w.other.Programmes(ctx); len(ps) != 0 {
			t.Fatalf("other community lists %+v", ps)
		}

		// Sessions, taught by the two teachers; attendance.
		start := time.Date(2026, 12, 1, 8, 30, 0, 0, time.UTC) // 16:30 China
		_, err = w.admin.AddSession(ctx, secretary, c.ID, SessionInput{StartsAt: start, EndsAt: start.Add(-time.Hour)})
		wantField(t, err, "ends_at", "before_start")
		_, err = w.other.AddSession(ctx, secretary, c.ID, SessionInput{StartsAt: start, EndsAt: start.Add(time.Hour)})
		if !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("other community session: %v", err)
		}
		s1, err := w.admin.AddSession(ctx, secretary, c.ID, SessionInput{StartsAt: start, EndsAt: start.Add(90 * time.Minute), Topic: "画画",
			StaffIDs: []int64{w.art}})
		if err != nil || len(s1.Staff) != 1 || s1.Place != "党群服务中心" {
			t.Fatalf("session = %+v, %v", s1, err)
		}
		s2, err := w.admin.AddSession(ctx, secretary, c.ID, SessionInput{StartsAt: start.Add(48 * time.Hour), EndsAt: start.Add(49 * time.Hour),
			StaffIDs: []int64{w.music, w.art}})
		if err != nil {
			t.Fatal(err)
		}
		es, _ := w.admin.Enrolments(ctx, c.ID)
		if _, err := w.admin.SetAttendance(ctx, c.ID, s1.ID, []int64{es[0].ID, es[1].ID}); err != nil {
			t.Fatal(err)
		}
		got, err := w.admin.SetAttendance(ctx, c.ID, s2.ID, []int64{e.ID})
		if err != nil || got.Attended != 1 {
			t.Fatalf("attendance = %+v, %v", got, err)
		}
		_, err = w.admin.SetAttendance(ctx, c.ID, s2.ID, []int64{999})
		wantField(t, err, "present", "not_enrolled")
		// The lead's attendance list leaves the child of grid 2 as it was.
		if _, err := w.lead.SetAttendance(ctx, c.ID, s2.ID, nil); err != nil {
			t.Fatal(err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM programme_attendance WHERE session_id = ?`, s2.ID); n != 1 {
			t.Fatalf("attendance after the lead's save = %d", n)
		}

		// Teachers per interest.
		ts, err := w.admin.Teachers(ctx, c.ID, "zh")
		if err != nil {
			t.Fatal(err)
		}
		byCode := map[string]Teacher{}
		for _, x := range ts {
			byCode[x.Interest] = x
		}
		if d := byCode["drawing"]; d.Children != 1 || len(d.Members) != 1 || d.Members[0].ID != w.art {
			t.Fatalf("drawing: %+v", d)
		}
		if d := byCode["singing"]; len(d.Members) != 1 || d.Members[0].ID != w.music {
			t.Fatalf("singing: %+v", d)
		}

		// Statistics.
		st, err := w.admin.Stats(ctx, calendar.Date{Y: 2026, M: 12, D: 1}, calendar.Date{Y: 2026, M: 12, D: 31})
		if err != nil {
			t.Fatal(err)
		}
		if st.FourThirty != 2 {
			t.Fatalf("four-thirty children = %d", st.FourThirty)
		}
		var rate Rate
		for _, r := range st.Rates {
			if r.ProgrammeID == c.ID {
				rate = r
			}
		}
		if rate.Sessions != 2 || rate.Expected != 4 || rate.Attendances != 3 || rate.Rate != 0.75 {
			t.Fatalf("rate %+v", rate)
		}
		persons := 0
		for _, m := range st.Months {
			if m.ProgrammeID == c.ID && m.Month == "2026-12" {
				persons += m.Persons
			}
		}
		if persons != 2 || len(st.Months) != 2 {
			t.Fatalf("months %+v", st.Months)
		}
		// The lead of the first grid counts its one child: there at the
		// first session, not enrolled-and-absent at the second.
		lst, err := w.lead.Stats(ctx, calendar.Date{Y: 2026, M: 12, D: 1}, calendar.Date{Y: 2026, M: 12, D: 31})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range lst.Rates {
			if r.ProgrammeID == c.ID && (r.Enrolled != 1 || r.Sessions != 2 || r.Attendances != 1 || r.Expected != 2) {
				t.Fatalf("lead's rate %+v", r)
			}
		}
		if len(lst.Months) != 1 || lst.Months[0].GridID != w.org.Grids[0].ID || lst.Months[0].Persons != 1 {
			t.Fatalf("lead's months %+v", lst.Months)
		}
		if ost, err := w.other.Stats(ctx, calendar.Date{Y: 2026, M: 12, D: 1}, calendar.Date{Y: 2026, M: 12, D: 31}); err != nil ||
			len(ost.Rates) != 0 || len(ost.Months) != 0 {
			t.Fatalf("other community's stats %+v, %v", ost, err)
		}
		// The household file's programmes.
		if hs, err := w.second.HouseholdEnrolments(ctx, w.family.ID); err != nil || len(hs) != 1 || hs[0].Attended != 2 {
			t.Fatalf("household enrolments = %+v, %v", hs, err)
		}
		if _, err := w.lead.HouseholdEnrolments(ctx, w.family.ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("lead reads another grid's household: %v", err)
		}
		// The file page's read checks no scope of its own: out of scope
		// it lists nothing.
		if es, su, err := w.second.HouseholdFile(ctx, w.family.ID); err != nil || len(es) != 1 || es[0].Attended != 2 || len(su) != 0 {
			t.Fatalf("household file = %+v, %+v, %v", es, su, err)
		}
		if es, su, err := w.lead.HouseholdFile(ctx, w.family.ID); err != nil || len(es) != 0 || len(su) != 0 {
			t.Fatalf("lead's file read of another grid's household = %+v, %+v, %v", es, su, err)
		}

		// The widow leaves: the class counts one, her place is free, her
		// attendance stays; enrolling her again brings her back.
		widow := es[0]
		if widow.PersonID != w.widow.Members[0].ID {
			widow = es[1]
		}
		if _, err := w.lead.Withdraw(ctx, c.ID, e.ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("lead withdraws another grid's child: %v", err)
		}
		left, err := w.admin.Withdraw(ctx, c.ID, widow.ID)
		if err != nil || left.LeftOn.IsZero() || left.Attended != 1 {
			t.Fatalf("withdraw = %+v, %v", left, err)
		}
		if p, _ := w.admin.Programme(ctx, c.ID); p.Enrolled != 1 {
			t.Fatalf("enrolled after a withdrawal: %d", p.Enrolled)
		}
		if _, err := w.admin.Enrol(ctx, secretary, c.ID, EnrolInput{PersonID: w.kids[1], Interests: []string{"homework"}}); err != nil {
			t.Fatalf("the freed place: %v", err)
		}
		_, err = w.admin.Enrol(ctx, secretary, c.ID, EnrolInput{PersonID: w.widow.Members[0].ID})
		wantField(t, err, "person_id", "full")
		if _, err := w.admin.Withdraw(ctx, c.ID, e.ID); err != nil {
			t.Fatal(err)
		}
		back, err := w.admin.Enrol(ctx, secretary, c.ID, EnrolInput{PersonID: w.widow.Members[0].ID})
		if err != nil || back.ID != widow.ID || !back.LeftOn.IsZero() {
			t.Fatalf("back = %+v, %v", back, err)
		}
		if hs, _ := w.admin.HouseholdEnrolments(ctx, w.family.ID); len(hs) != 2 {
			t.Fatalf("the family's enrolments, the one who left among them: %+v", hs)
		}

		// Served hours: 1.5 + 1 for the art teacher, 1 for the music teacher.
		hours, err := ServedHours(ctx, db, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		if hours[w.art] != 2.5 || hours[w.music] != 1 {
			t.Fatalf("hours = %v", hours)
		}
		hours, _ = ServedHours(ctx, db, time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC), time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC))
		if hours[w.art] != 1 {
			t.Fatalf("hours from 2 December = %v", hours)
		}
		// Check-ups: each person comes to one of the days, so the rate is
		// of the persons enrolled (two of two), not of every day (two of four).
		ck, err := w.admin.CreateProgramme(ctx, secretary, ProgrammeInput{CommunityID: w.org.Community.ID, Name: "老年人免费体检", Kind: Checkup})
		if err != nil {
			t.Fatal(err)
		}
		var ce []int64
		for _, pid := range []int64{w.widow.Members[0].ID, w.kids[1]} {
			e, err := w.admin.Enrol(ctx, secretary, ck.ID, EnrolInput{PersonID: pid, EnrolledOn: "2026-11-20"})
			if err != nil {
				t.Fatal(err)
			}
			ce = append(ce, e.ID)
		}
		for i, id := range ce {
			day := start.Add(time.Duration(i) * 24 * time.Hour)
			x, err := w.admin.AddSession(ctx, secretary, ck.ID, SessionInput{StartsAt: day, EndsAt: day.Add(3 * time.Hour)})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.admin.SetAttendance(ctx, ck.ID, x.ID, []int64{id}); err != nil {
				t.Fatal(err)
			}
		}
		cst, err := w.admin.Stats(ctx, calendar.Date{Y: 2026, M: 12, D: 1}, calendar.Date{Y: 2026, M: 12, D: 31})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range cst.Rates {
			if r.ProgrammeID == ck.ID && (r.Sessions != 2 || r.Expected != 2 || r.Attendances != 2 || r.Rate != 1) {
				t.Errorf("check-up rate %+v, want the two enrolled both come", r)
			}
		}
	})
}

func TestActivities(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		w := newWorld(t, db)
		start := w.now.Add(72 * time.Hour)
		in := ActivityInput{CommunityID: w.org.Community.ID, Title: "邻里节", Kind: "festival", StartsAt: start, EndsAt: start.Add(3 * time.Hour),
			Capacity: 4, PerHousehold: 3, StaffIDs: []int64{w.art}}
		a, err := w.admin.CreateActivity(ctx, secretary, in)
		if err != nil {
			t.Fatal(err)
		}
		if !a.Open || a.Free() != 4 || len(a.Staff) != 1 {
			t.Fatalf("activity %+v", a)
		}
		// The public page: no account, the household of the card.
		public := NewStore(db, household.NewStore(db))
		public.SetClock(func() time.Time { return w.now })
		public.PerClientHour = 1
		_, err = public.SignUp(ctx, household.Actor{Name: "resident"}, a.ID, SignupInput{HouseholdID: w.family.ID, People: 4, Via: ViaQR, ClientAddr: "10.0.0.1"})
		wantField(t, err, "people", "per_household")
		su, err := public.SignUp(ctx, household.Actor{Name: "resident"}, a.ID, SignupInput{HouseholdID: w.family.ID, People: 3, Phone: "138-0000-1111",
			Via: ViaQR, ClientAddr: "10.0.0.1"})
		if err != nil || su.People != 3 || su.Via != ViaQR {
			t.Fatalf("sign-up = %+v, %v", su, err)
		}
		// One sign-up per household: signing up again changes it.
		su, err = public.SignUp(ctx, household.Actor{Name: "resident"}, a.ID, SignupInput{HouseholdID: w.family.ID, People: 2, Via: ViaQR, ClientAddr: "10.0.0.1"})
		if err != nil || su.People != 2 {
			t.Fatalf("second sign-up = %+v, %v", su, err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM activity_signups WHERE activity_id = ?`, a.ID); n != 1 {
			t.Fatalf("sign-ups = %d", n)
		}
		// Over the client's limit.
		_, err = public.SignUp(ctx, household.Actor{Name: "resident"}, a.ID, SignupInput{HouseholdID: w.widow.ID, People: 1, Via: ViaQR, ClientAddr: "10.0.0.1"})
		if !errors.Is(err, ErrTooMany) {
			t.Fatalf("over the limit: %v", err)
		}
		// Capacity: 2 taken of 4, the widow asks for 3.
		_, err = public.SignUp(ctx, household.Actor{Name: "resident"}, a.ID, SignupInput{HouseholdID: w.widow.ID, People: 3, Via: ViaQR, ClientAddr: "10.0.0.2"})
		wantField(t, err, "people", "full")
		if _, err := w.lead.SignUp(ctx, secretary, a.ID, SignupInput{HouseholdID: w.widow.ID, People: 1, Via: ViaStaff}); err != nil {
			t.Fatal(err)
		}
		// A stale edit is refused; closing the sign-up refuses sign-ups.
		closed := false
		in.Open, in.Version = &closed, 1
		if _, err := w.admin.UpdateActivity(ctx, a.ID, in); err != nil {
			t.Fatal(err)
		}
		if _, err := w.admin.UpdateActivity(ctx, a.ID, in); !errors.Is(err, apperr.ErrConflict) {
			t.Fatalf("stale: %v", err)
		}
		_, err = public.SignUp(ctx, household.Actor{Name: "resident"}, a.ID, SignupInput{HouseholdID: w.widow.ID, People: 1, Via: ViaQR, ClientAddr: "10.0.0.3"})
		wantField(t, err, "activity_id", "closed")

		// The list on the day, by scope.
		if ss, _ := w.lead.Signups(ctx, a.ID); len(ss) != 1 || ss[0].HouseholdID != w.widow.ID {
			t.Fatalf("lead's list %+v", ss)
		}
		if _, err := w.other.Signups(ctx, a.ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("other community list: %v", err)
		}
		all, _ := w.admin.Signups(ctx, a.ID)
		if len(all) != 2 {
			t.Fatalf("admin's list %+v", all)
		}
		fam := all[0]
		if fam.HouseholdID != w.family.ID {
			fam = all[1]
		}
		_, err = w.admin.MarkAttended(ctx, secretary, a.ID, fam.ID, 3)
		wantField(t, err, "attended", "range")
		if _, err := w.lead.MarkAttended(ctx, secretary, a.ID, fam.ID, 2); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("lead marks another grid: %v", err)
		}
		if _, err := w.admin.MarkAttended(ctx, secretary, a.ID, fam.ID, 2); err != nil {
			t.Fatal(err)
		}
		if _, err := w.admin.MarkAttended(ctx, secretary, a.ID, fam.ID, 1); err != nil {
			t.Fatal(err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM ledger_events WHERE type = 'joined_programme' AND household_id = ?`, w.family.ID); n != 1 {
			t.Fatalf("ledger events = %d", n)
		}
		hours, err := ServedHours(ctx, db, w.now, w.now.Add(7*24*time.Hour))
		if err != nil || hours[w.art] != 3 {
			t.Fatalf("hours = %v, %v", hours, err)
		}
		if hs, err := w.admin.HouseholdSignups(ctx, w.family.ID); err != nil || len(hs) != 1 || hs[0].Attended != 1 {
			t.Fatalf("household sign-ups %+v, %v", hs, err)
		}
		if _, su, err := w.admin.HouseholdFile(ctx, w.family.ID); err != nil || len(su) != 1 || su[0].Attended != 1 {
			t.Fatalf("household file's sign-ups %+v, %v", su, err)
		}
	})
}

// TestRostersInStep: the rosters a programme may name are the built-in
// rosters of people.
func TestRostersInStep(t *testing.T) {
	var want []string
	for _, d := range roster.Builtins {
		if d.Entity == roster.Person {
			want = append(want, d.Name)
		}
	}
	if !slices.Equal(Rosters, want) {
		t.Errorf("Rosters = %v, the rosters of people are %v", Rosters, want)
	}
}
