package api

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

func TestBenefitCasesAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		fx.run(t, []scenario{
			// The visitor of the widow applies for her; the amount is
			// income, which a visitor does not see.
			{name: "visitor applies", method: "POST", path: "/benefits", user: "visitor",
				body:   `{"household_id":{red},"kind":"temporary_relief","person_ids":[{widow}],"amount":800,"period":"one_off","note":"台灯和水龙头"}`,
				status: 201, want: []string{`"id":1`, `"status":"applied"`, `"amount":null`, `"amount_hidden":true`, `"persons":["王秀兰"]`, `"version":1`}},
			{name: "admin sees the amount", method: "GET", path: "/benefits/1", user: "admin", status: 200,
				want: []string{`"amount":800`, `"period":"one_off"`}, reject: []string{`"amount_hidden"`}},
			{name: "the admin's view of the amount is audited", method: "GET", path: "/audit?action=benefit.view", user: "admin", status: 200,
				want: []string{`"object":"benefit:1"`}},
			{name: "visitor lists without amounts", method: "GET", path: "/benefits?household={red}", user: "visitor", status: 200,
				check: wantTotal(1), want: []string{`"amount":null`}, reject: []string{`"amount":800`, `:800,`}},
			{name: "the visitor's masked view is not a view of the amount", method: "GET", path: "/audit?action=benefit.list", user: "admin", status: 200,
				check: wantTotal(0)},
			{name: "bad kind names the field", method: "POST", path: "/benefits", user: "admin",
				body: `{"household_id":{red},"kind":"lottery","person_ids":[{widow}]}`, status: 400, check: wantError("one_of", "kind")},
			{name: "another household's person", method: "POST", path: "/benefits", user: "admin",
				body: `{"household_id":{red},"kind":"dibao","person_ids":[{father}]}`, status: 400, check: wantError("not_member", "person_ids")},
			{name: "a family of grid 2", method: "POST", path: "/benefits", user: "admin",
				body: `{"household_id":{green},"kind":"dibao","person_ids":[{father}],"amount":1200,"period":"monthly"}`, status: 201, want: []string{`"id":2`}},
			// Out of scope answers like missing.
			{name: "leader1 reads grid 2's case", method: "GET", path: "/benefits/2", user: "leader1", status: 404, check: wantError("not_found", "")},
			{name: "leader1 decides grid 2's case", method: "POST", path: "/benefits/2/decision", user: "leader1",
				body: `{"status":"approved","version":1}`, status: 404, check: wantError("not_found", "")},
			{name: "leader1 lists one", method: "GET", path: "/benefits", user: "leader1", status: 200, check: wantTotal(1)},
			{name: "the leader's list with amounts is audited", method: "GET", path: "/audit?action=benefit.list", user: "admin", status: 200,
				check: wantTotal(1), want: []string{`"object":"benefits"`}},
			{name: "missing case", method: "GET", path: "/benefits/999", user: "admin", status: 404, check: wantError("not_found", "")},
			// Deciding is a grid leader's or an administrator's.
			{name: "visitor may not decide", method: "POST", path: "/benefits/1/decision", user: "visitor",
				body: `{"status":"approved","version":1}`, status: 403},
			{name: "visitor edits the application", method: "PATCH", path: "/benefits/1", user: "visitor",
				body: `{"amount":700,"period":"one_off","version":1}`, status: 200, want: []string{`"version":2`, `"amount":null`}},
			{name: "stale edit", method: "PATCH", path: "/benefits/1", user: "visitor", body: `{"amount":1,"version":1}`, status: 409,
				want: []string{`"current_version":2`}},
			{name: "leader1 edits grid 2's case", method: "PATCH", path: "/benefits/2", user: "leader1", body: `{"amount":1,"version":1}`,
				status: 404, check: wantError("not_found", "")},
			{name: "stale version", method: "POST", path: "/benefits/1/decision", user: "leader1",
				body: `{"status":"approved","version":3}`, status: 409, want: []string{`"current_version":2`}},
			{name: "approve", method: "POST", path: "/benefits/1/decision", user: "leader1",
				body: `{"status":"approved","version":2,"amount":600}`, status: 200, want: []string{`"status":"approved"`, `"amount":600`, `"version":3`}},
			{name: "decided twice", method: "POST", path: "/benefits/1/decision", user: "leader1",
				body: `{"status":"rejected","version":3}`, status: 400, check: wantError("invalid_transition", "status")},
			{name: "still approved", method: "GET", path: "/benefits/1", user: "admin", status: 200, want: []string{`"status":"approved"`, `"version":3`}},
			{name: "the ledger has it", method: "GET", path: "/ledger?type=benefit_granted", user: "admin", status: 200,
				check: wantTotal(1), want: []string{`"field":"temporary_relief"`}},
			{name: "reject grid 2's", method: "POST", path: "/benefits/2/decision", user: "clerk",
				body: `{"status":"rejected","version":1}`, status: 200, want: []string{`"status":"rejected"`}},
			// The statistics (a contract).
			{name: "stats bad from", method: "GET", path: "/stats/benefits?from=2026-13-01&to=2026-12-31", user: "admin", status: 400, check: wantError("date_invalid", "from")},
			{name: "stats to before from", method: "GET", path: "/stats/benefits?from=2026-06-01&to=2026-05-01", user: "admin", status: 400, check: wantError("before_from", "to")},
			{name: "visitor has no statistics", method: "GET", path: "/stats/benefits?from=2026-01-01", user: "visitor", status: 403},
			{name: "stats", method: "GET", path: "/stats/benefits?from=2020-01-01", user: "admin", status: 200, check: func(t *testing.T, body []byte) {
				var out struct {
					Items []map[string]json.RawMessage `json:"items"`
				}
				if err := json.Unmarshal(body, &out); err != nil {
					t.Fatal(err)
				}
				kinds := map[string]string{}
				for _, it := range out.Items {
					var keys []string
					for k := range it {
						keys = append(keys, k)
					}
					slices.Sort(keys)
					if !slices.Equal(keys, []string{"households", "kind", "paid_households", "paid_persons", "person_months", "person_times", "persons"}) {
						t.Errorf("item keys %v", keys)
					}
					var k string
					_ = json.Unmarshal(it["kind"], &k)
					kinds[k] = string(it["households"]) + "/" + string(it["persons"]) + "/" + string(it["person_times"])
				}
				for k, want := range map[string]string{"dibao": "0/0/0", "near_dibao": "0/0/0", "temporary_relief": "1/1/1"} {
					if kinds[k] != want {
						t.Errorf("%s: %q, want %s (%s)", k, kinds[k], want, short(body))
					}
				}
			}},
			{name: "stats of the grid leader of both grids", method: "GET", path: "/stats/benefits?from=2020-01-01", user: "clerk", status: 200,
				want: []string{`{"kind":"temporary_relief","households":1,"persons":1,"person_times":1,"paid_households":1,"paid_persons":1,"person_months":1}`}},
		})
	})
}

func TestBenefitEndWithdrawAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		var member int64
		storetest.Scan(t, db.QueryRowContext(t.Context(), `SELECT id FROM team_members WHERE name = ?`, "卓玛"), &member)
		fx.ids = strings.NewReplacer(append(replacements(fx), "{member}", fmt.Sprint(member))...)
		fx.run(t, []scenario{
			// 1: a monthly dibao, approved, then ended.
			{name: "apply", method: "POST", path: "/benefits", user: "admin",
				body: `{"household_id":{red},"kind":"dibao","person_ids":[{widow}],"amount":500,"period":"monthly","applied_on":"2026-01-05"}`, status: 201, want: []string{`"id":1`}},
			{name: "an applied case does not end", method: "POST", path: "/benefits/1/end", user: "leader1",
				body: `{"reason":"迁出","version":1}`, status: 400, check: wantError("invalid_transition", "status")},
			{name: "approve", method: "POST", path: "/benefits/1/decision", user: "leader1",
				body: `{"status":"approved","decided_on":"2026-01-10","version":1}`, status: 200, want: []string{`"version":2`}},
			{name: "the visitor may not end", method: "POST", path: "/benefits/1/end", user: "visitor", body: `{"reason":"迁出","version":2}`, status: 403},
			{name: "no reason", method: "POST", path: "/benefits/1/end", user: "leader1", body: `{"version":2}`, status: 400, check: wantError("required", "reason")},
			{name: "before the decision", method: "POST", path: "/benefits/1/end", user: "leader1",
				body: `{"ended_on":"2026-01-09","reason":"迁出","version":2}`, status: 400, check: wantError("before_decided", "ended_on")},
			{name: "a bad day", method: "POST", path: "/benefits/1/end", user: "leader1",
				body: `{"ended_on":"2026-02-30","reason":"迁出","version":2}`, status: 400, check: wantError("date_invalid", "ended_on")},
			{name: "stale", method: "POST", path: "/benefits/1/end", user: "leader1", body: `{"reason":"迁出","version":1}`, status: 409,
				want: []string{`"current_version":2`}},
			{name: "an unknown field", method: "POST", path: "/benefits/1/end", user: "leader1", body: `{"reason":"迁出","version":2,"why":"x"}`, status: 400},
			{name: "still approved", method: "GET", path: "/benefits/1", user: "admin", status: 200,
				want: []string{`"status":"approved"`, `"version":2`}, reject: []string{`"ended_on"`, `"reason"`}},
			{name: "end", method: "POST", path: "/benefits/1/end", user: "leader1",
				body: `{"ended_on":"2026-03-01","reason":"迁往外省","version":2}`, status: 200,
				want: []string{`"status":"ended"`, `"ended_on":"2026-03-01"`, `"reason":"迁往外省"`, `"decided_on":"2026-01-10"`, `"version":3`}},
			{name: "ended twice", method: "POST", path: "/benefits/1/end", user: "leader1",
				body: `{"reason":"again","version":3}`, status: 400, check: wantError("invalid_transition", "status")},
			{name: "the ledger has the end", method: "GET", path: "/ledger?type=benefit_ended", user: "admin", status: 200,
				check: wantTotal(1), want: []string{`"field":"dibao"`, `"before":"approved"`, `"after":"ended"`, `2026-03-01 · 1人 · 迁往外省`}},
			{name: "the end is audited", method: "GET", path: "/audit?action=benefit.end", user: "admin", status: 200,
				want: []string{`"action":"benefit.end","object":"household:{red}","result":"ok","detail":"benefit:1 ended`}},
			{name: "the list filters ended", method: "GET", path: "/benefits?status=ended", user: "admin", status: 200, check: wantTotal(1)},
			// Granted in January, paid January and February.
			{name: "stats", method: "GET", path: "/stats/benefits?from=2026-01-01&to=2026-12-31", user: "admin", status: 200,
				want: []string{`{"kind":"dibao","households":1,"persons":1,"person_times":1,"paid_households":1,"paid_persons":1,"person_months":2}`}},
			{name: "stats in March", method: "GET", path: "/stats/benefits?from=2026-03-01&to=2026-03-31", user: "admin", status: 200,
				want: []string{`{"kind":"dibao","households":0,"persons":0,"person_times":0,"paid_households":0,"paid_persons":0,"person_months":0}`}},
			// 2: the visitor's own application, withdrawn by them.
			{name: "the visitor applies as helper", method: "POST", path: "/benefits", user: "visitor",
				body: `{"household_id":{red},"kind":"elderly_subsidy","person_ids":[{widow}],"helper_id":{member}}`, status: 201, want: []string{`"id":2`}},
			// 3: another's application, which the visitor may not withdraw.
			{name: "the admin applies", method: "POST", path: "/benefits", user: "admin",
				body: `{"household_id":{red},"kind":"near_dibao","person_ids":[{widow}]}`, status: 201, want: []string{`"id":3`}},
			{name: "not the visitor's case", method: "POST", path: "/benefits/3/withdraw", user: "visitor", body: `{"reason":"x","version":1}`, status: 403},
			{name: "leader1 withdraws grid 2's", method: "POST", path: "/benefits/99/withdraw", user: "leader1", body: `{"reason":"x","version":1}`,
				status: 404, check: wantError("not_found", "")},
			{name: "no reason", method: "POST", path: "/benefits/2/withdraw", user: "visitor", body: `{"reason":" ","version":1}`, status: 400, check: wantError("required", "reason")},
			{name: "the helper withdraws", method: "POST", path: "/benefits/2/withdraw", user: "visitor", body: `{"reason":"家属不再申请","version":1}`, status: 200,
				want: []string{`"status":"withdrawn"`, `"withdrawn_on":"`, `"reason":"家属不再申请"`, `"version":2`}},
			{name: "withdrawn twice", method: "POST", path: "/benefits/2/withdraw", user: "visitor", body: `{"reason":"x","version":2}`,
				status: 400, check: wantError("invalid_transition", "status")},
			{name: "a withdrawn case is not decided", method: "POST", path: "/benefits/2/decision", user: "leader1", body: `{"status":"approved","version":2}`,
				status: 400, check: wantError("invalid_transition", "status")},
			{name: "a decider withdraws another's", method: "POST", path: "/benefits/3/withdraw", user: "leader1", body: `{"reason":"录入错误","version":1}`, status: 200,
				want: []string{`"status":"withdrawn"`}},
			{name: "an approved case is not withdrawn", method: "POST", path: "/benefits/1/withdraw", user: "admin", body: `{"reason":"x","version":3}`,
				status: 400, check: wantError("invalid_transition", "status")},
			{name: "the ledger has the withdrawals", method: "GET", path: "/ledger?type=benefit_withdrawn", user: "admin", status: 200, check: wantTotal(2)},
			{name: "the list filters withdrawn", method: "GET", path: "/benefits?status=withdrawn", user: "admin", status: 200, check: wantTotal(2)},
		})
	})
}
