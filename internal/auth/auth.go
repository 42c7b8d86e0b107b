// Package auth holds accounts, their roles and scopes, passwords and
// sessions (web cookies and API bearer tokens).
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/store"
)

// Role is what a user may do within the org unit of a grant.
type Role string

const (
	Admin      Role = "admin"
	GridLeader Role = "grid_leader"
	Visitor    Role = "visitor"
	Officer    Role = "officer"
	Resident   Role = "resident"
	Auditor    Role = "auditor"
)

// Roles lists every role.
var Roles = []Role{Admin, GridLeader, Visitor, Officer, Resident, Auditor}

// Grant gives a user a role over an org unit and everything below it.
type Grant struct {
	Role      Role  `json:"role"`
	OrgUnitID int64 `json:"org_unit_id"`
	// Path is the org unit's path ("/1/2/"), filled in when the user is
	// loaded: its subtree is the grant's reach.
	Path string `json:"-"`
}

// User is an account.
type User struct {
	ID           int64   `json:"id"`
	Username     string  `json:"username"`
	DisplayName  string  `json:"display_name"`
	Disabled     bool    `json:"disabled"`
	TeamMemberID int64   `json:"team_member_id,omitempty"`
	Grants       []Grant `json:"grants"`
	// MustChangePassword says the account still has the one-time password
	// it was made with (see NewAccount): it must change it before anything
	// else.
	MustChangePassword bool `json:"must_change_password,omitempty"`
}

// Has reports whether u holds role anywhere.
func (u *User) Has(role Role) bool {
	for _, g := range u.Grants {
		if g.Role == role {
			return true
		}
	}
	return false
}

// ErrBadCredentials is returned for a wrong username or password, or a
// disabled account; the caller cannot tell which.
var ErrBadCredentials = errors.New("wrong username or password")

// Kind of a session: a browser cookie or an API bearer token.
type Kind string

const (
	Web Kind = "web"
	API Kind = "api"
)

// Session is a signed-in user.
type Session struct {
	User      *User
	Kind      Kind
	CSRF      string // the token every web form must carry
	ExpiresAt time.Time
	// Scopes are those of a personal access token (TokenID ≠ 0); nil for
	// a login session, which may do all its user may.
	Scopes  []string
	TokenID int64
	// EnrolTOTP is true while the user's role requires two-step sign-in
	// and they have not turned it on: a web session may then only enrol
	// (see TOTPRoles); the API refuses such sessions with ErrEnrolTOTP.
	EnrolTOTP bool
	// Device is the known-device token to give the browser as the cookie
	// DeviceCookie, after a web sign-in (see devices.go).
	Device string
	// ChangePassword is true while the user still has a one-time password
	// (User.MustChangePassword): a web session may then only change it; the
	// API refuses such sessions with ErrChangePassword.
	ChangePassword bool
}

// Store keeps accounts and sessions.
type Store struct {
	db *store.DB
	// IdleTimeout ends a web session that has not been used for this long.
	IdleTimeout time.Duration
	// TokenLifetime is how long an API token lives.
	TokenLifetime time.Duration
	// Throttle locks account names and source addresses after failed logins.
	Throttle Throttle
	// TrustProxy makes ClientAddr believe X-Forwarded-For (--trust-proxy).
	TrustProxy bool
	now        func() time.Time
}

// NewStore returns a Store with a 30-minute idle timeout and 24-hour API tokens.
func NewStore(db *store.DB) *Store {
	return &Store{db: db, IdleTimeout: 30 * time.Minute, TokenLifetime: 24 * time.Hour, Throttle: DefaultThrottle, now: time.Now}
}

var usernamePattern = regexp.MustCompile(`^[a-zA-Z0-9_.-]{2,40}$`)

// CreateUser adds an account with the given grants.
func (s *Store) CreateUser(ctx context.Context, username, displayName, password string, grants ...Grant) (*User, error) {
	return s.CreateAccount(ctx, NewAccount{Username: username, DisplayName: displayName, Password: password, Grants: grants})
}

