package household

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"wanhu/internal/apperr"
	"wanhu/internal/audit"
	"wanhu/internal/org"
	"wanhu/internal/store"
)

// needs returns the needs of a household (needList).
func needs(ctx context.Context, q store.Querier, householdID int64) ([]Need, error) {
	var list string
	if err := q.QueryRowContext(ctx, `SELECT `+needList(q, "?"), householdID).Scan(&list); err != nil {
		return nil, err
	}
	return decodeNeeds(q.Dialect(), list)
}

// needList is a subquery of the needs of household hid (an SQL
// expression) as a jsonList, open needs first, then those in progress,
// each in the order they were added: a file reads them with its household
// row (decodeNeeds).
func needList(q store.Querier, hid string) string {
	return jsonList(q, `n.id, n.household_id, COALESCE(n.person_id, 0), n.kind, n.note, n.status, n.created_at, n.updated_at`,
		`needs n WHERE n.household_id = `+hid,
		`CASE n.status WHEN 'open' THEN 0 WHEN 'in_progress' THEN 1 ELSE 2 END, n.id`)
}

// decodeNeeds decodes a needList of dialect d.
func decodeNeeds(d store.Dialect, list string) ([]Need, error) {
	rows, err := jsonRows(list, 8)
	if err != nil {
		return nil, fmt.Errorf("needs: %w", err)
	}
	// needList's order: open needs, then those in progress, then the rest, each by id.
	rank := func(r jsonRow) int {
		switch r.str(5) {
		case "open":
			return 0
		case "in_progress":
			return 1
		}
		return 2
	}
	slices.SortFunc(rows, func(a, b jsonRow) int {
		return cmp.Or(cmp.Compare(rank(a), rank(b)), cmp.Compare(a.id(0), b.id(0)))
	})
	out := make([]Need, len(rows))
	for i, r := range rows {
		n := &out[i]
		n.Kind, n.Note, n.Status = r.str(3), r.str(4), r.str(5)
		err := first(r.int64To(0, &n.ID), r.int64To(1, &n.HouseholdID), r.int64To(2, &n.PersonID),
			storedTimes(d, r.str(6), &n.CreatedAt, r.str(7), &n.UpdatedAt))
		if err != nil {
			return nil, fmt.Errorf("need %d: %w", n.ID, err)
		}
	}
	return out, nil
}

func checkNeed(n *Need) error {
	n.Note = strings.TrimSpace(n.Note)
	if n.Status == "" {
		n.Status = "open"
	}
	return first(oneOf("kind", n.Kind, NeedKinds, false), oneOf("status", n.Status, NeedStatuses, false), maxLen("note", n.Note, 1000))
}

// gridOf returns the grid of a household, or ErrNotFound.
func gridOf(ctx context.Context, q store.Querier, householdID int64) (int64, error) {
	var g int64
	err := q.QueryRowContext(ctx, `SELECT grid_id FROM households WHERE id = ?`, householdID).Scan(&g)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, apperr.ErrNotFound
	}
	return g, err
}

