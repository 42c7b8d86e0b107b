package open311

import (
	"encoding/json"
	"encoding/xml"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"wanhu/internal/household"
	"wanhu/internal/household/householdtest"
	"wanhu/internal/org"
	"wanhu/internal/pii"
	"wanhu/internal/request"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
	"wanhu/internal/testworld"
)

// The example responses of the GeoReport v2 specification and of its
// Service Discovery page (abridged to one item each; numbers such as 001,
// which are not valid JSON, written as strings, and so are the
// service_request_id and account_id, which the published schemas require
// to be strings).
const (
	specServicesXML = `<?xml version="1.0" encoding="utf-8"?><services><service><service_code>001</service_code>
<service_name>Cans left out 24x7</service_name><description>Garbage or recycling cans…</description><metadata>true</metadata>
<type>realtime</type><keywords>lorem, ipsum, dolor</keywords><group>sanitation</group></service></services>`
	specServicesJSON = `[{"service_code":"001","service_name":"Cans left out 24x7","description":"Garbage or recycling cans…",
"metadata":true,"type":"realtime","keywords":"lorem, ipsum, dolor","group":"sanitation"}]`
	specDefinitionXML = `<?xml version="1.0" encoding="utf-8"?><service_definition><service_code>DMV66</service_code><attributes></attributes></service_definition>`
	specRequestsXML   = `<?xml version="1.0" encoding="utf-8"?><service_requests><request><service_request_id>638344</service_request_id>
<status>closed</status><status_notes>Duplicate request.</status_notes><service_name>Sidewalk and Curb Issues</service_name>
<service_code>006</service_code><description></description><agency_responsible></agency_responsible><service_notice></service_notice>
<requested_datetime>2010-04-14T06:37:38-08:00</requested_datetime><updated_datetime>2010-04-14T06:37:38-08:00</updated_datetime>
<expected_datetime>2010-04-15T06:37:38-08:00</expected_datetime><address>8TH AVE and JUDAH ST</address><address_id>545483</address_id>
<zipcode>94122</zipcode><lat>37.762221815</lat><long>-122.4651145</long><media_url>http://city.gov.s3.amazonaws.com/requests/media/638344.jpg</media_url>
</request></service_requests>`
	specRequestsJSON = `[{"service_request_id":"638344","status":"closed","status_notes":"Duplicate request.","service_name":"Sidewalk and Curb Issues",
"service_code":"006","description":null,"agency_responsible":null,"service_notice":null,"requested_datetime":"2010-04-14T06:37:38-08:00",
"updated_datetime":"2010-04-14T06:37:38-08:00","expected_datetime":"2010-04-15T06:37:38-08:00","address":"8TH AVE and JUDAH ST",
"address_id":"545483","zipcode":"94122","lat":37.762221815,"long":-122.4651145,"media_url":"http://city.gov.s3.amazonaws.com/requests/media/638344.jpg"}]`
	specCreatedXML = `<?xml version="1.0" encoding="utf-8"?><service_requests><request><service_request_id>293944</service_request_id>
<service_notice>The City will inspect…</service_notice><account_id/></request></service_requests>`
	specCreatedJSON  = `[{"service_request_id":"293944","service_notice":"The City will inspect…","account_id":"u-1"}]`
	specTokenXML     = `<?xml version="1.0" encoding="utf-8"?><service_requests><request><service_request_id>638344</service_request_id><token>12345</token></request></service_requests>`
	specErrorsXML    = `<?xml version="1.0" encoding="utf-8"?><errors><error><code>403</code><description>Invalid api_key received -- can't proceed with create_request.</description></error></errors>`
	specErrorsJSON   = `[{"code":403,"description":"Invalid api_key received -- can't proceed with create_request."}]`
	specDiscoveryXML = `<?xml version="1.0" encoding="UTF-8"?><discovery><changeset>2011-02-03 14:18</changeset><contact>api@mycity.org</contact>
<key_service>http://api.mycity.gov/api_key/request</key_service><endpoints><endpoint><specification>http://wiki.open311.org/GeoReport_v2</specification>
<url>http://open311.mycity.gov/v2</url><changeset>2010-11-23 09:01</changeset><type>production</type><formats><format>text/xml</format>
<format>application/json</format></formats></endpoint></endpoints></discovery>`
	specDiscoveryJSON = `{"changeset":"2011-02-03 14:18","contact":"api@mycity.org","key_service":"http://api.mycity.gov/api_key/request",
"endpoints":[{"specification":"http://wiki.open311.org/GeoReport_v2","url":"http://open311.mycity.gov/v2","changeset":"2010-11-23 09:01",
"type":"production","formats":["text/xml","application/json"]}]}`
)

