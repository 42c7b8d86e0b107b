package household

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"wanhu/internal/audit"
	"wanhu/internal/org"
	"wanhu/internal/store"
)

// visitors returns the visitors of a household (visitorList).
func visitors(ctx context.Context, q store.Querier, householdID int64) ([]Visitor, error) {
	var list string
	if err := q.QueryRowContext(ctx, `SELECT `+visitorList(q, "?"), householdID).Scan(&list); err != nil {
		return nil, err
	}
	return decodeVisitors(list)
}

// visitorList is a subquery of the visitors of household hid (an SQL
// expression) as a jsonList by team member id: a file reads them with its
// household row (decodeVisitors).
func visitorList(q store.Querier, hid string) string {
	return jsonList(q, `t.id, t.name, t.role`,
		`household_assignments a JOIN team_members t ON t.id = a.team_member_id WHERE a.household_id = `+hid, `t.id`)
}

// decodeVisitors decodes a visitorList.
func decodeVisitors(list string) ([]Visitor, error) {
	rows, err := jsonRows(list, 3)
	if err != nil {
		return nil, fmt.Errorf("visitors: %w", err)
	}
	slices.SortFunc(rows, func(a, b jsonRow) int { return cmp.Compare(a.id(0), b.id(0)) }) // visitorList's order
	out := make([]Visitor, len(rows))
	for i, r := range rows {
		out[i].Name, out[i].Role = r.str(1), r.str(2)
		if err := r.int64To(0, &out[i].ID); err != nil {
			return nil, fmt.Errorf("visitors: %w", err)
		}
	}
	return out, nil
}

// SetVisitors makes the given team members, and only them, the visitors of
// a household. Each must visit the household's grid (org.CheckVisitor): a
// visitor's account then sees the household.
func (s *Store) SetVisitors(ctx context.Context, householdID int64, memberIDs []int64) ([]Visitor, error) {
	audit.Describe(ctx, "household.visitors", fmt.Sprintf("household:%d", householdID), fmt.Sprintf("%d visitors", len(memberIDs)))
	var out []Visitor
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := s.visible(ctx, tx, householdID); err != nil {
			return err
		}
		grid, err := gridOf(ctx, tx, householdID)
		if err != nil {
			return err
		}
		for _, id := range memberIDs {
			if err := org.CheckVisitor(ctx, tx, grid, id, "team_member_ids"); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM household_assignments WHERE household_id = ?`, householdID); err != nil {
			return err
		}
		slices.Sort(memberIDs)
		for _, id := range slices.Compact(memberIDs) {
			if _, err := tx.ExecContext(ctx, `INSERT INTO household_assignments(team_member_id, household_id) VALUES (?, ?)`, id, householdID); err != nil {
				return err
			}
		}
		out, err = visitors(ctx, tx, householdID)
		return err
	})
	return out, err
}
