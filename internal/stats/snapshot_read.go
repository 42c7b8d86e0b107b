package stats

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/store"
)

// FromSnapshot lets Population and Households answer from the snapshot
// where it serves (a street, a district, the city: see snapshotServes).
// dayAsked says that the day was asked for: then only a snapshot of that
// day serves; otherwise the snapshot's own day is the day counted.
// Without a snapshot, everything is counted live.
func FromSnapshot(dayAsked bool) Option {
	return func(o *options) { o.snapshot, o.dayAsked = true, dayAsked }
}

// Live counts live where the snapshot would serve, and says so
// (Source.SnapshotScope): the user asked for live counts.
func Live() Option {
	return func(o *options) { o.live = true }
}

// Source says where a statistics answer's counts come from.
type Source struct {
	// AsOf is the time of the snapshot the counts were summed from; nil
	// when they were counted live.
	AsOf *time.Time `json:"as_of"`
	// SnapshotScope says that the scope is one the snapshot serves, so a
	// live count (AsOf nil) was asked for, or no snapshot of the day
	// exists yet.
	SnapshotScope bool `json:"-"`
}

// snapshotFor returns the snapshot that answers a count of scope (grid
// gridID) on day on, if one does, and whether the scope is one a
// snapshot serves.
func snapshotFor(ctx context.Context, q store.Querier, o options, scope org.Scope, gridID int64, on calendar.Date) (*Snapshot, bool, error) {
	if !o.snapshot && !o.live {
		return nil, false, nil
	}
	serves, err := snapshotServes(ctx, q, scope, gridID)
	if err != nil || !serves || o.live {
		return nil, serves, err
	}
	s, err := SnapshotOf(ctx, q)
	if err != nil || s.Taken.IsZero() {
		return nil, true, err
	}
	if o.dayAsked && s.On != on {
		return nil, true, nil
	}
	return &s, true, nil
}

// populationSnapshot sums the snapshot's people of the grids where (on
// alias h) selects into the counts Population answers.
func populationSnapshot(ctx context.Context, q store.Querier, where string, args []any, s *Snapshot, bands []Band, pyramid bool) (*PopulationStats, error) {
	taken := s.Taken
	out := &PopulationStats{On: s.On, Source: Source{AsOf: &taken, SnapshotScope: true}, Bands: make([]BandCount, len(bands))}
	for i, b := range bands {
		out.Bands[i].Band = b.String()
	}
	var groups []Band
	if pyramid {
		groups = PyramidBands()
		out.Pyramid = pyramidOf(groups)
	}
	lines := map[string]tally{"sex": {}, "ethnicity": {}, "grid": {}, "compound": {}, "building": {}}
	for i, g := range household.Genders {
		lines["sex"].add(g, sexNames[g], order{int64(i)}, 0)
	}
	rows, err := q.QueryContext(ctx, `SELECT h.gender, h.age, CAST(SUM(h.n) AS BIGINT) FROM stats_snapshot_ages h
		WHERE 1 = 1`+where+` GROUP BY h.gender, h.age`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var sex string
		var age, n int
		if err := rows.Scan(&sex, &age, &n); err != nil {
			return nil, err
		}
		out.Total += n
		lines["sex"].add(sex, sexNames[sex], order{}, n)
		for i, b := range bands {
			if b.holds(age) {
				out.Bands[i].Count += n
			}
		}
		for i, g := range groups {
			if g.holds(age) {
				out.Pyramid[i].add(sex, n)
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()

	// The breakdowns, as the live count names and orders them.
	n := "CAST(SUM(h.n) AS BIGINT)"
	all := slicesRepeat(args, 4)
	rows, err = q.QueryContext(ctx, `SELECT 'ethnicity', h.ethnicity, h.ethnicity, 0, 0, 0, `+n+` FROM stats_snapshot_ethnicities h
			WHERE 1 = 1`+where+` GROUP BY h.ethnicity
		UNION ALL SELECT 'grid', CAST(h.grid_id AS TEXT), g.name, g.parent_id, g.number, g.id, `+n+`
			FROM stats_snapshot_places h JOIN org_units g ON g.id = h.grid_id WHERE 1 = 1`+where+`
			GROUP BY h.grid_id, g.name, g.parent_id, g.number, g.id
		UNION ALL SELECT 'compound', CAST(COALESCE(h.compound_id, 0) AS TEXT), COALESCE(c.name, ''), COALESCE(h.compound_id, 0), 0, 0, `+n+`
			FROM stats_snapshot_places h LEFT JOIN compounds c ON c.id = h.compound_id WHERE 1 = 1`+where+`
			GROUP BY h.compound_id, c.name
		UNION ALL SELECT 'building', CAST(COALESCE(h.building_id, 0) AS TEXT),
				CASE WHEN h.building_id IS NULL THEN '' ELSE COALESCE(c.name, '') || ' ' || COALESCE(b.name, '') END,
				COALESCE(b.compound_id, 0), COALESCE(h.building_id, 0), 0, `+n+`
			FROM stats_snapshot_places h LEFT JOIN buildings b ON b.id = h.building_id LEFT JOIN compounds c ON c.id = b.compound_id
			WHERE 1 = 1`+where+` GROUP BY h.building_id, b.compound_id, b.name, c.name`, all...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var kind, key, name string
		var o order
		var total int
		if err := rows.Scan(&kind, &key, &name, &o[0], &o[1], &o[2], &total); err != nil {
			return nil, err
		}
		if kind == "ethnicity" {
			if e, ok := household.EthnicityByZH(name); ok {
				key = e.Code
			} else {
				key = ""
			}
		}
		if key == "0" {
			key = ""
		}
		lines[kind].add(key, strings.TrimSpace(name), o, total)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out.BySex = lines["sex"].list(false)
	out.ByEthnicity = lines["ethnicity"].list(true)
	out.ByGrid, out.ByCompound, out.ByBuilding = lines["grid"].list(false), lines["compound"].list(false), lines["building"].list(false)
	return out, nil
}

// holds reports whether someone age years old is in band b.
func (b Band) holds(age int) bool { return age >= b.From && (b.To < 0 || age <= b.To) }

// slicesRepeat returns args n times over, for a statement that repeats
// the same condition n times.
func slicesRepeat(args []any, n int) []any {
	out := make([]any, 0, len(args)*n)
	for range n {
		out = append(out, args...)
	}
	return out
}

// keyPersonsSnapshot sums the snapshot's key persons and
// special-difficulty households of the grids where (on alias h) selects.
func keyPersonsSnapshot(ctx context.Context, q store.Querier, where string, args []any, out *HouseholdStats) error {
	// Summed by tag before the tags are joined: grouping the city's
	// 11,000 rows by the tag's code, name and sort cost twice as much.
	tags, err := tallyTags(ctx, q, `SELECT t.code, t.name_zh, t.sort, x.n
		FROM (SELECT h.tag, CAST(SUM(h.n) AS BIGINT) AS n FROM stats_snapshot_key_tags h WHERE 1 = 1`+where+` GROUP BY h.tag) x
		JOIN tags t ON t.code = x.tag`, args)
	if err != nil {
		return err
	}
	out.KeyPersonsByTag = tags.list(false)
	var keys, special sql.NullInt64
	err = q.QueryRowContext(ctx, `SELECT CAST(SUM(h.key_persons) AS BIGINT), CAST(SUM(h.special_difficulty) AS BIGINT)
		FROM stats_snapshot_grids h WHERE 1 = 1`+where, args...).Scan(&keys, &special)
	out.KeyPersons, out.SpecialDifficulty = int(keys.Int64), int(special.Int64)
	return err
}
