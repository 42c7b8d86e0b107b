package gen_test

import (
	"context"
	"net/url"
	"testing"

	"wanhu/internal/calendar"
	"wanhu/internal/org"
	"wanhu/internal/roster"
)

// TestCheckupRoster checks the demo's service rosters: about 70% of the
// people of 60 and over had this year's health check, so the check-up
// roster keeps the rest; the four-thirty class has its 30+ children.
func TestCheckupRoster(t *testing.T) {
	ctx := context.Background()
	db := generatedDongxing(t)
	rs := roster.New(db, org.Everything)
	count := func(name string, v url.Values) int {
		q, err := roster.Parse(name, v, articleDay)
		if err != nil {
			t.Fatal(err)
		}
		n, err := rs.Count(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	elderly := count(roster.People, url.Values{"age": {"60-"}})
	unchecked := count("elderly_checkup", nil)
	if share := 1 - float64(unchecked)/float64(elderly); elderly < 100 || share < 0.65 || share > 0.75 {
		t.Errorf("%d of %d people of 60+ checked this year (%.0f%%), want about 70%%", elderly-unchecked, elderly, 100*share)
	}
	var outside int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM ledger_events WHERE type = 'health_check' AND (at < ? OR at >= ?)`,
		calendar.Date{Y: articleDay.Y, M: 1, D: 1}.Time().Add(-8*3600e9), articleDay.Time().Add(-8*3600e9)).Scan(&outside); err != nil || outside != 0 {
		t.Errorf("%d check-ups outside the past days of this year (%v)", outside, err)
	}
	if n := count("four_thirty", nil); n < 30 {
		t.Errorf("four-thirty class: %d children of 6–12, want 30+", n)
	}
}
