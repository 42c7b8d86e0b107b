// Command photos is the photo benchmark of bench/photos.sh: a built
// `wanhu serve` on a fresh database, eight photo uploads at once through
// the API as the demo's grid worker, and the server's peak memory.
//
//	photos -wanhu BIN [-dir DIR] [-at-once 8] [-limit 300] [-decoders 0] [-only NAME]
//
// For each kind of photo the server is started afresh (so its peak
// resident set, VmHWM of /proc/PID/status, is that case's alone), 8 visits
// are recorded, and one photo is sent to each at once. It prints how many
// were accepted (201), refused (400) and turned away (503), the median
// and slowest upload, and the peak RSS against the goal.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"wanhu/internal/gen"
	"wanhu/internal/secret"
	"wanhu/internal/store"
)

func main() {
	bin := flag.String("wanhu", "", "built wanhu binary")
	dir := flag.String("dir", "", "directory for the database (default: a new temporary one, removed at the end)")
	atOnce := flag.Int("at-once", 8, "uploads sent at once in each case")
	limitMB := flag.Float64("limit", 300, "the goal: peak RSS under this many MB")
	decoders := flag.Int("decoders", 0, "--photo-decoders for wanhu serve (0: its default)")
	only := flag.String("only", "", "run only the cases whose name contains this")
	flag.Parse()
	if err := run(*bin, *dir, *atOnce, *limitMB, *decoders, *only); err != nil {
		fmt.Fprintln(os.Stderr, "photos:", err)
		os.Exit(1)
	}
}

func run(bin, dir string, atOnce int, limitMB float64, decoders int, only string) error {
	if bin == "" {
		return fmt.Errorf("-wanhu is required: a built wanhu binary")
	}
	if dir == "" {
		d, err := os.MkdirTemp("", "wanhu-photos-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	dsn := filepath.Join(dir, "photos.db")
	password, err := prepare(dsn)
	if err != nil {
		return err
	}
	fmt.Printf("a fresh database %s (the demo community, %d households); uploads as visitor1 (a grid worker), %d at once\n", dsn, gen.DongxingHouseholds, atOnce)
	var serveArgs []string
	if decoders > 0 {
		serveArgs = []string{"--photo-decoders", strconv.Itoa(decoders)}
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "\tcase\tphoto KB\tstored as\t201\t400\t503\tmedian s\tmax s\tRSS at start MB\tpeak RSS MB\t")
	worst, other := 0.0, []string{}
	for _, c := range cases() {
		if only != "" && !strings.Contains(c.name, only) {
			continue
		}
		r, err := runCase(bin, dsn, password, serveArgs, c, atOnce)
		if err != nil {
			return fmt.Errorf("%s: %w", c.name, err)
		}
		fmt.Fprintf(tw, "\t%s\t%d\t%s\t%d\t%d\t%d\t%.2f\t%.2f\t%.1f\t%.1f\t\n", c.name, len(c.data)>>10, r.stored,
			r.count(201), r.count(400), r.count(503), median(r.times).Seconds(), slices.Max(r.times).Seconds(), r.start.HWM, r.end.HWM)
		for status, body := range r.other {
			other = append(other, fmt.Sprintf("%s: answered %d: %.300s", c.name, status, body))
		}
		worst = max(worst, r.end.HWM)
	}
	tw.Flush()
	for _, o := range other {
		fmt.Println("  " + o)
	}
	verdict := "meets"
	if worst >= limitMB {
		verdict = "MISSES"
	}
	fmt.Printf("\nthe highest peak RSS, %.1f MB, %s the goal of < %.0f MB\n", worst, verdict, limitMB)
	return nil
}

// prepare generates the demo community into a fresh SQLite file with its
// key file beside it, and gives the demo accounts a new random password.
func prepare(dsn string) (string, error) {
	ctx := context.Background()
	for _, f := range []string{dsn, dsn + "-wal", dsn + "-shm", dsn + ".key"} {
		os.Remove(f)
	}
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return "", err
	}
	defer db.Close()
	keys, err := secret.NewKeyFile(dsn + ".key")
	if err != nil {
		return "", err
	}
	db.SetKeys(keys)
	if _, err := gen.Generate(ctx, db, gen.Options{}); err != nil {
		return "", err
	}
	b := make([]byte, 12)
	rand.Read(b)
	password := "bench-" + hex.EncodeToString(b)
	_, err = gen.DemoAccounts(ctx, db, password)
	return password, err
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
