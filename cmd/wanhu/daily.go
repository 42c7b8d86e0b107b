package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"wanhu/internal/calendar"
	"wanhu/internal/daily"
	"wanhu/internal/household"
	"wanhu/internal/server"
	"wanhu/internal/stats"
	"wanhu/internal/store"
	"wanhu/internal/visit"
)

// lifecycle is what --daily-at and --shutdown-grace configure: when the
// daily jobs run and how long a stopping server waits for its work.
type lifecycle struct {
	dailyAt time.Duration // China time of day
	noDaily bool          // --daily-at off: this server runs no daily job
	grace   time.Duration
}

// lifecycleFlags adds --daily-at and --shutdown-grace.
func lifecycleFlags(fs *flag.FlagSet) func() (lifecycle, error) {
	at := fs.String("daily-at", "03:00", "China time (HH:MM) after which the daily jobs run (recolouring, due dates), once a day across all servers; a server starting later runs the day's missing ones at once; off: this server runs none (another server, or cron with wanhu household recolour and wanhu visit recompute, does)")
	grace := fs.Duration("shutdown-grace", 20*time.Second, "on SIGTERM or Ctrl+C, how long requests in flight and background jobs get to finish before the process exits")
	return func() (lifecycle, error) {
		if *grace < time.Second || *grace > 10*time.Minute {
			return lifecycle{}, fmt.Errorf("--shutdown-grace %s: give a duration from 1s to 10m", *grace)
		}
		if *at == "off" {
			return lifecycle{noDaily: true, grace: *grace}, nil
		}
		t, err := time.Parse("15:04", *at)
		if err != nil {
			return lifecycle{}, fmt.Errorf("--daily-at %q: give a China time of day such as 03:00, or off", *at)
		}
		return lifecycle{dailyAt: time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, grace: *grace}, nil
	}
}

// dailyJobs registers the server's daily jobs, in the order they run:
// one line each.
func dailyJobs(r *daily.Runner, log *slog.Logger) {
	r.Add(recolourJobName, recolourJob(log))
	r.Add("due_dates", dueDatesJob(log))
	r.Add("proactive", proactiveJob(log))
	r.Add("stats_snapshot", statsSnapshotJob(log))
}

// statsSnapshotJob refreshes the snapshot of the per-grid counts that the
// statistics of a street, a district and the city read (wanhu stats
// refresh), after the colours of the day are set.
func statsSnapshotJob(log *slog.Logger) daily.Func {
	return func(ctx context.Context, db *store.DB, now time.Time) error {
		s, err := stats.RefreshSnapshot(ctx, db, now)
		if err == nil {
			log.Info("daily: statistics snapshot refreshed", "on", s.On.String())
		}
		return err
	}
}

// dailyRuns reports the last run of each daily job, read from the
// database, so every server's /metrics tells the same lag.
func dailyRuns(db *store.DB, log *slog.Logger) func() []server.JobRun {
	return func() []server.JobRun {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		runs, err := daily.LastRuns(ctx, db)
		if err != nil {
			log.Warn("metrics: the daily jobs' last runs", "error", err)
			return nil
		}
		out := make([]server.JobRun, len(runs))
		for i, r := range runs {
			out[i] = server.JobRun{Name: "daily_" + r.Job, LastRun: r.StartedAt}
			if r.State == daily.Done {
				out[i].LastSuccess = r.StartedAt
			}
		}
		return out
	}
}

// recolourJobName is the recolouring's name in daily_runs, where it
// finds its last run.
const recolourJobName = "recolour"

// recolourJob recolours the households whose colour moved with the ages
// since the job last ran (household.RecolourDaily): all of them, as wanhu
// household recolour does, on the first day or after a long gap.
func recolourJob(log *slog.Logger) daily.Func {
	return func(ctx context.Context, db *store.DB, now time.Time) error {
		today := calendar.DayOf(now)
		since, sinceAt, _, err := daily.LastDone(ctx, db, recolourJobName, today.String())
		if err != nil {
			return err
		}
		r, err := household.NewStore(db).RecolourDaily(ctx, household.Actor{Name: "daily recolour"}, since, sinceAt, today)
		if err == nil {
			log.Info("daily: households recoloured", "changed", r.Changed, "read", r.Read, "full", r.Full, "why", r.Why, "since", since.String())
		}
		return err
	}
}

// dueDatesJob recomputes when each household is next due and records the
// appointments that passed without a visit (wanhu visit recompute).
func dueDatesJob(log *slog.Logger) daily.Func {
	return func(ctx context.Context, db *store.DB, now time.Time) error {
		n, err := visit.RecomputeDue(ctx, db, calendar.DayOf(now))
		if err != nil {
			return err
		}
		missed, err := visit.CloseMissed(ctx, db, now)
		if err == nil {
			log.Info("daily: due dates recomputed", "changed", n, "missed_appointments", missed)
		}
		return err
	}
}

// startDaily runs the daily jobs in the background until ctx ends or stop
// is called; stop gives a running job's claim back.
func startDaily(ctx context.Context, db *store.DB, l lifecycle, log *slog.Logger) (stop func()) {
	if l.noDaily {
		log.Info("daily: this server runs no daily job (--daily-at off)")
		return func() {}
	}
	r := &daily.Runner{DB: db, At: l.dailyAt, Log: log}
	dailyJobs(r, log)
	return r.Start(ctx)
}

// exitProcess ends the process when a shutdown outlasts its grace.
var exitProcess = os.Exit

// watchShutdown ends the process grace after ctx ends, whatever is still
// running then: the bound a supervisor (systemd, Kubernetes) relies on.
// Call the returned func once the shutdown is over.
func watchShutdown(ctx context.Context, grace time.Duration, log *slog.Logger) (done func()) {
	var mu sync.Mutex
	var timer *time.Timer
	finished := false
	stop := context.AfterFunc(ctx, func() {
		mu.Lock()
		defer mu.Unlock()
		if !finished {
			timer = time.AfterFunc(grace, func() {
				log.Error("shutdown: the grace period passed with work unfinished; exiting", "grace", grace.String())
				exitProcess(3)
			})
		}
	})
	return func() {
		stop()
		mu.Lock()
		defer mu.Unlock()
		finished = true
		if timer != nil {
			timer.Stop()
		}
	}
}
