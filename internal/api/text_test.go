package api

import (
	"context"
	"testing"

	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestBodyWithNUL: a NUL character (\u0000) in any string of a body is
// refused with a 400 naming the field, and nothing is stored. PostgreSQL
// refused it in the database, which answered 500 (FuzzAPIBodies found it).
func TestBodyWithNUL(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		b := newBodyFixture(t, "", db)
		for _, c := range []struct {
			method, path, body, field, table string
		}{
			{"POST", "/households/{red}/needs", `{"kind":"medical","note":"a\u0000b"}`, "note", "needs"},
			{"POST", "/requests", `{"category":"sanitation","description":"a\u0000","channel":"visit","household_id":{red}}`, "description", "requests"},
			{"POST", "/households", `{"building_id":{building1},"members":[{"name":"扎西"},{"name":"\u0000"}]}`, "members[1].name", "persons"},
			{"POST", "/households/{red}/members", `{"name":"卓\u0000玛","event":"born"}`, "name", "persons"},
			{"POST", "/saved-rosters", `{"name":"老人","roster":"people","filter":{"age":"60-\u0000"}}`, "filter.age", "saved_rosters"},
			{"POST", "/requests/{request}/callback", `{"result":"dissatisfied","reason":"other","method":"phone","follow_up":{"kind":"other","note":"\u0000"}}`, "follow_up.note", "needs"},
			{"POST", "/auth/login", `{"username":"admin\u0000","password":"x"}`, "username", "sessions"},
		} {
			before := tableRows(t, db, c.table)
			rec := b.send(c.method, c.path, []byte(c.body))
			e := decodeAs[errorBody](t, rec.Body.Bytes())
			if rec.Code != 400 || e.Error.Code != "invalid_text" || e.Error.Field != c.field {
				t.Errorf("%s %s: %d %s, want 400 invalid_text on %s", c.method, c.path, rec.Code, rec.Body, c.field)
			}
			if after := tableRows(t, db, c.table); after != before {
				t.Errorf("%s %s: %s has %d rows, had %d", c.method, c.path, c.table, after, before)
			}
		}
	})
}

// tableRows returns the number of rows of table.
func tableRows(t *testing.T, db *store.DB, table string) int {
	t.Helper()
	var n int
	if err := db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM `+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
