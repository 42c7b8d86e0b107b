package web

import (
	"context"
	"net/http"
	"testing"
	"time"

	"wanhu/internal/backup"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestSettingsBackup: the settings page tells an administrator when the
// last backup was made, how big it is and where, and warns when there is
// none, when it is older than a day, and when a later one failed; other
// users do not see it.
func TestSettingsBackup(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		admin, worker := e.signedIn("admin"), e.signedIn("worker")
		page := func() string {
			t.Helper()
			code, body := admin.get("/settings")
			if code != http.StatusOK {
				t.Fatalf("settings: %d", code)
			}
			return body
		}
		note := func(ago time.Duration, size int64, failed string) {
			t.Helper()
			at := time.Now().Add(-ago).UTC()
			if err := backup.Note(ctx, db, backup.Record{StartedAt: at.Add(-time.Minute), FinishedAt: at, MadeBy: "cli:root",
				Host: "app1", Path: "/srv/backups/wanhu.zip", Size: size, Error: failed}); err != nil {
				t.Fatal(err)
			}
		}
		body := page()
		mustContain(t, "no backup", body, `id="settings-backup"`, `id="backup-none"`)
		mustNotContain(t, "no backup", body, `id="backup-last"`)

		note(30*time.Hour, 5<<20, "")
		body = page()
		mustContain(t, "a backup of 30 hours ago", body, `id="backup-last"`, "5.0 MB", "app1:/srv/backups/wanhu.zip", `id="backup-stale"`)
		mustNotContain(t, "a backup of 30 hours ago", body, `id="backup-none"`, `id="backup-failed"`)

		note(2*time.Hour, 3<<20, "")
		note(time.Hour, 0, "write the backup: no space left on device")
		body = page()
		mustContain(t, "a backup of 2 hours ago, a failure since", body, "3.0 MB", `id="backup-failed"`, "no space left on device")
		mustNotContain(t, "a backup of 2 hours ago, a failure since", body, `id="backup-stale"`)

		code, body := worker.get("/settings")
		if code != http.StatusOK {
			t.Fatalf("a grid worker's settings: %d", code)
		}
		mustNotContain(t, "a grid worker's settings", body, `id="settings-backup"`)
	})
}
