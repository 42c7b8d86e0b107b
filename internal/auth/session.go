package auth

// Reading a session at each request: the token, its account, its grants
// and the TOTP policy in one query (issue 15).

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/store"
)

// Authenticate returns the live session of a token of the given kind, or
// ErrBadCredentials. A web session idle for longer than IdleTimeout ends.
// The TOTP requirement is checked at every request, so a role newly
// required to use it is led to enrol at once: a web session gets
// EnrolTOTP, an API token (login or personal) ErrEnrolTOTP.
func (s *Store) Authenticate(ctx context.Context, token string, kind Kind) (*Session, error) {
	if token == "" {
		return nil, ErrBadCredentials
	}
	if kind == API && strings.HasPrefix(token, TokenPrefix) {
		return s.authenticateToken(ctx, token)
	}
	row, err := s.credential(ctx, sessionCred, tokenID(token), kind)
	if errors.Is(err, apperr.ErrNotFound) {
		return nil, ErrBadCredentials
	}
	if err != nil {
		return nil, err // the database failing signs no one out
	}
	u, csrf, last, exp := row.user, row.secret, row.last.Time, row.exp
	now := s.now().UTC()
	if now.After(exp) || kind == Web && now.Sub(last) > s.IdleTimeout {
		s.db.ExecContext(ctx, `DELETE FROM sessions WHERE id = ?`, tokenID(token))
		return nil, ErrBadCredentials
	}
	if u.Disabled {
		return nil, ErrBadCredentials
	}
	if u.MustChangePassword && kind == API {
		return nil, ErrChangePassword
	}
	enrol := row.mustEnrol()
	if kind == API && row.apiRefused(now) {
		return nil, ErrEnrolTOTP
	}
	if now.Sub(last) > time.Minute {
		s.db.ExecContext(ctx, `UPDATE sessions SET last_seen_at = ? WHERE id = ?`, now, tokenID(token))
	}
	return &Session{User: u, Kind: kind, CSRF: csrf, ExpiresAt: exp, EnrolTOTP: enrol, ChangePassword: u.MustChangePassword}, nil
}

// credRow is a session or a personal access token with its account and
// what two-step sign-in asks of it.
type credRow struct {
	user    *User
	secret  string // a session's CSRF token, a personal token's scopes
	last    sql.NullTime
	exp     time.Time
	tokenID int64 // a personal token's id

	totpRoles []Role       // the roles required to use TOTP
	totpOn    bool         // the account has turned TOTP on
	grace     sql.NullTime // until when the API lets it in without TOTP (SetTOTPGrace)
}

// mustEnrol reports whether the account's role requires TOTP and it has
// not turned it on (MustEnrolTOTP).
func (r credRow) mustEnrol() bool {
	return len(r.user.Grants) > 0 && slices.ContainsFunc(r.totpRoles, r.user.Has) && !r.totpOn
}

// apiRefused reports whether the API refuses the account until it enrols
// in two-step sign-in: mustEnrol, and no grace left (apiMustEnrol).
func (r credRow) apiRefused(now time.Time) bool {
	return r.mustEnrol() && (!r.grace.Valid || !now.Before(r.grace.Time))
}

// credSource is where credential reads a credential: the columns that
// fill credRow's secret, last, exp and tokenID, the table and the
// condition.
type credSource struct{ secret, last, exp, id, table, where string }

// A session by its id and kind; a personal access token by its hash.
var (
	sessionCred = credSource{"c.csrf", "c.last_seen_at", "c.expires_at", "0", "sessions", "c.id = ? AND c.kind = ?"}
	tokenCred   = credSource{"c.scopes", "c.last_used_at", "c.expires_at", "c.id", "access_tokens", "c.token_hash = ?"}
)

// credValues are the columns of credential but its timestamps, in the
// order of credValuesOf; on SQLite they come as one column (see
// store.JSONArray).
func credValues(cred credSource) string {
	return `u.id, u.username, u.display_name, u.disabled, u.team_member_id, u.must_change_password,
			(SELECT value FROM settings WHERE key = ?),
			(SELECT t.enabled FROM user_totp t WHERE t.user_id = u.id),
			r.role, r.org_unit_id, o.path, ` + cred.secret + `, ` + cred.id
}

// credQuery is the query of credential for cred, on SQLite or not: built
// once for each, as every signed-in request runs it (building its text
// showed in profiles; issue 15).
func credQuery(cred credSource, sqlite bool) string {
	key := credKey{cred, sqlite}
	if q, ok := credQueries.Load(key); ok {
		return q.(string)
	}
	vals := credValues(cred)
	vals += `, u.totp_grace_until, ` + cred.last + `, ` + cred.exp
	if sqlite {
		// Named: unnamed, its name would be its text, which SQLite's
		// driver copies into Go at every run (issue 15).
		vals = `json_array(` + vals + `) AS cred_values`
	}
	q := `SELECT ` + vals + `
		FROM ` + cred.table + ` c JOIN users u ON u.id = c.user_id
		LEFT JOIN user_roles r ON r.user_id = u.id
		LEFT JOIN org_units o ON o.id = r.org_unit_id
		WHERE ` + cred.where + `
		ORDER BY r.role, r.org_unit_id`
	credQueries.Store(key, q)
	return q
}

type credKey struct {
	cred   credSource
	sqlite bool
}

var credQueries sync.Map // credKey → string

// credRowValues is how many values credValues has, and credTimes how
// many timestamps follow them (the TOTP grace, the credential's last use
// and its expiry): on SQLite all of them are one JSON array.
const credRowValues, credTimes = 13, 3

