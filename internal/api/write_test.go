package api

import (
	"fmt"
	"strings"
	"testing"

	"wanhu/internal/household"
	"wanhu/internal/household/householdtest"
	"wanhu/internal/pii"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// badCheckDigit returns a valid ID number with a wrong check character,
// and the right one.
func badCheckDigit(birth string, seq int) (string, string) {
	good := householdtest.IDNumber(birth, seq)
	bad := byte('0')
	if good[17] == '0' {
		bad = '1'
	}
	return good[:17] + string(bad), string(good[17])
}

func TestHouseholdWrites(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		bad, right := badCheckDigit("1990-05-06", 31)
		fx.run(t, []scenario{
			{name: "create with members", method: "POST", path: "/households", user: "clerk", status: 201,
				body: `{"building_id":{building1},"unit":"3","room":"501","phone":"13700002222","contact_times":["evening","weekend"],
					"language":"bo","members":[{"name":"扎西","id_number":"` + householdtest.IDNumber("1990-05-06", 31) + `","relation":"householder",
					"ethnicity":"藏族","employment":"employed"},{"name":"卓玛","birth_date":"2025-01-02","gender":"female","relation":"child"}]}`,
				want: []string{`"address":"一化小区 1号楼 3单元 501室"`, `"member_count":2`, `"colour":"green"`, `"members":[`,
					`"language":"bo"`, `"version":1`, `"phone":"137****2222"`}},
			{name: "create a shop", method: "POST", path: "/households", user: "clerk", status: 201,
				body: `{"grid_id":{grid2},"address":"东兴路12号","kind":"commercial","shop_name":"东兴便利店","business_type":"retail"}`,
				want: []string{`"kind":"commercial"`, `"shop_name":"东兴便利店"`, `"members":[]`}},
			{name: "create, bad check digit", method: "POST", path: "/households", user: "clerk", status: 400,
				body: `{"building_id":{building1},"members":[{"name":"扎西","id_number":"` + bad + `"}]}`,
				want: []string{"check digit should be " + right}, reject: []string{bad}, check: wantError("id_check_digit", "members[0].id_number")},
			{name: "create, bad member date", method: "POST", path: "/households", user: "clerk", status: 400,
				body:  `{"building_id":{building1},"members":[{"name":"卓玛","birth_date":"2023-02-29","gender":"female"}]}`,
				check: wantError("date_invalid", "members[0].birth_date")},
			{name: "create, wrong kind", method: "POST", path: "/households", user: "clerk", status: 400,
				body: `{"building_id":{building1},"kind":"castle","shop_name":"x"}`, check: wantError("one_of", "kind")},
			{name: "create, shop without name", method: "POST", path: "/households", user: "clerk", status: 400,
				body: `{"grid_id":{grid1},"address":"东兴路1号","kind":"commercial"}`, check: wantError("required", "shop_name")},
			{name: "create, bad phone", method: "POST", path: "/households", user: "clerk", status: 400,
				body: `{"building_id":{building1},"phone":"call me"}`, check: wantError("phone", "phone"), reject: []string{"call me"}},
			{name: "create, unknown building", method: "POST", path: "/households", user: "clerk", status: 400,
				body: `{"building_id":99999}`, check: wantError("not_found", "building_id")},
			{name: "create, read-only colour", method: "POST", path: "/households", user: "clerk", status: 400,
				body: `{"building_id":{building1},"colour":"green"}`, check: wantError("unknown_field", "colour")},
			{name: "create, wrong type", method: "POST", path: "/households", user: "clerk", status: 400,
				body: `{"building_id":"one"}`, check: wantError("invalid_type", "building_id")},
			{name: "create, malformed", method: "POST", path: "/households", user: "clerk", status: 400,
				body: `{"building_id":1,,}`, check: wantError("bad_json", "")},
			{name: "create, two objects", method: "POST", path: "/households", user: "clerk", status: 400,
				body: `{"building_id":{building1}} {}`, check: wantError("bad_json", "")},
			{name: "create, oversized", method: "POST", path: "/households", user: "clerk", status: 400,
				body: oversized, check: wantError("body_too_large", "")},
			{name: "create, no token", method: "POST", path: "/households", status: 401, body: `{}`, check: wantError("unauthorized", "")},

			{name: "patch", method: "PATCH", path: "/households/{green}", user: "clerk", status: 200,
				body: `{"version":1,"notes":"晚上在家","contact_times":["evening"],"occupancy":"rented"}`,
				want: []string{`"notes":"晚上在家"`, `"occupancy":"rented"`, `"version":2`, `"contact_times":["evening"]`, `"unit":"1"`}},
			{name: "patch, stale version", method: "PATCH", path: "/households/{green}", user: "clerk", status: 409,
				body: `{"version":1,"notes":"lost update"}`, want: []string{`"current_version":2`}, check: wantError("conflict", "")},
			{name: "nothing changed by the stale patch", method: "GET", path: "/households/{green}", user: "clerk", status: 200,
				want: []string{`"notes":"晚上在家"`, `"version":2`}, reject: []string{"lost update"}},
			{name: "patch, no version", method: "PATCH", path: "/households/{green}", user: "clerk", status: 400,
				body: `{"notes":"x"}`, check: wantError("required", "version")},
			{name: "patch, read-only colour", method: "PATCH", path: "/households/{green}", user: "clerk", status: 400,
				body: `{"version":2,"colour":"red"}`, check: wantError("unknown_field", "colour")},
			{name: "patch, members", method: "PATCH", path: "/households/{green}", user: "clerk", status: 400,
				body: `{"version":2,"members":[]}`, check: wantError("unknown_field", "members")},
			{name: "patch, wrong occupancy", method: "PATCH", path: "/households/{green}", user: "clerk", status: 400,
				body: `{"version":2,"occupancy":"squatted"}`, check: wantError("one_of", "occupancy")},
			{name: "patch, unknown tag", method: "PATCH", path: "/households/{green}", user: "clerk", status: 400,
				body: `{"version":2,"tags":["nope"]}`, check: wantError("tag_unknown", "tags")},
			{name: "patch, malformed", method: "PATCH", path: "/households/{green}", user: "clerk", status: 400,
				body: `{"version":`, check: wantError("bad_json", "")},
			{name: "patch, oversized", method: "PATCH", path: "/households/{green}", user: "clerk", status: 400,
				body: oversized, check: wantError("body_too_large", "")},
			{name: "patch, not found", method: "PATCH", path: "/households/99999", user: "clerk", status: 404,
				body: `{"version":1}`, check: wantError("not_found", "")},
			{name: "patch, no token", method: "PATCH", path: "/households/{green}", status: 401, body: `{"version":2}`, check: wantError("unauthorized", "")},
		})
	})
}

