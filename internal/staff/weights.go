package staff

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/store"
)

// Weights are how the score of a scorecard is made, configured by an
// administrator (settings key "scorecard"): the weight of each component,
// and the targets the components are measured against.
type Weights struct {
	Visits       float64 `json:"visits"`       // visits against the weekly target
	OnTime       float64 `json:"on_time"`      // on-time rate of the requests handled
	Satisfaction float64 `json:"satisfaction"` // callback satisfaction of those requests
	Complaints   float64 `json:"complaints"`   // 100 less the penalty per complaint
	Training     float64 `json:"training"`     // pre-job course and on-the-job hours
	Hours        float64 `json:"hours"`        // hours of service against the role's monthly target

	// WeeklyVisits is a grid's whole team's weekly target (R7: 100 for a
	// grid leader's team); a person is judged against their role's target
	// (Targets).
	WeeklyVisits     int     `json:"weekly_visit_target"`
	TrainingHours    float64 `json:"training_hours_target"` // on-the-job hours in the period
	ComplaintPenalty float64 `json:"complaint_penalty"`     // points off per complaint
}

// DefaultWeights are the weights until an administrator sets others.
var DefaultWeights = Weights{Visits: 30, OnTime: 20, Satisfaction: 20, Complaints: 15, Training: 15, Hours: 20,
	WeeklyVisits: 100, TrainingHours: 12, ComplaintPenalty: 25}

// weightsKey is the settings row of configured weights.
const weightsKey = "scorecard"

// Validate returns a FieldError naming the first value out of range.
func (w Weights) Validate() error {
	for _, c := range []struct {
		field string
		v     float64
	}{{"visits", w.Visits}, {"on_time", w.OnTime}, {"satisfaction", w.Satisfaction}, {"complaints", w.Complaints}, {"training", w.Training}, {"hours", w.Hours}} {
		if math.IsNaN(c.v) || c.v < 0 || c.v > 100 {
			return apperr.Field(c.field, "range", "must be a weight from 0 to 100")
		}
	}
	switch {
	case w.Visits+w.OnTime+w.Satisfaction+w.Complaints+w.Training+w.Hours == 0:
		return apperr.Field("visits", "all_zero", "at least one weight must be more than 0")
	case w.WeeklyVisits < 1 || w.WeeklyVisits > 10000:
		return apperr.Field("weekly_visit_target", "range", "must be a whole number from 1 to 10000")
	case math.IsNaN(w.TrainingHours) || w.TrainingHours <= 0 || w.TrainingHours > 1000:
		return apperr.Field("training_hours_target", "range", "must be more than 0 and at most 1000")
	case math.IsNaN(w.ComplaintPenalty) || w.ComplaintPenalty < 0 || w.ComplaintPenalty > 100:
		return apperr.Field("complaint_penalty", "range", "must be from 0 to 100")
	}
	return nil
}

// LoadWeights returns the configured weights, or DefaultWeights.
func LoadWeights(ctx context.Context, q store.Querier) (Weights, error) {
	var v string
	err := q.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, weightsKey).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return DefaultWeights, nil
	}
	if err != nil {
		return Weights{}, err
	}
	w := DefaultWeights // a value missing from the stored JSON keeps its default
	if err := json.Unmarshal([]byte(v), &w); err != nil {
		return Weights{}, fmt.Errorf("stored scorecard weights: %w", err)
	}
	return w, w.Validate()
}

// SaveWeights stores w once it is valid.
func SaveWeights(ctx context.Context, q store.Querier, w Weights, now time.Time) error {
	if err := w.Validate(); err != nil {
		return err
	}
	b, _ := json.Marshal(w)
	_, err := q.ExecContext(ctx, `INSERT INTO settings(key, value, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, weightsKey, string(b), now.UTC())
	return err
}

// Components are the parts of a score, in the order they are shown.
var Components = []string{"visits", "hours", "on_time", "satisfaction", "complaints", "training"}

// weight returns the weight of component key.
func (w Weights) weight(key string) float64 {
	return map[string]float64{"visits": w.Visits, "on_time": w.OnTime, "satisfaction": w.Satisfaction,
		"complaints": w.Complaints, "training": w.Training, "hours": w.Hours}[key]
}

// Formula writes the score's formula with w's weights, components named by
// name (a translation): "(30×走访 + 20×按期 + …) ÷ 100".
func (w Weights) Formula(name func(key string) string) string {
	s, sum := "", 0.0
	for _, k := range Components {
		if s != "" {
			s += " + "
		}
		s += fmt.Sprintf("%s×%s", num(w.weight(k)), name(k))
		sum += w.weight(k)
	}
	return fmt.Sprintf("(%s) ÷ %s", s, num(sum))
}

// num writes a weight without needless decimals.
func num(f float64) string {
	return fmt.Sprintf("%.4g", f)
}
