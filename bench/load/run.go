package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"wanhu/bench/benchkit"
)

// sample is one request's outcome.
type sample struct {
	ms     float64
	size   int
	ok     bool
	server int // index of the server that answered (-url)
}

// result is a phase's samples of one route.
type result struct {
	route   string
	samples []sample
	secs    float64
}

func (r *result) rate() float64 { return float64(len(r.samples)) / r.secs }

func (r *result) errors() int {
	n := 0
	for _, s := range r.samples {
		if !s.ok {
			n++
		}
	}
	return n
}

// quantile returns the q-quantile of the latencies, in ms.
func (r *result) quantile(q float64) float64 {
	if len(r.samples) == 0 {
		return 0
	}
	ms := make([]float64, len(r.samples))
	for i, s := range r.samples {
		ms[i] = s.ms
	}
	slices.Sort(ms)
	return ms[min(len(ms)-1, int(q*float64(len(ms))))]
}

// medianSize is the median body size of the successful answers.
func (r *result) medianSize() int {
	var sizes []int
	for _, s := range r.samples {
		if s.ok {
			sizes = append(sizes, s.size)
		}
	}
	if len(sizes) == 0 {
		return 0
	}
	slices.Sort(sizes)
	return sizes[len(sizes)/2]
}

func run(args []string) error {
	fs := flag.NewFlagSet("run", flag.ExitOnError)
	base := fs.String("url", "http://127.0.0.1:8080", "the running wanhu serve (loopback only); several on one database: comma-separated")
	pidList := fs.String("pid", "", "the servers' process ids, in the order of -url, comma-separated: their peak RSS (VmHWM) and CPU")
	spread := fs.String("spread", "client", "with several servers: client (each client keeps to one server, client i to server i mod N, as behind a proxy that balances connections) or request (each request to the next server in turn)")
	pgDSN := fs.String("pg", "", "postgres:// URL of the servers' database: sample pg_stat_activity and count its backends' CPU during the mix")
	metricsToken := fs.String("metrics-token", "", "the servers' --metrics-token: their connection pools' waits during the mix")
	clients := fs.Int("clients", 200, "concurrent clients")
	dur := fs.Duration("duration", 15*time.Second, "length of each phase")
	maxReq := fs.Int("max-requests", 2_000_000, "at most this many requests per phase")
	solo := fs.String("solo", "healthz,grids,visits/due,households/{id},(page),leader GET /api/v1/households?q=",
		"routes measured alone and against the bare handler: comma-separated parts of their names, or none")
	skip := fs.String("skip", "", "routes left out of the mix: comma-separated parts of their names (\"all\": no mix)")
	engine := fs.String("engine", "", "label of the database for the report (sqlite, postgres)")
	rateList := fs.String("rates", "", "after the mix: the mix again as an open loop, requests arriving at each of these rates a second (comma-separated), at most -clients in flight")
	fs.Parse(args)
	rateVals, err := parseRates(*rateList)
	if err != nil {
		return err
	}
	var bases []string
	for _, b := range strings.Split(*base, ",") {
		u, err := url.Parse(strings.TrimSpace(b))
		if err != nil {
			return err
		}
		if err := loopback(u.Host); err != nil {
			return err
		}
		bases = append(bases, strings.TrimRight(strings.TrimSpace(b), "/"))
	}
	var pids []int
	for _, p := range strings.Split(*pidList, ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		n, err := strconv.Atoi(p)
		if err != nil {
			return fmt.Errorf("-pid %q: %w", p, err)
		}
		pids = append(pids, n)
	}
	if len(pids) > 0 && len(pids) != len(bases) {
		return fmt.Errorf("%d pids for %d servers", len(pids), len(bases))
	}
	if *spread != "client" && *spread != "request" {
		return fmt.Errorf("-spread %q: client or request", *spread)
	}
	pg, err := watchPostgres(*pgDSN)
	if err != nil {
		return err
	}
	w := &world{bases: bases, perRequest: *spread == "request", hc: &http.Client{
		Timeout:       60 * time.Second,
		Transport:     &http.Transport{MaxIdleConns: 4 * *clients, MaxIdleConnsPerHost: 4 * *clients},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
	for _, p := range []struct {
		a    **account
		name string
	}{{&w.visitor, "visitor1"}, {&w.leader, "leader1"}, {&w.admin, "admin"}, {&w.city, "cityadmin"}} {
		if *p.a, err = w.signIn(p.name); err != nil {
			return err
		}
	}
	var due struct {
		Items []struct {
			HouseholdID int64 `json:"household_id"`
			GridID      int64 `json:"grid_id"`
		} `json:"items"`
	}
	if _, _, err := w.send(nil, w.visitor, "GET", "/api/v1/visits/due?per_page=100", nil, &due); err != nil {
		return err
	}
	for _, d := range due.Items {
		w.today = append(w.today, d.HouseholdID)
		w.grid = d.GridID
	}
	if len(w.today) == 0 {
		return fmt.Errorf("visitor1 has nothing due: no day list to load")
	}

	spreadNote := ""
	if len(bases) > 1 {
		spreadNote = fmt.Sprintf(", %d servers on one database, each %s", len(bases),
			map[bool]string{false: "client keeping to one server", true: "request to the next server"}[w.perRequest])
	}
	fmt.Printf("# Morning load%s: %d clients, %s per phase, %s%s (visitor1 has %d households due)\n\n",
		label(*engine), *clients, *dur, strings.Join(bases, ", "), spreadNote, len(w.today))
	var ops []op
	for _, o := range mix() {
		if *skip != "all" && !matches(o.route, *skip) {
			ops = append(ops, o)
		}
	}
	if len(ops) > 0 {
		morning(w, ops, *clients, *dur, *maxReq, pids, pg, *metricsToken)
	}
	if len(rateVals) > 0 {
		if *skip == "all" { // no closed loop; the open loop's mix is whole
			ops = mix()
		}
		rates(w, ops, rateVals, *clients, *dur, pids)
	}
	var alone []op
	for _, o := range append(probes(), mix()...) {
		if o.read && *solo != "none" && matches(o.route, *solo) {
			alone = append(alone, o)
		}
	}
	if len(alone) > 0 {
		bareURL, stop, err := startBare()
		if err != nil {
			return err
		}
		defer stop()
		bw := &world{bases: []string{bareURL}, hc: w.hc}
		fmt.Printf("\n## Each route alone, then the bare net/http handler with the same body size\n\n")
		fmt.Println("| route | requests/s | p50 ms | p99 ms | errors | body | servers' CPU ms a request | bare requests/s | share of bare |")
		fmt.Println("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
		for _, o := range alone {
			o.weight = 1
			cpu0 := takeCPU(pids)
			r := phase(w, []op{o}, *clients, *dur, *maxReq)[0]
			use := cpuBetween(cpu0, takeCPU(pids), nil)
			size := r.medianSize()
			b := phase(bw, []op{{route: "bare", weight: 1, do: func(bw *world, c *clientState) (int, int, error) {
				return bw.get(c, nil, fmt.Sprintf("/bare?n=%d", size), false)
			}}}, *clients, *dur, *maxReq)[0]
			perReq := ""
			if len(use.servers) > 0 {
				perReq = fmt.Sprintf("%.3f", 1000*sum(use.servers)/float64(max(len(r.samples), 1)))
			}
			fmt.Printf("| %s | %.0f | %.1f | %.1f | %d | %s | %s | %.0f | **%.1f%%** |\n", o.route, r.rate(), r.quantile(0.5), r.quantile(0.99),
				r.errors(), kb(size), perReq, b.rate(), 100*r.rate()/b.rate())
		}
	}
	for i, pid := range pids {
		m, err := benchkit.Memory(pid)
		if err != nil {
			return err
		}
		fmt.Printf("\nserver %d peak RSS (VmHWM of /proc/%d/status) after all phases: **%.0f MB** (now %.0f MB)\n", i+1, pid, m.HWM, m.RSS)
	}
	return nil
}

// morning runs the mix ops and prints its table, then per server its
// share, CPU, pool waits and RSS, where the machine's CPU went, and what
// the database's backends were doing (pg: nil, not sampled).
func morning(w *world, ops []op, clients int, dur time.Duration, maxReq int, pids []int, pg *pgWatch, token string) {
	pool0 := make([]poolStats, len(w.bases))
	for i, b := range w.bases {
		pool0[i] = scrapePool(w.hc, b, token)
	}
	pg.start()
	cpu0 := takeCPU(pids)
	mixed := phase(w, ops, clients, dur, maxReq)
	cpu1 := takeCPU(pids)
	states, backends := pg.end()
	if pg == nil {
		backends = nil
	}
	use := cpuBetween(cpu0, cpu1, backends)
	sum := 0
	for _, o := range ops {
		sum += o.weight
	}
	n := total(mixed)
	fmt.Printf("## The mix (%d requests in %.1f s, %.0f/s)\n\n", n, mixed[0].secs, float64(n)/mixed[0].secs)
	fmt.Println("| route | share | requests/s | p50 ms | p99 ms | errors | median body |")
	fmt.Println("|---|---:|---:|---:|---:|---:|---:|")
	for i, r := range mixed {
		fmt.Printf("| %s | %.0f%% | %.1f | %.1f | %.1f | %d | %s |\n", r.route, 100*float64(ops[i].weight)/float64(sum), r.rate(), r.quantile(0.5), r.quantile(0.99), r.errors(), kb(r.medianSize()))
	}
	all := &result{route: "all", secs: mixed[0].secs}
	for _, r := range mixed {
		all.samples = append(all.samples, r.samples...)
	}
	byServer := make([]*result, len(w.bases))
	for i := range byServer {
		byServer[i] = &result{route: w.bases[i], secs: mixed[0].secs}
	}
	for _, s := range all.samples {
		byServer[s.server].samples = append(byServer[s.server].samples, s)
	}
	fmt.Printf("\n### Per server\n\n")
	fmt.Println("| server | requests/s | p50 ms | p99 ms | errors | CPU s | CPU ms a request | pool waits | pool wait s | RSS / peak MB |")
	fmt.Println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	var serverCPU, waits, waitSecs float64
	for i, r := range byServer {
		cpu, perReq, rss := "", "", ""
		if i < len(use.servers) {
			serverCPU += use.servers[i]
			cpu = fmt.Sprintf("%.1f", use.servers[i])
			perReq = fmt.Sprintf("%.3f", 1000*use.servers[i]/float64(max(len(r.samples), 1)))
			if m, err := benchkit.Memory(pids[i]); err == nil {
				rss = fmt.Sprintf("%.0f / %.0f", m.RSS, m.HWM)
			}
		}
		pw, pws := "", ""
		if p := scrapePool(w.hc, w.bases[i], token); p.ok && pool0[i].ok {
			waits += p.waits - pool0[i].waits
			waitSecs += p.waitSecs - pool0[i].waitSecs
			pw = fmt.Sprintf("%.0f", p.waits-pool0[i].waits)
			pws = fmt.Sprintf("%.1f", p.waitSecs-pool0[i].waitSecs)
		}
		fmt.Printf("| %d %s | %.1f | %.1f | %.1f | %d | %s | %s | %s | %s | %s |\n", i+1, r.route, r.rate(), r.quantile(0.5), r.quantile(0.99), r.errors(), cpu, perReq, pw, pws, rss)
	}
	if len(pids) == 0 {
		return
	}
	perReq := func(s float64) string { return fmt.Sprintf("%.2f", 1000*s/float64(max(n, 1))) }
	fmt.Printf("\n### Where the CPU went during the mix (%.1f s, %d cores = %.0f CPU s)\n\n", use.wall, runtimeCores(), use.wall*float64(runtimeCores()))
	fmt.Println("| process | CPU s | cores busy | CPU ms a request |")
	fmt.Println("|---|---:|---:|---:|")
	row := func(name string, s float64) {
		fmt.Printf("| %s | %.1f | %.2f | %s |\n", name, s, s/use.wall, perReq(s))
	}
	row(fmt.Sprintf("wanhu serve ×%d", len(pids)), serverCPU)
	if backends != nil {
		row(fmt.Sprintf("postgres: this database's %d backends", len(backends)), use.database)
		row("postgres: its other processes (other databases, writers)", use.postgres-use.database)
	} else {
		row("postgres (all its processes)", use.postgres)
	}
	row("this load generator", use.self)
	row("everything else on the machine", max(use.busy-serverCPU-use.postgres-use.self, 0))
	row("idle", use.idle)
	fmt.Printf("\nload average at the end: %s\n", loadAvg())
	if states != nil {
		fmt.Printf("\n### The database's client backends during the mix (pg_stat_activity every 50 ms, average count)\n\n")
		fmt.Println("| state | backends |")
		fmt.Println("|---|---:|")
		for _, s := range states {
			fmt.Printf("| %s | %.2f |\n", s.state, s.avg)
		}
	}
	dbCPU := use.postgres
	if backends != nil {
		dbCPU = use.database
	}
	fmt.Printf("\nsummary: %d servers, %.0f requests/s, p99 %.0f ms, %d errors, CPU ms a request: servers %s, postgres %s, load generator %s; pool waits %.0f (%.1f s)\n",
		len(w.bases), float64(n)/all.secs, all.quantile(0.99), all.errors(), perReq(serverCPU), perReq(dbCPU), perReq(use.self), waits, waitSecs)
}

func runtimeCores() int { return runtime.NumCPU() }

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Join(strings.Fields(string(b))[:3], " ")
}

// phase runs clients concurrent clients for d or until max requests,
// each picking its next request from ops by weight, and returns the
// samples per op.
func phase(w *world, ops []op, clients int, d time.Duration, max int) []*result {
	var count atomic.Int64
	out := make([][][]sample, clients)
	deadline := time.Now().Add(d)
	start := time.Now()
	var wg sync.WaitGroup
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := newClient(w, i)
			mine := make([][]sample, len(ops))
			for time.Now().Before(deadline) && count.Add(1) <= int64(max) {
				k := pick(ops, c.rng)
				mine[k] = append(mine[k], ops[k].run(w, c, time.Now()))
			}
			out[i] = mine
		}()
	}
	wg.Wait()
	secs := time.Since(start).Seconds()
	res := make([]*result, len(ops))
	for k, o := range ops {
		res[k] = &result{route: o.route, secs: secs}
		for _, mine := range out {
			res[k].samples = append(res[k].samples, mine[k]...)
		}
	}
	return res
}

