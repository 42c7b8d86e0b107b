package roster

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/stats"
	"wanhu/internal/store"
)

// current selects the current members of a household, alias p (as the
// statistics count them).
const current = "p.active AND p.moved_out_on IS NULL AND p.deceased_on IS NULL"

// dayStart returns midnight in China at the start of d, as an instant.
func dayStart(d calendar.Date) time.Time {
	return time.Date(d.Y, d.M, d.D, 0, 0, 0, 0, calendar.China).UTC()
}

// checkWindow is the calendar year of q.On up to the end of q.On: a health
// check in it counts as done this year.
func (q Query) checkWindow() (from, to time.Time) {
	return dayStart(calendar.Date{Y: q.On.Y, M: time.January, D: 1}), dayStart(q.On).AddDate(0, 0, 1)
}

// SchoolCutoff returns the 31 August on which the school year after day
// on counts its starters: that of on's year, or of the next year once it
// has passed.
func SchoolCutoff(on calendar.Date) calendar.Date {
	cut := calendar.Date{Y: on.Y, M: time.August, D: 31}
	if on.After(cut) {
		cut.Y++
	}
	return cut
}

// ageCond is the condition that people are aged from to to (to < 0: and
// over) on day on, in completed years.
func ageCond(on calendar.Date, from, to int) (string, []any) {
	if to < 0 {
		return "p.birth_date <= ?", []any{stats.BornBy(on, from)}
	}
	return "(p.birth_date <= ? AND p.birth_date > ?)", []any{stats.BornBy(on, from), stats.BornBy(on, to+1)}
}

// where is the condition of q's rows within the scope, without WHERE.
func (s *Store) where(q Query) (string, []any) {
	var w []string
	var args []any
	add := func(cond string, a ...any) { w, args = append(w, cond), append(args, a...) }
	addAge := func(cond string, a []any) { add(cond, a...) }
	if q.Def.Entity == Person {
		add(current+" AND p.birth_date <= ?", q.On)
	}
	if cond, a := household.Where(s.scope); cond != "" {
		add(cond, a...)
	}
	if q.GridID != 0 {
		add("h.grid_id = ?", q.GridID)
	}
	switch q.Def.Name {
	case "four_thirty":
		addAge(ageCond(q.On, 6, 12))
	case "elderly_checkup":
		addAge(ageCond(q.On, q.AgeFrom, -1))
		from, to := q.checkWindow()
		add(`NOT EXISTS (SELECT 1 FROM ledger_events e WHERE e.household_id = p.household_id AND e.person_id = p.id
			AND e.type = ? AND e.at >= ? AND e.at < ?)`, household.EvHealthCheck, from, to)
	case "living_alone_elderly":
		add(s.tagged("p.id", "SELECT person_id FROM person_tags WHERE tag = 'living_alone_elderly'",
			"SELECT 1 FROM person_tags WHERE person_id = p.id AND tag = 'living_alone_elderly'"))
	case "dibao_review":
		add(s.rare("p.dibao IN ('dibao', 'near_dibao')"))
	case "fire_safety":
		add("h.kind IN ('commercial', 'mixed')")
	case "school_start":
		cut := SchoolCutoff(q.On)
		c3, a3 := ageCond(cut, 3, 3)
		c6, a6 := ageCond(cut, 6, 6)
		add("("+c3+" OR "+c6+")", append(a3, a6...)...)
	case "key_persons":
		add(s.tagged("p.id", "SELECT pt.person_id FROM person_tags pt JOIN tags t ON t.code = pt.tag WHERE t.key_person",
			"SELECT 1 FROM person_tags pt JOIN tags t ON t.code = pt.tag WHERE pt.person_id = p.id AND t.key_person"))
	case "special_difficulty":
		add(s.tagged("h.id", "SELECT household_id FROM household_tags WHERE tag = ?",
			"SELECT 1 FROM household_tags WHERE household_id = h.id AND tag = ?"), household.SpecialDifficulty)
	}
	if q.Age != nil {
		addAge(ageCond(q.On, q.Age.From, q.Age.To))
	}
	if q.CompoundID != 0 {
		add("h.compound_id = ?", q.CompoundID)
	}
	if q.BuildingID != 0 {
		add("h.building_id = ?", q.BuildingID)
	}
	if q.Sex != "" {
		add("p.gender = ?", q.Sex)
	}
	if q.Ethnicity != "" {
		add("p.ethnicity = ?", q.Ethnicity)
	}
	if q.Dibao != "" {
		add("p.dibao = ?", q.Dibao)
	}
	if q.Kind != "" {
		add("h.kind = ?", q.Kind)
	}
	if q.Colour != "" {
		add("h.colour = ?", q.Colour)
	}
	if q.Occupancy != "" {
		add("h.occupancy = ?", q.Occupancy)
	}
	if q.Tag != "" {
		if q.Def.Entity == Person {
			add("p.id IN (SELECT person_id FROM person_tags WHERE tag = ?)", q.Tag)
		} else {
			add(`(h.id IN (SELECT household_id FROM household_tags WHERE tag = ?)
				OR h.id IN (SELECT m.household_id FROM person_tags pt JOIN persons m ON m.id = pt.person_id WHERE pt.tag = ? AND m.active))`, q.Tag, q.Tag)
		}
	}
	if len(w) == 0 {
		return "1 = 1", nil
	}
	return strings.Join(w, " AND "), args
}

