package gen

import (
	"context"
	"time"

	"wanhu/internal/request"
	"wanhu/internal/store"
)

// Dongxing's survey: the article gives the rates (居民知晓率100%、参与率96%、
// 满意率96%) but not how many were asked; the demo asks 50 households on
// their last visit that met someone, so that all 50 know their grid worker,
// 48 took part in a community activity and 48 are satisfied or basically
// satisfied.
const (
	DongxingSurveyed      = 50
	DongxingParticipating = 48
	DongxingSatisfied     = 48
)

// dongxingSurvey records the survey answers of DongxingSurveyed
// households of community on their last met visit, with the three
// questions of migration 00018: the first households of each grid by id,
// taking grids in turn, so every grid has answers.
func (g *generator) dongxingSurvey(ctx context.Context, db *store.DB, communityID int64) error {
	type met struct {
		visit, household, grid int64
		at                     time.Time
	}
	rows, err := db.QueryContext(ctx, `SELECT v.id, v.household_id, v.grid_id, v.at FROM visits v JOIN org_units g ON g.id = v.grid_id
		WHERE g.parent_id = ? AND v.outcome = 'met' ORDER BY v.household_id, v.at DESC, v.id DESC`, communityID)
	if err != nil {
		return err
	}
	var grids []int64
	byGrid := map[int64][]met{} // each household's last, by household id
	var prev int64
	households := 0
	for rows.Next() {
		var m met
		if err := rows.Scan(&m.visit, &m.household, &m.grid, &m.at); err != nil {
			rows.Close()
			return err
		}
		if m.household != prev {
			prev, households = m.household, households+1
			if byGrid[m.grid] == nil {
				grids = append(grids, m.grid)
			}
			byGrid[m.grid] = append(byGrid[m.grid], m)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	var sample []met
	for k := 0; len(sample) < min(DongxingSurveyed, households); k++ {
		for _, grid := range grids {
			if k < len(byGrid[grid]) && len(sample) < DongxingSurveyed {
				sample = append(sample, byGrid[grid][k])
			}
		}
	}
	return db.InTx(ctx, func(tx *store.Tx) error {
		for i, m := range sample {
			joined, satisfied := "yes", request.Satisfied
			switch {
			case i%5 == 3:
				satisfied = request.BasicallySatisfied
			case i == 21 || i == 44: // DongxingSurveyed - DongxingSatisfied
				satisfied = request.Dissatisfied
			}
			if i == 12 || i == 37 { // DongxingSurveyed - DongxingParticipating
				joined = "no"
			}
			// In a fixed order (a map's is random), so the same seed gives
			// the same rows.
			for _, a := range [][2]string{{"knows_grid_worker", "yes"}, {"joined_activity", joined}, {"satisfied", satisfied}} {
				if _, err := tx.ExecContext(ctx, `INSERT INTO survey_answers(visit_id, question_code, answer, household_id, grid_id, answered_at)
					VALUES (?, ?, ?, ?, ?, ?)`, m.visit, a[0], a[1], m.household, m.grid, m.at); err != nil {
					return err
				}
			}
		}
		return nil
	})
}
