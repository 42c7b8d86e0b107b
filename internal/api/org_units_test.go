package api

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"wanhu/internal/auth"
	"wanhu/internal/org"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// structureFixture adds to the API fixture a second community (西山社区,
// its grid, compound and building) and "cadmin", the administrator of
// 东兴社区 only.
func structureFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	fx := newFixture(t, db)
	other := org.Unit{Kind: org.Community, ParentID: fx.org.Street.ID, Name: "西山社区"}
	if err := org.CreateUnit(ctx, db, &other); err != nil {
		t.Fatal(err)
	}
	grid := org.Unit{Kind: org.GridKind, ParentID: other.ID, Number: 1}
	if err := org.CreateUnit(ctx, db, &grid); err != nil {
		t.Fatal(err)
	}
	c := org.Compound{CommunityID: other.ID, Name: "西山小区"}
	if err := org.CreateCompound(ctx, db, &c); err != nil {
		t.Fatal(err)
	}
	b := org.Building{CompoundID: c.ID, GridID: grid.ID, Name: "1号楼"}
	if err := org.CreateBuilding(ctx, db, &b); err != nil {
		t.Fatal(err)
	}
	if _, err := fx.d.Auth.CreateUser(ctx, "cadmin", "", "dongxing-cadmin-2025", auth.Grant{Role: auth.Admin, OrgUnitID: fx.org.Community.ID}); err != nil {
		t.Fatal(err)
	}
	tok, _, err := fx.d.Auth.Login(ctx, "cadmin", "dongxing-cadmin-2025", auth.API)
	if err != nil {
		t.Fatal(err)
	}
	fx.tokens["cadmin"] = tok
	fx.ids = strings.NewReplacer(append(replacements(fx), "{community}", fmt.Sprint(fx.org.Community.ID), "{other}", fmt.Sprint(other.ID),
		"{othergrid}", fmt.Sprint(grid.ID), "{othercompound}", fmt.Sprint(c.ID), "{otherbuilding}", fmt.Sprint(b.ID))...)
	return fx
}

