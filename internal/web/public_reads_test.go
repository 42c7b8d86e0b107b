package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"wanhu/internal/request"
	"wanhu/internal/server"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
	"wanhu/internal/visit"
)

// TestPublicReadsLimited: the resident's page /r/{code} and the
// appointment page /a/{token} answer an address that read them too often
// with 429, Retry-After and a page saying when to come back, whatever
// the code or token asked for (so codes cannot be walked); the count is
// kept in the database, so a second server sees it; each page has its
// own count, and another address is served.
func TestPublicReadsLimited(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.h.publicReads = request.ReadLimit{Max: 3, Window: time.Hour}
		ctx := context.Background()
		r, err := request.NewStore(db, e.hs).SubmitPublic(ctx, request.Input{Category: "repairs", Description: "楼道灯坏了", Address: "一化小区 1号楼 2单元302",
			GridID: e.org.Grids[0].ID}, "203.0.113.9", request.PublicLimits)
		if err != nil {
			t.Fatal(err)
		}
		toks, err := visit.CardTokens(ctx, db, []int64{e.widow.ID})
		if err != nil {
			t.Fatal(err)
		}
		c := e.client()
		for i, p := range []string{"/r/" + r.TrackingCode, "/r/ABCDEFGHJK", "/r/" + r.TrackingCode} {
			if code, _ := c.get(p); code != map[bool]int{true: http.StatusOK, false: http.StatusNotFound}[i != 1] {
				t.Errorf("read %d of %s: %d", i+1, p, code)
			}
		}
		// The fourth read, through a second server on the same database.
		h2 := newHandler(server.NewDeps(db, nil))
		h2.publicReads = e.h.publicReads
		mux := http.NewServeMux()
		h2.routes(mux)
		srv2 := httptest.NewServer(mux)
		defer srv2.Close()
		res, body := c.do(mustRequest("GET", srv2.URL+"/r/"+r.TrackingCode))
		retry, _ := strconv.Atoi(res.Header.Get("Retry-After"))
		if res.StatusCode != http.StatusTooManyRequests || retry < 1 || retry > 3600 || !strings.Contains(body, "访问太频繁") ||
			strings.Contains(body, "楼道灯坏了") {
			t.Errorf("fourth read: %d Retry-After %q: %s", res.StatusCode, res.Header.Get("Retry-After"), pageText(body))
		}
		if res, _ := http.Get(srv2.URL + "/r/" + r.TrackingCode); res == nil || res.StatusCode != http.StatusTooManyRequests {
			t.Errorf("still over the limit")
		}
		if code, _ := c.get("/a/" + toks[e.widow.ID]); code != http.StatusOK {
			t.Errorf("the appointment page has its own count: %d", code)
		}
		for range 2 {
			c.get("/a/AAAAAAAAAAAAAAAA")
		}
		if res, body := c.do(mustRequest("GET", e.srv.URL+"/a/"+toks[e.widow.ID])); res.StatusCode != http.StatusTooManyRequests ||
			res.Header.Get("Retry-After") == "" || !strings.Contains(body, "访问太频繁") {
			t.Errorf("fourth appointment read: %d: %s", res.StatusCode, pageText(body))
		}
	})
}
