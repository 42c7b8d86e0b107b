package api

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/proactive"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// bodyRoute is a route that reads a JSON body, with bodies to start from.
// Its path may name the ids of bodyFixture.ids.
type bodyRoute struct {
	method, path string
	seeds        []string
}

// bodyRoutes are the routes of the API that decode a JSON body, each with
// the real input type of its handler behind it.
var bodyRoutes = []bodyRoute{
	{"POST", "/auth/login", []string{`{"username":"admin","password":"wrong-password-1"}`, `{"username":1}`}},
	{"POST", "/team", []string{`{"community_id":{community},"name":"老周","role":"sunk_cadre","availability":["weekend"]}`}},
	{"PATCH", "/team/{member}", []string{`{"phone":"13900001111","skills":["电工"]}`, `{"grid_id":-1}`}},
	{"POST", "/org-units", []string{`{"parent_id":{community},"kind":"grid","number":9}`, `{"parent_id":-1,"kind":"planet","number":-1}`, `{"parent_id":{community},"kind":"department","name":"x"}`}},
	{"PATCH", "/org-units/{grid2}", []string{`{"name":"第二网格","code":"x"}`, `{"number":0,"parent_id":-1}`, `{"parent_id":{grid1},"number":2147483647}`}},
	{"POST", "/org-units/{grid2}/retire", []string{`{"target_grid_id":-1}`, `{"target_grid_id":{grid2}}`}},
	{"POST", "/compounds", []string{`{"community_id":{community},"name":"新小区","built_year":1990}`, `{"community_id":-1,"built_year":99999}`}},
	{"PATCH", "/compounds/{compound}", []string{`{"notes":"x"}`, `{"built_year":-1,"name":""}`}},
	{"POST", "/compounds/{compound}/buildings", []string{`{"grid_id":{grid1},"name":"9号楼","floors":6}`, `{"grid_id":-1,"floors":1000000000}`}},
	{"PATCH", "/buildings/{building1}", []string{`{"floors":7}`, `{"grid_id":-1,"units":-3}`}},
	{"POST", "/tags", []string{`{"code":"x_tag","applies_to":"person","name_zh":"某"}`, `{"code":"Bad Code","applies_to":"car"}`}},
	{"PUT", "/colour-rules", []string{`{"rules":[{"colour":"red","tags":["living_alone_elderly"]}]}`, `{"rules":null}`}},
	{"POST", "/households", []string{
		`{"building_id":{building1},"unit":"1","floor":9,"room":"909","members":[{"name":"扎西","id_number":"630102198001011230","gender":"male"}]}`,
		`{"building_id":{building1},"members":[{"name":"卓玛","birth_date":"2023-02-29"}]}`,
		`{"address":"一化小区\u0000","floor":-99999999999}`,
		`{"building_id":{building1},"room":"x","floor":9223372036854775807}`,
	}},
	{"PATCH", "/households/{red}", []string{`{"version":1,"notes":"x"}`, `{"version":1,"contact_times":["evening"],"building_id":0}`, `{"notes":"no version"}`}},
	{"PUT", "/households/{red}/colour-override", []string{`{"colour":"yellow","reason":"家中近期有变故"}`, `{"colour":"purple"}`}},
	{"POST", "/households/{red}/members", []string{`{"name":"新生儿","gender":"male","birth_date":"2026-01-01","event":"born"}`, `{"name":"x","tags":["nope"]}`}},
	{"POST", "/households/{red}/needs", []string{`{"kind":"medical","note":"需要陪诊"}`, `{"kind":"cake","person_id":-1}`, `{"kind":"medical","note":"a\u0000b"}`}},
	{"POST", "/households/{red}/plan", []string{`{"kind":"weekly_visit","frequency":"weekly"}`, `{"kind":"weekly_visit","frequency":"hourly","due_on":"9999-12-31"}`}},
	{"PATCH", "/persons/{widow}", []string{`{"version":1,"name":"王秀兰","phone":"13912345678"}`, `{"version":1,"id_number":"630102194803050221"}`, `{"version":1,"deceased_on":"0001-01-01"}`}},
	{"POST", "/persons/{widow}/events", []string{`{"type":"lost_job"}`, `{"type":"died","on":"2026-02-30"}`}},
	{"POST", "/persons/{widow}/reveal", []string{`{"field":"id_number","reason":"低保复核"}`, `{"field":"password"}`}},
	{"POST", "/households/{red}/reveal", []string{`{"field":"phone","reason":"联系户主"}`}},
	{"PUT", "/households/{red}/visitors", []string{`{"team_member_ids":[{member}]}`, `{"team_member_ids":[-1,0,99999999]}`}},
	{"PATCH", "/needs/{need}", []string{`{"status":"in_progress","note":"已联系"}`, `{"status":"teleported"}`}},
	{"PATCH", "/plan/{measure}", []string{`{"status":"paused"}`, `{"frequency":"yearly","due_on":"1900-01-01"}`}},
	{"POST", "/visits", []string{
		`{"client_id":"f-1","household_id":{red},"outcome":"met","survey":{"knows_grid_worker":"yes"},"needs":[{"kind":"medical"}],"events":[{"person_id":{widow},"type":"lost_job"}]}`,
		`{"client_id":"f-2","household_id":{red},"outcome":"met","at":"9999-12-31T23:59:59Z"}`,
		`{"client_id":"f-3","household_id":{red},"outcome":"not_home","card_left":true,"at":"0001-01-01T00:00:00Z"}`,
	}},
	{"POST", "/tasks/{task}/dismiss", []string{`{"reason":"家属已办"}`, `{"reason":""}`, `{"reason":"a\u0000b"}`}},
	{"POST", "/tasks/{task}/request", []string{`{"category":"elderly_care"}`, `{"category":"nope","channel":"fax"}`, `{"category":"other","description":"x"}`}},
	{"PUT", "/visit-policy", []string{`{"colours":{"green":"weekly"},"floor":"yearly"}`, `{"colours":{"blue":"daily"}}`}},
	{"PUT", "/calendar/{year}", []string{`{"days":[{"day":"2028-01-03","workday":false,"name":"元旦"}]}`, `{"days":[{"day":"2029-02-30"}]}`}},
	{"POST", "/plans", []string{`{"grid_id":{grid1},"week":"2026-W49"}`, `{"grid_id":{grid1},"week":"9999-W53"}`}},
	{"PATCH", "/plans/{plan}/items/{red}", []string{`{"team_member_id":{member}}`}},
	{"POST", "/plans/{plan}/swap", []string{`{"team_member_id":{member},"with":{member}}`}},
	{"POST", "/appointments", []string{`{"household_id":{red},"slot_start":"2026-12-05T19:00:00+08:00","phone":"13900001111"}`, `{"household_id":{red},"slot_start":"10000-01-01T00:00:00Z"}`}},
	{"POST", "/requests", []string{
		`{"category":"sanitation","description":"下水道堵塞","channel":"visit","household_id":{red}}`,
		`{"category":"sanitation","description":"x","channel":"hotline","address":"x","lat":91,"lng":0}`,
		`{"category":"sanitation","description":"x","channel":"hotline","address":"x","submitted_at":"0001-01-01T00:00:00Z"}`,
		`{"category":"sanitation","description":"\u0000","channel":"hotline","address":"x"}`,
	}},
	{"POST", "/requests/{request}/accept", []string{`{"urgency":"general","handling":"community","working_days":3}`, `{"urgency":"urgent","handling":"referred","department_id":-5}`}},
	{"POST", "/requests/{request}/decline", []string{`{"reason":"重复"}`}},
	{"POST", "/requests/{request}/merge", []string{`{"into":{request}}`}},
	{"POST", "/requests/{request}/progress", []string{`{"note":"已勘察"}`, `{"version":-1}`}},
	{"POST", "/requests/{request}/hand-back", []string{`{"reason":"不属于本局职责"}`}},
	{"POST", "/requests/{request}/extension", []string{`{"reason":"需采购设备","days":2}`, `{"days":2147483648}`}},
	{"POST", "/requests/{request}/extension/approve", []string{`{}`}},
	{"POST", "/requests/{request}/extension/refuse", []string{`{"reason":"不同意"}`}},
	{"POST", "/requests/{request}/resolve", []string{`{"note":"已修好"}`}},
	{"POST", "/requests/{request}/callback", []string{`{"result":"dissatisfied","reason":"not_solved","method":"phone","follow_up":{"kind":"other","note":"x"}}`}},
	{"POST", "/requests/{request}/arrive", []string{`{"note":"社区干部和水暖工"}`, `{"arrived_at":"9999-12-31T00:00:00Z"}`, `{"arrived_at":"x"}`}},
	{"POST", "/talk-sessions", []string{`{"day":"2026-12-03","starts":"09:00","ends":"11:00","host":"冯晓霞"}`, `{"day":"2026-02-30","starts":"25:00","ends":"","host":""}`, `{"community_id":-1}`}},
	{"PATCH", "/talk-sessions/{talk}", []string{`{"day":"2026-12-03","starts":"09:00","ends":"11:00","host":"冯晓霞","version":1}`, `{"version":-1,"host":"a\u0000b"}`}},
	{"POST", "/talk-sessions/{talk}/visitors", []string{`{"household_id":{red},"said":"流浪狗多","request":{"category":"environment","department_id":-1}}`,
		`{"name":"路人","said":"x","request":{"category":"environment"}}`, `{"household_id":-1,"said":""}`, `{"request_id":2147483648,"said":"x","name":"y"}`}},
	{"POST", "/mediation-cases", []string{`{"title":"漏水纠纷","household_ids":[{red},{green}],"mediator_ids":[{member}]}`, `{"title":"x","household_ids":[-1,-1],"mediator_ids":[-1]}`,
		`{"title":"x","household_ids":[{red},{green}],"mediator_ids":[{member}],"outcome":"agreed","follow_up_on":"0000-01-01"}`}},
	{"PATCH", "/mediation-cases/{case}", []string{`{"title":"漏水纠纷","mediator_ids":[{member}],"outcome":"agreed","agreement":"修好防水","version":1}`, `{"version":99,"outcome":"maybe"}`}},
	{"POST", "/mediation-cases/{case}/sessions", []string{`{"note":"两户到场"}`, `{"note":"","held_at":"1000-01-01T00:00:00Z"}`}},
	{"POST", "/mediation-cases/{case}/escalate", []string{`{"department_id":-1}`, `{"department_id":{grid1},"urgency":"soon"}`}},
	{"POST", "/benefits", []string{`{"household_id":{red},"kind":"temporary_relief","person_ids":[{widow}],"need_id":{need},"amount":800,"period":"one_off"}`,
		`{"household_id":-1,"kind":"lottery","person_ids":[-1],"amount":-1}`, `{"household_id":{red},"kind":"dibao","amount":1e400,"applied_on":"0001-01-01","visit_id":-1}`}},
	{"PATCH", "/benefits/{benefit}", []string{`{"amount":900,"period":"one_off","version":1}`, `{"amount":-5,"form":"gold","helper_id":-1,"version":0}`, `{"note":"a\u0000b","version":99}`}},
	{"POST", "/benefits/{benefit}/decision", []string{`{"status":"approved","version":1,"amount":600}`, `{"status":"maybe","version":-1,"decided_on":"x"}`, `{"status":"rejected","version":99}`}},
	{"POST", "/benefits/{benefit}/end", []string{`{"ended_on":"2026-01-01","reason":"迁出","version":1}`, `{"reason":"","version":-1,"ended_on":"x"}`, `{"reason":"a\u0000b","version":99}`}},
	{"POST", "/benefits/{benefit}/withdraw", []string{`{"reason":"不要了","version":1}`, `{"reason":" ","version":0,"withdrawn_on":"1899-12-31"}`, `{"reason":"a\u0000b","version":99}`}},
	{"POST", "/rounds", []string{`{"template":"night_public","grid_id":{grid1}}`, `{"template":"shop_fire","household_id":{red}}`,
		`{"template":"night_public","grid_id":-1,"scheduled_for":"0001-01-01T00:00:00Z","assignee_member_id":-1}`,
		`{"template":"night_public","grid_id":{grid1},"scheduled_for":"9999-12-31T23:59:59Z"}`}},
	{"POST", "/rounds/{round}/results", []string{
		`{"items":[{"item":"manhole_cover","ok":false,"note":"井盖缺失","building_id":{building1}}],"client_id":"f-r1","lat":36.6,"lng":101.8}`,
		`{"items":[{"item":"manhole_cover","ok":false,"note":"\u0000","building_id":-1}],"lat":1e400}`,
		`{"items":[{"item":"nope"}],"client_id":""}`, `{"items":null}`}},
	{"POST", "/visits", []string{`{"client_id":"fz-praise","household_id":{red},"outcome":"met","visitors":[{member}],"praise":{"words":"要是你们不来，我都不知道该咋办","from":"李奶奶"}}`,
		`{"client_id":"fz-praise2","household_id":{red},"outcome":"met","praise":{"words":"","from":"\u0000"}}`, `{"praise":{"words":1}}`}},
	{"POST", "/feedback", []string{`{"kind":"praise","member_id":{member},"from_name":"李奶奶","body":"要是你们不来，我都不知道该咋办"}`,
		`{"kind":"complaint","member_id":{member},"body":""}`, `{"kind":"praise","user_id":-1,"source":"visit","visit_id":-1,"at":"9999-12-31T00:00:00Z"}`}},
	{"POST", "/feedback/{request}/handle", []string{`{"status":"closed","outcome":"已道歉"}`, `{"status":"open","version":-1,"outcome":"\u0000"}`}},
	{"POST", "/public/requests/{year}/feedback", []string{`{"kind":"praise","person":"m:1","body":"谢谢"}`, `{"kind":"hug","person":"x:-1"}`}},
	{"PUT", "/scorecard-weights", []string{`{"visits":50}`, `{"training":1e400}`}},
	{"POST", "/team/{member}/training", []string{`{"course":"岗前培训","kind":"pre_job","completed_on":"2026-01-05","hours":8}`, `{"hours":-1e308,"completed_on":"x"}`}},
	{"POST", "/team/{member}/hours", []string{`{"day":"2026-11-01","hours":3,"what":"楼道清理"}`, `{"day":"9999-12-31","hours":1e400,"what":"\u0000"}`}},
	{"PUT", "/scorecard-targets", []string{`{"roles":{"volunteer":{"weekly_visits":2,"monthly_hours":8}},"min_handled":5}`, `{"roles":{"chef":{"weekly_visits":-1}},"visit_hours":1e400}`}},
	{"POST", "/training-courses", []string{`{"community_id":{community},"title":"在岗培训：调解","kind":"on_job","topic":"mediation","pass_mark":60}`, `{"community_id":-1,"kind":"weekly","pass_mark":2147483648}`}},
	{"PUT", "/training-courses/{course}", []string{`{"version":1,"title":"岗前培训","kind":"pre_job","topic":"policy","pass_mark":80}`, `{"version":99,"topic":"cooking"}`}},
	{"POST", "/training-courses/{course}/sessions", []string{`{"day":"2026-11-20","hours":4,"place":"党群服务中心"}`, `{"day":"0001-01-01","hours":-1}`}},
	{"PUT", "/training-courses/{course}/sessions/{tsession}", []string{`{"day":"2026-11-21","hours":3.5,"teacher":"王书记","version":1}`, `{"day":"9999-12-31","hours":1e400,"place":"\u0000"}`}},
	{"POST", "/training-courses/{course}/attendance", []string{`{"session_id":1,"team_member_id":{member},"score":90}`, `{"session_id":-1,"team_member_id":-1,"score":101}`}},
	{"POST", "/survey-questions", []string{`{"code":"stars","text_zh":"打几颗星？","kind":"stars"}`, `{"code":"","kind":"essay"}`}},
	{"PATCH", "/survey-questions/{question}", []string{`{"active":false}`, `{"position":-2147483649}`}},
	{"POST", "/saved-rosters", []string{`{"name":"老人","roster":"people","filter":{"age":"60-"}}`, `{"name":"x","roster":"people","filter":{"dibao":"maybe"}}`}},
	{"POST", "/programmes", []string{`{"community_id":{community},"name":"四点半课堂","kind":"four_thirty","roster":"four_thirty","capacity":40}`,
		`{"community_id":-1,"name":"\u0000","kind":"x","roster":"people","capacity":-1}`, `{"name":"x","capacity":1e400}`}},
	{"PATCH", "/programmes/{programme}", []string{`{"name":"四点半课堂","kind":"four_thirty","capacity":40,"version":1}`, `{"version":99,"capacity":2147483648}`}},
	{"POST", "/programmes/{programme}/sessions", []string{`{"starts_at":"2026-12-01T08:30:00Z","ends_at":"2026-12-01T10:00:00Z","staff_ids":[{member}]}`,
		`{"starts_at":"0001-01-01T00:00:00Z","ends_at":"9999-12-31T23:59:59Z","staff_ids":[-1]}`, `{"starts_at":"2026-12-01T08:30:00Z","ends_at":"2026-12-01T08:00:00Z"}`}},
	{"PATCH", "/programmes/{programme}/sessions/{psession}", []string{`{"starts_at":"2026-12-01T08:30:00Z","ends_at":"2026-12-01T10:00:00Z","topic":"画画","staff_ids":[{member}],"version":1}`,
		`{"starts_at":"0001-01-01T00:00:00Z","ends_at":"9999-12-31T23:59:59Z","staff_ids":[-1],"version":-1}`, `{"version":2147483648,"place":"\u0000"}`}},
	{"PUT", "/programmes/{programme}/enrolments/{enrolment}/interests", []string{`{"interests":["drawing","singing"]}`, `{"interests":["x",""]}`, `{"interests":null}`}},
	{"PUT", "/programmes/{programme}/sessions/{psession}/attendance", []string{`{"present":[{enrolment}]}`, `{"present":[-1,9223372036854775807]}`, `{"present":null}`}},
	{"POST", "/programmes/{programme}/enrolments", []string{`{"person_id":{widow},"interests":["drawing","singing"]}`, `{"person_id":-1,"interests":["x"],"source":"y"}`,
		`{"person_id":{widow},"enrolled_on":"1000-01-01"}`}},
	{"POST", "/activities", []string{`{"community_id":{community},"title":"邻里节","kind":"festival","starts_at":"2030-01-01T02:00:00Z","ends_at":"2030-01-01T05:00:00Z"}`,
		`{"title":"x","kind":"rave","starts_at":"0001-01-01T00:00:00Z","ends_at":"0001-01-01T00:00:00Z","per_household":-5,"capacity":-1}`}},
	{"PATCH", "/activities/{activity}", []string{`{"title":"邻里节","starts_at":"2030-01-01T02:00:00Z","ends_at":"2030-01-01T05:00:00Z","signup_open":false,"version":1}`,
		`{"version":-1,"staff_ids":[-1]}`}},
	{"POST", "/activities/{activity}/signups", []string{`{"household_id":{red},"people":1,"phone":"13912345678"}`, `{"household_id":-1,"people":2147483648,"phone":"x"}`}},
	{"POST", "/activities/{activity}/signups/{signup}/attendance", []string{`{"attended":1}`, `{"attended":-1}`, `{"attended":9223372036854775807}`}},
}

