package main

import (
	"bytes"
	"context"
	"database/sql"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"runtime/pprof"
	"strings"
	"time"

	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/store"
	"wanhu/internal/visit"
)

// readSQL is the statement the plan generator reads a grid's households
// with (visit.Store.candidates in internal/visit/plan_store.go, copied: the
// plain SELECT the generator is compared with).
const readSQL = `SELECT h.id, h.colour, h.next_due_on, h.last_visit_at, h.offpeak, h.contact_times, h.language,
	COALESCE(c.name, ''), COALESCE(b.name, ''), h.unit, h.floor, h.room,
	(SELECT COUNT(*) FROM needs n WHERE n.household_id = h.id AND n.status IN ('open', 'in_progress'))
	FROM households h LEFT JOIN compounds c ON c.id = h.compound_id LEFT JOIN buildings b ON b.id = h.building_id
	WHERE h.grid_id = ? AND h.occupancy <> 'vacant'`

// generate times next week's plan of every grid, generated and saved one
// grid after the other as `wanhu plan week` without --grid does, and then
// the generator's read statement alone for every grid, through
// database/sql and in the sqlite3 shell.
func generate(args []string) error {
	fs := flag.NewFlagSet("generate", flag.ExitOnError)
	path := fs.String("db", "", "SQLite file made by bench/households gen and prepared")
	runs := fs.Int("runs", 5, "timed runs of the plain reads of every grid (after one warm-up)")
	cli := fs.String("sqlite3", "sqlite3", "the sqlite3 command-line shell")
	profile := fs.String("cpuprofile", "", "write a CPU profile of the plan generation to this file")
	fs.Parse(args)
	ctx := context.Background()
	db, err := open(ctx, *path)
	if err != nil {
		return err
	}
	defer db.Close()
	grids, err := org.Grids(ctx, db)
	if err != nil {
		return err
	}
	households := 0
	for _, g := range grids {
		households += g.Households
	}
	week := visit.WeekOf(calendar.Today()).Next()
	vs := visit.NewStore(db, household.NewStore(db))

	if *profile != "" {
		f, err := os.Create(*profile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
	}
	per := make([]time.Duration, 0, len(grids))
	planned := 0
	start := time.Now()
	for _, g := range grids {
		t := time.Now()
		p, err := vs.GeneratePlan(ctx, "bench", g.ID, week)
		if err != nil {
			return fmt.Errorf("grid %d: %w", g.ID, err)
		}
		per = append(per, time.Since(t))
		planned += p.Total
	}
	total := time.Since(start)
	if *profile != "" {
		pprof.StopCPUProfile()
	}
	fmt.Printf("plans for %s: %d grids, %d households (%d occupied: the rows read), %d households planned\n",
		week, len(grids), households, occupied(ctx, db), planned)
	fmt.Printf("  generator  visit.Store.GeneratePlan, every grid:       %8.2f s   median per grid %7.2f ms   slowest %7.2f ms\n",
		total.Seconds(), ms(median(per)), ms(slowest(per)))

	var driver []time.Duration
	for i := 0; i <= *runs; i++ {
		t := time.Now()
		for _, g := range grids {
			if err := readGrid(ctx, db, g.ID); err != nil {
				return err
			}
		}
		if i > 0 {
			driver = append(driver, time.Since(t))
		}
	}
	shell, err := timeShell(*cli, *path, grids, *runs)
	if err != nil {
		return fmt.Errorf("sqlite3: %w", err)
	}
	md, ms3 := median(driver), median(shell)
	fmt.Printf("  driver     the read statement via database/sql:       %8.2f s   median of %d\n", md.Seconds(), *runs)
	fmt.Printf("  sqlite3    the read statement in the sqlite3 shell:   %8.2f s   median of %d\n", ms3.Seconds(), *runs)
	fmt.Printf("  ratio generator / sqlite3 %.2fx, generator / driver %.2fx, driver / sqlite3 %.2fx\n",
		float64(total)/float64(ms3), float64(total)/float64(md), float64(md)/float64(ms3))
	return nil
}

func occupied(ctx context.Context, db *store.DB) int {
	var n int
	db.QueryRowContext(ctx, `SELECT COUNT(*) FROM households WHERE occupancy <> 'vacant'`).Scan(&n)
	return n
}

func slowest(ds []time.Duration) time.Duration {
	var m time.Duration
	for _, d := range ds {
		m = max(m, d)
	}
	return m
}

// readGrid runs the generator's read of one grid, rows scanned into
// sql.RawBytes: what the driver alone costs.
func readGrid(ctx context.Context, db *store.DB, grid int64) error {
	rows, err := db.QueryContext(ctx, readSQL, grid)
	if err != nil {
		return err
	}
	defer rows.Close()
	raw := make([]any, 13)
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

// timeShell times the read of every grid in one sqlite3 shell process,
// output discarded, runs+1 times (the first a warm-up); the start-up of
// a shell that reads nothing is subtracted.
func timeShell(cli, path string, grids []org.Grid, runs int) ([]time.Duration, error) {
	var b strings.Builder
	b.WriteString(".bail on\n.output /dev/null\n")
	for _, g := range grids {
		fmt.Fprintf(&b, "%s;\n", strings.Replace(readSQL, "?", fmt.Sprint(g.ID), 1))
	}
	work, empty := b.String(), ".output /dev/null\n"
	var out []time.Duration
	for i := 0; i <= runs; i++ {
		t0 := time.Now()
		if err := runShell(cli, path, empty); err != nil {
			return nil, err
		}
		t1 := time.Now()
		if err := runShell(cli, path, work); err != nil {
			return nil, err
		}
		t2 := time.Now()
		if i > 0 {
			out = append(out, max(t2.Sub(t1)-t1.Sub(t0), 0))
		}
	}
	return out, nil
}

func runShell(cli, path, script string) error {
	cmd := exec.Command(cli, "-readonly", path)
	cmd.Stdin = strings.NewReader(script)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%w: %s", err, stderr.String())
	}
	return nil
}
