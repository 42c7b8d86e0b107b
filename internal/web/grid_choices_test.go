package web

import (
	"net/http"
	"strings"
	"testing"

	"wanhu/internal/auth"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestGridChoicesNameTheirCommunity: where the grids offered span several
// communities (a street's administrator), each is named with its
// community, since every community has a grid of the same name; a
// community's administrator sees the grids' own names.
func TestGridChoicesNameTheirCommunity(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := t.Context()
		name := e.org.Grids[0].Name
		e.newCommunity("富强巷社区", name)
		if _, err := e.h.auth.CreateUser(ctx, "street", "街道管理员", testPassword, auth.Grant{Role: auth.Admin, OrgUnitID: e.org.Street.ID}); err != nil {
			t.Fatal(err)
		}
		for _, path := range []string{"/households", "/ledger", "/requests"} {
			code, body := e.signedIn("street").get(path)
			if code != http.StatusOK {
				t.Fatalf("street %s: %d", path, code)
			}
			mustContain(t, "the street's grids named with their community on "+path, body,
				">"+e.org.Community.Name+" · "+name+"<", ">富强巷社区 · "+name+"<")
			code, body = e.signedIn("admin").get(path)
			if code != http.StatusOK {
				t.Fatalf("admin %s: %d", path, code)
			}
			mustContain(t, "the community's grids by their names on "+path, body, ">"+name+"<")
			if strings.Contains(body, " · "+name+"<") {
				t.Errorf("%s: a community's administrator sees its grids named with the community", path)
			}
		}
	})
}
