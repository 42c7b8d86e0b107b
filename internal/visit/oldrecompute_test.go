package visit

import (
	"context"
	"fmt"

	"wanhu/internal/calendar"
	"wanhu/internal/store"
)

// RecomputeOneByOne is how RecomputeDue worked before issue 15: recompute,
// household by household. Tests check the set-based batches against it.
func RecomputeOneByOne(ctx context.Context, db *store.DB, today calendar.Date) (int, error) {
	p, err := LoadPolicy(ctx, db)
	if err != nil {
		return 0, err
	}
	rows, err := db.QueryContext(ctx, `SELECT id FROM households ORDER BY id`)
	if err != nil {
		return 0, err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	changed := 0
	for _, id := range ids {
		c, err := recompute(ctx, db, p, id, today)
		if err != nil {
			return changed, fmt.Errorf("household %d: %w", id, err)
		}
		if c {
			changed++
		}
	}
	return changed, nil
}
