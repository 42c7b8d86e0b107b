package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"wanhu/internal/auth"
	"wanhu/internal/secret"
	"wanhu/internal/server"
	"wanhu/internal/store"
)

// BenchmarkCityHousehold: GET /api/v1/households/{id} (json) and the
// household page /households/{id} (page) as visitor1, each of the
// households assigned to team member 1 in turn, through the whole handler
// without the network, sent as they are (identity) or gzipped (gzip, as
// browsers ask: server.Write), on a copy of a generated city named by
// WANHU_BENCH_CITY (a SQLite file, its keys beside it as FILE.key, the
// accounts made by `go run ./bench/load accounts`); skipped without it.
// Pages are not rendered a second time unfolded (WANHU_PAGE_CHECK=off),
// as tests do. Its allocations a request are exact; its time is CPU only
// on an idle machine, and cpu-ns/op is the CPU time of the whole process
// (its garbage collection too) a request, which other work on the machine
// changes less (issue 15).
func BenchmarkCityHousehold(b *testing.B) {
	path := os.Getenv("WANHU_BENCH_CITY")
	if path == "" {
		b.Skip("WANHU_BENCH_CITY not set")
	}
	b.Setenv("WANHU_PAGE_CHECK", "off")
	ctx := context.Background()
	keys, err := secret.Load(path + ".key")
	if err != nil {
		b.Fatal(err)
	}
	db, err := store.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	db.SetKeys(keys)
	d := server.NewDeps(db, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	h := Handler(d)
	token, _, err := d.Auth.Login(ctx, "visitor1", "demo-pass-2026", auth.API)
	if err != nil {
		b.Fatal(err)
	}
	cookie, _, err := d.Auth.Login(ctx, "visitor1", "demo-pass-2026", auth.Web)
	if err != nil {
		b.Fatal(err)
	}
	rows, err := db.QueryContext(ctx, "SELECT household_id FROM household_assignments WHERE team_member_id = 1")
	if err != nil {
		b.Fatal(err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			b.Fatal(err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if len(ids) == 0 {
		b.Fatal("team member 1 has no households")
	}
	for _, what := range []string{"json", "page"} {
		for _, enc := range []string{"identity", "gzip"} {
			b.Run(what+"/"+enc, func(b *testing.B) {
				reqs := make([]*http.Request, len(ids))
				for i, id := range ids {
					if what == "json" {
						reqs[i] = httptest.NewRequest("GET", fmt.Sprintf("/api/v1/households/%d", id), nil)
						reqs[i].Header.Set("Authorization", "Bearer "+token)
					} else {
						reqs[i] = httptest.NewRequest("GET", fmt.Sprintf("/households/%d", id), nil)
						reqs[i].Header.Set("Cookie", "wanhu_session="+cookie)
					}
					reqs[i].Header.Set("Accept-Encoding", enc)
				}
				var sent int
				b.ReportAllocs()
				cpu := processCPU()
				for i := 0; b.Loop(); i++ {
					w := httptest.NewRecorder()
					h.ServeHTTP(w, reqs[i%len(reqs)])
					if w.Code != 200 {
						b.Fatal(w.Code, w.Body.String())
					}
					sent += w.Body.Len()
				}
				b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/op")
				b.ReportMetric(float64(sent)/float64(b.N), "B-sent/op")
			})
		}
	}
}
