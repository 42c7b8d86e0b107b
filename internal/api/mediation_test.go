package api

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"wanhu/internal/store/storetest"
	"wanhu/internal/testworld"
)

// TestTalkRoomAPI: the administrator logs a talk session with the widow
// and a passer-by whose stray-dog complaint becomes a request referred to
// a department; the first grid's leader lists it, reads it with the
// passer-by hidden, and gets 404 for a session of the second grid alone,
// also on a write; a visitor may not write; an officer may not read; the
// view is audited.
func TestTalkRoomAPI(t *testing.T) {
	fx := newFixture(t, storetest.SQLite(t))
	ctx := t.Context()
	dept, err := testworld.Department(ctx, fx.d.DB, fx.org)
	if err != nil {
		t.Fatal(err)
	}
	community := fmt.Sprint(fx.org.Community.ID)
	create := func(user string) int64 {
		_, b := fx.do(t, user, "POST", "/talk-sessions", `{"community_id":`+community+`,"day":"2026-12-03","starts":"09:00","ends":"11:00","host":"冯晓霞"}`, nil)
		return decodeAs[struct{ ID int64 }](t, b).ID
	}
	talk, other := create("admin"), create("admin")
	if talk == 0 || other == 0 {
		t.Fatal("sessions not created")
	}
	fx.ids = strings.NewReplacer(append(replacements(fx), "{talk}", fmt.Sprint(talk), "{other}", fmt.Sprint(other), "{dept}", fmt.Sprint(dept.ID),
		"{community}", community)...)
	fx.run(t, []scenario{
		{name: "no host", method: "POST", path: "/talk-sessions", user: "admin", body: `{"community_id":{community},"day":"2026-12-03","starts":"09:00","ends":"11:00"}`,
			status: http.StatusBadRequest, check: wantError("required", "host")},
		{name: "no community for a city administrator", method: "POST", path: "/talk-sessions", user: "admin", body: `{"day":"2026-12-03","starts":"09:00","ends":"11:00","host":"x"}`,
			status: http.StatusBadRequest, check: wantError("required", "community_id")},
		{name: "a visitor may not write", method: "POST", path: "/talk-sessions", user: "visitor", body: `{}`, status: http.StatusForbidden},
		{name: "the widow", method: "POST", path: "/talk-sessions/{talk}/visitors", user: "admin", body: `{"household_id":{red},"said":"养老金什么时候发"}`,
			status: http.StatusCreated, want: []string{`"name":"王秀兰"`}},
		{name: "a bad department", method: "POST", path: "/talk-sessions/{talk}/visitors", user: "admin",
			body: `{"name":"路人","said":"流浪狗多","request":{"category":"environment","department_id":{red}}}`, status: http.StatusBadRequest,
			check: wantError("not_found", "request.department_id")},
		{name: "the stray dogs", method: "POST", path: "/talk-sessions/{talk}/visitors", user: "admin",
			body: `{"name":"路人","said":"小区流浪狗多，晚上不敢出门","request":{"category":"environment","department_id":{dept}}}`, status: http.StatusCreated,
			want: []string{`"requests":1`, `"name":"路人"`}},
		{name: "the family alone", method: "POST", path: "/talk-sessions/{other}/visitors", user: "admin", body: `{"household_id":{green},"said":"x"}`,
			status: http.StatusCreated},
		{name: "the leader's list", method: "GET", path: "/talk-sessions", user: "leader1", status: http.StatusOK, check: wantTotal(1)},
		{name: "the leader's session", method: "GET", path: "/talk-sessions/{talk}", user: "leader1", status: http.StatusOK,
			want: []string{"养老金什么时候发", `"hidden":true`}, reject: []string{"流浪狗", "路人"}},
		{name: "another grid's session", method: "GET", path: "/talk-sessions/{other}", user: "leader1", status: http.StatusNotFound},
		{name: "another grid's session, written", method: "PATCH", path: "/talk-sessions/{other}", user: "leader1", body: `{"version":1}`, status: http.StatusNotFound},
		{name: "a visitor writes to a session it sees", method: "POST", path: "/talk-sessions/{talk}/visitors", user: "visitor", body: `{"said":"x","name":"y"}`,
			status: http.StatusForbidden},
		{name: "an officer reads no sessions", method: "GET", path: "/talk-sessions", user: "officer", status: http.StatusForbidden},
		{name: "a stale update", method: "PATCH", path: "/talk-sessions/{talk}", user: "admin", body: `{"day":"2026-12-03","starts":"09:00","ends":"11:30","host":"冯晓霞","version":1}`,
			status: http.StatusConflict},
		{name: "the widow's file", method: "GET", path: "/households/{red}/talks", user: "leader1", status: http.StatusOK, want: []string{"养老金什么时候发"}},
		{name: "the family's file, out of scope", method: "GET", path: "/households/{green}/talks", user: "leader1", status: http.StatusNotFound},
	})
	var referred int
	if err := fx.d.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM requests WHERE channel = 'talk_room' AND handling = 'referred' AND department_id = ?`, dept.ID).Scan(&referred); err != nil || referred != 1 {
		t.Errorf("%d requests referred from the talk room (%v), want 1", referred, err)
	}
	var viewed int
	if err := fx.d.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = 'talk.view' AND object = ?`, fmt.Sprintf("talk-session:%d", talk)).Scan(&viewed); err != nil || viewed != 1 {
		t.Errorf("%d audited views (%v), want 1", viewed, err)
	}
}

