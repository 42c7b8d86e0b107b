// Package visit owns door-to-door visiting (走访): the visit policy that
// says how often each household is visited and when it is next due, and the
// record of every visit with what it found.
package visit

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/store"
)

// Policy says how often households are visited: by tag (any member's or
// the household's), by colour, and at least Floor. An active plan measure
// with a frequency overrides when it is more frequent. Values are the plan
// frequencies (weekly, biweekly, monthly, quarterly, half_yearly, yearly).
type Policy struct {
	Tags    map[string]string `json:"tags"`
	Colours map[string]string `json:"colours"`
	Floor   string            `json:"floor"`
}

// DefaultPolicy is the policy of issue 4: living-alone elderly weekly (R6),
// other red households monthly, yellow quarterly, green twice a year and
// every household at least once a year.
var DefaultPolicy = Policy{
	Tags:    map[string]string{"living_alone_elderly": "weekly"},
	Colours: map[string]string{"red": "monthly", "yellow": "quarterly", "green": "half_yearly"},
	Floor:   "yearly",
}

// policyKey is the settings row that holds a configured policy.
const policyKey = "visit_policy"

// rank orders the frequencies, most frequent first; "once" is not a cycle.
var rank = map[string]int{"weekly": 1, "biweekly": 2, "monthly": 3, "quarterly": 4, "half_yearly": 5, "yearly": 6}

// Validate returns a FieldError naming the first unknown frequency.
func (p Policy) Validate() error {
	if _, ok := rank[p.Floor]; !ok {
		return apperr.Field("floor", "one_of", "must be one of weekly, biweekly, monthly, quarterly, half_yearly, yearly")
	}
	for k, f := range p.Tags {
		if _, ok := rank[f]; !ok {
			return apperr.Field("tags."+k, "one_of", "must be a visit frequency")
		}
	}
	for k, f := range p.Colours {
		if _, ok := rank[f]; !ok || !slices.Contains(household.Colours, k) {
			return apperr.Field("colours."+k, "one_of", "must be a colour with a visit frequency")
		}
	}
	return nil
}

// LoadPolicy returns the configured policy, or DefaultPolicy.
func LoadPolicy(ctx context.Context, q store.Querier) (Policy, error) {
	var v string
	err := q.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, policyKey).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return DefaultPolicy, nil
	}
	if err != nil {
		return Policy{}, err
	}
	return storedPolicy(v)
}

// storedPolicy decodes the policy stored in the settings (v).
func storedPolicy(v string) (Policy, error) {
	var p Policy
	if err := json.Unmarshal([]byte(v), &p); err != nil {
		return Policy{}, fmt.Errorf("stored visit policy: %w", err)
	}
	return p, p.Validate()
}

// ApplyPolicy stores p as the configured policy, once it is valid and its
// tag rules name tags on the list (a FieldError "tags.<code>" otherwise),
// and recomputes when every household is next due under it, all in one
// transaction: a failure keeps the old policy and the old due dates. It
// returns how many households have a new due date. Every household is
// written under the transaction: at city scale, minutes of a rare
// administrator's change.
func ApplyPolicy(ctx context.Context, db *store.DB, p Policy, now time.Time) (changed int, err error) {
	today := calendar.DayOf(now)
	err = db.InTx(ctx, func(tx *store.Tx) error {
		if err := savePolicy(ctx, tx, p, now); err != nil {
			return err
		}
		var err error
		changed, err = recomputeAll(ctx, tx, p, today)
		return err
	})
	return changed, err
}