// xmlPaths returns the element paths of an XML document, in order, each
// once ("service_requests/request/status").
func xmlPaths(t *testing.T, doc string) []string {
	t.Helper()
	if !strings.HasPrefix(strings.ToLower(doc), `<?xml version="1.0" encoding="utf-8"?>`) {
		t.Fatalf("no XML declaration with UTF-8: %.80s", doc)
	}
	d := xml.NewDecoder(strings.NewReader(doc))
	var stack, out []string
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("%v in %s", err, doc)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			stack = append(stack, e.Name.Local)
			if p := strings.Join(stack, "/"); !slices.Contains(out, p) {
				out = append(out, p)
			}
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		}
	}
}

// jsonShape returns the keys and value kinds of a JSON document: arrays
// are described by their first item ("[].status:string").
func jsonShape(t *testing.T, doc string) []string {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(doc), &v); err != nil {
		t.Fatalf("%v in %s", err, doc)
	}
	var out []string
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				walk(prefix+"."+k, e)
			}
		case []any:
			out = append(out, prefix+":array")
			if len(x) > 0 {
				walk(prefix+"[]", x[0])
			}
		case string:
			out = append(out, prefix+":string")
		case float64:
			out = append(out, prefix+":number")
		case bool:
			out = append(out, prefix+":bool")
		case nil:
			out = append(out, prefix+":null-or-any")
		}
	}
	walk("", v)
	slices.Sort(out)
	return out
}

// sameShape fails unless got has the fields of want with the same kinds;
// a null in either stands for any kind.
func sameShape(t *testing.T, what string, got, want []string) {
	t.Helper()
	kinds := func(s []string) map[string]string {
		m := map[string]string{}
		for _, e := range s {
			i := strings.LastIndexByte(e, ':')
			m[e[:i]] = e[i+1:]
		}
		return m
	}
	g, w := kinds(got), kinds(want)
	for k, wk := range w {
		gk, ok := g[k]
		if !ok {
			t.Errorf("%s: field %s is missing", what, k)
		} else if gk != wk && gk != "null-or-any" && wk != "null-or-any" {
			t.Errorf("%s: field %s is %s, the spec has %s", what, k, gk, wk)
		}
	}
	for k := range g {
		if _, ok := w[k]; !ok {
			t.Errorf("%s: field %s is not in the spec's example", what, k)
		}
	}
}

// site is a database with the org fixture, two households, a department,
// the demo key and the Open311 endpoint.
type site struct {
	db    *store.DB
	org   *testworld.Org
	reqs  *request.Store
	srv   *httptest.Server
	red   *household.Household
	dept  org.Unit
	now   time.Time
	clerk household.Actor
	h     *handler
}

