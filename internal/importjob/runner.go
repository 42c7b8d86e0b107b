package importjob

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"wanhu/internal/access"
	"wanhu/internal/audit"
	"wanhu/internal/auth"
	"wanhu/internal/household"
	"wanhu/internal/importer"
	"wanhu/internal/pii"
	"wanhu/internal/stats"
	"wanhu/internal/store"
)

// Start runs the queued jobs of the database in the background, one at a
// time, until ctx ends or stop is called: it looks every Poll, and at
// once after Wake; every ten minutes it tidies (Tidy). On stop, a job it
// runs is given back to the queue (its import rolled back), for the next
// runner. Call stop before closing the database.
func (j *Jobs) Start(ctx context.Context) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(j.Poll)
		defer t.Stop()
		var tidied time.Time
		for {
			if j.now().Sub(tidied) >= 10*time.Minute {
				if err := j.Tidy(ctx); err != nil && ctx.Err() == nil {
					j.log.Error("import: tidying the jobs failed", "error", err)
				}
				tidied = j.now()
			}
			if _, err := j.RunPending(ctx); err != nil && ctx.Err() == nil {
				j.log.Error("import: claiming a job failed", "error", err)
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			case <-j.wake:
			}
		}
	}()
	return func() {
		cancel()
		<-done
	}
}

// RunPending claims and runs queued jobs until there is none, and returns
// how many it ran.
func (j *Jobs) RunPending(ctx context.Context) (int, error) {
	n := 0
	for ctx.Err() == nil {
		c, err := j.claim(ctx)
		if err != nil || c == nil {
			return n, err
		}
		if c.id != 0 {
			j.run(ctx, *c)
			n++
		}
	}
	return n, nil
}

// claimed is a job this runner took: its id and the state it runs in.
type claimed struct {
	id    int64
	state State
}

// claim takes the oldest job that is queued, or whose runner stopped
// beating Stale ago: nil when there is none, an empty claim when the one
// found was failed as interrupted too often (look again). PostgreSQL
// skips the rows other runners are claiming; SQLite's transactions take
// the write lock at BEGIN, so claims run one at a time. An idle runner
// only reads.
func (j *Jobs) claim(ctx context.Context) (*claimed, error) {
	now := j.now().UTC()
	stale := now.Add(-j.Stale)
	if j.db.Dialect() == store.SQLite && j.created.After(stale) {
		stale = j.created // see Stale
	}
	const queued = `SELECT id, state, attempts FROM import_jobs WHERE state IN ('checking', 'applying')
		AND (runner = '' OR heartbeat_at IS NULL OR heartbeat_at < ?) ORDER BY id LIMIT 1`
	var probe int64
	err := j.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM (`+queued+`) q`, stale).Scan(&probe)
	if err != nil || probe == 0 {
		return nil, err
	}
	lock := ""
	if j.db.Dialect() == store.Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	var c *claimed
	err = j.db.InTx(ctx, func(tx *store.Tx) error {
		c = nil
		var cl claimed
		var attempts int
		err := tx.QueryRowContext(ctx, queued+lock, stale).Scan(&cl.id, &cl.state, &attempts)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		if attempts >= j.MaxAttempts {
			j.log.Warn("import: a job was interrupted too often", "job", cl.id, "attempts", attempts)
			_, err := tx.ExecContext(ctx, `UPDATE import_jobs SET state = 'failed', error = ?, runner = '', heartbeat_at = NULL,
				finished_at = ?, updated_at = ? WHERE id = ?`, ErrInterrupted, now, now, cl.id)
			c = &claimed{}
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE import_jobs SET runner = ?, heartbeat_at = ?, attempts = attempts + 1, started_at = ?,
			finished_at = NULL, rows_read = 0, fraction = 0, updated_at = ? WHERE id = ?`, j.Name, now, now, now, cl.id); err != nil {
			return err
		}
		c = &cl
		return nil
	})
	return c, err
}

