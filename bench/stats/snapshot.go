package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"wanhu/internal/calendar"
	"wanhu/internal/stats"
	"wanhu/internal/store"
)

// cpuOf returns the CPU time (user and system) process pid has used, 0
// if /proc cannot tell.
func cpuOf(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * time.Second / 100 // USER_HZ
}

// timeSnapshot is `stats snapshot`: the city's statistics as its
// administrator gets them over HTTP from `wanhu serve`, summed from the
// statistics snapshot and counted live (?live=1), side by side with the
// hand-written aggregate SQL in the engine's shell, after checking that
// the snapshot's answer and the hand SQL give the same numbers. It takes
// the snapshot first (`wanhu stats refresh`, timed), so it writes to the
// database: run it on a copy.
func timeSnapshot(args []string) error {
	fs := flag.NewFlagSet("snapshot", flag.ExitOnError)
	bin := fs.String("wanhu", "", "built wanhu binary")
	dsn := fs.String("db", "", "SQLite file or postgres:// URL made by gen (it is written to: use a copy)")
	keyFile := fs.String("key", "", "its key file (default DB.key beside a SQLite file)")
	user := fs.String("user", "", "account to sign in as, an administrator of the city (default: "+benchAdmin+", made for the run)")
	password := fs.String("password", "", "its password (with -user)")
	runs := fs.Int("runs", 5, "timed requests of each kind from the snapshot, and the hand SQL's runs (after one warm-up)")
	liveRuns := fs.Int("live-runs", 3, "timed live requests of each kind (after one warm-up)")
	addrFlag := fs.String("addr", "", "address to serve on (default a free port of 127.0.0.1)")
	sqlite3 := fs.String("sqlite3", "sqlite3", "the sqlite3 command-line shell")
	psql := fs.String("psql", "psql", "the psql command-line shell")
	fs.Parse(args)
	if *keyFile == "" && !store.IsPostgresURL(*dsn) {
		*keyFile = *dsn + ".key"
	}
	if *user == "" {
		*user = benchAdmin
		var err error
		if *password, err = ensureAdmin(*dsn); err != nil {
			return err
		}
	}

	// The snapshot, as the daily job takes it.
	start := time.Now()
	out, err := exec.Command(*bin, "stats", "refresh", "--db", *dsn).CombinedOutput()
	if err != nil {
		return fmt.Errorf("wanhu stats refresh: %w: %s", err, out)
	}
	refresh := time.Since(start)
	fmt.Printf("%s", out)

	addr := *addrFlag
	if addr == "" {
		if addr, err = freeAddr(); err != nil {
			return err
		}
	}
	logf, err := os.CreateTemp("", "wanhu-bench-serve-*.log")
	if err != nil {
		return err
	}
	defer logf.Close()
	srv := exec.Command(*bin, "serve", "--db", *dsn, "--addr", addr, "--key-file", *keyFile)
	srv.Stdout, srv.Stderr = logf, logf
	if err := srv.Start(); err != nil {
		return err
	}
	var waitErr error
	exited := make(chan struct{})
	go func() { waitErr = srv.Wait(); close(exited) }()
	defer func() {
		srv.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			srv.Process.Kill()
			<-exited
		}
	}()
	base := "http://" + addr
	if err := waitUp(base, exited, &waitErr); err != nil {
		return fmt.Errorf("%w (server log: %s)", err, logf.Name())
	}
	c, err := signInAs(base, *user, *password)
	if err != nil {
		return err
	}

	// The numbers first: the snapshot's answer and the hand SQL's.
	var pop stats.PopulationStats
	var hh stats.HouseholdStats
	for _, x := range []struct {
		path string
		into any
	}{{"/api/v1/stats/population", &pop}, {"/api/v1/stats/households", &hh}} {
		status, body, err := c.body(probe{path: x.path})
		if err != nil || status != http.StatusOK {
			return fmt.Errorf("%s: %d %v", x.path, status, err)
		}
		if err := json.Unmarshal(body, x.into); err != nil {
			return err
		}
	}
	if pop.AsOf == nil || hh.AsOf == nil {
		return errors.New("the city's statistics were not summed from the snapshot (as_of is null)")
	}
	d := store.Postgres
	if !store.IsPostgresURL(*dsn) {
		d = store.SQLite
	}
	bands := stats.Presets["article"]
	sh := newShell(d, *dsn, *sqlite3, *psql)
	popSQL, hhSQL := handPopulationSQL(d, pop.On, bands), handHouseholdsSQL()
	handPop, err := sh.rows(popSQL)
	if err != nil {
		return fmt.Errorf("population SQL: %w", err)
	}
	handHH, err := sh.rows(hhSQL)
	if err != nil {
		return fmt.Errorf("households SQL: %w", err)
	}
	if err := same("population", populationNumbers(&pop), handPop); err != nil {
		return err
	}
	if err := same("households", householdNumbers(&hh), handHH); err != nil {
		return err
	}
	fmt.Printf("%s, snapshot of %s taken in %.1f s (as of %s): %d persons, %d households; the snapshot's answer and the hand SQL agree on every number\n",
		d, pop.On, refresh.Seconds(), pop.AsOf.In(calendar.China).Format("2006-01-02 15:04:05"), pop.Total, hh.Total)

	handPopT, handHHT, err := sh.time(popSQL, hhSQL, *runs)
	if err != nil {
		return err
	}
	probes := []struct {
		name, path string
		web        bool
		hand, cpu  []time.Duration
	}{
		{"GET /api/v1/stats/population", "/api/v1/stats/population", false, handPopT, sh.cpuA},
		{"GET /api/v1/stats/households", "/api/v1/stats/households", false, handHHT, sh.cpuB},
		{"page /stats/population", "/stats/population", true, handPopT, sh.cpuA},
		{"page /stats/households", "/stats/households", true, handHHT, sh.cpuB},
	}
	// timeOf requests path n times after a warm-up: the times and the
	// server's CPU time per request (user and system, from /proc; on
	// SQLite that includes the SQL, on PostgreSQL it does not).
	timeOf := func(path string, web bool, n int) ([]time.Duration, time.Duration, int64, error) {
		var ds []time.Duration
		var size int64
		var cpu0 time.Duration
		for i := 0; i <= n; i++ {
			if i == 1 {
				cpu0 = cpuOf(srv.Process.Pid)
			}
			status, bytes, took, err := c.get(probe{path: path, web: web})
			if err != nil {
				return nil, 0, 0, err
			}
			if status != http.StatusOK {
				return nil, 0, 0, fmt.Errorf("%s answers %d", path, status)
			}
			if i > 0 {
				ds, size = append(ds, took), bytes
			}
		}
		return ds, (cpuOf(srv.Process.Pid) - cpu0) / time.Duration(max(n, 1)), size, nil
	}
	fmt.Printf("wanhu serve on %s, as %s (administrator of the city):\n", store.Redact(*dsn), *user)
	fmt.Printf("  %-30s %9s %14s %10s %13s %13s %15s | %s\n", "request", "bytes", "snapshot (ms)", "live (ms)", sh.name()+" (ms)",
		"live/snapshot", "snapshot/"+sh.name(), "CPU (ms): snapshot, live, "+sh.name())
	for _, p := range probes {
		snap, snapCPU, size, err := timeOf(p.path, p.web, *runs)
		if err != nil {
			return err
		}
		live, liveCPU, _, err := timeOf(p.path+"?live=1", p.web, *liveRuns)
		if err != nil {
			return err
		}
		handCPU := "-"
		if len(p.cpu) > 0 && median(p.cpu) > 0 {
			handCPU = fmt.Sprintf("%.0f", ms(median(p.cpu)))
		}
		fmt.Printf("  %-30s %9d %14.1f %10.1f %13.1f %12.1fx %14.2fx | %.0f, %.0f, %s\n", p.name, size, ms(median(snap)), ms(median(live)), ms(median(p.hand)),
			float64(median(live))/float64(median(snap)), float64(median(snap))/float64(median(p.hand)), ms(snapCPU), ms(liveCPU), handCPU)
	}
	fmt.Printf("  (medians: snapshot and %s of %d runs, live of %d, each after a warm-up; times to the last byte over loopback;\n"+
		"  %s: the hand-written aggregate of the same numbers (the pages' pyramid not included); CPU: the server's per request\n"+
		"  (on PostgreSQL without the database's) and the shell's (sqlite3 only), which a busy machine does not inflate)\n",
		sh.name(), *runs, *liveRuns, sh.name())
	return nil
}
