package staff

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/org"
	"wanhu/internal/store"
)

// RoleTarget is what a member of one team role is judged against: visits a
// week (0: the role is not judged on visits) and hours of service a month
// (0: not judged on hours). The weekly target of 100 visits (R7) is a
// grid's whole team's, not every person's: a volunteer who visits twice a
// week and serves eight hours a month is doing their part.
type RoleTarget struct {
	WeeklyVisits int     `json:"weekly_visits"`
	MonthlyHours float64 `json:"monthly_hours"`
}

// Targets are the per-role targets of the scorecards (settings key
// "scorecard_targets", beside the weights), the smallest number of
// handled requests a request-based component needs before it is judged
// (one or two requests resolved on time do not make a 100), and how
// visits and rounds convert to hours of service.
type Targets struct {
	Roles map[string]RoleTarget `json:"roles"`
	// MinHandled is the number of requests resolved in the period below
	// which on-time, satisfaction and complaints are not judged.
	MinHandled int `json:"min_handled"`
	// VisitHours is the hours one visit counts for (visits record when,
	// not how long).
	VisitHours float64 `json:"visit_hours"`
	// RoundHours is the hours a safety round counts for when it does not
	// record both its start and its end; a round that does counts the time
	// between them, at most MaxRoundHours.
	RoundHours float64 `json:"round_hours"`
}

// MaxRoundHours caps the hours one round counts for (a round left started
// overnight is not a night's work).
const MaxRoundHours = 8

// DefaultTargets are the targets until an administrator sets others.
var DefaultTargets = Targets{
	Roles: map[string]RoleTarget{
		string(org.RoleCommunityStaff): {WeeklyVisits: 20},
		string(org.RoleGridWorker):     {WeeklyVisits: 30},
		string(org.RoleSunkCadre):      {WeeklyVisits: 10},
		string(org.RolePoliceDeputy):   {WeeklyVisits: 10},
		string(org.RoleBuildingHead):   {WeeklyVisits: 5, MonthlyHours: 4},
		string(org.RolePartyMember):    {WeeklyVisits: 2, MonthlyHours: 4},
		string(org.RolePropertyStaff):  {WeeklyVisits: 5},
		string(org.RoleVolunteer):      {WeeklyVisits: 2, MonthlyHours: 8},
	},
	MinHandled: 5, VisitHours: 0.5, RoundHours: 1,
}

// targetsKey is the settings row of configured targets.
const targetsKey = "scorecard_targets"

// Role returns the target of role, the default one for a role not set.
func (t Targets) Role(role string) RoleTarget {
	if r, ok := t.Roles[role]; ok {
		return r
	}
	return DefaultTargets.Roles[role]
}

// Validate returns a FieldError naming the first value out of range: a
// role's field is "<role>.weekly_visits" or "<role>.monthly_hours".
func (t Targets) Validate() error {
	for role := range t.Roles {
		if _, ok := DefaultTargets.Roles[role]; !ok {
			return apperr.OneOf("roles", string(role), org.Roles)
		}
	}
	for _, role := range org.Roles {
		r := t.Role(string(role))
		switch {
		case r.WeeklyVisits < 0 || r.WeeklyVisits > 1000:
			return apperr.Field(string(role)+".weekly_visits", "range", "must be a whole number from 0 to 1000")
		case math.IsNaN(r.MonthlyHours) || r.MonthlyHours < 0 || r.MonthlyHours > 744:
			return apperr.Field(string(role)+".monthly_hours", "range", "must be from 0 to 744")
		case r.WeeklyVisits == 0 && r.MonthlyHours == 0:
			return apperr.Field(string(role)+".weekly_visits", "both_zero", "a role needs a visit target or an hours target")
		}
	}
	switch {
	case t.MinHandled < 1 || t.MinHandled > 1000:
		return apperr.Field("min_handled", "range", "must be a whole number from 1 to 1000")
	case math.IsNaN(t.VisitHours) || t.VisitHours <= 0 || t.VisitHours > 8:
		return apperr.Field("visit_hours", "range", "must be more than 0 and at most 8")
	case math.IsNaN(t.RoundHours) || t.RoundHours <= 0 || t.RoundHours > MaxRoundHours:
		return apperr.Field("round_hours", "range", "must be more than 0 and at most %d", MaxRoundHours)
	}
	return nil
}

// complete returns t with every role present.
func (t Targets) complete() Targets {
	roles := map[string]RoleTarget{}
	for _, r := range org.Roles {
		roles[string(r)] = t.Role(string(r))
	}
	t.Roles = roles
	return t
}

// LoadTargets returns the configured targets, or DefaultTargets; a role
// or value missing from the stored JSON keeps its default.
func LoadTargets(ctx context.Context, q store.Querier) (Targets, error) {
	var v string
	err := q.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, targetsKey).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return DefaultTargets.complete(), nil
	}
	if err != nil {
		return Targets{}, err
	}
	t := DefaultTargets
	t.Roles = nil
	if err := json.Unmarshal([]byte(v), &t); err != nil {
		return Targets{}, fmt.Errorf("stored scorecard targets: %w", err)
	}
	t = t.complete()
	return t, t.Validate()
}

// SaveTargets stores t once it is valid.
func SaveTargets(ctx context.Context, q store.Querier, t Targets, now time.Time) error {
	if err := t.Validate(); err != nil {
		return err
	}
	b, _ := json.Marshal(t.complete())
	_, err := q.ExecContext(ctx, `INSERT INTO settings(key, value, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, targetsKey, string(b), now.UTC())
	return err
}
