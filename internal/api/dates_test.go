package api

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"

	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// A date the API reads is a day from calendar.FirstDate to
// calendar.LastDate (issue 11: ?to=9999-12-31 made two reports answer
// 500, as a year past 9999 cannot be encoded). The tests below find every
// date the API takes in openapi.json, so a new date parameter or body
// field is tested as soon as it is documented; a route whose date needs
// other input to be reached must have a row in dateRoutes, or the test
// fails.

// dateKind is what a documented date is: "date", "date-time" (a schema
// that accepts an RFC 3339 instant, maybe a day too) or "week" (ISO week).
type dateKind string

// dateInput is one date the API takes: a parameter (in "query" or "path")
// or a field of a JSON body ("body", with path "events[].date").
type dateInput struct {
	method, path, in, name string
	kind                   dateKind
}

func (d dateInput) route() string { return d.method + " " + d.path }

// dateRoute is what a route needs besides its date to get as far as
// reading it: the path with its ids, other query parameters and a body.
// Placeholders are those of fx.ids, and {member} (the team member 卓玛).
type dateRoute struct {
	path, query, body string
}

var dateRoutes = map[string]dateRoute{
	"GET /plans":                          {query: "grid={grid1}"},
	"GET /visits/progress":                {query: "grid={grid1}"},
	"GET /scorecards/{id}":                {path: "/scorecards/{member}"},
	"POST /plans":                         {body: `{"grid_id":{grid1}}`},
	"POST /households":                    {body: `{"building_id":{building1},"unit":"9","room":"909","members":[{"name":"新成员","relation":"householder"}]}`},
	"POST /households/{id}/members":       {path: "/households/{red}/members", body: `{"name":"新成员","relation":"other"}`},
	"PATCH /persons/{id}":                 {path: "/persons/{widow}", body: `{"version":1}`},
	"POST /persons/{id}/events":           {path: "/persons/{widow}/events", body: `{"type":"health_check"}`},
	"POST /visits":                        {body: `{"client_id":"far-date","household_id":{red},"outcome":"met","events":[{"type":"health_check","person_id":{widow}}]}`},
	"POST /appointments":                  {body: `{"household_id":{red},"phone":"13912345678"}`},
	"PUT /calendar/{year}":                {path: "/calendar/2026", body: `{"days":[{"workday":false,"name":"节"}]}`},
	"POST /requests":                      {body: `{"category":"repair","description":"楼道灯坏了","channel":"hotline","household_id":{red}}`},
	"POST /team/{id}/training":            {path: "/team/{member}/training", body: `{"course":"消防","kind":"on_job","hours":2}`},
	"GET /audit":                          {},
	"GET /audit.csv":                      {},
	"GET /appointments":                   {},
	"GET /stats/requests":                 {},
	"GET /stats/population":               {},
	"GET /stats/survey":                   {},
	"GET /stats/ledger":                   {},
	"GET /stats/bad-reviews":              {},
	"GET /scorecards":                     {},
	"GET /feedback":                       {},
	"POST /feedback":                      {body: `{"kind":"praise","member_id":{member}}`},
	"GET /rosters":                        {},
	"GET /rosters/{name}":                 {path: "/rosters/living_alone_elderly"},
	"GET /talk-sessions":                  {},
	"POST /talk-sessions":                 {body: `{"community_id":{community},"starts":"09:00","ends":"11:00","host":"x"}`},
	"PATCH /talk-sessions/{id}":           {path: "/talk-sessions/{talk}", body: `{"starts":"09:00","ends":"11:00","host":"x","version":1}`},
	"POST /benefits":                      {body: `{"household_id":{red},"kind":"temporary_relief","person_ids":[{widow}]}`},
	"POST /benefits/{id}/decision":        {path: "/benefits/1/decision", body: `{"status":"approved","version":1}`},
	"POST /benefits/{id}/end":             {path: "/benefits/1/end", body: `{"reason":"x","version":1}`},
	"POST /benefits/{id}/withdraw":        {path: "/benefits/1/withdraw", body: `{"reason":"x","version":1}`},
	"GET /stats/benefits":                 {},
	"POST /mediation-cases":               {body: `{"title":"x","household_ids":[{red},{green}],"mediator_ids":[{member}]}`},
	"PATCH /mediation-cases/{id}":         {path: "/mediation-cases/{case}", body: `{"title":"x","mediator_ids":[{member}],"version":1}`},
	"POST /mediation-cases/{id}/sessions": {path: "/mediation-cases/{case}/sessions", body: `{"note":"x"}`},
	"POST /requests/{id}/arrive":          {path: "/requests/{urgent}/arrive", body: `{}`},
	"POST /rounds":                        {body: `{"template":"night_public","grid_id":{grid1}}`},
}

