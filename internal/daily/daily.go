// Package daily runs the server's daily jobs (recolouring the households,
// recomputing when each is next due, later the statistics snapshot) once
// per China day across all the servers that share a database.
//
// Each job and day has a row in daily_runs. A server claims the row by
// inserting it (or, when the row is there, by taking it over if its lease
// ran out, its server gave it back while shutting down, or it failed long
// enough ago), runs the job while renewing the lease, and records done or
// failed. A server that dies mid-job leaves a lease that runs out, and
// another server runs the job again: jobs must be safe to run twice.
// The claim's attempt number fences a server whose lease ran out: what
// it records afterwards changes nothing.
package daily

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"wanhu/internal/calendar"
	"wanhu/internal/store"
)

// Func is the work of a job on the China day of now.
type Func func(ctx context.Context, db *store.DB, now time.Time) error

// Job is a named daily job.
type Job struct {
	Name string
	Run  Func
}

// States of a run.
const (
	Running  = "running"
	Done     = "done"
	Failed   = "failed"
	Released = "released" // given back by a server shutting down
)

// Defaults of a Runner's zero fields.
const (
	DefaultAt    = 3 * time.Hour // 03:00 China time
	DefaultLease = 5 * time.Minute
	DefaultRetry = time.Hour
	DefaultTick  = time.Minute
)

// Runner runs its jobs once a day, in the order they were added, each on
// one server at a time. A job starts only when the jobs before it have
// finished for the day (done or failed), so a later job sees their work.
type Runner struct {
	DB *store.DB
	// At is the time of the China day after which the day's jobs run
	// (DefaultAt when 0). A server starting later in the day runs the
	// day's missing jobs at once.
	At time.Duration
	// Lease is how long a claim holds without being renewed; it is renewed
	// every third of it while the job runs (DefaultLease when 0).
	Lease time.Duration
	// Retry is how long after a failure the job is tried again the same day
	// (DefaultRetry when 0).
	Retry time.Duration
	// Tick is how often Start looks for due jobs (DefaultTick when 0).
	Tick time.Duration
	Host string // this machine, for the record (os.Hostname by default)
	Log  *slog.Logger
	Now  func() time.Time // time.Now by default

	jobs []Job
}

// Add registers a job after those already added: one line per job,
// before Start.
func (r *Runner) Add(name string, run Func) {
	r.jobs = append(r.jobs, Job{Name: name, Run: run})
}

// Jobs returns the names of the registered jobs, in order.
func (r *Runner) Jobs() []string {
	var names []string
	for _, j := range r.jobs {
		names = append(names, j.Name)
	}
	return names
}

func (r *Runner) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

func (r *Runner) log() *slog.Logger {
	if r.Log != nil {
		return r.Log
	}
	return slog.New(slog.DiscardHandler)
}

