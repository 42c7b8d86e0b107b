package main

// What a run with several servers measures beside the requests: the CPU
// each process took during the mix (the servers, PostgreSQL's processes,
// this load generator, the rest of the machine), read from /proc; the
// servers' connection-pool waits, read from their /metrics; and what
// PostgreSQL's backends of the database were doing, sampled from
// pg_stat_activity. On one machine the servers, the database and the load
// generator share the cores, so throughput cannot grow with servers once
// the cores are busy; the CPU each request costs in each process is what
// tells how far it would grow with a machine for each.

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
)

// clockTicks is the unit of the CPU times in /proc (USER_HZ: 100 on Linux
// on every architecture Go supports).
const clockTicks = 100

// procCPU returns the CPU time (user and system) process pid has used, in
// seconds, from /proc/PID/stat.
func procCPU(pid int) (float64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name, field 2, is in parentheses and may hold spaces.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, fmt.Errorf("/proc/%d/stat: no command name", pid)
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(f))
	}
	// f[0] is field 3 (state); utime and stime are fields 14 and 15.
	ut, err1 := strconv.ParseFloat(f[11], 64)
	st, err2 := strconv.ParseFloat(f[12], 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("/proc/%d/stat: utime %q, stime %q", pid, f[11], f[12])
	}
	return (ut + st) / clockTicks, nil
}

// processesNamed returns the CPU seconds of every process whose command
// name is name (PostgreSQL's postmaster and its backends are all
// "postgres"), by pid.
func processesNamed(name string) map[int]float64 {
	out := map[int]float64{}
	dirs, _ := filepath.Glob("/proc/[0-9]*/comm")
	for _, d := range dirs {
		b, err := os.ReadFile(d)
		if err != nil || strings.TrimSpace(string(b)) != name {
			continue
		}
		pid, err := strconv.Atoi(filepath.Base(filepath.Dir(d)))
		if err != nil {
			continue
		}
		if s, err := procCPU(pid); err == nil {
			out[pid] = s
		}
	}
	return out
}

// machineCPU returns the seconds all cores have spent busy and in all
// since boot, from the first line of /proc/stat.
func machineCPU() (busy, all float64) {
	f, err := os.Open("/proc/stat")
	if err != nil {
		return 0, 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	if !sc.Scan() {
		return 0, 0
	}
	fields := strings.Fields(sc.Text())
	for i, v := range fields[1:] {
		if i >= 8 { // guest times are already counted in user
			break
		}
		n, _ := strconv.ParseFloat(v, 64)
		all += n
		if i != 3 && i != 4 { // idle, iowait
			busy += n
		}
	}
	return busy / clockTicks, all / clockTicks
}

// cpuSnap is the CPU times at one moment of what a run watches.
type cpuSnap struct {
	at        time.Time
	servers   []float64
	postgres  map[int]float64
	self      float64
	busy, all float64
}

func takeCPU(pids []int) cpuSnap {
	s := cpuSnap{at: time.Now(), postgres: processesNamed("postgres")}
	for _, p := range pids {
		v, _ := procCPU(p)
		s.servers = append(s.servers, v)
	}
	s.self, _ = procCPU(os.Getpid())
	s.busy, s.all = machineCPU()
	return s
}

// cpuUse is the CPU seconds taken between two snapshots.
type cpuUse struct {
	wall       float64
	servers    []float64
	postgres   float64 // every postgres process
	database   float64 // the backends of the measured database (pgBackends), if known
	self       float64 // this load generator, with its bare handler not running
	busy, idle float64 // the whole machine
}

// cpuBetween subtracts a from b. backends are the pids of the database's
// backends (nil: unknown); one started after a counts from zero.
func cpuBetween(a, b cpuSnap, backends []int) cpuUse {
	u := cpuUse{wall: b.at.Sub(a.at).Seconds(), self: b.self - a.self, busy: b.busy - a.busy}
	u.idle = (b.all - a.all) - u.busy
	for i := range b.servers {
		u.servers = append(u.servers, b.servers[i]-a.servers[i])
	}
	for pid, v := range b.postgres {
		d := v - a.postgres[pid]
		u.postgres += d
		if slices.Contains(backends, pid) {
			u.database += d
		}
	}
	return u
}

// pgWatch samples pg_stat_activity of one database while a phase runs:
// how many of its client backends were running, waiting (by wait event)
// or idle in a transaction, on average.
type pgWatch struct {
	db      *sql.DB
	mu      sync.Mutex
	samples int
	states  map[string]int // "running", "Lock:transactionid", "idle in transaction", "idle", ...
	stop    chan struct{}
	done    chan struct{}
}

// watchPostgres opens dsn (a postgres:// URL) for sampling; nil without
// one.
func watchPostgres(dsn string) (*pgWatch, error) {
	if dsn == "" {
		return nil, nil
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, fmt.Errorf("pg_stat_activity: %w", err)
	}
	return &pgWatch{db: db}, nil
}

// start samples every 50 ms until end.
func (p *pgWatch) start() {
	if p == nil {
		return
	}
	p.samples, p.states = 0, map[string]int{}
	p.stop, p.done = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(p.done)
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-p.stop:
				return
			case <-t.C:
				p.sample()
			}
		}
	}()
}

