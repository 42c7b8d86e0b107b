package round

import (
	"context"
	"math"
	"slices"
	"strconv"
	"unicode"

	"wanhu/internal/apperr"
	"wanhu/internal/org"
)

// Sizes of a plan, in SVG user units.
const (
	boxW, boxH, gap = 96, 56, 16
)

// Plan is a compound's buildings laid out as boxes, each with its open
// hazards. The buildings have no coordinates in Wanhu, so they are laid
// out in rows by their numbers (1号楼, 2号楼, …), as a community's own
// hand-drawn plans are.
type Plan struct {
	Compound  org.Compound   `json:"compound"`
	Buildings []PlanBuilding `json:"buildings"`
	Width     int            `json:"width"`
	Height    int            `json:"height"`
}

// PlanBuilding is one box of a plan.
type PlanBuilding struct {
	ID     int64  `json:"id"`
	Name   string `json:"name"`
	Open   int    `json:"open_hazards"`
	X      int    `json:"x"`
	Y      int    `json:"y"`
	W      int    `json:"w"`
	H      int    `json:"h"`
	Colour string `json:"colour"` // green: none open, yellow: one, red: more
}

// PlanOf returns the plan of compound id: the buildings in scope, with the
// open hazards found at each; apperr.ErrNotFound when none is in scope.
func (s *Store) PlanOf(ctx context.Context, id int64) (*Plan, error) {
	c, err := org.CompoundByID(ctx, s.db, id)
	if err != nil {
		return nil, err
	}
	hs, _, err := s.Hazards(ctx, HazardFilter{CompoundID: id, Open: true})
	if err != nil {
		return nil, err
	}
	open := map[int64]int{}
	for _, h := range hs {
		open[h.BuildingID]++
	}
	p := &Plan{Compound: c}
	rows, err := s.db.QueryContext(ctx, `SELECT b.id, b.name, b.grid_id, g.path FROM buildings b JOIN org_units g ON g.id = b.grid_id
		WHERE b.compound_id = ? AND b.retired_at IS NULL ORDER BY b.id`, id)
	if err != nil {
		return nil, err
	}
	type row struct {
		b    PlanBuilding
		grid int64
		path string
	}
	var all []row
	for rows.Next() {
		var x row
		if err := rows.Scan(&x.b.ID, &x.b.Name, &x.grid, &x.path); err != nil {
			rows.Close()
			return nil, err
		}
		all = append(all, x)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, x := range all {
		ok, err := s.reaches(ctx, x.grid, x.path)
		if err != nil {
			return nil, err
		}
		if ok {
			x.b.Open = open[x.b.ID]
			p.Buildings = append(p.Buildings, x.b)
		}
	}
	if len(p.Buildings) == 0 {
		return nil, apperr.ErrNotFound
	}
	slices.SortStableFunc(p.Buildings, func(a, b PlanBuilding) int { return number(a.Name) - number(b.Name) })
	cols := int(math.Ceil(math.Sqrt(float64(len(p.Buildings)))))
	for i := range p.Buildings {
		b := &p.Buildings[i]
		b.X, b.Y, b.W, b.H = gap+(i%cols)*(boxW+gap), gap+(i/cols)*(boxH+gap), boxW, boxH
		b.Colour = "green"
		switch {
		case b.Open >= 2:
			b.Colour = "red"
		case b.Open == 1:
			b.Colour = "yellow"
		}
	}
	nrows := (len(p.Buildings) + cols - 1) / cols
	p.Width, p.Height = gap+cols*(boxW+gap), gap+nrows*(boxH+gap)
	return p, nil
}

// number is the first number in a building's name ("12号楼" is 12), or a
// large one for a name without, so those come last.
func number(name string) int {
	var digits []rune
	for _, r := range name {
		if unicode.IsDigit(r) {
			digits = append(digits, r)
		} else if len(digits) > 0 {
			break
		}
	}
	n, err := strconv.Atoi(string(digits))
	if err != nil {
		return math.MaxInt32
	}
	return n
}
