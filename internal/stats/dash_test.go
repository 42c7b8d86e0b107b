package stats

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// pyramid renders the non-empty groups of a pyramid as "0-4:m1f1 …".
func pyramid(rows []PyramidRow) string {
	var s []string
	for _, r := range rows {
		if r.Male+r.Female > 0 {
			s = append(s, fmt.Sprintf("%s:m%df%d", r.Group, r.Male, r.Female))
		}
	}
	return strings.Join(s, " ")
}

// TestPyramid: the pyramid has the 21 groups 0-4 … 95-99, 100-; people
// move up a group on their birthday; it sums to the total, follows the
// grid filter, and is absent unless asked for, without changing the rest.
func TestPyramid(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := t.Context()
		bands := Presets["article"]
		for _, c := range []struct {
			on   string
			grid int64
			want string
		}{
			{"2027-09-01", 0, "0-4:m1f1 5-9:m0f1 25-29:m0f1 60-64:m1f0 70-74:m1f0"},
			{"2027-09-01", w.f.Grids[1].ID, "25-29:m0f1 70-74:m1f0"},
			{"2055-05-31", 0, "30-34:m1f1 35-39:m0f1 55-59:m0f1 85-89:m1f0 95-99:m1f0"},
			{"2055-06-01", 0, "30-34:m1f1 35-39:m0f1 55-59:m0f1 85-89:m1f0 100-:m1f0"},
		} {
			p, err := Population(ctx, db, org.Everything, day(t, c.on), bands, c.grid, WithPyramid())
			if err != nil {
				t.Fatal(err)
			}
			sum := 0
			for _, r := range p.Pyramid {
				sum += r.Male + r.Female
			}
			if got := pyramid(p.Pyramid); got != c.want || len(p.Pyramid) != 21 || sum != p.Total ||
				p.Pyramid[0].Group != "0-4" || p.Pyramid[20].Group != "100-" {
				t.Errorf("on %s, grid %d: %d groups summing to %d of %d: %s; want %s", c.on, c.grid, len(p.Pyramid), sum, p.Total, got, c.want)
			}
			plain, err := Population(ctx, db, org.Everything, day(t, c.on), bands, c.grid)
			if err != nil {
				t.Fatal(err)
			}
			if plain.Pyramid != nil || bandCounts(plain) != bandCounts(p) || counts(plain.BySex) != counts(p.BySex) || plain.Total != p.Total {
				t.Errorf("on %s without the pyramid: %+v, with: %+v", c.on, plain, p)
			}
		}
	})
}

// trend renders the types of a trend as "lost_job:1,0,1 …", skipping
// those with no events.
func trend(tr *LedgerTrendStats) string {
	var s []string
	for _, x := range tr.Types {
		if x.Total > 0 {
			s = append(s, fmt.Sprintf("%s:%s", x.Type, strings.Trim(strings.Join(strings.Fields(fmt.Sprint(x.Counts)), ","), "[]")))
		}
	}
	return strings.Join(s, " ")
}

