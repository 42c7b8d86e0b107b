// Package importjob runs the household imports of the web page and the API
// as background jobs: a job survives a page reload and a server restart,
// runs once however many servers share the database, and only one import
// per community runs at a time.
//
// Create stores an uploaded file with its preview (the first rows as the
// importer reads them, numbers masked). Check queues a dry run, Confirm
// the import itself, and a runner (Start) claims queued jobs, runs
// importer.Run with the scope of the user who uploaded the file, and
// records the report. A job is claimed by writing the runner's name and a
// heartbeat in its row, under a row lock (FOR UPDATE SKIP LOCKED on
// PostgreSQL; SQLite has one writer, and one server). While it runs, the
// runner beats every few seconds and writes the progress there
// (PostgreSQL; on SQLite the import holds the write lock, and the pages
// read a job's progress from the runner's memory: the one server is the
// one runner). A job whose heartbeat stopped, because its server died, is
// taken over and run again from the start. That is safe because an import
// is one transaction, and the job's end is written in that transaction
// (importer.Options.Commit): either both happened or neither did, and a
// runner whose claim was taken over cannot commit.
//
// The file is kept in the database, sealed with the key file 1 MiB a row
// (import_job_chunks), not in a directory beside it: a city's servers
// share a PostgreSQL database and no directory, any of them must be able
// to take a job over, and the file holds every ID and phone number of the
// community, which at rest is sealed like every other. A file of 100 MB is
// a hundred rows of 1.4 MB, written and read a row at a time. It is
// removed when the job ends, or a day later when the report has problems
// to mark on it (for the highlighted copy); a job left waiting for its
// user a day is cancelled (Tidy).
package importjob

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/calendar"
	"wanhu/internal/importer"
)

// State is where a job is.
type State string

// The states of a job: uploaded → checking → checked → applying → done,
// or failed, refused or cancelled.
const (
	// Uploaded: the file is stored; its preview waits for the user's
	// mapping and options.
	Uploaded State = "uploaded"
	// Checking: a dry run is queued or running.
	Checking State = "checking"
	// Checked: the dry run's report waits for the user to confirm.
	Checked State = "checked"
	// Applying: the import is queued or running.
	Applying State = "applying"
	// Done: the import was applied (its valid households, with Partial).
	Done State = "done"
	// Failed: the job could not run (see Job.Error).
	Failed State = "failed"
	// Refused: the import found problems and wrote nothing.
	Refused State = "refused"
	// Cancelled: the user gave the job up, or left it waiting a day.
	Cancelled State = "cancelled"
)

// States lists every state in order.
var States = []State{Uploaded, Checking, Checked, Applying, Done, Failed, Refused, Cancelled}

// Running reports whether a runner works on a job in state s, or will:
// such a job counts as the import of its community.
func (s State) Running() bool { return s == Checking || s == Applying }

// Ended reports whether a job in state s is over.
func (s State) Ended() bool { return s == Done || s == Failed || s == Refused || s == Cancelled }

// MaxFileBytes is the largest file a job takes: a city's export of a
// million persons as CSV is about 150 MB.
const MaxFileBytes = 200 << 20

// PreviewRows is how many rows of each sheet a preview shows.
const PreviewRows = 8

// Options are what a job imports with.
type Options struct {
	// Mapping maps headers the importer does not recognise to fields; it
	// is saved for the community when the import is applied.
	Mapping importer.Mapping `json:"mapping"`
	// CreatePlaces creates the compounds and buildings not yet known.
	CreatePlaces bool `json:"create_places"`
	// Partial applies the valid households of a file with problems.
	Partial bool `json:"partial"`
	// DryRun says the job is checked first and imported on Confirm;
	// without it (the API's dry_run=false) it is imported at once, as
	// wanhu import does without --dry-run.
	DryRun bool `json:"dry_run"`
}

// Progress is how far a running job has come, or how far its last run
// came.
type Progress struct {
	Rows          int     `json:"rows"`
	Fraction      float64 `json:"fraction"`
	RowsPerSecond float64 `json:"rows_per_second"`
}

// Job is one import.
type Job struct {
	ID          int64   `json:"id"`
	CommunityID int64   `json:"community_id"`
	Community   string  `json:"community"`
	FileName    string  `json:"file_name"`
	FileSize    int64   `json:"file_size"`
	Options     Options `json:"options"`
	State       State   `json:"state"`
	// Progress is that of the running check or import, or of the last.
	Progress Progress `json:"progress"`
	// Preview is the start of the file as read at upload (null in a
	// job's status).
	Preview *importer.Preview `json:"preview"`
	// Report is that of the last check or import (null before one, and
	// in a job's status).
	Report *importer.Report `json:"report"`
	// Error is why a job failed or was cancelled: ErrInterrupted,
	// ErrNoRight, ErrExpired, ErrInternal.
	Error string `json:"error,omitempty"`
	// UserID uploaded the file; the job imports with their scope.
	UserID     int64      `json:"user_id"`
	UserName   string     `json:"user_name"`
	Attempts   int        `json:"attempts"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
	StartedAt  *time.Time `json:"started_at,omitempty"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
	// FileKept says the uploaded file is still stored, so the report's
	// highlighted copy can be downloaded.
	FileKept bool `json:"file_kept"`

	path     string // the community's org path
	username string
}

// Problems is how many problems the job's last report found.
func (j *Job) Problems() int {
	if j.Report == nil {
		return 0
	}
	return j.Report.ErrorsTotal
}

// Why a job failed or was cancelled (Job.Error).
const (
	ErrInterrupted = "interrupted" // its server stopped during it too often
	ErrNoRight     = "no_right"    // its user may no longer import
	ErrExpired     = "expired"     // it waited for its user a day
	ErrInternal    = "internal"    // the database or the server failed (logged)
)

// ErrFileRemoved refuses the highlighted copy of a job whose file is no
// longer stored.
var ErrFileRemoved = errors.New("the uploaded file was removed after the import ended: upload it again")

// StateError refuses an action that the job's state does not allow.
type StateError struct {
	State  State
	Action string
}

func (e *StateError) Error() string {
	return fmt.Sprintf("the import is %s: it cannot be %s now", e.State, e.Action)
}

// CurrentState is the job's state (the API answers 409 with it).
func (e *StateError) CurrentState() string { return string(e.State) }

// RunningError refuses to run a second import of a community while one
// runs (or waits for a runner).
type RunningError struct {
	Community string
	By        string // who started it
	Since     time.Time
	JobID     int64
}

func (e *RunningError) Error() string {
	if e.JobID == 0 { // it ended as this one was refused
		return fmt.Sprintf("another import of %s was running: try again", e.Community)
	}
	return fmt.Sprintf("another import of %s is running (started by %s at %s, job %d): try again when it has ended",
		e.Community, e.By, e.Since.In(calendar.China).Format("2006-01-02 15:04"), e.JobID)
}

// Unwrap makes it a conflict.
func (e *RunningError) Unwrap() error { return apperr.ErrConflict }

// checkMapping refuses a mapping to a field the importer does not know.
func checkMapping(m importer.Mapping) error {
	names := importer.FieldNames()
	for h, f := range m {
		if err := apperr.Text("mapping", h); err != nil {
			return err
		}
		if f == importer.Ignore {
			continue
		}
		ok := false
		for _, n := range names {
			ok = ok || n == string(f)
		}
		if !ok {
			return apperr.Field("mapping", "mapping_field", "%s: %q is not a field (one of %s)", h, string(f), strings.Join(names, ", "))
		}
	}
	return nil
}
