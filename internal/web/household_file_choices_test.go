package web

import (
	"context"
	"net/http/httptest"
	"strconv"
	"testing"

	"wanhu/internal/auth"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestFileChoicesShown: the household file builds the choices of the
// plan's and the colour's forms only for who edits (the page shows them
// to no one else), and the needs' for who records needs.
func TestFileChoicesShown(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		for _, who := range []string{"admin", "worker"} {
			_, sess, err := e.h.auth.Login(ctx, who, testPassword, auth.Web)
			if err != nil {
				t.Fatal(err)
			}
			r := httptest.NewRequest("GET", "/households/"+strconv.FormatInt(e.widow.ID, 10), nil)
			r.SetPathValue("id", strconv.FormatInt(e.widow.ID, 10))
			r = r.WithContext(auth.WithSession(ctx, sess))
			v, err := e.h.fileOf(r, "household.title")
			if err != nil {
				t.Fatal(who, err)
			}
			edits := v.MeasureKinds != nil || v.Frequencies != nil || v.MeasureState != nil || v.Owners != nil || v.Colours != nil
			for _, m := range v.Measures {
				edits = edits || m.Kinds != nil || m.Owners != nil
			}
			if edits != v.CanEdit {
				t.Errorf("%s: the plan's and colour's choices built %v, edits %v", who, edits, v.CanEdit)
			}
			if needs := v.NeedKinds != nil || v.NeedStatuses != nil; needs != v.CanNeeds {
				t.Errorf("%s: the needs' choices built %v, records needs %v", who, needs, v.CanNeeds)
			}
			if (v.Benefits.Decisions != nil) != v.Benefits.CanDecide {
				t.Errorf("%s: the benefit decisions built %v, decides %v", who, v.Benefits.Decisions != nil, v.Benefits.CanDecide)
			}
			if who == "admin" && !v.CanEdit || who == "worker" && v.CanEdit {
				t.Errorf("%s: edits %v", who, v.CanEdit)
			}
		}
	})
}