func TestPersonWrites(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		bad, right := badCheckDigit("2001-02-03", 41)
		dup := householdtest.IDNumber("1980-07-01", 11) // the father's
		fx.run(t, []scenario{
			{name: "add a newborn", method: "POST", path: "/households/{green}/members", user: "clerk", status: 201,
				body: `{"name":"李小宝","birth_date":"2026-01-02","gender":"male","relation":"child","event":"born"}`,
				want: []string{`"name":"李小宝"`, `"household_id":{green}`, `"version":1`}},
			{name: "add, bad check digit", method: "POST", path: "/households/{green}/members", user: "clerk", status: 400,
				body: `{"name":"李明","id_number":"` + bad + `"}`, want: []string{"check digit should be " + right},
				reject: []string{bad}, check: wantError("id_check_digit", "id_number")},
			{name: "add, duplicate ID number", method: "POST", path: "/households/{red}/members", user: "clerk", status: 400,
				body: `{"name":"李建国","id_number":"` + dup + `"}`, want: []string{fmt.Sprint("household ", "{green}")},
				reject: []string{dup}, check: wantError("id_duplicate", "id_number")},
			{name: "add, birth date disagrees", method: "POST", path: "/households/{green}/members", user: "clerk", status: 400,
				body:  `{"name":"李明","id_number":"` + householdtest.IDNumber("2001-02-03", 41) + `","birth_date":"2001-02-04"}`,
				check: wantError("birth_date_mismatch", "birth_date")},
			{name: "add, wrong event", method: "POST", path: "/households/{green}/members", user: "clerk", status: 400,
				body: `{"name":"李明","birth_date":"2001-02-03","gender":"male","event":"teleported"}`, check: wantError("one_of", "event")},
			{name: "add, wrong relation", method: "POST", path: "/households/{green}/members", user: "clerk", status: 400,
				body: `{"name":"李明","birth_date":"2001-02-03","gender":"male","relation":"cousin"}`, check: wantError("one_of", "relation")},
			{name: "add, unknown field", method: "POST", path: "/households/{green}/members", user: "clerk", status: 400,
				body: `{"name":"李明","version":3}`, check: wantError("unknown_field", "version")},
			{name: "add, malformed", method: "POST", path: "/households/{green}/members", user: "clerk", status: 400,
				body: `[`, check: wantError("bad_json", "")},
			{name: "add, oversized", method: "POST", path: "/households/{green}/members", user: "clerk", status: 400,
				body: oversized, check: wantError("body_too_large", "")},
			{name: "add, household not found", method: "POST", path: "/households/99999/members", user: "clerk", status: 404,
				body: `{"name":"李明","birth_date":"2001-02-03","gender":"male"}`, check: wantError("not_found", "")},

			{name: "patch person", method: "PATCH", path: "/persons/{father}", user: "admin", status: 200,
				body: `{"version":1,"phone":"13600003333","school":""}`, want: []string{`"phone":"136****3333"`, `"version":2`, `"name":"李建国"`}},
			{name: "patch person, masked answer for others", method: "PATCH", path: "/persons/{father}", user: "clerk", status: 200,
				body: `{"version":2,"ethnicity":"回族"}`, want: []string{`"phone":"136****3333"`, `"ethnicity":"回族"`, `"version":3`},
				reject: []string{"13600003333", dup}},
			{name: "patch person, stale", method: "PATCH", path: "/persons/{father}", user: "clerk", status: 409,
				body: `{"version":1,"name":"改名"}`, want: []string{`"current_version":3`}, check: wantError("conflict", "")},
			{name: "patch person, no version", method: "PATCH", path: "/persons/{father}", user: "clerk", status: 400,
				body: `{"name":"改名"}`, check: wantError("required", "version")},
			{name: "patch person, read-only age", method: "PATCH", path: "/persons/{father}", user: "clerk", status: 400,
				body: `{"version":3,"age":30}`, check: wantError("unknown_field", "age")},
			{name: "patch person, bad check digit", method: "PATCH", path: "/persons/{father}", user: "clerk", status: 400,
				body: `{"version":3,"id_number":"` + bad + `"}`, check: wantError("id_check_digit", "id_number"), reject: []string{bad}},
			{name: "patch person, bad date", method: "PATCH", path: "/persons/{father}", user: "clerk", status: 400,
				body: `{"version":3,"moved_in_on":"2020-13-01"}`, check: wantError("date_invalid", "moved_in_on")},
			{name: "patch person, wrong dibao", method: "PATCH", path: "/persons/{father}", user: "clerk", status: 400,
				body: `{"version":3,"dibao":"rich"}`, check: wantError("one_of", "dibao")},
			{name: "patch person, disability grade 5", method: "PATCH", path: "/persons/{father}", user: "clerk", status: 400,
				body: `{"version":3,"disability_type":"physical","disability_grade":5}`, check: wantError("disability_grade", "disability_grade")},
			{name: "patch person, oversized", method: "PATCH", path: "/persons/{father}", user: "clerk", status: 400,
				body: oversized, check: wantError("body_too_large", "")},
			{name: "patch person, not found", method: "PATCH", path: "/persons/99999", user: "clerk", status: 404,
				body: `{"version":1}`, check: wantError("not_found", "")},
			{name: "nothing changed by the failed patches", method: "GET", path: "/persons/{father}", user: "admin", status: 200,
				want: []string{`"version":3`, `"name":"李建国"`, `"id_number":"` + pii.MaskIDNumber(dup) + `"`, `"dibao":"none"`}},

			{name: "event: dibao approved", method: "POST", path: "/persons/{father}/events", user: "clerk", status: 200,
				body: `{"type":"dibao_approved","note":"民政审批"}`, want: []string{`"dibao":"dibao"`, `"version":4`}},
			{name: "event: wrong type", method: "POST", path: "/persons/{father}/events", user: "clerk", status: 400,
				body: `{"type":"won_lottery"}`, check: wantError("one_of", "type")},
			{name: "event: bad date", method: "POST", path: "/persons/{father}/events", user: "clerk", status: 400,
				body: `{"type":"moved_out","date":"2026-02-30"}`, check: wantError("date_invalid", "date")},
			{name: "event: wrong school", method: "POST", path: "/persons/{father}/events", user: "clerk", status: 400,
				body: `{"type":"started_school","school":"hogwarts"}`, check: wantError("one_of", "school")},
			{name: "event: unknown field", method: "POST", path: "/persons/{father}/events", user: "clerk", status: 400,
				body: `{"type":"lost_job","person_id":1}`, check: wantError("unknown_field", "person_id")},
			{name: "event: malformed", method: "POST", path: "/persons/{father}/events", user: "clerk", status: 400,
				body: `{"type"}`, check: wantError("bad_json", "")},
			{name: "event: oversized", method: "POST", path: "/persons/{father}/events", user: "clerk", status: 400,
				body: oversized, check: wantError("body_too_large", "")},
			{name: "event: not found", method: "POST", path: "/persons/99999/events", user: "clerk", status: 404,
				body: `{"type":"lost_job"}`, check: wantError("not_found", "")},
			{name: "event: no token", method: "POST", path: "/persons/{father}/events", status: 401,
				body: `{"type":"lost_job"}`, check: wantError("unauthorized", "")},
		})
	})
}