func newSite(t testing.TB, db *store.DB) *site {
	t.Helper()
	ctx := t.Context()
	s := &site{db: db, now: time.Date(2026, 9, 30, 15, 0, 0, 0, time.UTC), clerk: household.Actor{Name: "值班员"}}
	var err error
	if s.org, err = testworld.NewOrg(ctx, db); err != nil {
		t.Fatal(err)
	}
	files := household.NewStore(db)
	red, people := householdtest.Widow(s.org)
	if s.red, err = files.CreateHousehold(ctx, s.clerk, red, people); err != nil {
		t.Fatal(err)
	}
	if s.dept, err = testworld.Department(ctx, db, s.org); err != nil {
		t.Fatal(err)
	}
	if err := EnsureDemoKey(ctx, db); err != nil {
		t.Fatal(err)
	}
	if err := EnsureDemoKey(ctx, db); err != nil { // idempotent
		t.Fatalf("second EnsureDemoKey: %v", err)
	}
	s.reqs = request.NewStore(db, files)
	s.reqs.SetClock(func() time.Time { return s.now })
	h := &handler{db: db, requests: s.reqs, log: slog.New(slog.DiscardHandler), now: func() time.Time { return s.now }}
	s.h = h
	mux := http.NewServeMux()
	h.register(mux)
	s.srv = httptest.NewServer(mux)
	t.Cleanup(s.srv.Close)
	return s
}

// get returns the status, content type and body of GET path.
func (s *site) get(t *testing.T, path string) (int, string, string) {
	t.Helper()
	res, err := http.Get(s.srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header.Get("Content-Type"), string(b)
}

func (s *site) post(t *testing.T, path string, form url.Values) (int, string) {
	t.Helper()
	res, err := http.PostForm(s.srv.URL+path, form)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func (s *site) submit(t *testing.T, in request.Input) *request.Request {
	t.Helper()
	r, err := s.reqs.Submit(t.Context(), s.clerk, in)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// decodeRequests decodes a JSON list of requests.
func decodeRequests(t *testing.T, body string) []map[string]any {
	t.Helper()
	var out []map[string]any
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatalf("%v in %s", err, body)
	}
	return out
}

// requestID reads the service_request_id of a decoded answer: a string,
// as the schemas require.
func requestID(t *testing.T, r map[string]any) int64 {
	t.Helper()
	s, ok := r["service_request_id"].(string)
	id, err := strconv.ParseInt(s, 10, 64)
	if !ok || err != nil {
		t.Fatalf("service_request_id %#v is not a string of digits", r["service_request_id"])
	}
	return id
}

// TestSpecExamples compares every answer, in XML and JSON, with the
// spec's example of it: the same elements and fields, of the same kinds.
func TestSpecExamples(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		good := url.Values{"api_key": {DemoKey}, "service_code": {"sanitation"}, "lat": {"36.6171"}, "long": {"101.7782"},
			"address_string": {"一化小区 3号楼 东侧"}, "description": {"化粪池外溢"}, "account_id": {"u-1"}}
		code, body := s.post(t, "/open311/v2/requests.xml", good)
		if code != 200 {
			t.Fatalf("POST xml: %d %s", code, body)
		}
		if got, want := xmlPaths(t, body), xmlPaths(t, specCreatedXML); !slices.Equal(got, want) {
			t.Errorf("POST xml: %v, spec %v", got, want)
		}
		code, body = s.post(t, "/open311/v2/requests.json", good)
		if code != 200 {
			t.Fatalf("POST json: %d %s", code, body)
		}
		sameShape(t, "POST json", jsonShape(t, body), jsonShape(t, specCreatedJSON))
		id := requestID(t, decodeRequests(t, body)[0])
		tracking := ""
		if err := db.QueryRowContext(t.Context(), `SELECT tracking_code FROM requests WHERE id = ?`, id).Scan(&tracking); err != nil {
			t.Fatal(err)
		}
		// A closed, referred request fills every optional field.
		r := s.submit(t, request.Input{Category: "ev_charging", Description: "想多装充电桩", Channel: "hotline", HouseholdID: s.red.ID})
		for _, c := range []request.Change{{Action: request.Accept, Urgency: request.General, Handling: request.Referred, DepartmentID: s.dept.ID},
			{Action: request.Resolve, Note: "已加装10个充电口"}} {
			if _, err := s.reqs.Apply(t.Context(), s.clerk, r.ID, c); err != nil {
				t.Fatal(err)
			}
		}

		for _, c := range []struct{ path, xmlSpec, jsonSpec string }{
			{"discovery", specDiscoveryXML, specDiscoveryJSON},
			{"services", specServicesXML, specServicesJSON},
			{"services/sanitation", specDefinitionXML, `{"service_code":"DMV66","attributes":[]}`},
			{"requests", specRequestsXML, specRequestsJSON},
			{"requests/" + strconv.FormatInt(id, 10), specRequestsXML, specRequestsJSON},
			{"tokens/" + tracking, specTokenXML, `[{"service_request_id":"638344","token":"12345"}]`},
		} {
			code, ctype, body := s.get(t, "/open311/v2/"+c.path+".xml")
			if code != 200 || ctype != "text/xml; charset=utf-8" {
				t.Fatalf("%s.xml: %d %s %s", c.path, code, ctype, body)
			}
			if got, want := xmlPaths(t, body), xmlPaths(t, c.xmlSpec); !slices.Equal(got, want) {
				t.Errorf("%s.xml: elements\n %v\nspec\n %v", c.path, got, want)
			}
			code, ctype, body = s.get(t, "/open311/v2/"+c.path+".json")
			if code != 200 || ctype != "application/json; charset=utf-8" {
				t.Fatalf("%s.json: %d %s %s", c.path, code, ctype, body)
			}
			sameShape(t, c.path+".json", jsonShape(t, body), jsonShape(t, c.jsonSpec))
		}
		for _, format := range []string{"xml", "json"} {
			code, body := s.post(t, "/open311/v2/requests."+format, url.Values{"api_key": {"wrong"}, "service_code": {"sanitation"}, "address_string": {"x"}})
			if code != 403 {
				t.Errorf("bad key %s: %d %s", format, code, body)
			}
			if format == "xml" {
				if got, want := xmlPaths(t, body), xmlPaths(t, specErrorsXML); !slices.Equal(got, want) || !strings.Contains(body, "<code>403</code>") {
					t.Errorf("errors xml: %v %s", got, body)
				}
			} else {
				sameShape(t, "errors json", jsonShape(t, body), jsonShape(t, specErrorsJSON))
			}
		}
	})
}

