package visit

import (
	"context"
	"time"

	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/store"
)

// Tally counts the households that answered the questions of one
// indicator, and of them those whose answer was positive.
type Tally struct {
	Answered int `json:"answered"`
	Positive int `json:"positive"`
}

// rate is Positive / Answered, or nil when nobody answered.
func (t Tally) rate() *float64 {
	if t.Answered == 0 {
		return nil
	}
	r := float64(t.Positive) / float64(t.Answered)
	return &r
}

// SurveyFigures are the survey counts of a set of households. Rates are
// from 0 to 1, or null when nobody answered.
type SurveyFigures struct {
	Households        int      `json:"households"` // that answered at least one question
	AwarenessRate     *float64 `json:"awareness_rate"`
	ParticipationRate *float64 `json:"participation_rate"`
	SatisfactionRate  *float64 `json:"satisfaction_rate"`
	Awareness         Tally    `json:"awareness"`
	Participation     Tally    `json:"participation"`
	Satisfaction      Tally    `json:"satisfaction"`
	// Answers counts the households by answer, for every question:
	// code → answer → households.
	Answers map[string]map[string]int `json:"answers"`

	seen map[int64]bool
}

// add counts household id's answer to a question of indicator.
func (f *SurveyFigures) add(id int64, code, indicator, answer string) {
	if f.seen == nil {
		f.seen, f.Answers = map[int64]bool{}, map[string]map[string]int{}
	}
	if !f.seen[id] {
		f.seen[id] = true
		f.Households++
	}
	if f.Answers[code] == nil {
		f.Answers[code] = map[string]int{}
	}
	f.Answers[code][answer]++
	t := map[string]*Tally{"awareness": &f.Awareness, "participation": &f.Participation, "satisfaction": &f.Satisfaction}[indicator]
	if t != nil {
		t.Answered++
		if positive(answer) {
			t.Positive++
		}
	}
}

// fill computes the rates from the tallies.
func (f *SurveyFigures) fill() {
	if f.Answers == nil {
		f.Answers = map[string]map[string]int{}
	}
	f.AwarenessRate, f.ParticipationRate, f.SatisfactionRate = f.Awareness.rate(), f.Participation.rate(), f.Satisfaction.rate()
}

// SurveyGrid is the survey figures of one grid.
type SurveyGrid struct {
	GridID   int64  `json:"grid"`
	GridName string `json:"grid_name"`
	SurveyFigures
}

// SurveyReport is the survey of a period, in all and by grid, with the
// questions (active or not) its answers refer to.
type SurveyReport struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	SurveyFigures
	ByGrid    []SurveyGrid `json:"by_grid"`
	Questions []Question   `json:"questions"`
}

// SurveyStats counts the survey answers given from from (inclusive) to to
// (exclusive) by the households in scope (gridID: of that grid only). Each
// household counts once per question, with its latest answer of the
// period; a grid's figures are those of the answers given in it.
func SurveyStats(ctx context.Context, q store.Querier, scope org.Scope, from, to time.Time, gridID int64) (*SurveyReport, error) {
	where, args := "a.answered_at >= ? AND a.answered_at < ?", []any{from.UTC(), to.UTC()}
	cond, cargs := household.Where(scope)
	where, args = where+and(cond), append(args, cargs...)
	if gridID != 0 {
		where, args = where+" AND a.grid_id = ?", append(args, gridID)
	}
	rows, err := q.QueryContext(ctx, `SELECT x.grid_id, g.name, x.household_id, x.question_code, sq.indicator, x.answer
		FROM (SELECT a.grid_id, a.household_id, a.question_code, a.answer,
				ROW_NUMBER() OVER (PARTITION BY a.household_id, a.question_code ORDER BY a.answered_at DESC, a.visit_id DESC) AS n
			FROM survey_answers a JOIN households h ON h.id = a.household_id WHERE `+where+`) x
		JOIN survey_questions sq ON sq.code = x.question_code JOIN org_units g ON g.id = x.grid_id
		WHERE x.n = 1 ORDER BY g.parent_id, g.number, g.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	rep := &SurveyReport{From: from.In(calendar.China), To: to.In(calendar.China), ByGrid: []SurveyGrid{}}
	for rows.Next() {
		var grid, id int64
		var name, code, indicator, answer string
		if err := rows.Scan(&grid, &name, &id, &code, &indicator, &answer); err != nil {
			return nil, err
		}
		if n := len(rep.ByGrid); n == 0 || rep.ByGrid[n-1].GridID != grid {
			rep.ByGrid = append(rep.ByGrid, SurveyGrid{GridID: grid, GridName: name})
		}
		rep.add(id, code, indicator, answer)
		rep.ByGrid[len(rep.ByGrid)-1].add(id, code, indicator, answer)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rep.fill()
	for i := range rep.ByGrid {
		rep.ByGrid[i].fill()
	}
	rep.Questions, err = SurveyQuestions(ctx, q, false)
	return rep, err
}
