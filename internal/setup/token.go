package setup

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"errors"
	"time"

	"wanhu/internal/store"
)

// The first-run page (/setup) answers only the server's own machine, or
// whoever brings the one-time token that `wanhu serve` prints when it
// starts on a database without an administrator. The token is kept in the
// settings, so every server of a city prints the same one and any of them
// takes it, and Run removes it: after the set-up it opens nothing.

// tokenKey is the settings row of the first-run token.
const tokenKey = "setup_token"

// Token returns the first-run token, making one when there is none, or ""
// when the database has an administrator (the page is gone).
func Token(ctx context.Context, db *store.DB) (string, error) {
	st, err := StateOf(ctx, db)
	if err != nil || st.HasAdmin {
		return "", err
	}
	b := make([]byte, 24)
	rand.Read(b)
	if _, err := db.ExecContext(ctx, `INSERT INTO settings(key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING`,
		tokenKey, base64.RawURLEncoding.EncodeToString(b), time.Now().UTC()); err != nil {
		return "", err
	}
	var tok string
	err = db.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, tokenKey).Scan(&tok)
	return tok, err
}

// TokenValid reports whether tok is the first-run token.
func TokenValid(ctx context.Context, q store.Querier, tok string) (bool, error) {
	if tok == "" {
		return false, nil
	}
	var want string
	err := q.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, tokenKey).Scan(&want)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return subtle.ConstantTimeCompare([]byte(tok), []byte(want)) == 1, nil
}
