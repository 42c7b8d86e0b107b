package web

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
	"wanhu/internal/visit"
)

// sync posts a queued visit to /visits/sync and decodes the answer.
func (c *client) sync(v url.Values) (int, syncAnswer) {
	c.e.t.Helper()
	if v.Get("csrf") == "" {
		v.Set("csrf", c.csrf)
	}
	res, body := c.postRaw("/visits/sync", v)
	var a syncAnswer
	if strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal([]byte(body), &a); err != nil {
			c.e.t.Fatalf("sync answer %q: %v", body, err)
		}
	}
	return res.StatusCode, a
}

// addToGrid1 creates a household in the widow's building and, if member is
// not 0, assigns it to that team member.
func (e *env) addToGrid1(ctx context.Context, name, unit string, floor int, member int64) *household.Household {
	e.t.Helper()
	h, err := e.hs.CreateHousehold(ctx, household.Actor{Name: "测试"}, household.Household{BuildingID: e.org.Buildings[0].ID, Unit: unit, Floor: floor,
		Room: fmt.Sprintf("%d01", floor)}, []household.Person{{Name: name, BirthDate: date("1970-01-01"), Gender: household.Male, Relation: "householder"}})
	if err != nil {
		e.t.Fatal(err)
	}
	if member != 0 {
		if err := e.hs.Assign(ctx, member, h.ID); err != nil {
			e.t.Fatal(err)
		}
	}
	return h
}

// TestTodayRoute: the visitor's start page is their part of this week's
// plan in route order, assigned to them or not, each with the two one-tap
// visits marked for offline use; a household visited this week stays in its
// place, done; without a plan the page lists the households due.
func TestTodayRoute(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		e := newEnv(t, db)
		var member int64
		if err := db.QueryRowContext(ctx, `SELECT team_member_id FROM household_assignments WHERE household_id = ?`, e.widow.ID).Scan(&member); err != nil {
			t.Fatal(err)
		}
		mine := e.addToGrid1(ctx, "赵德明", "1", 1, member)
		other := e.addToGrid1(ctx, "钱国强", "3", 5, 0)
		worker := e.signedIn("worker")

		res, _ := worker.do(mustRequest("GET", e.srv.URL+"/"))
		if loc := res.Header.Get("Location"); loc != "/today" {
			t.Errorf("the visitor's start page: %q, want /today", loc)
		}
		admin := e.signedIn("admin")
		if res, _ := admin.do(mustRequest("GET", e.srv.URL+"/")); res.Header.Get("Location") != "/households" {
			t.Errorf("the administrator's start page: %q", res.Header.Get("Location"))
		}

		code, body := worker.get("/today")
		if code != http.StatusOK {
			t.Fatalf("today without a plan: %d", code)
		}
		mustContain(t, "without a plan", body, `id="today-fallback"`, `id="nav-today"`, e.widow.Address, `id="offline-queue"`, staticURL(t, "offline.js"))

		week := visit.WeekOf(calendar.Today())
		if _, err := visit.NewStore(db, e.hs).GeneratePlan(ctx, "测试", e.org.Grids[0].ID, week); err != nil {
			t.Fatal(err)
		}
		var route []int64
		rows, err := db.QueryContext(ctx, `SELECT household_id FROM plan_items ORDER BY position`)
		storetest.ScanAll(t, rows, err, func(rows *sql.Rows) error {
			var id int64
			err := rows.Scan(&id)
			route = append(route, id)
			return err
		})
		if len(route) != 3 {
			t.Fatalf("the plan holds %v, want the widow, %d and %d", route, mine.ID, other.ID)
		}

		code, body = worker.get("/today")
		if code != http.StatusOK {
			t.Fatalf("today: %d", code)
		}
		mustContain(t, "today", body, `id="today-summary"`, week.String(), e.widow.Address, mine.Address, "badge-red",
			"见面，一切正常", "不在家，已留联系卡", `data-offline data-household="`+fmt.Sprint(e.widow.ID)+`"`)
		// The plan gives the worker a household not assigned to them: for
		// the week it is theirs to visit.
		mustContain(t, "today", body, other.Address)
		mustNotContain(t, "today", body, `id="today-fallback"`, "⟦")
		first, second := strings.Index(body, fmt.Sprintf(`id="h%d"`, route[0])), strings.Index(body, fmt.Sprintf(`id="h%d"`, route[1]))
		if first < 0 || second < first {
			t.Errorf("not in route order %v: at %d and %d", route, first, second)
		}

		if code, a := worker.sync(url.Values{"client_id": {"phone-1"}, "household_id": {fmt.Sprint(mine.ID)}, "outcome": {"not_home"}, "card_left": {"1"}}); code != http.StatusCreated || !a.Created {
			t.Fatalf("sync: %d %+v", code, a)
		}
		_, body = worker.get("/today")
		row := body[strings.Index(body, fmt.Sprintf(`id="h%d"`, mine.ID)):]
		row = row[:strings.Index(row, "</li>")]
		mustContain(t, "visited row", row, "本周已走访：不在家")
		mustNotContain(t, "visited row", row, "data-offline")
		mustContain(t, "summary", body, "已走访 1 户")

		code, body = worker.get("/lang?to=en&back=/today")
		if code != http.StatusOK {
			t.Fatalf("today in English: %d", code)
		}
		mustContain(t, "today in English", body, "Today&#39;s visits", "Visited this week: Not at home", "Met, all well")
		mustNotContain(t, "today in English", body, "⟦")
	})
}

