package auth

import (
	"database/sql"
	"slices"
	"testing"
)

// TestCredValuesOf: credential's values handed over as one JSON array
// (SQLite) read as the driver scans the columns: booleans 1 and 0,
// nulls only where a value may be null, everything else refused.
func TestCredValuesOf(t *testing.T) {
	read := func(js string) (User, sql.NullInt64, sql.NullString, sql.NullBool, sql.NullString, sql.NullInt64, sql.NullString, string, int64, error) {
		var u User
		var tm, unit sql.NullInt64
		var roles, role, path sql.NullString
		var on sql.NullBool
		var secret string
		var id int64
		err := credValuesOf(js, &u, &tm, &roles, &on, &role, &unit, &path, &secret, &id)
		return u, tm, roles, on, role, unit, path, secret, id, err
	}
	u, tm, roles, on, role, unit, path, secret, id, err := read(`[4,"visitor1","王 \"一\"",0,7,1,"[\"admin\"]",1,"visitor",3,"/8/9/","csrf-x",12]`)
	if err != nil || u.ID != 4 || u.Username != "visitor1" || u.DisplayName != `王 "一"` || u.Disabled || !u.MustChangePassword ||
		tm != (sql.NullInt64{Int64: 7, Valid: true}) || roles != (sql.NullString{String: `["admin"]`, Valid: true}) ||
		on != (sql.NullBool{Bool: true, Valid: true}) || role != (sql.NullString{String: "visitor", Valid: true}) ||
		unit != (sql.NullInt64{Int64: 3, Valid: true}) || path != (sql.NullString{String: "/8/9/", Valid: true}) || secret != "csrf-x" || id != 12 {
		t.Errorf("got %+v %v %v %v %v %v %v %q %d %v", u, tm, roles, on, role, unit, path, secret, id, err)
	}
	u, tm, roles, on, role, unit, path, _, _, err = read(`[5,"a","b",1,null,0,null,null,null,null,null,"",0]`)
	if err != nil || !u.Disabled || u.MustChangePassword || tm.Valid || roles.Valid || on.Valid || role.Valid || unit.Valid || path.Valid {
		t.Errorf("nulls: %+v %v %v %v %v %v %v %v", u, tm, roles, on, role, unit, path, err)
	}
	for _, bad := range []string{
		`[null,"a","b",1,null,0,null,null,null,null,null,"",0]`, // no id
		`[5,"a","b",2,null,0,null,null,null,null,null,"",0]`,    // disabled neither 1 nor 0
		`[5,"a","b",1,null,0,null,"yes",null,null,null,"",0]`,   // TOTP flag not a boolean
		`[5,"a","b",1,"x",0,null,null,null,null,null,"",0]`,     // team member not a number
		`[5,"a","b",1,null,0,null,null,null,null,null,null,0]`,  // no secret
		`[5,"a","b",1,null,0,null,null,null,null,null,""]`,      // a value short
	} {
		if _, _, _, _, _, _, _, _, _, err := read(bad); err == nil {
			t.Errorf("%s: no error", bad)
		}
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
