package importjob

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"wanhu/internal/access"
	"wanhu/internal/apperr"
	"wanhu/internal/auth"
	"wanhu/internal/importer"
	"wanhu/internal/store"
)

// Jobs are the import jobs of a database, for its users, and this
// server's runner of them (Start).
type Jobs struct {
	db  *store.DB
	log *slog.Logger
	// Name is this runner's in the claims it writes (host, process and a
	// random part by default).
	Name string
	// Poll is how often an idle runner looks for queued jobs (Wake makes
	// it look at once).
	Poll time.Duration
	// Beat is how often a runner writes its heartbeat and the progress.
	Beat time.Duration
	// Stale is how long a claim without a heartbeat lasts before another
	// runner takes the job over. On SQLite, which has one server and
	// whose runner cannot beat while its import holds the write lock, a
	// claim another runner made before this one was created is taken
	// over at once: it was a process that died, and the next upload of
	// its community should not wait for it.
	Stale time.Duration
	// Keep is how long a job waits for its user, and how long the file of
	// an ended job with problems is kept for the highlighted copy.
	Keep time.Duration
	// MaxAttempts is how many times a job is started before it fails as
	// interrupted.
	MaxAttempts int
	now         func() time.Time
	created     time.Time // when New made this runner
	// progressed, when set (by tests), is called with every progress of
	// a job this runner runs.
	progressed func(importer.Progress)

	mu   sync.Mutex
	live map[int64]live
	wake chan struct{}
}

// live is the progress of a job this runner runs.
type live struct {
	p     importer.Progress
	start time.Time
}

// New returns the jobs of db.
func New(db *store.DB, log *slog.Logger) *Jobs {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	host, _ := os.Hostname()
	b := make([]byte, 4)
	rand.Read(b)
	return &Jobs{db: db, log: log, Name: fmt.Sprintf("%s:%d:%s", host, os.Getpid(), hex.EncodeToString(b)),
		Poll: 2 * time.Second, Beat: 2 * time.Second, Stale: 2 * time.Minute, Keep: 24 * time.Hour, MaxAttempts: 3,
		now: time.Now, created: time.Now().UTC(), live: map[int64]live{}, wake: make(chan struct{}, 1)}
}

// SetClock makes the jobs read the time from now (for tests).
func (j *Jobs) SetClock(now func() time.Time) { j.now = now }

// Wake makes the runner look for queued jobs at once.
func (j *Jobs) Wake() {
	select {
	case j.wake <- struct{}{}:
	default:
	}
}

// Get returns job id as u may see it: their own, or any of a community
// they administer. Anything else is apperr.ErrNotFound, as a job that is
// not there.
func (j *Jobs) Get(ctx context.Context, u *auth.User, id int64) (*Job, error) {
	return j.visible(ctx, u, id, true)
}

// Status returns job id as Get does, without its preview and report: what
// a page polls while the job runs.
func (j *Jobs) Status(ctx context.Context, u *auth.User, id int64) (*Job, error) {
	return j.visible(ctx, u, id, false)
}

// visible loads job id if u may see it.
func (j *Jobs) visible(ctx context.Context, u *auth.User, id int64, full bool) (*Job, error) {
	if !access.Can(u, access.Import) {
		return nil, apperr.ErrForbidden
	}
	job, err := j.load(ctx, j.db, id, full)
	if err != nil {
		return nil, err
	}
	if job.UserID != u.ID && !access.Scope(u).Administers(job.path) {
		return nil, apperr.ErrNotFound
	}
	return job, nil
}

// own loads job id for an action only its user may take.
func (j *Jobs) own(ctx context.Context, u *auth.User, id int64) (*Job, error) {
	job, err := j.visible(ctx, u, id, true)
	if err != nil {
		return nil, err
	}
	if job.UserID != u.ID {
		return nil, fmt.Errorf("only %s, who uploaded the file, may check, import or cancel it: %w", job.UserName, apperr.ErrForbidden)
	}
	return job, nil
}

