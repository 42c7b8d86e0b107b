package visit_test

import (
	"testing"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/feedback"
	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
	"wanhu/internal/testworld"
	"wanhu/internal/visit"
)

// TestVisitPraise: 李奶奶's thanks on a visit is a praise record of each
// visitor; praise without words, or with no visitor to thank, is refused
// naming its field, and nothing of the visit is written.
func TestVisitPraise(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		fx, err := testworld.NewOrg(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		files := household.NewStore(db)
		clerk := household.Actor{Name: "测试"}
		h, err := files.CreateHousehold(ctx, clerk, household.Household{BuildingID: fx.Buildings[0].ID, Room: "101"},
			[]household.Person{{Name: "李秀兰", BirthDate: mustDate("1944-03-01"), Gender: "female", Relation: "householder"}})
		if err != nil {
			t.Fatal(err)
		}
		m := org.TeamMember{CommunityID: fx.Community.ID, GridID: h.GridID, Name: "王晓燕", Role: org.RoleGridWorker}
		if err := org.CreateTeamMember(ctx, db, &m); err != nil {
			t.Fatal(err)
		}
		vs := visit.NewStore(db, files)
		at := time.Now().Add(-time.Hour)
		for _, c := range []struct {
			in    visit.Input
			field string
		}{
			{visit.Input{ClientID: "p1", HouseholdID: h.ID, Outcome: "met", At: &at, Visitors: []int64{m.ID}, Praise: &visit.Praise{From: "李奶奶"}}, "praise.words"},
			{visit.Input{ClientID: "p2", HouseholdID: h.ID, Outcome: "met", At: &at, Praise: &visit.Praise{Words: "谢谢"}}, "praise"},
		} {
			_, _, err := vs.Record(ctx, clerk, c.in)
			if fe, ok := apperr.AsField(err); !ok || fe.Field != c.field {
				t.Errorf("%+v: %v, want an error on %s", c.in.Praise, err, c.field)
			}
		}
		var n int
		if err := db.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM visits) + (SELECT COUNT(*) FROM feedback)`).Scan(&n); err != nil || n != 0 {
			t.Errorf("refused visits wrote %d rows (%v)", n, err)
		}
		v, _, err := vs.Record(ctx, clerk, visit.Input{ClientID: "p3", HouseholdID: h.ID, Outcome: "met", At: &at, Visitors: []int64{m.ID},
			Praise: &visit.Praise{Words: "要是你们不来，我都不知道该咋办", From: "李奶奶"}})
		if err != nil {
			t.Fatal(err)
		}
		got, err := feedback.NewStore(db).List(ctx, feedback.Filter{VisitID: v.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].MemberID != m.ID || got[0].Kind != feedback.Praise || got[0].FromName != "李奶奶" ||
			got[0].Source != feedback.FromVisit || got[0].At.Sub(at).Abs() > time.Millisecond {
			t.Errorf("praise of the visit %+v", got)
		}
	})
}