// TestLedgerTrend: events count in the month of China time they happened
// in (23:30 on 31 January is January, 00:10 on 1 February is February,
// though both are 31 January in UTC), the last day is included and the
// next is not, types and a grid narrow the count, a grid leader counts
// their grid, and bad ranges and types are errors naming their field.
func TestLedgerTrend(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := t.Context()
		files := household.NewStore(db)
		cst := calendar.China
		for _, e := range []struct {
			person, typ, at string
		}{
			{"马建", household.EvLostJob, "2026-01-31 23:30"},
			{"马建", household.EvFoundJob, "2026-02-01 00:10"},
			{"李老板", household.EvHealthWorsened, "2026-02-15 12:00"},
			{"Anna", household.EvLostJob, "2026-03-31 23:59"},
			{"马闰", household.EvStartedSchool, "2026-04-01 00:00"},
			{"李老板", household.EvDibaoApproved, "2025-12-31 23:59"},
		} {
			at, err := time.ParseInLocation("2006-01-02 15:04", e.at, cst)
			if err != nil {
				t.Fatal(err)
			}
			var id int64
			if err := db.QueryRowContext(ctx, `SELECT id FROM persons WHERE name = ?`, e.person).Scan(&id); err != nil {
				t.Fatal(err)
			}
			files.SetClock(func() time.Time { return at })
			if _, err := files.RecordEvent(ctx, household.Actor{Name: "test"}, id, household.Event{Type: e.typ, School: "primary"}); err != nil {
				t.Fatalf("%s %s: %v", e.person, e.typ, err)
			}
		}
		leader := org.Scope{GridIDs: []int64{w.f.Grids[0].ID}}
		for _, c := range []struct {
			name     string
			scope    org.Scope
			from, to string
			types    string
			grid     int64
			months   string
			total    int
			want     string
		}{
			{"first quarter", org.Everything, "2026-01-01", "2026-03-31", "", 0, "2026-01 2026-02 2026-03", 4,
				"health_worsened:0,1,0 lost_job:1,0,1 found_job:0,1,0"},
			{"lost jobs in grid 2", org.Everything, "2026-01-01", "2026-03-31", "lost_job", w.f.Grids[1].ID, "2026-01 2026-02 2026-03", 1,
				"lost_job:0,0,1"},
			{"grid 1's leader", leader, "2026-01-01", "2026-03-31", "", 0, "2026-01 2026-02 2026-03", 2,
				"lost_job:1,0,0 found_job:0,1,0"},
			{"partial months", org.Everything, "2026-02-01", "2026-04-01", "started_school,lost_job", 0, "2026-02 2026-03 2026-04", 2,
				"started_school:0,0,1 lost_job:0,1,0"},
			{"one day", org.Everything, "2026-01-31", "2026-01-31", "", 0, "2026-01", 1, "lost_job:1"},
			{"over new year", org.Everything, "2025-12-01", "2026-01-31", "dibao_approved,lost_job", 0, "2025-12 2026-01", 2,
				"dibao_approved:1,0 lost_job:0,1"},
		} {
			types, err := ParseTypes("types", c.types)
			if err != nil {
				t.Fatal(err)
			}
			tr, err := LedgerTrend(ctx, db, c.scope, day(t, c.from), day(t, c.to), types, c.grid)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if got := trend(tr); got != c.want || tr.Total != c.total || strings.Join(tr.Months, " ") != c.months || len(tr.Types) != len(types) {
				t.Errorf("%s: months %v, total %d, %s; want %s, %d, %s", c.name, tr.Months, tr.Total, got, c.months, c.total, c.want)
			}
		}
		if tr, err := LedgerTrend(ctx, db, org.Everything, day(t, "2026-01-01"), day(t, "2026-12-31"), nil, 0); err != nil ||
			len(tr.Types) != len(TrendTypes) || len(tr.Months) != 12 || tr.Total != 5 {
			t.Errorf("default types: %+v %v", tr, err)
		}
		for _, c := range []struct{ from, to, code string }{
			{"2026-03-01", "2026-02-28", "before_from"},
			{"2016-01-01", "2026-01-01", "too_long"},
		} {
			_, err := LedgerTrend(ctx, db, org.Everything, day(t, c.from), day(t, c.to), nil, 0)
			var fe *apperr.FieldError
			if !errors.As(err, &fe) || fe.Field != "to" || fe.Code != c.code {
				t.Errorf("%s to %s: %v, want %s on to", c.from, c.to, err, c.code)
			}
		}
		if _, err := LedgerTrend(ctx, db, org.Everything, day(t, "2016-01-01"), day(t, "2025-12-31"), nil, 0); err != nil {
			t.Errorf("120 months: %v", err)
		}
		if _, err := LedgerTrend(ctx, db, leader, day(t, "2026-01-01"), day(t, "2026-03-31"), nil, w.f.Grids[1].ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("grid 2 for grid 1's leader: %v, want not found", err)
		}
		var fe *apperr.FieldError
		if _, err := ParseTypes("types", "lost_job,bogus"); !errors.As(err, &fe) || fe.Field != "types" || !strings.Contains(fe.Msg, `"bogus"`) {
			t.Errorf("bad type: %v", err)
		}
		if ts, err := ParseTypes("types", " lost_job, lost_job ,born"); err != nil || strings.Join(ts, ",") != "lost_job,born" {
			t.Errorf("types: %v %v", ts, err)
		}
	})
}
