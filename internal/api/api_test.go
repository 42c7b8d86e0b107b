package api

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"wanhu/internal/auth"
	"wanhu/internal/household"
	"wanhu/internal/household/householdtest"
	"wanhu/internal/org"
	"wanhu/internal/server"
	"wanhu/internal/store"
	"wanhu/internal/testworld"
)

// fixture is an API server on a fresh database with an org tree, two
// households and the users of the role matrix (see newFixture).
type fixture struct {
	srv           *httptest.Server
	d             server.Deps
	org           *testworld.Org
	tokens        map[string]string
	red, green    *household.Household
	widow, father household.Person
	ids           *strings.Replacer
}

func newFixture(t testing.TB, db *store.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	fx := &fixture{tokens: map[string]string{"": "", "bad": "not-a-token"}}
	var err error
	if fx.org, err = testworld.NewOrg(ctx, db); err != nil {
		t.Fatal(err)
	}
	fx.d = server.NewDeps(db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	clerk := household.Actor{Name: "测试"}
	// The API's widow is also in special difficulty, with a floor, her own
	// phone and a health note.
	widow, people := householdtest.Widow(fx.org)
	widow.Floor, widow.Tags = 3, []string{household.SpecialDifficulty}
	people[0].Phone, people[0].HealthNotes = householdtest.WidowPhone, "高血压"
	if fx.red, err = fx.d.Households.CreateHousehold(ctx, clerk, widow, people); err != nil {
		t.Fatal(err)
	}
	family, members := householdtest.Family(fx.org)
	if fx.green, err = fx.d.Households.CreateHousehold(ctx, clerk, family, members); err != nil {
		t.Fatal(err)
	}
	fx.widow, fx.father = fx.red.Members[0], fx.green.Members[0]
	if _, err := fx.d.Auth.CreateUser(ctx, "admin", "管理员", "dongxing-admin-2025", auth.Grant{Role: auth.Admin, OrgUnitID: fx.org.City.ID}); err != nil {
		t.Fatal(err)
	}
	// The fixture's administrators and grid leaders sign in with the
	// password alone; two-step sign-in has tests of its own.
	if err := fx.d.Auth.SetTOTPRoles(ctx, nil); err != nil {
		t.Fatal(err)
	}
	// The users of the role matrix: "clerk" leads both grids, "leader1" only
	// the first; "visitor" is assigned the widow; "officer" works for a
	// department; "auditor" reads the community's audit log.
	grants := map[string][]auth.Grant{
		"clerk":   {{Role: auth.GridLeader, OrgUnitID: fx.org.Grids[0].ID}, {Role: auth.GridLeader, OrgUnitID: fx.org.Grids[1].ID}},
		"leader1": {{Role: auth.GridLeader, OrgUnitID: fx.org.Grids[0].ID}},
		"visitor": {{Role: auth.Visitor, OrgUnitID: fx.org.Grids[0].ID}},
		"officer": {{Role: auth.Officer, OrgUnitID: fx.org.District.ID}},
		"auditor": {{Role: auth.Auditor, OrgUnitID: fx.org.Community.ID}},
	}
	for _, u := range []string{"clerk", "leader1", "visitor", "officer", "auditor"} {
		name := map[string]string{"clerk": "网格员小李"}[u]
		if _, err := fx.d.Auth.CreateUser(ctx, u, name, "dongxing-"+u+"-2025", grants[u]...); err != nil {
			t.Fatal(err)
		}
	}
	m := org.TeamMember{CommunityID: fx.org.Community.ID, GridID: fx.org.Grids[0].ID, Name: "卓玛", Role: org.RoleVolunteer}
	if err := org.CreateTeamMember(ctx, db, &m); err != nil {
		t.Fatal(err)
	}
	if err := fx.d.Auth.LinkTeamMember(ctx, "visitor", m.ID); err != nil {
		t.Fatal(err)
	}
	if err := fx.d.Households.Assign(ctx, m.ID, fx.red.ID); err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"admin", "clerk", "leader1", "visitor", "officer", "auditor"} {
		tok, _, err := fx.d.Auth.Login(ctx, u, "dongxing-"+u+"-2025", auth.API)
		if err != nil {
			t.Fatal(err)
		}
		fx.tokens[u] = tok
	}
	mux := http.NewServeMux()
	Register(mux, fx.d)
	fx.srv = httptest.NewServer(mux)
	t.Cleanup(fx.srv.Close)
	fx.ids = strings.NewReplacer(replacements(fx)...)
	return fx
}

