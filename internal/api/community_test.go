package api

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"wanhu/internal/auth"
	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
	"wanhu/internal/testworld"
)

// neighbourhood is a second community of the fixture's street, so that
// the fixture's administrator ("admin", the city's) reads two.
type neighbourhood struct {
	community org.Unit
	grid      int64
}

// neighbour adds testworld.Neighbour to the fixture's street with one
// household (东湖路1号) in its grid, and "cadmin", the administrator of
// the fixture's community only.
func (fx *fixture) neighbour(t *testing.T) neighbourhood {
	t.Helper()
	ctx := t.Context()
	var n neighbourhood
	var err error
	if n.community, n.grid, err = testworld.NeighbourGrid(ctx, fx.d.DB, fx.org.Street.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := fx.d.Households.CreateHousehold(ctx, household.Actor{Name: "测试"}, household.Household{GridID: n.grid, Address: "东湖路1号"},
		[]household.Person{{Name: "东湖人", Gender: household.Male, BirthDate: calendar.Date{Y: 1960, M: 5, D: 1}, Relation: "householder"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := fx.d.Auth.CreateUser(ctx, "cadmin", "社区管理员", "dongxing-cadmin-2025", auth.Grant{Role: auth.Admin, OrgUnitID: fx.org.Community.ID}); err != nil {
		t.Fatal(err)
	}
	tok, _, err := fx.d.Auth.Login(ctx, "cadmin", "dongxing-cadmin-2025", auth.API)
	if err != nil {
		t.Fatal(err)
	}
	fx.tokens["cadmin"] = tok
	return n
}

// communityLists are the lists that take ?community= beside ?grid=.
var communityLists = []string{"/households", "/requests", "/ledger", "/visits/due", "/appointments", "/tasks",
	"/rounds", "/hazards", "/rosters/key-persons", "/rosters/special-difficulty-households", "/rosters/households", "/scorecards"}

// TestListsByCommunity: the city's administrator narrows every list
// that takes ?grid= to one community with ?community= (the neighbour's
// household only, or only the home community's); it never widens nor
// tells: a community out of a community administrator's scope, one that
// does not exist, a grid's id and any community a grid leader asks for
// are the same 404 naming community; a malformed one is a 400.
func TestListsByCommunity(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		n := fx.neighbour(t)
		var noUnit int64
		if err := db.QueryRowContext(t.Context(), `SELECT MAX(id) + 1 FROM org_units`).Scan(&noUnit); err != nil {
			t.Fatal(err)
		}
		east, home := fmt.Sprint(n.community.ID), fmt.Sprint(fx.org.Community.ID)
		var msg string
		for _, p := range communityLists {
			sep := "?"
			if strings.Contains(p, "?") {
				sep = "&"
			}
			for _, c := range []struct{ user, community string }{
				{"cadmin", east}, {"admin", fmt.Sprint(noUnit)}, {"admin", fmt.Sprint(fx.org.Grids[0].ID)}, {"leader1", home}, {"cadmin", home + "0"},
			} {
				res, body := fx.do(t, c.user, "GET", p+sep+"community="+c.community, "", nil)
				e := decodeAs[errBody](t, body)
				if res.StatusCode != http.StatusNotFound || e.Error.Field != "community" || e.Error.Code != "not_found" {
					t.Errorf("%s as %s, community %s: %d %s", p, c.user, c.community, res.StatusCode, body)
				}
				if msg == "" {
					msg = e.Error.Message
				} else if e.Error.Message != msg {
					t.Errorf("%s as %s, community %s: %q, not the same message %q", p, c.user, c.community, e.Error.Message, msg)
				}
			}
			if res, body := fx.do(t, "admin", "GET", p+sep+"community=x", "", nil); res.StatusCode != http.StatusBadRequest ||
				decodeAs[errBody](t, body).Error.Field != "community" {
				t.Errorf("%s, community x: %d %s", p, res.StatusCode, body)
			}
			for _, u := range []string{"admin", "cadmin"} {
				if res, body := fx.do(t, u, "GET", p+sep+"community="+home, "", nil); res.StatusCode != http.StatusOK {
					t.Errorf("%s as %s, its community: %d %s", p, u, res.StatusCode, body)
				}
			}
		}

		// The lists narrowed: the neighbour's household, or the home's.
		for _, p := range []string{"/households", "/ledger?days=30", "/rosters/households"} {
			sep := "?"
			if strings.Contains(p, "?") {
				sep = "&"
			}
			_, all := fx.do(t, "admin", "GET", p, "", nil)
			_, one := fx.do(t, "admin", "GET", p+sep+"community="+east, "", nil)
			_, other := fx.do(t, "admin", "GET", p+sep+"community="+home, "", nil)
			if !strings.Contains(string(all), "东湖路1号") {
				t.Errorf("%s: all communities: %s", p, all)
			}
			if !strings.Contains(string(one), "东湖路1号") || strings.Count(string(one), `"grid_id":`) != strings.Count(string(one), fmt.Sprintf(`"grid_id":%d`, n.grid)) {
				t.Errorf("%s?community=east: not only the neighbour's: %s", p, one)
			}
			if strings.Contains(string(other), "东湖路1号") || !strings.Contains(string(other), `"grid_id":`) {
				t.Errorf("%s?community=home: %s", p, other)
			}
		}
		// The scorecards narrowed: the home community's members, none in
		// the neighbour's, which has no team.
		_, cards := fx.do(t, "admin", "GET", "/scorecards", "", nil)
		_, homeCards := fx.do(t, "admin", "GET", "/scorecards?community="+home, "", nil)
		_, eastCards := fx.do(t, "admin", "GET", "/scorecards?community="+east, "", nil)
		if n := strings.Count(string(cards), `"member_id":`); n == 0 || strings.Count(string(homeCards), `"member_id":`) != n || strings.Contains(string(eastCards), `"member_id":`) {
			t.Errorf("scorecards by community:\nall %s\nhome %s\neast %s", cards, homeCards, eastCards)
		}
		// A community administrator's own community is the same list as without it.
		_, all := fx.do(t, "cadmin", "GET", "/households", "", nil)
		_, one := fx.do(t, "cadmin", "GET", "/households?community="+home, "", nil)
		if string(all) != string(one) {
			t.Errorf("cadmin: the own community differs from all:\n%s\n%s", all, one)
		}
	})
}