func mustRequest(method, url string) *http.Request {
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		panic(err)
	}
	return req
}

// TestVisitSync: a queued visit is recorded once under its client id
// however often it is sent, dated by its age; it needs the session's CSRF
// token; out of scope is not found and bad input names the field.
func TestVisitSync(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		worker := e.signedIn("worker")
		v := func() url.Values {
			return url.Values{"client_id": {"phone-abc"}, "household_id": {fmt.Sprint(e.widow.ID)}, "outcome": {"not_home"},
				"card_left": {"1"}, "age_ms": {"3600000"}}
		}
		count := func() (n int) {
			storetest.Scan(t, db.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM visits WHERE household_id = ?`, e.widow.ID), &n)
			return n
		}
		noToken := v()
		noToken.Set("csrf", "wrong")
		if code, _ := worker.sync(noToken); code != http.StatusForbidden || count() != 0 {
			t.Errorf("without the CSRF token: %d, %d visits", code, count())
		}
		code, first := worker.sync(v())
		if code != http.StatusCreated || !first.Created || first.ID == 0 {
			t.Fatalf("first send: %d %+v", code, first)
		}
		code, again := worker.sync(v())
		if code != http.StatusOK || again.Created || again.ID != first.ID {
			t.Errorf("second send: %d %+v, want 200 with visit %d", code, again, first.ID)
		}
		if n := count(); n != 1 {
			t.Errorf("%d visits after two sends, want 1", n)
		}
		var at time.Time
		var cardLeft bool
		if err := db.QueryRowContext(t.Context(), `SELECT at, card_left FROM visits WHERE id = ?`, first.ID).Scan(&at, &cardLeft); err != nil {
			t.Fatal(err)
		}
		if ago := time.Since(at); ago < 59*time.Minute || ago > 61*time.Minute || !cardLeft {
			t.Errorf("visit at %v (%v ago), card left %v; want an hour ago with a card", at, ago, cardLeft)
		}

		family := v()
		family.Set("client_id", "phone-family")
		family.Set("household_id", fmt.Sprint(e.family.ID))
		if code, a := worker.sync(family); code != http.StatusNotFound || a.Error != "not_found" {
			t.Errorf("out of scope: %d %+v", code, a)
		}
		bad := v()
		bad.Set("client_id", "phone-bad")
		bad.Set("outcome", "asleep")
		if code, a := worker.sync(bad); code != http.StatusUnprocessableEntity || a.Field != "outcome" {
			t.Errorf("bad outcome: %d %+v", code, a)
		}
	})
}

// TestServiceWorkerServed: /sw.js comes from the root as JavaScript that is
// revalidated every time, and offline.js is served with the static files.
func TestServiceWorkerServed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		c := e.client()
		res, body := c.do(mustRequest("GET", e.srv.URL+"/sw.js"))
		if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/javascript") ||
			res.Header.Get("Cache-Control") != "no-cache" {
			t.Errorf("sw.js: %d %q %q", res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Cache-Control"))
		}
		mustContain(t, "sw.js", body, `addEventListener("fetch"`, `"/today"`)
		res, body = c.do(mustRequest("GET", e.srv.URL+"/static/offline.js"))
		if res.StatusCode != http.StatusOK {
			t.Errorf("offline.js: %d", res.StatusCode)
		}
		mustContain(t, "offline.js", body, "/visits/sync", "indexedDB", "localStorage")
	})
}
