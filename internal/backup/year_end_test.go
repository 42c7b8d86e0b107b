package backup

import (
	"context"
	"database/sql"
	"slices"
	"testing"
	"time"

	"wanhu/internal/store/storetest"
)

// TestDailyDayAtMidnight: the daily backup's day is the China day. At
// 23:59:59 on 31 December in China the backup of 2026-12-31 is made; a
// second later it is 1 January 2027 there (still 31 December in UTC), a
// new day, so a new backup is made; and again an hour later is the same
// day, so none.
func TestDailyDayAtMidnight(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	c := &clock{}
	d := &Daily{DB: db, Dir: t.TempDir(), Keep: 7, Now: c.now}
	for _, s := range []struct {
		at   time.Time
		made bool
	}{
		{time.Date(2026, 12, 31, 15, 59, 59, 0, time.UTC), true},
		{time.Date(2026, 12, 31, 16, 0, 0, 0, time.UTC), true},
		{time.Date(2026, 12, 31, 17, 0, 0, 0, time.UTC), false},
	} {
		c.set(s.at)
		if made, err := d.Run(ctx); err != nil || made != s.made {
			t.Fatalf("at %s: made %v (%v), want %v", s.at.Format(time.RFC3339), made, err, s.made)
		}
	}
	rows, err := db.QueryContext(ctx, `SELECT day FROM backups ORDER BY day`)
	var days []string
	storetest.ScanAll(t, rows, err, func(rows *sql.Rows) error {
		var day string
		err := rows.Scan(&day)
		days = append(days, day)
		return err
	})
	if !slices.Equal(days, []string{"2026-12-31", "2027-01-01"}) {
		t.Errorf("backup days %v, want [2026-12-31 2027-01-01]", days)
	}
}