// noBody are the routes that write but read no JSON body, and why.
var noBody = map[string]string{
	"POST /auth/logout":                       "no body",
	"POST /tokens":                            "a session's only: a bearer token gets 403 before the body",
	"POST /visits/{id}/photos":                "multipart, not JSON",
	"POST /appointments/{id}/missed":          "no body",
	"POST /appointments/{id}/cancel":          "no body",
	"POST /tasks/{id}/done":                   "no body",
	"POST /notifications/{id}/retry":          "no body",
	"DELETE /tokens/{id}":                     "no body",
	"DELETE /households/{id}/colour-override": "no body",
	"DELETE /training/{id}":                   "no body",
	"DELETE /saved-rosters/{id}":              "no body",
	"POST /compounds/{id}/retire":             "no body",
	"POST /buildings/{id}/retire":             "no body",
	"POST /imports/structure":                 "the body is the workbook, not JSON",
	"POST /imports":                           "an upload (the file itself, or multipart), not JSON: its bad input is tested in imports_test.go and internal/importjob",
	"POST /imports/{id}/confirm":              "no body",
	"POST /rounds/{id}/start":                 "no body",

	"DELETE /training-courses/{id}":                    "no body",
	"DELETE /training-courses/{id}/sessions/{session}": "no body",
}