// savePolicy stores p as the configured policy once it is valid and its
// tag rules name tags on the list.
func savePolicy(ctx context.Context, q store.Querier, p Policy, now time.Time) error {
	if err := p.Validate(); err != nil {
		return err
	}
	tags, err := household.Tags(ctx, q)
	if err != nil {
		return err
	}
	for code := range p.Tags {
		if !slices.ContainsFunc(tags, func(t household.Tag) bool { return t.Code == code }) {
			return apperr.Field("tags."+code, "tag_unknown", "unknown tag %q", code)
		}
	}
	b, _ := json.Marshal(p)
	_, err = q.ExecContext(ctx, `INSERT INTO settings(key, value, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, policyKey, string(b), now.UTC())
	return err
}

// Facts are what the policy looks at for one household.
type Facts struct {
	Colour household.Colour
	Tags   []string // the household's tags and its current members'
	Plan   []string // frequencies of its active plan measures
}

// Frequency returns how often a household with facts f is visited and the
// reason: "tag:<code>", "colour:<colour>", "plan" or "floor". The most
// frequent rule wins.
func (p Policy) Frequency(f Facts) (freq, reason string) {
	freq, reason = p.Floor, "floor"
	better := func(c, why string) {
		if r, ok := rank[c]; ok && r < rank[freq] {
			freq, reason = c, why
		}
	}
	better(p.Colours[string(f.Colour)], "colour:"+string(f.Colour))
	for _, t := range f.Tags {
		better(p.Tags[t], "tag:"+t)
	}
	for _, m := range f.Plan {
		better(m, "plan")
	}
	return freq, reason
}

// After returns the day one period of freq after d.
func After(d calendar.Date, freq string) calendar.Date {
	t := d.Time()
	switch freq {
	case "weekly":
		t = t.AddDate(0, 0, 7)
	case "biweekly":
		t = t.AddDate(0, 0, 14)
	case "monthly":
		return addMonths(d, 1)
	case "quarterly":
		return addMonths(d, 3)
	case "half_yearly":
		return addMonths(d, 6)
	default:
		return addMonths(d, 12)
	}
	return calendar.DateOf(t)
}

// addMonths adds n calendar months, keeping to the last day of a shorter
// month (31 January + 1 month = 28 February).
func addMonths(d calendar.Date, n int) calendar.Date {
	first := time.Date(d.Y, d.M, 1, 0, 0, 0, 0, time.UTC).AddDate(0, n, 0)
	last := first.AddDate(0, 1, -1).Day()
	return calendar.DateOf(first.AddDate(0, 0, min(d.D, last)-1))
}

// NextDue returns when a household is next due: one period after the last
// day someone was met, or, never met, the due date it already has, or today.
func NextDue(lastMet, current, today calendar.Date, freq string) calendar.Date {
	switch {
	case !lastMet.IsZero():
		return After(lastMet, freq)
	case !current.IsZero():
		return current
	}
	return today
}

// DaysBetween returns the number of days from a to b (negative if b is
// before a).
func DaysBetween(a, b calendar.Date) int {
	return int(b.Time().Sub(a.Time()).Hours() / 24)
}

// PolicyEffect counts the households of the store's scope (vacant ones
// aside) by the frequency p would give them: what saving p would change.
func (s *Store) PolicyEffect(ctx context.Context, p Policy) (map[string]int, error) {
	cond, args := household.Where(s.scope)
	and := ""
	if cond != "" {
		and = " AND " + cond
	}
	facts := map[int64]*Facts{}
	rows, err := s.db.QueryContext(ctx, `SELECT h.id, h.colour FROM households h WHERE h.occupancy <> 'vacant'`+and, args...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id int64
		var f Facts
		if err := rows.Scan(&id, &f.Colour); err != nil {
			rows.Close()
			return nil, err
		}
		facts[id] = &f
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// Each household's tags and its current members', then its active
	// plan measures' frequencies.
	add := func(query string, args []any, to func(f *Facts, s string)) error {
		rows, err := s.db.QueryContext(ctx, query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var s string
			if err := rows.Scan(&id, &s); err != nil {
				return err
			}
			if f := facts[id]; f != nil {
				to(f, s)
			}
		}
		return rows.Err()
	}
	tag := func(f *Facts, s string) { f.Tags = append(f.Tags, s) }
	err = add(`SELECT h.id, t.tag FROM household_tags t JOIN households h ON h.id = t.household_id WHERE 1 = 1`+and, args, tag)
	if err == nil {
		err = add(`SELECT h.id, pt.tag FROM person_tags pt JOIN persons p ON p.id = pt.person_id JOIN households h ON h.id = p.household_id
			WHERE p.active AND p.moved_out_on IS NULL AND p.deceased_on IS NULL`+and, args, tag)
	}
	if err == nil {
		err = add(`SELECT h.id, m.frequency FROM plan_measures m JOIN households h ON h.id = m.household_id WHERE m.status = 'active'`+and, args,
			func(f *Facts, s string) { f.Plan = append(f.Plan, s) })
	}
	if err != nil {
		return nil, err
	}
	counts := map[string]int{}
	for _, f := range facts {
		freq, _ := p.Frequency(*f)
		counts[freq]++
	}
	return counts, nil
}
