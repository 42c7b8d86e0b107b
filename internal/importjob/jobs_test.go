package importjob

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"wanhu/internal/apperr"
	"wanhu/internal/auth"
	"wanhu/internal/importer"
	"wanhu/internal/importer/importtest"
	"wanhu/internal/org"
	"wanhu/internal/stats"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
	"wanhu/internal/testworld"
)

func TestMain(m *testing.M) {
	auth.UseTestHashCost()
	os.Exit(m.Run())
}

// fixture is a community (testworld.Org: two grids, 一化小区 with 1号楼 in
// grid 1 and 2号楼 in grid 2) with its administrator, the leader of grid
// 1 and a visitor, and the jobs of its database.
type fixture struct {
	db                     *store.DB
	jobs                   *Jobs
	org                    *testworld.Org
	admin, leader, visitor *auth.User
}

const password = "import-jobs-2026"

func newFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	f, err := testworld.NewOrg(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	as := auth.NewStore(db)
	fx := &fixture{db: db, jobs: New(db, nil), org: f}
	for _, u := range []struct {
		dst   **auth.User
		name  string
		grant auth.Grant
	}{
		{&fx.admin, "admin", auth.Grant{Role: auth.Admin, OrgUnitID: f.Community.ID}},
		{&fx.leader, "leader1", auth.Grant{Role: auth.GridLeader, OrgUnitID: f.Grids[0].ID}},
		{&fx.visitor, "visitor1", auth.Grant{Role: auth.Visitor, OrgUnitID: f.Grids[0].ID}},
	} {
		if _, err := as.CreateUser(ctx, u.name, u.name, password, u.grant); err != nil {
			t.Fatal(err)
		}
		if *u.dst, err = as.UserByUsername(ctx, u.name); err != nil {
			t.Fatal(err)
		}
	}
	return fx
}

// workbook writes a community workbook of n households over the
// fixture's two grids and returns its path.
func workbook(t *testing.T, n int, broken bool) (string, *importtest.Written) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "东兴社区住户.xlsx")
	w, err := importtest.Workbook{Households: n, Grids: 2, Broken: broken}.Write(path)
	if err != nil {
		t.Fatal(err)
	}
	return path, w
}

// upload creates a job of u from the file at path.
func (fx *fixture) upload(t *testing.T, u *auth.User, path string, start State, o Options) *Job {
	t.Helper()
	job, err := fx.create(u, path, start, o)
	if err != nil {
		t.Fatal(err)
	}
	return job
}

func (fx *fixture) create(u *auth.User, path string, start State, o Options) (*Job, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return fx.jobs.Create(context.Background(), u, Upload{Name: filepath.Base(path), Body: f, Options: o, Start: start})
}

