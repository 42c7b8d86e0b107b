package auth

import (
	"context"
	"database/sql"
	"slices"
	"testing"
	"time"

	"wanhu/internal/store/storetest"
)

// TestCredValuesOf: credential's values handed over as one JSON array
// (SQLite) read as the driver scans the columns: booleans 1 and 0,
// timestamps as the driver reads a TIMESTAMP column's text, nulls only
// where a value may be null, everything else refused.
func TestCredValuesOf(t *testing.T) {
	var grace, last sql.NullTime
	var exp time.Time
	read := func(js string) (User, sql.NullInt64, sql.NullString, sql.NullBool, sql.NullString, sql.NullInt64, sql.NullString, string, int64, error) {
		var u User
		var tm, unit sql.NullInt64
		var roles, role, path sql.NullString
		var on sql.NullBool
		var secret string
		var id int64
		grace, last, exp = sql.NullTime{}, sql.NullTime{}, time.Time{}
		err := credValuesOf(js, &u, &tm, &roles, &on, &role, &unit, &path, &secret, &id, &grace, &last, &exp)
		return u, tm, roles, on, role, unit, path, secret, id, err
	}
	const times = `,"2026-01-07 20:35:25+00:00","2026-12-07 13:48:55.840123266+00:00","2026-12-08 01:48:57.428908692+08:00"]`
	u, tm, roles, on, role, unit, path, secret, id, err := read(`[4,"visitor1","王 \"一\"",0,7,1,"[\"admin\"]",1,"visitor",3,"/8/9/","csrf-x",12` + times)
	at := func(s string) time.Time {
		t.Helper()
		v, err := time.Parse("2006-01-02 15:04:05.999999999-07:00", s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if !grace.Valid || !grace.Time.Equal(at("2026-01-07 20:35:25+00:00")) || !last.Valid ||
		last.Time != at("2026-12-07 13:48:55.840123266+00:00") || !exp.Equal(at("2026-12-08 01:48:57.428908692+08:00")) {
		t.Errorf("times: %v %v %v", grace, last, exp)
	}
	if err != nil || u.ID != 4 || u.Username != "visitor1" || u.DisplayName != `王 "一"` || u.Disabled || !u.MustChangePassword ||
		tm != (sql.NullInt64{Int64: 7, Valid: true}) || roles != (sql.NullString{String: `["admin"]`, Valid: true}) ||
		on != (sql.NullBool{Bool: true, Valid: true}) || role != (sql.NullString{String: "visitor", Valid: true}) ||
		unit != (sql.NullInt64{Int64: 3, Valid: true}) || path != (sql.NullString{String: "/8/9/", Valid: true}) || secret != "csrf-x" || id != 12 {
		t.Errorf("got %+v %v %v %v %v %v %v %q %d %v", u, tm, roles, on, role, unit, path, secret, id, err)
	}
	u, tm, roles, on, role, unit, path, _, _, err = read(`[5,"a","b",1,null,0,null,null,null,null,null,"",0,null,null,"2026-12-08 01:48:57+00:00"]`)
	if grace.Valid || last.Valid || exp.IsZero() {
		t.Errorf("null times: %v %v %v", grace, last, exp)
	}
	if err != nil || !u.Disabled || u.MustChangePassword || tm.Valid || roles.Valid || on.Valid || role.Valid || unit.Valid || path.Valid {
		t.Errorf("nulls: %+v %v %v %v %v %v %v %v", u, tm, roles, on, role, unit, path, err)
	}
	for _, bad := range []string{
		`[null,"a","b",1,null,0,null,null,null,null,null,"",0` + times,                     // no id
		`[5,"a","b",2,null,0,null,null,null,null,null,"",0` + times,                        // disabled neither 1 nor 0
		`[5,"a","b",1,null,0,null,"yes",null,null,null,"",0` + times,                       // TOTP flag not a boolean
		`[5,"a","b",1,"x",0,null,null,null,null,null,"",0` + times,                         // team member not a number
		`[5,"a","b",1,null,0,null,null,null,null,null,null,0` + times,                      // no secret
		`[5,"a","b",1,null,0,null,null,null,null,null,""` + times,                          // a value short
		`[5,"a","b",1,null,0,null,null,null,null,null,"",0,null,null,null]`,                // no expiry
		`[5,"a","b",1,null,0,null,null,null,null,null,"",0,null,"yesterday","2026-12-08"]`, // not a time
		`[5,"a","b",1,null,0,null,null,null,null,null,"",0,null,null,1765000000]`,          // a number, as the driver refuses
		`[5,"a","b",1,null,0,null,null,null,null,null,"",0]`,                               // no times
	} {
		if _, _, _, _, _, _, _, _, _, err := read(bad); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}

// TestCredentialTimesAsTheDriver: on SQLite the credential's timestamps
// come inside its JSON array; read there, they are what the driver gives
// for the columns themselves, for a session and a personal token.
func TestCredentialTimesAsTheDriver(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	s := NewStore(db)
	u, err := s.CreateUser(ctx, "times1", "Times", "a-long-password-2026")
	if err != nil {
		t.Fatal(err)
	}
	token, _, err := s.Login(ctx, "times1", "a-long-password-2026", API)
	if err != nil {
		t.Fatal(err)
	}
	row, err := s.credential(ctx, sessionCred, tokenID(token), API)
	if err != nil {
		t.Fatal(err)
	}
	var last, exp time.Time
	if err := db.QueryRowContext(ctx, `SELECT last_seen_at, expires_at FROM sessions WHERE id = ?`, tokenID(token)).Scan(&last, &exp); err != nil {
		t.Fatal(err)
	}
	if !row.last.Valid || row.last.Time != last || row.exp != exp || row.grace.Valid {
		t.Errorf("session: %v %v %v; the driver: %v %v", row.last, row.exp, row.grace, last, exp)
	}
	if _, err := db.ExecContext(ctx, `UPDATE users SET totp_grace_until = ? WHERE id = ?`, time.Date(2026, 3, 1, 8, 0, 0, 5, time.FixedZone("", 8*3600)), u.ID); err != nil {
		t.Fatal(err)
	}
	var grace time.Time
	if err := db.QueryRowContext(ctx, `SELECT totp_grace_until FROM users WHERE id = ?`, u.ID).Scan(&grace); err != nil {
		t.Fatal(err)
	}
	if row, err = s.credential(ctx, sessionCred, tokenID(token), API); err != nil || !row.grace.Valid || row.grace.Time != grace {
		t.Errorf("grace: %v, %v; the driver: %v", row.grace, err, grace)
	}
}

// TestParseTOTPRolesRemembersText: the roles read from a setting's text
// are those of that text, whichever text was read before, and changing
// what one call returned changes nothing of the next.
func TestParseTOTPRolesRemembersText(t *testing.T) {
	for _, c := range []struct {
		text string
		want []Role
	}{{`["grid_leader"]`, []Role{"grid_leader"}}, {`["grid_leader"]`, []Role{"grid_leader"}},
		{`["city_admin","visitor"]`, []Role{"city_admin", "visitor"}}, {`[]`, []Role{}}, {`["grid_leader"]`, []Role{"grid_leader"}}} {
		got, err := parseTOTPRoles(sql.NullString{String: c.text, Valid: true})
		if err != nil || !slices.Equal(got, c.want) || (got == nil) != (c.want == nil) {
			t.Fatalf("parseTOTPRoles(%s) = %v, %v; want %v", c.text, got, err, c.want)
		}
		if len(got) > 0 {
			got[0] = "changed"
		}
	}
	if _, err := parseTOTPRoles(sql.NullString{String: `[`, Valid: true}); err == nil {
		t.Error("a broken setting: no error")
	}
	if got, _ := parseTOTPRoles(sql.NullString{}); !slices.Equal(got, DefaultTOTPRoles) {
		t.Errorf("no setting: %v, want %v", got, DefaultTOTPRoles)
	}
}
