package open311

import (
	"bytes"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"wanhu/internal/household/householdtest"
	"wanhu/internal/request"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// schemaDir holds the published GeoReport v2 schemas (see its README).
const schemaDir = "testdata/georeport-v2"

// schemas compiles the published schemas: the five JSON Schema files, and
// the RequestResponse and TokenResponse definitions of swagger.json (as
// "post.json" and "token.json", arrays of them like the answers).
// Formats (date-time, uri) are asserted, not only annotated.
func schemas(t *testing.T) map[string]*jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	read := func(name string) any {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(schemaDir, name))
		if err != nil {
			t.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return doc
	}
	base := "file:///georeport-v2/"
	for _, name := range []string{"services.json", "service.json", "service-definition.json", "requests.json", "request.json"} {
		if err := c.AddResource(base+name, read(name)); err != nil {
			t.Fatal(err)
		}
	}
	defs := read("swagger.json").(map[string]any)["definitions"].(map[string]any)
	for name, def := range map[string]string{"post.json": "RequestResponse", "token.json": "TokenResponse"} {
		if defs[def] == nil {
			t.Fatalf("swagger.json has no definition %s", def)
		}
		if err := c.AddResource(base+name, map[string]any{"type": "array", "items": defs[def]}); err != nil {
			t.Fatal(err)
		}
	}
	out := map[string]*jsonschema.Schema{}
	for _, name := range []string{"services.json", "service-definition.json", "requests.json", "post.json", "token.json"} {
		s, err := c.Compile(base + name)
		if err != nil {
			t.Fatalf("compile %s: %v", name, err)
		}
		out[name] = s
	}
	return out
}

// validate fails unless body is valid against schema.
func validate(t *testing.T, s *jsonschema.Schema, what, body string) {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(body))
	if err != nil {
		t.Fatalf("%s: %v in %s", what, err, body)
	}
	if err := s.Validate(doc); err != nil {
		t.Errorf("%s does not validate: %v\n%s", what, err, body)
	}
}

