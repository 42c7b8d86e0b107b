package store

import (
	"context"
	"fmt"
	"time"
)

// Hit counts one hit of kind by client (an address, an account) in the
// window of length window that now falls in, and returns how many hits the
// window holds and when the next window begins. The hits are kept in the
// database (rate_hits), so every server counts the same ones; the client
// only as a keyed hash, and only while its window and the one before last.
// Windows are fixed, so a client may make up to twice a limit across the
// turn of one.
func (db *DB) Hit(ctx context.Context, kind, client string, window time.Duration, now time.Time) (hits int, next time.Time, err error) {
	secs := int64(window / time.Second)
	if secs <= 0 {
		return 0, now, fmt.Errorf("hit %s: a window of %s", kind, window)
	}
	bucket := now.Unix() / secs
	if err := db.QueryRowContext(ctx, `INSERT INTO rate_hits(client_hash, kind, bucket, hits) VALUES (?, ?, ?, 1)
		ON CONFLICT (client_hash, kind, bucket) DO UPDATE SET hits = rate_hits.hits + 1 RETURNING hits`,
		db.Keys().Hash("rate_client", client), kind, bucket).Scan(&hits); err != nil {
		return 0, now, fmt.Errorf("count a hit of %s: %w", kind, err)
	}
	if hits == 1 { // the first hit of a window clears the windows before the last
		if _, err := db.ExecContext(ctx, `DELETE FROM rate_hits WHERE kind = ? AND bucket < ?`, kind, bucket-1); err != nil {
			return 0, now, fmt.Errorf("clear the hits of %s: %w", kind, err)
		}
	}
	return hits, time.Unix((bucket+1)*secs, 0), nil
}