// run runs claimed job c with the scope of its user and records how it
// ended; see end and Options.Commit.
func (j *Jobs) run(ctx context.Context, c claimed) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	j.setLive(c.id, importer.Progress{})
	defer j.dropLive(c.id)
	job, err := j.load(ctx, j.db, c.id, false)
	if err != nil {
		j.fail(ctx, c, err)
		return
	}
	u, err := auth.NewStore(j.db).UserByUsername(ctx, job.username)
	if err != nil || !access.Can(u, access.Import) {
		j.end(ctx, c, Failed, nil, ErrNoRight)
		return
	}
	path, err := restoreFile(ctx, j.db, c.id, job.FileName)
	if err != nil {
		j.fail(ctx, c, err)
		return
	}
	defer removeTemp(path)
	beating := j.beat(ctx, c, cancel)
	o := importer.Options{Path: path, Name: job.FileName, Scope: access.Scope(u), Actor: household.Actor{ID: u.ID, Name: u.DisplayName},
		Community: job.CommunityID, Mapping: job.Options.Mapping, CreatePlaces: job.Options.CreatePlaces, Partial: job.Options.Partial,
		DryRun: c.state == Checking, Progress: j.progressOf(c.id),
		Log: audit.New(j.db), Entry: audit.Entry{UserID: u.ID, Username: u.Username, Role: u.RoleNames()}}
	if c.state == Applying {
		o.Commit = func(ctx context.Context, tx *store.Tx, rep *importer.Report) error {
			done := *rep
			done.Applied = true
			return j.record(ctx, tx, c, Done, &done, "")
		}
	}
	rep, err := importer.Run(ctx, j.db, o)
	beating()
	switch {
	case ctx.Err() != nil:
		j.release(c)
	case err != nil:
		j.fail(ctx, c, err)
	case c.state == Checking:
		j.end(ctx, c, Checked, rep, "")
	case !rep.Applied:
		j.end(ctx, c, Refused, rep, "")
	default:
		j.log.Info("import: imported", "job", c.id, "households", rep.Households, "created", rep.Created, "updated", rep.Updated,
			"unchanged", rep.Unchanged, "errors", rep.ErrorsTotal)
		j.refreshStats(ctx, c.id)
	}
}

// refreshStats takes the statistics snapshot again after job id's import,
// so that the city's counts include it. The import is done whatever
// happens here: a refresh that fails is logged, and the daily job takes
// the next.
func (j *Jobs) refreshStats(ctx context.Context, id int64) {
	start := time.Now()
	s, err := stats.RefreshSnapshot(ctx, j.db, j.now())
	if err != nil {
		j.log.Error("import: refreshing the statistics snapshot failed", "job", id, "error", err)
		return
	}
	j.log.Info("import: statistics snapshot refreshed", "job", id, "on", s.On.String(), "took", time.Since(start).Round(time.Millisecond))
}

// beat writes c's heartbeat and progress every Beat on PostgreSQL until
// the returned stop is called, and cancels the run when the claim was
// taken over. SQLite writes none: the import holds the write lock, and
// the pages read the progress from memory.
func (j *Jobs) beat(ctx context.Context, c claimed, lost context.CancelFunc) (stop func()) {
	if j.db.Dialect() != store.Postgres {
		return func() {}
	}
	done, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(j.Beat)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
			}
			p := j.liveOf(c.id)
			res, err := j.db.ExecContext(ctx, `UPDATE import_jobs SET heartbeat_at = ?, rows_read = ?, fraction = ? WHERE id = ? AND runner = ? AND state = ?`,
				j.now().UTC(), p.Rows, p.Fraction, c.id, j.Name, c.state)
			if err != nil {
				continue // the next beat tries again; Stale is many beats
			}
			if n, err := res.RowsAffected(); err == nil && n == 0 {
				j.log.Warn("import: another runner took the job over", "job", c.id)
				lost()
				return
			}
		}
	}()
	return func() { close(done); <-stopped }
}

// end records how claimed job c ended, if this runner still holds it.
func (j *Jobs) end(ctx context.Context, c claimed, s State, rep *importer.Report, why string) {
	err := j.db.InTx(context.WithoutCancel(ctx), func(tx *store.Tx) error { return j.record(ctx, tx, c, s, rep, why) })
	if err != nil {
		j.log.Error("import: recording the end of a job failed", "job", c.id, "state", s, "error", err)
		return
	}
	n := 0
	if rep != nil {
		n = rep.ErrorsTotal
	}
	j.log.Info("import: job ended", "job", c.id, "state", s, "errors", n, "why", why)
}

// errLost refuses to record the end of a job another runner took over.
var errLost = errors.New("import: the job was taken over by another runner")

