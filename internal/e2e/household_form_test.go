package e2e

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"wanhu/internal/org"
	"wanhu/internal/store"
	"wanhu/internal/testworld"
)

// TestHouseholdFormNarrowsInTheBrowser: on the household form of a scope
// with many buildings, choosing the grid lists its buildings at once
// (app.js sends the form back to show itself again), with what was typed
// kept; Enter in a field then saves the household.
func TestHouseholdFormNarrowsInTheBrowser(t *testing.T) {
	var grid2 int64
	s := newSite(t, func(ctx context.Context, db *store.DB) int64 {
		f, err := testworld.NewOrg(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		c := org.Compound{CommunityID: f.Community.ID, Name: "甲小区"}
		if err := org.CreateCompound(ctx, db, &c); err != nil {
			t.Fatal(err)
		}
		for i := 1; i <= 300; i++ {
			if err := org.CreateBuilding(ctx, db, &org.Building{CompoundID: c.ID, GridID: f.Grids[0].ID, Name: fmt.Sprintf("%d号楼", i)}); err != nil {
				t.Fatal(err)
			}
		}
		grid2 = f.Grids[1].ID
		return f.City.ID
	})
	s.login(t)
	s.do(t, "open the form", chromedp.Navigate(s.url+"/households/new"), chromedp.WaitVisible(chromedp.CSS(`#f-grid_id`)))
	if n := s.count(t, `#f-building_id option`); n != 1 {
		t.Fatalf("%d building choices before the grid is chosen, want the blank one", n)
	}
	if n := s.count(t, `#reload-grid_id`); n != 0 {
		t.Errorf("the reload button is shown with JavaScript")
	}
	s.do(t, "type a room and choose grid 2",
		chromedp.SendKeys(chromedp.CSS(`#f-room`), "303"),
		chromedp.SendKeys(chromedp.CSS(`#f-members\[0\]\.name`), "赵德明"),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.Evaluate[bool](fmt.Sprintf(`(function () { var g = document.getElementById("f-grid_id");
  g.value = "%d"; g.dispatchEvent(new Event("change", {bubbles: true})); return true; })()`, grid2))(ctx, tg)
			return err
		}))
	s.waitJS(t, "grid 2's buildings", `document.querySelectorAll("#f-building_id option").length === 2`)
	if room := s.value(t, `#f-room`); room != "303" {
		t.Errorf("the room after choosing the grid: %q", room)
	}
	s.do(t, "choose the building, and Enter in the room",
		chromedp.SetValue(chromedp.CSS(`#f-building_id`), s.value(t, `#f-building_id option:nth-child(2)`)),
		chromedp.SetValue(chromedp.CSS(`#f-members\[0\]\.birth_date`), "1950-02-03"),
		chromedp.SetValue(chromedp.CSS(`#f-members\[0\]\.gender`), "male"),
		chromedp.SendKeys(chromedp.CSS(`#f-room`), "\r"),
	)
	s.waitJS(t, "the form sent", `!!(document.getElementById("household-address") || document.getElementById("form-error"))`)
	if n := s.count(t, `#form-error`); n != 0 {
		errs, _ := chromedp.Run(s.browser, chromedp.Evaluate[string](`Array.from(document.querySelectorAll(".field-error")).map(function (e) { return e.id + " " + e.textContent; }).join("; ")`))
		t.Fatalf("Enter did not save: %s", errs)
	}
	if addr := s.text(t, "#household-address"); !strings.Contains(addr, "303室") {
		t.Errorf("the saved household is at %q", addr)
	}
}

// value returns the value of the first element matching a CSS selector.
func (s *site) value(t *testing.T, sel string) string {
	t.Helper()
	v, err := chromedp.Run(s.browser, chromedp.Evaluate[string](`document.querySelector(`+strconv.Quote(sel)+`).value`))
	if err != nil {
		t.Fatalf("value of %s: %v", sel, err)
	}
	return v
}

// TestResidentPlaceNarrowsInTheBrowser: on the residents' form of a city
// with many buildings, choosing a community lists its buildings at once;
// choosing a building then stays on the page.
func TestResidentPlaceNarrowsInTheBrowser(t *testing.T) {
	var other int64
	s := newSite(t, func(ctx context.Context, db *store.DB) int64 {
		f, err := testworld.NewOrg(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		u := org.Unit{Kind: org.Community, ParentID: f.Street.ID, Name: "富强巷社区"}
		if err := org.CreateUnit(ctx, db, &u); err != nil {
			t.Fatal(err)
		}
		g := org.Unit{Kind: org.GridKind, ParentID: u.ID, Number: 1}
		if err := org.CreateUnit(ctx, db, &g); err != nil {
			t.Fatal(err)
		}
		c := org.Compound{CommunityID: u.ID, Name: "丙小区"}
		if err := org.CreateCompound(ctx, db, &c); err != nil {
			t.Fatal(err)
		}
		for i := 1; i <= 300; i++ {
			if err := org.CreateBuilding(ctx, db, &org.Building{CompoundID: c.ID, GridID: g.ID, Name: fmt.Sprintf("%d号楼", i)}); err != nil {
				t.Fatal(err)
			}
		}
		other = u.ID
		return f.City.ID
	})
	s.do(t, "open the form", chromedp.Navigate(s.url+"/r/new"), chromedp.WaitVisible(chromedp.CSS(`#r-place`)))
	if n := s.count(t, `#r-place option[value^="b:"]`); n != 0 {
		t.Fatalf("%d buildings listed before a community is chosen", n)
	}
	s.do(t, "describe and choose the community",
		chromedp.SendKeys(chromedp.CSS(`#r-description`), "楼道灯坏了"),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.Evaluate[bool](fmt.Sprintf(`(function () { var p = document.getElementById("r-place");
  p.value = "c:%d"; p.dispatchEvent(new Event("change", {bubbles: true})); return true; })()`, other))(ctx, tg)
			return err
		}))
	s.waitJS(t, "the community's buildings", `document.querySelectorAll('#r-place option[value^="b:"]').length === 300`)
	if d := s.value(t, `#r-description`); d != "楼道灯坏了" {
		t.Errorf("the description after choosing the community: %q", d)
	}
	// app.js sends the form from the change event itself: a building,
	// chosen, must not.
	sent, err := chromedp.Run(s.browser, chromedp.Evaluate[bool](`(function () {
  var sent = false, p = document.getElementById("r-place");
  HTMLFormElement.prototype.submit = function () { sent = true; };
  p.value = p.querySelector('option[value^="b:"]').value;
  p.dispatchEvent(new Event("change", {bubbles: true}));
  return sent || !!p.form.querySelector('input[name="reload"]'); })()`))
	if err != nil || sent {
		t.Errorf("choosing a building sends the form again: %v", err)
	}
}