func TestNeedsPlanAndColour(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		var needID, measureID int64
		fx.run(t, []scenario{
			{name: "add need", method: "POST", path: "/households/{red}/needs", user: "clerk", status: 201,
				body: `{"kind":"elderly_care","note":"每周送餐","person_id":{widow}}`, want: []string{`"status":"open"`, `"kind":"elderly_care"`},
				check: func(t *testing.T, b []byte) { needID = decodeAs[household.Need](t, b).ID }},
			{name: "add need, wrong kind", method: "POST", path: "/households/{red}/needs", user: "clerk", status: 400,
				body: `{"kind":"pony"}`, check: wantError("one_of", "kind")},
			{name: "add need, not a member", method: "POST", path: "/households/{red}/needs", user: "clerk", status: 400,
				body: `{"kind":"medical","person_id":{father}}`, check: wantError("not_member", "person_id")},
			{name: "add need, unknown field", method: "POST", path: "/households/{red}/needs", user: "clerk", status: 400,
				body: `{"kind":"medical","id":3}`, check: wantError("unknown_field", "id")},
			{name: "add need, malformed", method: "POST", path: "/households/{red}/needs", user: "clerk", status: 400,
				body: `{`, check: wantError("bad_json", "")},
			{name: "add need, oversized", method: "POST", path: "/households/{red}/needs", user: "clerk", status: 400,
				body: oversized, check: wantError("body_too_large", "")},
			{name: "add need, no household", method: "POST", path: "/households/99999/needs", user: "clerk", status: 404,
				body: `{"kind":"medical"}`, check: wantError("not_found", "")},
			{name: "add measure", method: "POST", path: "/households/{red}/plan", user: "clerk", status: 201,
				body: `{"kind":"weekly_visit","frequency":"weekly","description":"网格员每周上门"}`, want: []string{`"status":"active"`},
				check: func(t *testing.T, b []byte) { measureID = decodeAs[household.Measure](t, b).ID }},
			{name: "add measure, wrong frequency", method: "POST", path: "/households/{red}/plan", user: "clerk", status: 400,
				body: `{"kind":"weekly_visit","frequency":"hourly"}`, check: wantError("one_of", "frequency")},
			{name: "add measure, unknown owner", method: "POST", path: "/households/{red}/plan", user: "clerk", status: 400,
				body: `{"kind":"weekly_visit","frequency":"weekly","owner_id":99999}`, check: wantError("not_found", "owner_id")},
			{name: "add measure, unknown field", method: "POST", path: "/households/{red}/plan", user: "clerk", status: 400,
				body: `{"kind":"weekly_visit","frequency":"weekly","owner_name":"x"}`, check: wantError("unknown_field", "owner_name")},
			{name: "add measure, malformed", method: "POST", path: "/households/{red}/plan", user: "clerk", status: 400,
				body: `"x"`, check: wantError("invalid_type", "")},
			{name: "add measure, oversized", method: "POST", path: "/households/{red}/plan", user: "clerk", status: 400,
				body: oversized, check: wantError("body_too_large", "")},
			{name: "add measure, no household", method: "POST", path: "/households/99999/plan", user: "clerk", status: 404,
				body: `{"kind":"weekly_visit","frequency":"weekly"}`, check: wantError("not_found", "")},
			{name: "file shows need and plan", method: "GET", path: "/households/{red}", user: "clerk", status: 200,
				want: []string{`"needs":[{`, `"plan":[{`, `"description":"网格员每周上门"`}},

			{name: "override colour", method: "PUT", path: "/households/{green}/colour-override", user: "clerk", status: 200,
				body: `{"colour":"yellow","reason":"家中近期有变故"}`, want: []string{`"colour":"yellow"`, `"code":"override"`, `"colour_override":"yellow"`}},
			{name: "override without reason", method: "PUT", path: "/households/{green}/colour-override", user: "clerk", status: 400,
				body: `{"colour":"red"}`, check: wantError("required", "reason")},
			{name: "override without colour", method: "PUT", path: "/households/{green}/colour-override", user: "clerk", status: 400,
				body: `{"reason":"x"}`, check: wantError("required", "colour")},
			{name: "override purple", method: "PUT", path: "/households/{green}/colour-override", user: "clerk", status: 400,
				body: `{"colour":"purple","reason":"x"}`, check: wantError("one_of", "colour")},
			{name: "override, unknown field", method: "PUT", path: "/households/{green}/colour-override", user: "clerk", status: 400,
				body: `{"colour":"red","reason":"x","by":"me"}`, check: wantError("unknown_field", "by")},
			{name: "override, malformed", method: "PUT", path: "/households/{green}/colour-override", user: "clerk", status: 400,
				body: `{"colour":`, check: wantError("bad_json", "")},
			{name: "override, oversized", method: "PUT", path: "/households/{green}/colour-override", user: "clerk", status: 400,
				body: oversized, check: wantError("body_too_large", "")},
			{name: "override, not found", method: "PUT", path: "/households/99999/colour-override", user: "clerk", status: 404,
				body: `{"colour":"red","reason":"x"}`, check: wantError("not_found", "")},
			{name: "clear override", method: "DELETE", path: "/households/{green}/colour-override", user: "clerk", status: 200,
				want: []string{`"colour":"green"`}, reject: []string{`"colour_override"`}},
			{name: "clear override, not found", method: "DELETE", path: "/households/99999/colour-override", user: "clerk", status: 404,
				check: wantError("not_found", "")},
			{name: "clear override, no token", method: "DELETE", path: "/households/{green}/colour-override", status: 401,
				check: wantError("unauthorized", "")},
		})
		fx.ids = strings.NewReplacer(append(replacements(fx), "{need}", fmt.Sprint(needID), "{measure}", fmt.Sprint(measureID))...)
		fx.run(t, []scenario{
			{name: "update need", method: "PATCH", path: "/needs/{need}", user: "clerk", status: 200,
				body: `{"status":"in_progress","note":"已联系助餐点"}`, want: []string{`"status":"in_progress"`, `"note":"已联系助餐点"`}},
			{name: "update need, wrong status", method: "PATCH", path: "/needs/{need}", user: "clerk", status: 400,
				body: `{"status":"forgotten"}`, check: wantError("one_of", "status")},
			{name: "update need, unknown field", method: "PATCH", path: "/needs/{need}", user: "clerk", status: 400,
				body: `{"kind":"medical"}`, check: wantError("unknown_field", "kind")},
			{name: "update need, malformed", method: "PATCH", path: "/needs/{need}", user: "clerk", status: 400,
				body: `{"status":1`, check: wantError("bad_json", "")},
			{name: "update need, oversized", method: "PATCH", path: "/needs/{need}", user: "clerk", status: 400,
				body: oversized, check: wantError("body_too_large", "")},
			{name: "update need, not found", method: "PATCH", path: "/needs/99999", user: "clerk", status: 404,
				body: `{"status":"met"}`, check: wantError("not_found", "")},
			{name: "update measure", method: "PATCH", path: "/plan/{measure}", user: "clerk", status: 200,
				body: `{"kind":"weekly_visit","frequency":"weekly","status":"paused","description":"住院期间暂停"}`, want: []string{`"status":"paused"`}},
			{name: "update measure, wrong status", method: "PATCH", path: "/plan/{measure}", user: "clerk", status: 400,
				body: `{"kind":"weekly_visit","frequency":"weekly","status":"lost"}`, check: wantError("one_of", "status")},
			{name: "update measure, unknown field", method: "PATCH", path: "/plan/{measure}", user: "clerk", status: 400,
				body: `{"household_id":3}`, check: wantError("unknown_field", "household_id")},
			{name: "update measure, malformed", method: "PATCH", path: "/plan/{measure}", user: "clerk", status: 400,
				body: `nope`, check: wantError("bad_json", "")},
			{name: "update measure, oversized", method: "PATCH", path: "/plan/{measure}", user: "clerk", status: 400,
				body: oversized, check: wantError("body_too_large", "")},
			{name: "update measure, not found", method: "PATCH", path: "/plan/99999", user: "clerk", status: 404,
				body: `{"kind":"weekly_visit","frequency":"weekly"}`, check: wantError("not_found", "")},
			{name: "ledger has need and measure events", method: "GET", path: "/households/{red}/ledger", user: "clerk", status: 200,
				want: []string{`"type":"need_changed"`, `"type":"measure_changed"`, `"type":"need_added"`, `"actor":"网格员小李"`}},
		})
	})
}

