package household_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"wanhu/internal/calendar"
	"wanhu/internal/gen"
	"wanhu/internal/household"
	"wanhu/internal/secret"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestRecolourDaily: under rules that read only ages (red with a member
// of 60 or more, yellow with one of 17 or less), the daily recolouring
// from one day to the next recolours the households whose member came of
// age in between (a leap-day birthday on 29 February, on 1 March in other
// years, and across New Year), reads only the households with a birthday
// in between (one left with a wrong colour stays wrong, and the count
// read is that of the households with such a birthday), and leaves every
// household as a full recolouring would. With no previous run, after a
// gap of more than MaxAgedGap days, or when the rules were set after the
// last run started, it recolours everything.
func TestRecolourDaily(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		genDay, _ := calendar.ParseDate("day", "2026-01-10")
		if _, err := gen.Generate(ctx, db, gen.Options{Households: 300, Seed: 9, Today: genDay}); err != nil {
			t.Fatal(err)
		}
		exec := func(q string, args ...any) {
			t.Helper()
			if _, err := db.ExecContext(ctx, q, args...); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		exec(`UPDATE households SET colour_override = '', colour_override_reason = ''`)
		// Households 1 to 5 keep their current members only, born on
		// 5 May 1990 but for the first, whose birthday each case uses;
		// household 6 is the one left with a wrong colour.
		exec(`UPDATE persons SET moved_out_on = NULL, deceased_on = NULL, birth_date = '1990-05-05' WHERE household_id <= 6`)
		first := func(h int64) int64 {
			var id int64
			storetest.Scan(t, db.QueryRowContext(ctx, `SELECT MIN(id) FROM persons WHERE household_id = ?`, h), &id)
			return id
		}
		born := map[int64]string{1: "1968-02-29", 2: "2008-02-29", 3: "1968-12-31", 4: "1969-01-01", 5: "1990-05-06"}
		for h, b := range born {
			exec(`UPDATE persons SET birth_date = ? WHERE id = ?`, b, first(h))
		}
		at := func(day string) time.Time {
			d, err := calendar.ParseDate("day", day)
			if err != nil {
				t.Fatal(err)
			}
			return d.Midnight().Add(4 * time.Hour)
		}
		s := household.NewStore(db)
		actor := household.Actor{Name: "test"}
		s.SetClock(func() time.Time { return at("2026-01-10") })
		rulesSet := at("2026-01-10")
		sixty, seventeen := 60, 17
		if err := s.SetRules(ctx, actor, []household.Rule{
			{Colour: household.Red, Code: "sixty", NameZH: "六十", NameEN: "Sixty", When: household.Cond{AnyMember: &household.Match{MinAge: &sixty}}},
			{Colour: household.Yellow, Code: "minor", NameZH: "未成年", NameEN: "Minor", When: household.Cond{AnyMember: &household.Match{MaxAge: &seventeen}}},
		}); err != nil {
			t.Fatal(err)
		}
		colour := func(h int64) string {
			var c string
			storetest.Scan(t, db.QueryRowContext(ctx, `SELECT colour FROM households WHERE id = ?`, h), &c)
			return c
		}
		// withBirthday counts the households with a current member whose age
		// differs between the two days.
		withBirthday := func(since, today calendar.Date) int {
			rows, err := db.QueryContext(ctx, `SELECT household_id, birth_date FROM persons WHERE moved_out_on IS NULL AND deceased_on IS NULL`)
			hs := map[int64]bool{}
			storetest.ScanAll(t, rows, err, func(rows *sql.Rows) error {
				var h int64
				var b calendar.Date
				err := rows.Scan(&h, &b)
				if calendar.AgeOn(b, since) != calendar.AgeOn(b, today) {
					hs[h] = true
				}
				return err
			})
			return len(hs)
		}
		for _, c := range []struct {
			name, since, today string
			h                  int64
			before, after      string
		}{
			{"turns 60 on 29 February of a leap year", "2028-02-28", "2028-02-29", 1, "green", "red"},
			{"turns 18 on 1 March, born on 29 February", "2026-02-28", "2026-03-01", 2, "yellow", "green"},
			{"turns 60 on 31 December, across New Year", "2028-12-30", "2029-01-02", 3, "green", "red"},
			{"turns 60 on 1 January, across New Year", "2028-12-30", "2029-01-02", 4, "green", "red"},
			{"a birthday that changes no colour", "2026-05-05", "2026-05-06", 5, "green", "green"},
		} {
			since, _ := calendar.ParseDate("since", c.since)
			today, _ := calendar.ParseDate("today", c.today)
			// The colours as the run of since left them, then household 6's
			// made wrong.
			s.SetClock(func() time.Time { return at(c.since) })
			if _, err := s.Recolour(ctx, actor); err != nil {
				t.Fatal(err)
			}
			if got := colour(c.h); got != c.before {
				t.Fatalf("%s: household %d is %s on %s, want %s", c.name, c.h, got, c.since, c.before)
			}
			exec(`UPDATE households SET colour = 'yellow' WHERE id = 6`)
			s.SetClock(func() time.Time { return at(c.today) })
			r, err := s.RecolourDaily(ctx, actor, since, at(c.since), today)
			if err != nil {
				t.Fatal(err)
			}
			want := withBirthday(since, today)
			if r.Full || r.Read != want || want == 0 || want > 100 {
				t.Errorf("%s: %+v, want %d households read (those with a birthday), not all", c.name, r, want)
			}
			if got := colour(c.h); got != c.after {
				t.Errorf("%s: household %d is %s on %s, want %s", c.name, c.h, got, c.today, c.after)
			}
			if got := colour(6); got != "yellow" {
				t.Errorf("%s: household 6, without a birthday, was read (%s)", c.name, got)
			}
			// A full recolouring now changes only household 6.
			n, err := s.Recolour(ctx, actor)
			if err != nil || n != 1 || colour(6) != "green" {
				t.Errorf("%s: a full recolouring after the daily one changed %d (%v), household 6 %s; want 1, green", c.name, n, err, colour(6))
			}
		}
		full := func(name string, since calendar.Date, sinceAt time.Time, today string) {
			t.Helper()
			d, _ := calendar.ParseDate("today", today)
			s.SetClock(func() time.Time { return at(today) })
			exec(`UPDATE households SET colour = 'yellow' WHERE id = 6`)
			r, err := s.RecolourDaily(ctx, actor, since, sinceAt, d)
			if err != nil {
				t.Fatal(err)
			}
			var all int
			storetest.Scan(t, db.QueryRowContext(ctx, `SELECT COUNT(*) FROM households`), &all)
			if !r.Full || r.Read != all || r.Why == "" || colour(6) != "green" {
				t.Errorf("%s: %+v, household 6 %s; want all %d read, household 6 green", name, r, colour(6), all)
			}
		}
		full("no previous run", calendar.Date{}, time.Time{}, "2029-03-01")
		full("a gap", calendar.Date{Y: 2029, M: 1, D: 28}, at("2029-01-28"), "2029-03-01")
		full("rules set after the last run", calendar.Date{Y: 2026, M: 1, D: 9}, rulesSet.Add(-time.Hour), "2026-01-11")
	})
}

