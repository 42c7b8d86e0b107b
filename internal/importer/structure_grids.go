package importer

import (
	"context"
	"strings"

	"wanhu/internal/org"
)

// gridPlan is a grid of the workbook: what its rows say of it, then what
// it became.
type gridPlan struct {
	number int
	// name is the name the workbook gives ("" for none); rename says it
	// was given beside the number, so an existing grid of that number
	// takes it.
	name   string
	rename bool
	rec    *record // the first row naming it; nil for a grid only a team row names
	leader *leaderRef

	id       int64 // once applied; 0 when it was refused
	leaderID int64 // its leader (team member) in the database
	created  bool
	changed  bool
}

// label is how a message names the grid.
func (g *gridPlan) label() string {
	if g.name != "" {
		return g.name
	}
	return org.GridName(g.number)
}

// leaderRef is a grid leader a grids sheet names (网格长), with a phone to
// tell two of the same name apart.
type leaderRef struct {
	name, phone string
	rec         *record
}

// claim is a building a row of the grids sheet gives to a grid; field is
// the column that says so most narrowly (the room range, the unit, the
// building), where a split is reported.
type claim struct {
	grid               *gridPlan
	compound, building string
	rec                *record
	field              Field
}

// grids reads the grids sheet's rows into plans (a row that names no grid
// continues the grid above it, as a merged cell does) and creates or
// renames the grids.
func (r *structRun) grids(ctx context.Context) error {
	var prev *gridPlan
	sheet, compound := "", ""
	for _, rec := range r.gridRows {
		if rec.t.sheet != sheet {
			sheet, prev, compound = rec.t.sheet, nil, ""
		}
		g := r.gridOf(rec, prev)
		prev = g
		if g == nil {
			continue
		}
		r.leaderOf(rec, g)
		compound = r.cover(rec, g, compound)
	}
	existing, err := r.communityGrids(ctx)
	if err != nil {
		return err
	}
	next := 1
	for _, g := range existing {
		next = max(next, g.Number+1)
	}
	for _, g := range r.plans {
		next = max(next, g.number+1)
	}
	for _, g := range r.plans {
		if err := r.applyGrid(ctx, g, existing, &next); err != nil {
			return err
		}
	}
	return nil
}

// communityGrids lists the active grids of the community.
func (r *structRun) communityGrids(ctx context.Context) ([]org.Grid, error) {
	all, err := org.Grids(ctx, r.tx)
	if err != nil {
		return nil, err
	}
	var out []org.Grid
	for _, g := range all {
		if g.CommunityID == r.community.ID {
			out = append(out, g)
		}
	}
	return out, nil
}

// gridOf returns the plan of the grid rec names, prev for a row that
// names none; nil after reporting a problem.
func (r *structRun) gridOf(rec *record, prev *gridPlan) *gridPlan {
	num, name, both := rec.text(GridNumber), rec.text(GridName), rec.text(Grid)
	if num == "" && name == "" && both == "" {
		if prev == nil {
			r.problem(r.at(rec, firstOf(rec, GridNumber, Grid, GridName), "grid_missing", "which grid? Fill in its number or name"))
		}
		return prev
	}
	n := 0
	if num != "" {
		if n, _ = readGrid(num); n <= 0 {
			r.problem(r.at(rec, GridNumber, "grid_number", "%q is not a grid number", num))
			return nil
		}
	}
	if both != "" {
		bn, bname := readGrid(both)
		switch {
		case bn != 0 && n != 0 && bn != n:
			r.problem(r.at(rec, Grid, "grid_number", "%q is not a grid number", both))
			return nil
		case bn != 0:
			n = bn
		case name == "":
			name = bname // a name of its own, as 东区网格
		}
	}
	if n == 0 && name != "" {
		n, _ = readGrid(name) // 第三网格 is grid 3
	}
	g := r.findPlan(n, name)
	if g == nil {
		g = &gridPlan{number: n, name: name, rename: name != "" && n != 0, rec: rec}
		r.plans = append(r.plans, g)
		return g
	}
	if name != "" && g.name != "" && name != g.name {
		r.problem(r.at(rec, firstOf(rec, GridName, Grid), "grid_conflict", "this grid is named %s on row %d", g.name, g.rec.row))
		return nil
	}
	if g.name == "" && name != "" {
		g.name, g.rename = name, n != 0
	}
	return g
}

// findPlan returns the plan of grid number n (when not 0) or of name.
func (r *structRun) findPlan(n int, name string) *gridPlan {
	for _, g := range r.plans {
		if n != 0 && g.number == n || n == 0 && name != "" && g.name == name {
			return g
		}
	}
	return nil
}

// firstOf returns the first of fields that rec's sheet has.
func firstOf(rec *record, fields ...Field) Field {
	for _, f := range fields {
		if rec.t.has(f) {
			return f
		}
	}
	return fields[0]
}

// leaderOf notes the grid leader rec names for g.
func (r *structRun) leaderOf(rec *record, g *gridPlan) {
	name := rec.text(GridLeader)
	phone, err := readPhone("phone", rec.raw(GridLeaderPhone))
	if err != nil {
		r.cellError(rec, GridLeaderPhone, err)
		return
	}
	if name == "" {
		return
	}
	if l := g.leader; l != nil && (l.name != name || phone != "" && l.phone != "" && phone != l.phone) {
		r.problem(r.at(rec, GridLeader, "leader_conflict", "%s leads this grid already (row %d)", l.name, l.rec.row))
		return
	}
	if g.leader == nil || g.leader.phone == "" {
		g.leader = &leaderRef{name: name, phone: phone, rec: rec}
	}
}

