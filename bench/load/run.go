package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"wanhu/bench/benchkit"
)

// sample is one request's outcome.
type sample struct {
	ms   float64
	size int
	ok   bool
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
	base := fs.String("url", "http://127.0.0.1:8080", "the running wanhu serve (loopback only)")
	pid := fs.Int("pid", 0, "the server's process id, for its peak RSS (VmHWM)")
	clients := fs.Int("clients", 200, "concurrent clients")
	dur := fs.Duration("duration", 15*time.Second, "length of each phase")
	maxReq := fs.Int("max-requests", 2_000_000, "at most this many requests per phase")
	solo := fs.String("solo", "healthz,grids,visits/due,households/{id},(page),leader GET /api/v1/households?q=",
		"routes measured alone and against the bare handler: comma-separated parts of their names, or none")
	skip := fs.String("skip", "", "routes left out of the mix: comma-separated parts of their names (\"all\": no mix)")
	engine := fs.String("engine", "", "label of the database for the report (sqlite, postgres)")
	fs.Parse(args)
	u, err := url.Parse(*base)
	if err != nil {
		return err
	}
	if err := loopback(u.Host); err != nil {
		return err
	}
	w := &world{base: strings.TrimRight(*base, "/"), hc: &http.Client{
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
	if _, _, err := w.send(w.visitor, "GET", "/api/v1/visits/due?per_page=100", nil, &due); err != nil {
		return err
	}
	for _, d := range due.Items {
		w.today = append(w.today, d.HouseholdID)
		w.grid = d.GridID
	}
	if len(w.today) == 0 {
		return fmt.Errorf("visitor1 has nothing due: no day list to load")
	}

	fmt.Printf("# Morning load%s: %d clients, %s per phase, %s (visitor1 has %d households due)\n\n",
		label(*engine), *clients, *dur, w.base, len(w.today))
	var ops []op
	for _, o := range mix() {
		if *skip != "all" && !matches(o.route, *skip) {
			ops = append(ops, o)
		}
	}
	if len(ops) > 0 {
		morning(w, ops, *clients, *dur, *maxReq, *pid)
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
		bw := &world{base: bareURL, hc: w.hc}
		fmt.Printf("\n## Each route alone, then the bare net/http handler with the same body size\n\n")
		fmt.Println("| route | requests/s | p50 ms | p99 ms | errors | body | bare requests/s | share of bare |")
		fmt.Println("|---|---:|---:|---:|---:|---:|---:|---:|")
		for _, o := range alone {
			o.weight = 1
			r := phase(w, []op{o}, *clients, *dur, *maxReq)[0]
			size := r.medianSize()
			b := phase(bw, []op{{route: "bare", weight: 1, do: func(bw *world, c *clientState) (int, int, error) {
				return bw.get(nil, fmt.Sprintf("/bare?n=%d", size), false)
			}}}, *clients, *dur, *maxReq)[0]
			fmt.Printf("| %s | %.0f | %.1f | %.1f | %d | %s | %.0f | **%.1f%%** |\n", o.route, r.rate(), r.quantile(0.5), r.quantile(0.99),
				r.errors(), kb(size), b.rate(), 100*r.rate()/b.rate())
		}
	}
	if *pid != 0 {
		m, err := benchkit.Memory(*pid)
		if err != nil {
			return err
		}
		fmt.Printf("\nserver peak RSS (VmHWM of /proc/%d/status) after all phases: **%.0f MB** (now %.0f MB)\n", *pid, m.HWM, m.RSS)
	}
	return nil
}

// morning runs the mix ops and prints its table and the server's RSS.
func morning(w *world, ops []op, clients int, dur time.Duration, maxReq, pid int) {
	mixed := phase(w, ops, clients, dur, maxReq)
	sum := 0
	for _, o := range ops {
		sum += o.weight
	}
	fmt.Printf("## The mix (%d requests in %.1f s, %.0f/s)\n\n", total(mixed), mixed[0].secs, float64(total(mixed))/mixed[0].secs)
	fmt.Println("| route | share | requests/s | p50 ms | p99 ms | errors | median body |")
	fmt.Println("|---|---:|---:|---:|---:|---:|---:|")
	for i, r := range mixed {
		fmt.Printf("| %s | %.0f%% | %.1f | %.1f | %.1f | %d | %s |\n", r.route, 100*float64(ops[i].weight)/float64(sum), r.rate(), r.quantile(0.5), r.quantile(0.99), r.errors(), kb(r.medianSize()))
	}
	if pid != 0 {
		if m, err := benchkit.Memory(pid); err == nil {
			fmt.Printf("\nserver RSS after the mix: %.0f MB, peak (VmHWM) %.0f MB\n", m.RSS, m.HWM)
		}
	}
}

// phase runs clients concurrent clients for d or until max requests,
// each picking its next request from ops by weight, and returns the
// samples per op.
func phase(w *world, ops []op, clients int, d time.Duration, max int) []*result {
	sum := 0
	for _, o := range ops {
		sum += o.weight
	}
	var count atomic.Int64
	out := make([][][]sample, clients)
	deadline := time.Now().Add(d)
	start := time.Now()
	var wg sync.WaitGroup
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := &clientState{rng: rand.New(rand.NewPCG(uint64(i), uint64(time.Now().UnixNano())))}
			mine := make([][]sample, len(ops))
			for time.Now().Before(deadline) && count.Add(1) <= int64(max) {
				k, x := 0, c.rng.IntN(sum)
				for x >= ops[k].weight {
					x -= ops[k].weight
					k++
				}
				t := time.Now()
				status, size, err := ops[k].do(w, c)
				ms := float64(time.Since(t).Microseconds()) / 1000
				ok := err == nil && status >= 200 && status < 300
				if !ok && os.Getenv("LOAD_DEBUG") != "" {
					fmt.Fprintf(os.Stderr, "%s: status %d, %v\n", ops[k].route, status, err)
				}
				mine[k] = append(mine[k], sample{ms, size, ok})
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