// scenario is one request and what its answer must hold. Paths and bodies
// may name the fixture's ids as {red}, {green}, {widow}, {father},
// {grid1}, {grid2}, {building1}, {building2}, {compound}.
type scenario struct {
	name   string
	method string
	path   string // below /api/v1
	body   string
	user   string // "admin", "clerk", "" (no token) or "bad"
	header map[string]string
	status int
	want   []string // fragments the body must contain
	reject []string // fragments it must not contain
	check  func(t *testing.T, body []byte)
}

// do sends one request as user and returns the status and body.
func (fx *fixture) do(t *testing.T, user, method, path, body string, header map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, fx.srv.URL+Prefix+fx.ids.Replace(path), strings.NewReader(fx.ids.Replace(body)))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if tok := fx.tokens[user]; tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

// run runs the scenarios in order (later ones may see earlier changes).
func (fx *fixture) run(t *testing.T, scenarios []scenario) {
	t.Helper()
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			resp, body := fx.do(t, sc.user, sc.method, sc.path, sc.body, sc.header)
			if resp.StatusCode != sc.status {
				t.Fatalf("%s %s: status %d, want %d; body %s", sc.method, sc.path, resp.StatusCode, sc.status, short(body))
			}
			if ct := resp.Header.Get("Content-Type"); len(body) > 0 && !strings.HasPrefix(ct, "application/json; charset=utf-8") &&
				!strings.HasPrefix(ct, "text/csv") {
				t.Errorf("Content-Type %q", ct)
			}
			for _, w := range sc.want {
				if !strings.Contains(string(body), fx.ids.Replace(w)) {
					t.Errorf("body lacks %s: %s", w, short(body))
				}
			}
			for _, w := range sc.reject {
				if strings.Contains(string(body), fx.ids.Replace(w)) {
					t.Errorf("body has %s: %s", w, short(body))
				}
			}
			if sc.check != nil {
				sc.check(t, body)
			}
		})
	}
}

func short(b []byte) string {
	if len(b) > 600 {
		return string(b[:600]) + "…"
	}
	return string(b)
}

// decodeAs decodes a JSON body or fails the test.
func decodeAs[T any](t *testing.T, body []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("decode %s: %v", short(body), err)
	}
	return v
}

// errBody is the error format, for checks.
type errBody struct {
	Error struct {
		Code, Message, Field string
	} `json:"error"`
	CurrentVersion *int `json:"current_version"`
}

// wantError returns a check that the body is the error format with the
// given code and field.
func wantError(code, field string) func(t *testing.T, body []byte) {
	return func(t *testing.T, body []byte) {
		t.Helper()
		e := decodeAs[errBody](t, body)
		if e.Error.Code != code || e.Error.Field != field || e.Error.Message == "" {
			t.Errorf("error %+v, want code %q field %q", e.Error, code, field)
		}
	}
}

// wantTotal returns a check that a list answer has n items in total and
// items is an array.
func wantTotal(n int) func(t *testing.T, body []byte) {
	return func(t *testing.T, body []byte) {
		t.Helper()
		l := decodeAs[struct {
			Items []json.RawMessage `json:"items"`
			Total *int              `json:"total"`
		}](t, body)
		if l.Items == nil || l.Total == nil || *l.Total != n {
			t.Errorf("list total %v items %d, want %d: %s", l.Total, len(l.Items), n, short(body))
		}
	}
}

var oversized = `{"notes":"` + strings.Repeat("a", 1<<20) + `"}`

// replacements are the fixture's id placeholders, for extending fx.ids.
func replacements(fx *fixture) []string {
	return []string{
		"{red}", fmt.Sprint(fx.red.ID), "{green}", fmt.Sprint(fx.green.ID),
		"{widow}", fmt.Sprint(fx.widow.ID), "{father}", fmt.Sprint(fx.father.ID),
		"{grid1}", fmt.Sprint(fx.org.Grids[0].ID), "{grid2}", fmt.Sprint(fx.org.Grids[1].ID),
		"{building1}", fmt.Sprint(fx.org.Buildings[0].ID), "{building2}", fmt.Sprint(fx.org.Buildings[1].ID),
		"{compound}", fmt.Sprint(fx.org.Compound.ID)}
}
