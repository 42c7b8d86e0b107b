package store_test

import (
	"context"
	"fmt"
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
			f := fixtureAt23(t, db)
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

// places23 are the places of org.NewFixture, written with the schema of
// migration 00023: the org package's queries are those of the newest
// schema.
type places23 struct {
	Community struct{ Path string }
	Grids     [2]struct{ ID int64 }
	Compound  struct{ ID int64 }
	Buildings [2]struct{ ID int64 }
}

func fixtureAt23(t *testing.T, db *store.DB) *places23 {
	t.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	var f places23
	unit := func(parent any, kind, name string, number int) (int64, string) {
		var id int64
		path := "/"
		if parent != nil {
			if err := db.QueryRowContext(ctx, `SELECT path FROM org_units WHERE id = ?`, parent).Scan(&path); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.QueryRowContext(ctx, `INSERT INTO org_units(parent_id, kind, name, number, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
			parent, kind, name, number, now).Scan(&id); err != nil {
			t.Fatal(err)
		}
		path += fmt.Sprint(id) + "/"
		if _, err := db.ExecContext(ctx, `UPDATE org_units SET path = ? WHERE id = ?`, path, id); err != nil {
			t.Fatal(err)
		}
		return id, path
	}
	city, _ := unit(nil, "city", "西宁市", 0)
	district, _ := unit(city, "district", "城东区", 0)
	street, _ := unit(district, "street", "韵家口镇", 0)
	community, path := unit(street, "community", "东兴社区", 0)
	f.Community.Path = path
	for i, name := range []string{"第一网格", "第二网格"} {
		f.Grids[i].ID, _ = unit(community, "grid", name, i+1)
	}
	if err := db.QueryRowContext(ctx, `INSERT INTO compounds(community_id, name, built_year) VALUES (?, '一化小区', 1985) RETURNING id`,
		community).Scan(&f.Compound.ID); err != nil {
		t.Fatal(err)
	}
	for i, name := range []string{"1号楼", "2号楼"} {
		if err := db.QueryRowContext(ctx, `INSERT INTO buildings(compound_id, grid_id, name, floors, units) VALUES (?, ?, ?, 6, 3) RETURNING id`,
			f.Compound.ID, f.Grids[i].ID, name).Scan(&f.Buildings[i].ID); err != nil {
			t.Fatal(err)
		}
	}
	return &f
}
