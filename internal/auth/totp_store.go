package auth

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/store"
)

// ErrNoKeys is returned when a TOTP secret must be sealed or opened but the
// database has no key file.
var ErrNoKeys = errors.New("no key file: TOTP secrets are stored encrypted (--key-file)")

// SecondFactorError answers a sign-in whose password was right for an
// account with TOTP enabled and that gave no code: Challenge is the token
// to finish with SignInCode within ChallengeLifetime.
type SecondFactorError struct{ Challenge string }

func (e *SecondFactorError) Error() string { return "a one-time code is required" }

// ChallengeLifetime is how long a password-checked login waits for its code.
const ChallengeLifetime = 5 * time.Minute

// maxCodeAttempts is how many wrong codes one challenge takes.
const maxCodeAttempts = 5

func (s *Store) seal(plain string) (string, error) {
	k := s.db.Keys()
	if k == nil {
		return "", ErrNoKeys
	}
	return k.Seal(plain)
}

func (s *Store) open(sealed string) (string, error) {
	k := s.db.Keys()
	if k == nil {
		return "", ErrNoKeys
	}
	return k.Open(sealed)
}

// TOTPEnabled reports whether the user signs in with a one-time code.
func (s *Store) TOTPEnabled(ctx context.Context, userID int64) (bool, error) {
	var on bool
	err := s.db.QueryRowContext(ctx, `SELECT enabled FROM user_totp WHERE user_id = ?`, userID).Scan(&on)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return on, err
}

// BeginTOTP makes a new TOTP secret for the user, not yet enabled, and
// returns it (base32) to show once. It replaces an unconfirmed one and
// refuses while TOTP is enabled.
func (s *Store) BeginTOTP(ctx context.Context, userID int64) (string, error) {
	if on, err := s.TOTPEnabled(ctx, userID); err != nil {
		return "", err
	} else if on {
		return "", apperr.Field("code", "totp_enabled", "two-step sign-in is already on")
	}
	secret := newTOTPSecret()
	sealed, err := s.seal(secret)
	if err != nil {
		return "", err
	}
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM user_totp WHERE user_id = ?`, userID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO user_totp(user_id, secret, enabled, last_step, created_at) VALUES (?, ?, FALSE, 0, ?)`,
			userID, sealed, s.now().UTC())
		return err
	})
	return secret, err
}

// PendingTOTP returns the secret made by BeginTOTP while it is not yet
// confirmed, so the enrolment page can show it again.
func (s *Store) PendingTOTP(ctx context.Context, userID int64) (string, error) {
	var sealed string
	var on bool
	err := s.db.QueryRowContext(ctx, `SELECT secret, enabled FROM user_totp WHERE user_id = ?`, userID).Scan(&sealed, &on)
	if errors.Is(err, sql.ErrNoRows) || on {
		return "", apperr.ErrNotFound
	}
	if err != nil {
		return "", err
	}
	return s.open(sealed)
}

// ConfirmTOTP enables TOTP when code matches the pending secret.
func (s *Store) ConfirmTOTP(ctx context.Context, userID int64, code string) error {
	if err := s.useCode(ctx, userID, code, false); err != nil {
		return err
	}
	_, err := s.db.ExecContext(ctx, `UPDATE user_totp SET enabled = TRUE WHERE user_id = ?`, userID)
	return err
}

// DisableTOTP turns TOTP off; it takes a current code, and is refused to
// a user whose role requires TOTP (an administrator resets a lost one).
func (s *Store) DisableTOTP(ctx context.Context, userID int64, code string) error {
	u, _, err := s.user(ctx, "id = ?", userID)
	if err != nil {
		return err
	}
	if req, err := s.TOTPRequired(ctx, u); err != nil {
		return err
	} else if req {
		return apperr.Field("code", "totp_required", "your role requires two-step sign-in; if you lost your phone, an administrator can reset it")
	}
	if err := s.useCode(ctx, userID, code, true); err != nil {
		return err
	}
	_, err = s.db.ExecContext(ctx, `DELETE FROM user_totp WHERE user_id = ?`, userID)
	return err
}

