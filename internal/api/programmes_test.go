package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"wanhu/internal/store/storetest"
)

// TestProgrammesAPI: the administrator creates a programme on a community
// without a roster, enrols the widow (grid 1) and the father (grid 2);
// GET /programmes answers the contract's exact shape, counting for the
// first grid's leader the widow only; a stale edit is 409; a session with
// its attendance; an activity with a sign-up by phone and its attendance
// on the day; out of scope answers 404 and a missing right 403.
func TestProgrammesAPI(t *testing.T) {
	fx := newFixture(t, storetest.SQLite(t))
	community := fmt.Sprint(fx.org.Community.ID)
	_, b := fx.do(t, "admin", "POST", "/programmes", `{"community_id":`+community+`,"name":"四点半课堂","kind":"four_thirty","roster":"four_thirty","capacity":40}`, nil)
	prog := decodeAs[struct{ ID int64 }](t, b).ID
	if prog == 0 {
		t.Fatalf("programme not created: %s", b)
	}
	start := time.Now().UTC().Add(72 * time.Hour).Truncate(time.Minute)
	_, b = fx.do(t, "admin", "POST", "/activities", fmt.Sprintf(`{"community_id":%s,"title":"邻里节","kind":"festival","starts_at":%q,"ends_at":%q,"per_household":2}`,
		community, start.Format(time.RFC3339), start.Add(3*time.Hour).Format(time.RFC3339)), nil)
	act := decodeAs[struct{ ID int64 }](t, b).ID
	if act == 0 {
		t.Fatalf("activity not created: %s", b)
	}
	fx.ids = strings.NewReplacer(append(replacements(fx), "{prog}", fmt.Sprint(prog), "{act}", fmt.Sprint(act), "{community}", community)...)
	fx.run(t, []scenario{
		{name: "no name", method: "POST", path: "/programmes", user: "admin", body: `{"community_id":{community}}`, status: http.StatusBadRequest,
			check: wantError("required", "name")},
		{name: "a visitor may not create", method: "POST", path: "/programmes", user: "visitor", body: `{}`, status: http.StatusForbidden},
		{name: "an officer reads none", method: "GET", path: "/programmes", user: "officer", status: http.StatusForbidden},
		{name: "the widow", method: "POST", path: "/programmes/{prog}/enrolments", user: "admin", body: `{"person_id":{widow},"interests":["drawing"]}`,
			status: http.StatusCreated, want: []string{`"name":"王秀兰"`, `"interests":["drawing"]`}, reject: []string{householdtestPhone}},
		{name: "the father", method: "POST", path: "/programmes/{prog}/enrolments", user: "admin", body: `{"person_id":{father}}`, status: http.StatusCreated},
		{name: "twice", method: "POST", path: "/programmes/{prog}/enrolments", user: "admin", body: `{"person_id":{father}}`, status: http.StatusBadRequest,
			check: wantError("enrolled", "person_id")},
		{name: "the leader enrols out of scope", method: "POST", path: "/programmes/{prog}/enrolments", user: "leader1", body: `{"person_id":{father}}`,
			status: http.StatusBadRequest, check: wantError("not_found", "person_id")},
		{name: "the leader's enrolments", method: "GET", path: "/programmes/{prog}/enrolments", user: "leader1", status: http.StatusOK,
			check: wantTotal(1), want: []string{"王秀兰"}},
		{name: "a missing programme", method: "GET", path: "/programmes/999999", user: "admin", status: http.StatusNotFound},
		{name: "a missing programme, written", method: "PATCH", path: "/programmes/999999", user: "visitor", body: `{}`, status: http.StatusNotFound},
		{name: "a visitor edits one it sees", method: "PATCH", path: "/programmes/{prog}", user: "visitor", body: `{}`, status: http.StatusForbidden},
		{name: "an edit", method: "PATCH", path: "/programmes/{prog}", user: "admin", body: `{"name":"四点半课堂","kind":"four_thirty","capacity":40,"version":1}`,
			status: http.StatusOK, want: []string{`"version":2`}},
		{name: "a stale edit", method: "PATCH", path: "/programmes/{prog}", user: "admin", body: `{"name":"旧","version":1}`, status: http.StatusConflict,
			want: []string{`"current_version":2`}},
		{name: "a session", method: "POST", path: "/programmes/{prog}/sessions", user: "admin",
			body: `{"starts_at":"2026-12-01T08:30:00Z","ends_at":"2026-12-01T10:00:00Z","topic":"画画"}`, status: http.StatusCreated},
		{name: "the sessions", method: "GET", path: "/programmes/{prog}/sessions", user: "leader1", status: http.StatusOK, check: wantTotal(1)},
		{name: "the teachers", method: "GET", path: "/programmes/{prog}/teachers", user: "admin", status: http.StatusOK, want: []string{`"interest":"drawing","label":"画画","children":1`}},
		{name: "the candidates", method: "GET", path: "/programmes/{prog}/candidates", user: "admin", status: http.StatusOK, check: wantTotal(0)},
		{name: "the stats", method: "GET", path: "/stats/programmes?from=2026-11-01&to=2026-12-31", user: "admin", status: http.StatusOK,
			want: []string{`"four_thirty_children":2`}},
		{name: "bad stats", method: "GET", path: "/stats/programmes?from=2026-12-31&to=2026-11-01", user: "admin", status: http.StatusBadRequest},
		{name: "a sign-up over the household's limit", method: "POST", path: "/activities/{act}/signups", user: "admin", body: `{"household_id":{red},"people":3}`,
			status: http.StatusBadRequest, check: wantError("per_household", "people")},
		{name: "a sign-up", method: "POST", path: "/activities/{act}/signups", user: "admin", body: `{"household_id":{red},"people":2,"phone":"13912345678"}`,
			status: http.StatusCreated, want: []string{`"people":2`, `"via":"staff"`}, reject: []string{"13912345678"}},
		{name: "the leader's list on the day", method: "GET", path: "/activities/{act}/signups", user: "leader1", status: http.StatusOK, check: wantTotal(1)},
		{name: "the upcoming activities", method: "GET", path: "/activities?upcoming=true", user: "leader1", status: http.StatusOK, want: []string{`"signed_up":2`}},
		{name: "the widow's file", method: "GET", path: "/households/{red}/programmes", user: "leader1", status: http.StatusOK, want: []string{"四点半课堂", `"people":2`}},
		{name: "the family's file, out of scope", method: "GET", path: "/households/{green}/programmes", user: "leader1", status: http.StatusNotFound},
	})

	// The contract: exactly id, name, enrolled and sessions; the leader
	// counts the widow only.
	for user, enrolled := range map[string]float64{"admin": 2, "leader1": 1} {
		_, b := fx.do(t, user, "GET", "/programmes", "", nil)
		var l struct {
			Items []map[string]any `json:"items"`
			Total *int             `json:"total"`
		}
		if err := json.Unmarshal(b, &l); err != nil || l.Total == nil || *l.Total != 1 || len(l.Items) != 1 {
			t.Fatalf("%s: %s", user, b)
		}
		var keys []string
		for k := range l.Items[0] {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		if !slices.Equal(keys, []string{"enrolled", "id", "name", "sessions"}) {
			t.Errorf("%s: keys %v", user, keys)
		}
		if l.Items[0]["enrolled"] != enrolled || l.Items[0]["sessions"] != float64(1) || l.Items[0]["name"] != "四点半课堂" {
			t.Errorf("%s: %v", user, l.Items[0])
		}
	}

	// Attendance, then the ledger.
	_, b = fx.do(t, "admin", "GET", "/programmes/{prog}/enrolments", "", nil)
	es := decodeAs[struct{ Items []struct{ ID int64 } }](t, b).Items
	_, b = fx.do(t, "admin", "GET", "/programmes/{prog}/sessions", "", nil)
	ss := decodeAs[struct{ Items []struct{ ID int64 } }](t, b).Items
	resp, b := fx.do(t, "admin", "PUT", fmt.Sprintf("/programmes/{prog}/sessions/%d/attendance", ss[0].ID), fmt.Sprintf(`{"present":[%d]}`, es[0].ID), nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), `"attended":1`) {
		t.Fatalf("attendance: %d %s", resp.StatusCode, b)
	}
	_, b = fx.do(t, "admin", "GET", "/activities/{act}/signups", "", nil)
	su := decodeAs[struct{ Items []struct{ ID int64 } }](t, b).Items
	resp, b = fx.do(t, "leader1", "POST", fmt.Sprintf("/activities/{act}/signups/%d/attendance", su[0].ID), `{"attended":2}`, nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), `"attended":2`) {
		t.Fatalf("attended: %d %s", resp.StatusCode, b)
	}
	_, b = fx.do(t, "admin", "GET", "/households/{red}/ledger?type=joined_programme", "", nil)
	if !strings.Contains(string(b), "四点半课堂") || !strings.Contains(string(b), "邻里节") {
		t.Errorf("ledger: %s", short(b))
	}
}

