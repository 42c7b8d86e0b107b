package household

import (
	"context"
	"fmt"
	"slices"

	"wanhu/internal/audit"
	"wanhu/internal/org"
	"wanhu/internal/store"
)

func visitors(ctx context.Context, q store.Querier, householdID int64) ([]Visitor, error) {
	rows, err := q.QueryContext(ctx, `SELECT t.id, t.name, t.role FROM household_assignments a
		JOIN team_members t ON t.id = a.team_member_id WHERE a.household_id = ? ORDER BY t.id`, householdID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Visitor{}
	for rows.Next() {
		var v Visitor
		if err := rows.Scan(&v.ID, &v.Name, &v.Role); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
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
