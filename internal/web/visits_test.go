package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestVisitTwoTaps: the worker opens the widow's file and records a visit
// with one button; two "not at home" visits flag the household off-peak;
// the list of visits due shows what is left; the family is not the
// worker's to visit.
func TestVisitTwoTaps(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		worker := e.signedIn("worker")
		file := fmt.Sprintf("/households/%d", e.widow.ID)
		code, body := worker.get(file)
		if code != http.StatusOK {
			t.Fatalf("file: %d", code)
		}
		mustContain(t, "file", body, `id="visits"`, "见面，一切正常", "不在家，已留联系卡", `id="visit-met"`)
		code, body = worker.get("/visits/due")
		if code != http.StatusOK {
			t.Fatalf("due: %d", code)
		}
		mustContain(t, "due before", body, e.widow.Address)

		code, body = worker.post(file+"/visits", url.Values{"outcome": {"met"}})
		if code != http.StatusOK {
			t.Fatalf("met: %d %s", code, body)
		}
		mustContain(t, "after met", body, "见面", "入户", "每周", `id="next-due"`)
		mustNotContain(t, "after met", body, "尚无走访记录", `id="overdue"`)
		if _, body = worker.get("/visits/due"); true {
			mustNotContain(t, "due after", body, e.widow.Address)
		}

		for range 2 {
			if code, body = worker.post(file+"/visits", url.Values{"outcome": {"not_home"}, "card_left": {"1"}}); code != http.StatusOK {
				t.Fatalf("not at home: %d", code)
			}
		}
		mustContain(t, "two misses", body, `id="offpeak"`, "已留走访联系卡")

		code, body = worker.post(file+"/visits", url.Values{"outcome": {"met"}, "need_kind": {"cake"}})
		if code != http.StatusBadRequest {
			t.Errorf("bad need: %d", code)
		}
		mustContain(t, "bad need", body, `id="visit-error"`, "需求类别")

		family := fmt.Sprintf("/households/%d/visits", e.family.ID)
		if code, _ := worker.post(family, url.Values{"outcome": {"met"}}); code != http.StatusNotFound {
			t.Errorf("the worker visited the family: %d", code)
		}
	})
}

// TestQuickVisitTwice: tapping "not at home" twice on the same page (a
// double tap, a retry on a bad connection) records one visit.
func TestQuickVisitTwice(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		c := e.signedIn("admin")
		path := fmt.Sprintf("/households/%d", e.widow.ID)
		_, page := c.get(path)
		m := regexp.MustCompile(`name="client_id" value="([^"]+-out)"`).FindStringSubmatch(page)
		if m == nil {
			t.Fatal("the file has no quick not-at-home button with a client id")
		}
		for range 2 {
			if code, _ := c.post(path+"/visits", url.Values{"client_id": {m[1]}, "outcome": {"not_home"}, "card_left": {"1"}}); code != http.StatusOK {
				t.Fatalf("quick visit: %d", code)
			}
		}
		var n int
		storetest.Scan(t, db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM visits WHERE household_id = ?`, e.widow.ID), &n)
		if n != 1 {
			t.Errorf("%d visits recorded for one double tap", n)
		}
		// The file says when the next visit is due.
		_, page = c.get(path)
		mustContain(t, "file after the visit", page, `id="visit-due"`, "下次走访")
	})
}
