package visit

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/household"
	"wanhu/internal/request"
	"wanhu/internal/store"
)

// The resident survey (issue 6): a few questions a visitor may ask on a
// visit that met someone. Its answers give the article's headline
// indicators, 知晓率 (awareness), 参与率 (participation) and 满意率
// (satisfaction); see SurveyStats.

// Question kinds and the indicators a question may count towards.
var (
	QuestionKinds = []string{"yes_no", "satisfaction"}
	Indicators    = []string{"awareness", "participation", "satisfaction", "none"}
)

// Answers returns the answers a question of kind takes, positive first.
func Answers(kind string) []string {
	if kind == "satisfaction" {
		return []string{request.Satisfied, request.BasicallySatisfied, request.Dissatisfied}
	}
	return []string{"yes", "no"}
}

// positive reports whether an answer counts towards its indicator: yes,
// or satisfied and basically satisfied, as request callbacks count them.
func positive(answer string) bool {
	return answer == "yes" || answer == request.Satisfied || answer == request.BasicallySatisfied
}

// Question is a survey question.
type Question struct {
	Code      string `json:"code"`
	TextZH    string `json:"text_zh"`
	TextEN    string `json:"text_en"`
	Kind      string `json:"kind"`
	Indicator string `json:"indicator"`
	Position  int    `json:"position"`
	Active    bool   `json:"active"`
}

// QuestionPatch holds the changeable fields of a question; nil is
// unchanged. Code, kind and indicator stay, so past answers keep meaning
// what they meant.
type QuestionPatch struct {
	TextZH   *string `json:"text_zh"`
	TextEN   *string `json:"text_en"`
	Position *int    `json:"position"`
	Active   *bool   `json:"active"`
}

var questionCode = regexp.MustCompile(`^[a-z][a-z0-9_]{1,39}$`)

