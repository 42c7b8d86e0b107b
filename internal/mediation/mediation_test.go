package mediation

import (
	"errors"
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

// world is the org fixture with a household in each grid, the city
// management bureau, two mediators, and stores as the system, the
// community's administrator, the first grid's leader and an
// administrator of another community see them.
type world struct {
	db               *store.DB
	org              *testworld.Org
	widow, family    *household.Household
	cityManagement   int64
	mediators        []int64
	all, admin, lead *Store
	other            *Store
	now              time.Time
}

var secretary = household.Actor{ID: 0, Name: "冯晓霞"}

func newWorld(t *testing.T, db *store.DB) *world {
	t.Helper()
	ctx := t.Context()
	w := &world{db: db, now: time.Date(2026, 12, 3, 2, 0, 0, 0, time.UTC)} // 10:00 in China
	var err error
	if w.org, err = testworld.NewOrg(ctx, db); err != nil {
		t.Fatal(err)
	}
	files := household.NewStore(db)
	h, ps := householdtest.Widow(w.org)
	if w.widow, err = files.CreateHousehold(ctx, secretary, h, ps); err != nil {
		t.Fatal(err)
	}
	h, ps = householdtest.Family(w.org)
	if w.family, err = files.CreateHousehold(ctx, secretary, h, ps); err != nil {
		t.Fatal(err)
	}
	d := org.Unit{Kind: org.Department, ParentID: w.org.District.ID, Name: "区城市管理局"}
	if err := org.CreateUnit(ctx, db, &d); err != nil {
		t.Fatal(err)
	}
	w.cityManagement = d.ID
	for _, m := range []org.TeamMember{{Name: "张明", Role: org.RoleBuildingHead}, {Name: "马老师", Role: org.RolePartyMember}} {
		m.CommunityID = w.org.Community.ID
		if err := org.CreateTeamMember(ctx, db, &m); err != nil {
			t.Fatal(err)
		}
		w.mediators = append(w.mediators, m.ID)
	}
	other := org.Unit{Kind: org.Community, ParentID: w.org.Street.ID, Name: "乐居社区"}
	if err := org.CreateUnit(ctx, db, &other); err != nil {
		t.Fatal(err)
	}
	as := func(scope org.Scope) *Store {
		f := household.NewStore(db).In(scope)
		rs := request.NewStore(db, f).In(scope, f)
		s := NewStore(db, f, rs).In(scope, f, rs)
		s.SetClock(func() time.Time { return w.now })
		return s
	}
	w.all = as(org.Everything)
	w.admin = as(org.Scope{Paths: []string{w.org.Community.Path}, UserID: 1})
	w.lead = as(org.Scope{GridIDs: []int64{w.org.Grids[0].ID}, UserID: 2})
	w.other = as(org.Scope{Paths: []string{other.Path}, UserID: 3})
	return w
}

// TestTalkRoom: the secretary's session logs the widow, who asks about her
// pension, and a passer-by without a file whose stray-dog complaint
// becomes a request referred to 城管; the first grid's leader sees the
// session through the widow with the passer-by hidden, another
// community's administrator does not see it at all, and bad input is
// refused, naming its field, with nothing written.
func TestTalkRoom(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := t.Context()
		sess, err := w.admin.CreateSession(ctx, secretary, SessionInput{Day: "2026-12-03", Starts: "09:00", Ends: "11:00", Host: "冯晓霞",
			Home: w.org.Community.Path})
		if err != nil {
			t.Fatal(err)
		}
		if sess.CommunityID != w.org.Community.ID || sess.Version != 1 {
			t.Errorf("session %+v", sess)
		}
		for _, c := range []struct {
			in    SessionInput
			field string
		}{
			{SessionInput{Day: "2026-12-32", Starts: "09:00", Ends: "11:00", Host: "x", Home: w.org.Community.Path}, "day"},
			{SessionInput{Day: "2026-12-03", Starts: "9点", Ends: "11:00", Host: "x", Home: w.org.Community.Path}, "starts"},
			{SessionInput{Day: "2026-12-03", Starts: "11:00", Ends: "09:00", Host: "x", Home: w.org.Community.Path}, "ends"},
			{SessionInput{Day: "2026-12-03", Starts: "09:00", Ends: "11:00", Host: " ", Home: w.org.Community.Path}, "host"},
			{SessionInput{Day: "2026-12-03", Starts: "09:00", Ends: "11:00", Host: "x", Home: w.org.Street.Path}, "community_id"},
			{SessionInput{Day: "2026-12-03", Starts: "09:00", Ends: "11:00", Host: "x", CommunityID: w.org.Community.ID}, ""},
		} {
			s := w.admin
			if c.field == "" { // another community's administrator names this one
				s, c.field = w.other, "community_id"
			}
			if _, err := s.CreateSession(ctx, secretary, c.in); fieldOf(err) != c.field {
				t.Errorf("%+v: %v, want an error on %s", c.in, err, c.field)
			}
		}

		if _, err := w.admin.AddVisitor(ctx, secretary, sess.ID, VisitorInput{HouseholdID: w.widow.ID, Said: "养老金什么时候发"}); err != nil {
			t.Fatal(err)
		}
		bad := VisitorInput{Name: "路过的居民", Said: "小区流浪狗多，晚上不敢出门",
			Request: &NewRequest{Category: "environment", DepartmentID: w.family.ID}}
		if _, err := w.admin.AddVisitor(ctx, secretary, sess.ID, bad); fieldOf(err) != "request.department_id" {
			t.Errorf("a household as department: %v", err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM requests`); n != 0 {
			t.Errorf("a refused visitor made %d requests", n)
		}
		bad.Request.DepartmentID = w.cityManagement
		got, err := w.admin.AddVisitor(ctx, secretary, sess.ID, bad)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Visitors) != 2 || got.Requests != 1 || got.Version != 3 {
			t.Fatalf("session %+v", got)
		}
		dog := got.Visitors[1]
		r, err := w.all.requests.Get(ctx, dog.RequestID)
		if err != nil {
			t.Fatal(err)
		}
		if r.Channel != "talk_room" || r.State != request.Accepted || r.Handling != request.Referred || r.DepartmentID != w.cityManagement ||
			r.Description != "小区流浪狗多，晚上不敢出门" || r.Address != "东兴社区" {
			t.Errorf("stray-dog request %+v", r)
		}

		seen, err := w.lead.Session(ctx, sess.ID)
		if err != nil {
			t.Fatal(err)
		}
		if v := seen.Visitors; len(v) != 2 || v[0].Said != "养老金什么时候发" || v[0].Name != "王秀兰" || !v[1].Hidden || v[1].Said != "" || v[1].Name != "" {
			t.Errorf("the grid leader sees %+v", v)
		}
		if _, err := w.other.Session(ctx, sess.ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("another community's administrator: %v, want not found", err)
		}
		if _, total, err := w.other.Sessions(ctx, SessionFilter{}); err != nil || total != 0 {
			t.Errorf("another community lists %d sessions (%v)", total, err)
		}
		if _, total, err := w.lead.Sessions(ctx, SessionFilter{}); err != nil || total != 1 {
			t.Errorf("the grid leader lists %d sessions (%v)", total, err)
		}
		if _, err := w.lead.AddVisitor(ctx, secretary, sess.ID, VisitorInput{HouseholdID: w.family.ID, Said: "x"}); fieldOf(err) != "household_id" {
			t.Errorf("the grid leader adds another grid's household: %v", err)
		}

		if _, err := w.admin.UpdateSession(ctx, sess.ID, SessionInput{Day: "2026-12-03", Starts: "09:00", Ends: "11:30", Host: "冯晓霞", Version: 1}); !errors.Is(err, apperr.ErrConflict) {
			t.Errorf("a stale update: %v, want a conflict", err)
		}
		up, err := w.admin.UpdateSession(ctx, sess.ID, SessionInput{Day: "2026-12-03", Starts: "09:00", Ends: "11:30", Host: "冯晓霞", Version: 3})
		if err != nil || up.Ends != "11:30" || up.Version != 4 {
			t.Errorf("update: %+v %v", up, err)
		}

		of, err := w.all.ForHousehold(ctx, w.widow.ID)
		if err != nil || len(of.Visits) != 1 || of.Visits[0].Said != "养老金什么时候发" || of.Visits[0].Host != "冯晓霞" {
			t.Errorf("the widow's file: %+v %v", of, err)
		}
		if of != nil && (of.Cases == nil || len(of.Cases) != 0) {
			t.Errorf("the widow is no party to a case: %#v, want an empty list", of.Cases)
		}
	})
}

// TestMediation: a case between the two households, with two mediators,
// a session and an agreement; the first grid's leader sees it with the
// other party hidden; a stale or bad update changes nothing; an
// escalation makes one request referred to the department, once.
func TestMediation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := t.Context()
		in := CaseInput{Title: "楼上漏水渗到楼下", HouseholdIDs: []int64{w.widow.ID, w.family.ID}, MediatorIDs: w.mediators}
		for _, c := range []struct {
			change func(*CaseInput)
			field  string
		}{
			{func(c *CaseInput) { c.HouseholdIDs = c.HouseholdIDs[:1] }, "household_ids"},
			{func(c *CaseInput) { c.MediatorIDs = nil }, "mediator_ids"},
			{func(c *CaseInput) { c.MediatorIDs = []int64{999} }, "mediator_ids"},
			{func(c *CaseInput) { c.Outcome = Agreed }, "agreement"},
			{func(c *CaseInput) { c.Outcome = "won" }, "outcome"},
			{func(c *CaseInput) { c.OpenedOn = "2027-01-01" }, "opened_on"},
			{func(c *CaseInput) { c.FollowUpOn = "2026-11-01" }, "follow_up_on"},
			{func(c *CaseInput) { c.Title = "" }, "title"},
		} {
			bad := in
			c.change(&bad)
			if _, err := w.admin.CreateCase(ctx, secretary, bad); fieldOf(err) != c.field {
				t.Errorf("%+v: %v, want an error on %s", bad, err, c.field)
			}
		}
		if _, err := w.lead.CreateCase(ctx, secretary, in); fieldOf(err) != "household_ids" {
			t.Errorf("the grid leader names another grid's household: %v", err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM mediation_cases`); n != 0 {
			t.Fatalf("refused cases left %d rows", n)
		}
		c, err := w.admin.CreateCase(ctx, secretary, in)
		if err != nil {
			t.Fatal(err)
		}
		if c.OpenedOn != "2026-12-03" || len(c.Parties) != 2 || len(c.Mediators) != 2 || c.CommunityID != w.org.Community.ID {
			t.Errorf("case %+v", c)
		}
		held := w.now.Add(-time.Hour)
		if c, err = w.admin.AddMeeting(ctx, secretary, c.ID, MeetingInput{HeldAt: &held, Note: "两户到场，各自陈述"}); err != nil || len(c.Sessions) != 1 {
			t.Fatalf("meeting: %+v %v", c, err)
		}
		agreed := in
		agreed.Outcome, agreed.Agreement, agreed.FollowUpOn, agreed.Version = Agreed, "楼上三日内修好防水，承担楼下墙面修补费用", "2026-12-10", 1
		if _, err := w.admin.UpdateCase(ctx, c.ID, agreed); !errors.Is(err, apperr.ErrConflict) {
			t.Errorf("a stale update: %v", err)
		}
		agreed.Version = c.Version
		if c, err = w.admin.UpdateCase(ctx, c.ID, agreed); err != nil || c.Outcome != Agreed || c.FollowUpOn != "2026-12-10" {
			t.Fatalf("agreement: %+v %v", c, err)
		}

		seen, err := w.lead.Case(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if p := seen.Parties; len(p) != 2 || p[0].HouseholdID != w.widow.ID || p[0].Address == "" || !p[1].Hidden || p[1].HouseholdID != 0 {
			t.Errorf("the grid leader sees parties %+v", p)
		}
		if _, err := w.other.Case(ctx, c.ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("another community: %v", err)
		}
		if _, err := w.admin.Escalate(ctx, secretary, c.ID, 0, NewRequest{}); fieldOf(err) != "department_id" {
			t.Errorf("escalation without a department: %v", err)
		}
		esc, err := w.admin.Escalate(ctx, secretary, c.ID, c.Version, NewRequest{DepartmentID: w.cityManagement, Description: "双方再起冲突"})
		if err != nil {
			t.Fatal(err)
		}
		r, err := w.all.requests.Get(ctx, esc.RequestID)
		if err != nil || r.Category != "neighbour_dispute" || r.DepartmentID != w.cityManagement || r.HouseholdID != w.widow.ID {
			t.Errorf("escalation request %+v %v", r, err)
		}
		if _, err := w.admin.Escalate(ctx, secretary, c.ID, 0, NewRequest{DepartmentID: w.cityManagement}); !errors.Is(err, apperr.ErrConflict) {
			t.Errorf("a second escalation: %v", err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM requests`); n != 1 {
			t.Errorf("%d requests, want 1", n)
		}
		of, err := w.all.ForHousehold(ctx, w.family.ID)
		if err != nil || len(of.Cases) != 1 || of.Cases[0].Agreement == "" {
			t.Errorf("the family's file: %+v %v", of, err)
		}
	})
}

func fieldOf(err error) string {
	if fe, ok := apperr.AsField(err); ok {
		return fe.Field
	}
	return ""
}

func count(t *testing.T, db *store.DB, q string) int {
	t.Helper()
	var n int
	if err := db.QueryRowContext(t.Context(), q).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