func TestConfiguration(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		fx.run(t, []scenario{
			{name: "create tag", method: "POST", path: "/tags", user: "admin", status: 201,
				body: `{"code":"pregnant","applies_to":"person","name_zh":"孕产妇","key_person":true}`,
				want: []string{`"code":"pregnant"`, `"name_en":"pregnant"`, `"key_person":true`}},
			{name: "create tag, not admin", method: "POST", path: "/tags", user: "clerk", status: 403,
				body: `{"code":"x_tag","applies_to":"person","name_zh":"x"}`, check: wantError("forbidden", "")},
			{name: "create tag, duplicate", method: "POST", path: "/tags", user: "admin", status: 400,
				body: `{"code":"pregnant","applies_to":"person","name_zh":"孕产妇"}`, check: wantError("duplicate", "code")},
			{name: "create tag, bad code", method: "POST", path: "/tags", user: "admin", status: 400,
				body: `{"code":"Bad Code","applies_to":"person","name_zh":"x"}`, check: wantError("tag_code", "code")},
			{name: "create tag, wrong applies_to", method: "POST", path: "/tags", user: "admin", status: 400,
				body: `{"code":"x_tag","applies_to":"car","name_zh":"x"}`, check: wantError("one_of", "applies_to")},
			{name: "create tag, read-only derived", method: "POST", path: "/tags", user: "admin", status: 400,
				body: `{"code":"x_tag","applies_to":"person","name_zh":"x","derived":true}`, check: wantError("unknown_field", "derived")},
			{name: "create tag, malformed", method: "POST", path: "/tags", user: "admin", status: 400,
				body: `{"code":}`, check: wantError("bad_json", "")},
			{name: "create tag, oversized", method: "POST", path: "/tags", user: "admin", status: 400,
				body: oversized, check: wantError("body_too_large", "")},
			{name: "create tag, no token", method: "POST", path: "/tags", status: 401, body: `{}`, check: wantError("unauthorized", "")},

			{name: "rules, not admin", method: "PUT", path: "/colour-rules", user: "clerk", status: 403,
				body: `{"rules":[]}`, check: wantError("forbidden", "")},
			{name: "rules, no colour green", method: "PUT", path: "/colour-rules", user: "admin", status: 400,
				body: `{"rules":[{"colour":"green","code":"x","when":{"members":1}}]}`, check: wantError("rules", "rules")},
			{name: "rules, missing", method: "PUT", path: "/colour-rules", user: "admin", status: 400,
				body: `{}`, check: wantError("required", "rules")},
			{name: "rules, unknown condition", method: "PUT", path: "/colour-rules", user: "admin", status: 400,
				body: `{"rules":[{"colour":"red","code":"x","when":{"moon_phase":"full"}}]}`, check: wantError("unknown_field", "moon_phase")},
			{name: "rules, malformed", method: "PUT", path: "/colour-rules", user: "admin", status: 400,
				body: `{"rules":[`, check: wantError("bad_json", "")},
			{name: "rules, oversized", method: "PUT", path: "/colour-rules", user: "admin", status: 400,
				body: oversized, check: wantError("body_too_large", "")},
			// One rule only: two-member households are yellow; the widow
			// is green without the living-alone rule.
			{name: "rules replaced and households recoloured", method: "PUT", path: "/colour-rules", user: "admin", status: 200,
				body:  `{"rules":[{"colour":"yellow","code":"pairs","name_zh":"两口之家","when":{"members":2}}]}`,
				check: wantTotal(1), want: []string{`"code":"pairs"`}},
			{name: "green family is now yellow", method: "GET", path: "/households?colour=yellow", user: "clerk", status: 200,
				check: wantTotal(1), want: []string{`"id":{green}`, `"code":"pairs"`}},
			{name: "widow is now green", method: "GET", path: "/households?colour=green", user: "clerk", status: 200,
				check: wantTotal(1), want: []string{`"id":{red}`}},
		})
	})
}