// SurveyQuestions returns the questions by position, only the active ones
// when activeOnly.
func SurveyQuestions(ctx context.Context, q store.Querier, activeOnly bool) ([]Question, error) {
	cond := ""
	if activeOnly {
		cond = " WHERE active"
	}
	rows, err := q.QueryContext(ctx, `SELECT code, text_zh, text_en, kind, indicator, position, active FROM survey_questions`+cond+`
		ORDER BY position, code`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Question{}
	for rows.Next() {
		var x Question
		if err := rows.Scan(&x.Code, &x.TextZH, &x.TextEN, &x.Kind, &x.Indicator, &x.Position, &x.Active); err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// SurveyQuestion returns question code, or apperr.ErrNotFound.
func SurveyQuestion(ctx context.Context, q store.Querier, code string) (*Question, error) {
	qs, err := SurveyQuestions(ctx, q, false)
	if err != nil {
		return nil, err
	}
	for _, x := range qs {
		if x.Code == code {
			return &x, nil
		}
	}
	return nil, apperr.ErrNotFound
}

// AddSurveyQuestion adds an active question, last unless given a position.
func AddSurveyQuestion(ctx context.Context, q store.Querier, x Question) (*Question, error) {
	x.TextZH, x.TextEN = strings.TrimSpace(x.TextZH), strings.TrimSpace(x.TextEN)
	if x.Indicator == "" {
		x.Indicator = "none"
	}
	switch {
	case !questionCode.MatchString(x.Code):
		return nil, apperr.Field("code", "question_code", "must be 2–40 lower-case letters, digits or _, starting with a letter")
	case x.TextZH == "":
		return nil, apperr.Field("text_zh", "required", "is required")
	case len(x.TextZH) > 300 || len(x.TextEN) > 300:
		return nil, apperr.Field("text_zh", "too_long", "must be at most %d characters", 300)
	case !slices.Contains(QuestionKinds, x.Kind):
		return nil, apperr.Field("kind", "one_of", "must be one of %s", strings.Join(QuestionKinds, ", "))
	case !slices.Contains(Indicators, x.Indicator):
		return nil, apperr.Field("indicator", "one_of", "must be one of %s", strings.Join(Indicators, ", "))
	}
	if x.Position == 0 {
		if err := q.QueryRowContext(ctx, `SELECT COALESCE(MAX(position), 0) + 1 FROM survey_questions`).Scan(&x.Position); err != nil {
			return nil, err
		}
	}
	_, err := q.ExecContext(ctx, `INSERT INTO survey_questions(code, text_zh, text_en, kind, indicator, position, active)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, x.Code, x.TextZH, x.TextEN, x.Kind, x.Indicator, x.Position, true)
	if store.IsUniqueViolation(err) {
		return nil, apperr.Field("code", "duplicate", "question %q already exists", x.Code)
	}
	if err != nil {
		return nil, err
	}
	return SurveyQuestion(ctx, q, x.Code)
}

// UpdateSurveyQuestion changes question code's text, position or whether
// it is asked.
func UpdateSurveyQuestion(ctx context.Context, q store.Querier, code string, p QuestionPatch) (*Question, error) {
	x, err := SurveyQuestion(ctx, q, code)
	if err != nil {
		return nil, err
	}
	if p.TextZH != nil {
		if x.TextZH = strings.TrimSpace(*p.TextZH); x.TextZH == "" {
			return nil, apperr.Field("text_zh", "required", "is required")
		}
	}
	if p.TextEN != nil {
		x.TextEN = strings.TrimSpace(*p.TextEN)
	}
	if len(x.TextZH) > 300 || len(x.TextEN) > 300 {
		return nil, apperr.Field("text_zh", "too_long", "must be at most %d characters", 300)
	}
	if p.Position != nil {
		x.Position = *p.Position
	}
	if p.Active != nil {
		x.Active = *p.Active
	}
	if _, err := q.ExecContext(ctx, `UPDATE survey_questions SET text_zh = ?, text_en = ?, position = ?, active = ? WHERE code = ?`,
		x.TextZH, x.TextEN, x.Position, x.Active, code); err != nil {
		return nil, err
	}
	return x, nil
}

// checkSurvey validates a visit's survey answers against the active
// questions; errors name the field survey.<code>.
func checkSurvey(ctx context.Context, q store.Querier, survey map[string]string) error {
	if len(survey) == 0 {
		return nil
	}
	qs, err := SurveyQuestions(ctx, q, true)
	if err != nil {
		return err
	}
	kinds := map[string]string{}
	for _, x := range qs {
		kinds[x.Code] = x.Kind
	}
	codes := make([]string, 0, len(survey))
	for c := range survey {
		codes = append(codes, c)
	}
	slices.Sort(codes) // the same error for the same input
	for _, c := range codes {
		kind, ok := kinds[c]
		if !ok {
			return apperr.Field("survey."+c, "unknown", "is not an active survey question")
		}
		if !slices.Contains(Answers(kind), survey[c]) {
			return apperr.Field("survey."+c, "one_of", "must be one of %s", strings.Join(Answers(kind), ", "))
		}
	}
	return nil
}

// writeSurvey records the survey answers of visit id, in its transaction.
func writeSurvey(ctx context.Context, q store.Querier, id int64, h *household.Household, at time.Time, survey map[string]string) error {
	for c, a := range survey {
		if _, err := q.ExecContext(ctx, `INSERT INTO survey_answers(visit_id, question_code, answer, household_id, grid_id, answered_at)
			VALUES (?, ?, ?, ?, ?, ?)`, id, c, a, h.ID, h.GridID, at); err != nil {
			return fmt.Errorf("insert survey answer: %w", err)
		}
	}
	return nil
}

// surveyOf returns the survey answers of visit id (nil for none).
func surveyOf(ctx context.Context, q store.Querier, id int64) (map[string]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT question_code, answer FROM survey_answers WHERE visit_id = ?`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out map[string]string
	for rows.Next() {
		var c, a string
		if err := rows.Scan(&c, &a); err != nil {
			return nil, err
		}
		if out == nil {
			out = map[string]string{}
		}
		out[c] = a
	}
	return out, rows.Err()
}