// NewAccount is an account to add: CreateUser's, or one made for a team
// member with a one-time password (the structure import's).
type NewAccount struct {
	Username, DisplayName, Password string
	Grants                          []Grant
	// TeamMemberID links the account to a team member (see LinkTeamMember).
	TeamMemberID int64
	// OneTime makes Password a one-time password, to be changed at the
	// first sign-in (User.MustChangePassword).
	OneTime bool
}

// CreateAccount adds the account a. It joins a transaction of ctx
// (store.WithTx), such as an import's.
func (s *Store) CreateAccount(ctx context.Context, a NewAccount) (*User, error) {
	username, displayName := a.Username, a.DisplayName
	if !usernamePattern.MatchString(username) {
		return nil, apperr.Field("username", "username", "must be 2–40 letters, digits, _ . or -")
	}
	if err := CheckPassword(a.Password); err != nil {
		return nil, err
	}
	if strings.TrimSpace(displayName) == "" {
		displayName = username
	}
	u := &User{Username: username, DisplayName: displayName, Grants: a.Grants, TeamMemberID: a.TeamMemberID, MustChangePassword: a.OneTime}
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		now := s.now().UTC()
		err := tx.QueryRowContext(ctx, `INSERT INTO users(username, display_name, password_hash, team_member_id, must_change_password, created_at, password_changed_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, username, displayName, HashPassword(a.Password), nullID(a.TeamMemberID), a.OneTime, now, now).Scan(&u.ID)
		if store.IsUniqueViolation(err) {
			return apperr.Field("username", "duplicate", "%q is taken", username)
		}
		if err != nil {
			return err
		}
		for _, g := range a.Grants {
			if _, err := tx.ExecContext(ctx, `INSERT INTO user_roles(user_id, role, org_unit_id) VALUES (?, ?, ?)`, u.ID, g.Role, g.OrgUnitID); err != nil {
				return fmt.Errorf("grant %s: %w", g.Role, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

func (s *Store) user(ctx context.Context, where string, arg any) (*User, string, error) {
	var u User
	var hash string
	var tm sql.NullInt64
	err := s.db.QueryRowContext(ctx, `SELECT id, username, display_name, disabled, team_member_id, must_change_password, password_hash FROM users WHERE `+where, arg).
		Scan(&u.ID, &u.Username, &u.DisplayName, &u.Disabled, &tm, &u.MustChangePassword, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", apperr.ErrNotFound
	}
	if err != nil {
		return nil, "", err
	}
	u.TeamMemberID = tm.Int64
	rows, err := s.db.QueryContext(ctx, `SELECT r.role, r.org_unit_id, o.path FROM user_roles r JOIN org_units o ON o.id = r.org_unit_id
		WHERE r.user_id = ? ORDER BY r.role, r.org_unit_id`, u.ID)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	u.Grants = []Grant{}
	for rows.Next() {
		var g Grant
		if err := rows.Scan(&g.Role, &g.OrgUnitID, &g.Path); err != nil {
			return nil, "", err
		}
		u.Grants = append(u.Grants, g)
	}
	return &u, hash, rows.Err()
}

// UserByUsername returns an account by its username.
func (s *Store) UserByUsername(ctx context.Context, username string) (*User, error) {
	u, _, err := s.user(ctx, "username = ?", username)
	return u, err
}

// Users lists every account.
func (s *Store) Users(ctx context.Context) ([]User, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT username FROM users ORDER BY username`)
	if err != nil {
		return nil, err
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return nil, err
		}
		names = append(names, n)
	}
	rows.Close()
	out := []User{}
	for _, n := range names {
		u, err := s.UserByUsername(ctx, n)
		if err != nil {
			return nil, err
		}
		out = append(out, *u)
	}
	return out, nil
}

