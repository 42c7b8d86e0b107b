package daily

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"wanhu/internal/calendar"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// at is a moment at China time hh:mm of 2026-12-05.
func at(hh, mm int) time.Time {
	return time.Date(2026, 12, 5, hh, mm, 0, 0, calendar.China)
}

func fixed(t time.Time) func() time.Time { return func() time.Time { return t } }

func runOf(t *testing.T, db *store.DB, job, day string) Run {
	t.Helper()
	runs, err := LastRuns(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range runs {
		if r.Job == job && r.Day == day {
			return r
		}
	}
	return Run{}
}

// TestTwoRunnersOnce: two runners on one database, started together
// several times over, run each job exactly once, the second only after
// the first is done.
func TestTwoRunnersOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var first, second atomic.Int32
		var firstDone atomic.Bool
		var order error
		var mu sync.Mutex
		runner := func(host string) *Runner {
			r := &Runner{DB: db, Host: host, Now: fixed(at(3, 30))}
			r.Add("recolour", func(ctx context.Context, db *store.DB, now time.Time) error {
				first.Add(1)
				time.Sleep(50 * time.Millisecond) // let the other runner find it running
				firstDone.Store(true)
				return nil
			})
			r.Add("recompute", func(ctx context.Context, db *store.DB, now time.Time) error {
				second.Add(1)
				if !firstDone.Load() {
					mu.Lock()
					order = errors.New("recompute ran before recolour was done")
					mu.Unlock()
				}
				return nil
			})
			return r
		}
		a, b := runner("a"), runner("b")
		for range 3 {
			var wg sync.WaitGroup
			for _, r := range []*Runner{a, b} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if _, err := r.RunDue(ctx, false); err != nil {
						t.Error(err)
					}
				}()
			}
			wg.Wait()
		}
		// Whoever waited behind the first job picks the second up on its
		// next round.
		for _, r := range []*Runner{a, b} {
			if _, err := r.RunDue(ctx, false); err != nil {
				t.Fatal(err)
			}
		}
		if first.Load() != 1 || second.Load() != 1 {
			t.Errorf("ran recolour %d times, recompute %d times; want once each", first.Load(), second.Load())
		}
		if order != nil {
			t.Error(order)
		}
		for _, job := range []string{"recolour", "recompute"} {
			if r := runOf(t, db, job, "2026-12-05"); r.State != Done || r.FinishedAt.IsZero() || r.Attempt != 1 || (r.Host != "a" && r.Host != "b") {
				t.Errorf("%s: %+v", job, r)
			}
		}
	})
}

// TestDueAt: before --daily-at nothing runs unless forced (a server
// starting runs the day's missing jobs); after it, the day's jobs run once.
func TestDueAt(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		n := 0
		r := &Runner{DB: db, At: 3 * time.Hour, Now: fixed(at(2, 59))}
		r.Add("count", func(context.Context, *store.DB, time.Time) error { n++; return nil })
		if ran, err := r.RunDue(ctx, false); err != nil || ran != 0 || n != 0 {
			t.Fatalf("at 02:59: ran %d (%v), count %d; want nothing", ran, err, n)
		}
		r.Now = fixed(at(3, 0))
		if ran, err := r.RunDue(ctx, false); err != nil || ran != 1 || n != 1 {
			t.Fatalf("at 03:00: ran %d (%v), count %d; want 1", ran, err, n)
		}
		if ran, err := r.RunDue(ctx, true); err != nil || ran != 0 || n != 1 {
			t.Fatalf("again, forced: ran %d (%v); want 0", ran, err)
		}
		// The next China day starts at 16:00 UTC.
		r.Now = fixed(at(0, 10).AddDate(0, 0, 1))
		if ran, err := r.RunDue(ctx, true); err != nil || ran != 1 || n != 2 {
			t.Fatalf("the next day at 00:10, forced: ran %d (%v), count %d; want 1", ran, err, n)
		}
		runs, err := LastRuns(ctx, db)
		if err != nil || len(runs) != 1 || runs[0].Day != "2026-12-06" || runs[0].State != Done {
			t.Errorf("last runs: %+v %v", runs, err)
		}
	})
}