// tagged is the condition that the row's col is among those of the
// statement in (a tag's people or households): "col IN (in)", which the
// tag's index leads, in a big scope; in a small one (s.small) the EXISTS
// of one, checked on each of the scope's rows. A community's count of its
// 254 key persons otherwise listed the city's 56,823 first: 0.2 s, where
// looking each of its people up takes 10 ms.
func (s *Store) tagged(col, in, exists string) string {
	if s.small {
		return "EXISTS (" + exists + ")"
	}
	return col + " IN (" + in + ")"
}

// rare is the condition cond, which few rows meet, marked so for SQLite:
// its figures of an index over a few values (persons_dibao: none, dibao,
// near_dibao) give each the same share, so its plan would read every
// person by birth date rather than the 1 in 150 on dibao by the index (a
// city's count, 8 s instead of 20 ms). PostgreSQL keeps the share of each
// value and needs no mark.
func (s *Store) rare(cond string) string {
	if s.db.Dialect() == store.SQLite {
		return "likelihood(" + cond + ", 0.01)"
	}
	return cond
}

// from is the FROM clause of q's entity.
func from(q Query) string {
	if q.Def.Entity == Person {
		return ` FROM persons p JOIN households h ON h.id = p.household_id`
	}
	return ` FROM households h`
}

