package household

import (
	"context"
	"fmt"
	"time"

	"wanhu/internal/org"
	"wanhu/internal/store"
)

// Structure returns the editor of the org tree and the places
// (org.Structure) in the store's scope, moving households through the
// store: when a grid is retired or a building moves to another grid, each
// household whose grid changes gets the ledger event an edit of its grid
// gets (field_changed on grid_id), by actor, with a note saying why.
func (s *Store) Structure(actor Actor) *org.Structure {
	return org.NewStructure(s.db).In(s.scope).Moving(func(ctx context.Context, q store.Querier, m org.Move) (int, error) {
		return moveHouseholds(ctx, q, actor, m, s.now().UTC())
	})
}

// moveHouseholds moves the households of grid m.FromGrid, or of building
// m.Building, to grid m.To in the transaction of q, each with its ledger
// event and a new version (an edit form opened before is then stale).
func moveHouseholds(ctx context.Context, q store.Querier, actor Actor, m org.Move, now time.Time) (int, error) {
	cond, arg := "grid_id = ?", m.FromGrid
	if m.Building != 0 {
		cond, arg = "building_id = ?", m.Building
	}
	rows, err := q.QueryContext(ctx, `SELECT id, grid_id FROM households WHERE `+cond+` ORDER BY id`, arg)
	if err != nil {
		return 0, err
	}
	type move struct{ id, from int64 }
	var moves []move
	for rows.Next() {
		var mv move
		if err := rows.Scan(&mv.id, &mv.from); err != nil {
			rows.Close()
			return 0, err
		}
		if mv.from != m.To {
			moves = append(moves, mv)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for _, mv := range moves {
		if _, err := q.ExecContext(ctx, `UPDATE households SET grid_id = ?, version = version + 1, updated_at = ? WHERE id = ?`,
			m.To, now, mv.id); err != nil {
			return 0, fmt.Errorf("move household %d: %w", mv.id, err)
		}
		if err := writeLedger(ctx, q, LedgerEvent{HouseholdID: mv.id, GridID: m.To, Type: EvFieldChanged, Field: "grid_id",
			Before: fmt.Sprint(mv.from), After: fmt.Sprint(m.To), Note: m.Note, ActorID: actor.ID, Actor: actor.Name, At: now}); err != nil {
			return 0, err
		}
	}
	return len(moves), nil
}