// TestMediationAPI: a case between the widow and the family with a
// mediator; the first grid's leader reads it with the family hidden; a
// stale update is 409; the agreement is saved; the escalation to a
// department makes one request, a second is 409.
func TestMediationAPI(t *testing.T) {
	fx := newFixture(t, storetest.SQLite(t))
	ctx := t.Context()
	dept, err := testworld.Department(ctx, fx.d.DB, fx.org)
	if err != nil {
		t.Fatal(err)
	}
	var member int64
	if err := fx.d.DB.QueryRowContext(ctx, `SELECT id FROM team_members WHERE name = '卓玛'`).Scan(&member); err != nil {
		t.Fatal(err)
	}
	_, b := fx.do(t, "admin", "POST", "/mediation-cases", fmt.Sprintf(`{"title":"漏水纠纷","household_ids":[{red},{green}],"mediator_ids":[%d]}`, member), nil)
	c := decodeAs[struct{ ID int64 }](t, b).ID
	if c == 0 {
		t.Fatalf("case not created: %s", b)
	}
	fx.ids = strings.NewReplacer(append(replacements(fx), "{case}", fmt.Sprint(c), "{dept}", fmt.Sprint(dept.ID), "{member}", fmt.Sprint(member))...)
	fx.run(t, []scenario{
		{name: "one party", method: "POST", path: "/mediation-cases", user: "admin", body: `{"title":"x","household_ids":[{red}],"mediator_ids":[{member}]}`,
			status: http.StatusBadRequest, check: wantError("too_few", "household_ids")},
		{name: "the leader names another grid's household", method: "POST", path: "/mediation-cases", user: "leader1",
			body: `{"title":"x","household_ids":[{red},{green}],"mediator_ids":[{member}]}`, status: http.StatusBadRequest, check: wantError("not_found", "household_ids")},
		{name: "the leader's list", method: "GET", path: "/mediation-cases?open=true", user: "leader1", status: http.StatusOK, check: wantTotal(1)},
		{name: "the leader's case", method: "GET", path: "/mediation-cases/{case}", user: "leader1", status: http.StatusOK,
			want: []string{`"hidden":true`, `"name":"卓玛"`}, reject: []string{`"household_id":{green}`}},
		{name: "a session", method: "POST", path: "/mediation-cases/{case}/sessions", user: "admin", body: `{"note":"两户到场"}`, status: http.StatusCreated,
			want: []string{"两户到场", `"version":2`}},
		{name: "stale", method: "PATCH", path: "/mediation-cases/{case}", user: "admin", body: `{"title":"漏水纠纷","mediator_ids":[{member}],"version":1}`, status: http.StatusConflict,
			want: []string{`"current_version":2`}},
		{name: "agreed", method: "PATCH", path: "/mediation-cases/{case}", user: "admin",
			body:   `{"title":"漏水纠纷","mediator_ids":[{member}],"outcome":"agreed","agreement":"楼上修好防水","follow_up_on":"2099-01-01","version":2}`,
			status: http.StatusOK, want: []string{`"outcome":"agreed"`, "楼上修好防水"}},
		{name: "an officer", method: "GET", path: "/mediation-cases/{case}", user: "officer", status: http.StatusForbidden},
		{name: "escalated", method: "POST", path: "/mediation-cases/{case}/escalate", user: "admin", body: `{"department_id":{dept}}`, status: http.StatusOK,
			want: []string{`"request_id":`}},
		{name: "escalated twice", method: "POST", path: "/mediation-cases/{case}/escalate", user: "admin", body: `{"department_id":{dept}}`, status: http.StatusConflict},
		{name: "the family's file", method: "GET", path: "/households/{green}/talks", user: "admin", status: http.StatusOK, want: []string{"楼上修好防水"}},
	})
}

// TestArriveAPI: an urgent request records its arrival once; a general
// one may not.
func TestArriveAPI(t *testing.T) {
	fx := newFixture(t, storetest.SQLite(t))
	_, b := fx.do(t, "admin", "POST", "/requests", `{"category":"water_supply","description":"凌晨暖气漏水","channel":"hotline","household_id":{red}}`, nil)
	id := decodeAs[struct{ ID int64 }](t, b).ID
	fx.ids = strings.NewReplacer(append(replacements(fx), "{req}", fmt.Sprint(id))...)
	fx.run(t, []scenario{
		{name: "not yet accepted", method: "POST", path: "/requests/{req}/arrive", user: "admin", body: `{}`, status: http.StatusConflict},
		{name: "accept urgent", method: "POST", path: "/requests/{req}/accept", user: "admin", body: `{"urgency":"urgent","handling":"community"}`, status: http.StatusOK},
		{name: "a visitor may not", method: "POST", path: "/requests/{req}/arrive", user: "visitor", body: `{}`, status: http.StatusForbidden},
		{name: "in the future", method: "POST", path: "/requests/{req}/arrive", user: "admin", body: `{"arrived_at":"2199-01-01T00:00:00Z"}`,
			status: http.StatusBadRequest, check: wantError("future", "arrived_at")},
		{name: "arrived", method: "POST", path: "/requests/{req}/arrive", user: "admin", body: `{"note":"社区干部和水暖工"}`, status: http.StatusOK,
			want: []string{`"arrived_at":`, `"arrival_seconds":`, `"kind":"arrive"`}},
		{name: "twice", method: "POST", path: "/requests/{req}/arrive", user: "admin", body: `{}`, status: http.StatusConflict},
		{name: "the report", method: "GET", path: "/stats/requests", user: "admin", status: http.StatusOK, want: []string{`"urgent":1`, `"arrived":1`, `"arrivals":[{`}},
	})
}