// selectSQL returns the statement that lists q's rows in roster order,
// with its arguments. byHousehold reads a roster of people household by
// household in that order on SQLite, for a page of a dense roster (see
// denseRows): its plan otherwise finds every row by the roster's own
// condition and sorts them all before the first page.
func (s *Store) selectSQL(q Query, byHousehold bool) (string, []any) {
	var cols strings.Builder
	var args []any
	join := ` JOIN org_units g ON g.id = h.grid_id`
	fromSQL := from(q)
	if byHousehold && q.Def.Entity == Person && s.db.Dialect() == store.SQLite {
		// CROSS JOIN keeps the households first in SQLite's plan, and its
		// index by grid reads them in roster order: for a rare condition
		// (dibao, marked so by rare) its plan would scan them in another
		// order and sort, 2.4 s for the city's first page instead of 7 ms.
		fromSQL = ` FROM households h INDEXED BY households_grid_colour CROSS JOIN persons p ON p.household_id = h.id`
		join = ` JOIN org_units g ON g.id = +h.grid_id`
	}
	order := ` ORDER BY h.grid_id, h.id`
	if q.Def.Entity == Person {
		cols.WriteString(`p.id, p.name, p.gender, p.birth_date, p.relation, p.dibao, p.ethnicity,
			h.id, h.address, h.grid_id, g.name, h.colour, h.member_count, h.last_visit_at, h.next_due_on`)
		order += ", p.id"
		if q.Def.guardian {
			// The guardian is the householder, or failing that (the child is
			// the householder, or the householder is not of age) the first
			// adult member, closest relation first.
			cols.WriteString(`, COALESCE(gd.name, ''), COALESCE(gd.relation, ''), COALESCE(gd.phone, '')`)
			join += ` LEFT JOIN persons gd ON gd.id = (SELECT gp.id FROM persons gp WHERE gp.household_id = p.household_id
				AND gp.id <> p.id AND gp.active AND gp.moved_out_on IS NULL AND gp.deceased_on IS NULL AND gp.birth_date <= ?
				ORDER BY CASE gp.relation WHEN 'householder' THEN 0 WHEN 'spouse' THEN 1 WHEN 'child' THEN 2
					WHEN 'child_in_law' THEN 3 WHEN 'parent' THEN 4 WHEN 'grandparent' THEN 5 ELSE 6 END, gp.id LIMIT 1)`
			args = append(args, stats.BornBy(q.On, 18))
		}
		if q.Def.check {
			_, to := q.checkWindow()
			cols.WriteString(`, (SELECT e.at FROM ledger_events e WHERE e.household_id = p.household_id AND e.person_id = p.id
				AND e.type = ? AND e.at < ? ORDER BY e.at DESC LIMIT 1)`)
			args = append(args, household.EvHealthCheck, to)
		}
		switch q.Def.tags {
		case "key":
			cols.WriteString(`, (SELECT ` + tagAgg(s.db) + ` FROM person_tags pt JOIN tags t ON t.code = pt.tag WHERE pt.person_id = p.id AND t.key_person)`)
		case "all":
			cols.WriteString(`, (SELECT ` + tagAgg(s.db) + ` FROM person_tags pt JOIN tags t ON t.code = pt.tag WHERE pt.person_id = p.id)`)
		}
	} else {
		cols.WriteString(`h.id, h.address, h.grid_id, g.name, h.colour, h.kind, h.shop_name, h.business_type, h.occupancy,
			h.member_count, h.householder, h.phone, h.colour_reasons, h.last_visit_at, h.next_due_on,
			(SELECT ` + tagAgg(s.db) + ` FROM household_tags ht JOIN tags t ON t.code = ht.tag WHERE ht.household_id = h.id)`)
		if q.Def.Name == "fire_safety" {
			cols.WriteString(`, (SELECT r.done_at FROM rounds r WHERE r.household_id = h.id AND r.state = 'done' ORDER BY r.done_at DESC, r.id DESC LIMIT 1),
				(SELECT r.failed FROM rounds r WHERE r.household_id = h.id AND r.state = 'done' ORDER BY r.done_at DESC, r.id DESC LIMIT 1)`)
			order = ` ORDER BY CASE WHEN h.id IN (SELECT household_id FROM household_tags WHERE tag = 'fire_safety_focus') THEN 0 ELSE 1 END, h.grid_id, h.id`
		}
	}
	cond, wargs := s.where(q)
	return `SELECT ` + cols.String() + fromSQL + join + ` WHERE ` + cond + order, append(args, wargs...)
}

// tagAgg is the engine's string aggregate of t.code, comma-separated, in
// the tags' display order.
func tagAgg(db *store.DB) string {
	if db.Dialect() == store.Postgres {
		return "COALESCE(string_agg(t.code, ',' ORDER BY t.sort), '')"
	}
	return "COALESCE(group_concat(t.code, ','), '')"
}

// Count returns how many rows roster q has.
func (s *Store) Count(ctx context.Context, q Query) (int, error) {
	n, _, err := s.countUpTo(ctx, q, 0)
	return n, err
}

