package auth

import (
	"context"
	"crypto/rand"
	"errors"
	"strings"

	"wanhu/internal/store"
)

// One-time passwords: an account made for someone else to hand over (the
// structure import's accounts for team members) gets a random password
// that is printed once and must be changed at the first sign-in. Until
// then the web lets the session do nothing but change it
// (Session.ChangePassword) and the API refuses it (ErrChangePassword).
// Changing or resetting the password (SetPassword) ends it.

// ErrChangePassword answers an API sign-in or token of an account that
// still has its one-time password.
var ErrChangePassword = errors.New("this account has a one-time password: change it on the web (/account/password) first")

// oneTimeAlphabet has no characters that read alike on a slip of paper
// (0 and o, 1 and l and i).
const oneTimeAlphabet = "abcdefghjkmnpqrstuvwxyz23456789"

// OneTimePassword returns a random password to hand over on paper: twelve
// characters of oneTimeAlphabet (59 bits) in groups of four, as
// "k7cm-x2qa-9fhe".
func OneTimePassword() string {
	b := make([]byte, 12)
	rand.Read(b)
	var out strings.Builder
	for i, c := range b {
		if i > 0 && i%4 == 0 {
			out.WriteByte('-')
		}
		// 256 is not a multiple of 31: take only bytes below 248 (8×31).
		for c >= 248 {
			var one [1]byte
			rand.Read(one[:])
			c = one[0]
		}
		out.WriteByte(oneTimeAlphabet[int(c)%len(oneTimeAlphabet)])
	}
	return out.String()
}

// MemberAccounts returns the username of the account linked to each team
// member that has one. It reads in a transaction of ctx (store.WithTx),
// if any, so it sees the accounts an import has made so far.
func (s *Store) MemberAccounts(ctx context.Context) (map[int64]string, error) {
	out := map[int64]string{}
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT team_member_id, username FROM users WHERE team_member_id IS NOT NULL`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var name string
			if err := rows.Scan(&id, &name); err != nil {
				return err
			}
			out[id] = name
		}
		return rows.Err()
	})
	return out, err
}

// UsernamesLike returns the usernames that begin with prefix, read as
// MemberAccounts reads.
func (s *Store) UsernamesLike(ctx context.Context, prefix string) (map[string]bool, error) {
	out := map[string]bool{}
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT username FROM users WHERE username LIKE ?`, likePrefix(prefix))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var name string
			if err := rows.Scan(&name); err != nil {
				return err
			}
			out[name] = true
		}
		return rows.Err()
	})
	return out, err
}

// likePrefix is a LIKE pattern of the strings beginning with p; usernames
// hold no % and _ matches itself closely enough (a few more rows).
func likePrefix(p string) string { return strings.ReplaceAll(p, "%", "") + "%" }