// run runs the queued jobs and returns how many.
func (fx *fixture) run(t *testing.T) int {
	t.Helper()
	n, err := fx.jobs.RunPending(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func (fx *fixture) get(t *testing.T, id int64) *Job {
	t.Helper()
	job, err := fx.jobs.Get(context.Background(), fx.admin, id)
	if err != nil {
		t.Fatal(err)
	}
	return job
}

func (fx *fixture) count(t *testing.T, q string, args ...any) int {
	t.Helper()
	var n int
	if err := fx.db.QueryRowContext(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// mapping is the mapping of importtest's unrecognised columns.
func mapping() importer.Mapping {
	m := importer.Mapping{}
	for h, f := range importtest.Mapping {
		m[h] = importer.Field(f)
	}
	return m
}

// TestJobFlow is the web page's path through the jobs: a broken file is
// previewed (two columns unrecognised), checked with a mapping (its three
// problems reported, nothing written), refused on confirm, its
// highlighted copy written; the corrected file is checked, confirmed and
// imported; the same file again changes nothing.
func TestJobFlow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fx := newFixture(t, db)
		if _, err := testworld.Neighbour(ctx, db, fx.org.Street.ID); err != nil { // the city's counts come from the snapshot
			t.Fatal(err)
		}
		path, w := workbook(t, 60, true)
		job := fx.upload(t, fx.leader, path, Uploaded, Options{})
		if job.State != Uploaded || job.Preview == nil || len(job.Preview.Sheets) != len(importtest.Compounds) {
			t.Fatalf("uploaded job: %s, preview %+v", job.State, job.Preview)
		}
		unknown := map[string]bool{}
		for _, c := range job.Preview.Sheets[0].Columns {
			if !c.Known {
				unknown[c.Header] = true
			}
		}
		if len(unknown) != 2 || !unknown["本人手机"] || !unknown["户口类别"] {
			t.Errorf("unrecognised columns %v, want 本人手机 and 户口类别", unknown)
		}
		if s := job.Preview.Sheets[0]; s.HeaderRow != 3 || len(s.Rows) != PreviewRows {
			t.Errorf("preview of %s: header row %d, %d rows", s.Name, s.HeaderRow, len(s.Rows))
		}
		for _, s := range job.Preview.Sheets {
			for _, r := range s.Rows {
				if cells := strings.Join(r.Cells, " "); fullNumber.MatchString(cells) {
					t.Errorf("preview row %s %d shows a number in full: %s", s.Name, r.Row, cells)
				}
			}
		}
		if n := fx.count(t, `SELECT COUNT(*) FROM import_job_chunks WHERE job_id = ?`, job.ID); n != 1 {
			t.Errorf("%d chunks stored for a small file, want 1", n)
		}
		var sealed string
		if err := db.QueryRowContext(ctx, `SELECT data FROM import_job_chunks WHERE job_id = ?`, job.ID).Scan(&sealed); err != nil || !strings.HasPrefix(sealed, "v1.") {
			t.Errorf("the stored file is not sealed: %.10q %v", sealed, err)
		}

		o := Options{Mapping: mapping(), CreatePlaces: true}
		if _, err := fx.jobs.Check(ctx, fx.leader, job.ID, o); err != nil {
			t.Fatal(err)
		}
		if n := fx.run(t); n != 1 {
			t.Fatalf("ran %d jobs, want 1", n)
		}
		job = fx.get(t, job.ID)
		if job.State != Checked || job.Report == nil || !job.Report.DryRun {
			t.Fatalf("checked job: %s %+v", job.State, job.Report)
		}
		// The leader's scope is grid 1: the households of grid 2 are
		// problems too; the administrator's are only the three.
		if job.Problems() <= len(w.Problems) {
			t.Errorf("a grid leader's check found %d problems, want more than the file's %d (grid 2 is not theirs)", job.Problems(), len(w.Problems))
		}
		if n := fx.count(t, `SELECT COUNT(*) FROM households`); n != 0 {
			t.Fatalf("a check wrote %d households", n)
		}

		job = fx.upload(t, fx.admin, path, Uploaded, Options{})
		if _, err := fx.jobs.Check(ctx, fx.admin, job.ID, o); err != nil {
			t.Fatal(err)
		}
		fx.run(t)
		job = fx.get(t, job.ID)
		codes := map[string]bool{}
		for _, p := range job.Report.Errors {
			codes[p.Sheet+"!"+p.Cell+" "+p.Code] = true
		}
		for _, p := range w.Problems {
			if !codes[p.Sheet+"!"+p.Cell+" "+p.Code] {
				t.Errorf("problem %+v not reported; the report has %v", p, codes)
			}
		}
		if job.Problems() != len(w.Problems) {
			t.Errorf("%d problems, want %d: %v", job.Problems(), len(w.Problems), codes)
		}
		_, err := fx.jobs.Confirm(ctx, fx.admin, job.ID)
		if fe, ok := apperr.AsField(err); !ok || fe.Field != "partial" {
			t.Fatalf("confirming a check with problems: %v, want a field error on partial", err)
		}
		var copy bytes.Buffer
		if err := fx.jobs.WriteReport(ctx, fx.admin, job.ID, nil, &copy); err != nil {
			t.Fatal(err)
		}
		assertHighlighted(t, copy.Bytes(), w.Problems[0])

		fixed, _ := workbook(t, 60, false)
		job = fx.upload(t, fx.admin, fixed, Uploaded, Options{})
		if _, err := fx.jobs.Check(ctx, fx.admin, job.ID, o); err != nil {
			t.Fatal(err)
		}
		fx.run(t)
		if job = fx.get(t, job.ID); job.State != Checked || job.Problems() != 0 {
			t.Fatalf("checked corrected file: %s with %d problems: %+v", job.State, job.Problems(), job.Report.Errors)
		}
		if _, err := fx.jobs.Confirm(ctx, fx.admin, job.ID); err != nil {
			t.Fatal(err)
		}
		before := time.Now().UTC().Truncate(time.Second)
		fx.run(t)
		job = fx.get(t, job.ID)
		if job.State != Done || !job.Report.Applied || job.Report.Created != 60 || job.FileKept || job.Progress.Rows < 60 {
			t.Fatalf("imported job: %s, report %+v, file kept %v, progress %+v", job.State, job.Report, job.FileKept, job.Progress)
		}
		if n := fx.count(t, `SELECT COUNT(*) FROM households`); n != 60 {
			t.Errorf("%d households, want 60", n)
		}
		// The import took the statistics snapshot again: the city's
		// counts include its households, as of the runner's clock.
		snap, err := stats.SnapshotOf(ctx, db)
		if err != nil || snap.Taken.Before(before) {
			t.Errorf("statistics snapshot %+v (%v) after the import, want one taken since %s", snap, err, before)
		}
		hs, err := stats.Households(ctx, db, org.Everything, 0, stats.FromSnapshot(false))
		if err != nil || hs.Total != 60 || hs.AsOf == nil {
			t.Errorf("the city's households from the snapshot: %v as of %v (%v), want 60", hs.Total, hs.AsOf, err)
		}
		if n := fx.count(t, `SELECT COUNT(*) FROM persons WHERE phone <> ''`); n != 60 {
			t.Errorf("%d persons with a phone, want the 60 householders' (本人手机 mapped to phone)", n)
		}
		saved, err := importer.SavedMapping(ctx, db, fx.org.Community.ID)
		if err != nil || saved["本人手机"] != importer.Phone {
			t.Errorf("saved mapping %v %v", saved, err)
		}
		// The same file again, checked at once (as the API does): the
		// saved mapping applies, and nothing changes.
		job = fx.upload(t, fx.admin, fixed, Checking, Options{CreatePlaces: true, DryRun: true})
		fx.run(t)
		if job = fx.get(t, job.ID); job.Report.Unchanged != 60 {
			t.Errorf("the same file again: %+v", job.Report)
		}
	})
}

// assertHighlighted fails unless the cell of p in the xlsx b is filled
// light red and commented.
func assertHighlighted(t *testing.T, b []byte, p importtest.Problem) {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	id, err := f.GetCellStyle(p.Sheet, p.Cell)
	if err != nil {
		t.Fatal(err)
	}
	style, err := f.GetStyle(id)
	if err != nil || len(style.Fill.Color) == 0 || style.Fill.Color[0] != "FFC7CE" {
		t.Errorf("%s!%s is not highlighted: %+v %v", p.Sheet, p.Cell, style, err)
	}
	comments, err := f.GetComments(p.Sheet)
	found := false
	for _, c := range comments {
		found = found || c.Cell == p.Cell
	}
	if err != nil || !found {
		t.Errorf("%s!%s has no comment (%v)", p.Sheet, p.Cell, err)
	}
}

// TestOneImportPerCommunity: while an import of a community is queued
// or runs, a second one is refused, saying which runs, and stores
// nothing; once it has ended, the next may run.
func TestOneImportPerCommunity(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fx := newFixture(t, db)
		path, _ := workbook(t, 5, false)
		first := fx.upload(t, fx.admin, path, Checking, Options{CreatePlaces: true, DryRun: true})
		waiting := fx.upload(t, fx.leader, path, Uploaded, Options{})
		jobs := fx.count(t, `SELECT COUNT(*) FROM import_jobs`)
		chunks := fx.count(t, `SELECT COUNT(*) FROM import_job_chunks`)
		_, err := fx.create(fx.admin, path, Checking, Options{DryRun: true})
		var re *RunningError
		if !errors.As(err, &re) || re.JobID != first.ID || !errors.Is(err, apperr.ErrConflict) || !strings.Contains(err.Error(), "admin") {
			t.Fatalf("a second upload while one runs: %v, want a RunningError naming job %d and who started it", err, first.ID)
		}
		if fx.count(t, `SELECT COUNT(*) FROM import_jobs`) != jobs || fx.count(t, `SELECT COUNT(*) FROM import_job_chunks`) != chunks {
			t.Error("the refused upload stored something")
		}
		if _, err := fx.jobs.Check(ctx, fx.leader, waiting.ID, Options{}); !errors.As(err, &re) {
			t.Fatalf("checking another job while one runs: %v, want a RunningError", err)
		}
		if job := fx.get(t, waiting.ID); job.State != Uploaded {
			t.Errorf("the refused check moved the job to %s", job.State)
		}
		fx.run(t)
		if _, err := fx.jobs.Check(ctx, fx.leader, waiting.ID, Options{}); err != nil {
			t.Fatalf("checking once the first has ended: %v", err)
		}
	})
}

