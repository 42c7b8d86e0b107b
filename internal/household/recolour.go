package household

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"wanhu/internal/calendar"
	"wanhu/internal/store"
)

// Recolour recomputes every household's colour, in batches, and returns
// how many changed colour. Each batch reads what the colour rules look
// at, for recolourSize households, in four statements (no sealed field is
// opened), outside any transaction, and writes only the households whose
// colour, reasons, householder or member count change, with a ledger event
// for each change of colour, as refresh does (see recolourRead). The server's
// daily job reads only the households whose ages moved (RecolourDaily).
func (s *Store) Recolour(ctx context.Context, actor Actor) (int, error) {
	rules, err := s.rules(ctx, s.db)
	if err != nil {
		return 0, err
	}
	changed, _, err := s.recolourAll(ctx, actor, rules, s.today())
	return changed, err
}

// recolourAll recolours every household on day today and returns how
// many changed colour and how many were read.
func (s *Store) recolourAll(ctx context.Context, actor Actor, rules []Rule, today calendar.Date) (changed, read int, err error) {
	for last := int64(0); ; {
		hs, err := colourFacts(ctx, s.db, last, recolourSize, today)
		if err != nil || len(hs) == 0 {
			return changed, read, err
		}
		n, err := s.recolourRead(ctx, actor, rules, hs, today)
		changed, read, last = changed+n, read+len(hs), hs[len(hs)-1].ID
		if err != nil {
			return changed, read, err
		}
	}
}

// recolourRead recolours the households hs, read outside any transaction,
// and returns how many changed colour. Those whose colour, reasons,
// householder or member count would change (a few a day) are read again
// and recoloured in one write transaction; the others cost no write
// transaction. So a recolouring holds the write lock only while it
// writes: on SQLite, where one writer at a time holds it, a batch read
// inside it (1,000 households and their members) kept a server's writers
// of another process waiting in the busy handler, and a sign-in could
// fail with SQLITE_BUSY. A household edited meanwhile is read again
// inside the transaction, where what is written is decided.
func (s *Store) recolourRead(ctx context.Context, actor Actor, rules []Rule, hs []*Household, today calendar.Date) (changed int, err error) {
	var ids []int64
	for _, h := range hs {
		if !deriveOf(rules, h, today).same(h) {
			ids = append(ids, h.ID)
		}
	}
	if len(ids) == 0 {
		return 0, nil
	}
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		hs, err := colourFactsOf(ctx, tx, ids, today)
		if err != nil {
			return err
		}
		changed, err = s.recolourBatch(ctx, tx, actor, rules, hs, today)
		return err
	})
	return changed, err
}

// recolourSize is how many households a batch of Recolour reads.
const recolourSize = 1000

// recolourBatch recolours the households hs (read by colourFacts) on day
// today and returns how many changed colour.
func (s *Store) recolourBatch(ctx context.Context, q store.Querier, actor Actor, rules []Rule, hs []*Household, today calendar.Date) (changed int, err error) {
	for _, h := range hs {
		c, err := s.recolourWith(ctx, q, actor, rules, h, today)
		if err != nil {
			return changed, fmt.Errorf("household %d: %w", h.ID, err)
		}
		if c {
			changed++
		}
	}
	return changed, nil
}

// DailyRecolour is what RecolourDaily did.
type DailyRecolour struct {
	Full    bool   // every household was read
	Why     string // why every household was, or "birthdays" when only those whose ages moved were
	Read    int    // households read
	Changed int    // households whose colour changed
}

// MaxAgedGap is the longest gap, in days, between the last daily
// recolouring and today over which RecolourDaily reads only the
// households whose ages moved; after a longer one it reads them all.
const MaxAgedGap = 31

