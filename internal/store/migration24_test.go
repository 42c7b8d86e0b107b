package store_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pressly/goose/v3"

	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestMigration24Backfill: migration 00024 gives the requests written
// before it the building their public pages may show: a household's
// request its household's building; a request a resident submitted on
// /r/new the building its address began with ("一化小区 2号楼 …"); no
// other, on both engines.
func TestMigration24Backfill(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			dsn, dialect := filepath.Join(t.TempDir(), "m.db"), goose.DialectSQLite3
			if engine == "postgres" {
				dsn, dialect = storetest.PostgresDSN(t), goose.DialectPostgres
			}
			db, err := store.OpenNoMigrate(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			p, err := goose.NewProvider(dialect, db.SQL(), os.DirFS(filepath.Join("migrations", engine)))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := p.UpTo(ctx, 23); err != nil {
				t.Fatal(err)
			}
			f := storetest.WriteOldPlaces(t, db)
			now := time.Date(2026, 9, 30, 15, 0, 0, 0, time.UTC)
			var hh int64
			if err := db.QueryRowContext(ctx, `INSERT INTO households(grid_id, compound_id, building_id, unit, room, address, created_at, updated_at)
				VALUES (?, ?, ?, '1', '101', '一化小区 1号楼 1单元101室', ?, ?) RETURNING id`,
				f.Grids[0].ID, f.Compound.ID, f.Buildings[0].ID, now, now).Scan(&hh); err != nil {
				t.Fatal(err)
			}
			add := func(code, channel, address string, household any, grid int64) {
				t.Helper()
				if _, err := db.ExecContext(ctx, `INSERT INTO requests(tracking_code, category, description, channel, household_id, address,
					grid_id, org_path, state, submitted_at, created_at, updated_at) VALUES (?, 'repairs', 'x', ?, ?, ?, ?, ?, 'submitted', ?, ?, ?)`,
					code, channel, household, address, grid, f.Community.Path, now, now, now); err != nil {
					t.Fatal(err)
				}
			}
			add("HOUSEHOLD2", "hotline", "一化小区 1号楼 1单元101室", hh, f.Grids[0].ID)
			add("WEBBUILDNG", "web", "一化小区 2号楼 3单元502", nil, f.Grids[1].ID)
			add("WEBBUILDN2", "web", "一化小区 2号楼", nil, f.Grids[1].ID)
			add("WEBGATEXXX", "web", "一化小区门口", nil, f.Grids[0].ID)
			add("HOTLINEXXX", "hotline", "一化小区 2号楼 3单元", nil, f.Grids[1].ID)
			if _, err := p.Up(ctx); err != nil {
				t.Fatal(err)
			}
			for code, want := range map[string]int64{"HOUSEHOLD2": f.Buildings[0].ID, "WEBBUILDNG": f.Buildings[1].ID,
				"WEBBUILDN2": f.Buildings[1].ID, "WEBGATEXXX": 0, "HOTLINEXXX": 0} {
				var got int64
				if err := db.QueryRowContext(ctx, `SELECT COALESCE(building_id, 0) FROM requests WHERE tracking_code = ?`, code).Scan(&got); err != nil {
					t.Fatal(err)
				}
				if got != want {
					t.Errorf("%s: building %d, want %d", code, got, want)
				}
			}
		})
	}
}
