// Command killloop kills a SQLite wanhu server with SIGKILL while it
// writes, again and again, and checks after every kill that nothing it
// acknowledged was lost and that the database is whole:
//
//  1. wanhu demo makes a small demo community in a new SQLite file;
//  2. each round starts the server on it, drives writes concurrently
//     through the API as the community's administrator (visits that find
//     a need, requests taken through submit, accept, progress and resolve,
//     a household workbook imported at once), records every write that got
//     a 2xx answer with what identifies it, and kills the server with
//     SIGKILL at a random moment;
//  3. with the server down, it opens the file and checks: PRAGMA
//     integrity_check is ok and no foreign key points nowhere; every
//     acknowledged visit, request step and import job is there; each
//     household's needs and need_added ledger events grew by exactly its
//     visits; each request's state is its timeline's last state; an
//     import's compound holds all its households when its job is done and
//     none otherwise.
//
// It prints one line a round and a summary; it exits 1 when anything was
// lost or broken. With -sync it measures instead what synchronous=FULL
// costs a commit against NORMAL (see synccost.go). bench/killloop.sh
// builds wanhu and runs it.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"
)

func main() {
	cfg := Config{Log: os.Stdout}
	flag.StringVar(&cfg.Bin, "bin", "", "the wanhu binary (required)")
	flag.StringVar(&cfg.Dir, "dir", filepath.Join(os.TempDir(), "wanhu-killloop"), "work directory (its kill.db* are replaced)")
	flag.IntVar(&cfg.Kills, "kills", 50, "kills")
	flag.StringVar(&cfg.Addr, "addr", "127.0.0.1:18790", "loopback address of the server")
	flag.IntVar(&cfg.Households, "households", 300, "households of the demo community")
	flag.IntVar(&cfg.Writers, "writers", 3, "concurrent visit writers")
	flag.DurationVar(&cfg.MinRun, "min", 300*time.Millisecond, "shortest run before a kill")
	flag.DurationVar(&cfg.MaxRun, "max", 1500*time.Millisecond, "longest run before a kill")
	seed := flag.Uint64("seed", 0, "seed of the kill times (0: from the clock)")
	sync := flag.Bool("sync", false, "measure the cost of synchronous=FULL against NORMAL instead")
	commits := flag.Int("commits", 500, "with -sync: commits per setting and round")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *sync {
		if err := syncCost(ctx, cfg.Dir, *commits, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "killloop:", err)
			os.Exit(2)
		}
		return
	}
	if cfg.Bin == "" {
		fmt.Fprintln(os.Stderr, "killloop: -bin is required")
		os.Exit(2)
	}
	if *seed == 0 {
		*seed = uint64(time.Now().UnixNano())
	}
	cfg.Seed = *seed
	start := time.Now()
	res, err := Run(ctx, cfg)
	if res != nil {
		report(res, *seed, time.Since(start))
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "killloop:", err)
		os.Exit(2)
	}
	if res.Lost != 0 || res.Broken != 0 {
		os.Exit(1)
	}
}

func report(res *Result, seed uint64, took time.Duration) {
	fmt.Printf("\nkills: %d (%d while an import was applying), seed %d, %s\n", res.Kills, res.KilledMidImport, seed, took.Round(time.Second))
	fmt.Printf("acknowledged writes: %d visits (each with a need and its ledger event), %d request steps, %d imports of %d households (%d applied whole by the end)\n",
		res.Visits, res.Steps, res.Imports, importHouseholds, res.ImportsApplied)
	fmt.Printf("checks that found an acknowledged import not yet applied and none of its households: %d (a partly applied import: 0 is the only answer the checks let pass)\n", res.PendingFound)
	fmt.Printf("lost: %d\nother problems (integrity, ledger, timelines, half imports): %d\n", res.Lost, res.Broken)
	for _, p := range res.Problems {
		fmt.Println("  ", p)
	}
}