// badValues are what each kind of date is tried with: the two ends of
// what a year of four digits can say, and a value that is no date at all.
var badValues = map[dateKind][]string{
	"date":      {"9999-12-31", "0001-01-01", "2026-02-30", "soon"},
	"date-time": {"9999-12-31T00:00:00Z", "0001-01-01T00:00:00Z", "9999-12-31", "soon"},
	"week":      {"9999-W52", "0001-W01", "2026-W60", "soon"},
}

// documentedDates lists every date openapi.json says the API takes.
func documentedDates(t *testing.T) []dateInput {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		t.Fatal(err)
	}
	resolve := func(v any) map[string]any {
		m, _ := v.(map[string]any)
		for depth := 0; m != nil && m["$ref"] != nil && depth < 10; depth++ {
			var node any = doc
			for _, part := range strings.Split(strings.TrimPrefix(m["$ref"].(string), "#/"), "/") {
				node = node.(map[string]any)[part]
			}
			m, _ = node.(map[string]any)
		}
		return m
	}
	var kindOf func(s map[string]any) dateKind
	kindOf = func(s map[string]any) dateKind {
		alts := map[dateKind]bool{}
		for _, alt := range append(asList(s["anyOf"]), asList(s["oneOf"])...) {
			alts[kindOf(resolve(alt))] = true
		}
		switch f := s["format"]; {
		case f == "date-time" || alts["date-time"]:
			return "date-time"
		case f == "date" || alts["date"]:
			return "date"
		case weekPattern.MatchString(fmt.Sprint(s["pattern"])) || alts["week"]:
			return "week"
		}
		return ""
	}
	var out []dateInput
	var fields func(method, path, prefix string, s map[string]any, depth int)
	fields = func(method, path, prefix string, s map[string]any, depth int) {
		if s == nil || depth > 4 {
			return
		}
		if k := kindOf(s); k != "" && prefix != "" {
			out = append(out, dateInput{method, path, "body", prefix, k})
			return
		}
		props, _ := s["properties"].(map[string]any)
		for name, p := range props {
			fields(method, path, strings.TrimPrefix(prefix+"."+name, "."), resolve(p), depth+1)
		}
		if items := resolve(s["items"]); items != nil {
			fields(method, path, prefix+"[]", items, depth+1)
		}
	}
	for path, ops := range doc["paths"].(map[string]any) {
		for method, op := range ops.(map[string]any) {
			o, ok := op.(map[string]any)
			if !ok {
				continue
			}
			method = strings.ToUpper(method)
			for _, p := range asList(o["parameters"]) {
				p := resolve(p)
				if k := kindOf(resolve(p["schema"])); k != "" {
					out = append(out, dateInput{method, path, p["in"].(string), p["name"].(string), k})
				}
			}
			if rb := resolve(o["requestBody"]); rb != nil {
				content, _ := rb["content"].(map[string]any)
				if js, ok := content["application/json"].(map[string]any); ok {
					fields(method, path, "", resolve(js["schema"]), 0)
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].route()+out[i].name < out[j].route()+out[j].name })
	return out
}

var weekPattern = regexp.MustCompile(`W\[0-9\]\{2\}`)

func asList(v any) []any { l, _ := v.([]any); return l }

// TestDocumentedDates keeps the list honest: the dates the issue named are
// among those found, and every route found has its row in dateRoutes.
func TestDocumentedDates(t *testing.T) {
	found := map[string]bool{}
	for _, d := range documentedDates(t) {
		found[d.route()+" "+d.in+" "+d.name] = true
		if _, ok := dateRoutes[d.route()]; !ok {
			t.Errorf("%s takes the date %s (%s): add a row to dateRoutes", d.route(), d.name, d.in)
		}
	}
	for _, want := range []string{"GET /stats/requests query to", "GET /stats/survey query to", "GET /audit query from",
		"GET /plans query week", "POST /visits body at", "POST /visits body events[].date", "POST /team/{id}/training body completed_on"} {
		if !found[want] {
			t.Errorf("openapi.json does not document %s as a date", want)
		}
	}
}

// goodValues are in-range values of each kind, which a route that reads
// a date from its query takes (no 400): the row of dateRoutes gets the
// route past its other checks.
var goodValues = map[dateKind]string{"date": "2026-03-01", "date-time": "2026-03-01T08:00:00+08:00", "week": "2026-W10"}