// TestClaimOnce: two runners on one database run each queued job once.
func TestClaimOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fx := newFixture(t, db)
		second := org.Unit{Kind: org.Community, ParentID: fx.org.Street.ID, Name: "二号社区"}
		if err := org.CreateUnit(ctx, db, &second); err != nil {
			t.Fatal(err)
		}
		for n := 1; n <= 2; n++ {
			grid := org.Unit{Kind: org.GridKind, ParentID: second.ID, Name: org.GridName(n), Number: n}
			if err := org.CreateUnit(ctx, db, &grid); err != nil {
				t.Fatal(err)
			}
		}
		admin, err := auth.NewStore(db).CreateUser(ctx, "street", "街道管理员", password, auth.Grant{Role: auth.Admin, OrgUnitID: fx.org.Street.ID})
		if err != nil {
			t.Fatal(err)
		}
		admin, _ = auth.NewStore(db).UserByUsername(ctx, admin.Username)
		var ids []int64
		for i, c := range []int64{fx.org.Community.ID, second.ID} {
			path := filepath.Join(t.TempDir(), "住户.xlsx")
			if _, err := (importtest.Workbook{Households: 8, Grids: 2, Seed: uint64(i)}).Write(path); err != nil {
				t.Fatal(err)
			}
			f, _ := os.Open(path)
			job, err := fx.jobs.Create(ctx, admin, Upload{Name: "住户.xlsx", Body: f, Community: c, Start: Applying,
				Options: Options{CreatePlaces: true}})
			f.Close()
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, job.ID)
		}
		a, b := New(db, nil), New(db, nil)
		var wg sync.WaitGroup
		var ran [2]int
		for i, r := range []*Jobs{a, b} {
			wg.Go(func() {
				n, err := r.RunPending(ctx)
				if err != nil {
					t.Error(err)
				}
				ran[i] = n
			})
		}
		wg.Wait()
		if ran[0]+ran[1] != 2 {
			t.Errorf("the runners ran %d and %d jobs, want 2 in all", ran[0], ran[1])
		}
		for _, id := range ids {
			job, err := fx.jobs.Get(ctx, admin, id)
			if err != nil {
				t.Fatal(err)
			}
			if job.State != Done || job.Attempts != 1 || job.Report.Created != 8 {
				t.Errorf("job %d: %s after %d attempts, report %+v", id, job.State, job.Attempts, job.Report)
			}
		}
		if n := fx.count(t, `SELECT COUNT(*) FROM audit_log WHERE action = 'import.households'`); n != 2 {
			t.Errorf("%d imports in the audit log, want 2", n)
		}
		if n := fx.count(t, `SELECT COUNT(*) FROM households`); n != 16 {
			t.Errorf("%d households, want 8 in each community", n)
		}
	})
}

