package household_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"wanhu/internal/household"
	"wanhu/internal/secret"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
	"wanhu/internal/testworld"
)

// TestRotationCoversRequestsAndOpen311: a request's reporter phone and an
// Open311 reporter's name and email are sealed, so a key still sealing
// them is counted (retire refuses it) and a rotation re-encrypts them.
func TestRotationCoversRequestsAndOpen311(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		keys, err := secret.NewKeyFile(filepath.Join(t.TempDir(), "wanhu.key"))
		if err != nil {
			t.Fatal(err)
		}
		db.SetKeys(keys)
		f, err := testworld.NewOrg(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		seal := func(s string) string {
			v, err := keys.Seal(s)
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
		now := time.Date(2026, 6, 1, 2, 0, 0, 0, time.UTC)
		var req, key int64
		if err := db.QueryRowContext(ctx, `INSERT INTO requests(tracking_code, category, description, channel, reporter_phone, address,
			grid_id, org_path, state, submitted_at, created_at, updated_at) VALUES ('ROTATE0001', 'repairs', 'x', 'open311', ?, '', ?, ?, 'submitted', ?, ?, ?)
			RETURNING id`, seal("13800138000"), f.Grids[0].ID, f.Community.Path, now, now, now).Scan(&req); err != nil {
			t.Fatal(err)
		}
		if err := db.QueryRowContext(ctx, `INSERT INTO open311_keys(name, key_hash, org_unit_id, created_at) VALUES ('client', 'h', ?, ?) RETURNING id`,
			f.Community.ID, now).Scan(&key); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, `INSERT INTO open311_requests(request_id, key_id, reporter_name, reporter_email) VALUES (?, ?, ?, ?)`,
			req, key, seal("张三"), seal("zhang@example.org")); err != nil {
			t.Fatal(err)
		}
		if n, err := household.CountSealedWith(ctx, db, 1); err != nil || n != 2 {
			t.Fatalf("%d rows sealed with key 1 (%v), want 2: the request and its Open311 reporter", n, err)
		}
		if _, err := keys.BeginRotation(); err != nil {
			t.Fatal(err)
		}
		if _, err := household.Reseal(ctx, db, 10, nil); err != nil {
			t.Fatal(err)
		}
		if n, err := household.CountSealedWith(ctx, db, 1); err != nil || n != 0 {
			t.Errorf("%d rows still sealed with key 1 after the rotation (%v)", n, err)
		}
		var phone, name, email string
		if err := db.QueryRowContext(ctx, `SELECT r.reporter_phone, o.reporter_name, o.reporter_email FROM requests r
			JOIN open311_requests o ON o.request_id = r.id WHERE r.id = ?`, req).Scan(&phone, &name, &email); err != nil {
			t.Fatal(err)
		}
		for v, want := range map[string]string{phone: "13800138000", name: "张三", email: "zhang@example.org"} {
			if id, _ := secret.KeyID(v); id != 2 {
				t.Errorf("a value is under key %d after the rotation, want 2", id)
			}
			if got, err := keys.Open(v); err != nil || got != want {
				t.Errorf("opened %q (%v), want %q", got, err, want)
			}
		}
	})
}
