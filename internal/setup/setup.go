// Package setup makes a working community from an empty database: the org
// units from the city down to the community, the community's grids and
// the first administrator. `wanhu init` and the first-run page of the web
// app (/setup) both run it, so they make the same thing and refuse the
// same way.
package setup

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"wanhu/internal/apperr"
	"wanhu/internal/audit"
	"wanhu/internal/auth"
	"wanhu/internal/org"
	"wanhu/internal/store"
)

// DefaultTOTPGrace is how long the first administrator may sign in to the
// API with the password alone before they must set up two-step sign-in
// (see auth.Store.SetTOTPGrace): long enough for the scripts that set a
// community up, short enough that a city's data is not long behind a
// password alone. The web asks them to set it up at their first sign-in.
const DefaultTOTPGrace = 24 * time.Hour

// MaxGrids is the most grids a community is set up with.
const MaxGrids = 200

// Plan is what to set up: the place names from the city down to the
// community, the number of grids (named GridName 1…N) and the first
// administrator, whose role is admin over the city. On a database that
// has an org tree but no administrator (made by wanhu gen, or by an
// import), the place names and Grids are left empty and only the
// administrator is made, over the first city.
type Plan struct {
	City, District, Street, Community string
	Grids                             int
	AdminUsername, AdminPassword      string
	// AdminName is the name shown in the app; the username if empty.
	AdminName string
	// TOTPGrace is how long the administrator may use the API with the
	// password alone (0: not at all).
	TOTPGrace time.Duration
}

// Places reports whether p names places to create.
func (p *Plan) Places() bool {
	return p.City != "" || p.District != "" || p.Street != "" || p.Community != "" || p.Grids != 0
}

// Check trims p and returns a FieldError naming the first field that is
// missing or wrong (city, district, street, community, grids,
// admin_username, admin_password). places says whether the places are
// asked for (false when the org tree exists).
func (p *Plan) Check(places bool) error {
	for _, s := range []*string{&p.City, &p.District, &p.Street, &p.Community, &p.AdminUsername, &p.AdminName} {
		*s = strings.TrimSpace(*s)
	}
	if places {
		for _, f := range []struct {
			name, value string
		}{{"city", p.City}, {"district", p.District}, {"street", p.Street}, {"community", p.Community}} {
			if f.value == "" {
				return apperr.Field(f.name, "required", "is required")
			}
			if utf8.RuneCountInString(f.value) > 50 {
				return apperr.Field(f.name, "too_long", "must be at most %d characters", 50)
			}
		}
		if p.Grids < 1 || p.Grids > MaxGrids {
			return apperr.Field("grids", "range", "must be a number from 1 to %d", MaxGrids)
		}
	} else if p.Places() {
		return apperr.Field("city", "org_exists", "the database has an org tree already: give the administrator only")
	}
	if p.AdminUsername == "" {
		return apperr.Field("admin_username", "required", "is required")
	}
	if err := auth.CheckPassword(p.AdminPassword); err != nil {
		return apperr.InField(err, "admin_password")
	}
	if p.TOTPGrace < 0 {
		return apperr.Field("totp_grace", "range", "must not be negative")
	}
	return nil
}

// InitialisedError refuses to set up a database that is set up already;
// Reason says what it holds.
type InitialisedError struct{ Reason string }

func (e *InitialisedError) Error() string { return "already initialised: " + e.Reason }

// Initialised returns why the database is not empty, for wanhu init, which
// sets up only an empty one: it has an org tree, or accounts; "" when it
// has neither.
func Initialised(ctx context.Context, q store.Querier) (string, error) {
	var city string
	err := q.QueryRowContext(ctx, `SELECT name FROM org_units WHERE parent_id IS NULL ORDER BY id LIMIT 1`).Scan(&city)
	if err == nil {
		return fmt.Sprintf("the database has an org tree (%s); change it with wanhu org or on the web", city), nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", err
	}
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&n); err != nil {
		return "", err
	}
	if n > 0 {
		return fmt.Sprintf("the database has %d accounts; add more with wanhu user add", n), nil
	}
	return "", nil
}

// State is what the first-run page needs to know: whether the database
// has an administrator (then the page is gone) and an org tree (then it
// asks for the administrator only).
type State struct {
	HasAdmin bool
	// City is the first city of the org tree, "" when there is none.
	City string
}

