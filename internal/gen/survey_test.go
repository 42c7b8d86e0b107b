package gen_test

import (
	"context"
	"testing"

	"wanhu/internal/gen"
	"wanhu/internal/org"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
	"wanhu/internal/visit"
)

// TestDongxingSurvey: the article's headline rates, exactly — awareness
// 100 %, participation 96 %, satisfaction 96 % — from 50 households on
// met visits, spread over every grid with met visits.
func TestDongxingSurvey(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := gen.Generate(ctx, db, gen.Options{Households: 600, Today: articleDay}); err != nil {
			t.Fatal(err)
		}
		rep, err := visit.SurveyStats(ctx, db, org.Everything, articleDay.Time().AddDate(-1, 0, 0), articleDay.Time(), 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range []struct {
			what string
			got  *float64
			want float64
		}{{"awareness", rep.AwarenessRate, 1}, {"participation", rep.ParticipationRate, 0.96}, {"satisfaction", rep.SatisfactionRate, 0.96}} {
			if r.got == nil || *r.got != r.want {
				t.Errorf("%s rate %v, want %v", r.what, r.got, r.want)
			}
		}
		if rep.Households != gen.DongxingSurveyed || rep.Participation.Positive != gen.DongxingParticipating ||
			rep.Satisfaction.Positive != gen.DongxingSatisfied {
			t.Errorf("figures %+v", rep.SurveyFigures)
		}
		if grids := count(t, db, `SELECT COUNT(DISTINCT grid_id) FROM visits WHERE outcome = 'met'`); len(rep.ByGrid) != grids || grids < 5 {
			t.Errorf("answers in %d grids, met visits in %d", len(rep.ByGrid), grids)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM survey_answers a JOIN visits v ON v.id = a.visit_id
			WHERE v.outcome = 'met' AND v.household_id = a.household_id AND v.at = a.answered_at`); n != 3*gen.DongxingSurveyed {
			t.Errorf("%d answers on their met visits, want %d", n, 3*gen.DongxingSurveyed)
		}
		// The same seed gives the same file: each visit's three answers
		// in the same order (SQLite's rowid; PostgreSQL's rows have none).
		if db.Dialect() == store.SQLite {
			if n := count(t, db, `SELECT COUNT(*) FROM (SELECT question_code, ROW_NUMBER() OVER (ORDER BY rowid) AS i FROM survey_answers) a
				WHERE question_code <> CASE i % 3 WHEN 1 THEN 'knows_grid_worker' WHEN 2 THEN 'joined_activity' ELSE 'satisfied' END`); n != 0 {
				t.Errorf("%d answers out of order", n)
			}
		}
	})
}
