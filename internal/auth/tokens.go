package auth

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"wanhu/internal/apperr"
)

// Personal access tokens let scripts use the API without a password. A
// token is shown once; only its SHA-256 hash is stored. It carries scopes
// ("read", or "read" and "write") and an expiry.

// TokenPrefix starts every personal access token, so Authenticate tells
// them from login tokens and a leaked one is easy to grep for.
const TokenPrefix = "wanhu_pat_"

// Scopes of personal access tokens.
const (
	ScopeRead  = "read"
	ScopeWrite = "write"
)

// MaxTokenLifetime is the longest expiry a token may have.
const MaxTokenLifetime = 366 * 24 * time.Hour

// Token is a personal access token as listed (never the token itself).
type Token struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	Scopes     []string   `json:"scopes"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  time.Time  `json:"expires_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
}

// MayWrite reports whether the session may change data: every login
// session may; a personal access token only with the write scope.
func (s *Session) MayWrite() bool {
	return s.Scopes == nil || strings.Contains(","+strings.Join(s.Scopes, ",")+",", ","+ScopeWrite+",")
}

// normScopes checks scopes and returns them sorted ("write" implies "read").
func normScopes(scopes []string) ([]string, error) {
	out := []string{ScopeRead}
	for _, sc := range scopes {
		switch sc {
		case ScopeRead:
		case ScopeWrite:
			if len(out) == 1 {
				out = append(out, ScopeWrite)
			}
		default:
			return nil, apperr.Field("scopes", "invalid", "scopes are %q and %q", ScopeRead, ScopeWrite)
		}
	}
	return out, nil
}

// CreateToken makes a personal access token of the user that lives for
// ttl (at most MaxTokenLifetime) and returns it, to be shown once.
func (s *Store) CreateToken(ctx context.Context, userID int64, name string, scopes []string, ttl time.Duration) (string, Token, error) {
	name = strings.TrimSpace(name)
	if name == "" || len([]rune(name)) > 100 {
		return "", Token{}, apperr.Field("name", "required", "give the token a name of at most 100 characters")
	}
	if ttl <= 0 || ttl > MaxTokenLifetime {
		return "", Token{}, apperr.Field("expires_in_days", "invalid", "must be between 1 and 366 days")
	}
	sc, err := normScopes(scopes)
	if err != nil {
		return "", Token{}, err
	}
	plain := TokenPrefix + randomToken()
	now := s.now().UTC()
	t := Token{Name: name, Scopes: sc, CreatedAt: now, ExpiresAt: now.Add(ttl)}
	err = s.db.QueryRowContext(ctx, `INSERT INTO access_tokens(user_id, name, token_hash, scopes, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, userID, name, tokenID(plain), strings.Join(sc, ","), now, t.ExpiresAt).Scan(&t.ID)
	return plain, t, err
}

// Tokens lists the user's personal access tokens, newest first.
func (s *Store) Tokens(ctx context.Context, userID int64) ([]Token, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, name, scopes, created_at, expires_at, last_used_at FROM access_tokens
		WHERE user_id = ? ORDER BY id DESC`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Token{}
	for rows.Next() {
		var t Token
		var sc string
		var used sql.NullTime
		if err := rows.Scan(&t.ID, &t.Name, &sc, &t.CreatedAt, &t.ExpiresAt, &used); err != nil {
			return nil, err
		}
		t.Scopes = strings.Split(sc, ",")
		if used.Valid {
			t.LastUsedAt = &used.Time
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// DeleteToken revokes one of the user's tokens; another user's token
// answers ErrNotFound like a missing one.
func (s *Store) DeleteToken(ctx context.Context, userID, id int64) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM access_tokens WHERE id = ? AND user_id = ?`, id, userID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.ErrNotFound
	}
	return nil
}

// authenticateToken returns the session of a live personal access token,
// read with its account in one query (credential).
func (s *Store) authenticateToken(ctx context.Context, plain string) (*Session, error) {
	row, err := s.credential(ctx, tokenCred, tokenID(plain))
	if errors.Is(err, apperr.ErrNotFound) {
		return nil, ErrBadCredentials
	}
	if err != nil {
		return nil, err // the database failing signs no one out
	}
	u, sc, exp, id, now := row.user, row.secret, row.exp, row.tokenID, s.now().UTC()
	if now.After(exp) || u.Disabled {
		return nil, ErrBadCredentials
	}
	if u.MustChangePassword {
		return nil, ErrChangePassword
	}
	// A token made before the user's role required TOTP rests until they
	// turn it on (on the web), then works again: it was made after a
	// password sign-in and is listed on their tokens page to revoke.
	if row.apiRefused(now) {
		return nil, ErrEnrolTOTP
	}
	if !row.last.Valid || now.Sub(row.last.Time) > time.Minute {
		s.db.ExecContext(ctx, `UPDATE access_tokens SET last_used_at = ? WHERE id = ?`, now, id)
	}
	return &Session{User: u, Kind: API, ExpiresAt: exp, Scopes: strings.Split(sc, ","), TokenID: id}, nil
}