// TestTakeOver: a job whose runner stopped beating (its server was
// killed) is run again by another runner, from the start, and finishes
// once; one whose runner still beats is left to it; one interrupted too
// often fails.
func TestTakeOver(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fx := newFixture(t, db)
		path, _ := workbook(t, 10, false)
		job := fx.upload(t, fx.admin, path, Applying, Options{CreatePlaces: true})
		now := time.Now().UTC()
		claim := func(runner string, beat time.Time, attempts int) {
			if _, err := db.ExecContext(ctx, `UPDATE import_jobs SET runner = ?, heartbeat_at = ?, attempts = ?, started_at = ? WHERE id = ?`,
				runner, beat, attempts, beat, job.ID); err != nil {
				t.Fatal(err)
			}
		}
		claim("alive", now, 1)
		if n := fx.run(t); n != 0 {
			t.Fatalf("a runner took a job whose runner beats: ran %d", n)
		}
		claim("killed", now.Add(-10*time.Minute), 1)
		if n := fx.run(t); n != 1 {
			t.Fatalf("ran %d jobs, want the one whose runner died", n)
		}
		job = fx.get(t, job.ID)
		if job.State != Done || job.Attempts != 2 || job.Report.Created != 10 {
			t.Fatalf("taken over: %s after %d attempts, %+v", job.State, job.Attempts, job.Report)
		}
		if n := fx.run(t); n != 0 || fx.count(t, `SELECT COUNT(*) FROM households`) != 10 {
			t.Errorf("after the job: ran %d more, %d households", n, fx.count(t, `SELECT COUNT(*) FROM households`))
		}

		again := fx.upload(t, fx.admin, path, Checking, Options{DryRun: true})
		job = again
		claim("killed", now.Add(-10*time.Minute), fx.jobs.MaxAttempts)
		fx.run(t)
		if job = fx.get(t, again.ID); job.State != Failed || job.Error != ErrInterrupted {
			t.Errorf("a job interrupted %d times: %s %q", fx.jobs.MaxAttempts, job.State, job.Error)
		}
	})
}

