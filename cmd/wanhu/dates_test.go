package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestFarDateFlags gives every date flag of the CLI a far or a bad day and
// expects an error naming the flag (issue 11: the API's reports answered
// 500 for ?to=9999-12-31; the CLI shares their parsing). To find the date
// flags, search the commands for calendar.ParseDate, ParseInstant,
// DayRange, cliDay, staff.PeriodOf and visit.ParseWeek.
func TestFarDateFlags(t *testing.T) {
	path, f := seedDB(t)
	grid := itoa(f.Grids[0].ID)
	flags := []struct {
		args []string
		flag string
		week bool
	}{
		{[]string{"audit", "export"}, "from", false},
		{[]string{"audit", "export"}, "to", false},
		{[]string{"audit", "purge"}, "before", false},
		{[]string{"request", "report"}, "from", false},
		{[]string{"request", "report"}, "to", false},
		{[]string{"calendar", "add", "--working-days", "3"}, "from", false},
		{[]string{"stats", "population"}, "on", false},
		{[]string{"stats", "survey"}, "from", false},
		{[]string{"stats", "survey"}, "to", false},
		{[]string{"roster", "list"}, "on", false},
		{[]string{"staff", "scorecards"}, "from", false},
		{[]string{"staff", "scorecards"}, "to", false},
		{[]string{"plan", "week", "--grid", grid}, "week", true},
	}
	for _, fl := range flags {
		values := []string{"9999-12-31", "0001-01-01", "2026-02-30"}
		if fl.week {
			values = []string{"9999-W52", "0001-W01", "2026-W60"}
		}
		for _, v := range values {
			args := append(append([]string{}, fl.args...), "--db", path, "--"+fl.flag, v)
			t.Run(strings.Join(args[:2], " ")+" --"+fl.flag+" "+v, func(t *testing.T) {
				var out bytes.Buffer
				err := run(context.Background(), args, &out)
				if err == nil || !strings.HasPrefix(err.Error(), "--"+fl.flag+": ") {
					t.Errorf("wanhu %s: %v, want an error naming --%s", strings.Join(args, " "), err, fl.flag)
				}
			})
		}
	}
}
