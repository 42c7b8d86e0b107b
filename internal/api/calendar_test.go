package api

import (
	"testing"

	"wanhu/internal/calendar"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestCalendar: anyone signed in reads a year of the working-day calendar;
// only an administrator replaces one, and a bad day changes nothing.
func TestCalendar(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		year2028 := `{"days":[{"day":"2028-01-03","workday":false,"name":"元旦"},{"day":"2028-01-29","workday":true,"name":"春节调休"}]}`
		fx.run(t, []scenario{
			{name: "2026: official", method: "GET", path: "/calendar/2026", user: "visitor", status: 200,
				want:   []string{`"source":"official"`, `{"day":"2026-10-10","workday":true,"name":"国庆节"}`, `{"day":"2026-10-01","workday":false,"name":"国庆节"}`},
				reject: []string{`"2026-10-03"`}},
			{name: "2028: estimated", method: "GET", path: "/calendar/2028", user: "officer", status: 200,
				want: []string{`"source":"estimated"`, `"days":[]`}},
			{name: "not a year", method: "GET", path: "/calendar/abc", user: "admin", status: 404},
			{name: "signed out", method: "GET", path: "/calendar/2026", user: "", status: 401},
			{name: "set: a grid leader", method: "PUT", path: "/calendar/2028", user: "leader1", body: year2028, status: 403},
			{name: "set: a day of another year", method: "PUT", path: "/calendar/2028", user: "admin", status: 400,
				body:  `{"days":[{"day":"2028-01-03","workday":false},{"day":"2029-01-01","workday":false}]}`,
				check: wantError("calendar_year", "days[1].day")},
			{name: "set: a bad date", method: "PUT", path: "/calendar/2028", user: "admin", status: 400,
				body: `{"days":[{"day":"2028-02-30","workday":false}]}`},
			{name: "still estimated", method: "GET", path: "/calendar/2028", user: "admin", status: 200,
				want: []string{`"source":"estimated"`}},
			{name: "set 2028", method: "PUT", path: "/calendar/2028", user: "admin", body: year2028, status: 200,
				check: func(t *testing.T, body []byte) {
					y := decodeAs[calendarYear](t, body)
					if y.Year != 2028 || y.Source != calendar.Loaded || len(y.Days) != 2 || y.Days[1].Day.String() != "2028-01-29" || !y.Days[1].Workday {
						t.Errorf("answer %s", short(body))
					}
				}},
			{name: "read back", method: "GET", path: "/calendar/2028", user: "clerk", status: 200,
				want: []string{`"source":"loaded"`, `"name":"春节调休"`}},
		})
		var by string
		if err := db.QueryRowContext(t.Context(), `SELECT loaded_by FROM calendar_years WHERE year = 2028`).Scan(&by); err != nil || by != "admin" {
			t.Errorf("loaded_by %q, %v", by, err)
		}
	})
}
