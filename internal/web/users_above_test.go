package web

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"wanhu/internal/auth"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestUsersListOfficersAbove: the community's administrator sees the
// officer of the district's department their requests are referred to,
// with the department's name, as managed from above (no page of theirs);
// the city's administrator manages the account.
func TestUsersListOfficersAbove(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		dailyUsers(t, e)
		ctx := context.Background()
		if _, err := e.h.auth.CreateUser(ctx, "cityadmin", "", testPassword, auth.Grant{Role: auth.Admin, OrgUnitID: e.org.City.ID}); err != nil {
			t.Fatal(err)
		}
		admin := e.signedIn("admin")
		_, body := admin.get("/users")
		row := rowHTML(body, "officer")
		if row == "" {
			t.Fatalf("the community's administrator does not see the officer:\n%s", body)
		}
		mustContain(t, "the officer's row", row, "区文体旅游科技局", "由上级管理员管理")
		if strings.Contains(row, `href="/users/officer"`) {
			t.Errorf("the officer's row links to a page the admin may not open")
		}
		if rowHTML(body, "cityadmin") != "" {
			t.Errorf("the community's administrator sees the city's")
		}
		if code, _ := admin.get("/users/officer"); code != http.StatusNotFound {
			t.Errorf("the community's administrator opens the officer's page: %d", code)
		}
		city := e.signedIn("cityadmin")
		_, body = city.get("/users")
		if row := rowHTML(body, "officer"); !strings.Contains(row, `href="/users/officer"`) || strings.Contains(row, "由上级管理员管理") {
			t.Errorf("the city's administrator does not manage the officer: %s", row)
		}
		if !strings.Contains(body, "区文体旅游科技局 · 部门") {
			t.Errorf("the city's administrator cannot choose the department for a new account")
		}
	})
}

// rowHTML is the row of the account username in the list of accounts.
func rowHTML(body, username string) string {
	_, after, ok := strings.Cut(body, `<tr data-username="`+username+`">`)
	if !ok {
		return ""
	}
	row, _, _ := strings.Cut(after, "</tr>")
	return row
}
