package staff

import (
	"errors"
	"strconv"
	"testing"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/calendar"
	"wanhu/internal/feedback"
	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/request"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

func fieldOf(err error) string {
	if fe, ok := apperr.AsField(err); ok {
		return fe.Field
	}
	return ""
}

// TestFeedback: the dissatisfied callback for attitude on r2 is a
// complaint about A, who resolved it; the office records 李奶奶's thanks of
// B and a complaint about A; bad input names its field; the first grid's
// leader reaches A's records only; a complaint is looked into and closed,
// and steps its status does not allow are refused with nothing changed;
// the scorecards show the praise beside the complaints, and the named
// complaint weighs in A's score.
func TestFeedback(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		w := newWorld(t, db)
		w.fill(t)
		all := feedback.NewStore(db)
		all.SetClock(func() time.Time { return w.now })
		admin := all.In(org.Scope{Paths: []string{w.org.Community.Path}, UserID: 9})
		lead := all.In(org.Scope{GridIDs: []int64{w.org.Grids[0].ID}, UserID: 8})

		cs, err := all.List(ctx, feedback.Filter{Kind: feedback.Complaint})
		if err != nil {
			t.Fatal(err)
		}
		if len(cs) != 1 || cs[0].MemberID != w.a.ID || cs[0].Source != feedback.FromCallback || cs[0].Status != feedback.Open ||
			cs[0].Body != "态度差" || cs[0].RequestID == 0 || cs[0].Subject != "张网格" {
			t.Fatalf("callback complaints %+v", cs)
		}

		secretary := household.Actor{Name: "冯晓霞"}
		thanks, err := admin.Record(ctx, secretary, feedback.Input{Kind: feedback.Praise, MemberID: w.b.ID, FromName: "李奶奶",
			Body: "要是你们不来，我都不知道该咋办"})
		if err != nil {
			t.Fatal(err)
		}
		if thanks.Source != feedback.FromOffice || thanks.Status != "" || thanks.Subject != "李志愿" || thanks.GridID != w.org.Grids[1].ID {
			t.Errorf("thanks %+v", thanks)
		}
		for _, c := range []struct {
			in    feedback.Input
			field string
		}{
			{feedback.Input{Kind: "thanks", MemberID: w.a.ID}, "kind"},
			{feedback.Input{Kind: feedback.Complaint, MemberID: w.a.ID, Body: " "}, "body"},
			{feedback.Input{Kind: feedback.Praise}, "member_id"},
			{feedback.Input{Kind: feedback.Praise, MemberID: 99999}, "member_id"},
			{feedback.Input{Kind: feedback.Praise, UserID: w.dept}, "request_id"},
			{feedback.Input{Kind: feedback.Praise, MemberID: w.a.ID, Source: "wechat"}, "source"},
			{feedback.Input{Kind: feedback.Praise, MemberID: w.a.ID, Source: feedback.FromVisit}, "visit_id"},
		} {
			if _, err := admin.Record(ctx, secretary, c.in); fieldOf(err) != c.field {
				t.Errorf("%+v: %v, want an error on %s", c.in, err, c.field)
			}
		}
		// The first grid's leader: B (grid 2) is as unknown as a member
		// that does not exist.
		if _, err := lead.Record(ctx, secretary, feedback.Input{Kind: feedback.Praise, MemberID: w.b.ID}); fieldOf(err) != "member_id" {
			t.Errorf("lead records of B: %v", err)
		}
		if _, err := lead.Get(ctx, thanks.ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("lead reads B's thanks: %v", err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM feedback`); n != 2 {
			t.Errorf("%d records after the refused ones, want 2", n)
		}
		seen, err := lead.List(ctx, feedback.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(seen) != 1 || seen[0].ID != cs[0].ID {
			t.Errorf("lead lists %+v", seen)
		}

		office, err := admin.Record(ctx, secretary, feedback.Input{Kind: feedback.Complaint, MemberID: w.a.ID, FromName: "王先生",
			Body: "入户时不耐烦"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := admin.Handle(ctx, secretary, office.ID, feedback.Handling{Status: feedback.Closed}); fieldOf(err) != "outcome" {
			t.Errorf("closed without an outcome: %v", err)
		}
		looked, err := lead.Handle(ctx, secretary, office.ID, feedback.Handling{Status: feedback.LookedInto, Outcome: "已找本人谈话", Version: 1})
		if err != nil {
			t.Fatal(err)
		}
		if looked.Status != feedback.LookedInto || looked.Version != 2 || looked.HandledBy != "冯晓霞" || looked.HandledAt == nil {
			t.Errorf("looked into %+v", looked)
		}
		if _, err := admin.Handle(ctx, secretary, office.ID, feedback.Handling{Status: feedback.Closed, Outcome: "x", Version: 1}); !errors.Is(err, apperr.ErrConflict) {
			t.Errorf("stale version: %v", err)
		}
		closed, err := admin.Handle(ctx, secretary, office.ID, feedback.Handling{Status: feedback.Closed, Outcome: "已向居民道歉，居民表示谅解"})
		if err != nil {
			t.Fatal(err)
		}
		var te *feedback.TransitionError
		if _, err := admin.Handle(ctx, secretary, office.ID, feedback.Handling{Status: feedback.LookedInto}); !errors.As(err, &te) {
			t.Errorf("closed → looked into: %v", err)
		}
		if _, err := admin.Handle(ctx, secretary, thanks.ID, feedback.Handling{Status: feedback.Closed, Outcome: "x"}); !errors.As(err, &te) {
			t.Errorf("praise handled: %v", err)
		}
		if _, err := lead.Handle(ctx, secretary, thanks.ID, feedback.Handling{Status: feedback.Closed, Outcome: "x"}); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("lead handles B's record: %v", err)
		}
		after, err := admin.Get(ctx, office.ID)
		if err != nil {
			t.Fatal(err)
		}
		if after.Status != feedback.Closed || after.Version != closed.Version || after.Outcome != "已向居民道歉，居民表示谅解" {
			t.Errorf("after the refused steps %+v (closed %+v)", after, closed)
		}

		p, err := PeriodOf("", "", calendar.DateOf(w.now))
		if err != nil {
			t.Fatal(err)
		}
		weights := Weights{Visits: 40, OnTime: 20, Satisfaction: 20, Complaints: 10, Training: 10, WeeklyVisits: 4, TrainingHours: 10, ComplaintPenalty: 30}
		rep, err := Scorecards(ctx, db, org.Everything, p, weights, 0)
		if err != nil {
			t.Fatal(err)
		}
		by := map[int64]Scorecard{}
		for _, c := range rep.Scorecards {
			by[c.MemberID] = c
		}
		a, b := by[w.a.ID], by[w.b.ID]
		// A: two complaints now (the callback's and the office's): the
		// complaints part is 100 − 2×30 = 40.
		var part *float64
		for _, c := range a.Components {
			if c.Key == "complaints" {
				part = c.Value
			}
		}
		if a.Complaints != 2 || a.Praise != 0 || part == nil || *part != 40 || a.Score == nil {
			t.Errorf("A %+v, complaints part %v", a, deref(part))
		}
		if b.Praise != 1 || b.PraiseLatest != "要是你们不来，我都不知道该咋办" || b.Complaints != 0 {
			t.Errorf("B %+v", b)
		}
	})
}

// TestPublicFeedback: after rating, the resident's page offers the
// people who handled the request and those who visited the household
// since, by name; one praise per person and request; nobody else; nothing
// before the rating; the address's limit.
func TestPublicFeedback(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		w := newWorld(t, db)
		w.fill(t)
		rs := request.NewStore(db, household.NewStore(db))
		var r1 request.Request
		if err := db.QueryRowContext(ctx, `SELECT id, tracking_code FROM requests WHERE callback_result = 'satisfied'`).Scan(&r1.ID, &r1.TrackingCode); err != nil {
			t.Fatal(err)
		}
		people, err := rs.Thankable(ctx, r1.TrackingCode)
		if err != nil {
			t.Fatal(err)
		}
		// A resolved it; B visited the household since (with A).
		if len(people) != 2 || people[0].Name != "张网格" || people[1].Name != "李志愿" || people[1].Key != "m:"+strconv.FormatInt(w.b.ID, 10) {
			t.Fatalf("thankable %+v", people)
		}
		praise := feedback.PublicInput{Kind: feedback.Praise, Person: people[0].Key, Body: "小张修得又快又好"}
		if err := rs.GiveFeedback(ctx, r1.TrackingCode, praise, "203.0.113.7"); err != nil {
			t.Fatal(err)
		}
		if err := rs.GiveFeedback(ctx, r1.TrackingCode, praise, "203.0.113.8"); !errors.Is(err, feedback.ErrOnce) {
			t.Errorf("second praise of A on r1: %v", err)
		}
		if err := rs.GiveFeedback(ctx, r1.TrackingCode, feedback.PublicInput{Kind: feedback.Praise, Person: "u:" + strconv.FormatInt(w.dept, 10)}, "203.0.113.7"); fieldOf(err) != "person" {
			t.Errorf("praise of dept, who did not handle it: %v", err)
		}
		if err := rs.GiveFeedback(ctx, r1.TrackingCode, feedback.PublicInput{Kind: feedback.Complaint, Person: people[0].Key}, "203.0.113.7"); fieldOf(err) != "body" {
			t.Errorf("complaint without words: %v", err)
		}
		fresh, err := rs.Submit(ctx, clerk, request.Input{Category: "water_supply", Description: "漏水", Channel: "walk_in", HouseholdID: w.hh[0]})
		if err != nil {
			t.Fatal(err)
		}
		if got, err := rs.Thankable(ctx, fresh.TrackingCode); err != nil || len(got) != 0 {
			t.Errorf("before rating: %+v %v", got, err)
		}
		var te *request.TransitionError
		if err := rs.GiveFeedback(ctx, fresh.TrackingCode, praise, "203.0.113.7"); !errors.As(err, &te) {
			t.Errorf("praise before rating: %v", err)
		}
		if _, err := feedback.AddPublic(ctx, db, request.Resident, r1.ID, feedback.PublicInput{Kind: feedback.Complaint, Person: people[0].Key, Body: "态度不好"},
			"198.51.100.1", 1, w.now); err != nil {
			t.Fatal(err)
		}
		if _, err := feedback.AddPublic(ctx, db, request.Resident, r1.ID, praise, "198.51.100.1", 1, w.now); !errors.Is(err, apperr.ErrTooMany) {
			t.Errorf("over the limit: %v", err)
		}
		got, err := feedback.NewStore(db).List(ctx, feedback.Filter{RequestID: r1.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].RecordedBy != "居民" || got[0].Source != feedback.FromRating {
			t.Errorf("r1's feedback %+v", got)
		}
	})
}

// count runs a COUNT query.
func count(t *testing.T, db *store.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRowContext(t.Context(), query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
