package app

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"wanhu/internal/calendar"
	"wanhu/internal/gen"
	"wanhu/internal/open311"
	"wanhu/internal/request"
	"wanhu/internal/server"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// demoAPI is the whole app on the demo community, spoken to as its users.
type demoAPI struct {
	t      *testing.T
	url    string
	tokens map[string]string
}

func (d *demoAPI) call(user, method, path, body string) (int, map[string]any) {
	d.t.Helper()
	req, _ := http.NewRequest(method, d.url+"/api/v1"+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if tok := d.tokens[user]; tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		d.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	var out map[string]any
	json.Unmarshal(b, &out)
	return res.StatusCode, out
}

// must calls and fails the test unless the answer has status want.
func (d *demoAPI) must(want int, user, method, path, body string) map[string]any {
	d.t.Helper()
	code, out := d.call(user, method, path, body)
	if code != want {
		d.t.Fatalf("%s %s as %s: %d, want %d: %v", method, path, user, code, want, out)
	}
	return out
}

func (d *demoAPI) login(user string) {
	d.t.Helper()
	out := d.must(200, "", "POST", "/auth/login", fmt.Sprintf(`{"username":%q,"password":"demo-password-2026"}`, user))
	d.tokens[user] = out["token"].(string)
}

// TestRequestsDoneMeans is issue 5's "done means" on the demo community,
// through the API and Open311, on both engines: the urgent sewage call at
// 23:00 due within 24 h, seen by the staff on duty and escalated when left
// open; a general request of 2026-09-30 due after the National Day holiday,
// counting the make-up Saturday; a charger request referred to
// 区文体旅游科技局, seen and resolved by its officer, reopened by a
// dissatisfied callback; a request made and read through Open311.
func TestRequestsDoneMeans(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		if _, err := gen.Generate(ctx, db, gen.Options{}); err != nil {
			t.Fatal(err)
		}
		if _, err := gen.DemoAccounts(ctx, db, "demo-password-2026"); err != nil {
			t.Fatal(err)
		}
		if err := open311.EnsureDemoKey(ctx, db); err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(Handler(server.NewDeps(db, slog.New(slog.NewTextHandler(io.Discard, nil)))))
		t.Cleanup(srv.Close)
		d := &demoAPI{t: t, url: srv.URL, tokens: map[string]string{}}
		for _, u := range []string{"admin", "dept1"} {
			d.login(u)
		}
		var household int64
		if err := db.QueryRowContext(ctx, `SELECT id FROM households WHERE address LIKE '一化小区%' ORDER BY id LIMIT 1`).Scan(&household); err != nil {
			t.Fatal(err)
		}
		shanghai := calendar.China

		// The hotline at 23:00 (last night's, if it is not yet 23:00).
		call := time.Now().In(shanghai)
		call = time.Date(call.Year(), call.Month(), call.Day(), 23, 0, 0, 0, shanghai)
		if call.After(time.Now()) {
			call = call.AddDate(0, 0, -1)
		}
		sewage := d.must(201, "admin", "POST", "/requests", fmt.Sprintf(`{"category":"sanitation","description":"一化小区化粪池外溢","channel":"hotline","household_id":%d,"submitted_at":%q}`,
			household, call.Format(time.RFC3339)))
		id := int64(sewage["id"].(float64))
		accepted := d.must(200, "admin", "POST", fmt.Sprintf("/requests/%d/accept", id), `{"urgency":"urgent","handling":"community"}`)
		due, err := time.Parse(time.RFC3339, accepted["due_at"].(string))
		if err != nil || !due.Equal(call.Add(24*time.Hour)) {
			t.Fatalf("urgent due %v (%v), want %v", accepted["due_at"], err, call.Add(24*time.Hour))
		}
		if !has(d.must(200, "admin", "GET", "/requests?state=accepted", "")["items"], "id", float64(id)) {
			t.Errorf("the staff on duty does not see request %d in the queue", id)
		}
		if _, err := request.Escalate(ctx, db, due.Add(time.Hour), request.EscalationConfig{}); err != nil {
			t.Fatal(err)
		}
		got := d.must(200, "admin", "GET", fmt.Sprintf("/requests/%d", id), "")
		if !has(got["timeline"], "kind", "escalated") {
			t.Errorf("left open past its deadline, request %d did not escalate: %v", id, got["timeline"])
		}

		// A general request of 2026-09-30, five working days.
		general := d.must(201, "admin", "POST", "/requests", fmt.Sprintf(`{"category":"repairs","description":"楼道灯不亮","channel":"walk_in","household_id":%d,"submitted_at":"2026-09-30T10:00:00+08:00"}`, household))
		accepted = d.must(200, "admin", "POST", fmt.Sprintf("/requests/%v/accept", general["id"]), `{"urgency":"general","handling":"community","working_days":5}`)
		if accepted["due_at"] != "2026-10-13T23:59:59+08:00" || accepted["due_estimated"] != false {
			t.Errorf("2026-09-30 + 5 working days: due %v (estimated %v), want 2026-10-13T23:59:59+08:00", accepted["due_at"], accepted["due_estimated"])
		}

		// Chargers, referred to 区文体旅游科技局.
		var dept int64
		if err := db.QueryRowContext(ctx, `SELECT id FROM org_units WHERE kind = 'department' AND name = '区文体旅游科技局'`).Scan(&dept); err != nil {
			t.Fatal(err)
		}
		charger := d.must(201, "admin", "POST", "/requests", fmt.Sprintf(`{"category":"ev_charging","description":"小区充电桩不够用","channel":"talk_room","household_id":%d}`, household))
		cid := charger["id"]
		d.must(200, "admin", "POST", fmt.Sprintf("/requests/%v/accept", cid), fmt.Sprintf(`{"urgency":"general","handling":"referred","department_id":%d}`, dept))
		mine := d.must(200, "dept1", "GET", "/requests", "")
		items, _ := mine["items"].([]any)
		if len(items) == 0 {
			t.Fatal("the officer sees no request")
		}
		for _, it := range items {
			r := it.(map[string]any)
			if r["handling"] != "referred" || r["department_id"] != float64(dept) {
				t.Errorf("the officer sees request %v, handled %v by %v", r["id"], r["handling"], r["department_id"])
			}
		}
		d.must(404, "dept1", "GET", fmt.Sprintf("/requests/%d", id), "")
		d.must(200, "dept1", "POST", fmt.Sprintf("/requests/%v/resolve", cid), `{"note":"已协调增设充电桩"}`)
		reopened := d.must(200, "admin", "POST", fmt.Sprintf("/requests/%v/callback", cid), `{"result":"dissatisfied","reason":"not_solved","method":"visit","comment":"还想要更多"}`)
		if reopened["state"] != "accepted" {
			t.Errorf("after a dissatisfied callback the request is %v, want accepted again", reopened["state"])
		}

		// Open311: made and read back.
		res, err := http.PostForm(srv.URL+"/open311/v2/requests.json", url.Values{"api_key": {open311.DemoKey}, "service_code": {"environment"},
			"address_string": {"一化小区 3号楼"}, "description": {"楼下垃圾堆放"}})
		if err != nil {
			t.Fatal(err)
		}
		var made []struct {
			ID string `json:"service_request_id"` // a string, as the GeoReport v2 schemas require
		}
		json.NewDecoder(res.Body).Decode(&made)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || len(made) != 1 || made[0].ID == "" {
			t.Fatalf("Open311 POST: %d %v", res.StatusCode, made)
		}
		res, err = http.Get(srv.URL + "/open311/v2/requests/" + made[0].ID + ".json")
		if err != nil {
			t.Fatal(err)
		}
		var read []map[string]any
		json.NewDecoder(res.Body).Decode(&read)
		res.Body.Close()
		if len(read) != 1 || read[0]["service_code"] != "environment" || read[0]["status"] != "open" {
			t.Errorf("Open311 GET: %v", read)
		}
		if got := d.must(200, "admin", "GET", "/requests/"+made[0].ID, ""); got["channel"] != "open311" {
			t.Errorf("the Open311 request in the API: channel %v", got["channel"])
		}
	})
}

// has reports whether a JSON list holds an object whose key is value.
func has(list any, key string, value any) bool {
	items, _ := list.([]any)
	for _, it := range items {
		if m, ok := it.(map[string]any); ok && m[key] == value {
			return true
		}
	}
	return false
}