// SetPassword sets a user's password without asking for the current one
// (an administrator's reset, audited by the caller), ends all their
// sessions and forgets their known devices. A one-time password is gone
// with it (User.MustChangePassword).
func (s *Store) SetPassword(ctx context.Context, username, password string) error {
	if err := CheckPassword(password); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		var id int64
		if err := tx.QueryRowContext(ctx, `UPDATE users SET password_hash = ?, password_changed_at = ?, must_change_password = FALSE WHERE username = ? RETURNING id`,
			HashPassword(password), s.now().UTC(), username).Scan(&id); errors.Is(err, sql.ErrNoRows) {
			return apperr.ErrNotFound
		} else if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM known_devices WHERE user_id = ?`, id); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, id)
		return err
	})
}

// ChangePassword is a user changing their own password, which takes the
// current one whatever the role; device is the browser's known-device
// token, if any. A wrong current password counts as a failed login (of
// the account, or of the known device), so a session left open cannot be
// used to guess it; while that must wait it answers a *LockedError. Like
// SetPassword it ends all the user's sessions and forgets their devices.
func (s *Store) ChangePassword(ctx context.Context, username, current, password, device string) error {
	if err := CheckPassword(password); err != nil {
		return err
	}
	if password == current {
		return apperr.Field("password", "password_same", "is the current password; choose a new one")
	}
	dev, err := s.knownDevice(ctx, username, device)
	if err != nil {
		return err
	}
	o := origin{username: username, device: dev}
	if err := s.locked(ctx, o); err != nil {
		return err
	}
	_, hash, err := s.user(ctx, "username = ?", username)
	if err != nil {
		return err
	}
	if !VerifyPassword(hash, current) {
		if err := s.fail(ctx, o); err != nil {
			return err
		}
		return apperr.Field("current_password", "wrong_password", "is not your current password")
	}
	return s.SetPassword(ctx, username, password)
}

// SetDisabled disables or re-enables an account; disabling ends its sessions.
func (s *Store) SetDisabled(ctx context.Context, username string, disabled bool) error {
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		var id int64
		if err := tx.QueryRowContext(ctx, `UPDATE users SET disabled = ? WHERE username = ? RETURNING id`, disabled, username).Scan(&id); errors.Is(err, sql.ErrNoRows) {
			return apperr.ErrNotFound
		} else if err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, id)
		return err
	})
}

// Login checks a username and password and starts a session of the given
// kind. It returns the token to hand to the client; only its hash is stored.
// It is SignIn without a source address, so only the account is throttled.
func (s *Store) Login(ctx context.Context, username, password string, kind Kind) (string, *Session, error) {
	return s.SignIn(ctx, Attempt{Username: username, Password: password, Kind: kind})
}

// Attempt is one try at signing in, from the source address Addr.
// Code is the one-time code of an account with TOTP, if the client sends
// it along with the password (the API may; the web asks afterwards).
// Device is the token of the cookie DeviceCookie, if the client sent one.
type Attempt struct {
	Username, Password, Addr string
	Code                     string
	Device                   string
	Kind                     Kind
}

// SignIn checks an attempt and starts a session. While the account name,
// the address or the known device it comes from must wait it returns a
// *LockedError without looking at the password; a wrong password returns
// ErrBadCredentials, or a *LockedError when it was one failure too many.
// An account with TOTP gets a *SecondFactorError unless the code came
// along. An API sign-in of a user whose role requires TOTP and who has not
// turned it on gets ErrEnrolTOTP; a web one gets a session with EnrolTOTP.
// Likewise an account with a one-time password: ErrChangePassword on the
// API, a session with ChangePassword on the web.
func (s *Store) SignIn(ctx context.Context, a Attempt) (string, *Session, error) {
	dev, err := s.knownDevice(ctx, a.Username, a.Device)
	if err != nil {
		return "", nil, err
	}
	o := origin{username: a.Username, addr: a.Addr, device: dev}
	if err := s.locked(ctx, o); err != nil {
		return "", nil, err
	}
	u, hash, err := s.user(ctx, "username = ?", a.Username)
	if errors.Is(err, apperr.ErrNotFound) {
		VerifyPassword(dummyHash(), a.Password) // spend the same time as for a real account
		hash, err = "", nil
	}
	if err != nil {
		return "", nil, err
	}
	if u == nil || !VerifyPassword(hash, a.Password) || u.Disabled {
		if err := s.fail(ctx, o); err != nil {
			return "", nil, err
		}
		return "", nil, ErrBadCredentials
	}
	if on, err := s.TOTPEnabled(ctx, u.ID); err != nil {
		return "", nil, err
	} else if on {
		if a.Code != "" {
			return s.finishWithCode(ctx, u, "", a, o)
		}
		tok, err := s.challenge(ctx, u, a)
		if err != nil {
			return "", nil, err
		}
		return "", nil, &SecondFactorError{Challenge: tok}
	}
	if err := s.succeed(ctx, o); err != nil {
		return "", nil, err
	}
	return s.startSession(ctx, u, a)
}

// startSession stores a new session of u for the attempt a and returns
// its token. A web sign-in makes the browser a known device of u.
func (s *Store) startSession(ctx context.Context, u *User, a Attempt) (string, *Session, error) {
	if u.MustChangePassword && a.Kind == API {
		return "", nil, ErrChangePassword
	}
	enrol, err := s.MustEnrolTOTP(ctx, u)
	if err != nil {
		return "", nil, err
	}
	if enrol && a.Kind == API {
		if refuse, err := s.apiMustEnrol(ctx, u); err != nil {
			return "", nil, err
		} else if refuse {
			return "", nil, ErrEnrolTOTP
		}
	}
	device := ""
	if a.Kind == Web {
		if device, err = s.rememberDevice(ctx, u, a.Device); err != nil {
			return "", nil, err
		}
	}
	token, csrf := randomToken(), randomToken()
	now := s.now().UTC()
	exp := now.Add(s.TokenLifetime)
	if a.Kind == Web {
		exp = now.Add(12 * time.Hour)
	}
	if _, err := s.db.ExecContext(ctx, `INSERT INTO sessions(id, user_id, kind, csrf, created_at, last_seen_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, tokenID(token), u.ID, a.Kind, csrf, now, now, exp); err != nil {
		return "", nil, err
	}
	return token, &Session{User: u, Kind: a.Kind, CSRF: csrf, ExpiresAt: exp, EnrolTOTP: enrol, Device: device, ChangePassword: u.MustChangePassword}, nil
}

