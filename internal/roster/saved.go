package roster

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"wanhu/internal/apperr"
	"wanhu/internal/calendar"
	"wanhu/internal/store"
)

// Saved is a custom roster a user saved: a filter over people or
// households under a name of their own.
type Saved struct {
	ID        int64             `json:"id"`
	Name      string            `json:"name"`
	Entity    Entity            `json:"entity"`
	Filter    map[string]string `json:"filter"`
	CreatedAt time.Time         `json:"created_at"`
}

// Roster is the custom roster the saved filter runs on: people or
// households.
func (s Saved) Roster() string {
	if s.Entity == Household {
		return Households
	}
	return People
}

// Values returns the saved filter as query parameters.
func (s Saved) Values() url.Values {
	v := url.Values{}
	for k, x := range s.Filter {
		v.Set(k, x)
	}
	return v
}

// Path returns where the saved roster opens: the filter page with its
// parameters, e.g. /rosters/people?age=60-&tag=disabled.
func (s Saved) Path() string {
	p := "/rosters/" + s.Roster()
	if v := s.Values().Encode(); v != "" {
		p += "?" + v
	}
	return p
}

// Saves keeps the saved rosters of the users.
type Saves struct {
	db  *store.DB
	now func() time.Time
}

// NewSaves returns the saved rosters kept in db.
func NewSaves(db *store.DB) *Saves { return &Saves{db: db, now: time.Now} }

// List returns the saved rosters of user owner by name.
func (s *Saves) List(ctx context.Context, owner int64) ([]Saved, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, name, entity, filter, created_at FROM saved_rosters WHERE owner_id = ? ORDER BY name, id`, owner)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Saved{}
	for rows.Next() {
		x, err := scanSaved(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

func scanSaved(sc interface{ Scan(...any) error }) (Saved, error) {
	var x Saved
	var filter string
	if err := sc.Scan(&x.ID, &x.Name, &x.Entity, &filter, &x.CreatedAt); err != nil {
		return x, err
	}
	x.Filter = map[string]string{}
	if err := json.Unmarshal([]byte(filter), &x.Filter); err != nil {
		return x, err
	}
	return x, nil
}

// Get returns saved roster id of user owner; apperr.ErrNotFound when it
// is not theirs.
func (s *Saves) Get(ctx context.Context, owner, id int64) (Saved, error) {
	x, err := scanSaved(s.db.QueryRowContext(ctx, `SELECT id, name, entity, filter, created_at FROM saved_rosters WHERE id = ? AND owner_id = ?`, id, owner))
	if errors.Is(err, sql.ErrNoRows) {
		return x, apperr.ErrNotFound
	}
	return x, err
}

// Save keeps the filter v of the custom roster roster (people or
// households) as user owner's roster name. The filter is checked as Parse
// checks it; the reference day is kept only when it was given.
func (s *Saves) Save(ctx context.Context, owner int64, name, roster string, v url.Values) (Saved, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return Saved{}, apperr.Field("name", "required", "give the roster a name")
	case utf8.RuneCountInString(name) > 40:
		return Saved{}, apperr.Field("name", "too_long", "at most 40 characters")
	case roster != People && roster != Households:
		return Saved{}, apperr.Field("roster", "one_of", "must be one of %s", People+", "+Households)
	}
	q, err := Parse(roster, v, calendar.Today())
	if err != nil {
		return Saved{}, err
	}
	filter := map[string]string{}
	for k := range q.Values() {
		filter[k] = q.Values().Get(k)
	}
	b, err := json.Marshal(filter)
	if err != nil {
		return Saved{}, err
	}
	x := Saved{Name: name, Entity: q.Def.Entity, Filter: filter, CreatedAt: s.now().UTC().Truncate(time.Microsecond)}
	err = s.db.QueryRowContext(ctx, `INSERT INTO saved_rosters(owner_id, name, entity, filter, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
		owner, x.Name, x.Entity, string(b), x.CreatedAt).Scan(&x.ID)
	if store.IsUniqueViolation(err) {
		return Saved{}, apperr.Field("name", "duplicate", "you already have a roster named %q", name)
	}
	return x, err
}

// Delete removes saved roster id of user owner; apperr.ErrNotFound when
// it is not theirs.
func (s *Saves) Delete(ctx context.Context, owner, id int64) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM saved_rosters WHERE id = ? AND owner_id = ?`, id, owner)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return apperr.ErrNotFound
	}
	return nil
}
