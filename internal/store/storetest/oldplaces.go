package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"wanhu/internal/store"
)

// OldPlaces are the places of testworld.NewOrg written in plain SQL, for
// tests on a database migrated to an older schema (00023 or later) than
// the one the org package's queries are written for.
type OldPlaces struct {
	Community struct{ Path string }
	Grids     [2]struct{ ID int64 }
	Compound  struct{ ID int64 }
	Buildings [2]struct{ ID int64 }
}

// WriteOldPlaces writes OldPlaces into db.
func WriteOldPlaces(t testing.TB, db *store.DB) *OldPlaces {
	t.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	var f OldPlaces
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