// credential reads, in one query, a session or a personal access token
// (sessionCred or tokenCred, with its arguments), its account with its
// grants (one row each), the roles required to use TOTP and whether the
// account has turned it on: a signed-in request costs one query, and
// every server reads the same rows, so a session ended, an account
// disabled or a role revoked counts at the next request. It returns
// apperr.ErrNotFound when there is no such credential or account.
func (s *Store) credential(ctx context.Context, cred credSource, args ...any) (credRow, error) {
	sqlite := s.db.Dialect() == store.SQLite
	// One row per grant of one account, by the credential's key: a brief
	// read (store.Brief).
	rows, err := s.db.QueryContext(store.Brief(ctx), credQuery(cred, sqlite), append([]any{totpRolesKey}, args...)...)
	if err != nil {
		return credRow{}, err
	}
	defer rows.Close()
	var row credRow
	for rows.Next() {
		var u User
		var tm, unit sql.NullInt64
		var roles, role, path sql.NullString
		var on sql.NullBool
		var err error
		if sqlite {
			var js string
			if err = rows.Scan(&js); err == nil {
				err = credValuesOf(js, &u, &tm, &roles, &on, &role, &unit, &path, &row.secret, &row.tokenID,
					&row.grace, &row.last, &row.exp)
			}
		} else {
			err = rows.Scan(&u.ID, &u.Username, &u.DisplayName, &u.Disabled, &tm, &u.MustChangePassword,
				&roles, &on, &role, &unit, &path, &row.secret, &row.tokenID,
				&row.grace, &row.last, &row.exp)
		}
		if err != nil {
			return credRow{}, err
		}
		if row.user == nil {
			u.TeamMemberID = tm.Int64
			u.Grants = []Grant{}
			row.user = &u
			row.totpOn = on.Valid && on.Bool
			if row.totpRoles, err = parseTOTPRoles(roles); err != nil {
				return credRow{}, err
			}
		}
		// A grant whose unit is gone grants nothing (as in user).
		if role.Valid && path.Valid {
			row.user.Grants = append(row.user.Grants, Grant{Role: Role(role.String), OrgUnitID: unit.Int64, Path: path.String})
		}
	}
	if err := rows.Err(); err != nil {
		return credRow{}, err
	}
	if row.user == nil {
		return credRow{}, apperr.ErrNotFound
	}
	return row, nil
}

// credValuesOf reads credValues and the credTimes handed over as one
// JSON array (SQLite) into what credential scans them into, as the driver
// would: a null is refused but where the value may be null (sql.Null…),
// a boolean is 1 or 0, and a timestamp is read as the driver reads a
// TIMESTAMP column's text (store.SQLiteTime; a column of its own cost
// more than reading it here: issue 15).
func credValuesOf(js string, u *User, tm *sql.NullInt64, roles *sql.NullString, on *sql.NullBool,
	role *sql.NullString, unit *sql.NullInt64, path *sql.NullString, secret *string, tokenID *int64,
	grace, last *sql.NullTime, exp *time.Time) error {
	var buf [credRowValues + credTimes]store.JSONValue
	v, err := store.JSONArrayInto(buf[:0], js, credRowValues+credTimes)
	if err != nil {
		return err
	}
	for _, i := range []int{0, 1, 2, 3, 5, 11, 12, 15} {
		if v[i].Null {
			return fmt.Errorf("credential: value %d is null", i)
		}
	}
	num := func(i int, n *int64) error {
		var err error
		*n, err = strconv.ParseInt(v[i].S, 10, 64)
		return err
	}
	flag := func(i int, b *bool) error {
		switch v[i].S {
		case "1", "true":
			*b = true
		case "0", "false":
			*b = false
		default:
			return fmt.Errorf("credential: value %d: %q is not a boolean", i, v[i].S)
		}
		return nil
	}
	u.Username, u.DisplayName, *secret = v[1].S, v[2].S, v[11].S
	*roles = sql.NullString{String: v[6].S, Valid: !v[6].Null}
	*role = sql.NullString{String: v[8].S, Valid: !v[8].Null}
	*path = sql.NullString{String: v[10].S, Valid: !v[10].Null}
	if err := errors.Join(num(0, &u.ID), flag(3, &u.Disabled), flag(5, &u.MustChangePassword), num(12, tokenID)); err != nil {
		return err
	}
	if tm.Valid = !v[4].Null; tm.Valid {
		if err := num(4, &tm.Int64); err != nil {
			return err
		}
	}
	if unit.Valid = !v[9].Null; unit.Valid {
		if err := num(9, &unit.Int64); err != nil {
			return err
		}
	}
	if on.Valid = !v[7].Null; on.Valid {
		if err := flag(7, &on.Bool); err != nil {
			return err
		}
	}
	for i, t := range []*sql.NullTime{grace, last} {
		if t.Valid = !v[13+i].Null; t.Valid {
			if t.Time, err = store.SQLiteTime(v[13+i].S); err != nil {
				return fmt.Errorf("credential: value %d: %w", 13+i, err)
			}
		}
	}
	if *exp, err = store.SQLiteTime(v[15].S); err != nil {
		return fmt.Errorf("credential: value 15: %w", err)
	}
	return nil
}

// Logout ends the session of a token.
func (s *Store) Logout(ctx context.Context, token string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE id = ?`, tokenID(token))
	return err
}

func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func tokenID(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

type ctxKey struct{}

// WithSession returns ctx carrying the session.
func WithSession(ctx context.Context, s *Session) context.Context {
	return context.WithValue(ctx, ctxKey{}, s)
}

// FromContext returns the session in ctx, or nil.
func FromContext(ctx context.Context) *Session {
	s, _ := ctx.Value(ctxKey{}).(*Session)
	return s
}