// TestTakeOverAtStart: on SQLite, one server's database, a job claimed
// before the runner was created (by a process that died) is run at once,
// not after Stale, so the community's next upload does not wait; on
// PostgreSQL, where another server may still be running it, it waits for
// Stale.
func TestTakeOverAtStart(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fx := newFixture(t, db)
		path, _ := workbook(t, 4, false)
		job := fx.upload(t, fx.admin, path, Applying, Options{CreatePlaces: true})
		before := fx.jobs.created.Add(-time.Second)
		if _, err := db.ExecContext(ctx, `UPDATE import_jobs SET runner = 'killed', heartbeat_at = ?, attempts = 1, started_at = ? WHERE id = ?`,
			before, before, job.ID); err != nil {
			t.Fatal(err)
		}
		want := map[store.Dialect]int{store.SQLite: 1, store.Postgres: 0}[db.Dialect()]
		if n := fx.run(t); n != want {
			t.Fatalf("%s: ran %d jobs claimed a second before the runner started, want %d", db.Dialect(), n, want)
		}
		if want == 1 {
			if job = fx.get(t, job.ID); job.State != Done || job.Report.Created != 4 {
				t.Errorf("taken over at start: %s, %+v", job.State, job.Report)
			}
		}
	})
}

// TestLostClaim: a runner whose claim was taken over while it ran cannot
// commit: its import is rolled back and the job is the other runner's.
func TestLostClaim(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fx := newFixture(t, db)
		path, _ := workbook(t, 6, false)
		job := fx.upload(t, fx.admin, path, Applying, Options{CreatePlaces: true})
		c, err := fx.jobs.claim(ctx)
		if err != nil || c == nil || c.id != job.ID {
			t.Fatalf("claim: %+v %v", c, err)
		}
		if _, err := db.ExecContext(ctx, `UPDATE import_jobs SET runner = 'thief' WHERE id = ?`, job.ID); err != nil {
			t.Fatal(err)
		}
		fx.jobs.run(ctx, *c)
		if n := fx.count(t, `SELECT COUNT(*) FROM households`); n != 0 {
			t.Errorf("a runner that lost its claim wrote %d households", n)
		}
		var runner, state string
		if err := db.QueryRowContext(ctx, `SELECT runner, state FROM import_jobs WHERE id = ?`, job.ID).Scan(&runner, &state); err != nil {
			t.Fatal(err)
		}
		if runner != "thief" || state != string(Applying) {
			t.Errorf("the job is %s by %q, want applying by the thief", state, runner)
		}
	})
}

