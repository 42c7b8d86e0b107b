package web

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// webDate is a date a page reads: its parameter, the field its error
// names (the "field.<name>" label the page shows) and what it is: a
// "date" or an ISO "week".
type webDate struct {
	page, param, field, kind string
}

// webDates are the pages that take a date. To find them, search the
// package for what reads dates: calendar.ParseDate, ParseInstant,
// DayRange, dateField, staff.PeriodOf, visit.ParseWeek and roster.Parse
// (its "on"). {member} is the worker's team member.
var webDates = []webDate{
	{"/audit", "from", "from", "date"},
	{"/audit", "to", "to", "date"},
	{"/audit.csv", "from", "from", "date"},
	{"/audit.csv", "to", "to", "date"},
	{"/staff", "from", "from", "date"},
	{"/staff", "to", "to", "date"},
	{"/staff/{member}", "from", "from", "date"},
	{"/staff/{member}", "to", "to", "date"},
	{"/staff/bad-reviews", "from", "from", "date"},
	{"/staff/bad-reviews", "to", "to", "date"},
	{"/staff/hours", "from", "from", "date"},
	{"/staff/hours", "to", "to", "date"},
	{"/stats/population", "on", "on", "date"},
	{"/stats/ledger", "from", "from", "date"},
	{"/stats/ledger", "to", "to", "date"},
	{"/stats/services", "from", "from", "date"},
	{"/stats/services", "to", "to", "date"},
	{"/rosters/living_alone_elderly", "on", "on", "date"},
	{"/plans", "week", "week", "week"},
	{"/visits/progress", "week", "week", "week"},
}

var webBadValues = map[string][]string{
	"date": {"9999-12-31", "0001-01-01", "2026-02-30", "soon"},
	"week": {"9999-W52", "0001-W01", "2026-W60", "soon"},
}

// TestFarDatesOnPages opens every page that takes a date with the date
// far or bad, as the community's administrator, and expects the error
// page (400) naming the date (and the page itself with a good date); and the same of the forms that post one
// (422 with the form shown again, or 400 where the page has no form to
// show). Issue 11: ?to=9999-12-31 crashed reports.
func TestFarDatesOnPages(t *testing.T) {
	zh, err := readLocale("zh-CN")
	if err != nil {
		t.Fatal(err)
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		var member int64
		if err := db.QueryRowContext(t.Context(), `SELECT id FROM team_members WHERE name = ?`, "小张").Scan(&member); err != nil {
			t.Fatal(err)
		}
		ids := strings.NewReplacer("{member}", fmt.Sprint(member))
		c := e.signedIn("admin")
		for _, d := range webDates {
			good := map[string]string{"date": "2026-03-01", "week": "2026-W10"}[d.kind]
			if status, body := c.get(ids.Replace(d.page) + "?" + url.Values{d.param: {good}}.Encode()); status != http.StatusOK {
				t.Errorf("GET %s?%s=%s: %d, want 200: %s", d.page, d.param, good, status, pageText(body))
			}
			for _, v := range webBadValues[d.kind] {
				path := ids.Replace(d.page) + "?" + url.Values{d.param: {v}}.Encode()
				t.Run(path, func(t *testing.T) {
					status, body := c.get(path)
					label := zh["field."+d.field]
					if status != http.StatusBadRequest || label == "" || !strings.Contains(html.UnescapeString(body), label+":") {
						t.Errorf("GET %s: %d, want 400 naming %s (%q): %s", path, status, d.field, label, pageText(body))
					}
				})
			}
		}
		forms := []struct {
			path, field, label string
			form               url.Values
			status             int
		}{
			{"/staff/{member}/training", "completed_on", zh["staff.f.completed_on"], url.Values{"course": {"消防"}, "kind": {"on_job"}, "hours": {"2"}}, http.StatusUnprocessableEntity},
			{"/plans", "week", zh["field.week"], url.Values{"grid": {fmt.Sprint(e.org.Grids[0].ID)}}, http.StatusBadRequest},
			{"/staff/{member}/hours", "day", zh["hours.f.day"], url.Values{"hours": {"2"}, "what": {"翻译"}}, http.StatusUnprocessableEntity},
		}
		rangeMsg := strings.NewReplacer("{0}", "1900-01-01", "{1}", "2199-12-31").Replace(zh["err.date_range"])
		for _, f := range forms {
			for _, v := range webBadValues["date"][:2] {
				if f.field == "week" {
					v = strings.Replace(v, "-12-31", "-W52", 1)
					v = strings.Replace(v, "-01-01", "-W01", 1)
				}
				t.Run("POST "+f.path+" "+v, func(t *testing.T) {
					form := url.Values{f.field: {v}}
					for k, vs := range f.form {
						form[k] = vs
					}
					status, body := c.post(ids.Replace(f.path), form)
					if status != f.status || !strings.Contains(html.UnescapeString(body), rangeMsg) || !strings.Contains(html.UnescapeString(body), f.label) {
						t.Errorf("POST %s %s=%s: %d, want %d naming %s: %s", f.path, f.field, v, status, f.status, f.label, pageText(body))
					}
				})
			}
		}
	})
}

// pageText is the start of a page's main content, for a failure message.
func pageText(body string) string {
	if i := strings.Index(body, "<main"); i >= 0 {
		body = body[i:]
	}
	return body[:min(len(body), 400)]
}
