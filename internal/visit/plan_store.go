package visit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/calendar"
	"wanhu/internal/org"
	"wanhu/internal/store"
)

// SetPlanConfig replaces the numbers plans are made with.
func (s *Store) SetPlanConfig(c PlanConfig) { s.plan = c }

// gridInScope returns apperr.ErrNotFound unless grid id exists and is in
// the store's scope.
func (s *Store) gridInScope(ctx context.Context, gridID int64) (org.Grid, error) {
	g, err := org.GridByID(ctx, s.db, gridID)
	if err != nil {
		return g, err
	}
	ok, err := s.files.GridVisible(ctx, gridID)
	if err != nil {
		return g, err
	}
	if !ok {
		return g, apperr.ErrNotFound
	}
	return g, nil
}

// GeneratePlan makes the plan of grid gridID for week and saves it in place
// of the one there was, by name of who asked. It reads the grid in three
// queries (grid, team, households) whatever its size.
func (s *Store) GeneratePlan(ctx context.Context, by string, gridID int64, week Week) (*Plan, error) {
	g, err := s.gridInScope(ctx, gridID)
	if err != nil {
		return nil, err
	}
	vs, err := s.planVisitors(ctx, s.db, g)
	if err != nil {
		return nil, err
	}
	if len(vs) == 0 {
		return nil, apperr.Field("grid_id", "no_visitors", "grid %d has no active team members to visit", gridID)
	}
	if err := s.loadElsewhere(ctx, vs, g, week); err != nil {
		return nil, err
	}
	cs, err := s.candidates(ctx, gridID, week)
	if err != nil {
		return nil, err
	}
	today, monday, sunday := s.today(), week.Monday(), week.Sunday()
	owned := 0
	for _, v := range vs {
		if v.own {
			owned += v.capacity
		}
	}
	for _, c := range cs {
		c.score(today, monday, sunday)
	}
	chosen := selectHouseholds(cs, s.plan.Quota, owned)
	assign(chosen, vs)
	by2 := map[int64][]*candidate{}
	for _, c := range chosen {
		by2[c.member] = append(by2[c.member], c)
	}
	now := s.now().UTC()
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		var id int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO plans(grid_id, week, generated_at, generated_by) VALUES (?, ?, ?, ?)
			ON CONFLICT (grid_id, week) DO UPDATE SET generated_at = excluded.generated_at, generated_by = excluded.generated_by
			RETURNING id`, gridID, week.String(), now, by).Scan(&id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM plan_items WHERE plan_id = ?`, id); err != nil {
			return err
		}
		var rows [][]any
		for _, v := range vs {
			list := by2[v.m.ID]
			routeOrder(list)
			for i, c := range list {
				rows = append(rows, []any{id, c.id, v.m.ID, i + 1, c.priority, c.reason()})
			}
		}
		return insertItems(ctx, tx, rows)
	})
	if err != nil {
		return nil, err
	}
	return s.Plan(ctx, gridID, week)
}

// loadElsewhere starts the helpers of vs (the community's members without
// a grid, who serve several grids) with what the week's plans of the other
// grids already give them, so their capacity is shared, not granted anew in
// every grid.
func (s *Store) loadElsewhere(ctx context.Context, vs []*visitor, g org.Grid, week Week) error {
	rows, err := s.db.QueryContext(ctx, `SELECT i.team_member_id, COUNT(*) FROM plan_items i JOIN plans p ON p.id = i.plan_id
		JOIN team_members m ON m.id = i.team_member_id
		WHERE p.week = ? AND p.grid_id <> ? AND m.community_id = ? AND m.grid_id IS NULL GROUP BY i.team_member_id`,
		week.String(), g.ID, g.CommunityID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return err
		}
		for _, v := range vs {
			if v.m.ID == id {
				v.load = n
			}
		}
	}
	return rows.Err()
}

// insertItems writes plan items 200 to a statement.
func insertItems(ctx context.Context, tx *store.Tx, rows [][]any) error {
	for len(rows) > 0 {
		n := min(len(rows), 200)
		args := make([]any, 0, n*6)
		for _, r := range rows[:n] {
			args = append(args, r...)
		}
		q := `INSERT INTO plan_items(plan_id, household_id, team_member_id, position, priority, reason) VALUES ` +
			strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?), ", n), ", ")
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}

