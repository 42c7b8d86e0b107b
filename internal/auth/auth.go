// Package auth holds accounts, their roles and scopes, passwords and
// sessions (web cookies and API bearer tokens).
package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"slices"
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