// TestPost creates a request through Open311 with a good key, and refuses
// bad keys and bad fields with the spec's statuses.
func TestPost(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		form := url.Values{"api_key": {DemoKey}, "service_code": {"sanitation"}, "lat": {"36.6171"}, "long": {"101.7782"},
			"address_string": {"一化小区 3号楼 东侧"}, "description": {"化粪池外溢，污水流到路上"}, "phone": {"13900001111"},
			"first_name": {"秀兰"}, "last_name": {"王"}, "email": {"wang@example.cn"}, "account_id": {"acc-7"}}
		code, body := s.post(t, "/open311/v2/requests.json", form)
		if code != 200 {
			t.Fatalf("POST: %d %s", code, body)
		}
		got := decodeRequests(t, body)[0]
		id := requestID(t, got)
		if got["account_id"] != "acc-7" || !strings.Contains(got["service_notice"].(string), "24小时") {
			t.Errorf("POST answer %v", got)
		}
		r, err := s.reqs.Get(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		if r.Channel != "open311" || r.State != request.Submitted || r.Category != "sanitation" || r.CreatedBy != "Open311: demo" ||
			r.ReporterPhone != pii.MaskPhone("13900001111") || r.Lat == nil || *r.Lat != 36.6171 {
			t.Errorf("stored request %+v", r)
		}
		var path, name, email, account string
		if err := db.QueryRowContext(t.Context(), `SELECT r.org_path, o.reporter_name, o.reporter_email, o.account_id
			FROM requests r JOIN open311_requests o ON o.request_id = r.id WHERE r.id = ?`, id).Scan(&path, &name, &email, &account); err != nil {
			t.Fatal(err)
		}
		if path != s.org.Community.Path || account != "acc-7" || name == "" || strings.Contains(name, "秀兰") || strings.Contains(email, "wang@") {
			t.Errorf("client data: path %q (community %q), name %q, email %q, account %q", path, s.org.Community.Path, name, email, account)
		}
		if open, err := db.Keys().Open(email); err != nil || open != "wang@example.cn" {
			t.Errorf("sealed email opens to %q, %v", open, err)
		}
		// Read back through Open311: the kind of problem, its state and
		// roughly where, never who nor what anyone wrote.
		code, _, body = s.get(t, "/open311/v2/requests/"+strconv.FormatInt(id, 10)+".json")
		one := decodeRequests(t, body)
		if code != 200 || len(one) != 1 || one[0]["status"] != "open" ||
			one[0]["description"] != "经Open311 接口反映：化粪池、下水道堵塞外溢。Reported through the Open311 API: Septic tank and sewer blockage." || one[0]["service_code"] != "sanitation" ||
			one[0]["address"] != nil || one[0]["lat"] != 36.617 || one[0]["long"] != 101.778 || one[0]["expected_datetime"] != nil {
			t.Errorf("GET %d: %d %v", id, code, one)
		}
		for _, secret := range []string{"13900001111", "1111", "秀兰", "wang@", "污水流到路上", "东侧"} {
			if strings.Contains(body, secret) {
				t.Errorf("GET shows %q: %s", secret, body)
			}
		}

		for _, c := range []struct {
			name   string
			change func(url.Values)
			status int
			says   string
		}{
			{"no key", func(v url.Values) { v.Del("api_key") }, 403, "api_key"},
			{"bad key", func(v url.Values) { v.Set("api_key", "demo-open311-key-") }, 403, "api_key"},
			{"no service_code", func(v url.Values) { v.Del("service_code") }, 400, "service_code"},
			{"unknown service_code", func(v url.Values) { v.Set("service_code", "potholes") }, 404, "potholes"},
			{"no location", func(v url.Values) { v.Del("lat"); v.Del("long"); v.Del("address_string") }, 400, "location"},
			{"lat without long", func(v url.Values) { v.Del("long") }, 400, "lat and long"},
			{"bad phone", func(v url.Values) { v.Set("phone", "12") }, 400, "phone"},
			{"too long", func(v url.Values) { v.Set("description", strings.Repeat("长", 4001)) }, 400, "description"},
		} {
			v := url.Values{}
			for k, vs := range form {
				v[k] = slices.Clone(vs)
			}
			c.change(v)
			code, body := s.post(t, "/open311/v2/requests.json", v)
			var errs []apiError
			if err := json.Unmarshal([]byte(body), &errs); err != nil || code != c.status || len(errs) != 1 || errs[0].Code != c.status ||
				!strings.Contains(errs[0].Description, c.says) {
				t.Errorf("%s: %d %s, want %d naming %q", c.name, code, body, c.status, c.says)
			}
		}
		// A revoked key no longer works.
		if err := RevokeKey(t.Context(), db, "demo"); err != nil {
			t.Fatal(err)
		}
		if code, body := s.post(t, "/open311/v2/requests.xml", form); code != 403 || !strings.Contains(body, "<code>403</code>") {
			t.Errorf("revoked key: %d %s", code, body)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM requests`); n != 1 {
			t.Errorf("%d requests after the refused POSTs, want 1", n)
		}
	})
}

func count(t *testing.T, db *store.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRowContext(t.Context(), q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestRead checks the filters of GET requests, the mapping of states and
// that no request shows personal data or a staff note: a resolved one
// shows its public reply (numbers masked), a declined one a fixed text,
// and of the place the building at most.
func TestRead(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		start := s.now
		// Submitted 100 days ago: outside the default 90 days.
		s.now = start.AddDate(0, 0, -20)
		old := s.submit(t, request.Input{Category: "parking", Description: "乱停车", Channel: "walk_in", Address: "东门", GridID: s.org.Grids[0].ID})
		s.now = start
		hotline := s.submit(t, request.Input{Category: "sanitation", Description: "王秀兰家门口化粪池外溢 13912345671", Channel: "hotline", HouseholdID: s.red.ID})
		charger := s.submit(t, request.Input{Category: "ev_charging", Description: "想多装充电桩", Channel: "visit", HouseholdID: s.red.ID})
		declined := s.submit(t, request.Input{Category: "other", Description: "不归社区管", Channel: "walk_in", Address: "3号楼202", GridID: s.org.Grids[1].ID})
		apply := func(id int64, c request.Change) {
			if _, err := s.reqs.Apply(t.Context(), s.clerk, id, c); err != nil {
				t.Fatalf("%s: %v", c.Action, err)
			}
		}
		apply(hotline.ID, request.Change{Action: request.Accept, Urgency: request.Urgent, Handling: request.Community})
		apply(charger.ID, request.Change{Action: request.Accept, Urgency: request.General, Handling: request.Referred, DepartmentID: s.dept.ID})
		apply(charger.ID, request.Change{Action: request.Resolve, Note: "已在1号楼王秀兰家门口加装10个充电口",
			PublicNote: "已在小区加装10个充电口，咨询电话 13912345671"})
		apply(declined.ID, request.Change{Action: request.Decline, Note: "请向物业反映"})

		ids := func(path string) []int64 {
			t.Helper()
			code, _, body := s.get(t, "/open311/v2/"+path)
			if code != 200 {
				t.Fatalf("%s: %d %s", path, code, body)
			}
			var out []int64
			for _, r := range decodeRequests(t, body) {
				out = append(out, requestID(t, r))
			}
			return out
		}
		same := func(path string, want ...int64) {
			t.Helper()
			if got := ids(path); !slices.Equal(got, want) {
				t.Errorf("%s: %v, want %v", path, got, want)
			}
		}
		s.now = start.AddDate(0, 0, 80) // old was submitted 100 days before
		same("requests.json", declined.ID, charger.ID, hotline.ID)
		same("requests.json?status=open", hotline.ID)
		same("requests.json?status=closed", declined.ID, charger.ID)
		same("requests.json?status=open,closed", declined.ID, charger.ID, hotline.ID)
		same("requests.json?service_code=ev_charging,other", declined.ID, charger.ID)
		same("requests.json?start_date=2026-09-01T00:00:00Z&end_date=2026-09-30T00:00:00Z", old.ID)
		same("requests.json?start_date=2026-09-05", declined.ID, charger.ID, hotline.ID, old.ID)
		same("requests.json?end_date=2026-09-30T14:00:00Z", old.ID)
		same("requests.json?service_request_id="+strconv.FormatInt(old.ID, 10)+","+strconv.FormatInt(hotline.ID, 10)+"&status=closed",
			hotline.ID, old.ID)
		for _, bad := range []string{"status=pending", "start_date=yesterday", "start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z",
			"start_date=2026-06-01T00:00:00Z&end_date=2026-05-01T00:00:00Z", "service_request_id=abc",
			"start_date=9999-12-31", "end_date=9999-12-31T00:00:00Z", "start_date=0001-01-01T00:00:00Z"} {
			if code, _, body := s.get(t, "/open311/v2/requests.xml?"+bad); code != 400 || !strings.Contains(body, "<errors><error><code>400</code>") {
				t.Errorf("%s: %d %s", bad, code, body)
			}
		}

		code, _, body := s.get(t, "/open311/v2/requests.json?status=open,closed")
		byID := map[int64]map[string]any{}
		for _, r := range decodeRequests(t, body) {
			byID[requestID(t, r)] = r
		}
		h, c, d := byID[hotline.ID], byID[charger.ID], byID[declined.ID]
		if code != 200 || h["status"] != "open" ||
			h["description"] != "经24小时热线反映：化粪池、下水道堵塞外溢。Reported through the 24-hour hotline: Septic tank and sewer blockage." || h["address"] != "一化小区 1号楼" || h["service_name"] != "化粪池、下水道堵塞外溢" ||
			h["expected_datetime"] != "2026-10-01T23:00:00+08:00" || h["requested_datetime"] != "2026-09-30T23:00:00+08:00" {
			t.Errorf("hotline request: %v", h)
		}
		if c["status"] != "closed" || c["status_notes"] != "已在小区加装10个充电口，咨询电话 139****5671" || c["agency_responsible"] != "区文体旅游科技局" {
			t.Errorf("resolved referred request: %v", c)
		}
		if d["status"] != "closed" || !strings.HasPrefix(d["status_notes"].(string), "未予受理") || d["address"] != nil || d["agency_responsible"] != nil {
			t.Errorf("declined request: %v", d)
		}
		for _, secret := range []string{"王秀兰", householdtest.WidowPhone, "13912345671", "3号楼202", "不归社区管", "请向物业反映", "家门口", "302"} {
			if strings.Contains(body, secret) {
				t.Errorf("public list shows %q: %s", secret, body)
			}
		}

		for _, p := range []string{"requests/999999.json", "requests/abc.xml", "tokens/NOSUCHCODE.json", "services/potholes.json", "nothing.json", "services.yaml"} {
			if code, _, body := s.get(t, "/open311/v2/"+p); code != 404 || !strings.Contains(body, "404") {
				t.Errorf("%s: %d %s", p, code, body)
			}
		}
	})
}

// TestReadsLimited: the public GETs are counted per client address; over
// the limit they answer 429 with Retry-After in the spec's error format,
// so request ids cannot be walked; a POST with a key is not counted.
func TestReadsLimited(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		s.h.reads = request.ReadLimit{Max: 3, Window: time.Hour}
		r := s.submit(t, request.Input{Category: "sanitation", Description: "化粪池外溢", Channel: "hotline", HouseholdID: s.red.ID})
		for i := range 3 {
			if code, _, body := s.get(t, "/open311/v2/requests/"+strconv.FormatInt(r.ID+int64(i), 10)+".json"); code != 200 && code != 404 {
				t.Fatalf("read %d: %d %s", i+1, code, body)
			}
		}
		res, err := http.Get(s.srv.URL + "/open311/v2/requests/" + strconv.FormatInt(r.ID+3, 10) + ".json")
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		var errs []apiError
		retry, _ := strconv.Atoi(res.Header.Get("Retry-After"))
		if json.Unmarshal(b, &errs) != nil || res.StatusCode != 429 || len(errs) != 1 || errs[0].Code != 429 || retry < 1 || retry > 3600 {
			t.Errorf("fourth read: %d Retry-After %q %s", res.StatusCode, res.Header.Get("Retry-After"), b)
		}
		if code, _, body := s.get(t, "/open311/v2/services.xml"); code != 429 || !strings.Contains(body, "<code>429</code>") {
			t.Errorf("services over the limit: %d %s", code, body)
		}
		form := url.Values{"api_key": {DemoKey}, "service_code": {"sanitation"}, "address_string": {"一化小区"}, "description": {"x"}}
		if code, body := s.post(t, "/open311/v2/requests.json", form); code != 200 {
			t.Errorf("a POST is not a read: %d %s", code, body)
		}
		s.now = s.now.Add(time.Hour)
		if code, _, body := s.get(t, "/open311/v2/requests.json"); code != 200 {
			t.Errorf("an hour later: %d %s", code, body)
		}
	})
}

// TestDemoKeyInACity: the demo's key belongs to the demo community, the
// first made, also in a generated city of several communities, where a
// key made without naming its community is refused.
func TestDemoKeyInACity(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		w, err := testworld.NewOrg(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		second := org.Unit{Kind: org.Community, ParentID: w.Street.ID, Name: "兴隆社区"}
		if err := org.CreateUnit(ctx, db, &second); err != nil {
			t.Fatal(err)
		}
		if _, err := AddKey(ctx, db, "portal", ""); err == nil {
			t.Fatal("a key with no community in a city of two was made")
		}
		if err := EnsureDemoKey(ctx, db); err != nil {
			t.Fatalf("EnsureDemoKey in a city of two communities: %v", err)
		}
		var unit int64
		if err := db.QueryRowContext(ctx, `SELECT org_unit_id FROM open311_keys WHERE name = 'demo'`).Scan(&unit); err != nil {
			t.Fatal(err)
		}
		if unit != w.Community.ID {
			t.Fatalf("demo key of unit %d, want the demo community %d", unit, w.Community.ID)
		}
	})
}
