package mediation

import (
	"reflect"
	"testing"

	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestHouseholdVisits: a household's talk-room visits in its file are its
// own visitors as their sessions list them, to the administrator and to
// the first grid's leader alike (who reaches the widow's household but not
// the family's, and so sees the family's visitor hidden in the session
// only), the latest day first, then by session and visitor; another
// household's visitors in the same sessions are not among them.
func TestHouseholdVisits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := t.Context()
		var sessions []int64
		for _, day := range []string{"2026-11-20", "2026-12-02", "2026-12-02"} {
			sess, err := w.admin.CreateSession(ctx, secretary, SessionInput{Day: day, Starts: "09:00", Ends: "11:00", Host: "冯晓霞", Home: w.org.Community.Path})
			if err != nil {
				t.Fatal(err)
			}
			sessions = append(sessions, sess.ID)
		}
		add := func(sid int64, in VisitorInput) {
			t.Helper()
			if _, err := w.admin.AddVisitor(ctx, secretary, sid, in); err != nil {
				t.Fatal(err)
			}
		}
		add(sessions[0], VisitorInput{HouseholdID: w.widow.ID, Said: "十一月"})
		add(sessions[1], VisitorInput{HouseholdID: w.family.ID, Said: "邻居"})
		add(sessions[1], VisitorInput{HouseholdID: w.widow.ID, Said: "十二月，第一次"})
		add(sessions[2], VisitorInput{HouseholdID: w.widow.ID, PersonID: w.widow.Members[0].ID, Said: "十二月，第二场"})
		add(sessions[1], VisitorInput{HouseholdID: w.widow.ID, Said: "十二月，又说一件"})

		for _, s := range []*Store{w.admin, w.lead} {
			var want []HouseholdVisit
			for _, i := range []int{1, 2, 0} {
				sess, err := s.Session(ctx, sessions[i])
				if err != nil {
					t.Fatal(err)
				}
				for _, v := range sess.Visitors {
					if v.HouseholdID == w.widow.ID {
						want = append(want, HouseholdVisit{SessionID: sess.ID, Day: sess.Day, Host: sess.Host, Visitor: v})
					}
				}
			}
			of, err := s.ForHousehold(ctx, w.widow.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(want) != 4 || want[0].Said != "十二月，第一次" || want[0].Address == "" || want[0].Name == "" || !reflect.DeepEqual(of.Visits, want) {
				t.Errorf("the widow's visits\n%+v\nwant\n%+v", of.Visits, want)
			}
		}
	})
}
