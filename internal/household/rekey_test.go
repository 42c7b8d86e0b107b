package household_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"wanhu/internal/auth"
	"wanhu/internal/calendar"
	"wanhu/internal/gen"
	"wanhu/internal/household"
	"wanhu/internal/secret"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestKeyRotation rotates the keys of a generated community, interrupting
// the first run: afterwards every person reads as before, no value is left
// under the old key, and the old key can be retired.
func TestKeyRotation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		keys, err := secret.NewKeyFile(filepath.Join(t.TempDir(), "wanhu.key"))
		if err != nil {
			t.Fatal(err)
		}
		db.SetKeys(keys)
		if _, err := gen.Generate(ctx, db, gen.Options{Households: 300, Today: calendar.Date{Y: 2026, M: 6, D: 1}}); err != nil {
			t.Fatal(err)
		}
		s := household.NewStore(db)
		before := snapshot(t, db)
		// An administrator's TOTP secret is sealed too.
		as := auth.NewStore(db)
		u, err := as.CreateUser(ctx, "admin", "", "rotation-test-password")
		if err != nil {
			t.Fatal(err)
		}
		totp, err := as.BeginTOTP(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		sealed, err := household.CountSealedWith(ctx, db, 1)
		if err != nil || sealed < 600 {
			t.Fatalf("%d values sealed with key 1 (%v)", sealed, err)
		}

		if _, err := keys.BeginRotation(); err != nil {
			t.Fatal(err)
		}
		// The first run stops after its first batch.
		stop, cancel := context.WithCancel(ctx)
		batches := 0
		_, err = household.Reseal(stop, db, 100, func(done, total int) {
			batches++
			if total != sealed {
				t.Errorf("total %d, want %d", total, sealed)
			}
			cancel()
		})
		if !errors.Is(err, context.Canceled) || batches != 1 {
			t.Fatalf("interrupted run: %d batches, %v", batches, err)
		}
		left, _ := household.CountSealedWith(ctx, db, 1)
		if left == 0 || left >= sealed {
			t.Fatalf("after one batch %d of %d values are left under key 1", left, sealed)
		}
		// org.Everything still reads in the middle of a rotation.
		if mid := snapshot(t, db); !equalSnap(mid, before) {
			t.Fatal("households read differently in the middle of a rotation")
		}

		// A second run (as `wanhu key rotate` again) resumes with the same key.
		if id, err := keys.BeginRotation(); err != nil || id != 2 {
			t.Fatalf("resume: key %d, %v", id, err)
		}
		n, err := household.Reseal(ctx, db, 100, nil)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 || n >= sealed {
			t.Errorf("the second run changed %d rows", n)
		}
		if left, _ := household.CountSealedWith(ctx, db, 1); left != 0 {
			t.Fatalf("%d values still under key 1", left)
		}
		if err := keys.EndRotation(); err != nil {
			t.Fatal(err)
		}
		if err := keys.Retire(1); err != nil {
			t.Fatal(err)
		}
		// A fresh load of the key file (only key 2) reads everything, and
		// search by hash still works.
		fresh, err := secret.Load(keys.Path())
		if err != nil {
			t.Fatal(err)
		}
		db.SetKeys(fresh)
		if after := snapshot(t, db); !equalSnap(after, before) {
			t.Fatal("households read differently after rotation")
		}
		if got, err := as.PendingTOTP(ctx, u.ID); err != nil || got != totp {
			t.Errorf("the TOTP secret after rotation: %v", err)
		}
		for id, p := range before {
			if p.phone == "" {
				continue
			}
			if _, total, err := s.List(ctx, household.Filter{Q: p.phone}); err != nil || total == 0 {
				t.Fatalf("search by phone of person %d after rotation: %d, %v", id, total, err)
			}
			break
		}
	})
}

type personSnap struct{ idNumber, phone, householdPhone string }

// snapshot opens every person's sealed ID number and phone, and their
// household's phone, with the keys db has now. The store masks what it
// returns, so the test reads the columns.
func snapshot(t *testing.T, db *store.DB) map[int64]personSnap {
	t.Helper()
	ctx := context.Background()
	rows, err := db.QueryContext(ctx, `SELECT p.id, COALESCE(p.id_number, ''), p.phone, h.phone FROM persons p JOIN households h ON h.id = p.household_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int64]personSnap{}
	for rows.Next() {
		var id int64
		var sealed [3]string
		if err := rows.Scan(&id, &sealed[0], &sealed[1], &sealed[2]); err != nil {
			t.Fatal(err)
		}
		var open [3]string
		for i, v := range sealed {
			if open[i], err = db.Keys().Open(v); err != nil {
				t.Fatalf("person %d: %v", id, err)
			}
		}
		out[id] = personSnap{open[0], open[1], open[2]}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(out) < 300 {
		t.Fatalf("only %d persons", len(out))
	}
	return out
}

func equalSnap(a, b map[int64]personSnap) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
