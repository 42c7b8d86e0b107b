package household_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"wanhu/internal/auth"
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
		if _, err := gen.Generate(ctx, db, gen.Options{Households: 300, Today: household.Date{Y: 2026, M: 6, D: 1}}); err != nil {
			t.Fatal(err)
		}
		s := household.NewStore(db)
		before := snapshot(t, s)
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
		// Everything still reads in the middle of a rotation.
		if mid := snapshot(t, s); !equalSnap(mid, before) {
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
		if after := snapshot(t, s); !equalSnap(after, before) {
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

func snapshot(t *testing.T, s *household.Store) map[int64]personSnap {
	t.Helper()
	ctx := context.Background()
	hs, _, err := s.List(ctx, household.Filter{PerPage: -1})
	if err != nil {
		t.Fatal(err)
	}
	out := map[int64]personSnap{}
	for _, h := range hs {
		file, err := s.HouseholdByID(ctx, h.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range file.Members {
			out[p.ID] = personSnap{p.IDNumber, p.Phone, file.Phone}
		}
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
