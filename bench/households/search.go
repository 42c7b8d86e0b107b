package main

import (
	"bytes"
	"context"
	"database/sql"
	"flag"
	"fmt"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"time"

	"wanhu/bench/benchkit"
	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/secret"
	"wanhu/internal/store"
)

const perPage = 50

// benchQuery is one search: the filter given to household.Store.List. Its
// SQL is what household.ListSQL says List runs (with no scope), so the
// shell runs the very same statements.
type benchQuery struct {
	name   string
	filter household.Filter
	st     household.Statements
}

func (q benchQuery) countSQL() string { return q.st.Count.SQL }
func (q benchQuery) pageSQL() string  { return q.st.Page.SQL }

// statements fills in the statements of each query.
func statements(ctx context.Context, db *store.DB, qs []benchQuery) error {
	for i := range qs {
		st, err := household.ListSQL(ctx, db, org.Everything, qs[i].filter)
		if err != nil {
			return err
		}
		qs[i].st = st
	}
	return nil
}

func queries(ctx context.Context, db *store.DB, prefix string) ([]benchQuery, error) {
	// A grid in the middle of the city, and its commonest non-green colour.
	var grid int64
	if err := db.QueryRowContext(ctx, `SELECT id FROM org_units WHERE kind = 'grid' ORDER BY id LIMIT 1 OFFSET (SELECT COUNT(*) / 2 FROM org_units WHERE kind = 'grid')`).Scan(&grid); err != nil {
		return nil, err
	}
	// A household in a building in the middle of the city, for the
	// address searches (issue 14).
	var compound, building, unit, room string
	if err := db.QueryRowContext(ctx, `SELECT c.name, b.name, h.unit, h.room FROM households h JOIN buildings b ON b.id = h.building_id
		JOIN compounds c ON c.id = b.compound_id WHERE h.unit <> '' AND h.id >= (SELECT MAX(id) / 2 FROM households) ORDER BY h.id LIMIT 1`).
		Scan(&compound, &building, &unit, &room); err != nil {
		return nil, err
	}
	number := strings.TrimSuffix(building, "号楼")
	spaced := compound + " " + building + " " + unit + "单元 " + room + "室"
	return []benchQuery{
		{
			name:   fmt.Sprintf("name prefix %q", prefix),
			filter: household.Filter{Q: prefix, PerPage: perPage},
		},
		{name: "address, spaced", filter: household.Filter{Q: spaced, PerPage: perPage}},
		{name: "address, no spaces", filter: household.Filter{Q: strings.ReplaceAll(spaced, " ", ""), PerPage: perPage}},
		{name: "building-unit-room", filter: household.Filter{Q: number + "-" + unit + "-" + room, PerPage: perPage}},
		{name: "compound only", filter: household.Filter{Q: compound, PerPage: perPage}},
		{name: "pinyin initials \"wl\"", filter: household.Filter{Q: "wl", PerPage: perPage}},
		{name: "full pinyin \"wangwei\"", filter: household.Filter{Q: "wangwei", PerPage: perPage}},
		{
			name:   fmt.Sprintf("grid %d + colour yellow", grid),
			filter: household.Filter{GridID: grid, Colour: household.Yellow, PerPage: perPage},
		},
		{
			name:   fmt.Sprintf("grid %d + colour green", grid),
			filter: household.Filter{GridID: grid, Colour: household.Green, PerPage: perPage},
		},
	}, nil
}

// search times each query through household.Store.List and through the
// sqlite3 command-line shell, and prints the medians and their ratio.
func search(args []string) error {
	fs := flag.NewFlagSet("search", flag.ExitOnError)
	path := fs.String("db", "", "SQLite file made by gen")
	runs := fs.Int("runs", 21, "timed runs per query (after one warm-up)")
	prefix := fs.String("q", "王伟", "name prefix to search")
	cli := fs.String("sqlite3", "sqlite3", "the sqlite3 command-line shell")
	explain := fs.Bool("explain", true, "print EXPLAIN QUERY PLAN of each statement")
	fs.Parse(args)
	ctx := context.Background()
	db, err := store.OpenNoMigrate(ctx, *path)
	if err != nil {
		return err
	}
	defer db.Close()
	keys, err := secret.Load(*path + ".key") // made by gen
	if err != nil {
		return err
	}
	db.SetKeys(keys)
	qs, err := queries(ctx, db, *prefix)
	if err != nil {
		return err
	}
	if err := statements(ctx, db, qs); err != nil {
		return err
	}
	s := household.NewStore(db)
	fmt.Printf("%-30s %7s %10s %13s %13s %7s\n", "query", "total", "ours (ms)", "driver (ms)", "sqlite3 (ms)", "ratio")
	for _, q := range qs {
		var ours []time.Duration
		var total int
		for i := 0; i <= *runs; i++ {
			start := time.Now()
			_, n, err := s.List(ctx, q.filter)
			if err != nil {
				return fmt.Errorf("%s: %w", q.name, err)
			}
			if i > 0 {
				ours = append(ours, time.Since(start))
			}
			total = n
		}
		var driver []time.Duration
		for i := 0; i <= *runs; i++ {
			start := time.Now()
			if err := runDriver(ctx, db, q); err != nil {
				return err
			}
			if i > 0 {
				driver = append(driver, time.Since(start))
			}
		}
		bare, cliTotal, err := timeCLI(*cli, *path, q, *runs)
		if err != nil {
			return fmt.Errorf("%s: sqlite3: %w", q.name, err)
		}
		if cliTotal != total {
			return fmt.Errorf("%s: the store found %d, the same SQL in sqlite3 %d: the shell and the store disagree", q.name, total, cliTotal)
		}
		mo, mb := median(ours), median(bare)
		fmt.Printf("%-30s %7d %10.2f %13.2f %13.2f %6.2fx\n", q.name, total, ms(mo), ms(median(driver)), ms(mb), float64(mo)/float64(mb))
		if *explain {
			for _, st := range []household.Stmt{q.st.Count, q.st.Page} {
				plan, err := explainPlan(*cli, *path, st.SQL, st.Args)
				if err != nil {
					return err
				}
				fmt.Printf("  EXPLAIN QUERY PLAN %s\n%s", firstWords(st.SQL), indent(plan))
			}
		}
	}
	return nil
}

