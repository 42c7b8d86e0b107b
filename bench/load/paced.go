package main

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// An open loop: the morning's requests arrive at a given rate whatever
// the servers' speed, as thousands of grid workers opening their phones
// do, rather than from a fixed number of clients that each wait for
// their answer before asking again (phase). A closed loop of N clients
// can never show a p99 below N over its throughput; an open loop answers
// the question a city asks: at what rate of requests do the answers stay
// fast?

// parseRates reads -rates: requests per second, comma-separated.
func parseRates(s string) ([]float64, error) {
	var out []float64
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		r, err := strconv.ParseFloat(f, 64)
		if err != nil || r <= 0 {
			return nil, fmt.Errorf("-rates: %q is not a positive number of requests a second", f)
		}
		out = append(out, r)
	}
	return out, nil
}

// paced sends the mix ops for d as requests arriving at rate a second
// (a Poisson process, each op chosen by weight), each on its arrival, at
// most inflight at once. A request that finds them all busy waits for
// one, and its latency counts from its arrival, so a slow server shows
// as late answers rather than as fewer requests (no coordinated
// omission). Arrivals still waiting at 2×d are not sent: notSent counts
// them. The in-flight slots keep the state a client keeps between its
// requests (a request taken through its steps).
func paced(w *world, ops []op, rate float64, inflight int, d time.Duration) (res []*result, notSent int) {
	slots := make(chan *clientState, inflight)
	for i := range inflight {
		slots <- newClient(w, i)
	}
	rng := rand.New(rand.NewPCG(uint64(rate), uint64(time.Now().UnixNano())))
	var mu sync.Mutex
	got := make([][]sample, len(ops))
	var wg sync.WaitGroup
	start := time.Now()
	for at := start; at.Before(start.Add(d)); at = at.Add(time.Duration(rng.ExpFloat64() / rate * float64(time.Second))) {
		if wait := time.Until(at); wait > 0 {
			time.Sleep(wait)
		} else if time.Since(start) > 2*d {
			notSent++
			continue
		}
		k := pick(ops, rng)
		c := <-slots
		wg.Add(1)
		go func(at time.Time) {
			defer wg.Done()
			s := ops[k].run(w, c, at)
			mu.Lock()
			got[k] = append(got[k], s)
			mu.Unlock()
			slots <- c
		}(at)
	}
	wg.Wait()
	secs := time.Since(start).Seconds()
	res = make([]*result, len(ops))
	for k, o := range ops {
		res[k] = &result{route: o.route, secs: secs, samples: got[k]}
	}
	return res, notSent
}

// cityWide reports whether a route is one of the city-wide dashboards,
// which issue 15's p99 goal leaves out.
func cityWide(route string) bool { return strings.Contains(route, "city-wide") }

// rates runs the mix at each rate and prints a row for each: what was
// offered and done, p50 and p99 of every route but the city-wide
// dashboards, the slowest such route's p99, the dashboards' p99, errors
// and the servers' CPU per request; then the mix per route at the
// highest rate at which every route but the city-wide dashboards kept
// its p99 under 100 ms (issue 15's goal).
func rates(w *world, ops []op, list []float64, inflight int, d time.Duration, pids []int) {
	fmt.Printf("\n## The mix as an open loop: requests arriving at a fixed rate (at most %d in flight), %s each\n\n", inflight, d)
	fmt.Println("| offered/s | answered/s | p50 ms | p99 ms | slowest route's p99 ms | city-wide dashboards' p99 ms | errors | not sent | servers' CPU ms a request |")
	fmt.Println("|---:|---:|---:|---:|---|---:|---:|---:|---:|")
	var best []*result
	bestRate := 0.0
	for _, rate := range list {
		cpu0 := takeCPU(pids)
		rs, notSent := paced(w, ops, rate, inflight, d)
		use := cpuBetween(cpu0, takeCPU(pids), nil)
		fast, dash := &result{secs: rs[0].secs}, &result{secs: rs[0].secs}
		slowest, slowestP99 := "", 0.0
		errs := 0
		for _, r := range rs {
			errs += r.errors()
			if cityWide(r.route) {
				dash.samples = append(dash.samples, r.samples...)
				continue
			}
			fast.samples = append(fast.samples, r.samples...)
			if p := r.quantile(0.99); p > slowestP99 {
				slowest, slowestP99 = r.route, p
			}
		}
		n := len(fast.samples) + len(dash.samples)
		cpu := ""
		if len(pids) > 0 {
			cpu = fmt.Sprintf("%.2f", 1000*sum(use.servers)/float64(max(n, 1)))
		}
		fmt.Printf("| %.0f | %.1f | %.1f | %.1f | %.1f (%s) | %.1f | %d | %d | %s |\n", rate, float64(n)/rs[0].secs, fast.quantile(0.5), fast.quantile(0.99),
			slowestP99, slowest, dash.quantile(0.99), errs, notSent, cpu)
		if slowestP99 < 100 && errs == 0 && notSent == 0 && rate > bestRate {
			best, bestRate = rs, rate
		}
	}
	if best == nil {
		fmt.Printf("\nno rate kept every route's p99 under 100 ms with no errors\n")
		return
	}
	fmt.Printf("\n### Per route at %.0f requests/s, the highest rate at which every route but the city-wide dashboards kept its p99 under 100 ms, every request answered\n\n", bestRate)
	fmt.Println("| route | requests/s | p50 ms | p99 ms | errors |")
	fmt.Println("|---|---:|---:|---:|---:|")
	slices.SortStableFunc(best, func(a, b *result) int { return len(b.samples) - len(a.samples) })
	for _, r := range best {
		fmt.Printf("| %s | %.1f | %.1f | %.1f | %d |\n", r.route, r.rate(), r.quantile(0.5), r.quantile(0.99), r.errors())
	}
}
