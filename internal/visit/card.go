package visit

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/store"
)

// CardTokens returns the contact-card token of each of the households ids,
// creating the missing ones. A token is 16 random URL-safe characters; it
// never changes, so printed cards stay valid. The caller checks that the
// households are in its scope.
func CardTokens(ctx context.Context, q store.Querier, ids []int64) (map[int64]string, error) {
	now := time.Now().UTC()
	for _, id := range ids {
		b := make([]byte, 12)
		rand.Read(b)
		if _, err := q.ExecContext(ctx, `INSERT INTO card_tokens(household_id, token, created_at) VALUES (?, ?, ?)
			ON CONFLICT (household_id) DO NOTHING`, id, base64.RawURLEncoding.EncodeToString(b), now); err != nil {
			return nil, err
		}
	}
	out := make(map[int64]string, len(ids))
	for _, id := range ids {
		var t string
		if err := q.QueryRowContext(ctx, `SELECT token FROM card_tokens WHERE household_id = ?`, id).Scan(&t); err != nil {
			return nil, err
		}
		out[id] = t
	}
	return out, nil
}

// HouseholdOfToken returns the household a contact-card token belongs to;
// apperr.ErrNotFound for a token nobody was given.
func HouseholdOfToken(ctx context.Context, q store.Querier, token string) (int64, error) {
	if len(token) != 16 {
		return 0, apperr.ErrNotFound
	}
	var id int64
	err := q.QueryRowContext(ctx, `SELECT household_id FROM card_tokens WHERE token = ?`, token).Scan(&id)
	if isNoRows(err) {
		return 0, apperr.ErrNotFound
	}
	return id, err
}
