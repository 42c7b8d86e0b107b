package household

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"wanhu/internal/apperr"
	"wanhu/internal/audit"
)

// exportPage is how many households ExportFull reads at a time.
const exportPage = 500

// ExportFull calls fn with every household in the store's scope, in id
// order, with all its members (current ones first, the householder
// leading; then former ones) and the tags of both, unmasked: ID and phone
// numbers, birth dates and health notes in full, for a file that is to be
// imported again (internal/importer), which finds households and members
// by their numbers. Like RevealPerson it is the audited way to full
// values: it first writes entry e to the audit log as "export.households"
// with how many households and persons it holds; a reader whose role may
// not reveal gets apperr.ErrForbidden, recorded as denied.
func (s *Store) ExportFull(ctx context.Context, log *audit.Log, e audit.Entry, fn func(h *Household) error) (households, persons int, err error) {
	if log == nil {
		return 0, 0, errors.New("export: no audit log to record it in")
	}
	e.Action, e.Object = "export.households", "households"
	if !s.scope.Reveal {
		e.Result = audit.Denied
		if err := log.Record(ctx, e); err != nil {
			return 0, 0, err
		}
		return 0, 0, apperr.ErrForbidden
	}
	cond, args := Where(s.scope)
	if cond != "" {
		cond = " AND " + cond
	}
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM households h WHERE 1 = 1`+cond, args...).Scan(&households); err != nil {
		return 0, 0, err
	}
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM persons p JOIN households h ON h.id = p.household_id WHERE 1 = 1`+cond,
		args...).Scan(&persons); err != nil {
		return 0, 0, err
	}
	e.Result = audit.OK
	e.Detail = strings.TrimSpace(e.Detail + fmt.Sprintf(" %d households, %d persons, with full ID and phone numbers", households, persons))
	if err := log.Record(ctx, e); err != nil {
		return 0, 0, err
	}
	for last := int64(0); ; {
		hs, err := s.exportPage(ctx, last, cond, args)
		if err != nil || len(hs) == 0 {
			return households, persons, err
		}
		for i := range hs {
			if err := fn(&hs[i]); err != nil {
				return households, persons, err
			}
		}
		last = hs[len(hs)-1].ID
	}
}

// exportPage returns the exportPage households after id last that match
// cond (with args), with their members and tags, unmasked.
func (s *Store) exportPage(ctx context.Context, last int64, cond string, args []any) ([]Household, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+householdCols+householdFrom+` WHERE h.id > ?`+cond+` ORDER BY h.id LIMIT ?`,
		append(append([]any{last}, args...), exportPage)...)
	if err != nil {
		return nil, err
	}
	var hs []Household
	index := map[int64]int{}
	for rows.Next() {
		h, err := scanHousehold(s.db.Keys(), rows, true)
		if err != nil {
			rows.Close()
			return nil, err
		}
		index[h.ID] = len(hs)
		hs = append(hs, h)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(hs) == 0 {
		return nil, err
	}
	if err := listTags(ctx, s.db, hs); err != nil {
		return nil, err
	}
	ids := make([]any, len(hs))
	for i, h := range hs {
		ids[i] = h.ID
	}
	in := `(?` + strings.Repeat(", ?", len(ids)-1) + `)`
	ps, err := s.db.QueryContext(ctx, `SELECT `+personCols+` FROM persons p WHERE p.household_id IN `+in+`
		ORDER BY p.household_id, p.active DESC, CASE WHEN p.relation = 'householder' THEN 0 ELSE 1 END, p.id`, ids...)
	if err != nil {
		return nil, err
	}
	where := map[int64][2]int{}
	today := s.today()
	for ps.Next() {
		p, err := scanPerson(s.db.Keys(), ps, today)
		if err != nil {
			ps.Close()
			return nil, err
		}
		h := &hs[index[p.HouseholdID]]
		where[p.ID] = [2]int{index[p.HouseholdID], len(h.Members)}
		h.Members = append(h.Members, p)
	}
	ps.Close()
	if err := ps.Err(); err != nil {
		return nil, err
	}
	tags, err := s.db.QueryContext(ctx, `SELECT pt.person_id, pt.tag FROM person_tags pt JOIN persons p ON p.id = pt.person_id
		JOIN tags t ON t.code = pt.tag WHERE p.household_id IN `+in+` ORDER BY t.sort`, ids...)
	if err != nil {
		return nil, err
	}
	defer tags.Close()
	for tags.Next() {
		var id int64
		var tag string
		if err := tags.Scan(&id, &tag); err != nil {
			return nil, err
		}
		if w, ok := where[id]; ok {
			m := &hs[w[0]].Members[w[1]]
			m.Tags = append(m.Tags, tag)
		}
	}
	return hs, tags.Err()
}