// record writes in tx that claimed job c ended in state s with report
// rep (nil: none) or error why, and removes its file unless the report
// has problems to mark on it (Tidy removes it after Keep). It fails with
// errLost when the claim is no longer this runner's.
func (j *Jobs) record(ctx context.Context, tx *store.Tx, c claimed, s State, rep *importer.Report, why string) error {
	ctx = context.WithoutCancel(ctx)
	report, err := storedReport(rep)
	if err != nil {
		return err
	}
	p := j.liveOf(c.id)
	now := j.now().UTC()
	res, err := tx.ExecContext(ctx, `UPDATE import_jobs SET state = ?, report = CASE WHEN ? THEN ? ELSE report END, error = ?, runner = '',
		heartbeat_at = NULL, rows_read = ?, fraction = ?, finished_at = ?, updated_at = ? WHERE id = ? AND runner = ? AND state = ?`,
		s, rep != nil, report, why, p.Rows, p.Fraction, now, now, c.id, j.Name, c.state)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return errLost
	}
	if s.Ended() && (rep == nil || rep.ErrorsTotal == 0) {
		return removeFile(ctx, tx, c.id, now)
	}
	return nil
}

// fail records that claimed job c could not run, logging why (the
// database's or the file's error, with any number in it masked).
func (j *Jobs) fail(ctx context.Context, c claimed, err error) {
	j.log.Error("import: a job failed", "job", c.id, "error", pii.Redact(err.Error()))
	j.end(ctx, c, Failed, nil, ErrInternal)
}

// release gives claimed job c back to the queue when this runner stops
// during it: the next runner starts it again at once.
func (j *Jobs) release(c claimed) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := j.db.ExecContext(ctx, `UPDATE import_jobs SET runner = '', heartbeat_at = NULL, attempts = attempts - 1, updated_at = ?
		WHERE id = ? AND runner = ? AND state = ?`, j.now().UTC(), c.id, j.Name, c.state); err != nil {
		j.log.Error("import: giving a job back failed", "job", c.id, "error", err)
	}
}

// progressOf is the importer's Progress of job id.
func (j *Jobs) progressOf(id int64) func(importer.Progress) {
	return func(p importer.Progress) {
		j.setLive(id, p)
		if j.progressed != nil {
			j.progressed(p)
		}
	}
}

func (j *Jobs) setLive(id int64, p importer.Progress) {
	j.mu.Lock()
	defer j.mu.Unlock()
	l, ok := j.live[id]
	if !ok {
		l.start = j.now()
	}
	l.p = p
	j.live[id] = l
}

func (j *Jobs) liveOf(id int64) importer.Progress {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.live[id].p
}

func (j *Jobs) dropLive(id int64) {
	j.mu.Lock()
	defer j.mu.Unlock()
	delete(j.live, id)
}

// Tidy cancels the jobs that waited for their user longer than Keep
// (uploaded or checked) and removes their files, and those of jobs that
// ended longer than Keep ago.
func (j *Jobs) Tidy(ctx context.Context) error {
	now := j.now().UTC()
	before := now.Add(-j.Keep)
	return j.db.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE import_jobs SET state = 'cancelled', error = ?, finished_at = ?, updated_at = ?
			WHERE state IN ('uploaded', 'checked') AND updated_at < ?`, ErrExpired, now, now, before); err != nil {
			return fmt.Errorf("import: expire jobs: %w", err)
		}
		const old = `SELECT id FROM import_jobs WHERE file_removed_at IS NULL
			AND (state = 'cancelled' OR state IN ('done', 'failed', 'refused') AND finished_at < ?)`
		if _, err := tx.ExecContext(ctx, `DELETE FROM import_job_chunks WHERE job_id IN (`+old+`)`, before); err != nil {
			return fmt.Errorf("import: remove old files: %w", err)
		}
		_, err := tx.ExecContext(ctx, `UPDATE import_jobs SET file_removed_at = ? WHERE id IN (`+old+`)`, now, before)
		return err
	})
}

// Running returns how many jobs this runner runs now and how many rows
// they have read so far: the import progress in the server's metrics.
func (j *Jobs) Running() (jobs, rows int) {
	j.mu.Lock()
	defer j.mu.Unlock()
	for _, l := range j.live {
		jobs++
		rows += l.p.Rows
	}
	return jobs, rows
}