// countUpTo counts the rows of roster q up to max (0: in full), reading at
// most max+1 of them; more reports that there are more than max.
func (s *Store) countUpTo(ctx context.Context, q Query, max int) (n int, more bool, err error) {
	cond, args := s.where(q)
	sql := `SELECT COUNT(*)` + from(q) + ` WHERE ` + cond
	if max > 0 {
		sql, args = `SELECT COUNT(*) FROM (SELECT 1`+from(q)+` WHERE `+cond+` LIMIT ?) r`, append(args, max+1)
	}
	if err := s.db.QueryRowContext(ctx, sql, args...).Scan(&n); err != nil {
		return 0, false, err
	}
	if max > 0 && n > max {
		return max, true, nil
	}
	return n, false, nil
}

// counting is the store whose conditions the index's counts carry: s, or
// when its scope reaches every household there is now
// (household.ReachesAll, a city's administrator) the system's, which
// carries none. The same rows are counted, but the roster's own condition
// (an age, a tag, dibao) leads the plan instead of the scope's million
// households: the first 2,001 children of a city's four-thirty class are
// found by their birth dates in a few milliseconds, where the scope read
// every person. Count keeps the scope: counting all the city's elderly
// by their birth dates (540,000 people, each looked up) took 13 s on
// SQLite, three times the scope's walk.
func (s *Store) counting(ctx context.Context) (*Store, error) {
	scope, err := household.ListScope(ctx, s.db, s.scope)
	if err != nil {
		return nil, err
	}
	c := *s
	c.scope = scope
	return &c, nil
}

// listCap is where a roster's page stops counting in a scope bigger than
// a community's (household.SmallScope), unless the page asks further: a
// city's four-thirty class (180,000 children at a million households) was
// counted on every page, 3 s on SQLite. Beyond it the total is a lower
// bound. A download counts in full.
var listCap = 10000

// denseRows is how many rows of a big scope's roster make it dense enough
// that its page is read household by household in roster order (see
// selectSQL): at 1 row in 1,000 households or more, a page is found
// within 50,000 households, where sorting every row of the roster first
// took a second for the city's children.
var denseRows = 1000

// List returns page page (from 1) of per rows of roster q, and the total.
// In a big scope the total is counted up to listCap or the page's last
// row, whichever is further; more reports that there are more rows.
func (s *Store) List(ctx context.Context, q Query, page, per int) (items []Item, total int, more bool, err error) {
	page = min(max(page, 1), 1_000_000) // as the API bounds it: page×per must not overflow
	small, err := household.SmallScope(ctx, s.db, s.scope)
	if err != nil {
		return nil, 0, false, err
	}
	lead, byHousehold := s, false
	if small {
		total, err = s.Count(ctx, q)
	} else {
		// Over every household (a city's administrator) the scope's
		// condition is left out: the same rows, found by their own.
		if lead, err = s.counting(ctx); err != nil {
			return nil, 0, false, err
		}
		total, more, err = lead.countUpTo(ctx, q, max(listCap, page*per))
		byHousehold = total >= denseRows
	}
	if err != nil {
		return nil, 0, false, err
	}
	sql, args := lead.selectSQL(q, byHousehold)
	items = []Item{}
	err = s.each(ctx, q, sql+` LIMIT ? OFFSET ?`, append(args, per, (page-1)*per), func(it *Item) error {
		items = append(items, *it)
		return nil
	})
	return items, total, more, err
}

// Each calls fn with every row of roster q in order, reading them one at
// a time from the database (an export of 100,000 rows never holds them
// all). The Item is reused: fn must copy what it keeps.
func (s *Store) Each(ctx context.Context, q Query, fn func(*Item) error) error {
	sql, args := s.selectSQL(q, false)
	return s.each(ctx, q, sql, args, fn)
}

