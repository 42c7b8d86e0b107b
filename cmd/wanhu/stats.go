package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/stats"
	"wanhu/internal/store"
	"wanhu/internal/visit"
)

const statsUsage = `usage: wanhu stats population --db … [--bands 0-3,4-12,60- | --preset article|census] [--on YYYY-MM-DD] [--grid N] [--live] [--format text|json]
           people by age band on a day (default today; bands default to the
           article's), by sex, ethnicity, grid, compound and building
       wanhu stats households --db … [--grid N] [--live] [--format text|json]
           households by kind, occupancy and colour, and each grid's colours
       wanhu stats refresh --db …
           take the snapshot the whole city's counts are summed from (the
           daily job and every import take it too); without --grid or
           --live, population and households are summed from it when there
           is one (of the day asked for), and say as of when
       wanhu stats survey --db … [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--grid N] [--format text|json]
           the resident survey: awareness, participation and satisfaction
           rates of the answers given from --from to --to (China days, both
           included; default: all until today), and the same by grid
       wanhu stats benefits --db … [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--format text|json]
           benefits granted: approved cases by kind and decision day, as
           households, persons and person-times, and the cases paid in the
           period's months (GET /api/v1/stats/benefits)
JSON is exactly what GET /api/v1/stats/population, /stats/households and
/stats/survey answer.`

// runStats is `wanhu stats`: the population and household statistics of
// the whole database (or one grid).
func runStats(ctx context.Context, args []string, out io.Writer) error {
	sub, args := subcommand(args)
	if sub == "benefits" {
		return statsBenefits(ctx, args, out)
	}
	fs := newFlags("stats " + sub)
	dsn := fs.String("db", "wanhu.db", "database: a SQLite file path or a postgres:// URL")
	spec := fs.String("bands", "", "population: age bands in whole years, e.g. 0-3,4-12,60- (60- is 60 and over)")
	preset := fs.String("preset", "", "population: named bands instead of --bands: "+strings.Join(stats.PresetNames, " or "))
	onFlag := fs.String("on", "", "population: the day ages are counted on, YYYY-MM-DD (default today in China)")
	fromFlag := fs.String("from", "", "survey: first day, YYYY-MM-DD")
	toFlag := fs.String("to", "", "survey: last day, YYYY-MM-DD (default today in China)")
	grid := fs.Int64("grid", 0, "count only this grid (its id)")
	live := fs.Bool("live", false, "count live, not from the snapshot")
	format := fs.String("format", "text", "text or json")
	if err := parse(fs, args); err != nil {
		return err
	}
	if !slices.Contains([]string{"population", "households", "survey", "refresh"}, sub) {
		return errors.New(statsUsage)
	}
	if *format != "json" && *format != "text" {
		return fmt.Errorf("--format %q: give json or text", *format)
	}
	bands, _, err := stats.BandsOf(*preset, *spec)
	if err != nil {
		return flagError(err)
	}
	on := calendar.Today()
	if *onFlag != "" {
		if on, err = calendar.ParseDate("on", *onFlag); err != nil {
			return flagError(err)
		}
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	var opts []stats.Option
	if !*live {
		opts = append(opts, stats.FromSnapshot(*onFlag != ""))
	}
	var v any
	switch sub {
	case "refresh":
		return refreshStats(ctx, db, out)
	case "population":
		v, err = stats.Population(ctx, db, org.Everything, on, bands, *grid, opts...)
	case "households":
		v, err = stats.Households(ctx, db, org.Everything, *grid, opts...)
	case "survey":
		v, err = surveyStats(ctx, db, *fromFlag, *toFlag, *grid)
	}
	if errors.Is(err, apperr.ErrNotFound) {
		return fmt.Errorf("--grid %d: no such grid", *grid)
	}
	if err != nil {
		return err
	}
	if *format == "json" { // compact, byte for byte the API's answer
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		_, err = out.Write(append(b, '\n'))
		return err
	}
	switch v := v.(type) {
	case *stats.PopulationStats:
		return printPopulation(out, v)
	case *visit.SurveyReport:
		return printSurvey(out, v)
	}
	return printHouseholds(out, v.(*stats.HouseholdStats))
}

// refreshStats takes the statistics snapshot and says what it took.
func refreshStats(ctx context.Context, db *store.DB, out io.Writer) error {
	start := time.Now()
	s, err := stats.RefreshSnapshot(ctx, db, start)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(out, "statistics snapshot of %s taken at %s in %.1f s\n", s.On, s.Taken.In(calendar.China).Format("2006-01-02 15:04:05"),
		time.Since(start).Seconds())
	return err
}

// surveyStats counts the survey answers of the China days from to to
// (both included), as GET /api/v1/stats/survey does: from the start by
// default, until today.
func surveyStats(ctx context.Context, db store.Querier, from, to string, grid int64) (*visit.SurveyReport, error) {
	start, end, err := calendar.DayRange(from, to, calendar.Today())
	if err != nil {
		return nil, flagError(err)
	}
	return visit.SurveyStats(ctx, db, org.Everything, start, end, grid)
}

// printSurvey writes the survey's rates as text, overall and by grid.
func printSurvey(out io.Writer, s *visit.SurveyReport) error {
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "Households answering\t%d\t\n\n\tawareness\tparticipation\tsatisfaction\t\n", s.Households)
	line := func(name string, f visit.SurveyFigures) {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t\n", name, rate(f.Awareness, f.AwarenessRate), rate(f.Participation, f.ParticipationRate),
			rate(f.Satisfaction, f.SatisfactionRate))
	}
	line("all", s.SurveyFigures)
	for _, g := range s.ByGrid {
		line(g.GridName, g.SurveyFigures)
	}
	return tw.Flush()
}