// cover notes the buildings rec gives to g. A row that names buildings
// without a compound takes the compound above it (compound); it returns
// the compound for the next row.
func (r *structRun) cover(rec *record, g *gridPlan, compound string) string {
	own := rec.text(Compound)
	if own != "" {
		compound = own
	}
	rooms := rec.raw(RoomRange)
	if err := readRooms(rooms); err != nil {
		r.cellError(rec, RoomRange, err)
	}
	cellB := cleanText(rec.raw(Building))
	if cellB == "" {
		if own != "" || cleanText(rooms) != "" {
			r.problem(r.at(rec, firstOf(rec, Building, Compound), "building_missing", "name the buildings of %s that the grid covers", own))
		}
		return compound
	}
	names, err := readBuildings(cellB)
	if err != nil {
		r.cellError(rec, Building, err)
		return compound
	}
	if compound == "" {
		r.problem(r.at(rec, firstOf(rec, Compound, Building), "compound_missing", "which compound are these buildings in?"))
		return compound
	}
	field := Building
	switch {
	case cleanText(rooms) != "":
		field = RoomRange
	case rec.text(Unit) != "":
		field = Unit
	}
	for _, b := range names {
		r.claims = append(r.claims, claim{grid: g, compound: compound, building: b, rec: rec, field: field})
	}
	return compound
}

// cellError reports err, a FieldError of reading rec's cell of f, on it.
func (r *structRun) cellError(rec *record, f Field, err error) {
	r.refuse(rec, err, map[string]Field{"": f, "phone": f, "building": f, "room_range": f, "role": f,
		"languages": f, "availability": f})
}

// gridColumns maps the fields of a grid's FieldError to the columns of
// rec's sheet.
func gridColumns(rec *record) map[string]Field {
	return map[string]Field{"number": firstOf(rec, GridNumber, Grid), "name": firstOf(rec, GridName, Grid),
		"parent_id": firstOf(rec, GridNumber, Grid)}
}

// applyGrid finds g among the grids of the community (by number, or by
// name when it has none) and renames it when the workbook names it beside
// its number, or creates it: with the next free number when the workbook
// gives none, and the usual name (第三网格) when it gives no name.
func (r *structRun) applyGrid(ctx context.Context, g *gridPlan, existing []org.Grid, next *int) error {
	var match *org.Grid
	for i, e := range existing {
		if g.number != 0 && e.Number == g.number || g.number == 0 && e.Name == g.name {
			match = &existing[i]
			break
		}
	}
	if match == nil {
		if g.number == 0 {
			g.number, *next = *next, *next+1
		}
		u := org.Unit{Kind: org.GridKind, ParentID: r.community.ID, Number: g.number, Name: g.name}
		refused, err := r.savepoint(ctx, func() error { return r.st.CreateUnit(ctx, &u) })
		if refused != nil {
			r.refuse(g.rec, refused, gridColumns(g.rec))
		}
		if err != nil || refused != nil {
			return err
		}
		g.id, g.name, g.created = u.ID, u.Name, true
		return nil
	}
	g.id, g.number, g.leaderID = match.ID, match.Number, match.LeaderID
	if !g.rename || g.name == match.Name {
		g.name = match.Name
		return nil
	}
	name := g.name
	refused, err := r.savepoint(ctx, func() error {
		_, err := r.st.ChangeUnit(ctx, match.ID, org.UnitChange{Name: &name})
		return err
	})
	if refused != nil {
		r.refuse(g.rec, refused, gridColumns(g.rec))
	}
	g.changed = refused == nil
	return err
}

// gridNamed returns the grid of the community that a team row names (by
// number or name): one of the workbook's, else one in the database
// (added to the plans without a row); ok is false for none. Its id is 0
// when the workbook's grid was refused.
func (r *structRun) gridNamed(ctx context.Context, s string) (*gridPlan, bool, error) {
	n, name := readGrid(s)
	if g := r.findPlan(n, name); g != nil {
		return g, true, nil
	}
	for _, g := range r.plans {
		if g.name == name && g.id != 0 {
			return g, true, nil
		}
	}
	existing, err := r.communityGrids(ctx)
	if err != nil {
		return nil, false, err
	}
	for _, e := range existing {
		if n != 0 && e.Number == n || e.Name == name {
			g := &gridPlan{number: e.Number, name: e.Name, id: e.ID, leaderID: e.LeaderID}
			r.plans = append(r.plans, g)
			return g, true, nil
		}
	}
	return nil, false, nil
}

// countGrids counts the grids of the workbook once their leaders are set.
func (r *structRun) countGrids() {
	for _, g := range r.plans {
		switch {
		case g.id == 0:
		case g.created:
			r.rep.Grids.Created++
		case g.changed:
			r.rep.Grids.Updated++
		case g.rec != nil:
			r.rep.Grids.Unchanged++
		}
	}
}

// claimKey says which claims are one building:
// "一化" is 一化小区, "3" is 3号楼 (as findCompound and findBuilding read
// them).
func claimKey(c claim) string {
	return strings.TrimSuffix(strings.ReplaceAll(c.compound, " ", ""), "小区") + "\x00" + buildingKey(c.building)
}