// TestFarDatesAnswer400 calls every route with each of its dates set to
// a far or a bad value, signed in as an administrator, and expects a 400
// whose error names that date, on both engines (and, for a date in the
// query, no 400 with a good one).
func TestFarDatesAnswer400(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		var member int64
		if err := db.QueryRowContext(t.Context(), `SELECT id FROM team_members WHERE name = ?`, "卓玛").Scan(&member); err != nil {
			t.Fatal(err)
		}
		// A talk session, a mediation case and an accepted urgent request
		// for the routes that write to one.
		created := func(path, body string) string {
			resp, b := fx.do(t, "admin", "POST", path, strings.ReplaceAll(body, "{member}", fmt.Sprint(member)), nil)
			id := decodeAs[struct{ ID int64 }](t, b).ID
			if resp.StatusCode != http.StatusCreated || id == 0 {
				t.Fatalf("POST %s: %d %s", path, resp.StatusCode, short(b))
			}
			return fmt.Sprint(id)
		}
		community := fmt.Sprint(fx.org.Community.ID)
		talk := created("/talk-sessions", `{"community_id":`+community+`,"day":"2026-03-01","starts":"09:00","ends":"11:00","host":"x"}`)
		mediationCase := created("/mediation-cases", `{"title":"x","household_ids":[{red},{green}],"mediator_ids":[{member}]}`)
		urgent := created("/requests", `{"category":"repairs","description":"暖气漏水","channel":"hotline","household_id":{red}}`)
		if resp, b := fx.do(t, "admin", "POST", "/requests/"+urgent+"/accept", `{"urgency":"urgent","handling":"community"}`, nil); resp.StatusCode != http.StatusOK {
			t.Fatalf("accept: %d %s", resp.StatusCode, short(b))
		}
		// The first benefit case (id 1 on either engine), for its decision.
		created("/benefits", `{"household_id":{red},"kind":"dibao","person_ids":[{widow}]}`)
		ids := strings.NewReplacer("{member}", fmt.Sprint(member), "{community}", community, "{talk}", talk, "{case}", mediationCase, "{urgent}", urgent)
		// A programme and an activity for the routes of issue 17.
		prog := created("/programmes", `{"community_id":`+community+`,"name":"x"}`)
		act := created("/activities", `{"community_id":`+community+`,"title":"x","starts_at":"2030-03-01T08:30:00Z","ends_at":"2030-03-01T10:00:00Z"}`)
		psession := created("/programmes/"+prog+"/sessions", `{"starts_at":"2026-03-01T08:30:00Z","ends_at":"2026-03-01T10:00:00Z"}`)
		ids = strings.NewReplacer("{member}", fmt.Sprint(member), "{community}", community, "{talk}", talk, "{case}", mediationCase, "{urgent}", urgent,
			"{prog}", prog, "{act}", act, "{psession}", psession)
		for _, d := range documentedDates(t) {
			rt := dateRoutes[d.route()]
			if d.in == "query" {
				path := strings.TrimSuffix(cmp.Or(rt.path, d.path)+"?"+rt.query, "?")
				path += map[bool]string{true: "&", false: "?"}[strings.Contains(path, "?")] + d.name + "=" + url.QueryEscape(goodValues[d.kind])
				if resp, b := fx.do(t, "admin", d.method, ids.Replace(path), "", nil); resp.StatusCode == http.StatusBadRequest || resp.StatusCode >= 500 {
					t.Errorf("%s %s: %d %s, want an answer", d.method, path, resp.StatusCode, short(b))
				}
			}
			for _, v := range badValues[d.kind] {
				path := rt.path
				if path == "" {
					path = d.path
				}
				query, body, want := rt.query, rt.body, d.name
				switch d.in {
				case "query":
					query = strings.TrimPrefix(query+"&"+d.name+"="+url.QueryEscape(v), "&")
				case "path":
					path = strings.ReplaceAll(path, "{"+d.name+"}", url.PathEscape(v))
				case "body":
					body, want = withField(t, fx.ids.Replace(ids.Replace(body)), d.name, v)
				}
				if query != "" {
					path += "?" + query
				}
				t.Run(fmt.Sprintf("%s %s=%s", d.route(), d.name, v), func(t *testing.T) {
					resp, b := fx.do(t, "admin", d.method, ids.Replace(path), body, nil)
					e := decodeAs[errBody](t, b)
					if resp.StatusCode != http.StatusBadRequest || e.Error.Field != want {
						t.Errorf("%s %s: %d %s, want 400 naming %s", d.method, path, resp.StatusCode, short(b), want)
					}
				})
			}
		}
	})
}

// withField sets the field at path ("events[].date": of the first event)
// of the JSON object body to v, and returns the body and the name the
// API gives the field ("events[0].date").
func withField(t *testing.T, body, path, v string) (string, string) {
	t.Helper()
	var obj any
	if err := json.Unmarshal([]byte(body), &obj); err != nil {
		t.Fatalf("dateRoutes body %s: %v", body, err)
	}
	node := obj
	parts := strings.Split(path, ".")
	for i, part := range parts {
		m := node.(map[string]any)
		name, inArray := strings.CutSuffix(part, "[]")
		if i == len(parts)-1 {
			m[name] = v
			break
		}
		node = m[name]
		if inArray {
			l, ok := node.([]any)
			if !ok || len(l) == 0 {
				t.Fatalf("dateRoutes body %s: give %s an element", body, name)
			}
			node = l[0]
		}
	}
	b, _ := json.Marshal(obj)
	return string(b), strings.ReplaceAll(path, "[]", "[0]")
}
