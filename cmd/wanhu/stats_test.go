package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
)

// TestStatsSameAsAPI: `wanhu stats population|households --format json`
// prints byte for byte what the API answers the city's administrator on
// the same data; the text tables hold the same numbers, and bad bands are
// refused naming the band.
func TestStatsSameAsAPI(t *testing.T) {
	path, f := seedDB(t)
	ctx := context.Background()
	db := openSeeded(t, path)
	defer db.Close()
	get := cityAdminAPI(t, db)
	cli := func(args ...string) string {
		var out bytes.Buffer
		if err := run(ctx, append([]string{"stats"}, append(args, "--db", path)...), &out); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		return out.String()
	}
	grid := itoa(f.Grids[1].ID)
	for _, c := range []struct {
		query string
		args  []string
		total string
	}{
		{"/stats/population?bands=0-3,4-12,60-&on=2026-12-01", []string{"population", "--bands", "0-3,4-12,60-", "--on", "2026-12-01", "--format", "json"}, `"total":2`},
		{"/stats/population?preset=census&on=2030-02-03&grid=" + grid, []string{"population", "--preset", "census", "--on", "2030-02-03", "--grid", grid, "--format", "json"}, `"total":1`},
		{"/stats/population", []string{"population", "--format", "json"}, `"total":2`},
		{"/stats/households", []string{"households", "--format", "json"}, `"total":2`},
		{"/stats/survey?from=2026-01-01&to=2026-11-29", []string{"survey", "--from", "2026-01-01", "--to", "2026-11-29", "--format", "json"},
			`"from":"2026-01-01T00:00:00+08:00","to":"2026-11-30T00:00:00+08:00","households":0`},
	} {
		want, got := get(c.query), cli(c.args...)
		if got != want {
			t.Errorf("%v:\n cli %s\n api %s", c.args, got, want)
		}
		if !strings.Contains(got, c.total) {
			t.Errorf("%v: %s", c.args, got)
		}
	}

	words := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	text := words(cli("population", "--bands", "0-3,80-", "--on", "2026-12-01"))
	if !strings.Contains(text, "People on 2026-12-01 2 band people 0-3 0 80- 1") || !strings.Contains(text, "female 1 女") {
		t.Errorf("population text:\n%s", text)
	}
	text = words(cli("households"))
	if !strings.Contains(text, "residential 2 commercial 0") || !strings.Contains(text, grid+" 1 0 0 1 第二网格") {
		t.Errorf("households text:\n%s", text)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"population", "--bands", "0-3,9-1"}, `--bands: band "9-1"`},
		{[]string{"population", "--on", "2026-02-30"}, "--on: 2026-02-30 is not a real date"},
		{[]string{"population", "--grid", "999"}, "--grid 999: no such grid"},
		{[]string{"population", "--preset", "school"}, `--preset: must be one of article, census, custom`},
		{[]string{"population", "--preset", "census", "--bands", "0-3"}, "--preset: give bands or a preset, not both"},
		{[]string{"people"}, "usage: wanhu stats population"},
	} {
		err := run(ctx, append([]string{"stats", c.args[0], "--db", path}, c.args[1:]...), io.Discard)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want %q", c.args, err, c.want)
		}
	}
}