func (p *pgWatch) sample() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	rows, err := p.db.QueryContext(ctx, `SELECT coalesce(state, ''), coalesce(wait_event_type, ''), coalesce(wait_event, '')
		FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend' AND pid <> pg_backend_pid()`)
	if err != nil {
		return
	}
	defer rows.Close()
	counts := map[string]int{}
	for rows.Next() {
		var state, typ, event string
		if rows.Scan(&state, &typ, &event) != nil {
			return
		}
		k := state
		switch {
		case state == "active" && typ == "":
			k = "running (CPU)"
		case state == "active" && typ == "Client":
			k = "active, " + typ + ":" + event // sending an answer, or reading the next message
		case state == "active":
			k = "waiting " + typ + ":" + event
		}
		counts[k]++
	}
	if rows.Err() != nil {
		return
	}
	p.mu.Lock()
	p.samples++
	for k, n := range counts {
		p.states[k] += n
	}
	p.mu.Unlock()
}

// end stops sampling and returns the average count of backends in each
// state, largest first, and the pids of the database's client backends now.
func (p *pgWatch) end() ([]stateCount, []int) {
	if p == nil {
		return nil, nil
	}
	close(p.stop)
	<-p.done
	var out []stateCount
	for k, n := range p.states {
		out = append(out, stateCount{k, float64(n) / float64(max(p.samples, 1))})
	}
	slices.SortFunc(out, func(a, b stateCount) int {
		switch {
		case a.avg > b.avg:
			return -1
		case a.avg < b.avg:
			return 1
		}
		return strings.Compare(a.state, b.state)
	})
	var pids []int
	rows, err := p.db.Query(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend' AND pid <> pg_backend_pid()`)
	if err == nil {
		for rows.Next() {
			var pid int
			if rows.Scan(&pid) == nil {
				pids = append(pids, pid)
			}
		}
		rows.Close()
	}
	return out, pids
}

type stateCount struct {
	state string
	avg   float64
}

// poolStats is what a server's /metrics says of its connection pool.
type poolStats struct {
	ok               bool
	waits, waitSecs  float64 // go_sql_wait_count_total, go_sql_wait_duration_seconds_total
	inUse, maxOpen   float64
	closedIdle, open float64
}

// scrapePool reads the database/sql pool's metrics from base/metrics
// with token; ok is false without a token or when it fails.
func scrapePool(hc *http.Client, base, token string) poolStats {
	var p poolStats
	if token == "" {
		return p
	}
	req, err := http.NewRequest("GET", base+"/metrics", nil)
	if err != nil {
		return p
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := hc.Do(req)
	if err != nil {
		return p
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return p
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		l := sc.Text()
		if !strings.HasPrefix(l, "go_sql_") {
			continue
		}
		name, rest, _ := strings.Cut(l, "{")
		f := strings.Fields(rest)
		if len(f) == 0 {
			continue
		}
		v, err := strconv.ParseFloat(f[len(f)-1], 64)
		if err != nil {
			continue
		}
		switch name {
		case "go_sql_wait_count_total":
			p.waits = v
		case "go_sql_wait_duration_seconds_total":
			p.waitSecs = v
		case "go_sql_in_use_connections":
			p.inUse = v
		case "go_sql_max_open_connections":
			p.maxOpen = v
		case "go_sql_max_idle_time_closed_total", "go_sql_max_idle_closed_total", "go_sql_max_lifetime_closed_total":
			p.closedIdle += v
		case "go_sql_open_connections":
			p.open = v
		}
	}
	p.ok = sc.Err() == nil
	return p
}