// TestBodyRoutesComplete: every route of the route table that writes is
// fuzzed by FuzzAPIBodies or listed in noBody, so a new route cannot be
// left out by forgetting.
func TestBodyRoutesComplete(t *testing.T) {
	wild := regexp.MustCompile(`\{[^}]*\}`) // any path value: "{red}" and "{id}" alike
	key := func(method, path string) string { return method + " " + wild.ReplaceAllString(path, "{}") }
	fuzzed, quiet := map[string]bool{}, map[string]bool{}
	for _, rt := range bodyRoutes {
		fuzzed[key(rt.method, rt.path)] = true
	}
	for k := range noBody {
		m, p, _ := strings.Cut(k, " ")
		quiet[key(m, p)] = true
	}
	for _, rt := range (&handler{}).routes() {
		if k := key(rt.method, rt.path); rt.method != "GET" && !fuzzed[k] && !quiet[k] {
			t.Errorf("%s %s writes but is neither in bodyRoutes (FuzzAPIBodies) nor in noBody", rt.method, rt.path)
		}
	}
}

// bodyFixture is the API on the fixture of the tests, with the records
// the routes of bodyRoutes name in their paths.
type bodyFixture struct {
	engine string
	fx     *fixture
	mux    *http.ServeMux
	ids    *strings.Replacer
}

