package proactive_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/household/householdtest"
	"wanhu/internal/proactive"
	"wanhu/internal/store"
	"wanhu/internal/testworld"
)

// world is the test world of the rules: the widow 王秀兰 (born
// 1948-03-05, living alone, first grid) and the family of 李建国 (second
// grid).
type world struct {
	db            *store.DB
	org           *testworld.Org
	files         *household.Store
	widow, family *household.Household
}

func newWorld(t *testing.T, db *store.DB) *world {
	t.Helper()
	ctx := context.Background()
	o, err := testworld.NewOrg(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	w := &world{db: db, org: o, files: household.NewStore(db)}
	h, ps := householdtest.Widow(o)
	if w.widow, err = w.files.CreateHousehold(ctx, household.Actor{Name: "test"}, h, ps); err != nil {
		t.Fatal(err)
	}
	h, ps = householdtest.Family(o)
	if w.family, err = w.files.CreateHousehold(ctx, household.Actor{Name: "test"}, h, ps); err != nil {
		t.Fatal(err)
	}
	return w
}

// exec runs q or fails the test.
func (w *world) exec(t *testing.T, q string, args ...any) {
	t.Helper()
	if _, err := w.db.ExecContext(context.Background(), q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// find runs rule code on day with its default parameters changed by set.
func (w *world) find(t *testing.T, code string, day string, set map[string]string) []proactive.Finding {
	t.Helper()
	r := proactive.RuleByCode(code)
	if r == nil {
		t.Fatalf("no rule %s", code)
	}
	v := proactive.Defaults()[code].Params
	for k, x := range set {
		v[k] = x
	}
	fs, err := r.Find(context.Background(), w.db, date(t, day), v)
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

// of returns the findings about household id.
func of(fs []proactive.Finding, id int64) []proactive.Finding {
	return slices.DeleteFunc(slices.Clone(fs), func(f proactive.Finding) bool { return f.HouseholdID != id })
}

func date(t *testing.T, s string) calendar.Date {
	t.Helper()
	d, err := calendar.ParseDate("day", s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// noon is midday in China on day s.
func noon(t *testing.T, s string) time.Time {
	return date(t, s).Midnight().Add(12 * time.Hour)
}

// calendarToday is today in China (the ledger dates events by the clock).
func calendarToday() calendar.Date { return calendar.Today() }