// runDriver runs the same two statements through database/sql with no
// scanning into households: what the driver alone costs.
func runDriver(ctx context.Context, db *store.DB, q benchQuery) error {
	var n int
	for _, st := range q.st.Asked {
		if err := db.QueryRowContext(ctx, st.SQL, st.Args...).Scan(&n); err != nil {
			return err
		}
	}
	if err := db.QueryRowContext(ctx, q.countSQL(), q.st.Count.Args...).Scan(&n); err != nil {
		return err
	}
	rows, err := db.QueryContext(ctx, q.pageSQL(), q.st.Page.Args...)
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

// cliScript is a sqlite3 shell script running body.
func cliScript(body string) string {
	return ".bail on\n.mode list\n" + body
}

// cliStatements are q's statements with their arguments written in:
// those that choose the plan, the count, the page.
func (q benchQuery) cliStatements() string {
	var b strings.Builder
	for _, st := range q.st.Asked {
		b.WriteString(benchkit.Inline(st.SQL, st.Args) + ";\n")
	}
	b.WriteString(benchkit.Inline(q.st.Count.SQL, q.st.Count.Args) + ";\n")
	b.WriteString(benchkit.Inline(q.st.Page.SQL, q.st.Page.Args) + ";\n")
	return b.String()
}

// cliReps is how many times one sqlite3 process runs a query, so that its
// start-up cost, measured separately and subtracted, is spread thin.
const cliReps = 50

// timeCLI times the count and page statements in the sqlite3 shell: each
// of runs+1 invocations (the first a warm-up) runs them cliReps times with
// output discarded, and the shell's start-up (an invocation that only binds
// the parameters) is subtracted. It returns the time per count+page pair and
// the count.
func timeCLI(cli, path string, q benchQuery, runs int) ([]time.Duration, int, error) {
	out, err := runCLI(cli, path, cliScript(benchkit.Inline(q.st.Count.SQL, q.st.Count.Args)+";\n"))
	if err != nil {
		return nil, 0, err
	}
	total, err := strconv.Atoi(strings.TrimSpace(string(out)))
	if err != nil {
		return nil, 0, fmt.Errorf("count: %q", out)
	}
	var body strings.Builder
	body.WriteString(".output /dev/null\n")
	for range cliReps {
		body.WriteString(q.cliStatements())
	}
	work, empty := cliScript(body.String()), cliScript(".output /dev/null\n")
	var per []time.Duration
	for i := 0; i <= runs; i++ {
		t0 := time.Now()
		if _, err := runCLI(cli, path, empty); err != nil {
			return nil, 0, err
		}
		t1 := time.Now()
		if _, err := runCLI(cli, path, work); err != nil {
			return nil, 0, err
		}
		t2 := time.Now()
		if i > 0 {
			per = append(per, max(t2.Sub(t1)-t1.Sub(t0), 0)/cliReps)
		}
	}
	return per, total, nil
}

func explainPlan(cli, path, stmt string, args []any) (string, error) {
	out, err := runCLI(cli, path, cliScript("EXPLAIN QUERY PLAN "+benchkit.Inline(stmt, args)+";\n"))
	return string(out), err
}

func runCLI(cli, path, script string) ([]byte, error) {
	cmd := exec.Command(cli, "-readonly", path)
	cmd.Stdin = strings.NewReader(script)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%w: %s", err, stderr.String())
	}
	return out, nil
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func firstWords(s string) string {
	f := strings.Fields(s)
	return strings.Join(f[:min(2, len(f))], " ") + " …"
}

func indent(s string) string {
	var b strings.Builder
	for _, l := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		b.WriteString("    " + l + "\n")
	}
	return b.String()
}
