package gen

import (
	"context"
	"fmt"
	"time"

	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/store"
	"wanhu/internal/visit"
)

// DemoAloneElderlyDue is how many of Dongxing's living-alone elderly are
// not met in the last 7 days on the demo day, so the proactive rule
// (internal/proactive, rule_alone.go) makes that many visits due today.
const DemoAloneElderlyDue = 3

// dongxingAloneElderly leaves exactly DemoAloneElderlyDue of Dongxing's
// living-alone elderly unmet in the last 7 days (the first by id): the
// others, whose weekly visit this week's route has not reached yet, got
// a phone call from their grid worker yesterday evening (电话问候),
// recorded through the visit store like the week's visits.
func (g *generator) dongxingAloneElderly(ctx context.Context, db *store.DB, communityID int64) error {
	rows, err := db.QueryContext(ctx, `SELECT DISTINCT h.id, h.grid_id, p.id FROM households h
		JOIN org_units g ON g.id = h.grid_id JOIN persons p ON p.household_id = h.id
		JOIN person_tags t ON t.person_id = p.id AND t.tag = 'living_alone_elderly'
		WHERE g.parent_id = ? AND p.active AND p.moved_out_on IS NULL AND p.deceased_on IS NULL
		AND (h.last_met_on IS NULL OR h.last_met_on <= ?) ORDER BY h.id`,
		communityID, calendar.DateOf(g.today.Time().AddDate(0, 0, -7)))
	if err != nil {
		return err
	}
	type unmet struct{ id, grid, person int64 }
	var hs []unmet
	for rows.Next() {
		var u unmet
		if err := rows.Scan(&u.id, &u.grid, &u.person); err != nil {
			rows.Close()
			return err
		}
		hs = append(hs, u)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if len(hs) <= DemoAloneElderlyDue {
		return nil
	}
	at := time.Date(g.today.Y, g.today.M, g.today.D, 19, 30, 0, 0, calendar.China).AddDate(0, 0, -1)
	vs := visit.NewStore(db, household.NewStore(db))
	vs.SetClock(func() time.Time { return at.Add(10 * time.Minute) })
	for i, u := range hs[DemoAloneElderlyDue:] {
		var worker int64
		if err := db.QueryRowContext(ctx, `SELECT id FROM team_members WHERE grid_id = ? AND role = ? ORDER BY id LIMIT 1`,
			u.grid, org.RoleGridWorker).Scan(&worker); err != nil {
			return fmt.Errorf("grid worker of grid %d: %w", u.grid, err)
		}
		call := at.Add(time.Duration(i) * time.Minute)
		in := visit.Input{ClientID: fmt.Sprintf("gen-call-%d", u.id), HouseholdID: u.id, Channel: "phone", Outcome: "met",
			At: &call, Visitors: []int64{worker}, Met: []int64{u.person}, Notes: "电话问候，老人身体尚好"}
		if _, _, err := vs.Record(ctx, household.Actor{Name: "gen"}, in); err != nil {
			return fmt.Errorf("call to household %d: %w", u.id, err)
		}
	}
	return nil
}