// planVisitors returns the active team members of grid g (own) and of its
// community without a grid (helpers), by id.
func (s *Store) planVisitors(ctx context.Context, q store.Querier, g org.Grid) ([]*visitor, error) {
	// A grid's members belong to its community: filtering on the community
	// first lets the query use its index instead of reading the city's team.
	rows, err := q.QueryContext(ctx, `SELECT id, COALESCE(grid_id, 0), name, role, languages, availability FROM team_members
		WHERE community_id = ? AND active AND (grid_id = ? OR grid_id IS NULL) ORDER BY id`, g.CommunityID, g.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*visitor
	for rows.Next() {
		v := &visitor{}
		var langs, avail string
		if err := rows.Scan(&v.m.ID, &v.m.GridID, &v.m.Name, &v.m.Role, &langs, &avail); err != nil {
			return nil, err
		}
		v.m.Languages, v.m.Availability = splitList(langs), splitList(avail)
		v.own, v.capacity = v.m.GridID == g.ID, s.plan.capacity(v.m.Role)
		out = append(out, v)
	}
	return out, rows.Err()
}

// candidates returns the occupied households of a grid with what the
// generator weighs, in one query: with the visitor of a booked appointment
// in week.
func (s *Store) candidates(ctx context.Context, gridID int64, week Week) ([]*candidate, error) {
	from := time.Date(week.Monday().Y, week.Monday().M, week.Monday().D, 0, 0, 0, 0, calendar.China).UTC()
	rows, err := s.db.QueryContext(ctx, `SELECT h.id, h.colour, h.next_due_on, h.last_visit_at, h.offpeak, h.contact_times, h.language,
		COALESCE(c.name, ''), COALESCE(b.name, ''), h.unit, h.floor, h.room,
		(SELECT COUNT(*) FROM needs n WHERE n.household_id = h.id AND n.status IN ('open', 'in_progress')),
		COALESCE(a.team_member_id, 0)
		FROM households h LEFT JOIN compounds c ON c.id = h.compound_id LEFT JOIN buildings b ON b.id = h.building_id
		LEFT JOIN appointments a ON a.household_id = h.id AND a.state = 'booked' AND a.slot_start >= ? AND a.slot_start < ?
		WHERE h.grid_id = ? AND h.occupancy <> 'vacant'`, from, from.AddDate(0, 0, 7), gridID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*candidate
	for rows.Next() {
		c := &candidate{}
		var times string
		if err := rows.Scan(&c.id, &c.colour, &c.due, &c.lastVisit, &c.offpeak, &times, &c.language,
			&c.compound, &c.building, &c.unit, &c.floor, &c.room, &c.openNeeds, &c.appointment); err != nil {
			return nil, err
		}
		c.contactTimes = splitList(times)
		out = append(out, c)
	}
	return out, rows.Err()
}

func splitList(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}

// Plan returns the saved plan of grid gridID for week, with the grid's
// coverage; apperr.ErrNotFound when there is none or the grid is out of
// scope.
func (s *Store) Plan(ctx context.Context, gridID int64, week Week) (*Plan, error) {
	g, err := s.gridInScope(ctx, gridID)
	if err != nil {
		return nil, err
	}
	p := &Plan{GridID: g.ID, GridName: g.Name, Week: week.String(), From: week.Monday(), To: week.Sunday(), Visitors: []PlanVisitor{}}
	err = s.db.QueryRowContext(ctx, `SELECT id, generated_at, generated_by FROM plans WHERE grid_id = ? AND week = ?`, gridID, week.String()).
		Scan(&p.ID, &p.GeneratedAt, &p.GeneratedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	if err := s.planItems(ctx, p); err != nil {
		return nil, err
	}
	p.Coverage, err = s.coverage(ctx, gridID)
	return p, err
}

// planItems fills p's visitors and their households, in one query.
func (s *Store) planItems(ctx context.Context, p *Plan) error {
	rows, err := s.db.QueryContext(ctx, `SELECT m.id, m.name, m.role, m.languages, m.availability,
		i.household_id, i.position, i.priority, i.reason, h.colour, h.address, h.householder,
		COALESCE(c.name, ''), COALESCE(b.name, ''), h.unit, h.floor, h.room, h.language, h.contact_times, h.next_due_on
		FROM plan_items i JOIN team_members m ON m.id = i.team_member_id JOIN households h ON h.id = i.household_id
		LEFT JOIN compounds c ON c.id = h.compound_id LEFT JOIN buildings b ON b.id = h.building_id
		WHERE i.plan_id = ? ORDER BY m.id, i.position, i.household_id`, p.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var v PlanVisitor
		var it PlanItem
		var langs, avail, times string
		if err := rows.Scan(&v.TeamMemberID, &v.User, &v.Role, &langs, &avail,
			&it.HouseholdID, &it.Position, &it.Priority, &it.Reason, &it.Colour, &it.Address, &it.Householder,
			&it.Compound, &it.Building, &it.Unit, &it.Floor, &it.Room, &it.Language, &times, &it.NextDueOn); err != nil {
			return err
		}
		it.ContactTimes = splitList(times)
		if n := len(p.Visitors); n == 0 || p.Visitors[n-1].TeamMemberID != v.TeamMemberID {
			v.Languages, v.Availability, v.Capacity = splitList(langs), splitList(avail), s.plan.capacity(v.Role)
			v.Households = []PlanItem{}
			p.Visitors = append(p.Visitors, v)
		}
		last := &p.Visitors[len(p.Visitors)-1]
		last.Households = append(last.Households, it)
		p.Total++
	}
	return rows.Err()
}

// coverage returns the share of grid gridID's occupied households visited
// since the start of this week, month, quarter and year (China time).
func (s *Store) coverage(ctx context.Context, gridID int64) (Coverage, error) {
	cs, err := s.CoverageByGrid(ctx, gridID)
	if err != nil || len(cs) == 0 {
		return Coverage{}, err
	}
	return cs[0].Coverage, nil
}

// PlanByID returns the saved plan id, when its grid is in scope.
func (s *Store) PlanByID(ctx context.Context, id int64) (*Plan, error) {
	var gridID int64
	var week string
	err := s.db.QueryRowContext(ctx, `SELECT grid_id, week FROM plans WHERE id = ?`, id).Scan(&gridID, &week)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	w, err := ParseWeek("week", week)
	if err != nil {
		return nil, fmt.Errorf("stored plan %d: %w", id, err)
	}
	return s.Plan(ctx, gridID, w)
}

// MovePlanItem gives household householdID of plan planID to team member
// memberID, who must be able to visit the grid (one of its members or of
// its community without a grid); the household goes to the end of their
// list.
func (s *Store) MovePlanItem(ctx context.Context, planID, householdID, memberID int64) (*Plan, error) {
	p, err := s.PlanByID(ctx, planID)
	if err != nil {
		return nil, err
	}
	if err := s.checkVisitor(ctx, p.GridID, "team_member_id", memberID); err != nil {
		return nil, err
	}
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		var cur int64
		var pos int
		err := tx.QueryRowContext(ctx, `SELECT team_member_id, position FROM plan_items WHERE plan_id = ? AND household_id = ?`, planID, householdID).Scan(&cur, &pos)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.ErrNotFound
		}
		if err != nil || cur == memberID {
			return err
		}
		if _, err = tx.ExecContext(ctx, `UPDATE plan_items SET team_member_id = ?,
			position = (SELECT COALESCE(MAX(position), 0) + 1 FROM plan_items WHERE plan_id = ? AND team_member_id = ?)
			WHERE plan_id = ? AND household_id = ?`, memberID, planID, memberID, planID, householdID); err != nil {
			return err
		}
		// The rest of the former visitor's round closes up behind it.
		_, err = tx.ExecContext(ctx, `UPDATE plan_items SET position = position - 1 WHERE plan_id = ? AND team_member_id = ? AND position > ?`,
			planID, cur, pos)
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.PlanByID(ctx, planID)
}

// SwapPlanVisitors exchanges the lists of team members a and b in plan
// planID (a visitor falls ill, another takes over their round); b may have
// no list yet. Both must be able to visit the grid, and they must be two.
func (s *Store) SwapPlanVisitors(ctx context.Context, planID, a, b int64) (*Plan, error) {
	if a == b {
		return nil, apperr.Field("with", "same", "choose another team member: %d cannot swap with themselves", a)
	}
	p, err := s.PlanByID(ctx, planID)
	if err != nil {
		return nil, err
	}
	if err := s.checkVisitor(ctx, p.GridID, "team_member_id", a); err != nil {
		return nil, err
	}
	if err := s.checkVisitor(ctx, p.GridID, "with", b); err != nil {
		return nil, err
	}
	_, err = s.db.ExecContext(ctx, `UPDATE plan_items SET team_member_id = CASE WHEN team_member_id = ? THEN CAST(? AS BIGINT) ELSE CAST(? AS BIGINT) END
		WHERE plan_id = ? AND team_member_id IN (?, ?)`, a, b, a, planID, a, b)
	if err != nil {
		return nil, err
	}
	return s.PlanByID(ctx, planID)
}

// checkVisitor returns a FieldError on field unless team member id may
// visit grid gridID.
func (s *Store) checkVisitor(ctx context.Context, gridID int64, field string, id int64) error {
	g, err := org.GridByID(ctx, s.db, gridID)
	if err != nil {
		return err
	}
	vs, err := s.planVisitors(ctx, s.db, g)
	if err != nil {
		return err
	}
	for _, v := range vs {
		if v.m.ID == id {
			return nil
		}
	}
	return apperr.Field(field, "not_found", "team member %d does not visit this grid", id)
}

// PlanTeam returns the team members who may visit grid gridID: its own and
// its community's members without a grid, by id.
func (s *Store) PlanTeam(ctx context.Context, gridID int64) ([]org.TeamMember, error) {
	g, err := s.gridInScope(ctx, gridID)
	if err != nil {
		return nil, err
	}
	vs, err := s.planVisitors(ctx, s.db, g)
	out := make([]org.TeamMember, 0, len(vs))
	for _, v := range vs {
		out = append(out, v.m)
	}
	return out, err
}