// newClient returns the state of client i, which sticks to server i mod
// the servers' count.
func newClient(w *world, i int) *clientState {
	return &clientState{rng: rand.New(rand.NewPCG(uint64(i), uint64(time.Now().UnixNano()))), server: i % len(w.bases)}
}

// pick returns the index of an op of ops chosen by weight.
func pick(ops []op, rng *rand.Rand) int {
	sum := 0
	for _, o := range ops {
		sum += o.weight
	}
	k, x := 0, rng.IntN(sum)
	for x >= ops[k].weight {
		x -= ops[k].weight
		k++
	}
	return k
}

// run sends o for client c and returns its outcome, its latency counted
// from since (LOAD_DEBUG set: a failure is printed).
func (o op) run(w *world, c *clientState, since time.Time) sample {
	status, size, err := o.do(w, c)
	ms := float64(time.Since(since).Microseconds()) / 1000
	ok := err == nil && status >= 200 && status < 300
	if !ok && os.Getenv("LOAD_DEBUG") != "" {
		fmt.Fprintf(os.Stderr, "%s: status %d, %v\n", o.route, status, err)
	}
	return sample{ms, size, ok, c.last}
}

func total(rs []*result) int {
	n := 0
	for _, r := range rs {
		n += len(r.samples)
	}
	return n
}

func matches(route, list string) bool {
	for _, p := range strings.Split(list, ",") {
		if p = strings.TrimSpace(p); p != "" && strings.Contains(route, p) {
			return true
		}
	}
	return false
}

func kb(n int) string {
	if n < 1024 {
		return fmt.Sprintf("%d B", n)
	}
	return fmt.Sprintf("%.1f KB", float64(n)/1024)
}

func label(engine string) string {
	if engine == "" {
		return ""
	}
	return " on " + engine
}

// sum adds xs.
func sum(xs []float64) float64 {
	t := 0.0
	for _, x := range xs {
		t += x
	}
	return t
}