// RecolourDaily is the server's daily recolouring on day today, after the
// last one that finished, on day since, which started at sinceAt (since
// zero when there was none). Only ages move with the days in the colour
// rules (a moved-out or deceased member counts as gone from the day it is
// recorded, whatever the date; every other fact the rules read changes
// through an edit that recolours its household at once), so it recolours
// only the households with a current member whose age on today differs
// from that on since: birthdays after since, up to today. It recolours
// every household, as Recolour does, when there was no last run, when
// since is more than MaxAgedGap days ago (or not before today), or when
// the colour rules were set after sinceAt (SetRules recolours everything
// itself; this catches one that failed halfway).
func (s *Store) RecolourDaily(ctx context.Context, actor Actor, since calendar.Date, sinceAt time.Time, today calendar.Date) (DailyRecolour, error) {
	rules, err := s.rules(ctx, s.db)
	if err != nil {
		return DailyRecolour{}, err
	}
	why := ""
	gap := int(today.Time().Sub(since.Time()).Hours() / 24)
	switch {
	case since.IsZero():
		why = "no previous run"
	case gap < 1 || gap > MaxAgedGap:
		why = fmt.Sprintf("last run %d days ago", gap)
	default:
		set, err := s.rulesSetAt(ctx)
		if err != nil {
			return DailyRecolour{}, err
		}
		if set.After(sinceAt) {
			why = "colour rules set since the last run"
		}
	}
	if why != "" {
		changed, read, err := s.recolourAll(ctx, actor, rules, today)
		return DailyRecolour{Full: true, Why: why, Read: read, Changed: changed}, err
	}
	ids, err := agedHouseholds(ctx, s.db, since, today)
	if err != nil {
		return DailyRecolour{}, err
	}
	r := DailyRecolour{Why: "birthdays"}
	for len(ids) > 0 {
		batch := ids[:min(recolourSize, len(ids))]
		ids = ids[len(batch):]
		hs, err := colourFactsOf(ctx, s.db, batch, today)
		if err != nil {
			return r, err
		}
		n, err := s.recolourRead(ctx, actor, rules, hs, today)
		r.Changed, r.Read = r.Changed+n, r.Read+len(hs)
		if err != nil {
			return r, err
		}
	}
	return r, nil
}

// rulesSetAt returns when the colour rules were last set (zero when they
// never were: the defaults are in force).
func (s *Store) rulesSetAt(ctx context.Context) (time.Time, error) {
	var at time.Time
	err := s.db.QueryRowContext(ctx, `SELECT updated_at FROM settings WHERE key = 'colour_rules'`).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	return at, err
}

// agedHouseholds returns, in id order, the households with a current
// member whose age (calendar.AgeOn) on today differs from that on since,
// since being before today and less than a year before it. Ages move on
// the birthdays after since's month and day, up to today's: a person born
// on a day in (Y-since, Y'-today] for some year Y, Y' being Y, or Y+1 when
// the two days are on either side of New Year (one born on 29 February
// comes of age on 1 March in other years: 02-29 sorts between 02-28 and
// 03-01). birth_date is stored as YYYY-MM-DD on both engines, so these are
// ranges of its index, one per year of birth.
func agedHouseholds(ctx context.Context, q store.Querier, since, today calendar.Date) ([]int64, error) {
	var first sql.NullString
	if err := q.QueryRowContext(ctx, `SELECT MIN(birth_date) FROM persons`).Scan(&first); err != nil || !first.Valid {
		return []int64{}, err
	}
	from := 1880
	if y, err := strconv.Atoi(first.String[:min(4, len(first.String))]); err == nil && y > from {
		from = y
	}
	var vals []string
	var args []any
	for y := from - 1; y <= since.Y; y++ {
		vals = append(vals, "(?, ?)")
		args = append(args, fmt.Sprintf("%04d-%02d-%02d", y, since.M, since.D), fmt.Sprintf("%04d-%02d-%02d", y+today.Y-since.Y, today.M, today.D))
	}
	return store.IDs(ctx, q, `WITH r(lo, hi) AS (VALUES `+strings.Join(vals, ", ")+`)
		SELECT DISTINCT p.household_id FROM r JOIN persons p ON p.birth_date > r.lo AND p.birth_date <= r.hi
		WHERE p.moved_out_on IS NULL AND p.deceased_on IS NULL ORDER BY p.household_id`, args...)
}