// StateOf returns the database's State. Any grant of the admin role
// counts, a disabled account's too: re-enabling it is the CLI's job
// (wanhu user enable), not the first-run page's.
func StateOf(ctx context.Context, q store.Querier) (State, error) {
	var s State
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM user_roles WHERE role = 'admin'`).Scan(&n); err != nil {
		return s, err
	}
	s.HasAdmin = n > 0
	err := q.QueryRowContext(ctx, `SELECT name FROM org_units WHERE kind = 'city' AND retired_at IS NULL ORDER BY id LIMIT 1`).Scan(&s.City)
	if errors.Is(err, sql.ErrNoRows) {
		err = nil
	}
	return s, err
}

// Result is what Run made.
type Result struct {
	City, District, Street, Community org.Unit
	Grids                             []org.Unit
	Admin                             *auth.User
	// GraceUntil is when the administrator's API grace ends (zero: none).
	GraceUntil time.Time
}

// setupKey is the settings row that records the set-up; its primary key
// makes two set-ups at once fail but one.
const setupKey = "setup"

// Run sets up the database as p says, in one transaction with its audit
// entry (who is by: the CLI's user or the first-run page's address): the
// places, the grids and the administrator, or, on a database with an org
// tree and no administrator, the administrator only. On a database that
// already has an administrator, or whose org tree p would duplicate, it
// returns an *InitialisedError and changes nothing. The key file must be
// loaded: the audit log is keyed.
func Run(ctx context.Context, db *store.DB, p Plan, by audit.Entry) (*Result, error) {
	st, err := StateOf(ctx, db)
	if err != nil {
		return nil, err
	}
	if st.HasAdmin {
		return nil, &InitialisedError{"the database has an administrator; add accounts with wanhu user add or on the web"}
	}
	if err := p.Check(st.City == ""); err != nil {
		return nil, err
	}
	res := &Result{}
	err = db.InTx(ctx, func(tx *store.Tx) error {
		ctx := store.WithTx(ctx, tx)
		if err := claim(ctx, tx, by); err != nil {
			return err
		}
		if err := makePlaces(ctx, tx, p, res); err != nil {
			return err
		}
		as := auth.NewStore(db)
		admin, err := as.CreateUser(ctx, p.AdminUsername, p.AdminName, p.AdminPassword, auth.Grant{Role: auth.Admin, OrgUnitID: res.City.ID})
		if err != nil {
			return adminField(err)
		}
		res.Admin = admin
		if p.TOTPGrace > 0 {
			res.GraceUntil = time.Now().UTC().Add(p.TOTPGrace)
			if err := as.SetTOTPGrace(ctx, admin.ID, res.GraceUntil); err != nil {
				return err
			}
		}
		e := by
		e.Action, e.Object, e.Result, e.Detail = "setup", fmt.Sprintf("org-unit:%d", res.City.ID), audit.OK, res.detail()
		return audit.New(db).RecordTx(ctx, tx, e)
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// claim records the set-up in the settings first, so that a second
// set-up at the same time waits for this one, then refuses a database
// that has an administrator by now, and takes the first-run token out.
func claim(ctx context.Context, tx *store.Tx, by audit.Entry) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO settings(key, value, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
		setupKey, strings.TrimSpace(by.Username+" "+by.IP), time.Now().UTC()); err != nil {
		return err
	}
	var admins int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM user_roles WHERE role = 'admin'`).Scan(&admins); err != nil {
		return err
	}
	if admins > 0 {
		return &InitialisedError{"the database has an administrator; add accounts with wanhu user add or on the web"}
	}
	_, err := tx.ExecContext(ctx, `DELETE FROM settings WHERE key = ?`, tokenKey)
	return err
}

// makePlaces creates the places of p, or finds the city of the org tree
// when p names none.
func makePlaces(ctx context.Context, tx *store.Tx, p Plan, res *Result) error {
	if !p.Places() {
		cities, err := org.Units(ctx, tx, org.City)
		if err != nil {
			return err
		}
		if len(cities) == 0 {
			return apperr.Field("city", "required", "is required")
		}
		res.City = cities[0]
		return nil
	}
	if reason, err := Initialised(ctx, tx); err != nil {
		return err
	} else if strings.HasPrefix(reason, "the database has an org tree") {
		return &InitialisedError{reason}
	}
	res.City = org.Unit{Kind: org.City, Name: p.City}
	res.District = org.Unit{Kind: org.District, Name: p.District}
	res.Street = org.Unit{Kind: org.Street, Name: p.Street}
	res.Community = org.Unit{Kind: org.Community, Name: p.Community}
	chain := []*org.Unit{&res.City, &res.District, &res.Street, &res.Community}
	for i, u := range chain {
		if i > 0 {
			u.ParentID = chain[i-1].ID
		}
		if err := org.CreateUnit(ctx, tx, u); err != nil {
			return apperr.InField(err, []string{"city", "district", "street", "community"}[i])
		}
	}
	for n := 1; n <= p.Grids; n++ {
		g := org.Unit{Kind: org.GridKind, ParentID: res.Community.ID, Number: n, Name: org.GridName(n)}
		if err := org.CreateUnit(ctx, tx, &g); err != nil {
			return apperr.InField(err, "grids")
		}
		res.Grids = append(res.Grids, g)
	}
	return nil
}

// adminField names the administrator's fields in err (username,
// password) as the plan does.
func adminField(err error) error {
	if fe, ok := apperr.AsField(err); ok && (fe.Field == "username" || fe.Field == "password" || fe.Field == "display_name") {
		return apperr.InField(err, "admin_"+fe.Field)
	}
	return err
}

// detail says what was set up, for the audit log: places and the
// administrator's username, no password.
func (r *Result) detail() string {
	if r.Community.ID == 0 {
		return fmt.Sprintf("administrator %s over %s", r.Admin.Username, r.City.Name)
	}
	return fmt.Sprintf("%s %s %s %s with %d grids; administrator %s", r.City.Name, r.District.Name, r.Street.Name,
		r.Community.Name, len(r.Grids), r.Admin.Username)
}