func or(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// Day is the China day of t, as daily_runs keys it.
func Day(t time.Time) string { return t.In(calendar.China).Format(time.DateOnly) }

// due reports whether the day's jobs are due at now: once the China time
// of day has passed At.
func (r *Runner) due(now time.Time) bool {
	c := now.In(calendar.China)
	midnight := time.Date(c.Year(), c.Month(), c.Day(), 0, 0, 0, 0, calendar.China)
	return c.Sub(midnight) >= or(r.At, DefaultAt)
}

// RunDue runs the jobs of today (the China day of Now) that are due:
// at any time with force (a server starting), else once At has passed.
// It returns how many jobs it ran and the errors of those that failed.
func (r *Runner) RunDue(ctx context.Context, force bool) (ran int, err error) {
	now := r.now()
	if !force && !r.due(now) {
		return 0, nil
	}
	day := Day(now)
	var errs []error
	for _, j := range r.jobs {
		if ctx.Err() != nil {
			break
		}
		c, ok, err := r.claim(ctx, j.Name, day)
		if err != nil {
			errs = append(errs, err)
			break
		}
		if ok {
			ran++
			if err := r.run(ctx, j, c); err != nil {
				errs = append(errs, err)
			}
		}
		state, err := r.state(ctx, j.Name, day)
		if err != nil {
			errs = append(errs, err)
			break
		}
		if state != Done && state != Failed {
			break // running elsewhere, or given back: later jobs wait for it
		}
	}
	return ran, errors.Join(errs...)
}

// claim is a claimed run: its job, day and attempt.
type claim struct {
	job, day string
	attempt  int
}

// claim takes the row of job and day for this server: a new row, or one
// whose lease ran out, that was released, or that failed more than Retry
// ago. It reports whether it took it.
func (r *Runner) claim(ctx context.Context, job, day string) (claim, bool, error) {
	c := claim{job: job, day: day}
	now := r.now().UTC()
	lease := now.Add(or(r.Lease, DefaultLease))
	host := r.host()
	err := r.DB.QueryRowContext(ctx, `INSERT INTO daily_runs(job, day, state, attempt, host, started_at, lease_until) VALUES (?, ?, ?, 1, ?, ?, ?)
		ON CONFLICT (job, day) DO NOTHING RETURNING attempt`, job, day, Running, host, now, lease).Scan(&c.attempt)
	if err == nil {
		return c, true, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return c, false, fmt.Errorf("daily: claim %s of %s: %w", job, day, err)
	}
	err = r.DB.QueryRowContext(ctx, `UPDATE daily_runs SET state = ?, attempt = attempt + 1, host = ?, started_at = ?, lease_until = ?, finished_at = NULL, error = ''
		WHERE job = ? AND day = ? AND ((state = ? AND lease_until < ?) OR state = ? OR (state = ? AND finished_at < ?)) RETURNING attempt`,
		Running, host, now, lease, job, day, Running, now, Released, Failed, now.Add(-or(r.Retry, DefaultRetry))).Scan(&c.attempt)
	if errors.Is(err, sql.ErrNoRows) {
		return c, false, nil
	}
	if err != nil {
		return c, false, fmt.Errorf("daily: claim %s of %s: %w", job, day, err)
	}
	return c, true, nil
}

func (r *Runner) host() string {
	if r.Host != "" {
		return r.Host
	}
	h, _ := os.Hostname()
	return h
}

// state returns the state of job's row of day ("" when there is none).
func (r *Runner) state(ctx context.Context, job, day string) (string, error) {
	var s string
	err := r.DB.QueryRowContext(ctx, `SELECT state FROM daily_runs WHERE job = ? AND day = ?`, job, day).Scan(&s)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return s, err
}

// run runs the claimed job j, renewing its lease meanwhile, and records
// how it ended: done, failed, or released when ctx ended first (the
// server is shutting down: another server, or this one once restarted,
// runs it again). A job whose lease is lost (renewal found another
// attempt) is cancelled and records nothing.
func (r *Runner) run(ctx context.Context, j Job, c claim) error {
	jctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	lease := or(r.Lease, DefaultLease)
	var wg sync.WaitGroup
	wg.Add(1)
	stop := make(chan struct{})
	go func() {
		defer wg.Done()
		t := time.NewTicker(lease / 3)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-jctx.Done():
				return
			case <-t.C:
				res, err := r.DB.ExecContext(jctx, `UPDATE daily_runs SET lease_until = ? WHERE job = ? AND day = ? AND attempt = ? AND state = ?`,
					r.now().UTC().Add(lease), c.job, c.day, c.attempt, Running)
				if err != nil {
					r.log().Warn("daily: could not renew the lease", "job", c.job, "err", err)
					continue
				}
				if n, _ := res.RowsAffected(); n == 0 {
					cancel(errLost)
					return
				}
			}
		}
	}()
	start := r.now()
	r.log().Info("daily: job started", "job", j.Name, "day", c.day, "attempt", c.attempt)
	err := j.Run(jctx, r.DB, start)
	close(stop)
	wg.Wait()
	if errors.Is(context.Cause(jctx), errLost) {
		r.log().Warn("daily: job lost its lease to another server", "job", j.Name, "day", c.day)
		return fmt.Errorf("daily: %s of %s: %w", j.Name, c.day, errLost)
	}
	state, msg := Done, ""
	switch {
	case ctx.Err() != nil:
		state = Released
		msg = "stopped: the server shut down"
	case err != nil:
		state, msg = Failed, err.Error()
	}
	// Record even when ctx ended: a shutdown gives the claim back.
	done := context.WithoutCancel(ctx)
	if _, rerr := r.DB.ExecContext(done, `UPDATE daily_runs SET state = ?, finished_at = ?, lease_until = NULL, error = ?
		WHERE job = ? AND day = ? AND attempt = ?`, state, r.now().UTC(), clean(msg), c.job, c.day, c.attempt); rerr != nil {
		err = errors.Join(err, fmt.Errorf("daily: record %s of %s: %w", j.Name, c.day, rerr))
	}
	took := r.now().Sub(start).Round(time.Millisecond)
	switch state {
	case Done:
		r.log().Info("daily: job done", "job", j.Name, "day", c.day, "took", took.String())
		return nil
	case Released:
		r.log().Info("daily: job stopped by the shutdown; another run will redo it", "job", j.Name, "day", c.day)
		return nil
	}
	r.log().Error("daily: job failed; it is tried again later", "job", j.Name, "day", c.day, "err", err)
	return fmt.Errorf("daily: %s of %s: %w", j.Name, c.day, err)
}

