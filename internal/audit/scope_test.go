package audit_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"wanhu/internal/audit"
	"wanhu/internal/household"
	"wanhu/internal/household/householdtest"
	"wanhu/internal/org"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
	"wanhu/internal/testworld"
)

// TestScopeByObject: a scoped reader sees the entries of users within
// their subtree and those about the objects within it, whoever made them;
// not those about another community's objects, nor a "plan:" entry, whose
// kind names two tables.
func TestScopeByObject(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		o, err := testworld.NewOrg(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		west := org.Unit{Kind: org.Community, ParentID: o.Street.ID, Name: "西门社区"}
		if err := org.CreateUnit(ctx, db, &west); err != nil {
			t.Fatal(err)
		}
		hs := household.NewStore(db)
		widow, people := householdtest.Widow(o)
		h, err := hs.CreateHousehold(ctx, household.Actor{Name: "测试"}, widow, people)
		if err != nil {
			t.Fatal(err)
		}
		l := audit.New(db)
		// "outsider" holds no role anywhere: only the objects place them.
		about := []string{fmt.Sprintf("household:%d", h.ID), fmt.Sprintf("person:%d", h.Members[0].ID),
			fmt.Sprintf("org-unit:%d", o.Grids[1].ID), fmt.Sprintf("org-unit:%d", west.ID), fmt.Sprintf("plan:%d", h.ID),
			"household:999999", "household", "user:outsider"}
		for _, obj := range about {
			if err := l.Record(ctx, audit.Entry{Username: "outsider", Action: "write", Object: obj}); err != nil {
				t.Fatal(err)
			}
		}
		seen := func(paths ...string) []string {
			t.Helper()
			recs, _, err := l.Search(ctx, audit.Filter{Scoped: true, Paths: paths})
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, r := range recs {
				out = append(out, r.Object)
			}
			slices.Reverse(out)
			return out
		}
		if got, want := seen(o.Community.Path), about[:3]; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("the community sees %q, want %q", got, want)
		}
		if got, want := seen(o.Grids[0].Path), about[:2]; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("the widow's grid sees %q, want %q", got, want)
		}
		if got, want := seen(west.Path), about[3:4]; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("the other community sees %q, want %q", got, want)
		}
		if got := seen(o.City.Path); len(got) != len(about) {
			t.Errorf("the root sees %q", got)
		}
		if got := seen(); len(got) != 0 {
			t.Errorf("no paths sees %q", got)
		}
	})
}

// TestWritesDescribed: the write entry of a request is what its domain
// described, the first action counting and the same action refining it;
// a request that says it only read leaves none, but its notes.
func TestWritesDescribed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		l := audit.New(db)
		web := audit.Web{Log: l, Addr: func(*http.Request) string { return "192.0.2.1" }, Errs: slog.New(slog.NewTextHandler(io.Discard, nil))}
		mux := http.NewServeMux()
		mux.HandleFunc("POST /requests/{id}/{action}", web.Writes(func(w http.ResponseWriter, r *http.Request) {
			audit.Describe(r.Context(), "request.resolve", "request:"+r.PathValue("id"), "")
			audit.Describe(r.Context(), "need.add", "household:1", "") // a change within the first
			audit.Describe(r.Context(), "request.resolve", "request:"+r.PathValue("id"), "with a reply")
			w.WriteHeader(http.StatusConflict)
		}))
		mux.HandleFunc("POST /requests", web.Writes(func(w http.ResponseWriter, r *http.Request) {
			audit.ReadOnly(r.Context())
			audit.Note(r.Context(), "search.number", "household", audit.OK, "")
		}))
		mux.HandleFunc("POST /households/{id}", web.Writes(func(w http.ResponseWriter, r *http.Request) {}))
		srv := httptest.NewServer(mux)
		defer srv.Close()
		for _, p := range []string{"/requests/7/resolve", "/requests", "/households/42"} {
			res, err := http.Post(srv.URL+p, "text/plain", nil)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
		}
		recs, _, err := l.Search(context.Background(), audit.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range recs {
			got = append([]string{fmt.Sprintf("%s %s %s %q", r.Action, r.Object, r.Result, r.Detail)}, got...)
		}
		want := []string{`request.resolve request:7 error "with a reply; POST /requests/{id}/{action}"`, `search.number household ok ""`,
			`write household:42 ok "POST /households/{id}"`}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("entries:\n%q\nwant\n%q", got, want)
		}
	})
}