func (s *Store) each(ctx context.Context, q Query, sql string, args []any, fn func(*Item) error) error {
	rows, err := s.db.QueryContext(ctx, sql, args...)
	if err != nil {
		return fmt.Errorf("roster %s: %w", q.Def.Name, err)
	}
	defer rows.Close()
	keys := store.KeysOf(s.db)
	var it Item
	for rows.Next() {
		it = Item{}
		var lastVisit instant
		var tags string
		var dest []any
		if q.Def.Entity == Person {
			var g Guardian
			var check instant
			dest = []any{&it.PersonID, &it.Name, &it.Gender, &it.BirthDate, &it.Relation, &it.Dibao, &it.Ethnicity,
				&it.HouseholdID, &it.Address, &it.GridID, &it.GridName, &it.Colour, &it.Members, &lastVisit, &it.NextDueOn}
			if q.Def.guardian {
				dest = append(dest, &g.Name, &g.Relation, &g.Phone)
			}
			if q.Def.check {
				dest = append(dest, &check)
			}
			if q.Def.tags != "" {
				dest = append(dest, &tags)
			}
			if err := rows.Scan(dest...); err != nil {
				return err
			}
			age := calendar.AgeOn(it.BirthDate, q.On)
			it.Age = &age
			if it.Dibao == "none" {
				it.Dibao = ""
			}
			if q.Def.guardian && g.Name != "" {
				phone, err := household.MaskedPhone(keys, g.Phone)
				if err != nil {
					return fmt.Errorf("roster %s: guardian of person %d: %w", q.Def.Name, it.PersonID, err)
				}
				g.Phone = phone
				it.Guardian = &g
			}
			if !check.t.IsZero() {
				it.LastCheckOn = calendar.DayOf(check.t)
			}
			if q.Def.Name == "school_start" {
				it.Start = "school"
				if calendar.AgeOn(it.BirthDate, SchoolCutoff(q.On)) == 3 {
					it.Start = "kindergarten"
				}
			}
			it.BirthDate, it.Birthday = household.Birth(s.scope, it.BirthDate)
		} else {
			var reasons, phone string
			dest = []any{&it.HouseholdID, &it.Address, &it.GridID, &it.GridName, &it.Colour, &it.Kind, &it.ShopName,
				&it.BusinessType, &it.Occupancy, &it.Members, &it.Householder, &phone, &reasons, &lastVisit, &it.NextDueOn, &tags}
			var lastRound instant
			var failed *int64
			if q.Def.Name == "fire_safety" {
				dest = append(dest, &lastRound, &failed)
			}
			if err := rows.Scan(dest...); err != nil {
				return err
			}
			if !lastRound.t.IsZero() {
				t, n := lastRound.t.UTC(), 0
				if failed != nil {
					n = int(*failed)
				}
				it.LastRoundAt, it.LastRoundFailed = &t, &n
			}
			if it.Phone, err = household.MaskedPhone(keys, phone); err != nil {
				return fmt.Errorf("roster %s: household %d: phone: %w", q.Def.Name, it.HouseholdID, err)
			}
			var rs []household.Reason
			if reasons != "" {
				json.Unmarshal([]byte(reasons), &rs)
			}
			for _, r := range rs {
				it.Reasons = append(it.Reasons, r.NameZH)
			}
		}
		if tags != "" {
			it.Tags = strings.Split(tags, ",")
			for _, t := range it.Tags {
				it.FireSafetyFocus = it.FireSafetyFocus || t == "fire_safety_focus"
			}
		}
		if !lastVisit.t.IsZero() {
			t := lastVisit.t.UTC()
			it.LastVisitAt = &t
		}
		if err := fn(&it); err != nil {
			return err
		}
	}
	return rows.Err()
}

// instant scans a timestamp that may come back as text: SQLite gives an
// expression (a subquery) no declared type, so its driver returns the
// stored text rather than a time.Time. NULL is the zero instant.
type instant struct{ t time.Time }

func (i *instant) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		i.t = time.Time{}
		return nil
	case time.Time:
		i.t = v
		return nil
	case []byte:
		src = string(v)
	}
	s, ok := src.(string)
	if !ok {
		return fmt.Errorf("roster: cannot scan %T as a time", src)
	}
	for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", time.RFC3339Nano, "2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			i.t = t
			return nil
		}
	}
	return fmt.Errorf("roster: cannot read %q as a time", s)
}
