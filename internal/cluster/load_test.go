package cluster

// The load of TestSeveralServersOnePostgres: what its clients send through
// the servers, and the ledger of what they were told.

import (
	"context"
	"fmt"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"wanhu/internal/open311"
	"wanhu/internal/store"
)

// ledger is what the load's clients were told.
type ledger struct {
	mu        sync.Mutex
	requests  map[string]int64 // acknowledged submissions: description → id
	withPhone map[int64]string // acknowledged submissions with a phone: id → phone
	tried     int              // submissions sent
	visits    map[string]int64 // acknowledged visits: client id → id
	triedV    int
	accepted  []int64 // acknowledged acceptances
	overdue   []int64 // accepted requests whose deadline the test moved to the past
	resolved  []int64 // the other accepted requests, resolved, whose callback the test made due
	failures  map[string]int
	killAt    time.Time
	killed    string
}

func (l *ledger) fail(what string) {
	l.mu.Lock()
	l.failures[what]++
	l.mu.Unlock()
}

// runLoad sends the load through the servers and kills servers[0] a third
// of the way through.
func runLoad(t *testing.T, db *store.DB, s []*server) *ledger {
	t.Helper()
	ctx := context.Background()
	l := &ledger{requests: map[string]int64{}, withPhone: map[int64]string{}, visits: map[string]int64{}, failures: map[string]int{}}
	leader, _, err := login(s[1].url, "leader1", password, "192.0.2.20")
	if err != nil {
		t.Fatal(err)
	}
	visitor, _, err := login(s[2].url, "visitor1", password, "192.0.2.21")
	if err != nil {
		t.Fatal(err)
	}
	grid := ids(t, s[1].url, leader, "/api/v1/households?per_page=50")
	mine := ids(t, s[2].url, visitor, "/api/v1/households?per_page=50")
	if len(grid) == 0 || len(mine) == 0 {
		t.Fatalf("leader1 sees %d households, visitor1 %d", len(grid), len(mine))
	}

	toAccept := make(chan int64, workers*opsPerWorker)
	var done atomic.Int64
	total := int64(workers * opsPerWorker)
	killed := make(chan struct{})
	go func() {
		defer close(killed)
		for done.Load() < total/3 {
			time.Sleep(5 * time.Millisecond)
		}
		s[0].kill(t)
		l.mu.Lock()
		l.killAt, l.killed = time.Now(), s[0].name
		l.mu.Unlock()
	}()
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range opsPerWorker {
				n := w*opsPerWorker + j
				srv := s[(w+j)%len(s)]
				switch j % 4 {
				case 0: // a grid leader records a resident's request, with the resident's phone
					desc := fmt.Sprintf("cluster api %d: 楼道灯不亮", n)
					phone := fmt.Sprintf("139%08d", n)
					l.mu.Lock()
					l.tried++
					l.mu.Unlock()
					_, out, err := call(srv.url, leader, "POST", "/api/v1/requests", map[string]any{"category": "repairs", "description": desc,
						"channel": "hotline", "household_id": grid[n%len(grid)], "reporter_phone": phone})
					if err != nil {
						l.fail("api request")
						break
					}
					id := num(out, "id")
					l.mu.Lock()
					l.requests[desc], l.withPhone[id] = id, phone
					l.mu.Unlock()
					toAccept <- id
				case 1: // an app submits through Open311
					desc := fmt.Sprintf("cluster open311 %d: 垃圾桶满了", n)
					phone := fmt.Sprintf("138%08d", n)
					l.mu.Lock()
					l.tried++
					l.mu.Unlock()
					_, id, err := open311Post(srv.url, url.Values{"api_key": {open311.DemoKey}, "service_code": {"sanitation"}, "description": {desc},
						"address_string": {"一化小区3号楼"}, "phone": {phone}})
					if err != nil {
						l.fail("open311 request")
						break
					}
					l.mu.Lock()
					l.requests[desc], l.withPhone[id] = id, phone
					l.mu.Unlock()
				case 2: // a visit, sent again to the next server while unanswered
					cid := fmt.Sprintf("cluster-visit-%d", n)
					l.mu.Lock()
					l.triedV++
					l.mu.Unlock()
					for try := range len(s) {
						_, out, err := call(s[(w+j+try)%len(s)].url, visitor, "POST", "/api/v1/visits",
							map[string]any{"client_id": cid, "household_id": mine[n%len(mine)], "outcome": "met", "channel": "door"})
						if err == nil {
							l.mu.Lock()
							l.visits[cid] = num(out, "id")
							l.mu.Unlock()
							break
						}
						l.fail("visit (sent again)")
					}
				case 3: // the grid leader accepts a request; every second one is then made overdue
					var id int64
					select {
					case id = <-toAccept:
					default:
					}
					if id == 0 {
						break
					}
					_, _, err := call(srv.url, leader, "POST", fmt.Sprintf("/api/v1/requests/%d/accept", id),
						map[string]any{"urgency": "general", "handling": "community", "working_days": 3})
					if err != nil {
						l.fail("accept")
						break
					}
					l.mu.Lock()
					l.accepted = append(l.accepted, id)
					late := len(l.accepted)%2 == 0
					if late {
						l.overdue = append(l.overdue, id)
					}
					l.mu.Unlock()
					if late {
						if _, err := db.ExecContext(ctx, `UPDATE requests SET due_at = ? WHERE id = ?`, time.Now().UTC().Add(-time.Hour), id); err != nil {
							t.Error(err)
						}
						break
					}
					// The others are resolved at once, and their callback made due.
					if _, _, err := call(srv.url, leader, "POST", fmt.Sprintf("/api/v1/requests/%d/resolve", id),
						map[string]any{"note": "已修好", "public_note": "楼道灯已更换"}); err != nil {
						l.fail("resolve")
						break
					}
					if _, err := db.ExecContext(ctx, `UPDATE requests SET callback_due_at = ? WHERE id = ?`, time.Now().UTC().Add(-24*time.Hour), id); err != nil {
						t.Error(err)
					}
					l.mu.Lock()
					l.resolved = append(l.resolved, id)
					l.mu.Unlock()
				}
				done.Add(1)
			}
		}()
	}
	wg.Wait()
	<-killed
	t.Logf("load: %d submissions (%d acknowledged), %d visits (%d acknowledged), %d acceptances, %d made overdue, %d resolved with the callback due; %s killed at %s; failures %v",
		l.tried, len(l.requests), l.triedV, len(l.visits), len(l.accepted), len(l.overdue), len(l.resolved), l.killed, l.killAt.Format(time.TimeOnly), l.failures)
	if len(l.requests) < l.tried/2 || len(l.visits) != l.triedV || len(l.overdue) < 5 || len(l.resolved) < 5 {
		t.Fatalf("too little got through to check anything: %d of %d submissions, %d of %d visits, %d overdue",
			len(l.requests), l.tried, len(l.visits), l.triedV, len(l.overdue))
	}
	return l
}

// ids returns the ids of the list at path.
func ids(t *testing.T, base, token, path string) []int64 {
	t.Helper()
	_, out, err := call(base, token, "GET", path, nil)
	if err != nil {
		t.Fatal(err)
	}
	items, _ := out["items"].([]any)
	var ids []int64
	for _, it := range items {
		if m, ok := it.(map[string]any); ok {
			ids = append(ids, num(m, "id"))
		}
	}
	return ids
}