// TestStopGivesBack: a runner stopped during a job (the server shuts
// down) gives it back, its import rolled back, and the next runner runs
// it at once.
func TestStopGivesBack(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := newFixture(t, db)
		path, _ := workbook(t, 400, false)
		job := fx.upload(t, fx.admin, path, Applying, Options{CreatePlaces: true})
		ctx, cancel := context.WithCancel(context.Background())
		fx.jobs.progressed = func(p importer.Progress) {
			if p.Rows > 0 && p.Fraction < 1 {
				cancel()
			}
		}
		if _, err := fx.jobs.RunPending(ctx); err != nil && !errors.Is(err, context.Canceled) {
			t.Fatal(err)
		}
		if n := fx.count(t, `SELECT COUNT(*) FROM households`); n != 0 {
			t.Fatalf("a stopped import wrote %d households", n)
		}
		fx.jobs.progressed = nil
		var runner string
		var attempts int
		if err := db.QueryRowContext(context.Background(), `SELECT runner, attempts FROM import_jobs WHERE id = ?`, job.ID).Scan(&runner, &attempts); err != nil {
			t.Fatal(err)
		}
		if runner != "" || attempts != 0 {
			t.Errorf("after stopping: runner %q, %d attempts; want the job back in the queue", runner, attempts)
		}
		if n := New(db, nil).run2(t); n != 1 {
			t.Fatalf("the next runner ran %d jobs", n)
		}
		if job = fx.get(t, job.ID); job.State != Done || job.Report.Created != 400 {
			t.Errorf("after the restart: %s %+v", job.State, job.Report)
		}
	})
}

// run2 runs the queued jobs of another runner.
func (j *Jobs) run2(t *testing.T) int {
	n, err := j.RunPending(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestJobScope: a grid leader sees their own jobs only, an administrator
// those of their community too but acts on their own only; a visitor
// has none; a community out of scope is refused like one that does not
// exist.
func TestJobScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fx := newFixture(t, db)
		path, _ := workbook(t, 3, false)
		mine := fx.upload(t, fx.leader, path, Uploaded, Options{})
		theirs := fx.upload(t, fx.admin, path, Uploaded, Options{})
		if _, err := fx.jobs.Get(ctx, fx.leader, theirs.ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("a leader reads the administrator's job: %v", err)
		}
		if _, err := fx.jobs.Get(ctx, fx.leader, 987654); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("a missing job: %v", err)
		}
		if _, err := fx.jobs.Get(ctx, fx.admin, mine.ID); err != nil {
			t.Errorf("the administrator reads the leader's job: %v", err)
		}
		if _, err := fx.jobs.Check(ctx, fx.admin, mine.ID, Options{}); !errors.Is(err, apperr.ErrForbidden) {
			t.Errorf("the administrator checks the leader's job: %v", err)
		}
		if _, err := fx.jobs.Get(ctx, fx.visitor, mine.ID); !errors.Is(err, apperr.ErrForbidden) {
			t.Errorf("a visitor reads a job: %v", err)
		}
		if _, err := fx.create(fx.visitor, path, Uploaded, Options{}); !errors.Is(err, apperr.ErrForbidden) {
			t.Errorf("a visitor uploads: %v", err)
		}
		list, err := fx.jobs.List(ctx, fx.leader, 10)
		if err != nil || len(list) != 1 || list[0].ID != mine.ID {
			t.Errorf("the leader's list: %+v %v", list, err)
		}
		if list, _ := fx.jobs.List(ctx, fx.admin, 10); len(list) != 2 {
			t.Errorf("the administrator's list has %d jobs, want 2", len(list))
		}
		f, _ := os.Open(path)
		defer f.Close()
		_, err = fx.jobs.Create(ctx, fx.leader, Upload{Name: "x.xlsx", Body: f, Community: fx.org.Street.ID})
		if fe, ok := apperr.AsField(err); !ok || fe.Field != "community" {
			t.Errorf("upload into a unit out of scope: %v", err)
		}
	})
}

