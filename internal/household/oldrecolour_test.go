package household

import (
	"context"

	"wanhu/internal/store"
)

// RecolourOneByOne is how Recolour worked before issue 15: refresh,
// household by household. Tests check the batches against it.
func (s *Store) RecolourOneByOne(ctx context.Context, actor Actor) (int, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, colour FROM households ORDER BY id`)
	if err != nil {
		return 0, err
	}
	was := map[int64]Colour{}
	var ids []int64
	for rows.Next() {
		var id int64
		var c Colour
		if err := rows.Scan(&id, &c); err != nil {
			rows.Close()
			return 0, err
		}
		ids, was[id] = append(ids, id), c
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	changed := 0
	for _, id := range ids {
		err := s.db.InTx(ctx, func(tx *store.Tx) error {
			if err := s.refresh(ctx, tx, actor, id); err != nil {
				return err
			}
			var now Colour
			if err := tx.QueryRowContext(ctx, `SELECT colour FROM households WHERE id = ?`, id).Scan(&now); err != nil {
				return err
			}
			if now != was[id] {
				changed++
			}
			return nil
		})
		if err != nil {
			return changed, err
		}
	}
	return changed, nil
}
