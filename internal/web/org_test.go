package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"wanhu/internal/auth"
	"wanhu/internal/org"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestOrgPages: 机构与网格 and 小区与楼栋 under 设置. The administrator of
// 东兴社区 sees and changes its structure only: another community's units
// and compounds are not found; a grid leader and a visitor get 403. A grid
// holding households asks where they go, then moves them (the ledger
// says so); renumbering keeps the id; a building moves to another grid
// with its households.
func TestOrgPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		other := org.Unit{Kind: org.Community, ParentID: e.org.Street.ID, Name: "西山社区"}
		if err := org.CreateUnit(ctx, db, &other); err != nil {
			t.Fatal(err)
		}
		otherGrid := org.Unit{Kind: org.GridKind, ParentID: other.ID, Number: 1}
		if err := org.CreateUnit(ctx, db, &otherGrid); err != nil {
			t.Fatal(err)
		}
		otherCompound := org.Compound{CommunityID: other.ID, Name: "西山小区"}
		if err := org.CreateCompound(ctx, db, &otherCompound); err != nil {
			t.Fatal(err)
		}
		if _, err := e.h.auth.CreateUser(ctx, "leader", "", testPassword, auth.Grant{Role: auth.GridLeader, OrgUnitID: e.org.Grids[0].ID}); err != nil {
			t.Fatal(err)
		}
		admin := e.signedIn("admin")
		grid1, grid2 := e.org.Grids[0].ID, e.org.Grids[1].ID

		if code, body := admin.get("/settings"); code != 200 || !strings.Contains(body, `href="/settings/org"`) || !strings.Contains(body, "小区与楼栋") {
			t.Errorf("settings: %d, no link to the structure pages", code)
		}
		code, body := admin.get("/settings/org")
		if code != 200 || !strings.Contains(body, "东兴社区") || !strings.Contains(body, "第二网格") || strings.Contains(body, "西山社区") {
			t.Errorf("the tree: %d\n%s", code, body)
		}
		for _, c := range []struct {
			method, path string
			form         url.Values
		}{
			{"GET", fmt.Sprintf("/settings/org/%d", otherGrid.ID), nil},
			{"POST", fmt.Sprintf("/settings/org/%d", otherGrid.ID), url.Values{"name": {"x"}}},
			{"POST", fmt.Sprintf("/settings/org/%d/retire", otherGrid.ID), url.Values{}},
			{"POST", "/settings/org", url.Values{"parent_id": {fmt.Sprint(other.ID)}, "new.kind": {"grid"}, "new.number": {"2"}}},
			{"GET", fmt.Sprintf("/settings/places/%d", otherCompound.ID), nil},
			{"POST", fmt.Sprintf("/settings/places/%d/buildings", otherCompound.ID), url.Values{"new.name": {"x"}}},
		} {
			var code int
			if c.method == "GET" {
				code, _ = admin.get(c.path)
			} else {
				code, _ = admin.post(c.path, c.form)
			}
			if code != http.StatusNotFound {
				t.Errorf("%s %s of another community: %d, want 404", c.method, c.path, code)
			}
		}
		for _, user := range []string{"leader", "worker"} {
			c := e.signedIn(user)
			if code, _ := c.get("/settings/org"); code != http.StatusForbidden {
				t.Errorf("%s opens 机构与网格: %d, want 403", user, code)
			}
			if code, _ := c.post(fmt.Sprintf("/settings/org/%d", grid1), url.Values{"name": {"x"}}); code != http.StatusForbidden {
				t.Errorf("%s renames a grid: %d, want 403", user, code)
			}
			if _, body := c.get("/settings"); strings.Contains(body, `href="/settings/org"`) {
				t.Errorf("%s's settings link to 机构与网格", user)
			}
		}

		retire := fmt.Sprintf("/settings/org/%d/retire", grid2)
		code, body = admin.post(retire, url.Values{})
		if code != http.StatusUnprocessableEntity || !strings.Contains(body, "第二网格 还有 2 户、1 栋楼、0 名队员，请选择并入的网格") {
			t.Errorf("retire without a grid: %d\n%s", code, body)
		}
		if code, body = admin.post(retire, url.Values{"target_grid_id": {fmt.Sprint(grid1)}}); code != 200 || strings.Contains(body, "第二网格") {
			t.Errorf("retire into grid 1: %d\n%s", code, body)
		}
		for _, h := range []int64{e.family.ID, e.shop.ID} {
			got, err := e.hs.HouseholdByID(ctx, h)
			if err != nil || got.GridID != grid1 {
				t.Errorf("household %d: grid %d %v, want %d", h, got.GridID, err, grid1)
			}
		}
		if _, body := admin.get(fmt.Sprintf("/households/%d/ledger", e.shop.ID)); !strings.Contains(body, "第二网格撤销，并入第一网格") {
			t.Errorf("the shop's ledger does not say why it moved")
		}

		unit := fmt.Sprintf("/settings/org/%d", grid1)
		if code, body = admin.post(unit, url.Values{"name": {"第一网格"}, "code": {""}, "phone": {""}, "number": {"5"}}); code != 200 ||
			!strings.Contains(body, "第五网格") {
			t.Errorf("renumber: %d\n%s", code, body)
		}
		code, body = admin.post("/settings/org", url.Values{"parent_id": {fmt.Sprint(e.org.Community.ID)}, "new.kind": {"grid"}, "new.number": {"5"}})
		if code != http.StatusUnprocessableEntity || !strings.Contains(body, "第五网格 已使用编号 5") {
			t.Errorf("a second grid 5: %d\n%s", code, body)
		}
		if code, body = admin.post("/settings/org", url.Values{"parent_id": {fmt.Sprint(e.org.Community.ID)}, "new.kind": {"grid"}, "new.number": {"2"}}); code != 200 ||
			!strings.Contains(body, "第二网格") {
			t.Errorf("a new grid 2: %d\n%s", code, body)
		}
		newGrid, err := org.Units(ctx, db, org.GridKind)
		if err != nil {
			t.Fatal(err)
		}
		var grid2Again int64
		for _, g := range newGrid {
			if g.Name == "第二网格" && g.ParentID == e.org.Community.ID {
				grid2Again = g.ID
			}
		}

		place := fmt.Sprintf("/settings/places/%d", e.org.Compound.ID)
		if code, body = admin.get("/settings/places"); code != 200 || !strings.Contains(body, "一化小区") || strings.Contains(body, "西山小区") {
			t.Errorf("places: %d\n%s", code, body)
		}
		b := e.org.Buildings[0].ID
		code, body = admin.post(fmt.Sprintf("/settings/buildings/%d", b), url.Values{fmt.Sprintf("b%d.name", b): {"1号楼"},
			fmt.Sprintf("b%d.grid_id", b): {fmt.Sprint(grid2Again)}, fmt.Sprintf("b%d.floors", b): {"7"}, fmt.Sprintf("b%d.units", b): {"3"}})
		if code != 200 || !strings.Contains(body, fmt.Sprintf(`<option value="%d" selected>第二网格</option>`, grid2Again)) {
			t.Errorf("move building 1: %d, its grid not chosen in its form:\n%s", code, body)
		}
		if got, err := e.hs.HouseholdByID(ctx, e.widow.ID); err != nil || got.GridID != grid2Again {
			t.Errorf("the widow's household in grid %d (%v), want the new grid %d", got.GridID, err, grid2Again)
		}
		code, body = admin.post(place+"/buildings", url.Values{"new.name": {""}, "new.grid_id": {fmt.Sprint(grid1)}})
		if code != http.StatusUnprocessableEntity || !strings.Contains(body, `id="err-new.name"`) {
			t.Errorf("a building without a name: %d\n%s", code, body)
		}
		if code, body = admin.post(place+"/retire", url.Values{}); code != http.StatusUnprocessableEntity || !strings.Contains(body, "一化小区 还有 2 栋在用的楼") {
			t.Errorf("retire a compound with buildings: %d\n%s", code, body)
		}

		en := e.signedIn("admin")
		en.get("/lang?to=en&back=/settings/org")
		if _, body := en.get("/settings/org"); !strings.Contains(body, "Org units and grids") {
			t.Errorf("English 机构与网格:\n%s", body)
		}
	})
}