// List returns the newest jobs u may see (Get), at most n, without
// previews and reports.
func (j *Jobs) List(ctx context.Context, u *auth.User, n int) ([]Job, error) {
	if !access.Can(u, access.Import) {
		return nil, apperr.ErrForbidden
	}
	cond, args := []string{"j.user_id = ?"}, []any{u.ID}
	for _, p := range access.Scope(u).Paths {
		cond, args = append(cond, "c.path LIKE ?"), append(args, p+"%")
	}
	rows, err := j.db.QueryContext(ctx, jobQuery(false)+` WHERE `+strings.Join(cond, " OR ")+` ORDER BY j.id DESC LIMIT ?`, append(args, n)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Job
	for rows.Next() {
		job, err := j.scan(rows, false)
		if err != nil {
			return nil, err
		}
		out = append(out, *job)
	}
	return out, rows.Err()
}

// jobQuery selects a job with its community and user; full adds the
// preview and the report.
func jobQuery(full bool) string {
	big := `'', ''`
	if full {
		big = `j.preview, j.report`
	}
	return `SELECT j.id, j.community_id, c.name, c.path, j.file_name, j.file_size, j.options, j.state, ` + big + `, j.error,
		j.rows_read, j.fraction, j.user_id, u.username, u.display_name, j.attempts, j.created_at, j.updated_at, j.started_at,
		j.finished_at, j.file_removed_at
		FROM import_jobs j JOIN org_units c ON c.id = j.community_id JOIN users u ON u.id = j.user_id`
}

// load reads job id, whoever may see it.
func (j *Jobs) load(ctx context.Context, q store.Querier, id int64, full bool) (*Job, error) {
	job, err := j.scan(q.QueryRowContext(ctx, jobQuery(full)+` WHERE j.id = ?`, id), full)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.ErrNotFound
	}
	return job, err
}

// scan reads a row of jobQuery, with the live progress of a job this
// runner runs.
func (j *Jobs) scan(s interface{ Scan(...any) error }, full bool) (*Job, error) {
	var job Job
	var opts, preview, report string
	var started, finished, removed sql.NullTime
	if err := s.Scan(&job.ID, &job.CommunityID, &job.Community, &job.path, &job.FileName, &job.FileSize, &opts, &job.State,
		&preview, &report, &job.Error, &job.Progress.Rows, &job.Progress.Fraction, &job.UserID, &job.username, &job.UserName,
		&job.Attempts, &job.CreatedAt, &job.UpdatedAt, &started, &finished, &removed); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(opts), &job.Options); err != nil {
		return nil, fmt.Errorf("import job %d: options: %w", job.ID, err)
	}
	if full && preview != "" {
		if err := json.Unmarshal([]byte(preview), &job.Preview); err != nil {
			return nil, fmt.Errorf("import job %d: preview: %w", job.ID, err)
		}
	}
	if full && report != "" {
		var err error
		if job.Report, err = loadReport(report); err != nil {
			return nil, fmt.Errorf("import job %d: report: %w", job.ID, err)
		}
	}
	job.CreatedAt, job.UpdatedAt = job.CreatedAt.UTC(), job.UpdatedAt.UTC()
	job.StartedAt, job.FinishedAt, job.FileKept = timeOf(started), timeOf(finished), !removed.Valid
	j.progress(&job)
	return &job, nil
}

// progress fills the job's rows per second, and its progress from this
// runner's memory while it runs here.
func (j *Jobs) progress(job *Job) {
	end := j.now()
	if job.FinishedAt != nil {
		end = *job.FinishedAt
	}
	start := job.StartedAt
	j.mu.Lock()
	if l, ok := j.live[job.ID]; ok && job.State.Running() {
		job.Progress.Rows, job.Progress.Fraction, start = l.p.Rows, l.p.Fraction, &l.start
	}
	j.mu.Unlock()
	if start != nil {
		if secs := end.Sub(*start).Seconds(); secs > 0 && job.Progress.Rows > 0 {
			job.Progress.RowsPerSecond = float64(job.Progress.Rows) / secs
		}
	}
}

func timeOf(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

// stored is a report as a job keeps it: with the arguments of its
// problems, which its JSON leaves out and their translations need.
type stored struct {
	*importer.Report
	Args [][]any `json:"problem_args"`
}

// storedReport is the text of rep as stored ("" for nil).
func storedReport(rep *importer.Report) (string, error) {
	if rep == nil {
		return "", nil
	}
	s := stored{Report: rep, Args: make([][]any, len(rep.Errors))}
	for i, p := range rep.Errors {
		s.Args[i] = p.Args
	}
	b, err := json.Marshal(s)
	return string(b), err
}

// loadReport reads a report stored by storedReport, numbers in its
// problems' arguments as they were written.
func loadReport(text string) (*importer.Report, error) {
	s := stored{Report: &importer.Report{}}
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	if err := dec.Decode(&s); err != nil {
		return nil, err
	}
	for i := range s.Report.Errors {
		if i < len(s.Args) {
			s.Report.Errors[i].Args = s.Args[i]
		}
	}
	return s.Report, nil
}