// TestSchemas validates every JSON answer of the endpoint against the
// schemas the Open311 project publishes: the services, every service's
// definition, the list of requests and each request in every state and
// from every channel, the answers to POST (with and without account_id)
// and to tokens. The same answers, in JSON and XML, show nothing that
// anyone wrote about a request for staff or that names a person or a
// flat.
func TestSchemas(t *testing.T) {
	schema := schemas(t)
	t.Run("the schemas bite", func(t *testing.T) {
		for _, c := range []struct{ schema, body string }{
			{"requests.json", `[{"service_request_id":1,"status":"open","service_code":"x","requested_datetime":"2026-01-01T00:00:00+08:00"}]`},
			{"requests.json", `[{"service_request_id":"1","status":"open","service_code":"x","requested_datetime":"2026-01-01 00:00"}]`},
			{"services.json", `[{"service_code":"x","service_name":"y","metadata":false}]`},
			{"post.json", `[{"service_request_id":"1","account_id":null}]`},
		} {
			doc, _ := jsonschema.UnmarshalJSON(strings.NewReader(c.body))
			if schema[c.schema].Validate(doc) == nil {
				t.Errorf("%s accepts %s", c.schema, c.body)
			}
		}
	})
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		ctx := t.Context()
		var secrets []string
		submit := func(in request.Input) *request.Request {
			secrets = append(secrets, in.Description)
			if in.Address != "" {
				secrets = append(secrets, in.Address)
			}
			return s.submit(t, in)
		}
		apply := func(id int64, c request.Change) {
			t.Helper()
			if _, err := s.reqs.Apply(ctx, s.clerk, id, c); err != nil {
				t.Fatalf("%s: %v", c.Action, err)
			}
			if c.Note != "" {
				secrets = append(secrets, c.Note)
			}
		}
		// A request from each staff channel, in each state.
		hotline := submit(request.Input{Category: "sanitation", Description: "王秀兰家门口化粪池外溢，电话13912345671", Channel: "hotline", HouseholdID: s.red.ID})
		walkIn := submit(request.Input{Category: "parking", Description: "李建国说3号楼202门口总停车", Channel: "walk_in", Address: "3号楼202室门口", GridID: s.org.Grids[0].ID})
		visit := submit(request.Input{Category: "ev_charging", Description: "王秀兰想多装充电桩", Channel: "visit", HouseholdID: s.red.ID})
		group := submit(request.Input{Category: "other", Description: "赵大爷（身份证110101194001010012）不归社区管", Channel: "grid_group", Address: "5号楼甲单元", GridID: s.org.Grids[1].ID})
		dup := submit(request.Input{Category: "sanitation", Description: "又是王秀兰家化粪池", Channel: "talk_room", HouseholdID: s.red.ID})
		apply(hotline.ID, request.Change{Action: request.Accept, Urgency: request.Urgent, Handling: request.Community})
		apply(visit.ID, request.Change{Action: request.Accept, Urgency: request.General, Handling: request.Referred, DepartmentID: s.dept.ID})
		apply(visit.ID, request.Change{Action: request.Resolve, Note: "在王秀兰家1单元302门口加装了充电口",
			PublicNote: "已在小区加装10个充电口"})
		apply(group.ID, request.Change{Action: request.Decline, Note: "赵大爷的事请向物业反映"})
		apply(dup.ID, request.Change{Action: request.Merge, Into: hotline.ID})
		_ = walkIn

		// Through Open311 itself, with and without an account_id.
		form := url.Values{"api_key": {DemoKey}, "service_code": {"water_supply"}, "lat": {"36.61712"}, "long": {"101.77824"},
			"address_string": {"一化小区3号楼2单元501"}, "description": {"501室楼上漏水，联系人周敏 13800002222"}, "phone": {"13800002222"},
			"first_name": {"敏"}, "last_name": {"周"}, "email": {"zhoumin@example.cn"}}
		secrets = append(secrets, "501", "周敏", "zhoumin", "13800002222", "2222")
		var bodies []string
		for _, account := range []string{"", "acc-9"} {
			if account != "" {
				form.Set("account_id", account)
			}
			code, body := s.post(t, "/open311/v2/requests.json", form)
			if code != 200 {
				t.Fatalf("POST: %d %s", code, body)
			}
			validate(t, schema["post.json"], "POST answer (account_id "+strconv.Quote(account)+")", body)
			if account == "" && strings.Contains(body, "account_id") {
				t.Errorf("POST answer without an account_id names one: %s", body)
			}
			bodies = append(bodies, body)
		}
		secrets = append(secrets, "王秀兰", "李建国", "赵大爷", householdtest.WidowPhone, "13912345671", "110101194001010012",
			"302", "3号楼202", "5号楼甲单元", "物业")

		get := func(path string) string {
			t.Helper()
			code, _, body := s.get(t, "/open311/v2/"+path)
			if code != 200 {
				t.Fatalf("%s: %d %s", path, code, body)
			}
			bodies = append(bodies, body)
			return body
		}
		validate(t, schema["services.json"], "services.json", get("services.json"))
		cats, err := request.Categories(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cats {
			validate(t, schema["service-definition.json"], "services/"+c.Code+".json", get("services/"+c.Code+".json"))
		}
		list := get("requests.json?status=open,closed")
		validate(t, schema["requests.json"], "requests.json", list)
		var all []map[string]any
		if err := json.Unmarshal([]byte(list), &all); err != nil {
			t.Fatal(err)
		}
		if len(all) != 7 {
			t.Fatalf("requests.json lists %d requests, want 7: %s", len(all), list)
		}
		for _, r := range all {
			id := strconv.FormatInt(requestID(t, r), 10)
			one := get("requests/" + id + ".json")
			validate(t, schema["requests.json"], "requests/"+id+".json", one)
			if d, _ := r["description"].(string); !strings.HasPrefix(d, "经") {
				t.Errorf("request %s: description %q, want the neutral text of its category and channel", id, d)
			}
			get("requests/" + id + ".xml")
		}
		var tracking string
		if err := db.QueryRowContext(ctx, `SELECT tracking_code FROM requests WHERE id = ?`, walkIn.ID).Scan(&tracking); err != nil {
			t.Fatal(err)
		}
		validate(t, schema["token.json"], "tokens/{token}.json", get("tokens/"+tracking+".json"))
		get("requests.xml?status=open,closed")

		for _, secret := range secrets {
			for _, body := range bodies {
				if strings.Contains(body, secret) {
					t.Errorf("an Open311 answer shows %q: %s", secret, body)
				}
			}
		}
	})
}