// TestDeadClaimTakenOver: a server claims a job and dies; while its lease
// holds nobody runs it; once it has run out another server does. A server
// whose lease was taken over loses its job and records nothing. Every
// server's clock is fixed at noon, China time: with the real clock, a
// server an hour ahead was on the next China day between 15:00 and 16:00
// UTC, claimed another day's row and never took the slow server's over.
func TestDeadClaimTakenOver(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := at(12, 0)
		dead := &Runner{DB: db, Host: "dead", Lease: time.Minute, Now: fixed(now)}
		if _, ok, err := dead.claim(ctx, "job", Day(now)); err != nil || !ok {
			t.Fatalf("claim: %v %v", ok, err)
		}
		n := 0
		other := &Runner{DB: db, Host: "other", Lease: time.Minute, Now: fixed(now.Add(30 * time.Second))}
		other.Add("job", func(context.Context, *store.DB, time.Time) error { n++; return nil })
		if ran, err := other.RunDue(ctx, true); err != nil || ran != 0 {
			t.Fatalf("within the lease: ran %d (%v)", ran, err)
		}
		other.Now = fixed(now.Add(61 * time.Second))
		if ran, err := other.RunDue(ctx, true); err != nil || ran != 1 || n != 1 {
			t.Fatalf("after the lease: ran %d (%v), count %d", ran, err, n)
		}
		if r := runOf(t, db, "job", Day(now)); r.State != Done || r.Host != "other" || r.Attempt != 2 {
			t.Errorf("run: %+v", r)
		}

		// A slow server (lease 300 ms, renewed every 100 ms) whose claim
		// is taken over mid-job: its job is cancelled, and it records
		// nothing over the new claim.
		slow := &Runner{DB: db, Host: "slow", Lease: 300 * time.Millisecond, Now: fixed(now)}
		taken := make(chan struct{})
		slow.Add("long", func(ctx context.Context, db *store.DB, now time.Time) error {
			close(taken)
			<-ctx.Done()
			return ctx.Err()
		})
		thief := &Runner{DB: db, Host: "thief", Lease: time.Minute, Now: fixed(now.Add(time.Hour))}
		thief.Add("long", func(context.Context, *store.DB, time.Time) error { return nil })
		errc := make(chan error, 1)
		go func() { _, err := slow.RunDue(ctx, true); errc <- err }()
		<-taken
		if ran, err := thief.RunDue(ctx, true); err != nil || ran != 1 {
			t.Fatalf("take over: ran %d (%v)", ran, err)
		}
		if err := <-errc; !errors.Is(err, errLost) {
			t.Errorf("the slow server's run: %v, want it lost", err)
		}
		if r := runOf(t, db, "long", Day(now)); r.State != Done || r.Host != "thief" || r.Attempt != 2 {
			t.Errorf("run: %+v", r)
		}
	})
}

// TestFailedRetried: a failed job is recorded with its error and tried
// again once Retry has passed, not before; the jobs after it still run.
func TestFailedRetried(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fail, n, after := true, 0, 0
		r := &Runner{DB: db, Retry: time.Hour, Now: fixed(at(4, 0))}
		r.Add("flaky", func(context.Context, *store.DB, time.Time) error {
			n++
			if fail {
				return errors.New("disk full\nsecond line")
			}
			return nil
		})
		r.Add("after", func(context.Context, *store.DB, time.Time) error { after++; return nil })
		if ran, err := r.RunDue(ctx, false); err == nil || ran != 2 || after != 1 {
			t.Fatalf("first: ran %d, err %v, after %d", ran, err, after)
		}
		if x := runOf(t, db, "flaky", "2026-12-05"); x.State != Failed || x.Error != "disk full second line" {
			t.Errorf("failed run: %+v", x)
		}
		fail = false
		r.Now = fixed(at(4, 30))
		if ran, err := r.RunDue(ctx, false); err != nil || ran != 0 {
			t.Fatalf("half an hour later: ran %d (%v)", ran, err)
		}
		r.Now = fixed(at(5, 1))
		if ran, err := r.RunDue(ctx, false); err != nil || ran != 1 || n != 2 || after != 1 {
			t.Fatalf("after Retry: ran %d (%v), tries %d, after %d", ran, err, n, after)
		}
		if x := runOf(t, db, "flaky", "2026-12-05"); x.State != Done || x.Error != "" || x.Attempt != 2 {
			t.Errorf("retried run: %+v", x)
		}
	})
}

// TestStopReleases: stopping a runner mid-job cancels the job and gives
// its claim back at once, and another server runs it without waiting for
// the lease.
func TestStopReleases(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		started := make(chan struct{})
		r := &Runner{DB: db, Host: "stopping", Lease: time.Hour}
		r.Add("long", func(ctx context.Context, db *store.DB, now time.Time) error {
			close(started)
			<-ctx.Done()
			return ctx.Err()
		})
		stop := r.Start(ctx)
		<-started
		stop()
		day := Day(time.Now())
		if x := runOf(t, db, "long", day); x.State != Released || x.FinishedAt.IsZero() {
			t.Fatalf("after stop: %+v", x)
		}
		n := 0
		next := &Runner{DB: db, Host: "next", Lease: time.Hour}
		next.Add("long", func(context.Context, *store.DB, time.Time) error { n++; return nil })
		if ran, err := next.RunDue(ctx, true); err != nil || ran != 1 || n != 1 {
			t.Fatalf("the next server: ran %d (%v)", ran, err)
		}
		if x := runOf(t, db, "long", day); x.State != Done || x.Host != "next" {
			t.Errorf("run: %+v", x)
		}
	})
}
