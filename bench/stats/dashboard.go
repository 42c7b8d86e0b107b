package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"flag"
	"fmt"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"wanhu/internal/access"
	"wanhu/internal/auth"
	"wanhu/internal/calendar"
	"wanhu/internal/org"
	"wanhu/internal/stats"
	"wanhu/internal/store"
)

// timeDashboard times the population dashboard as the app computes it
// (stats.Population with the article's bands and stats.Households, in the
// scope of the city's administrator) against the hand-written aggregate
// SQL for the same numbers in the engine's own shell, checks that both
// give the same numbers, and prints the medians and their ratios.
func timeDashboard(args []string) error {
	fs := flag.NewFlagSet("time", flag.ExitOnError)
	dsn := fs.String("db", "", "SQLite file or postgres:// URL made by gen")
	runs := fs.Int("runs", 7, "timed runs of each side (after one warm-up)")
	onFlag := fs.String("on", "", "reference day YYYY-MM-DD (default today in China)")
	sqlite3 := fs.String("sqlite3", "sqlite3", "the sqlite3 command-line shell")
	psql := fs.String("psql", "psql", "the psql command-line shell")
	explain := fs.Bool("explain", true, "print the plan of the hand SQL (EXPLAIN QUERY PLAN; EXPLAIN ANALYZE on PostgreSQL)")
	printSQL := fs.Bool("print-sql", false, "print the hand SQL and stop")
	everything := fs.Int("everything", 1, "also time ours with the system's scope (org.Everything, no scope filter) this many runs")
	fs.Parse(args)
	ctx := context.Background()
	db, err := store.OpenNoMigrate(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	on := calendar.Today()
	if *onFlag != "" {
		if on, err = calendar.ParseDate("on", *onFlag); err != nil {
			return err
		}
	}
	bands := stats.Presets["article"]
	scope, err := cityAdminScope(ctx, db)
	if err != nil {
		return err
	}
	sh := newShell(db.Dialect(), *dsn, *sqlite3, *psql)
	popSQL, hhSQL := handPopulationSQL(db.Dialect(), on, bands), handHouseholdsSQL()
	if *printSQL {
		fmt.Printf("%s;\n%s;\n", popSQL, hhSQL)
		return nil
	}

	// The numbers first: ours and the shell's must agree.
	pop, err := stats.Population(ctx, db, scope, on, bands, 0)
	if err != nil {
		return fmt.Errorf("stats.Population: %w", err)
	}
	hh, err := stats.Households(ctx, db, scope, 0)
	if err != nil {
		return fmt.Errorf("stats.Households: %w", err)
	}
	handPop, err := sh.rows(popSQL)
	if err != nil {
		return fmt.Errorf("population SQL: %w", err)
	}
	handHH, err := sh.rows(hhSQL)
	if err != nil {
		return fmt.Errorf("households SQL: %w", err)
	}
	if err := same("population", populationNumbers(pop), handPop); err != nil {
		return err
	}
	if err := same("households", householdNumbers(hh), handHH); err != nil {
		return err
	}
	fmt.Printf("%s, on %s, bands %s: %d persons, %d households, %d grids, %d compounds, %d buildings; ours and the hand SQL agree on every number\n",
		db.Dialect(), on, bandNames(bands), pop.Total, hh.Total, len(pop.ByGrid), len(pop.ByCompound), len(pop.ByBuilding))

	// Ours: as the app, then (for the scope's cost) with no scope.
	type timed struct{ pop, hh, both []time.Duration }
	runOurs := func(scope org.Scope, runs int) (timed, error) {
		var t timed
		for i := 0; i <= runs; i++ {
			t0 := time.Now()
			if _, err := stats.Population(ctx, db, scope, on, bands, 0); err != nil {
				return t, err
			}
			t1 := time.Now()
			if _, err := stats.Households(ctx, db, scope, 0); err != nil {
				return t, err
			}
			t2 := time.Now()
			if i > 0 {
				t.pop, t.hh, t.both = append(t.pop, t1.Sub(t0)), append(t.hh, t2.Sub(t1)), append(t.both, t2.Sub(t0))
			}
		}
		return t, nil
	}
	ours, err := runOurs(scope, *runs)
	if err != nil {
		return err
	}
	var all timed
	if *everything > 0 {
		if all, err = runOurs(org.Everything, *everything); err != nil {
			return err
		}
	}
	handPopT, handHHT, err := sh.time(popSQL, hhSQL, *runs)
	if err != nil {
		return err
	}
	// The driver: the hand SQL through database/sql and the same driver
	// as ours, rows into sql.RawBytes: what the engine costs in-process.
	var drvPop, drvHH, drvBoth []time.Duration
	for i := 0; i <= *runs; i++ {
		t0 := time.Now()
		if err := runRaw(ctx, db, popSQL); err != nil {
			return err
		}
		t1 := time.Now()
		if err := runRaw(ctx, db, hhSQL); err != nil {
			return err
		}
		t2 := time.Now()
		if i > 0 {
			drvPop, drvHH, drvBoth = append(drvPop, t1.Sub(t0)), append(drvHH, t2.Sub(t1)), append(drvBoth, t2.Sub(t0))
		}
	}
	handBoth := make([]time.Duration, len(handPopT))
	for i := range handPopT {
		handBoth[i] = handPopT[i] + handHHT[i]
	}
	fmt.Printf("%-9s %-11s %10s %10s %12s %14s %7s\n", "engine", "part", "ours (ms)", "no scope", "driver (ms)", sh.name()+" (ms)", "ratio")
	line := func(part string, o, a, d, h []time.Duration) {
		noScope := "-"
		if a != nil {
			noScope = fmt.Sprintf("%.1f", ms(median(a)))
		}
		fmt.Printf("%-9s %-11s %10.1f %10s %12.1f %14.1f %6.2fx\n", db.Dialect(), part, ms(median(o)), noScope, ms(median(d)), ms(median(h)), float64(median(o))/float64(median(h)))
	}
	line("population", ours.pop, all.pop, drvPop, handPopT)
	line("households", ours.hh, all.hh, drvHH, handHHT)
	line("dashboard", ours.both, all.both, drvBoth, handBoth)
	fmt.Printf("  (medians of %d runs after a warm-up. ours: internal/stats as the city's administrator; no scope: the same with org.Everything (%d runs);\n"+
		"  driver: the hand SQL through database/sql in this process; %s: the hand SQL in the shell; ratio: ours / %s)\n", *runs, *everything, sh.name(), sh.name())
	if *explain {
		for _, st := range []struct{ name, sql string }{{"population", popSQL}, {"households", hhSQL}} {
			plan, err := sh.explain(st.sql)
			if err != nil {
				return err
			}
			fmt.Printf("  plan of the hand SQL, %s:\n%s", st.name, indent(plan))
		}
	}
	return nil
}

// runRaw runs stmt through database/sql and reads its rows into
// sql.RawBytes, decoding nothing.
func runRaw(ctx context.Context, db *store.DB, stmt string) error {
	rows, err := db.QueryContext(ctx, stmt)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	raw := make([]any, len(cols))
	for i := range raw {
		raw[i] = new(sql.RawBytes)
	}
	for rows.Next() {
		if err := rows.Scan(raw...); err != nil {
			return err
		}
	}
	return rows.Err()
}

// cityAdminScope is the statistics scope of an administrator of the root
// of the org tree (the city), as access.StatsScope gives it to the app.
func cityAdminScope(ctx context.Context, db *store.DB) (org.Scope, error) {
	var id int64
	var path string
	if err := db.QueryRowContext(ctx, `SELECT id, path FROM org_units WHERE parent_id IS NULL ORDER BY id LIMIT 1`).Scan(&id, &path); err != nil {
		return org.Scope{}, fmt.Errorf("the root of the org tree: %w", err)
	}
	u := &auth.User{Username: "bench", Grants: []auth.Grant{{Role: auth.Admin, OrgUnitID: id, Path: path}}}
	s, ok := access.StatsScope(u)
	if !ok {
		return s, fmt.Errorf("an administrator of %s has no statistics scope", path)
	}
	return s, nil
}

// numbers are the figures of a dashboard: by kind of line ("total",
// "band", "sex", …) and key, the count.
type numbers map[string]map[string]int

func (n numbers) add(kind, key string, count int) {
	if count == 0 {
		return // ours lists zeros; the SQL has no line for them
	}
	if n[kind] == nil {
		n[kind] = map[string]int{}
	}
	n[kind][key] += count
}

// populationNumbers are the figures of stats.Population, keyed as the
// hand SQL keys them: places by id ("0" for none), ethnicity by name.
func populationNumbers(p *stats.PopulationStats) numbers {
	n := numbers{}
	n.add("total", "", p.Total)
	for i, b := range p.Bands {
		n.add("band", strconv.Itoa(i), b.Count)
	}
	zero := func(k string) string {
		if k == "" {
			return "0"
		}
		return k
	}
	for _, c := range p.BySex {
		n.add("sex", c.Key, c.Count)
	}
	for _, c := range p.ByEthnicity {
		n.add("ethnicity", c.Name, c.Count)
	}
	for _, c := range p.ByGrid {
		n.add("grid", c.Key, c.Count)
	}
	for _, c := range p.ByCompound {
		n.add("compound", zero(c.Key), c.Count)
	}
	for _, c := range p.ByBuilding {
		n.add("building", zero(c.Key), c.Count)
	}
	return n
}

// householdNumbers are the figures of stats.Households.
func householdNumbers(h *stats.HouseholdStats) numbers {
	n := numbers{}
	n.add("total", "", h.Total)
	for k, c := range h.Kind {
		n.add("kind", k, c)
	}
	for k, c := range h.Occupancy {
		n.add("occupancy", k, c)
	}
	for k, c := range h.Colour {
		n.add("colour", k, c)
	}
	for _, g := range h.ByGrid {
		for colour, c := range g.Colour {
			n.add("grid", g.Key+"/"+colour, c)
		}
	}
	n.add("key_persons", "", h.KeyPersons)
	for _, t := range h.KeyPersonsByTag {
		n.add("key_tag", t.Key, t.Count)
	}
	n.add("special_difficulty", "", h.SpecialDifficulty)
	return n
}

// same fails, naming the first differences, unless ours and the shell's
// figures are the same.
func same(what string, ours, hand numbers) error {
	var diffs []string
	kinds := map[string]bool{}
	for k := range ours {
		kinds[k] = true
	}
	for k := range hand {
		kinds[k] = true
	}
	for kind := range kinds {
		keys := map[string]bool{}
		for k := range ours[kind] {
			keys[k] = true
		}
		for k := range hand[kind] {
			keys[k] = true
		}
		for key := range keys {
			if o, h := ours[kind][key], hand[kind][key]; o != h {
				diffs = append(diffs, fmt.Sprintf("%s %q: ours %d, hand SQL %d", kind, key, o, h))
			}
		}
	}
	if len(diffs) == 0 {
		return nil
	}
	slices.Sort(diffs)
	return fmt.Errorf("%s: ours and the hand SQL DISAGREE on %d numbers, e.g.\n  %s", what, len(diffs), strings.Join(diffs[:min(len(diffs), 10)], "\n  "))
}

// bornBy is the last birth date of the people at least n years old on
// day on (as internal/stats counts: a 29 February birthday turns on 1
// March in common years).
func bornBy(on calendar.Date, n int) string {
	y := max(on.Y-n, 0)
	d := calendar.Date{Y: y, M: on.M, D: on.D}
	if on.M == time.February && on.D == 29 && !(y%4 == 0 && (y%100 != 0 || y%400 == 0)) {
		d.D = 28
	}
	return d.String()
}

func bandNames(bands []stats.Band) string {
	s := make([]string, len(bands))
	for i, b := range bands {
		s[i] = b.String()
	}
	return strings.Join(s, ",")
}

// handPopulationSQL is the single aggregate statement a person would write
// by hand for the population dashboard's numbers: current members by
// place, sex and ethnicity, one filtered count per band, materialised
// once, then every breakdown (with the names of the places) added up from
// it. Dates are literals. Each line is: kind, key, name, count. The same
// text runs on both engines but for one word: on SQLite, NOT INDEXED makes
// it read persons in one pass. Otherwise SQLite searches the birth-date
// index for "birth_date <= day" (every current member matches) and
// fetches 2.5 M rows by rowid one by one, 5–10 times slower.
func handPopulationSQL(d store.Dialect, on calendar.Date, bands []stats.Band) string {
	notIndexed := ""
	if d == store.SQLite {
		notIndexed = " NOT INDEXED"
	}
	var b strings.Builder
	b.WriteString("WITH x AS MATERIALIZED (SELECT h.grid_id AS g, h.compound_id AS c, h.building_id AS b, p.gender AS s, p.ethnicity AS e, COUNT(*) AS n")
	for i, band := range bands {
		var cond []string
		if band.From > 0 {
			cond = append(cond, "p.birth_date <= '"+bornBy(on, band.From)+"'")
		}
		if band.To >= 0 {
			cond = append(cond, "p.birth_date > '"+bornBy(on, band.To+1)+"'")
		}
		if len(cond) == 0 {
			fmt.Fprintf(&b, ", COUNT(*) AS b%d", i)
		} else {
			fmt.Fprintf(&b, ", COUNT(*) FILTER (WHERE %s) AS b%d", strings.Join(cond, " AND "), i)
		}
	}
	fmt.Fprintf(&b, `
  FROM persons p%s JOIN households h ON h.id = p.household_id
  WHERE p.active AND p.moved_out_on IS NULL AND p.deceased_on IS NULL AND p.birth_date <= '%s'
  GROUP BY h.grid_id, h.compound_id, h.building_id, p.gender, p.ethnicity)
SELECT 'total', '', '', SUM(n) FROM x`, notIndexed, on)
	for i := range bands {
		fmt.Fprintf(&b, "\nUNION ALL SELECT 'band', '%d', '', SUM(b%d) FROM x", i, i)
	}
	b.WriteString(`
UNION ALL SELECT 'sex', s, '', SUM(n) FROM x GROUP BY s
UNION ALL SELECT 'ethnicity', e, e, SUM(n) FROM x GROUP BY e
UNION ALL SELECT 'grid', CAST(x.g AS TEXT), g.name, SUM(x.n) FROM x JOIN org_units g ON g.id = x.g GROUP BY x.g, g.name
UNION ALL SELECT 'compound', CAST(COALESCE(x.c, 0) AS TEXT), COALESCE(c.name, ''), SUM(x.n) FROM x LEFT JOIN compounds c ON c.id = x.c GROUP BY x.c, c.name
UNION ALL SELECT 'building', CAST(COALESCE(x.b, 0) AS TEXT), COALESCE(c.name, '') || ' ' || COALESCE(b.name, ''), SUM(x.n)
  FROM x LEFT JOIN buildings b ON b.id = x.b LEFT JOIN compounds c ON c.id = b.compound_id GROUP BY x.b, c.name, b.name`)
	return b.String()
}

// handHouseholdsSQL is the same for the households' numbers: by grid,
// kind, occupancy and colour once, then the breakdowns. The city's
// administrator sees every household, so neither statement has a scope
// condition: a person writing it for this dashboard would leave it out.
func handHouseholdsSQL() string {
	return `WITH x AS MATERIALIZED (SELECT grid_id AS g, kind AS k, occupancy AS o, colour AS c, COUNT(*) AS n
  FROM households GROUP BY grid_id, kind, occupancy, colour)
SELECT 'total', '', '', SUM(n) FROM x
UNION ALL SELECT 'kind', k, '', SUM(n) FROM x GROUP BY k
UNION ALL SELECT 'occupancy', o, '', SUM(n) FROM x GROUP BY o
UNION ALL SELECT 'colour', c, '', SUM(n) FROM x GROUP BY c
UNION ALL SELECT 'grid', CAST(x.g AS TEXT) || '/' || x.c, g.name, SUM(x.n) FROM x JOIN org_units g ON g.id = x.g GROUP BY x.g, x.c, g.name
UNION ALL SELECT 'key_tag', t.code, t.name_zh, COUNT(*) FROM tags t JOIN person_tags pt ON pt.tag = t.code JOIN persons p ON p.id = pt.person_id
  WHERE t.key_person AND p.active GROUP BY t.code, t.name_zh
UNION ALL SELECT 'key_persons', '', '', COUNT(*) FROM persons p
  WHERE p.active AND p.id IN (SELECT pt.person_id FROM person_tags pt JOIN tags t ON t.code = pt.tag WHERE t.key_person)
UNION ALL SELECT 'special_difficulty', '', '', COUNT(*) FROM household_tags WHERE tag = 'special_difficulty'`
}

// shell runs SQL in the engine's own command-line shell: sqlite3 on the
// same file (read-only), psql on the same database.
type shell struct {
	dialect store.Dialect
	dsn     string
	cmd     string
	// cpuA and cpuB are the CPU times (user and system) of the shell for
	// each timed run of time's two statements: sqlite3's .timer gives
	// them; psql's are nil (the work is the server's).
	cpuA, cpuB []time.Duration
}

func newShell(d store.Dialect, dsn, sqlite3, psql string) *shell {
	if d == store.Postgres {
		return &shell{dialect: d, dsn: dsn, cmd: psql}
	}
	return &shell{dialect: d, dsn: dsn, cmd: sqlite3}
}

func (s *shell) name() string { return s.cmd }

// run feeds script to the shell and returns its output.
func (s *shell) run(script string) ([]byte, error) {
	var cmd *exec.Cmd
	if s.dialect == store.Postgres {
		cmd = exec.Command(s.cmd, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", s.dsn)
	} else {
		cmd = exec.Command(s.cmd, "-readonly", "-bail", s.dsn)
	}
	cmd.Stdin = strings.NewReader(script)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%s: %w: %s", s.cmd, err, stderr.String())
	}
	return out, nil
}

// rows runs one statement of kind, key, name, count lines and returns
// the counts.
func (s *shell) rows(stmt string) (numbers, error) {
	head := ".mode tabs\n.headers off\n"
	if s.dialect == store.Postgres {
		head = "\\pset format unaligned\n\\pset fieldsep '\\t'\n\\pset tuples_only on\n"
	}
	out, err := s.run(head + stmt + ";\n")
	if err != nil {
		return nil, err
	}
	n := numbers{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Split(sc.Text(), "\t")
		if len(f) != 4 {
			return nil, fmt.Errorf("unexpected line %q", sc.Text())
		}
		c, err := strconv.Atoi(f[3])
		if err != nil {
			return nil, fmt.Errorf("unexpected count in %q", sc.Text())
		}
		n.add(f[0], f[1], c)
	}
	return n, sc.Err()
}

var (
	sqliteTime = regexp.MustCompile(`(?m)^Run Time: real ([0-9.]+)(?: user ([0-9.]+) sys ([0-9.]+))?`)
	psqlTime   = regexp.MustCompile(`(?m)^Time: ([0-9.]+) ms`)
)

// time runs the two statements runs+1 times in turn in one shell process,
// output discarded, and returns their times after the first (warm-up)
// pair, as the shell measures them: sqlite3's .timer (wall clock of the
// statement, output to /dev/null included, in ms steps), psql's \timing
// (from sending the statement to having read its whole result; the same
// client-side span ours is timed over).
func (s *shell) time(a, b string, runs int) (ta, tb []time.Duration, err error) {
	var script strings.Builder
	re := sqliteTime
	unit := time.Second
	if s.dialect == store.Postgres {
		script.WriteString("\\o /dev/null\n\\timing on\n")
		re, unit = psqlTime, time.Millisecond
	} else {
		script.WriteString(".output /dev/null\n.timer on\n")
	}
	for range runs + 1 {
		script.WriteString(a + ";\n" + b + ";\n")
	}
	s.cpuA, s.cpuB = nil, nil
	out, err := s.run(script.String())
	if err != nil {
		return nil, nil, err
	}
	m := re.FindAllSubmatch(out, -1)
	if len(m) != 2*(runs+1) {
		return nil, nil, fmt.Errorf("%s: %d timings in its output, want %d:\n%s", s.cmd, len(m), 2*(runs+1), out)
	}
	for i, x := range m[2:] {
		f, err := strconv.ParseFloat(string(x[1]), 64)
		if err != nil {
			return nil, nil, err
		}
		d := time.Duration(f * float64(unit))
		var cpu time.Duration
		if len(x) > 3 && len(x[2]) > 0 {
			u, _ := strconv.ParseFloat(string(x[2]), 64)
			sy, _ := strconv.ParseFloat(string(x[3]), 64)
			cpu = time.Duration((u + sy) * float64(time.Second))
		}
		if i%2 == 0 {
			ta = append(ta, d)
			s.cpuA = append(s.cpuA, cpu)
		} else {
			tb = append(tb, d)
			s.cpuB = append(s.cpuB, cpu)
		}
	}
	return ta, tb, nil
}

// explain returns the plan of stmt: EXPLAIN QUERY PLAN in sqlite3,
// EXPLAIN (ANALYZE, BUFFERS) in psql.
func (s *shell) explain(stmt string) (string, error) {
	if s.dialect == store.Postgres {
		out, err := s.run("EXPLAIN (ANALYZE, BUFFERS) " + stmt + ";\n")
		return string(out), err
	}
	out, err := s.run("EXPLAIN QUERY PLAN " + stmt + ";\n")
	return string(out), err
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func indent(s string) string {
	var b strings.Builder
	for _, l := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		b.WriteString("    " + l + "\n")
	}
	return b.String()
}