// dummyHash is what an unknown account name's password is checked
// against. It is made at the first such attempt, not at start: every
// command of the binary would otherwise pay for a hash (64 MiB) it does
// not use, and tests that make hashes cheap get a cheap one.
var dummyHash = sync.OnceValue(func() string { return HashPassword("not a real password") })

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
	if sqlite {
		vals = `json_array(` + vals + `)`
	}
	q := `SELECT ` + vals + `, u.totp_grace_until, ` + cred.last + `, ` + cred.exp + `
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

// credRowValues is how many values credValues has.
const credRowValues = 13

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
			if err = rows.Scan(&js, &row.grace, &row.last, &row.exp); err == nil {
				err = credValuesOf(js, &u, &tm, &roles, &on, &role, &unit, &path, &row.secret, &row.tokenID)
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

// credValuesOf reads credValues handed over as one JSON array (SQLite)
// into what credential scans them into, as the driver would: a null is
// refused but where the value may be null (sql.Null…), and a boolean is
// 1 or 0.
func credValuesOf(js string, u *User, tm *sql.NullInt64, roles *sql.NullString, on *sql.NullBool,
	role *sql.NullString, unit *sql.NullInt64, path *sql.NullString, secret *string, tokenID *int64) error {
	v, err := store.JSONArray(js, credRowValues)
	if err != nil {
		return err
	}
	for _, i := range []int{0, 1, 2, 3, 5, 11, 12} {
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
		return flag(7, &on.Bool)
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

// LinkTeamMember makes an account the login of a visiting team member, so
// that the households assigned to the member are the account's to visit.
func (s *Store) LinkTeamMember(ctx context.Context, username string, memberID int64) error {
	var id int64
	err := s.db.QueryRowContext(ctx, `UPDATE users SET team_member_id = ? WHERE username = ? RETURNING id`, nullID(memberID), username).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.ErrNotFound
	}
	return err
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// RoleNames names u's distinct roles, comma-separated (for the audit log).
func (u *User) RoleNames() string {
	var out []string
	for _, g := range u.Grants {
		if !slices.Contains(out, string(g.Role)) {
			out = append(out, string(g.Role))
		}
	}
	return strings.Join(out, ",")
}