var errLost = errors.New("lease lost to another server")

// clean keeps an error message to one line of at most 500 bytes.
func clean(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if len(s) > 500 {
		s = s[:500]
	}
	return s
}

// Start runs the day's missing jobs now (whatever the time), then looks
// every Tick for due jobs, in the background until ctx ends or stop is
// called. stop waits for a running job to give its claim back.
func (r *Runner) Start(ctx context.Context) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(or(r.Tick, DefaultTick))
		defer t.Stop()
		force := true
		for {
			if _, err := r.RunDue(ctx, force); err != nil && ctx.Err() == nil {
				r.log().Error("daily: jobs", "err", err)
			}
			force = false
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return func() {
		cancel()
		<-done
	}
}

// Run is the last run of a job.
type Run struct {
	Job        string    `json:"job"`
	Day        string    `json:"day"`
	State      string    `json:"state"`
	Attempt    int       `json:"attempt"`
	Host       string    `json:"host"`
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at,omitzero"` // zero while running
	Error      string    `json:"error,omitempty"`
}

// LastRuns returns the latest run of every job that has run, by job name:
// for /metrics and the settings page.
func LastRuns(ctx context.Context, q store.Querier) ([]Run, error) {
	rows, err := q.QueryContext(ctx, `SELECT d.job, d.day, d.state, d.attempt, d.host, d.started_at, d.finished_at, d.error
		FROM daily_runs d WHERE d.day = (SELECT MAX(day) FROM daily_runs l WHERE l.job = d.job) ORDER BY d.job`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Run
	for rows.Next() {
		var x Run
		var finished sql.NullTime
		if err := rows.Scan(&x.Job, &x.Day, &x.State, &x.Attempt, &x.Host, &x.StartedAt, &finished, &x.Error); err != nil {
			return nil, err
		}
		x.StartedAt = x.StartedAt.UTC()
		if finished.Valid {
			x.FinishedAt = finished.Time.UTC()
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// LastDone returns the latest day before the day before (YYYY-MM-DD) on
// which job finished done, and when that run started; ok is false when
// it never did.
func LastDone(ctx context.Context, q store.Querier, job, before string) (day calendar.Date, startedAt time.Time, ok bool, err error) {
	var d string
	err = q.QueryRowContext(ctx, `SELECT day, started_at FROM daily_runs WHERE job = ? AND state = ? AND day < ? ORDER BY day DESC LIMIT 1`,
		job, Done, before).Scan(&d, &startedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return calendar.Date{}, time.Time{}, false, nil
	}
	if err != nil {
		return calendar.Date{}, time.Time{}, false, fmt.Errorf("daily: last run of %s: %w", job, err)
	}
	if day, err = calendar.ParseDate("day", d); err != nil {
		return calendar.Date{}, time.Time{}, false, fmt.Errorf("daily: last run of %s: %w", job, err)
	}
	return day, startedAt.UTC(), true, nil
}
