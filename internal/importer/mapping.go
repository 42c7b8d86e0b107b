package importer

import (
	"context"
	"strconv"
	"time"

	"wanhu/internal/store"
)

// SavedMapping returns the mapping community has saved (see SaveMapping).
func SavedMapping(ctx context.Context, q store.Querier, community int64) (Mapping, error) {
	rows, err := q.QueryContext(ctx, `SELECT header, field FROM import_mappings WHERE community_id = ?`, community)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m := Mapping{}
	for rows.Next() {
		var h, f string
		if err := rows.Scan(&h, &f); err != nil {
			return nil, err
		}
		m[h] = Field(f)
	}
	return m, rows.Err()
}

// SaveMapping keeps m for community's next imports, header by header
// (a header mapped again is replaced; the others stay).
func SaveMapping(ctx context.Context, q store.Querier, community int64, m Mapping, now time.Time) error {
	for h, f := range m {
		if _, err := q.ExecContext(ctx, `INSERT INTO import_mappings(community_id, header, field, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (community_id, header) DO UPDATE SET field = excluded.field, updated_at = excluded.updated_at`,
			community, h, string(f), now.UTC()); err != nil {
			return err
		}
	}
	return nil
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