// TestWithdrawAPI: a person who leaves no longer counts as enrolled; the
// first grid's leader gets 404 for the family's enrolment, a visitor 403.
func TestWithdrawAPI(t *testing.T) {
	fx := newFixture(t, storetest.SQLite(t))
	_, b := fx.do(t, "admin", "POST", "/programmes", fmt.Sprintf(`{"community_id":%d,"name":"新手父母课堂"}`, fx.org.Community.ID), nil)
	prog := decodeAs[struct{ ID int64 }](t, b).ID
	fx.ids = strings.NewReplacer(append(replacements(fx), "{prog}", fmt.Sprint(prog))...)
	_, b = fx.do(t, "admin", "POST", "/programmes/{prog}/enrolments", `{"person_id":{father}}`, nil)
	e := decodeAs[struct{ ID int64 }](t, b).ID
	fx.ids = strings.NewReplacer(append(replacements(fx), "{prog}", fmt.Sprint(prog), "{e}", fmt.Sprint(e))...)
	fx.run(t, []scenario{
		{name: "the leader, out of scope", method: "POST", path: "/programmes/{prog}/enrolments/{e}/withdraw", user: "leader1", status: http.StatusNotFound},
		{name: "a visitor", method: "POST", path: "/programmes/{prog}/enrolments/{e}/withdraw", user: "visitor", status: http.StatusForbidden},
		{name: "withdraw", method: "POST", path: "/programmes/{prog}/enrolments/{e}/withdraw", user: "admin", status: http.StatusOK, want: []string{`"left_on":"`}},
		{name: "none enrolled", method: "GET", path: "/programmes", user: "admin", status: http.StatusOK, want: []string{`"enrolled":0`}},
		{name: "the household file keeps it", method: "GET", path: "/households/{green}/programmes", user: "admin", status: http.StatusOK, want: []string{`"left_on":"`}},
	})
}

// householdtestPhone is the widow's phone, which no programme answer shows.
const householdtestPhone = "13912345678"
