package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"wanhu/internal/auth"
	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/pii"
	"wanhu/internal/store"
)

// TestRolesInTheBrowser signs in as a visitor and as a grid leader: the
// visitor sees only the household assigned to them, masked and with no edit
// button; the grid leader of grid 1 gets "not found" for grid 2's household.
func TestRolesInTheBrowser(t *testing.T) {
	var widow, family int64
	s := newSite(t, func(ctx context.Context, db *store.DB) int64 {
		root := twoFamilies(t)(ctx, db)
		hs := household.NewStore(db)
		list, _, err := hs.List(ctx, household.Filter{})
		if err != nil || len(list) != 2 {
			t.Fatalf("fixture: %v", err)
		}
		widow, family = list[0].ID, list[1].ID
		grids, _ := org.Units(ctx, db, org.GridKind)
		as := auth.NewStore(db)
		m := org.TeamMember{CommunityID: grids[0].ParentID, GridID: grids[0].ID, Name: "卓玛", Role: org.RoleVolunteer}
		if err := org.CreateTeamMember(ctx, db, &m); err != nil {
			t.Fatal(err)
		}
		for _, u := range []struct {
			name string
			g    auth.Grant
		}{{"visitor", auth.Grant{Role: auth.Visitor, OrgUnitID: grids[0].ID}}, {"leader", auth.Grant{Role: auth.GridLeader, OrgUnitID: grids[0].ID}}} {
			if _, err := as.CreateUser(ctx, u.name, u.name, password, u.g); err != nil {
				t.Fatal(err)
			}
		}
		if err := as.LinkTeamMember(ctx, "visitor", m.ID); err != nil {
			t.Fatal(err)
		}
		if err := hs.Assign(ctx, m.ID, widow); err != nil {
			t.Fatal(err)
		}
		return root
	})

	s.loginAs(t, "visitor")
	list := s.text(t, "main")
	if !strings.Contains(list, "王秀兰") || strings.Contains(list, "李建国") {
		t.Errorf("the visitor's list:\n%s", list)
	}
	s.open(t, "王秀兰")
	if html, _ := chromedp.Run(s.browser, chromedp.OuterHTML(chromedp.CSS("html"))); strings.Contains(html, widowID) || !strings.Contains(html, pii.MaskIDNumber(widowID)) {
		t.Errorf("the page source shows the full ID number, or no masked one")
	}
	edits, err := chromedp.Run(s.browser, chromedp.Evaluate[int](`document.querySelectorAll("#edit-household, #add-member, a.edit-member, #set-colour").length`))
	if err != nil || edits != 0 {
		t.Errorf("the visitor's file has %d edit controls (%v)", edits, err)
	}
	if n, _ := chromedp.Run(s.browser, chromedp.Evaluate[int](`document.querySelectorAll("#add-need").length`)); n != 1 {
		t.Errorf("the visitor cannot record a need")
	}
	s.do(t, "open the other family", chromedp.Navigate(fmt.Sprintf("%s/households/%d", s.url, family)), chromedp.WaitVisible(chromedp.CSS("main")))
	if page := s.text(t, "main"); !strings.Contains(page, "不存在") && !strings.Contains(page, "找不到") {
		t.Errorf("the visitor opened another household:\n%s", page)
	}

	s.logout(t)
	s.loginAs(t, "leader")
	s.do(t, "open grid 2's household", chromedp.Navigate(fmt.Sprintf("%s/households/%d", s.url, family)), chromedp.WaitVisible(chromedp.CSS("main")))
	if page := s.text(t, "main"); strings.Contains(page, "李建国") {
		t.Errorf("the grid 1 leader opened grid 2's household:\n%s", page)
	}
}
