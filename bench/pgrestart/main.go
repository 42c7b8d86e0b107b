// Command pgrestart restarts PostgreSQL under a running `wanhu serve` with
// load on it, and reports whether the server came back by itself: the
// requests of each phase (before the restart, while /readyz said not
// ready, after it said ready again) and their failures, how long /readyz
// took to notice and to recover, and what it said meanwhile. Run by
// bench/pgrestart.sh, which makes the private cluster and the server.
//
//	pgrestart -base http://127.0.0.1:18533 -user admin -password P \
//	    -restart 'pg_ctl … restart' [-clients 16] [-before 5s] [-after 10s]
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"wanhu/bench/benchkit"
)

// phase of the run a request was sent in.
const (
	before = iota
	notReady
	after
	phases
)

var phaseNames = [phases]string{"before the restart", "while /readyz said not ready", "after /readyz said ready again"}

func main() {
	base := flag.String("base", "", "the server's address")
	user := flag.String("user", "admin", "account to sign in as")
	password := flag.String("password", "", "its password")
	restart := flag.String("restart", "", "shell command that restarts PostgreSQL")
	clients := flag.Int("clients", 16, "concurrent clients")
	lead := flag.Duration("before", 5*time.Second, "load before the restart")
	tail := flag.Duration("after", 10*time.Second, "load after /readyz says ready again")
	flag.Parse()
	if err := run(*base, *user, *password, *restart, *clients, *lead, *tail); err != nil {
		fmt.Fprintln(os.Stderr, "pgrestart:", err)
		os.Exit(1)
	}
}

func run(base, user, password, restart string, clients int, lead, tail time.Duration) error {
	token, err := benchkit.Token(base, user, password)
	if err != nil {
		return err
	}
	ids, err := householdIDs(base, token)
	if err != nil {
		return err
	}
	var phase atomic.Int32
	var mu sync.Mutex
	var sent, failed [phases]int
	failures := map[string]int{}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 30 * time.Second}
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := c; ; i += clients {
				select {
				case <-stop:
					return
				default:
				}
				p := phase.Load()
				code, err := get(client, base+"/api/v1/households/"+fmt.Sprint(ids[i%len(ids)]), token)
				mu.Lock()
				sent[p]++
				if err != nil || code != 200 {
					failed[p]++
					what := fmt.Sprint(code)
					if err != nil {
						what = err.Error()
					}
					failures[phaseNames[p]+": "+what]++
				}
				mu.Unlock()
			}
		}()
	}
	time.Sleep(lead)
	start := time.Now()
	restarted := make(chan error, 1)
	go func() {
		out, err := exec.Command("sh", "-c", restart).CombinedOutput()
		if err != nil {
			err = fmt.Errorf("%w: %s", err, out)
		}
		restarted <- err
	}()
	// Poll /readyz every 50 ms: note the first 503 and the first 200
	// after it.
	var firstDown, backUp time.Duration
	reasons := map[string]int{}
	restartTook := time.Duration(-1)
	for backUp == 0 && time.Since(start) < 2*time.Minute {
		select {
		case err := <-restarted:
			if err != nil {
				close(stop)
				return fmt.Errorf("restart: %w", err)
			}
			restartTook = time.Since(start)
		default:
		}
		code, body, err := readyz(client, base)
		switch {
		case err == nil && code == 200 && firstDown > 0:
			backUp = time.Since(start)
			phase.Store(after)
		case err == nil && code == 200 && restartTook >= 0 && time.Since(start) > restartTook+5*time.Second:
			backUp = time.Since(start) // never seen down: the restart was faster than the polls
			phase.Store(after)
		case err != nil || code != 200:
			if firstDown == 0 {
				firstDown = time.Since(start)
				phase.Store(notReady)
			}
			reasons[fmt.Sprint(code)+" "+strings.TrimSpace(body)]++
		}
		time.Sleep(50 * time.Millisecond)
	}
	if restartTook < 0 {
		if err := <-restarted; err != nil {
			close(stop)
			return fmt.Errorf("restart: %w", err)
		}
		restartTook = time.Since(start)
	}
	if backUp == 0 {
		close(stop)
		return fmt.Errorf("/readyz did not say ready within 2 minutes of the restart")
	}
	time.Sleep(tail)
	close(stop)
	wg.Wait()

	fmt.Printf("%d clients, GET /api/v1/households/{id} over %d households, restart command took %s\n", clients, len(ids), restartTook.Round(time.Millisecond))
	fmt.Printf("/readyz: first not ready %s after the restart began, ready again after %s\n", firstDown.Round(time.Millisecond), backUp.Round(time.Millisecond))
	for _, r := range sortedKeys(reasons) {
		fmt.Printf("  /readyz said %q %d times\n", r, reasons[r])
	}
	fmt.Printf("%-32s %9s %9s\n", "phase", "requests", "failed")
	for p := range phases {
		fmt.Printf("%-32s %9d %9d\n", phaseNames[p], sent[p], failed[p])
	}
	for _, f := range sortedKeys(failures) {
		fmt.Printf("  %s: %d\n", f, failures[f])
	}
	if failed[after] > 0 {
		return fmt.Errorf("%d requests failed after /readyz said ready again", failed[after])
	}
	return nil
}

func get(c *http.Client, url, token string) (int, error) {
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	io.Copy(io.Discard, res.Body)
	return res.StatusCode, nil
}

func readyz(c *http.Client, base string) (int, string, error) {
	res, err := c.Get(base + "/readyz")
	if err != nil {
		return 0, err.Error(), err
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b), nil
}

// householdIDs returns the ids of the first page of households the user
// sees.
func householdIDs(base, token string) ([]int64, error) {
	req, _ := http.NewRequest("GET", base+"/api/v1/households?limit=200", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	var page struct {
		Items []struct {
			ID int64 `json:"id"`
		} `json:"items"`
	}
	if err := json.NewDecoder(res.Body).Decode(&page); err != nil {
		return nil, fmt.Errorf("households: %d: %w", res.StatusCode, err)
	}
	var ids []int64
	for _, h := range page.Items {
		ids = append(ids, h.ID)
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("households: none listed")
	}
	return ids, nil
}

func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
