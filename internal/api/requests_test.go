package api

import (
	"fmt"
	"strings"
	"testing"

	"wanhu/internal/auth"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
	"wanhu/internal/testworld"
)

// TestRequestsContract is issue 5's contract: categories, a request
// submitted, accepted as referred, resolved by the department's officer
// (who sees only what is referred to them), called back dissatisfied and so
// reopened; an illegal transition answers 409 with the current state.
func TestRequestsContract(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		ctx := t.Context()
		dept, err := testworld.Department(ctx, db, fx.org)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fx.d.Auth.CreateUser(ctx, "dept1", "科员", "dongxing-dept1-2025", auth.Grant{Role: auth.Officer, OrgUnitID: dept.ID}); err != nil {
			t.Fatal(err)
		}
		tok, _, err := fx.d.Auth.Login(ctx, "dept1", "dongxing-dept1-2025", auth.API)
		if err != nil {
			t.Fatal(err)
		}
		fx.tokens["dept1"] = tok
		_, body := fx.do(t, "admin", "POST", "/requests", `{"category":"ev_charging","description":"充电桩不够","channel":"talk_room","household_id":{green}}`, nil)
		charger := decodeAs[struct {
			ID    int64  `json:"id"`
			State string `json:"state"`
		}](t, body)
		if charger.State != "submitted" {
			t.Fatalf("created %s", short(body))
		}
		id := fmt.Sprint(charger.ID)
		fx.ids = strings.NewReplacer(append(replacements(fx), "{req}", id, "{dept}", fmt.Sprint(dept.ID))...)
		fx.run(t, []scenario{
			{name: "categories", method: "GET", path: "/request-categories", user: "visitor", status: 200,
				want: []string{`"code":"sanitation"`, `"default_urgency":"urgent"`, `"name":"`}},
			{name: "needs a category", method: "POST", path: "/requests", user: "admin", status: 400,
				body: `{"description":"x","channel":"hotline","address":"一化小区"}`, check: wantError("required", "category")},
			{name: "no future submitted_at", method: "POST", path: "/requests", user: "admin", status: 400,
				body:  `{"category":"sanitation","description":"x","channel":"hotline","address":"一化小区","submitted_at":"2099-01-01T00:00:00Z"}`,
				check: wantError("future", "submitted_at")},
			{name: "hotline by address", method: "POST", path: "/requests", user: "admin", status: 201,
				body: `{"category":"sanitation","description":"一化小区污水外溢","channel":"hotline","address":"一化小区3号楼"}`,
				want: []string{`"state":"submitted"`, `"channel":"hotline"`}},
			{name: "officer may not submit", method: "POST", path: "/requests", user: "dept1", status: 403,
				body: `{"category":"sanitation","description":"x","channel":"hotline","address":"x"}`},
			{name: "resolve before accept", method: "POST", path: "/requests/{req}/resolve", user: "admin", status: 409,
				body: `{"note":"done"}`, want: []string{`"state":"submitted"`, `"code":"invalid_transition"`}},
			{name: "officer sees nothing yet", method: "GET", path: "/requests/{req}", user: "dept1", status: 404},
			{name: "leader1 out of scope", method: "GET", path: "/requests/{req}", user: "leader1", status: 404},
			{name: "grid leader accepts", method: "POST", path: "/requests/{req}/accept", user: "clerk", status: 200,
				body: `{"urgency":"general","handling":"referred","department_id":{dept},"working_days":5}`,
				want: []string{`"state":"accepted"`, `"handling":"referred"`, `"urgency":"general"`, `"due_at":"`}},
			{name: "officer list", method: "GET", path: "/requests", user: "dept1", status: 200, check: wantTotal(1)},
			{name: "admin list", method: "GET", path: "/requests?state=accepted", user: "admin", status: 200, check: wantTotal(1)},
			{name: "officer may not accept", method: "POST", path: "/requests/{req}/decline", user: "dept1", status: 403, body: `{"reason":"x"}`},
			{name: "stale version", method: "POST", path: "/requests/{req}/progress", user: "dept1", status: 409,
				body: `{"version":1,"note":"x"}`, want: []string{`"current_version":2`}},
			{name: "public note too long", method: "POST", path: "/requests/{req}/resolve", user: "dept1", status: 400,
				body: `{"note":"x","public_note":"` + strings.Repeat("长", 1001) + `"}`, check: wantError("too_long", "public_note")},
			{name: "officer resolves", method: "POST", path: "/requests/{req}/resolve", user: "dept1", status: 200,
				body: `{"note":"新增充电桩，装在2号楼王师傅家门口","public_note":"已在小区新增充电桩"}`,
				want: []string{`"state":"resolved"`, `"resolution":"新增充电桩，装在2号楼王师傅家门口"`, `"public_note":"已在小区新增充电桩"`}},
			{name: "bad result", method: "POST", path: "/requests/{req}/callback", user: "admin", status: 400,
				body: `{"result":"meh"}`, check: wantError("one_of", "result")},
			{name: "dissatisfied needs a reason", method: "POST", path: "/requests/{req}/callback", user: "admin", status: 400,
				body: `{"result":"dissatisfied","method":"phone","comment":"还想要更多充电桩"}`, check: wantError("required", "reason")},
			{name: "a callback says how it was made", method: "POST", path: "/requests/{req}/callback", user: "admin", status: 400,
				body: `{"result":"satisfied"}`, check: wantError("one_of", "method")},
			{name: "staff do not rate as the resident", method: "POST", path: "/requests/{req}/callback", user: "admin", status: 400,
				body: `{"result":"satisfied","method":"resident"}`, check: wantError("resident", "method")},
			{name: "resolved: the callback is due in three working days", method: "GET", path: "/requests/{req}", user: "admin", status: 200,
				want: []string{`"callback_due_at":"`}},
			{name: "dissatisfied reopens", method: "POST", path: "/requests/{req}/callback", user: "admin", status: 200,
				body: `{"result":"dissatisfied","reason":"not_solved","method":"visit","comment":"还想要更多充电桩"}`,
				want: []string{`"state":"accepted"`, `"kind":"callback"`, `"callback_reason":"not_solved"`, `"callback_method":"visit"`}},
			{name: "timeline", method: "GET", path: "/requests/{req}", user: "admin", status: 200,
				want: []string{`"timeline":[`, `"kind":"submitted"`, `"kind":"resolve"`, `"to_state":"accepted"`, `+08:00`}},
			{name: "unknown request", method: "POST", path: "/requests/99999/accept", user: "admin", status: 404, body: `{}`},
		})
	})
}
