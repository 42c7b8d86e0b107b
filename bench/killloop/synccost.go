package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// syncCost measures what a small write transaction (a row inserted, a
// counter row updated, as a visit does) costs to commit in WAL mode with
// synchronous=NORMAL and with synchronous=FULL, one transaction at a
// time, on dir's disk. The two settings take turns, five rounds of
// commits each, so the disk's mood is shared; it prints the medians and
// p99 of each and their ratio.
//
// With NORMAL a commit is written to the WAL but not flushed to the disk
// (the WAL is flushed at checkpoints): a process that dies loses nothing,
// but a machine that loses power can lose the last transactions. FULL
// flushes the WAL at every commit.
func syncCost(ctx context.Context, dir string, commits int, out io.Writer) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	settings := []string{"NORMAL", "FULL"}
	dbs := map[string]*sql.DB{}
	for _, s := range settings {
		path := filepath.Join(dir, "sync-"+strings.ToLower(s)+".db")
		for _, f := range []string{path, path + "-wal", path + "-shm"} {
			os.Remove(f)
		}
		db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous("+s+")&_txlock=immediate")
		if err != nil {
			return err
		}
		defer db.Close()
		db.SetMaxOpenConns(1)
		for _, q := range []string{
			`CREATE TABLE visits (id INTEGER PRIMARY KEY, client_id TEXT UNIQUE, household_id INTEGER, notes TEXT, at TIMESTAMP)`,
			`CREATE INDEX visits_household ON visits(household_id, at)`,
			`CREATE TABLE households (id INTEGER PRIMARY KEY, last_visit_at TIMESTAMP, misses INTEGER)`,
			`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000) INSERT INTO households(id, misses) SELECT i, 0 FROM n`,
		} {
			if _, err := db.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("%s: %w", q, err)
			}
		}
		dbs[s] = db
	}
	times := map[string][]time.Duration{}
	n := 0
	for round := range 5 {
		for _, s := range settings {
			for range commits {
				n++
				t0 := time.Now()
				tx, err := dbs[s].BeginTx(ctx, nil)
				if err != nil {
					return err
				}
				now := time.Now().UTC()
				if _, err := tx.ExecContext(ctx, `INSERT INTO visits(client_id, household_id, notes, at) VALUES (?, ?, ?, ?)`,
					fmt.Sprintf("c-%d", n), n%1000+1, "见到户主，身体尚好", now); err != nil {
					tx.Rollback()
					return err
				}
				if _, err := tx.ExecContext(ctx, `UPDATE households SET last_visit_at = ?, misses = 0 WHERE id = ?`, now, n%1000+1); err != nil {
					tx.Rollback()
					return err
				}
				if err := tx.Commit(); err != nil {
					return err
				}
				times[s] = append(times[s], time.Since(t0))
			}
		}
		_ = round
	}
	fmt.Fprintf(out, "commit of a small write transaction, WAL, one at a time, %d commits per setting in 5 alternating rounds, on %s:\n", 5*commits, dir)
	med := map[string]time.Duration{}
	for _, s := range settings {
		d := times[s]
		slices.Sort(d)
		med[s] = d[len(d)/2]
		fmt.Fprintf(out, "  synchronous=%-6s median %8s  p99 %8s  (%.0f commits/s at the median)\n", s, med[s].Round(time.Microsecond),
			d[len(d)*99/100].Round(time.Microsecond), float64(time.Second)/float64(med[s]))
	}
	fmt.Fprintf(out, "  FULL / NORMAL (medians): %.1f×\n", float64(med["FULL"])/float64(med["NORMAL"]))
	return nil
}