// AddNeed adds an item to a household's needs list.
func (s *Store) AddNeed(ctx context.Context, actor Actor, n Need) (*Need, error) {
	audit.Describe(ctx, "need.add", fmt.Sprintf("household:%d", n.HouseholdID), n.Kind)
	if err := checkNeed(&n); err != nil {
		return nil, err
	}
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := s.visible(ctx, tx, n.HouseholdID); err != nil {
			return err
		}
		grid, err := gridOf(ctx, tx, n.HouseholdID)
		if err != nil {
			return err
		}
		if n.PersonID != 0 {
			var hid int64
			err := tx.QueryRowContext(ctx, `SELECT household_id FROM persons WHERE id = ?`, n.PersonID).Scan(&hid)
			if err != nil || hid != n.HouseholdID {
				return apperr.Field("person_id", "not_member", "person %d is not a member of this household", n.PersonID)
			}
		}
		now := s.now().UTC()
		n.CreatedAt, n.UpdatedAt = now, now
		if err := tx.QueryRowContext(ctx, `INSERT INTO needs(household_id, person_id, kind, note, status, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, n.HouseholdID, nullID(n.PersonID), n.Kind, n.Note, n.Status, now, now).Scan(&n.ID); err != nil {
			return err
		}
		return writeLedger(ctx, tx, LedgerEvent{HouseholdID: n.HouseholdID, PersonID: n.PersonID, GridID: grid, Type: EvNeedAdded,
			Field: n.Kind, After: n.Status, Note: n.Note, ActorID: actor.ID, Actor: actor.Name, At: now})
	})
	if err != nil {
		return nil, err
	}
	return &n, nil
}

// UpdateNeed changes the status or note of a need.
func (s *Store) UpdateNeed(ctx context.Context, actor Actor, id int64, status, note string) (*Need, error) {
	audit.Describe(ctx, "need.update", fmt.Sprintf("need:%d", id), status) // named by its household once found
	var out *Need
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		var n Need
		err := tx.QueryRowContext(ctx, `SELECT id, household_id, COALESCE(person_id, 0), kind, note, status, created_at, updated_at
			FROM needs WHERE id = ?`, id).Scan(&n.ID, &n.HouseholdID, &n.PersonID, &n.Kind, &n.Note, &n.Status, &n.CreatedAt, &n.UpdatedAt)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.ErrNotFound
		}
		if err != nil {
			return err
		}
		audit.Describe(ctx, "need.update", fmt.Sprintf("household:%d", n.HouseholdID), fmt.Sprintf("need:%d %s", id, status))
		if err := s.visible(ctx, tx, n.HouseholdID); err != nil {
			return err
		}
		before := n.Status
		if status != "" {
			n.Status = status
		}
		n.Note = note
		if err := checkNeed(&n); err != nil {
			return err
		}
		grid, err := gridOf(ctx, tx, n.HouseholdID)
		if err != nil {
			return err
		}
		n.UpdatedAt = s.now().UTC()
		if _, err := tx.ExecContext(ctx, `UPDATE needs SET status = ?, note = ?, updated_at = ? WHERE id = ?`, n.Status, n.Note, n.UpdatedAt, id); err != nil {
			return err
		}
		out = &n
		return writeLedger(ctx, tx, LedgerEvent{HouseholdID: n.HouseholdID, PersonID: n.PersonID, GridID: grid, Type: EvNeedChanged,
			Field: n.Kind, Before: before, After: n.Status, Note: n.Note, ActorID: actor.ID, Actor: actor.Name, At: n.UpdatedAt})
	})
	return out, err
}

// measures returns the plan of a household (measureList).
func measures(ctx context.Context, q store.Querier, householdID int64) ([]Measure, error) {
	var list string
	if err := q.QueryRowContext(ctx, `SELECT `+measureList(q, "?"), householdID).Scan(&list); err != nil {
		return nil, err
	}
	return decodeMeasures(q.Dialect(), list)
}

// measureList is a subquery of the plan of household hid (an SQL
// expression) as a jsonList in the order the measures were added, with
// their owners' names: a file reads it with its household row
// (decodeMeasures).
func measureList(q store.Querier, hid string) string {
	return jsonList(q, `m.id, m.household_id, m.kind, m.description, COALESCE(m.owner_id, 0), COALESCE(t.name, ''),
		m.frequency, m.status, m.created_at, m.updated_at`,
		`plan_measures m LEFT JOIN team_members t ON t.id = m.owner_id WHERE m.household_id = `+hid, `m.id`)
}

// decodeMeasures decodes a measureList of dialect d.
func decodeMeasures(d store.Dialect, list string) ([]Measure, error) {
	rows, err := jsonRows(list, 10)
	if err != nil {
		return nil, fmt.Errorf("plan: %w", err)
	}
	slices.SortFunc(rows, func(a, b jsonRow) int { return cmp.Compare(a.id(0), b.id(0)) }) // measureList's order
	out := make([]Measure, len(rows))
	for i, r := range rows {
		m := &out[i]
		m.Kind, m.Description, m.OwnerName, m.Frequency, m.Status = r.str(2), r.str(3), r.str(5), r.str(6), r.str(7)
		err := first(r.int64To(0, &m.ID), r.int64To(1, &m.HouseholdID), r.int64To(4, &m.OwnerID),
			storedTimes(d, r.str(8), &m.CreatedAt, r.str(9), &m.UpdatedAt))
		if err != nil {
			return nil, fmt.Errorf("measure %d: %w", m.ID, err)
		}
	}
	return out, nil
}

func checkMeasure(ctx context.Context, q store.Querier, m *Measure) error {
	m.Description = strings.TrimSpace(m.Description)
	if m.Status == "" {
		m.Status = "active"
	}
	if err := first(oneOf("kind", m.Kind, MeasureKinds, false), oneOf("frequency", m.Frequency, Frequencies, false),
		oneOf("status", m.Status, MeasureStates, false), maxLen("description", m.Description, 1000)); err != nil {
		return err
	}
	if m.OwnerID != 0 {
		if err := q.QueryRowContext(ctx, `SELECT name FROM team_members WHERE id = ?`, m.OwnerID).Scan(&m.OwnerName); err != nil {
			return apperr.Field("owner_id", "not_found", "team member %d does not exist", m.OwnerID)
		}
	}
	return nil
}

// checkOwner returns a FieldError unless the owner of m, when it is new
// or changed from before, visits the household's grid (org.CheckVisitor).
func checkOwner(ctx context.Context, q store.Querier, m *Measure, grid, before int64) error {
	if m.OwnerID == 0 || m.OwnerID == before {
		return nil
	}
	return org.CheckVisitor(ctx, q, grid, m.OwnerID, "owner_id")
}

// SaveMeasure adds a measure to a household plan (m.ID == 0) or changes one.
func (s *Store) SaveMeasure(ctx context.Context, actor Actor, m Measure) (*Measure, error) {
	if m.ID == 0 {
		audit.Describe(ctx, "plan.add", fmt.Sprintf("household:%d", m.HouseholdID), m.Kind)
	}
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		before, owner := "", int64(0)
		if m.ID != 0 {
			err := tx.QueryRowContext(ctx, `SELECT household_id, status, COALESCE(owner_id, 0) FROM plan_measures WHERE id = ?`, m.ID).Scan(&m.HouseholdID, &before, &owner)
			if errors.Is(err, sql.ErrNoRows) {
				return apperr.ErrNotFound
			}
			if err != nil {
				return err
			}
			audit.Describe(ctx, "plan.update", fmt.Sprintf("household:%d", m.HouseholdID), fmt.Sprintf("measure %d %s", m.ID, m.Status))
		}
		if err := s.visible(ctx, tx, m.HouseholdID); err != nil {
			return err
		}
		if err := checkMeasure(ctx, tx, &m); err != nil {
			return err
		}
		grid, err := gridOf(ctx, tx, m.HouseholdID)
		if err != nil {
			return err
		}
		if err := checkOwner(ctx, tx, &m, grid, owner); err != nil {
			return err
		}
		now := s.now().UTC()
		m.UpdatedAt = now
		typ := EvMeasureChanged
		if m.ID == 0 {
			typ, m.CreatedAt = EvMeasureAdded, now
			err = tx.QueryRowContext(ctx, `INSERT INTO plan_measures(household_id, kind, description, owner_id, frequency, status, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, m.HouseholdID, m.Kind, m.Description, nullID(m.OwnerID), m.Frequency, m.Status, now, now).Scan(&m.ID)
		} else {
			_, err = tx.ExecContext(ctx, `UPDATE plan_measures SET kind = ?, description = ?, owner_id = ?, frequency = ?, status = ?, updated_at = ?
				WHERE id = ?`, m.Kind, m.Description, nullID(m.OwnerID), m.Frequency, m.Status, now, m.ID)
		}
		if err != nil {
			return err
		}
		return writeLedger(ctx, tx, LedgerEvent{HouseholdID: m.HouseholdID, GridID: grid, Type: typ, Field: m.Kind,
			Before: before, After: m.Status, Note: m.Description, ActorID: actor.ID, Actor: actor.Name, At: now})
	})
	if err != nil {
		return nil, err
	}
	return &m, nil
}

// NeedByID returns one need.
func (s *Store) NeedByID(ctx context.Context, id int64) (*Need, error) {
	var n Need
	err := s.db.QueryRowContext(ctx, `SELECT id, household_id, COALESCE(person_id, 0), kind, note, status, created_at, updated_at
		FROM needs WHERE id = ?`, id).Scan(&n.ID, &n.HouseholdID, &n.PersonID, &n.Kind, &n.Note, &n.Status, &n.CreatedAt, &n.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	if err := s.visible(ctx, s.db, n.HouseholdID); err != nil {
		return nil, err
	}
	return &n, nil
}

// MeasureByID returns one measure of a household plan.
func (s *Store) MeasureByID(ctx context.Context, id int64) (*Measure, error) {
	var hid int64
	err := s.db.QueryRowContext(ctx, `SELECT household_id FROM plan_measures WHERE id = ?`, id).Scan(&hid)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	if err := s.visible(ctx, s.db, hid); err != nil {
		return nil, err
	}
	ms, err := measures(ctx, s.db, hid)
	if err != nil {
		return nil, err
	}
	for i := range ms {
		if ms[i].ID == id {
			return &ms[i], nil
		}
	}
	return nil, apperr.ErrNotFound
}
