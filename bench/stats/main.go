// Command stats is the statistics benchmark of bench/stats.sh: the
// population dashboard at city scale, on SQLite and PostgreSQL.
//
//	stats gen -db DSN -key FILE -n 1000000   generate a city into an empty database (a SQLite file that
//	                                         does not exist, or an empty PostgreSQL database), timed
//	stats count -db DSN                      print the number of households (0 if none or no schema)
//	stats time -db DSN -runs 7               time the dashboard through internal/stats against the
//	           [-sqlite3 sqlite3 | -psql psql]  hand-written aggregate SQL in the sqlite3 / psql shell,
//	                                         check both give the same numbers, print medians and ratios
//	stats rss -wanhu BIN -db DSN -key FILE   serve the database with a built wanhu binary, request the
//	          [-rounds 20]                   dashboard repeatedly as an administrator, print the
//	                                         server's peak RSS (VmHWM)
//	stats snapshot -wanhu BIN -db DSN        take the statistics snapshot, serve the database, and time the
//	          [-user U -password P]          city's statistics over HTTP as its administrator, from the
//	          [-runs 5 -live-runs 3]         snapshot and live (?live=1), beside the hand SQL in the shell;
//	                                         writes to the database: use a copy
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"wanhu/internal/gen"
	"wanhu/internal/secret"
	"wanhu/internal/store"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: stats gen|count|time|rss|snapshot [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "gen":
		err = generate(os.Args[2:])
	case "count":
		err = count(os.Args[2:])
	case "time":
		err = timeDashboard(os.Args[2:])
	case "rss":
		err = peakRSS(os.Args[2:])
	case "snapshot":
		err = timeSnapshot(os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "stats:", err)
		os.Exit(1)
	}
}

// generate fills an empty database with n households and prints the
// time. A new key file seals the ID and phone numbers, as `wanhu gen` does.
func generate(args []string) error {
	fs := flag.NewFlagSet("gen", flag.ExitOnError)
	dsn := fs.String("db", "", "SQLite file to create (must not exist) or postgres:// URL of an empty database")
	keyFile := fs.String("key", "", "key file to create (default DB.key beside a SQLite file)")
	n := fs.Int("n", 1_000_000, "households")
	seed := fs.Int64("seed", 1, "seed")
	fs.Parse(args)
	if !store.IsPostgresURL(*dsn) {
		if _, err := os.Stat(*dsn); err == nil {
			return fmt.Errorf("%s exists; generation wants a fresh file", *dsn)
		}
		if *keyFile == "" {
			*keyFile = *dsn + ".key"
		}
	}
	if *keyFile == "" {
		return fmt.Errorf("-key is required with PostgreSQL")
	}
	ctx := context.Background()
	db, err := store.Open(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	os.Remove(*keyFile)
	keys, err := secret.NewKeyFile(*keyFile)
	if err != nil {
		return err
	}
	db.SetKeys(keys)
	start := time.Now()
	last := -1
	sum, err := gen.Generate(ctx, db, gen.Options{Households: *n, Seed: *seed, Progress: func(done, total int) {
		if pct := done * 100 / total; pct/10 != last/10 {
			last = pct
			fmt.Fprintf(os.Stderr, "\r%3d%%  %d households  %s", pct, done, time.Since(start).Round(time.Second))
		}
	}})
	fmt.Fprintln(os.Stderr)
	if err != nil {
		return err
	}
	if db.Dialect() == store.Postgres {
		// Fresh statistics for the planner, as gen's ANALYZE does on SQLite.
		if _, err := db.ExecContext(ctx, `ANALYZE`); err != nil {
			return err
		}
	}
	el := time.Since(start)
	fmt.Printf("generated %d households, %d persons, %d communities, %d grids in %.1f s (%.0f households/s)\n",
		sum.Households, sum.Persons, sum.Communities, sum.Grids, el.Seconds(), float64(sum.Households)/el.Seconds())
	return nil
}

// count prints the number of households of the database, 0 when it has
// no schema yet.
func count(args []string) error {
	fs := flag.NewFlagSet("count", flag.ExitOnError)
	dsn := fs.String("db", "", "SQLite file or postgres:// URL")
	fs.Parse(args)
	ctx := context.Background()
	db, err := store.OpenNoMigrate(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	var n int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM households`).Scan(&n); err != nil {
		n = 0
	}
	fmt.Println(n)
	return nil
}
