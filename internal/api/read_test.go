package api

import (
	"net/url"
	"testing"

	"wanhu/internal/household/householdtest"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

func TestAuthAndSession(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		var token string
		fx.run(t, []scenario{
			{name: "login", method: "POST", path: "/auth/login", body: `{"username":"clerk","password":"dongxing-clerk-2025"}`,
				status: 200, want: []string{`"token":"`, `"expires_at":"`, `"username":"clerk"`},
				check: func(t *testing.T, body []byte) {
					token = decodeAs[struct{ Token string }](t, body).Token
				}},
			{name: "login wrong password", method: "POST", path: "/auth/login", body: `{"username":"clerk","password":"nope-nope-nope"}`,
				status: 401, check: wantError("bad_credentials", "")},
			{name: "login unknown user", method: "POST", path: "/auth/login", body: `{"username":"ghost","password":"nope-nope-nope"}`,
				status: 401, check: wantError("bad_credentials", "")},
			{name: "login unknown field", method: "POST", path: "/auth/login", body: `{"username":"clerk","pass":"x"}`,
				status: 400, check: wantError("unknown_field", "pass")},
			{name: "login malformed", method: "POST", path: "/auth/login", body: `{"username":`, status: 400, check: wantError("bad_json", "")},
			{name: "login empty body", method: "POST", path: "/auth/login", status: 400, check: wantError("bad_json", "")},
			{name: "login oversized", method: "POST", path: "/auth/login", body: oversized, status: 400, check: wantError("body_too_large", "")},
			{name: "me", method: "GET", path: "/me", user: "admin", status: 200, want: []string{`"username":"admin"`, `"role":"admin"`},
				reject: []string{`"token"`}},
			{name: "me without token", method: "GET", path: "/me", status: 401, check: wantError("unauthorized", "")},
			{name: "me with a bad token", method: "GET", path: "/me", user: "bad", status: 401, check: wantError("unauthorized", "")},
			{name: "me with a basic header", method: "GET", path: "/me", header: map[string]string{"Authorization": "Basic YWRtaW46eA=="},
				status: 401, check: wantError("unauthorized", "")},
			{name: "logout without token", method: "POST", path: "/auth/logout", status: 401, check: wantError("unauthorized", "")},
		})
		fx.tokens["fresh"] = token
		fx.run(t, []scenario{
			{name: "fresh token works", method: "GET", path: "/me", user: "fresh", status: 200, want: []string{`"username":"clerk"`}},
			{name: "logout", method: "POST", path: "/auth/logout", user: "fresh", status: 204},
			{name: "token is dead after logout", method: "GET", path: "/me", user: "fresh", status: 401, check: wantError("unauthorized", "")},
		})
	})
}

func TestReferenceData(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		fx.run(t, []scenario{
			{name: "grids", method: "GET", path: "/grids", user: "clerk", status: 200, check: wantTotal(2),
				want: []string{`"id":{grid1}`, `"name":"第一网格"`, `"community_name":"东兴社区"`, `"households":1`}},
			{name: "grids need a token", method: "GET", path: "/grids", status: 401, check: wantError("unauthorized", "")},
			{name: "grid", method: "GET", path: "/grids/{grid2}", user: "clerk", status: 200, want: []string{`"name":"第二网格"`, `"number":2`}},
			{name: "grid not found", method: "GET", path: "/grids/99999", user: "clerk", status: 404, check: wantError("not_found", "")},
			{name: "grid id not a number", method: "GET", path: "/grids/abc", user: "clerk", status: 404, check: wantError("not_found", "")},
			{name: "compounds with buildings", method: "GET", path: "/compounds", user: "clerk", status: 200, check: wantTotal(1),
				want: []string{`"name":"一化小区"`, `"buildings":[`, `"name":"1号楼"`}},
			{name: "team", method: "GET", path: "/team", user: "clerk", status: 200, check: wantTotal(1)},
			{name: "tags", method: "GET", path: "/tags", user: "clerk", status: 200, want: []string{`"code":"living_alone_elderly"`, `"derived":true`}},
			{name: "colour rules", method: "GET", path: "/colour-rules", user: "clerk", status: 200, check: wantTotal(8),
				want: []string{`"code":"living_alone_elderly"`, `"colour":"red"`}},
			{name: "openapi", method: "GET", path: "/openapi.json", status: 200, want: []string{`"openapi": "3.1`}},
			{name: "known path, other method", method: "DELETE", path: "/households/{red}", user: "clerk", status: 405,
				check: wantError("method_not_allowed", "")},
			{name: "unknown route", method: "GET", path: "/nothing-here", user: "clerk", status: 404, check: wantError("not_found", "")},
		})
	})
}

