package gen

import (
	"context"
	"fmt"
	"time"

	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/proactive"
	"wanhu/internal/store"
	"wanhu/internal/visit"
)

// DemoAloneElderlyDue is how many of Dongxing's living-alone elderly are
// not met in the last 7 days on the demo day, so the proactive rule
// (internal/proactive, rule_alone.go) makes that many visits due today.
const DemoAloneElderlyDue = 3

// dongxingAloneElderly leaves exactly DemoAloneElderlyDue of Dongxing's
// living-alone elderly unmet in the last 7 days (the first by id). When
// there are more, the others, whose weekly visit this week's route has
// not reached yet, got a phone call from their grid worker yesterday
// evening (电话问候), recorded through the visit store like the week's
// visits. When there are fewer, those met the longest ago among the
// others were not at home at their visits of the last 7 days (see
// notAtHome).
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
	if len(hs) < DemoAloneElderlyDue {
		return g.notAtHome(ctx, db, communityID, DemoAloneElderlyDue-len(hs))
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

// notAtHome turns the meetings of the last 7 days of n living-alone
// elderly households of the community into not-at-home visits (with a
// card left and a follow-up), those met the longest ago first, and only
// visits of the history (not of this week's plans); then it sets their
// schedule as the visit store would have (last met, misses in a row, the
// off-peak flag) and recomputes the due dates.
func (g *generator) notAtHome(ctx context.Context, db *store.DB, communityID int64, n int) error {
	cut := calendar.DateOf(g.today.Time().AddDate(0, 0, -6)).Midnight()
	rows, err := db.QueryContext(ctx, `SELECT DISTINCT h.id, h.last_met_on FROM households h
		JOIN org_units g ON g.id = h.grid_id JOIN persons p ON p.household_id = h.id
		JOIN person_tags t ON t.person_id = p.id AND t.tag = 'living_alone_elderly'
		WHERE g.parent_id = ? AND p.active AND p.moved_out_on IS NULL AND p.deceased_on IS NULL AND h.last_met_on IS NOT NULL
		AND NOT EXISTS (SELECT 1 FROM visits v WHERE v.household_id = h.id AND v.at >= ? AND v.client_id LIKE 'gen-week-%')
		ORDER BY h.last_met_on, h.id`, communityID, cut)
	if err != nil {
		return err
	}
	var ids []int64
	for rows.Next() && len(ids) < n {
		var id int64
		var met calendar.Date
		if err := rows.Scan(&id, &met); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	after, err := proactive.MissesBeforeOffpeak(ctx, db)
	if err != nil {
		return err
	}
	err = db.InTx(ctx, func(tx *store.Tx) error {
		for _, id := range ids {
			if err := missed(ctx, tx, id, cut); err != nil {
				return err
			}
			var lastMet calendar.Date
			misses := 0
			if err := schedule(ctx, tx, id, &lastMet, &misses); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE households SET last_met_on = ?, misses = ?, offpeak = ? WHERE id = ?`,
				lastMet, misses, after > 0 && misses >= after, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	_, err = visit.RecomputeDue(ctx, db, g.today)
	return err
}

// schedule reads household id's visits, oldest first, for the day of its
// last meeting and its not-at-home visits since in a row.
func schedule(ctx context.Context, q store.Querier, id int64, lastMet *calendar.Date, misses *int) error {
	rows, err := q.QueryContext(ctx, `SELECT outcome, at FROM visits WHERE household_id = ? ORDER BY at, id`, id)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var outcome string
		var at time.Time
		if err := rows.Scan(&outcome, &at); err != nil {
			return err
		}
		switch outcome {
		case "met":
			*lastMet, *misses = calendar.DayOf(at), 0
		case "not_home":
			*misses++
		default:
			*misses = 0
		}
	}
	return rows.Err()
}

// missed turns household id's meetings since cut into not-at-home visits,
// each with a card left and its follow-up.
func missed(ctx context.Context, tx *store.Tx, id int64, cut time.Time) error {
	rows, err := tx.QueryContext(ctx, `SELECT id, at FROM visits WHERE household_id = ? AND at >= ? AND outcome = 'met'`, id, cut)
	if err != nil {
		return err
	}
	type visitAt struct {
		id int64
		at time.Time
	}
	var vs []visitAt
	for rows.Next() {
		var v visitAt
		if err := rows.Scan(&v.id, &v.at); err != nil {
			rows.Close()
			return err
		}
		vs = append(vs, v)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, v := range vs {
		follow := calendar.DateOf(calendar.DayOf(v.at).Time().AddDate(0, 0, visit.FollowUpDays))
		if _, err := tx.ExecContext(ctx, `UPDATE visits SET outcome = 'not_home', met = '', notes = '家中无人，已留联系卡', card_left = ?,
			follow_up_on = ? WHERE id = ?`, true, follow, v.id); err != nil {
			return err
		}
	}
	return nil
}
