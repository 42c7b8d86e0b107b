package app

import (
	"fmt"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"wanhu/internal/calendar"
	"wanhu/internal/gen"
	"wanhu/internal/server"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestRoundsDoneMeans is issue 16's "done means" for safety rounds,
// through the API on the demo community, on both engines: grid 1's worker
// finds the Saturday night round scheduled, starts it, marks a manhole
// cover missing at a building; that makes an urgent request, accepted and
// due in 24 hours, which the staff on duty see at once in their queue and
// on the hazards list. Another grid's leader does not see the round.
func TestRoundsDoneMeans(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		if _, err := gen.Generate(ctx, db, gen.Options{Households: 300}); err != nil {
			t.Fatal(err)
		}
		if _, err := gen.DemoAccounts(ctx, db, "demo-password-2026"); err != nil {
			t.Fatal(err)
		}
		requests := func() (n int) {
			if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM requests`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		before := requests()
		if err := gen.DemoRounds(ctx, db, calendar.Today()); err != nil {
			t.Fatal(err)
		}
		// The demo's past rounds are the story's night-round findings,
		// linked to its requests: the article's figures stay.
		if n := requests(); n != before {
			t.Errorf("the demo rounds made %d requests, want none beyond the story's %d", n-before, before)
		}
		srv := httptest.NewServer(Handler(server.NewDeps(db, slog.New(slog.DiscardHandler))))
		t.Cleanup(srv.Close)
		d := &demoAPI{t: t, url: srv.URL, tokens: map[string]string{}}
		for _, u := range []string{"admin", "visitor1", "leader3"} {
			d.login(u)
		}
		tmpl := d.must(200, "visitor1", "GET", "/round-templates", "")
		if !has(tmpl["items"], "code", "night_public") {
			t.Fatalf("templates %v", tmpl)
		}
		night := tmpl["items"].([]any)[0].(map[string]any)
		if !has(night["items"], "urgency", "urgent") || !has(night["items"], "code", "manhole_cover") {
			t.Errorf("night round items %v", night["items"])
		}

		scheduled := d.must(200, "visitor1", "GET", "/rounds?state=scheduled", "")
		items, _ := scheduled["items"].([]any)
		if len(items) != 1 {
			t.Fatalf("grid 1's worker sees %d scheduled rounds, want the Saturday night one: %v", len(items), scheduled)
		}
		r := items[0].(map[string]any)
		at, err := time.Parse(time.RFC3339, r["scheduled_for"].(string))
		if err != nil || at.In(calendar.China).Weekday() != time.Saturday || at.In(calendar.China).Hour() != 21 {
			t.Errorf("scheduled for %v (%v), want a Saturday at 21:00", r["scheduled_for"], err)
		}
		id := int64(r["id"].(float64))
		if code, _ := d.call("leader3", "GET", fmt.Sprintf("/rounds/%d", id), ""); code != 404 {
			t.Errorf("grid 3's leader reads grid 1's round: %d, want 404", code)
		}
		if code, _ := d.call("leader3", "POST", fmt.Sprintf("/rounds/%d/results", id), `{"items":[{"item":"fire_door","ok":true}]}`); code != 404 {
			t.Errorf("grid 3's leader records grid 1's round: %d, want 404", code)
		}
		d.must(200, "visitor1", "POST", fmt.Sprintf("/rounds/%d/start", id), "")
		var building int64
		if err := db.QueryRowContext(ctx, `SELECT b.id FROM buildings b WHERE b.grid_id = ? ORDER BY b.id LIMIT 1`, int64(r["grid_id"].(float64))).Scan(&building); err != nil {
			t.Fatal(err)
		}
		done := d.must(200, "visitor1", "POST", fmt.Sprintf("/rounds/%d/results", id), fmt.Sprintf(`{"client_id":"phone-sat","items":[
			{"item":"fire_hydrant","ok":true},{"item":"manhole_cover","ok":false,"note":"井盖缺失，已放警示锥","building_id":%d},{"item":"river_railing","ok":true}]}`, building))
		reqs, _ := done["requests"].([]any)
		if done["state"] != "done" || len(reqs) != 1 {
			t.Fatalf("round recorded %v", done)
		}
		req := int64(reqs[0].(float64))

		// The staff on duty see it at once: accepted, urgent, due in 24 hours.
		if !has(d.must(200, "admin", "GET", "/requests?state=accepted", "")["items"], "id", float64(req)) {
			t.Errorf("the staff on duty do not see request %d in the queue", req)
		}
		got := d.must(200, "admin", "GET", fmt.Sprintf("/requests/%d", req), "")
		sub, _ := time.Parse(time.RFC3339, fmt.Sprint(got["submitted_at"]))
		due, _ := time.Parse(time.RFC3339, fmt.Sprint(got["due_at"]))
		if got["urgency"] != "urgent" || got["category"] != "safety" || !due.Equal(sub.Add(24*time.Hour)) {
			t.Errorf("request %d: %v %v due %v after %v", req, got["urgency"], got["category"], got["due_at"], got["submitted_at"])
		}
		hz := d.must(200, "admin", "GET", "/hazards?open=true", "")
		if !has(hz["items"], "request_id", float64(req)) {
			t.Errorf("the manhole is not among the open hazards: %v", hz["items"])
		}
		all := d.must(200, "admin", "GET", "/hazards", "")
		if items, _ := all["items"].([]any); len(items) != 4 {
			t.Errorf("hazards %v, want the story's three night-round findings and the manhole", all["items"])
		}
		// The phone's queue sends it again: the same round, nothing new.
		again := d.must(200, "visitor1", "POST", fmt.Sprintf("/rounds/%d/results", id), `{"client_id":"phone-sat","items":[{"item":"manhole_cover","ok":false}]}`)
		if r, _ := again["requests"].([]any); len(r) != 1 {
			t.Errorf("a retry made requests %v", again["requests"])
		}
	})
}