// TestBadUploads: each bad upload is refused naming the field, and
// stores nothing.
func TestBadUploads(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fx := newFixture(t, db)
		for _, c := range []struct {
			name, body, field, code string
			mapping                 importer.Mapping
		}{
			{"a.xlsx", "", "file", "upload_empty", nil},
			{"", "x", "file", "upload_required", nil},
			{"old.xls", "x", "file", "upload_old_format", nil},
			{"photo.jpg", "x", "file", "upload_type", nil},
			{"fake.xlsx", "not a zip", "file", "upload_unreadable", nil},
			{"a.csv", "姓名\n张三\n", "mapping", "mapping_field", importer.Mapping{"电话": "telephone"}},
		} {
			_, err := fx.jobs.Create(ctx, fx.admin, Upload{Name: c.name, Body: strings.NewReader(c.body), Options: Options{Mapping: c.mapping}})
			if fe, ok := apperr.AsField(err); !ok || fe.Field != c.field || fe.Code != c.code {
				t.Errorf("%q %q: %v, want %s %s", c.name, c.body, err, c.field, c.code)
			}
		}
		_, err := fx.jobs.Create(ctx, fx.admin, Upload{Name: "big.csv", Body: zeros(MaxFileBytes + 1)})
		if fe, ok := apperr.AsField(err); !ok || fe.Code != "upload_too_large" {
			t.Errorf("a file over %d MB: %v", MaxFileBytes>>20, err)
		}
		if n := fx.count(t, `SELECT COUNT(*) FROM import_jobs`); n != 0 {
			t.Errorf("%d jobs stored by bad uploads", n)
		}
	})
}

// fullNumber is a run of digits as long as a phone number or longer.
var fullNumber = regexp.MustCompile(`[0-9０-９]{11}`)

// zeros is n bytes of '0'.
func zeros(n int64) io.Reader { return io.LimitReader(zeroReader{}, n) }

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = '0'
	}
	return len(p), nil
}

// TestTidy: a job left waiting a day is cancelled, and the file of an
// ended job with problems is kept a day for its highlighted copy, then
// removed.
func TestTidy(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fx := newFixture(t, db)
		path, _ := workbook(t, 12, true)
		waiting := fx.upload(t, fx.admin, path, Uploaded, Options{})
		refused := fx.upload(t, fx.leader, path, Applying, Options{CreatePlaces: true})
		fx.run(t)
		if job := fx.get(t, refused.ID); job.State != Refused || !job.FileKept {
			t.Fatalf("refused job: %s, file kept %v", job.State, job.FileKept)
		}
		later := time.Now().Add(25 * time.Hour)
		fx.jobs.SetClock(func() time.Time { return later })
		if err := fx.jobs.Tidy(ctx); err != nil {
			t.Fatal(err)
		}
		if job := fx.get(t, waiting.ID); job.State != Cancelled || job.Error != ErrExpired || job.FileKept {
			t.Errorf("a job waiting a day: %s %q, file kept %v", job.State, job.Error, job.FileKept)
		}
		if job := fx.get(t, refused.ID); job.FileKept {
			t.Error("the file of a job ended a day ago is kept")
		}
		if n := fx.count(t, `SELECT COUNT(*) FROM import_job_chunks`); n != 0 {
			t.Errorf("%d chunks left", n)
		}
		if err := fx.jobs.WriteReport(ctx, fx.leader, refused.ID, nil, &bytes.Buffer{}); !errors.Is(err, ErrFileRemoved) {
			t.Errorf("the highlighted copy of a removed file: %v", err)
		}
	})
}