// colourFacts reads the n households after id last, in id order, with
// what recolourWith looks at (see colourFactsWhere).
func colourFacts(ctx context.Context, q store.Querier, last int64, n int, today calendar.Date) ([]*Household, error) {
	return colourFactsWhere(ctx, q, `id > ? ORDER BY id LIMIT ?`, []any{last, n}, func(col string, hs []*Household) (string, []any) {
		return col + ` > ? AND ` + col + ` <= ?`, []any{last, hs[len(hs)-1].ID}
	}, today)
}

// colourFactsOf reads the households ids (a few thousand at most), in id
// order, as colourFacts does.
func colourFactsOf(ctx context.Context, q store.Querier, ids []int64, today calendar.Date) ([]*Household, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	in := `IN (?` + strings.Repeat(`, ?`, len(ids)-1) + `)`
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return colourFactsWhere(ctx, q, `id `+in+` ORDER BY id`, args, func(col string, _ []*Household) (string, []any) {
		return col + ` ` + in, args
	}, today)
}

// colourFactsWhere reads the households that where (with args) selects,
// with what recolourWith looks at: their stored colour, reasons,
// override, householder and member count, their tags, and their members
// (in the order membersOf gives) with the members' tags and the fields
// the colour rules match. of gives the condition on the household id
// column col that selects the same households, those read being hs.
func colourFactsWhere(ctx context.Context, q store.Querier, where string, args []any, of func(col string, hs []*Household) (string, []any), today calendar.Date) ([]*Household, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, grid_id, colour, colour_reasons, colour_override, colour_override_reason, householder, member_count
		FROM households WHERE `+where, args...)
	if err != nil {
		return nil, err
	}
	var hs []*Household
	by := map[int64]*Household{}
	for rows.Next() {
		h := &Household{Tags: []string{}}
		var reasons string
		if err := rows.Scan(&h.ID, &h.GridID, &h.Colour, &reasons, &h.ColourOverride, &h.OverrideReason, &h.Householder, &h.MemberCount); err != nil {
			rows.Close()
			return nil, err
		}
		h.ColourReasons = decodeReasons(reasons)
		hs, by[h.ID] = append(hs, h), h
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(hs) == 0 {
		return nil, err
	}
	cond, cargs := of("household_id", hs)
	pcond, pargs := of("p.household_id", hs)
	err = eachTag(ctx, q, `SELECT household_id, tag FROM household_tags WHERE `+cond, cargs,
		func(id int64, tag string) {
			if h := by[id]; h != nil {
				h.Tags = append(h.Tags, tag)
			}
		})
	if err != nil {
		return nil, err
	}
	rows, err = q.QueryContext(ctx, `SELECT p.id, p.household_id, p.name, p.birth_date, p.relation, p.employment, p.disability_grade, p.dibao,
		p.moved_out_on, p.deceased_on FROM persons p WHERE `+pcond+`
		ORDER BY p.household_id, p.active DESC, CASE WHEN p.relation = 'householder' THEN 0 ELSE 1 END, p.id`, pargs...)
	if err != nil {
		return nil, err
	}
	type at struct {
		h *Household
		i int
	}
	persons := map[int64]at{}
	for rows.Next() {
		p := Person{Tags: []string{}}
		if err := rows.Scan(&p.ID, &p.HouseholdID, &p.Name, &p.BirthDate, &p.Relation, &p.Employment, &p.DisabilityGrade, &p.Dibao,
			&p.MovedOutOn, &p.DeceasedOn); err != nil {
			rows.Close()
			return nil, err
		}
		if h := by[p.HouseholdID]; h != nil {
			p.Age = calendar.AgeOn(p.BirthDate, today)
			persons[p.ID] = at{h, len(h.Members)}
			h.Members = append(h.Members, p)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	err = eachTag(ctx, q, `SELECT pt.person_id, pt.tag FROM person_tags pt JOIN persons p ON p.id = pt.person_id
		WHERE `+pcond, pargs, func(id int64, tag string) {
		if a, ok := persons[id]; ok {
			a.h.Members[a.i].Tags = append(a.h.Members[a.i].Tags, tag)
		}
	})
	return hs, err
}