// ResetTOTP removes a user's TOTP without a code (an admin, for a lost phone).
func (s *Store) ResetTOTP(ctx context.Context, userID int64) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM user_totp WHERE user_id = ?`, userID)
	return err
}

// errBadCode is a wrong, stale or reused one-time code.
var errBadCode = apperr.Field("code", "totp_code", "the code is wrong or expired")

// useCode checks code against the user's secret (enabled or pending, as
// asked) and records its step so it cannot be used again.
func (s *Store) useCode(ctx context.Context, userID int64, code string, enabled bool) error {
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		q := `SELECT secret, enabled, last_step FROM user_totp WHERE user_id = ?`
		if tx.Dialect() == store.Postgres {
			q += ` FOR UPDATE`
		}
		var sealed string
		var on bool
		var last int64
		err := tx.QueryRowContext(ctx, q, userID).Scan(&sealed, &on, &last)
		if errors.Is(err, sql.ErrNoRows) || err == nil && on != enabled {
			return errBadCode
		}
		if err != nil {
			return err
		}
		secret, err := s.open(sealed)
		if err != nil {
			return err
		}
		step, ok := checkTOTP(secret, code, s.now(), last)
		if !ok {
			return errBadCode
		}
		_, err = tx.ExecContext(ctx, `UPDATE user_totp SET last_step = ? WHERE user_id = ?`, step, userID)
		return err
	})
}

// challenge stores a password-checked login waiting for its code and
// returns the token that names it.
func (s *Store) challenge(ctx context.Context, u *User, a Attempt) (string, error) {
	tok := randomToken()
	_, err := s.db.ExecContext(ctx, `INSERT INTO login_challenges(id, user_id, kind, addr, attempts, expires_at) VALUES (?, ?, ?, ?, 0, ?)`,
		tokenID(tok), u.ID, a.Kind, a.Addr, s.now().UTC().Add(ChallengeLifetime))
	return tok, err
}

// SignInCode finishes a sign-in that SignIn answered with a
// SecondFactorError, from the address addr and the browser with the
// known-device token device (or ""). A wrong code counts as a failed login
// (and may lock); the challenge ends after five wrong codes or
// ChallengeLifetime.
func (s *Store) SignInCode(ctx context.Context, challenge, code, addr, device string) (string, *Session, error) {
	var uid int64
	var kind Kind
	var attempts int
	var exp time.Time
	err := s.db.QueryRowContext(ctx, `SELECT user_id, kind, attempts, expires_at FROM login_challenges WHERE id = ?`, tokenID(challenge)).
		Scan(&uid, &kind, &attempts, &exp)
	if errors.Is(err, sql.ErrNoRows) || err == nil && (s.now().After(exp) || attempts >= maxCodeAttempts) {
		return "", nil, ErrBadCredentials
	}
	if err != nil {
		return "", nil, err
	}
	u, _, err := s.user(ctx, "id = ?", uid)
	if err != nil || u.Disabled {
		return "", nil, ErrBadCredentials
	}
	a := Attempt{Username: u.Username, Addr: addr, Code: code, Device: device, Kind: kind}
	dev, err := s.knownDevice(ctx, u.Username, device)
	if err != nil {
		return "", nil, err
	}
	o := origin{username: u.Username, addr: addr, device: dev}
	if err := s.locked(ctx, o); err != nil {
		return "", nil, err
	}
	return s.finishWithCode(ctx, u, challenge, a, o)
}

// finishWithCode checks the code of the attempt a by u and, when right,
// ends the challenge (if any) and starts the session.
func (s *Store) finishWithCode(ctx context.Context, u *User, challenge string, a Attempt, o origin) (string, *Session, error) {
	if err := s.useCode(ctx, u.ID, a.Code, true); err != nil {
		if !errors.Is(err, errBadCode) {
			return "", nil, err
		}
		if challenge != "" {
			s.db.ExecContext(ctx, `UPDATE login_challenges SET attempts = attempts + 1 WHERE id = ?`, tokenID(challenge))
		}
		if err := s.fail(ctx, o); err != nil {
			return "", nil, err
		}
		return "", nil, errBadCode
	}
	if challenge != "" {
		if _, err := s.db.ExecContext(ctx, `DELETE FROM login_challenges WHERE id = ?`, tokenID(challenge)); err != nil {
			return "", nil, err
		}
	}
	if err := s.succeed(ctx, o); err != nil {
		return "", nil, err
	}
	return s.startSession(ctx, u, a)
}