func TestHouseholdList(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		fx.run(t, []scenario{
			{name: "all, masked even for admin", method: "GET", path: "/households", user: "admin", status: 200, check: wantTotal(2),
				want:   []string{`"phone":"139****5678"`, `"householder":"王秀兰"`, `"colour":"red"`, `"colour_reasons":[`, `"version":`, `"grid_name":"第一网格"`},
				reject: []string{"13912345678", `"members"`}},
			{name: "by grid", method: "GET", path: "/households?grid={grid2}", user: "clerk", status: 200, check: wantTotal(1),
				want: []string{`"householder":"李建国"`}},
			{name: "by colour", method: "GET", path: "/households?colour=red", user: "clerk", status: 200, check: wantTotal(1),
				want: []string{`"id":{red}`}},
			{name: "by kind", method: "GET", path: "/households?kind=commercial", user: "clerk", status: 200, check: wantTotal(0)},
			{name: "by tag", method: "GET", path: "/households?tag=living_alone_elderly", user: "clerk", status: 200, check: wantTotal(1)},
			{name: "by compound and building", method: "GET", path: "/households?compound={compound}&building={building2}", user: "clerk",
				status: 200, check: wantTotal(1), want: []string{`"id":{green}`}},
			{name: "search a name", method: "GET", path: "/households?q=%E6%9D%8E", user: "clerk", status: 200, check: wantTotal(1),
				want: []string{`"id":{green}`}},
			{name: "search a phone", method: "GET", path: "/households?q=13912345678", user: "clerk", status: 200, check: wantTotal(1),
				reject: []string{"13912345678"}},
			// Issue 14: what people type finds the household.
			{name: "search an address without spaces", method: "GET", path: "/households?q=" + url.QueryEscape("一化小区1号楼2单元302"), user: "clerk",
				status: 200, check: wantTotal(1), want: []string{`"id":{red}`}},
			{name: "search the same address with spaces", method: "GET", path: "/households?q=" + url.QueryEscape("一化小区 1号楼 2单元 302"), user: "clerk",
				status: 200, check: wantTotal(1), want: []string{`"id":{red}`}},
			{name: "search building-unit-room", method: "GET", path: "/households?q=1-2-302", user: "clerk", status: 200, check: wantTotal(1),
				want: []string{`"id":{red}`}},
			{name: "search 栋 for 号楼", method: "GET", path: "/households?q=" + url.QueryEscape("2栋"), user: "clerk", status: 200, check: wantTotal(1),
				want: []string{`"id":{green}`}},
			{name: "search the last four digits of a phone", method: "GET", path: "/households?q=5678", user: "clerk", status: 200, check: wantTotal(1),
				want: []string{`"id":{red}`, `"phone":"139****5678"`}, reject: []string{"13912345678"}},
			{name: "search pinyin initials", method: "GET", path: "/households?q=wxl", user: "clerk", status: 200, check: wantTotal(1),
				want: []string{`"id":{red}`}},
			{name: "search full pinyin with spaces", method: "GET", path: "/households?q=" + url.QueryEscape("wang xiu lan"), user: "clerk", status: 200,
				check: wantTotal(1), want: []string{`"id":{red}`}},
			{name: "page two", method: "GET", path: "/households?page=2&per_page=1", user: "clerk", status: 200, check: wantTotal(2),
				want: []string{`"id":{green}`}},
			{name: "page past the end", method: "GET", path: "/households?page=9", user: "clerk", status: 200, want: []string{`"items":[]`, `"total":2`}},
			{name: "grid not a number", method: "GET", path: "/households?grid=abc", user: "clerk", status: 400, check: wantError("invalid", "grid")},
			{name: "colour purple", method: "GET", path: "/households?colour=purple", user: "clerk", status: 400, check: wantError("one_of", "colour")},
			{name: "kind unknown", method: "GET", path: "/households?kind=castle", user: "clerk", status: 400, check: wantError("one_of", "kind")},
			{name: "negative page", method: "GET", path: "/households?page=-1", user: "clerk", status: 400, check: wantError("range", "page")},
			{name: "per_page too big", method: "GET", path: "/households?per_page=501", user: "clerk", status: 400, check: wantError("range", "per_page")},
			{name: "unknown tag", method: "GET", path: "/households?tag=nope", user: "clerk", status: 400, check: wantError("tag_unknown", "tag")},
			{name: "no token", method: "GET", path: "/households", status: 401, check: wantError("unauthorized", "")},
		})
	})
}

func TestHouseholdFile(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		full := householdtest.IDNumber("1948-03-05", 22)
		fx.run(t, []scenario{
			{name: "the file, masked even for the admin", method: "GET", path: "/households/{red}", user: "admin", status: 200,
				want: []string{`"colour":"red"`, `"code":"living_alone_elderly"`, `"person":"王秀兰"`, `"version":`, `"members":[`,
					`"id_number":"63****************"`, `"phone":"139****5678"`, `"birth_date":"1948-03-05"`, `"needs":[]`, `"plan":[]`,
					`"tags":["special_difficulty"]`}, reject: []string{full, "13912345678"}},
			{name: "the visitor sees it masked", method: "GET", path: "/households/{red}", user: "visitor", status: 200,
				want: []string{`"id_number":"63****************"`, `"phone":"139****5678"`}, reject: []string{full, "13912345678", "高血压"}},
			{name: "not found", method: "GET", path: "/households/99999", user: "clerk", status: 404, check: wantError("not_found", "")},
			{name: "no token", method: "GET", path: "/households/{red}", status: 401, check: wantError("unauthorized", "")},
			{name: "person, admin", method: "GET", path: "/persons/{widow}", user: "admin", status: 200,
				want: []string{`"name":"王秀兰"`, `"age":`, `"tags":["living_alone_elderly"]`, `"health_notes":"高血压"`}, reject: []string{full}},
			{name: "person, masked", method: "GET", path: "/persons/{widow}", user: "clerk", status: 200, reject: []string{full}},
			{name: "person not found", method: "GET", path: "/persons/99999", user: "clerk", status: 404, check: wantError("not_found", "")},
		})
	})
}