// TestOrgStructureAPI: the structure through the API, in scope. The
// administrator of one community reads and changes its units and places
// only, another community's answering 404 like what does not exist; a
// grid leader reads their grid and gets 403 for any change; a grid that
// holds a household is retired only into another grid of its community,
// the household moving with a ledger event, the retirement audited.
func TestOrgStructureAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := structureFixture(t, db)
		fx.run(t, []scenario{
			{name: "tree of a community's admin", method: "GET", path: "/org-units", user: "cadmin", status: 200,
				want: []string{`"name":"东兴社区"`, `"name":"第二网格"`, `"total":3`}, reject: []string{"西山社区", "西宁市"}},
			{name: "tree of a grid leader", method: "GET", path: "/org-units", user: "leader1", status: 200,
				want: []string{`"name":"第一网格"`, `"total":1`}},
			{name: "tree of a visitor", method: "GET", path: "/org-units", user: "visitor", status: 200, want: []string{`"total":0`}},
			{name: "bad retired", method: "GET", path: "/org-units?retired=maybe", user: "cadmin", status: 400, want: []string{`"field":"retired"`}},
			{name: "another community's grid", method: "GET", path: "/org-units/{othergrid}", user: "cadmin", status: 404},
			{name: "own grid", method: "GET", path: "/org-units/{grid1}", user: "leader1", status: 200, want: []string{`"number":1`}},
			{name: "a grid leader adds", method: "POST", path: "/org-units", user: "leader1", status: 403,
				body: `{"parent_id":{community},"kind":"grid","number":3}`},
			{name: "a grid in another community", method: "POST", path: "/org-units", user: "cadmin", status: 400,
				body: `{"parent_id":{other},"kind":"grid","number":3}`, want: []string{`"field":"parent_id"`}},
			{name: "grid 3", method: "POST", path: "/org-units", user: "cadmin", status: 201,
				body: `{"parent_id":{community},"kind":"grid","number":3}`, want: []string{`"name":"第三网格"`}},
			{name: "grid 3 again", method: "POST", path: "/org-units", user: "cadmin", status: 400,
				body: `{"parent_id":{community},"kind":"grid","number":3,"name":"另一个"}`, want: []string{`"field":"number"`}},
			{name: "rename another community's grid", method: "PATCH", path: "/org-units/{othergrid}", user: "cadmin", status: 404, body: `{"name":"x"}`},
			{name: "a grid leader renames", method: "PATCH", path: "/org-units/{grid1}", user: "leader1", status: 403, body: `{"name":"x"}`},
			{name: "renumber", method: "PATCH", path: "/org-units/{grid1}", user: "cadmin", status: 200, body: `{"number":5}`,
				want: []string{`"name":"第五网格"`, `"number":5`}},
			{name: "retire without a target", method: "POST", path: "/org-units/{grid2}/retire", user: "cadmin", status: 400, body: `{}`,
				want: []string{`"field":"target_grid_id"`, `"code":"target_required"`}},
			{name: "retire into another community", method: "POST", path: "/org-units/{grid2}/retire", user: "cadmin", status: 400,
				body: `{"target_grid_id":{othergrid}}`, want: []string{`"field":"target_grid_id"`}},
			{name: "a grid leader retires", method: "POST", path: "/org-units/{grid2}/retire", user: "clerk", status: 403, body: `{"target_grid_id":{grid1}}`},
			{name: "retire", method: "POST", path: "/org-units/{grid2}/retire", user: "cadmin", status: 200, body: `{"target_grid_id":{grid1}}`,
				want: []string{`"households":1`, `"buildings":1`, `"target_grid_id":{grid1}`, `"retired_at":`}},
			{name: "the household moved", method: "GET", path: "/households/{green}", user: "admin", status: 200, want: []string{`"grid_id":{grid1}`}},
			{name: "its ledger", method: "GET", path: "/households/{green}/ledger", user: "admin", status: 200,
				want: []string{`"field":"grid_id","before":"{grid2}","after":"{grid1}"`, "第二网格撤销，并入第五网格"}},
			{name: "grids without the retired one", method: "GET", path: "/grids", user: "admin", status: 200, reject: []string{"第二网格"}},
			{name: "retired ones on asking", method: "GET", path: "/org-units?retired=true", user: "cadmin", status: 200, want: []string{"第二网格"}},
			{name: "audited", method: "GET", path: "/audit?action=org.retire", user: "admin", status: 200,
				want: []string{`"object":"org-unit:{grid2}"`, "1 households, 1 buildings"}},
			{name: "another community's compound", method: "PATCH", path: "/compounds/{othercompound}", user: "cadmin", status: 404, body: `{"name":"x"}`},
			{name: "a building there", method: "POST", path: "/compounds/{othercompound}/buildings", user: "cadmin", status: 404, body: `{"name":"x","grid_id":{othergrid}}`},
			{name: "its building", method: "PATCH", path: "/buildings/{otherbuilding}", user: "cadmin", status: 404, body: `{"floors":3}`},
			{name: "retire its building", method: "POST", path: "/buildings/{otherbuilding}/retire", user: "cadmin", status: 404},
			{name: "a building to another community's grid", method: "PATCH", path: "/buildings/{building1}", user: "cadmin", status: 400,
				body: `{"grid_id":{othergrid}}`, want: []string{`"field":"grid_id"`}},
			{name: "a grid leader adds a compound", method: "POST", path: "/compounds", user: "leader1", status: 403, body: `{"community_id":{community},"name":"x"}`},
			{name: "a compound", method: "POST", path: "/compounds", user: "cadmin", status: 201, body: `{"community_id":{community},"name":"新村","built_year":1990}`,
				want: []string{`"name":"新村"`, `"built_year":1990`}},
			{name: "a compound with buildings", method: "POST", path: "/compounds/{compound}/retire", user: "cadmin", status: 400, want: []string{`"code":"has_buildings"`}},
		})
	})
}