// rate writes a survey rate as "96.0% (48/50)", "-" when nobody answered.
func rate(t visit.Tally, r *float64) string {
	if r == nil {
		return "-"
	}
	return fmt.Sprintf("%.1f%% (%d/%d)", *r*100, t.Positive, t.Answered)
}

// flagError words the field error of a flag's value as "--field: why":
// the flags are named as the fields of the API.
func flagError(err error) error {
	if fe, ok := apperr.AsField(err); ok {
		return fmt.Errorf("--%s: %s", fe.Field, fe.Msg)
	}
	return err
}

// printPopulation writes the population as text tables. Names go last:
// tabwriter counts a Chinese character as one column.
func printPopulation(out io.Writer, p *stats.PopulationStats) error {
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "People on %s\t%d\t%s\n\nband\tpeople\t\n", p.On, p.Total, asOf(p.Source))
	for _, b := range p.Bands {
		fmt.Fprintf(tw, "%s\t%d\t\n", b.Band, b.Count)
	}
	for _, s := range []struct {
		title string
		cs    []stats.Count
	}{{"sex", p.BySex}, {"ethnicity", p.ByEthnicity}, {"grid", p.ByGrid}, {"compound", p.ByCompound}, {"building", p.ByBuilding}} {
		fmt.Fprintf(tw, "\nby %s\tpeople\t\n", s.title)
		for _, c := range s.cs {
			fmt.Fprintf(tw, "%s\t%d\t  %s\n", c.Key, c.Count, orNone(c.Name))
		}
	}
	return tw.Flush()
}

// printHouseholds writes the household counts as text tables.
func printHouseholds(out io.Writer, s *stats.HouseholdStats) error {
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "Households\t%d\t%s\n", s.Total, asOf(s.Source))
	for _, m := range []struct {
		title  string
		values []string
		counts map[string]int
	}{{"kind", household.Kinds, s.Kind}, {"occupancy", household.Occupancies, s.Occupancy}, {"colour", household.Colours, s.Colour}} {
		fmt.Fprintf(tw, "\nby %s\thouseholds\t\n", m.title)
		for _, v := range m.values {
			fmt.Fprintf(tw, "%s\t%d\t\n", v, m.counts[v])
		}
	}
	fmt.Fprintln(tw, "\ngrid\thouseholds\tred\tyellow\tgreen\t")
	for _, g := range s.ByGrid {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t  %s\n", g.Key, g.Count.Count, g.Colour["red"], g.Colour["yellow"], g.Colour["green"], g.Name)
	}
	return tw.Flush()
}

// asOf says where counts come from when it is the snapshot.
func asOf(s stats.Source) string {
	if s.AsOf == nil {
		return ""
	}
	return "  (snapshot of " + s.AsOf.In(calendar.China).Format("2006-01-02 15:04") + ")"
}

// orNone names the "none" line of a breakdown.
func orNone(name string) string {
	if name == "" {
		return "(none)"
	}
	return name
}
