package household

import (
	"context"
	"fmt"

	"wanhu/internal/calendar"
	"wanhu/internal/store"
)

// Recolour recomputes every household's colour, in batches of one
// transaction each, and returns how many changed colour. Ages move on every
// day, so it also runs daily (the server does, see internal/daily). Each
// batch reads what the colour rules look at, for recolourSize households,
// in four statements (no sealed field is opened), and writes only the
// households whose colour, reasons, householder or member count change,
// with a ledger event for each change of colour, as refresh does.
func (s *Store) Recolour(ctx context.Context, actor Actor) (int, error) {
	rules, err := s.rules(ctx, s.db)
	if err != nil {
		return 0, err
	}
	changed, last := 0, int64(0)
	for more := true; more; {
		err := s.db.InTx(ctx, func(tx *store.Tx) error {
			n, next, err := s.recolourBatch(ctx, tx, actor, rules, last)
			changed, more, last = changed+n, next > last, next
			return err
		})
		if err != nil {
			return changed, err
		}
	}
	return changed, nil
}

// recolourSize is how many households a batch of Recolour reads.
const recolourSize = 1000

// recolourBatch recolours the next recolourSize households after last and
// returns how many changed colour and the last of them (last when there
// were none).
func (s *Store) recolourBatch(ctx context.Context, q store.Querier, actor Actor, rules []Rule, last int64) (changed int, next int64, err error) {
	hs, err := colourFacts(ctx, q, last, recolourSize, s.today())
	if err != nil || len(hs) == 0 {
		return 0, last, err
	}
	for _, h := range hs {
		c, err := s.recolourWith(ctx, q, actor, rules, h)
		if err != nil {
			return changed, last, fmt.Errorf("household %d: %w", h.ID, err)
		}
		if c {
			changed++
		}
	}
	return changed, hs[len(hs)-1].ID, nil
}

// colourFacts reads the n households after id last, in id order, with
// what recolourWith looks at: their stored colour, reasons, override,
// householder and member count, their tags, and their members (in the
// order membersOf gives) with the members' tags and the fields the colour
// rules match.
func colourFacts(ctx context.Context, q store.Querier, last int64, n int, today calendar.Date) ([]*Household, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, grid_id, colour, colour_reasons, colour_override, colour_override_reason, householder, member_count
		FROM households WHERE id > ? ORDER BY id LIMIT ?`, last, n)
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
	from, to := last, hs[len(hs)-1].ID
	err = eachTag(ctx, q, `SELECT household_id, tag FROM household_tags WHERE household_id > ? AND household_id <= ?`, []any{from, to},
		func(id int64, tag string) {
			if h := by[id]; h != nil {
				h.Tags = append(h.Tags, tag)
			}
		})
	if err != nil {
		return nil, err
	}
	rows, err = q.QueryContext(ctx, `SELECT p.id, p.household_id, p.name, p.birth_date, p.relation, p.employment, p.disability_grade, p.dibao,
		p.moved_out_on, p.deceased_on FROM persons p WHERE p.household_id > ? AND p.household_id <= ?
		ORDER BY p.household_id, p.active DESC, CASE WHEN p.relation = 'householder' THEN 0 ELSE 1 END, p.id`, from, to)
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
		WHERE p.household_id > ? AND p.household_id <= ?`, []any{from, to}, func(id int64, tag string) {
		if a, ok := persons[id]; ok {
			a.h.Members[a.i].Tags = append(a.h.Members[a.i].Tags, tag)
		}
	})
	return hs, err
}
