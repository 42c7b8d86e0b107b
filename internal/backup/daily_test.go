package backup

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// clock is a settable clock for the daily job.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

func backupFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	slices.Sort(names)
	return names
}

// TestDailyOnceAcrossServers: six servers running the daily backup of the
// same day on one database make one backup, into one file, and record it.
func TestDailyOnceAcrossServers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		newCommunity(t, db).addN(t, 3)
		dir := t.TempDir()
		at := time.Date(2026, 6, 1, 16, 5, 0, 0, time.UTC) // 00:05 on 2 June in China
		var wg sync.WaitGroup
		made := make(chan bool, 6)
		for i := range 6 {
			d := &Daily{DB: db, Dir: dir, Keep: 7, Host: "server" + string(rune('a'+i)), Now: func() time.Time { return at }}
			wg.Go(func() {
				ok, err := d.Run(ctx)
				if err != nil {
					t.Error(err)
				}
				made <- ok
			})
		}
		wg.Wait()
		close(made)
		n := 0
		for ok := range made {
			if ok {
				n++
			}
		}
		files := backupFiles(t, dir)
		if n != 1 || len(files) != 1 || files[0] != "wanhu-backup-20260601T160500Z.zip" {
			t.Fatalf("%d servers made a backup, files %v; want 1, [wanhu-backup-20260601T160500Z.zip]", n, files)
		}
		if _, err := ReadManifest(filepath.Join(dir, files[0])); err != nil {
			t.Error(err)
		}
		var day string
		var rows int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*), MAX(day) FROM backups`).Scan(&rows, &day); err != nil {
			t.Fatal(err)
		}
		if rows != 1 || day != "2026-06-02" {
			t.Errorf("%d rows, day %q; want 1 row for the China day 2026-06-02", rows, day)
		}
		st, err := Latest(ctx, db, at.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if st.Last == nil || st.Last.Path != filepath.Join(dir, files[0]) || st.Last.Size == 0 || st.Stale || st.Failed != nil {
			t.Errorf("status %+v, want the backup, fresh", st)
		}
	})
}

// TestDailyKeepsN: after ten days with keep 3, the three newest daily
// backups are left, and files that are not daily backups are not touched.
func TestDailyKeepsN(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "mine.zip"), []byte("x"), 0o600)
	c := &clock{}
	d := &Daily{DB: db, Dir: dir, Keep: 3, Now: c.now}
	start := time.Date(2026, 6, 1, 2, 0, 0, 0, time.UTC)
	for i := range 10 {
		c.set(start.AddDate(0, 0, i))
		if ok, err := d.Run(ctx); err != nil || !ok {
			t.Fatalf("day %d: made %v, %v", i, ok, err)
		}
		// A second run the same day makes nothing.
		c.set(start.AddDate(0, 0, i).Add(2 * time.Hour))
		if ok, err := d.Run(ctx); err != nil || ok {
			t.Fatalf("day %d again: made %v, %v", i, ok, err)
		}
	}
	want := []string{"mine.zip", "wanhu-backup-20260608T020000Z.zip", "wanhu-backup-20260609T020000Z.zip", "wanhu-backup-20260610T020000Z.zip"}
	if got := backupFiles(t, dir); !slices.Equal(got, want) {
		t.Errorf("files %v, want %v", got, want)
	}
}

// TestDailyRetries: a day whose server died while backing up is taken
// over once the claim is stale; a failed backup is recorded (the settings
// page shows it) and tried again an hour later.
func TestDailyRetries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		dir := t.TempDir()
		c := &clock{}
		at := time.Date(2026, 6, 1, 2, 0, 0, 0, time.UTC)
		c.set(at)
		if _, ok, err := claim(ctx, db, "2026-06-01", at, "dead"); err != nil || !ok {
			t.Fatalf("claim: %v %v", ok, err)
		}
		d := &Daily{DB: db, Dir: dir, Keep: 7, Now: c.now}
		c.set(at.Add(time.Hour))
		if ok, err := d.Run(ctx); err != nil || ok {
			t.Fatalf("an hour after the claim: made %v, %v; want nothing (it may still run)", ok, err)
		}
		c.set(at.Add(staleClaim + time.Minute))
		if ok, err := d.Run(ctx); err != nil || !ok {
			t.Fatalf("after the claim went stale: made %v, %v", ok, err)
		}

		// The next day the directory is gone: the backup fails.
		broken := &Daily{DB: db, Dir: filepath.Join(dir, "gone"), Keep: 7, Now: c.now}
		next := at.AddDate(0, 0, 1)
		c.set(next)
		if ok, err := broken.Run(ctx); err == nil || ok {
			t.Fatalf("into a missing directory: made %v, %v", ok, err)
		}
		st, err := Latest(ctx, db, next)
		if err != nil {
			t.Fatal(err)
		}
		if st.Failed == nil || st.Failed.Error == "" || st.Last == nil || st.Last.Day != "2026-06-01" {
			t.Fatalf("status %+v, want the failure after the last backup", st)
		}
		c.set(next.Add(30 * time.Minute))
		if ok, _ := d.Run(ctx); ok {
			t.Error("a failed backup was tried again within the hour")
		}
		c.set(next.Add(retryFailed + time.Minute))
		if ok, err := d.Run(ctx); err != nil || !ok {
			t.Fatalf("an hour after the failure: made %v, %v", ok, err)
		}
		if st, err = Latest(ctx, db, next.Add(2*time.Hour)); err != nil || st.Failed != nil || st.Last.Day != "2026-06-02" {
			t.Errorf("status %+v (%v), want the new backup and no failure", st, err)
		}
	})
}

// TestLatestStale: no backup, or one older than a day, is stale.
func TestLatestStale(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	now := time.Date(2026, 6, 10, 2, 0, 0, 0, time.UTC)
	st, err := Latest(ctx, db, now)
	if err != nil || st.Last != nil || !st.Stale {
		t.Fatalf("no backup: %+v %v, want stale", st, err)
	}
	made := now.Add(-26 * time.Hour)
	if err := Note(ctx, db, Record{StartedAt: made.Add(-time.Minute), FinishedAt: made, MadeBy: "cli:root", Host: "h", Path: "/b/x.zip", Size: 42}); err != nil {
		t.Fatal(err)
	}
	if st, err = Latest(ctx, db, now); err != nil || st.Last == nil || st.Last.Size != 42 || !st.Stale {
		t.Errorf("a backup of 26 hours ago: %+v %v, want it, stale", st, err)
	}
	if st, err = Latest(ctx, db, made.Add(24*time.Hour)); err != nil || st.Stale {
		t.Errorf("a backup of 24 hours ago: %+v %v, want it fresh", st, err)
	}
}

// TestDailyStart: the job makes today's backup as it starts, in the
// background, and stop waits for it.
func TestDailyStart(t *testing.T) {
	db := storetest.SQLite(t)
	dir := t.TempDir()
	ran := make(chan bool, 1)
	d := &Daily{DB: db, Dir: dir, Keep: 2, Ran: func(made bool, err error) {
		if err != nil {
			t.Error(err)
		}
		ran <- made
	}}
	stop := d.Start(context.Background(), time.Hour)
	if !<-ran {
		t.Error("no backup at start")
	}
	stop()
	if files := backupFiles(t, dir); len(files) != 1 {
		t.Errorf("files %v, want one backup", files)
	}
}
