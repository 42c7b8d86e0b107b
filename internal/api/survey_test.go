package api

import (
	"testing"

	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestSurvey: answers come with a met visit (a bad one names its field
// and records nothing); the rates count them, by grid and within the
// caller's scope; administrators configure the questions.
func TestSurvey(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		fx.run(t, []scenario{
			{name: "bad answer", method: "POST", path: "/visits", user: "leader1", status: 400,
				body:  `{"client_id":"s-0","household_id":{red},"outcome":"met","survey":{"knows_grid_worker":"yes","satisfied":"very"}}`,
				check: wantError("one_of", "survey.satisfied")},
			{name: "nothing recorded", method: "GET", path: "/households/{red}/visits", user: "admin", status: 200, check: wantTotal(0)},
			{name: "not at home", method: "POST", path: "/visits", user: "leader1", status: 400,
				body:  `{"client_id":"s-0","household_id":{red},"outcome":"not_home","survey":{"knows_grid_worker":"yes"}}`,
				check: wantError("not_met", "survey")},
			{name: "visit with survey", method: "POST", path: "/visits", user: "leader1", status: 201,
				body: `{"client_id":"s-1","household_id":{red},"outcome":"met","survey":{"knows_grid_worker":"yes","joined_activity":"yes","satisfied":"basically_satisfied"}}`,
				want: []string{`"survey":{"joined_activity":"yes","knows_grid_worker":"yes","satisfied":"basically_satisfied"}`}},
			{name: "second household", method: "POST", path: "/visits", user: "clerk", status: 201,
				body: `{"client_id":"s-2","household_id":{green},"outcome":"met","survey":{"knows_grid_worker":"yes","joined_activity":"no","satisfied":"dissatisfied"}}`},

			{name: "stats", method: "GET", path: "/stats/survey", user: "admin", status: 200,
				want: []string{`"households":2`, `"awareness_rate":1,`, `"participation_rate":0.5,`, `"satisfaction_rate":0.5,`,
					`"grid":{grid1},"grid_name":"第一网格","households":1,"awareness_rate":1,"participation_rate":1,"satisfaction_rate":1`,
					`"grid":{grid2}`, `"satisfaction":{"answered":2,"positive":1}`, `"code":"knows_grid_worker"`}},
			{name: "stats: grid 1's leader", method: "GET", path: "/stats/survey", user: "leader1", status: 200,
				want: []string{`"households":1`, `"satisfaction_rate":1,`}, reject: []string{`"grid":{grid2}`}},
			{name: "stats: grid 2", method: "GET", path: "/stats/survey?grid={grid2}", user: "admin", status: 200,
				want: []string{`"households":1`, `"participation_rate":0,`}, reject: []string{`"grid":{grid1}`}},
			{name: "stats: a period before", method: "GET", path: "/stats/survey?from=2020-01-01&to=2020-12-31", user: "admin", status: 200,
				want: []string{`"households":0`, `"awareness_rate":null`, `"by_grid":[]`}},
			{name: "stats: bad date", method: "GET", path: "/stats/survey?to=2025-02-30", user: "admin", status: 400, check: wantError("date_invalid", "to")},
			{name: "stats: visitor", method: "GET", path: "/stats/survey", user: "visitor", status: 403},
			{name: "stats: officer", method: "GET", path: "/stats/survey", user: "officer", status: 403},

			{name: "questions: visitor", method: "GET", path: "/survey-questions", user: "visitor", status: 200,
				check: wantTotal(3), want: []string{`"text_zh":"知道您的网格员吗？"`, `"indicator":"awareness"`}},
			{name: "questions: auditor", method: "GET", path: "/survey-questions", user: "auditor", status: 403},
			{name: "add: grid leader", method: "POST", path: "/survey-questions", user: "clerk", status: 403,
				body: `{"code":"safe_home","text_zh":"家里安全吗？","kind":"yes_no"}`},
			{name: "add", method: "POST", path: "/survey-questions", user: "admin", status: 201,
				body: `{"code":"safe_home","text_zh":"家里安全吗？","text_en":"Is your home safe?","kind":"yes_no"}`,
				want: []string{`"code":"safe_home"`, `"indicator":"none"`, `"position":4`, `"active":true`}},
			{name: "add: duplicate", method: "POST", path: "/survey-questions", user: "admin", status: 400,
				body: `{"code":"safe_home","text_zh":"家里安全吗？","kind":"yes_no"}`, check: wantError("duplicate", "code")},
			{name: "add: bad kind", method: "POST", path: "/survey-questions", user: "admin", status: 400,
				body: `{"code":"stars","text_zh":"打几颗星？","kind":"stars"}`, check: wantError("one_of", "kind")},
			{name: "answer the new question", method: "POST", path: "/visits", user: "leader1", status: 201,
				body: `{"client_id":"s-3","household_id":{red},"outcome":"met","survey":{"safe_home":"no"}}`},
			{name: "deactivate", method: "PATCH", path: "/survey-questions/safe_home", user: "admin", status: 200,
				body: `{"active":false}`, want: []string{`"active":false`}},
			{name: "no longer asked", method: "POST", path: "/visits", user: "leader1", status: 400,
				body:  `{"client_id":"s-4","household_id":{red},"outcome":"met","survey":{"safe_home":"no"}}`,
				check: wantError("unknown", "survey.safe_home")},
			{name: "still counted", method: "GET", path: "/stats/survey", user: "admin", status: 200,
				want: []string{`"safe_home":{"no":1}`, `"awareness_rate":1,`}},
			{name: "deactivate: unknown", method: "PATCH", path: "/survey-questions/nope", user: "admin", status: 404, body: `{"active":false}`},
			{name: "deactivate: grid leader", method: "PATCH", path: "/survey-questions/satisfied", user: "clerk", status: 403, body: `{"active":false}`},
		})
	})
}