func newBodyFixture(t testing.TB, engine string, db *store.DB) *bodyFixture {
	t.Helper()
	ctx := t.Context()
	fx := newFixture(t, db)
	b := &bodyFixture{engine: engine, fx: fx, mux: http.NewServeMux()}
	Register(b.mux, fx.d)
	actor := household.Actor{Name: "fuzz"}
	need, err := fx.d.Households.AddNeed(ctx, actor, household.Need{HouseholdID: fx.red.ID, Kind: "medical"})
	if err != nil {
		t.Fatal(err)
	}
	measure, err := fx.d.Households.SaveMeasure(ctx, actor, household.Measure{HouseholdID: fx.red.ID, Kind: "weekly_visit", Frequency: "weekly"})
	if err != nil {
		t.Fatal(err)
	}
	m := org.TeamMember{CommunityID: fx.org.Community.ID, GridID: fx.org.Grids[0].ID, Name: "拉加", Role: org.RoleBuildingHead,
		Availability: []string{"evening", "weekend"}}
	if err := org.CreateTeamMember(ctx, db, &m); err != nil {
		t.Fatal(err)
	}
	ids := append(replacements(fx), "{community}", fmt.Sprint(fx.org.Community.ID), "{member}", fmt.Sprint(m.ID),
		"{need}", fmt.Sprint(need.ID), "{measure}", fmt.Sprint(measure.ID), "{year}", "2028", "{question}", "safe_home")
	b.ids = strings.NewReplacer(ids...)
	plan := b.created(t, "POST", "/plans", `{"grid_id":{grid1},"week":"2026-W49"}`)
	req := b.created(t, "POST", "/requests", `{"category":"sanitation","description":"下水道堵塞","channel":"visit","household_id":{red}}`)
	round := b.created(t, "POST", "/rounds", `{"template":"night_public","grid_id":{grid1}}`)
	talk := b.created(t, "POST", "/talk-sessions", `{"community_id":{community},"day":"2026-12-03","starts":"09:00","ends":"11:00","host":"冯晓霞"}`)
	mediationCase := b.created(t, "POST", "/mediation-cases", `{"title":"漏水纠纷","household_ids":[{red},{green}],"mediator_ids":[{member}]}`)
	benefit := b.created(t, "POST", "/benefits", `{"household_id":{red},"kind":"dibao","person_ids":[{widow}]}`)
	ids = append(ids, "{benefit}", fmt.Sprint(benefit))
	course := b.created(t, "POST", "/training-courses", `{"community_id":{community},"title":"岗前培训","kind":"pre_job","topic":"policy"}`)
	ids = append(ids, "{course}", fmt.Sprint(course))
	b.ids = strings.NewReplacer(ids...)
	ids = append(ids, "{tsession}", fmt.Sprint(b.created(t, "POST", "/training-courses/{course}/sessions", `{"day":"2026-11-20","hours":4}`)))
	programmeID := b.created(t, "POST", "/programmes", `{"community_id":{community},"name":"四点半课堂","kind":"four_thirty"}`)
	b.ids = strings.NewReplacer(append(ids, "{programme}", fmt.Sprint(programmeID))...)
	psession := b.created(t, "POST", "/programmes/{programme}/sessions", `{"starts_at":"2026-12-01T08:30:00Z","ends_at":"2026-12-01T10:00:00Z"}`)
	enrolment := b.created(t, "POST", "/programmes/{programme}/enrolments", `{"person_id":{father}}`)
	activity := b.created(t, "POST", "/activities", `{"community_id":{community},"title":"邻里节","starts_at":"2030-01-01T02:00:00Z","ends_at":"2030-01-01T05:00:00Z"}`)
	b.ids = strings.NewReplacer(append(ids, "{programme}", fmt.Sprint(programmeID), "{activity}", fmt.Sprint(activity))...)
	signup := b.created(t, "POST", "/activities/{activity}/signups", `{"household_id":{green},"people":1}`)
	ids = append(ids, "{programme}", fmt.Sprint(programmeID), "{psession}", fmt.Sprint(psession), "{enrolment}", fmt.Sprint(enrolment),
		"{activity}", fmt.Sprint(activity), "{signup}", fmt.Sprint(signup))
	if _, err := proactive.Run(ctx, db, calendar.Today(), time.Now()); err != nil {
		t.Fatal(err)
	}
	var task int64
	if err := db.QueryRowContext(ctx, `SELECT MIN(id) FROM proactive_tasks`).Scan(&task); err != nil {
		t.Fatal(err)
	}
	b.ids = strings.NewReplacer(append(ids, "{plan}", fmt.Sprint(plan), "{request}", fmt.Sprint(req), "{talk}", fmt.Sprint(talk),
		"{case}", fmt.Sprint(mediationCase), "{task}", fmt.Sprint(task), "{round}", fmt.Sprint(round))...)
	return b
}

