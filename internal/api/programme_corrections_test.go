package api

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"wanhu/internal/org"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestProgrammeCorrectionsAPI: a session is corrected at its version
// (400 naming the field, 409 when stale, 404 for a missing one, one of
// another programme or of a community out of scope, 403 for a visitor)
// and deleted unless its attendance is recorded (409, code attended);
// an enrolment's interests are replaced, for the households the user
// reaches only. On both engines.
func TestProgrammeCorrectionsAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		created := func(path, body string) string {
			t.Helper()
			resp, b := fx.do(t, "admin", "POST", path, body, nil)
			id := decodeAs[struct{ ID int64 }](t, b).ID
			if resp.StatusCode != http.StatusCreated || id == 0 {
				t.Fatalf("POST %s: %d %s", path, resp.StatusCode, short(b))
			}
			return fmt.Sprint(id)
		}
		other := org.Unit{Kind: org.Community, ParentID: fx.org.Street.ID, Name: "乐居社区"}
		if err := org.CreateUnit(t.Context(), db, &other); err != nil {
			t.Fatal(err)
		}
		prog := created("/programmes", fmt.Sprintf(`{"community_id":%d,"name":"四点半课堂","kind":"four_thirty","place":"社区活动室"}`, fx.org.Community.ID))
		elsewhere := created("/programmes", fmt.Sprintf(`{"community_id":%d,"name":"老年人免费体检","kind":"checkup"}`, other.ID))
		fx.ids = strings.NewReplacer(append(replacements(fx), "{prog}", prog, "{elsewhere}", elsewhere)...)
		held := created("/programmes/{prog}/sessions", `{"starts_at":"2026-12-01T08:30:00Z","ends_at":"2026-12-01T10:00:00Z","topic":"画画"}`)
		mistake := created("/programmes/{prog}/sessions", `{"starts_at":"2026-12-02T08:30:00Z","ends_at":"2026-12-02T10:00:00Z"}`)
		theirs := created("/programmes/{elsewhere}/sessions", `{"starts_at":"2026-12-02T08:30:00Z","ends_at":"2026-12-02T10:00:00Z"}`)
		widow := created("/programmes/{prog}/enrolments", `{"person_id":{widow},"interests":["drawing"]}`)
		father := created("/programmes/{prog}/enrolments", `{"person_id":{father}}`)
		fx.ids = strings.NewReplacer(append(replacements(fx), "{prog}", prog, "{elsewhere}", elsewhere, "{held}", held, "{mistake}", mistake,
			"{theirs}", theirs, "{widow_e}", widow, "{father_e}", father)...)
		if resp, b := fx.do(t, "admin", "PUT", "/programmes/{prog}/sessions/{held}/attendance", `{"present":[{father_e}]}`, nil); resp.StatusCode != http.StatusOK {
			t.Fatalf("attendance: %d %s", resp.StatusCode, short(b))
		}
		fix := `{"starts_at":"2026-12-01T09:00:00Z","ends_at":"2026-12-01T11:00:00Z","topic":"唱歌","version":1}`
		fx.run(t, []scenario{
			{name: "a visitor corrects", method: "PATCH", path: "/programmes/{prog}/sessions/{held}", user: "visitor", body: fix, status: http.StatusForbidden},
			{name: "out of scope", method: "PATCH", path: "/programmes/{elsewhere}/sessions/{theirs}", user: "leader1", body: fix, status: http.StatusNotFound},
			{name: "a missing session", method: "PATCH", path: "/programmes/{prog}/sessions/999999", user: "admin", body: fix, status: http.StatusNotFound},
			{name: "no session id", method: "PATCH", path: "/programmes/{prog}/sessions/x", user: "admin", body: fix, status: http.StatusNotFound},
			{name: "another programme's session", method: "PATCH", path: "/programmes/{prog}/sessions/{theirs}", user: "admin", body: fix, status: http.StatusNotFound},
			{name: "no version", method: "PATCH", path: "/programmes/{prog}/sessions/{held}", user: "leader1",
				body: `{"starts_at":"2026-12-01T09:00:00Z","ends_at":"2026-12-01T11:00:00Z"}`, status: http.StatusBadRequest, check: wantError("required", "version")},
			{name: "ends before it starts", method: "PATCH", path: "/programmes/{prog}/sessions/{held}", user: "admin",
				body: `{"starts_at":"2026-12-01T09:00:00Z","ends_at":"2026-12-01T08:00:00Z","version":1}`, status: http.StatusBadRequest,
				check: wantError("before_start", "ends_at")},
			{name: "a teacher of nowhere", method: "PATCH", path: "/programmes/{prog}/sessions/{held}", user: "admin",
				body: `{"starts_at":"2026-12-01T09:00:00Z","ends_at":"2026-12-01T11:00:00Z","staff_ids":[999999],"version":1}`, status: http.StatusBadRequest,
				check: wantError("not_found", "staff_ids")},
			{name: "the grid leader corrects", method: "PATCH", path: "/programmes/{prog}/sessions/{held}", user: "leader1", body: fix, status: http.StatusOK,
				want: []string{`"version":2`, `"topic":"唱歌"`, `"starts_at":"2026-12-01T09:00:00Z"`, `"place":"社区活动室"`}},
			{name: "a stale correction", method: "PATCH", path: "/programmes/{prog}/sessions/{held}", user: "admin", body: fix, status: http.StatusConflict,
				want: []string{`"current_version":2`}, check: wantError("conflict", "")},
			{name: "the admin sees the correction with its attendance", method: "GET", path: "/programmes/{prog}/sessions", user: "admin", status: http.StatusOK,
				want: []string{`"topic":"唱歌","staff":[],"attended":1,"present":[{father_e}],"version":2`}},
			{name: "a visitor deletes", method: "DELETE", path: "/programmes/{prog}/sessions/{mistake}", user: "visitor", status: http.StatusForbidden},
			{name: "out of scope, deleted", method: "DELETE", path: "/programmes/{elsewhere}/sessions/{theirs}", user: "leader1", status: http.StatusNotFound},
			{name: "another programme's session, deleted", method: "DELETE", path: "/programmes/{prog}/sessions/{theirs}", user: "admin", status: http.StatusNotFound},
			{name: "an attended session stays", method: "DELETE", path: "/programmes/{prog}/sessions/{held}", user: "admin", status: http.StatusConflict,
				check: wantError("attended", "session")},
			{name: "the mistake goes", method: "DELETE", path: "/programmes/{prog}/sessions/{mistake}", user: "leader1", status: http.StatusNoContent},
			{name: "gone", method: "DELETE", path: "/programmes/{prog}/sessions/{mistake}", user: "admin", status: http.StatusNotFound},
			{name: "one session left", method: "GET", path: "/programmes/{prog}", user: "admin", status: http.StatusOK, want: []string{`"sessions":1`}},
			{name: "interests", method: "PUT", path: "/programmes/{prog}/enrolments/{father_e}/interests", user: "admin", body: `{"interests":["singing","reading"]}`,
				status: http.StatusOK, want: []string{`"interests":["singing","reading"]`, `"attended":1`}},
			{name: "an interest of nowhere", method: "PUT", path: "/programmes/{prog}/enrolments/{father_e}/interests", user: "admin", body: `{"interests":["poker"]}`,
				status: http.StatusBadRequest, check: wantError("one_of", "interests")},
			{name: "the leader, another grid's enrolment", method: "PUT", path: "/programmes/{prog}/enrolments/{father_e}/interests", user: "leader1",
				body: `{"interests":[]}`, status: http.StatusNotFound},
			{name: "a visitor sets interests", method: "PUT", path: "/programmes/{prog}/enrolments/{widow_e}/interests", user: "visitor",
				body: `{"interests":[]}`, status: http.StatusForbidden},
			{name: "a missing enrolment", method: "PUT", path: "/programmes/{prog}/enrolments/999999/interests", user: "admin", body: `{"interests":[]}`,
				status: http.StatusNotFound},
			{name: "the leader clears the widow's", method: "PUT", path: "/programmes/{prog}/enrolments/{widow_e}/interests", user: "leader1",
				body: `{"interests":[]}`, status: http.StatusOK, want: []string{`"interests":[]`}},
			{name: "the teachers follow", method: "GET", path: "/programmes/{prog}/teachers", user: "admin", status: http.StatusOK,
				want: []string{`"interest":"drawing","label":"画画","children":0`, `"interest":"singing","label":"唱歌","children":1`}},
		})
	})
}
