// Command households is the household benchmark of bench/households.sh.
//
//	households gen -db FILE -n 1000000       generate a city into a fresh SQLite file, timed
//	                [-community 4470]        households per community (7 grids each)
//	households search -db FILE -runs 21      time household searches: our store against the sqlite3 CLI
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
		fmt.Fprintln(os.Stderr, "usage: households gen|search [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "gen":
		err = generate(os.Args[2:])
	case "search":
		err = search(os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "households:", err)
		os.Exit(1)
	}
}

// generate fills a fresh SQLite file with n households and prints the time.
func generate(args []string) error {
	fs := flag.NewFlagSet("gen", flag.ExitOnError)
	path := fs.String("db", "", "SQLite file to create (must not exist)")
	n := fs.Int("n", 1_000_000, "households")
	seed := fs.Int64("seed", 1, "seed")
	community := fs.Int("community", gen.DongxingHouseholds, "households per community after Dongxing (seven grids each)")
	fs.Parse(args)
	if _, err := os.Stat(*path); err == nil {
		return fmt.Errorf("%s exists; the benchmark wants a fresh file", *path)
	}
	ctx := context.Background()
	db, err := store.Open(ctx, *path)
	if err != nil {
		return err
	}
	defer db.Close()
	// ID and phone numbers are sealed, with a key file beside the database.
	os.Remove(*path + ".key")
	keys, err := secret.NewKeyFile(*path + ".key")
	if err != nil {
		return err
	}
	db.SetKeys(keys)
	start := time.Now()
	last := -1
	sum, err := gen.Generate(ctx, db, gen.Options{Households: *n, Seed: *seed, CommunitySize: *community, Progress: func(done, total int) {
		if pct := done * 100 / total; pct/10 != last/10 {
			last = pct
			fmt.Fprintf(os.Stderr, "\r%3d%%  %d households  %s", pct, done, time.Since(start).Round(time.Second))
		}
	}})
	fmt.Fprintln(os.Stderr)
	if err != nil {
		return err
	}
	el := time.Since(start)
	fmt.Printf("generated %d households, %d persons, %d communities, %d grids, %d key persons, %d special-difficulty households, %d ledger events\n",
		sum.Households, sum.Persons, sum.Communities, sum.Grids, sum.KeyPersons, sum.SpecialDifficulty, sum.LedgerEvents)
	fmt.Printf("generation: %.1f s (%.0f households/s)\n", el.Seconds(), float64(sum.Households)/el.Seconds())
	return nil
}
