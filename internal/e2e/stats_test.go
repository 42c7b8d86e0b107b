package e2e

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/device"

	"wanhu/internal/calendar"
	"wanhu/internal/org"
	"wanhu/internal/stats"
)

// allCharts holds once every chart of the page has been drawn: ECharts
// puts a canvas into each chart's box.
const allCharts = `(function () {
	var boxes = document.querySelectorAll(".chart");
	return boxes.length > 0 && Array.prototype.every.call(boxes, function (b) { return !!b.querySelector("canvas"); });
})()`

// cell reads the number in the first column of the row labelled label of
// the table data-table=table.
func cell(t *testing.T, s *site, table, label string) int {
	t.Helper()
	js := fmt.Sprintf(`(function () {
		var rows = document.querySelectorAll('table[data-table=%q] tbody tr');
		for (var i = 0; i < rows.length; i++) {
			if (rows[i].querySelector("th").textContent.trim() === %q) { return rows[i].querySelector("td").textContent.trim(); }
		}
		return "";
	})()`, table, label)
	text, err := chromedp.Run(s.browser, chromedp.Evaluate[string](js))
	if err != nil {
		t.Fatal(err)
	}
	n, err := strconv.Atoi(text)
	if err != nil {
		t.Fatalf("table %s, row %s: %q is not a number", table, label, text)
	}
	return n
}

// TestStatisticsInTheBrowser is issue 6 in Chromium on the demo: the
// administrator's population page draws its band bars and pyramid and
// shows the article's bands with the numbers the statistics count; the
// households page draws the colour split by grid; the grid leader of grid 1
// gets the same page for grid 1 only; the four-thirty roster lists as many
// children as the 6-12 band holds; a visitor on a phone opens their
// scorecard from the menu and sees this week's visits against 100.
func TestStatisticsInTheBrowser(t *testing.T) {
	s := newSite(t, demoCommunity(t))
	ctx := t.Context()
	today := calendar.Today()
	all, err := stats.Population(ctx, s.db, org.Everything, today, stats.Presets["article"], 0)
	if err != nil {
		t.Fatal(err)
	}
	grid1, err := stats.Population(ctx, s.db, org.Everything, today, stats.Presets["article"], 1)
	if err != nil {
		t.Fatal(err)
	}
	band := func(p *stats.PopulationStats, b string) int {
		for _, x := range p.Bands {
			if x.Band == b {
				return x.Count
			}
		}
		t.Fatalf("no band %s", b)
		return 0
	}

	s.loginAs(t, "admin")
	s.do(t, "open the population page", chromedp.Navigate(s.url+"/stats/population"), chromedp.WaitVisible(chromedp.CSS(`#chart-bands`)))
	s.until(t, "the population charts", allCharts)
	for label, want := range map[string]int{"0-3 岁": band(all, "0-3"), "4-12 岁": band(all, "4-12"), "6-12 岁": band(all, "6-12"),
		"60 岁及以上": band(all, "60-"), "合计": all.Total} {
		if got := cell(t, s, "bands", label); got != want {
			t.Errorf("admin's population, %s: the page shows %d, the statistics count %d", label, got, want)
		}
	}
	if grid1.Total >= all.Total || grid1.Total == 0 {
		t.Fatalf("grid 1 has %d of %d people: no test of the grid leader's scope", grid1.Total, all.Total)
	}
	s.do(t, "open the households page", chromedp.Navigate(s.url+"/stats/households"), chromedp.WaitVisible(chromedp.CSS(`.chart`)))
	s.until(t, "the household charts", allCharts)
	if html, _ := chromedp.Run(s.browser, chromedp.OuterHTML(chromedp.CSS("main"))); !strings.Contains(html, "商铺") || !strings.Contains(html, "第七网格") {
		t.Errorf("the households page shows no shops or no grid 7:\n%.1500s", html)
	}
	s.do(t, "open the four-thirty roster", chromedp.Navigate(s.url+"/rosters/four_thirty"), chromedp.WaitVisible(chromedp.CSS(`main`)))
	if text := s.text(t, "main"); !strings.Contains(text, fmt.Sprintf("%d", band(all, "6-12"))) {
		t.Errorf("the four-thirty roster does not count the %d children aged 6-12:\n%.800s", band(all, "6-12"), text)
	}
	s.logout(t)

	s.loginAs(t, "leader1")
	s.do(t, "open the grid leader's population page", chromedp.Navigate(s.url+"/stats/population"), chromedp.WaitVisible(chromedp.CSS(`#chart-bands`)))
	s.until(t, "the grid leader's charts", allCharts)
	if got := cell(t, s, "bands", "合计"); got != grid1.Total {
		t.Errorf("grid leader's population: the page shows %d people, grid 1 has %d", got, grid1.Total)
	}
	if got := cell(t, s, "bands", "6-12 岁"); got != band(grid1, "6-12") {
		t.Errorf("grid leader's 6-12: the page shows %d, grid 1 has %d", got, band(grid1, "6-12"))
	}
	s.logout(t)

	s.do(t, "be a phone", chromedp.Emulate(device.IPhone12))
	s.loginAs(t, "visitor1")
	s.do(t, "open my scorecard from the menu", chromedp.Click(chromedp.CSS(`#nav-my-staff`)), chromedp.WaitVisible(chromedp.CSS(`main h1`)))
	if text := s.text(t, "main"); !strings.Contains(text, "周目标 30") || !strings.Contains(text, "本周已走访") { // a grid worker's own target
		t.Errorf("the visitor's scorecard shows no weekly visits against 30:\n%.1200s", text)
	}
}