// TestRecolourWaitsNotForTheWriteLock: on SQLite, while another process
// (another pool, with its own gate) holds the write lock, a recolouring
// that has nothing to change, full or of the birthdays, still runs: it
// reads outside any transaction and takes the lock only to write. When it
// read each batch inside a write transaction, a server's writers waited
// behind it in SQLite's busy handler (a sign-in failed with SQLITE_BUSY).
func TestRecolourWaitsNotForTheWriteLock(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "city.db")
	open := func() *store.DB {
		db, err := store.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		db.SetKeys(secret.TestKeyring())
		return db
	}
	db, other := open(), open()
	day, _ := calendar.ParseDate("day", "2026-03-16")
	if _, err := gen.Generate(ctx, db, gen.Options{Households: 1500, Seed: 4, Today: day}); err != nil {
		t.Fatal(err)
	}
	s := household.NewStore(db)
	s.SetClock(func() time.Time { return day.Midnight().Add(10 * time.Hour) })
	if _, err := s.Recolour(ctx, household.Actor{Name: "test"}); err != nil {
		t.Fatal(err)
	}
	locked, release, held := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		held <- other.InTx(ctx, func(tx *store.Tx) error {
			if _, err := tx.ExecContext(ctx, `UPDATE settings SET value = value WHERE key = 'none'`); err != nil {
				return err
			}
			close(locked)
			<-release
			return nil
		})
	}()
	<-locked
	start := time.Now()
	n, err := s.Recolour(ctx, household.Actor{Name: "test"})
	took := time.Since(start)
	since := calendar.Date{Y: 2026, M: 3, D: 15}
	r, derr := s.RecolourDaily(ctx, household.Actor{Name: "test"}, since, since.Midnight(), day)
	close(release)
	if err := <-held; err != nil {
		t.Fatal(err)
	}
	if err != nil || n != 0 || took > 5*time.Second {
		t.Errorf("full recolouring while another process holds the write lock: %d changed, %v, in %s; want 0, done at once", n, err, took.Round(time.Millisecond))
	}
	if derr != nil || r.Full || r.Changed != 0 {
		t.Errorf("daily recolouring while another process holds the write lock: %+v, %v", r, derr)
	}
}
