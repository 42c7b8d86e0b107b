package gen_test

import (
	"context"
	"testing"

	"wanhu/internal/calendar"
	"wanhu/internal/feedback"
	"wanhu/internal/gen"
	"wanhu/internal/org"
	"wanhu/internal/staff"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestDongxingFeedback: the demo has 李奶奶's and 刘奶奶's daughter's thanks
// of their grid workers and the thanks of the volunteer 卓玛, who
// translated, which her scorecard shows beside the complaints; and one
// complaint about attitude, looked into and closed with an outcome.
func TestDongxingFeedback(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := gen.Generate(ctx, db, gen.Options{Households: 600, Today: articleDay}); err != nil {
			t.Fatal(err)
		}
		fs := feedback.NewStore(db)
		praise, err := fs.List(ctx, feedback.Filter{Kind: feedback.Praise})
		if err != nil {
			t.Fatal(err)
		}
		from := map[string]feedback.Feedback{}
		for _, f := range praise {
			from[f.FromName] = f
		}
		if len(praise) != 3 || from["李奶奶"].Body != "要是你们不来，我都不知道该咋办" || from["刘奶奶的女儿"].MemberID == 0 || from["藏族居民"].Subject != "卓玛" {
			t.Fatalf("thanks %+v", praise)
		}
		complaints, err := fs.List(ctx, feedback.Filter{Kind: feedback.Complaint})
		if err != nil {
			t.Fatal(err)
		}
		if len(complaints) != 1 || complaints[0].Status != feedback.Closed || complaints[0].Outcome == "" || complaints[0].Version != 3 {
			t.Fatalf("complaints %+v", complaints)
		}
		p, err := staff.PeriodOf("", "", calendar.DateOf(articleDay.Time()))
		if err != nil {
			t.Fatal(err)
		}
		c, err := staff.ScorecardOf(ctx, db, org.Everything, p, staff.DefaultWeights, from["藏族居民"].MemberID)
		if err != nil {
			t.Fatal(err)
		}
		if c.Role != string(org.RoleVolunteer) || c.Praise != 1 || c.PraiseLatest != from["藏族居民"].Body {
			t.Errorf("卓玛's scorecard %+v", c)
		}
		bad, err := staff.ScorecardOf(ctx, db, org.Everything, p, staff.DefaultWeights, complaints[0].MemberID)
		if err != nil {
			t.Fatal(err)
		}
		if bad.Complaints < 1 {
			t.Errorf("the property worker's scorecard counts no complaint: %+v", bad)
		}
	})
}
