package web

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"wanhu/internal/auth"
	"wanhu/internal/household"
	"wanhu/internal/household/householdtest"
	"wanhu/internal/org"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// addBuildings adds n buildings named prefix-1… to a new compound of
// community communityID, in grid gridID.
func (e *env) addBuildings(communityID, gridID int64, compound string, n int) {
	e.t.Helper()
	err := e.h.db.InTx(e.t.Context(), func(tx *store.Tx) error {
		c := org.Compound{CommunityID: communityID, Name: compound}
		if err := org.CreateCompound(e.t.Context(), tx, &c); err != nil {
			return err
		}
		for i := 1; i <= n; i++ {
			b := org.Building{CompoundID: c.ID, GridID: gridID, Name: fmt.Sprintf("%d号楼", i), Floors: 6, Units: 2}
			if err := org.CreateBuilding(e.t.Context(), tx, &b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		e.t.Fatal(err)
	}
}

// selectOf is the options of the select called name on a page.
func selectOf(t *testing.T, body, name string) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<select id="f-` + regexp.QuoteMeta(name) + `".*?</select>`).FindString(body)
	if m == "" {
		t.Fatalf("no select %s", name)
	}
	return m
}

// TestHouseholdFormLargeScope: the household form of a scope with more
// buildings than it lists at once asks for the grid first and lists that
// grid's buildings only, so its size does not grow with the city; a small
// scope's form lists them all, as before; a building out of scope is
// refused as a missing one.
func TestHouseholdFormLargeScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		admin := e.signedIn("admin")
		code, small := admin.get("/households/new")
		if code != http.StatusOK {
			t.Fatalf("new form: %d", code)
		}
		mustContain(t, "a small scope's form lists every building", selectOf(t, small, "building_id"),
			">"+e.org.Compound.Name+" "+e.org.Buildings[0].Name+"<", ">"+e.org.Compound.Name+" "+e.org.Buildings[1].Name+"<")
		mustNotContain(t, "a small scope's form", small, "data-reload", `name="reload"`)

		e.addBuildings(e.org.Community.ID, e.org.Grids[0].ID, "甲小区", placeLimit)
		e.addBuildings(e.org.Community.ID, e.org.Grids[1].ID, "乙小区", 40)
		code, body := admin.get("/households/new")
		if code != http.StatusOK {
			t.Fatalf("new form, large scope: %d", code)
		}
		if n := strings.Count(selectOf(t, body, "building_id"), "<option"); n != 1 {
			t.Errorf("a large scope's form before its grid is chosen lists %d building choices, want the blank one", n)
		}
		if len(body) > len(small)+4000 {
			t.Errorf("a large scope's form is %d bytes, a small one's %d", len(body), len(small))
		}
		mustContain(t, "the grid first", body, `data-reload="grid_id"`, `<noscript><button type="submit" class="button reload" id="reload-grid_id" name="reload" value="grid_id"`, "显示该网格的楼栋")
		if strings.Index(body, `name="grid_id"`) > strings.Index(body, `name="building_id"`) {
			t.Error("a large scope's form asks for the building before the grid")
		}

		// The grid's button shows the form again, kept, with that grid's
		// buildings, for the edit form too.
		v := url.Values{"grid_id": {fmt.Sprint(e.org.Grids[1].ID)}, "room": {"303"}, "members[0].name": {"赵德明"}, "reload": {"grid_id"}}
		code, body = admin.post("/households", v)
		if code != http.StatusOK {
			t.Fatalf("reload: %d", code)
		}
		bs := selectOf(t, body, "building_id")
		if n := strings.Count(bs, "<option"); n != 1+40+1 {
			t.Errorf("grid 2 offers %d building choices, want 42", n)
		}
		mustContain(t, "grid 2's buildings", bs, ">乙小区 40号楼<", ">"+e.org.Compound.Name+" "+e.org.Buildings[1].Name+"<")
		mustNotContain(t, "grid 2's buildings", bs, "甲小区", ">"+e.org.Compound.Name+" "+e.org.Buildings[0].Name+"<")
		mustContain(t, "the form kept", body, `value="303"`, `value="赵德明"`)
		if n, _ := e.hs.Count(t.Context(), household.Filter{}); n != 3 {
			t.Errorf("reloading the form saved it: %d households", n)
		}
		_, body = admin.get(fmt.Sprintf("/households/%d/edit", e.widow.ID))
		bs = selectOf(t, body, "building_id")
		mustContain(t, "the widow's grid's buildings on her edit form", bs, ">甲小区 1号楼<",
			fmt.Sprintf(`<option value="%d" selected>`, e.widow.BuildingID))
		mustNotContain(t, "the widow's edit form", bs, "乙小区")

		// A building out of scope is refused as a missing one.
		_, other := e.newCommunity("富强巷社区", "一网格")
		e.addBuildings(other.ParentID, other.ID, "丙小区", 1)
		var outside int64
		if err := db.QueryRowContext(t.Context(), `SELECT b.id FROM buildings b JOIN compounds c ON c.id = b.compound_id WHERE c.name = '丙小区'`).Scan(&outside); err != nil {
			t.Fatal(err)
		}
		errOf := func(building int64) string {
			v := url.Values{"building_id": {fmt.Sprint(building)}, "room": {"101"}, "kind": {"residential"}, "occupancy": {"owner"},
				"members[0].name": {"赵德明"}, "members[0].relation": {"householder"}, "members[0].id_number": {householdtest.IDNumber("1950-02-03", 15)}}
			code, body := admin.post("/households", v)
			if code != http.StatusUnprocessableEntity {
				t.Errorf("building %d: %d", building, code)
			}
			m := regexp.MustCompile(`<p class="field-error" id="err-building_id"[^>]*>[^<]*</p>`).FindString(body)
			if m == "" {
				t.Logf("%s", regexp.MustCompile(`<p class="(field-error|notice error)"[^>]*>[^<]*</p>`).FindAllString(body, -1))
			}
			return m
		}
		if in, missing := errOf(outside), errOf(outside+1000); in == "" || in != missing {
			t.Errorf("a building out of scope: %q, a missing one: %q", in, missing)
		}
		v = url.Values{"grid_id": {fmt.Sprint(other.ID)}, "reload": {"grid_id"}}
		if _, body = admin.post("/households", v); strings.Contains(body, "丙小区") {
			t.Error("a grid out of scope lists its buildings")
		}
	})
}

// TestHouseholdFormManyGrids: where the scope also has more grids than a
// form lists at once (a city's administrator), the community comes first,
// then its grids, then the grid's buildings.
func TestHouseholdFormManyGrids(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := t.Context()
		e.addBuildings(e.org.Community.ID, e.org.Grids[0].ID, "甲小区", placeLimit)
		err := db.InTx(ctx, func(tx *store.Tx) error {
			c := org.Unit{Kind: org.Community, ParentID: e.org.Street.ID, Name: "富强巷社区"}
			if err := org.CreateUnit(ctx, tx, &c); err != nil {
				return err
			}
			for i := 1; i <= placeLimit; i++ {
				if err := org.CreateUnit(ctx, tx, &org.Unit{Kind: org.GridKind, ParentID: c.ID, Number: i}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.h.auth.CreateUser(ctx, "street", "街道管理员", testPassword, auth.Grant{Role: auth.Admin, OrgUnitID: e.org.Street.ID}); err != nil {
			t.Fatal(err)
		}
		c := e.signedIn("street")
		code, body := c.get("/households/new")
		if code != http.StatusOK {
			t.Fatalf("new form: %d", code)
		}
		mustContain(t, "the community first", selectOf(t, body, "community_id"), ">"+e.org.Community.Name+"<", ">富强巷社区<")
		if n := strings.Count(selectOf(t, body, "grid_id"), "<option"); n != 1 {
			t.Errorf("%d grid choices before the community is chosen, want the blank one", n)
		}
		if len(body) > 40000 {
			t.Errorf("the form of a scope of %d grids is %d bytes", placeLimit+2, len(body))
		}
		_, body = c.post("/households", url.Values{"community_id": {fmt.Sprint(e.org.Community.ID)}, "reload": {"community_id"}})
		gs := selectOf(t, body, "grid_id")
		if n := strings.Count(gs, "<option"); n != 3 {
			t.Errorf("the community offers %d grid choices, want 3", n)
		}
		mustContain(t, "the community's grids", gs, ">"+e.org.Grids[0].Name+"<", ">"+e.org.Grids[1].Name+"<")
		_, body = c.post("/households", url.Values{"community_id": {fmt.Sprint(e.org.Community.ID)}, "grid_id": {fmt.Sprint(e.org.Grids[0].ID)}, "reload": {"grid_id"}})
		if n := strings.Count(selectOf(t, body, "building_id"), "<option"); n != 1+placeLimit+1 {
			t.Errorf("grid 1 offers %d building choices, want %d", n, placeLimit+2)
		}
		// A household's edit form opens on its community and grid.
		_, body = c.get(fmt.Sprintf("/households/%d/edit", e.family.ID))
		mustContain(t, "the family's place", body, fmt.Sprintf(`<option value="%d" selected>`, e.org.Community.ID),
			fmt.Sprintf(`<option value="%d" selected>`, e.family.BuildingID))
	})
}

// TestResidentFormLargeCity: the residents' form of a city with more
// buildings than a form lists at once names the communities and lists the
// chosen community's buildings only; its button (without JavaScript)
// shows the form again, kept and not submitted; a building is still a
// place to submit.
func TestResidentFormLargeCity(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		c := e.client()
		_, small := c.get("/r/new")
		mustNotContain(t, "a small city's form", small, "data-reload", "resident-reload")
		other, grid := e.newCommunity("富强巷社区", "一网格")
		e.addBuildings(other.ID, grid.ID, "丙小区", placeLimit)
		code, body := c.get("/r/new")
		if code != http.StatusOK {
			t.Fatalf("form: %d", code)
		}
		places := regexp.MustCompile(`(?s)<select id="r-place".*?</select>`).FindString(body)
		mustContain(t, "the communities", places, `data-reload="place"`, fmt.Sprintf(`<option value="c:%d">富强巷社区<`, other.ID),
			fmt.Sprintf(`<option value="c:%d">东兴社区<`, e.org.Community.ID))
		mustNotContain(t, "no community chosen", places, "丙小区", "一化小区")
		mustContain(t, "the button without JavaScript", body, `<noscript><button type="submit" class="button reload" id="resident-reload" name="reload" value="place" formnovalidate>`)
		if len(body) > len(small)+2000 {
			t.Errorf("the form of a city of %d buildings is %d bytes, of 2 buildings %d", placeLimit+2, len(body), len(small))
		}

		v := url.Values{"csrf": {csrfOf(body)}, "place": {fmt.Sprintf("c:%d", other.ID)}, "description": {"楼道灯坏了"}, "reload": {"place"}}
		res, body := c.postRaw("/r/new", v)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("reload: %d", res.StatusCode)
		}
		places = regexp.MustCompile(`(?s)<select id="r-place".*?</select>`).FindString(body)
		if n := strings.Count(places, "丙小区"); n != placeLimit {
			t.Errorf("the chosen community lists %d buildings, want %d", n, placeLimit)
		}
		mustContain(t, "the chosen community", places, fmt.Sprintf(`<option value="c:%d" selected data-keep>富强巷社区其他地点<`, other.ID))
		mustNotContain(t, "the chosen community", places, "一化小区")
		mustContain(t, "the form kept", body, "楼道灯坏了")
		mustNotContain(t, "not submitted", body, `id="resident-code"`)

		// A building of another community opens that community.
		place := "b:" + strconv.FormatInt(e.org.Buildings[0].ID, 10)
		input := url.Values{"category": {"repairs"}, "description": {"3单元楼道灯坏了一周"}, "place": {place}, "phone": {"139 0000 1234"}}
		res, body = c.postRaw("/r/new", residentFill(t, body, input, true))
		if res.StatusCode != http.StatusOK || !residentCodeRe.MatchString(body) {
			t.Fatalf("submit with a building: %d", res.StatusCode)
		}
		_, body = c.get("/r/new")
		_, body = c.postRaw("/r/new", url.Values{"csrf": {csrfOf(body)}, "place": {place}, "reload": {"place"}})
		mustContain(t, "the building's community", body, `value="`+place+`" selected data-keep>一化小区 `)
	})
}