// created sends a good body and returns the id of what it created.
func (b *bodyFixture) created(t testing.TB, method, path, body string) int64 {
	t.Helper()
	rec := b.send(method, path, []byte(body))
	var out struct {
		ID int64 `json:"id"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || rec.Code != http.StatusCreated || out.ID == 0 {
		t.Fatalf("%s %s: %d %s", method, path, rec.Code, short(rec.Body.Bytes()))
	}
	return out.ID
}

// send serves one request as the administrator, in process (a panic in a
// handler reaches the fuzzer instead of being recovered by net/http), with
// the ids of the fixture put in the path and the body.
func (b *bodyFixture) send(method, path string, body []byte) *httptest.ResponseRecorder {
	body = []byte(b.ids.Replace(string(body)))
	r := httptest.NewRequest(method, Prefix+b.ids.Replace(path), bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Authorization", "Bearer "+b.fx.tokens["admin"])
	rec := httptest.NewRecorder()
	b.mux.ServeHTTP(rec, r)
	return rec
}

// check fails t unless the answer to body on rt is not a server error and
// is JSON in the API's shapes: a refusal in the one error format.
func (b *bodyFixture) check(t *testing.T, rt bodyRoute, body []byte) {
	t.Helper()
	rec := b.send(rt.method, rt.path, body)
	where := fmt.Sprintf("%s: %s %s with %q", b.engine, rt.method, rt.path, body)
	if rec.Code >= 500 || rec.Code < 200 {
		t.Fatalf("%s: status %d: %s", where, rec.Code, short(rec.Body.Bytes()))
	}
	if rec.Code == http.StatusNoContent {
		return
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Fatalf("%s: status %d, Content-Type %q", where, rec.Code, ct)
	}
	if rec.Code < 400 {
		if !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("%s: status %d, body not JSON: %s", where, rec.Code, short(rec.Body.Bytes()))
		}
		return
	}
	var e errorBody
	if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error.Code == "" || e.Error.Message == "" {
		t.Fatalf("%s: status %d, not the error format: %s", where, rec.Code, short(rec.Body.Bytes()))
	}
}

// fuzzing reports whether the test binary runs with -test.fuzz (the
// fuzzer, or one of its workers), as opposed to plain go test, which runs
// the seeds only.
func fuzzing() bool {
	f := flag.Lookup("test.fuzz")
	return f != nil && f.Value.String() != ""
}

// FuzzAPIBodies sends any body to every route of the API that reads JSON,
// through the real handlers on the tests' fixture, as the administrator
// (who gets furthest into each handler). Whatever the body, the answer is
// never a panic nor a 5xx: a good body is done and a bad one refused in the
// one error format.
//
// It goes through the real handler rather than calling decode alone:
// decode is encoding/json and a few lines sorting its errors, while what
// can answer 500 is what a handler does with a value that decoded (an
// out-of-range number, a far date, a NUL byte) in the domain and the
// database. The records of the fixture change as bodies succeed; that is
// fine, as no state may make a body answer 500.
//
// Plain go test runs the seeds on SQLite and, when WANHU_TEST_POSTGRES_URL
// is set, on PostgreSQL; fuzzing runs on SQLite: go test -run='^$'
// -fuzz='^FuzzAPIBodies$' ./internal/api/
func FuzzAPIBodies(f *testing.F) {
	for i, rt := range bodyRoutes {
		for _, s := range rt.seeds {
			f.Add(uint8(i), []byte(s))
		}
		f.Add(uint8(i), []byte(`{}`))
		f.Add(uint8(i), []byte(`{"name":"\u0000","note":"\u0000","reason":"\u0000"}`))
	}
	f.Add(uint8(0), []byte(``))
	f.Add(uint8(0), []byte(`[`))
	f.Add(uint8(0), []byte(`{} {}`))
	f.Add(uint8(5), bytes.Repeat([]byte(`[`), 100000))
	fixtures := []*bodyFixture{newBodyFixture(f, "sqlite", storetest.SQLite(f))}
	if os.Getenv(storetest.PostgresURLEnv) != "" && !fuzzing() {
		fixtures = append(fixtures, newBodyFixture(f, "postgres", storetest.Postgres(f)))
	}
	f.Fuzz(func(t *testing.T, route uint8, body []byte) {
		rt := bodyRoutes[int(route)%len(bodyRoutes)]
		for _, b := range fixtures {
			b.check(t, rt, body)
		}
	})
}
