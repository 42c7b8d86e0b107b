package importjob

import (
	"context"
	"encoding/json"
	"io"

	"wanhu/internal/apperr"
	"wanhu/internal/auth"
	"wanhu/internal/importer"
	"wanhu/internal/store"
)

// Check queues a dry run of job id with options o (its mapping, places
// and partial): the job must be u's, uploaded or checked. A second check
// replaces the first. Returns the job, checking.
func (j *Jobs) Check(ctx context.Context, u *auth.User, id int64, o Options) (*Job, error) {
	job, err := j.own(ctx, u, id)
	if err != nil {
		return nil, err
	}
	if job.State != Uploaded && job.State != Checked {
		return nil, &StateError{job.State, "checked"}
	}
	if err := checkMapping(o.Mapping); err != nil {
		return nil, err
	}
	o.DryRun = true
	opts, err := json.Marshal(o)
	if err != nil {
		return nil, err
	}
	return j.queue(ctx, u, job, Checking, `options = ?,`, []any{string(opts)}, Uploaded, Checked)
}

// Confirm queues the import of checked job id, which must be u's and
// whose check found no problem, or which imports the valid households
// only (Options.Partial). Returns the job, applying.
func (j *Jobs) Confirm(ctx context.Context, u *auth.User, id int64) (*Job, error) {
	job, err := j.own(ctx, u, id)
	if err != nil {
		return nil, err
	}
	if job.State != Checked {
		return nil, &StateError{job.State, "imported"}
	}
	if n := job.Problems(); n > 0 && !job.Options.Partial {
		return nil, apperr.Field("partial", "import_problems",
			"the check found %d problems: correct the file and upload it again, or check it again importing the valid households only", n)
	}
	return j.queue(ctx, u, job, Applying, "", nil, Checked)
}

// queue moves job into state to (checking or applying) for a runner to
// claim, from one of states from, setting what set says too; refused
// while another import of the job's community runs.
func (j *Jobs) queue(ctx context.Context, u *auth.User, job *Job, to State, set string, args []any, from ...State) (*Job, error) {
	if err := j.idle(ctx, j.db, job.CommunityID); err != nil {
		return nil, err
	}
	q := `UPDATE import_jobs SET ` + set + ` state = ?, runner = '', heartbeat_at = NULL, attempts = 0, rows_read = 0, fraction = 0,
		error = '', started_at = NULL, finished_at = NULL, updated_at = ? WHERE id = ? AND state IN (?, ?)`
	args = append(args, to, j.now().UTC(), job.ID, from[0], from[len(from)-1])
	res, err := j.db.ExecContext(ctx, q, args...)
	if store.IsUniqueViolation(err) {
		return nil, j.running(ctx, job.CommunityID, job.Community)
	}
	if err != nil {
		return nil, err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return nil, &StateError{job.State, string(to)}
	}
	j.Wake()
	return j.Get(ctx, u, job.ID)
}

// Cancel gives up job id, which must be u's and not running: uploaded or
// checked. Its file is removed.
func (j *Jobs) Cancel(ctx context.Context, u *auth.User, id int64) (*Job, error) {
	job, err := j.own(ctx, u, id)
	if err != nil {
		return nil, err
	}
	if job.State != Uploaded && job.State != Checked {
		return nil, &StateError{job.State, "cancelled"}
	}
	now := j.now().UTC()
	err = j.db.InTx(ctx, func(tx *store.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE import_jobs SET state = 'cancelled', finished_at = ?, updated_at = ? WHERE id = ? AND state IN ('uploaded', 'checked')`,
			now, now, id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return &StateError{job.State, "cancelled"}
		}
		return removeFile(ctx, tx, id, now)
	})
	if err != nil {
		return nil, err
	}
	return j.Get(ctx, u, id)
}

// WriteReport writes to w the .xlsx copy of job id's file with the cells
// of its last report's problems highlighted and commented, in the words
// comment gives (importer.WriteReport). The file holds what the user
// uploaded, ID numbers in full: callers record the download in the audit
// log. ErrFileRemoved says the file is gone.
func (j *Jobs) WriteReport(ctx context.Context, u *auth.User, id int64, comment func(importer.Problem) string, w io.Writer) error {
	job, err := j.Get(ctx, u, id)
	if err != nil {
		return err
	}
	if job.Report == nil {
		return &StateError{job.State, "reported on before a check"}
	}
	if !job.FileKept {
		return ErrFileRemoved
	}
	path, err := restoreFile(ctx, j.db, id, job.FileName)
	if err != nil {
		return err
	}
	defer removeTemp(path)
	return importer.WriteReport(path, job.Report, comment, w)
}
