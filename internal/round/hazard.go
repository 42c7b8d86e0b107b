package round

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"wanhu/internal/calendar"
	"wanhu/internal/request"
)

// RepeatWindow is how far back failures of the same item at the same
// place count towards a repeat offender.
const RepeatWindow = 180 * 24 * time.Hour

// Hazard is a failed item of a round: where, what, and its request.
type Hazard struct {
	RoundID      int64     `json:"round_id"`
	Item         string    `json:"item"`
	Name         string    `json:"name"`
	Note         string    `json:"note,omitempty"`
	FoundAt      time.Time `json:"found_at"`
	RequestID    int64     `json:"request_id,omitempty"`
	RequestState string    `json:"request_state,omitempty"`
	Urgency      string    `json:"urgency,omitempty"`
	Open         bool      `json:"open"`
	GridID       int64     `json:"grid_id"`
	CompoundID   int64     `json:"compound_id,omitempty"`
	Compound     string    `json:"compound,omitempty"`
	BuildingID   int64     `json:"building_id,omitempty"`
	Building     string    `json:"building,omitempty"`
	HouseholdID  int64     `json:"household_id,omitempty"`
	Shop         string    `json:"shop,omitempty"`
	// Repeats counts the failures of this item at this place (building,
	// shop, or the grid when neither is known) within RepeatWindow; 2 or
	// more makes a repeat offender.
	Repeats int `json:"repeats"`
}

// HazardFilter selects hazards.
type HazardFilter struct {
	CompoundID int64
	GridID     int64
	Open       bool // only those whose request is still open
}

// Offender is a place where the same item failed again and again.
type Offender struct {
	Place    string `json:"place"`
	Item     string `json:"item"`
	Name     string `json:"name"`
	Failures int    `json:"failures"`
}

// openStates are the states of a request not yet dealt with on site.
var openStates = []string{request.Submitted, request.Accepted}

// Hazards lists the failed items of the rounds in scope within
// RepeatWindow, by compound and building, the latest first in each,
// and the repeat offenders among them.
func (s *Store) Hazards(ctx context.Context, f HazardFilter) ([]Hazard, []Offender, error) {
	cond, args := Where(s.scope)
	where := []string{cond, "NOT x.ok", "r.done_at >= ?"}
	args = append(args, s.now().Add(-RepeatWindow).UTC())
	if f.CompoundID != 0 {
		where, args = append(where, "b.compound_id = ?"), append(args, f.CompoundID)
	}
	if f.GridID != 0 {
		where, args = append(where, "r.grid_id = ?"), append(args, f.GridID)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT x.round_id, x.item, x.note, r.done_at, COALESCE(x.request_id, 0), COALESCE(q.state, ''),
		COALESCE(q.urgency, ''), r.grid_id, COALESCE(b.compound_id, 0), COALESCE(c.name, ''), COALESCE(b.id, 0), COALESCE(b.name, ''),
		COALESCE(r.household_id, 0), COALESCE(h.shop_name, ''), r.template
		FROM round_results x JOIN rounds r ON r.id = x.round_id LEFT JOIN requests q ON q.id = x.request_id
		LEFT JOIN households h ON h.id = r.household_id LEFT JOIN buildings b ON b.id = COALESCE(x.building_id, h.building_id)
		LEFT JOIN compounds c ON c.id = b.compound_id
		WHERE `+strings.Join(where, " AND ")+` ORDER BY c.name, b.name, r.done_at DESC, x.id`, args...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	all := []Hazard{}
	for rows.Next() {
		var h Hazard
		var tmpl string
		if err := rows.Scan(&h.RoundID, &h.Item, &h.Note, &h.FoundAt, &h.RequestID, &h.RequestState, &h.Urgency, &h.GridID, &h.CompoundID,
			&h.Compound, &h.BuildingID, &h.Building, &h.HouseholdID, &h.Shop, &tmpl); err != nil {
			return nil, nil, err
		}
		t, _ := TemplateByCode(tmpl)
		it, _ := t.ItemOf(h.Item)
		h.Name, h.FoundAt = it.Name, h.FoundAt.In(calendar.China)
		h.Open = slices.Contains(openStates, h.RequestState)
		all = append(all, h)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	count := map[string]int{}
	for _, h := range all {
		count[h.key()]++
	}
	var offenders []Offender
	seen := map[string]bool{}
	out := []Hazard{}
	for _, h := range all {
		h.Repeats = count[h.key()]
		if h.Repeats >= 2 && !seen[h.key()] {
			seen[h.key()] = true
			offenders = append(offenders, Offender{Place: h.Place(), Item: h.Item, Name: h.Name, Failures: h.Repeats})
		}
		if !f.Open || h.Open {
			out = append(out, h)
		}
	}
	slices.SortStableFunc(offenders, func(a, b Offender) int { return b.Failures - a.Failures })
	if offenders == nil {
		offenders = []Offender{}
	}
	return out, offenders, nil
}

// key is the place and item of h, for counting repeats.
func (h Hazard) key() string {
	switch {
	case h.HouseholdID != 0:
		return fmt.Sprintf("h%d/%s", h.HouseholdID, h.Item)
	case h.BuildingID != 0:
		return fmt.Sprintf("b%d/%s", h.BuildingID, h.Item)
	}
	return fmt.Sprintf("g%d/%s", h.GridID, h.Item)
}

// Place names where h was found: the shop, or the compound and building.
func (h Hazard) Place() string {
	switch {
	case h.Shop != "":
		return h.Shop
	case h.Building != "":
		return h.Compound + h.Building
	}
	return ""
}
