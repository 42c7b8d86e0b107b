package visit_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
	"wanhu/internal/testworld"
	"wanhu/internal/visit"
)

// surveyWorld is two grids of one household each, and a visit store.
type surveyWorld struct {
	fx  *testworld.Org
	vs  *visit.Store
	hs  [2]*household.Household
	day time.Time // a past instant answers are given at
}

func newSurveyWorld(t *testing.T, db *store.DB) *surveyWorld {
	ctx := context.Background()
	fx, err := testworld.NewOrg(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	files := household.NewStore(db)
	w := &surveyWorld{fx: fx, vs: visit.NewStore(db, files), day: time.Now().Add(-48 * time.Hour).Truncate(time.Second)}
	for i := range w.hs {
		if w.hs[i], err = files.CreateHousehold(ctx, household.Actor{Name: "测试"}, household.Household{BuildingID: fx.Buildings[i].ID, Room: "101"},
			[]household.Person{{Name: "李建国", BirthDate: mustDate("1980-07-01"), Gender: "male", Relation: "householder"}}); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

// record records a met visit of household i at w.day + minutes with survey.
func (w *surveyWorld) record(t *testing.T, client string, i, minutes int, survey map[string]string) {
	t.Helper()
	at := w.day.Add(time.Duration(minutes) * time.Minute)
	if _, _, err := w.vs.Record(context.Background(), household.Actor{Name: "测试"},
		visit.Input{ClientID: client, HouseholdID: w.hs[i].ID, Outcome: "met", At: &at, Survey: survey}); err != nil {
		t.Fatalf("record %s: %v", client, err)
	}
}

func answerCount(t *testing.T, db *store.DB) int {
	var n int
	if err := db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM survey_answers`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestSurveyWithVisit: answers are written with the visit and read back
// with it; a bad answer or an unknown question names its field and leaves
// neither visit nor answer; a survey needs outcome met.
func TestSurveyWithVisit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newSurveyWorld(t, db)
		clerk := household.Actor{Name: "测试"}
		for _, c := range []struct {
			in    visit.Input
			field string
		}{
			{visit.Input{Outcome: "met", Survey: map[string]string{"knows_grid_worker": "yes", "satisfied": "very"}}, "survey.satisfied"},
			{visit.Input{Outcome: "met", Survey: map[string]string{"knows_grid_worker": "maybe"}}, "survey.knows_grid_worker"},
			{visit.Input{Outcome: "met", Survey: map[string]string{"favourite_colour": "yes"}}, "survey.favourite_colour"},
			{visit.Input{Outcome: "not_home", Survey: map[string]string{"knows_grid_worker": "yes"}}, "survey"},
		} {
			c.in.ClientID, c.in.HouseholdID = "bad", w.hs[0].ID
			_, _, err := w.vs.Record(ctx, clerk, c.in)
			if fe, ok := apperr.AsField(err); !ok || fe.Field != c.field {
				t.Errorf("%v: %v, want an error on %s", c.in.Survey, err, c.field)
			}
		}
		if _, total, _ := w.vs.ForHousehold(ctx, w.hs[0].ID, 1, 10); total != 0 || answerCount(t, db) != 0 {
			t.Fatalf("refused surveys left %d visits, %d answers", total, answerCount(t, db))
		}
		answers := map[string]string{"knows_grid_worker": "yes", "joined_activity": "no", "satisfied": "basically_satisfied"}
		v, _, err := w.vs.Record(ctx, clerk, visit.Input{ClientID: "good", HouseholdID: w.hs[0].ID, Outcome: "met", Survey: answers})
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(v.Survey) != fmt.Sprint(answers) || answerCount(t, db) != 3 {
			t.Errorf("recorded survey %v, %d answers stored", v.Survey, answerCount(t, db))
		}
		// A visit that fails after the answers are written leaves none.
		_, _, err = w.vs.Record(ctx, clerk, visit.Input{ClientID: "whole", HouseholdID: w.hs[0].ID, Outcome: "met",
			Survey: answers, Events: []visit.Change{{PersonID: w.hs[0].Members[0].ID, Event: household.Event{Type: household.EvMovedOut}},
				{PersonID: w.hs[0].Members[0].ID, Event: household.Event{Type: household.EvLostJob}}}})
		if err == nil || answerCount(t, db) != 3 {
			t.Errorf("a failed visit: %v, %d answers stored", err, answerCount(t, db))
		}
	})
}

// TestSurveyStats: one answer per household and question, its latest of
// the period; satisfied and basically satisfied count as satisfied; by
// grid; a grid leader's scope and a grid filter.
func TestSurveyStats(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newSurveyWorld(t, db)
		// Household 0 (grid 1) first did not know the grid worker, then did.
		w.record(t, "a1", 0, 0, map[string]string{"knows_grid_worker": "no", "joined_activity": "yes", "satisfied": "satisfied"})
		w.record(t, "a2", 0, 60, map[string]string{"knows_grid_worker": "yes"})
		w.record(t, "b1", 1, 30, map[string]string{"knows_grid_worker": "yes", "joined_activity": "no", "satisfied": "dissatisfied"})
		w.record(t, "b0", 1, -3*24*60, map[string]string{"satisfied": "satisfied"}) // before the period
		from, to := w.day.Add(-time.Hour), w.day.Add(24*time.Hour)
		rep, err := visit.SurveyStats(ctx, db, org.Everything, from, to, 0)
		if err != nil {
			t.Fatal(err)
		}
		rate := func(what string, got *float64, want float64) {
			t.Helper()
			if got == nil || *got != want {
				t.Errorf("%s rate %v, want %v", what, got, want)
			}
		}
		rate("awareness", rep.AwarenessRate, 1)
		rate("participation", rep.ParticipationRate, 0.5)
		rate("satisfaction", rep.SatisfactionRate, 0.5)
		if rep.Households != 2 || rep.Awareness != (visit.Tally{Answered: 2, Positive: 2}) || rep.Answers["knows_grid_worker"]["yes"] != 2 {
			t.Errorf("figures %+v", rep.SurveyFigures)
		}
		if len(rep.ByGrid) != 2 || rep.ByGrid[0].GridID != w.fx.Grids[0].ID || rep.ByGrid[1].Satisfaction != (visit.Tally{Answered: 1}) {
			t.Fatalf("by grid %+v", rep.ByGrid)
		}
		rate("grid 1 satisfaction", rep.ByGrid[0].SatisfactionRate, 1)
		if len(rep.Questions) != 3 {
			t.Errorf("questions %+v", rep.Questions)
		}
		// A longer period reaches b0, but b1 is household 1's latest.
		if rep, _ = visit.SurveyStats(ctx, db, org.Everything, from.AddDate(0, 0, -7), to, 0); rep.Satisfaction.Positive != 1 {
			t.Errorf("with an earlier answer: %+v", rep.Satisfaction)
		}
		for name, rep := range map[string]*visit.SurveyReport{
			"leader of grid 2": must(visit.SurveyStats(ctx, db, org.Scope{GridIDs: []int64{w.fx.Grids[1].ID}}, from, to, 0)),
			"grid 2":           must(visit.SurveyStats(ctx, db, org.Everything, from, to, w.fx.Grids[1].ID)),
		} {
			if rep.Households != 1 || len(rep.ByGrid) != 1 || rep.SatisfactionRate == nil || *rep.SatisfactionRate != 0 {
				t.Errorf("%s: %+v", name, rep.SurveyFigures)
			}
		}
		if rep := must(visit.SurveyStats(ctx, db, org.Scope{}, from, to, 0)); rep.Households != 0 || rep.AwarenessRate != nil {
			t.Errorf("an empty scope: %+v", rep.SurveyFigures)
		}
	})
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestSurveyQuestions: a question is added, asked, deactivated — then no
// longer accepted on a visit, while its answers are still counted.
func TestSurveyQuestions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newSurveyWorld(t, db)
		for _, c := range []struct {
			q     visit.Question
			field string
		}{
			{visit.Question{Code: "Bad Code", TextZH: "？", Kind: "yes_no"}, "code"},
			{visit.Question{Code: "safe_home", Kind: "yes_no"}, "text_zh"},
			{visit.Question{Code: "safe_home", TextZH: "家里安全吗？", Kind: "scale"}, "kind"},
			{visit.Question{Code: "safe_home", TextZH: "家里安全吗？", Kind: "yes_no", Indicator: "safety"}, "indicator"},
			{visit.Question{Code: "satisfied", TextZH: "满意吗？", Kind: "yes_no"}, "code"},
		} {
			if _, err := visit.AddSurveyQuestion(ctx, db, c.q); !isField(err, c.field) {
				t.Errorf("%+v: %v, want an error on %s", c.q, err, c.field)
			}
		}
		q, err := visit.AddSurveyQuestion(ctx, db, visit.Question{Code: "safe_home", TextZH: "家里安全吗？", TextEN: "Is your home safe?", Kind: "yes_no"})
		if err != nil || q.Indicator != "none" || !q.Active || q.Position != 4 {
			t.Fatalf("added %+v %v", q, err)
		}
		w.record(t, "s1", 0, 0, map[string]string{"safe_home": "no"})
		off := false
		if q, err = visit.UpdateSurveyQuestion(ctx, db, "safe_home", visit.QuestionPatch{Active: &off}); err != nil || q.Active {
			t.Fatalf("deactivated %+v %v", q, err)
		}
		if active := must(visit.SurveyQuestions(ctx, db, true)); len(active) != 3 {
			t.Errorf("active questions %+v", active)
		}
		at := w.day
		_, _, err = w.vs.Record(ctx, household.Actor{}, visit.Input{ClientID: "s2", HouseholdID: w.hs[1].ID, Outcome: "met", At: &at,
			Survey: map[string]string{"safe_home": "yes"}})
		if !isField(err, "survey.safe_home") {
			t.Errorf("an inactive question answered: %v", err)
		}
		rep := must(visit.SurveyStats(ctx, db, org.Everything, w.day.Add(-time.Hour), w.day.Add(time.Hour), 0))
		if rep.Answers["safe_home"]["no"] != 1 || rep.Households != 1 || rep.AwarenessRate != nil {
			t.Errorf("counted %+v", rep.SurveyFigures)
		}
		if _, err := visit.UpdateSurveyQuestion(ctx, db, "nope", visit.QuestionPatch{Active: &off}); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("an unknown question: %v", err)
		}
	})
}

func isField(err error, field string) bool {
	fe, ok := apperr.AsField(err)
	return ok && fe.Field == field
}
