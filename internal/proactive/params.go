package proactive

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/calendar"
	"wanhu/internal/store"
)

// Kinds of parameter.
const (
	KindInt      = "int"       // a whole number from Min to Max
	KindInts     = "ints"      // whole numbers from Min to Max, comma-separated
	KindMonthDay = "month_day" // MM-DD, a day of every year
)

// Param is a parameter of a rule with its default.
type Param struct {
	Key      string `json:"key"`
	Kind     string `json:"kind"`
	Default  string `json:"default"`
	Min, Max int    `json:"-"`
}

// Values are a rule's parameters as set (defaults filled in).
type Values map[string]string

// Int returns parameter k as a number.
func (v Values) Int(k string) int {
	n, _ := strconv.Atoi(v[k])
	return n
}

// Ints returns parameter k as numbers.
func (v Values) Ints(k string) []int {
	var out []int
	for _, f := range strings.Split(v[k], ",") {
		if n, err := strconv.Atoi(strings.TrimSpace(f)); err == nil {
			out = append(out, n)
		}
	}
	return out
}

// Day returns parameter k, a month and day, in year y (29 Feb in a common
// year is 1 Mar).
func (v Values) Day(k string, y int) calendar.Date {
	var m, d int
	fmt.Sscanf(v[k], "%d-%d", &m, &d)
	return calendar.DateOf(time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC))
}

// Setting is one rule's configuration: on or off, and its parameters.
type Setting struct {
	Enabled bool   `json:"enabled"`
	Params  Values `json:"params"`
}

// Settings are the configuration of every rule, by code.
type Settings map[string]Setting

// settingsKey is the settings row that holds the configured rules.
const settingsKey = "proactive_rules"

// Defaults returns every rule on, with its default parameters.
func Defaults() Settings {
	s := Settings{}
	for _, r := range Rules {
		v := Values{}
		for _, p := range r.Params() {
			v[p.Key] = p.Default
		}
		s[r.Code()] = Setting{Enabled: true, Params: v}
	}
	return s
}

// LoadSettings returns the configured rules, with the defaults for what
// is not configured (a rule added since, a new parameter).
func LoadSettings(ctx context.Context, q store.Querier) (Settings, error) {
	s := Defaults()
	var raw string
	err := q.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, settingsKey).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return s, nil
	}
	if err != nil {
		return nil, err
	}
	var stored Settings
	if err := json.Unmarshal([]byte(raw), &stored); err != nil {
		return nil, fmt.Errorf("stored proactive rules: %w", err)
	}
	for code, st := range stored {
		d, ok := s[code]
		if !ok {
			continue // a rule since removed
		}
		d.Enabled = st.Enabled
		for k, v := range st.Params {
			if _, ok := d.Params[k]; ok {
				d.Params[k] = v
			}
		}
		s[code] = d
	}
	return s, nil
}

// Validate returns a field error naming the first unknown rule or
// parameter, or a value out of its range ("rules.<code>.<key>").
func (s Settings) Validate() error {
	for code, st := range s {
		r := RuleByCode(code)
		if r == nil {
			return apperr.Field("rules."+code, "unknown", "no rule %q", code)
		}
		for k, v := range st.Params {
			i := -1
			for j, p := range r.Params() {
				if p.Key == k {
					i = j
				}
			}
			if i < 0 {
				return apperr.Field("rules."+code+"."+k, "unknown", "rule %s has no parameter %q", code, k)
			}
			if err := check(r.Params()[i], v); err != nil {
				return apperr.Field("rules."+code+"."+k, "invalid", "%s", err.Error())
			}
		}
	}
	return nil
}

// check reports what is wrong with v as a value of p.
func check(p Param, v string) error {
	v = strings.TrimSpace(v)
	switch p.Kind {
	case KindInt:
		n, err := strconv.Atoi(v)
		if err != nil || n < p.Min || n > p.Max {
			return fmt.Errorf("must be a whole number from %d to %d", p.Min, p.Max)
		}
	case KindInts:
		fs := strings.Split(v, ",")
		for _, f := range fs {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n < p.Min || n > p.Max {
				return fmt.Errorf("must be whole numbers from %d to %d, separated by commas", p.Min, p.Max)
			}
		}
	case KindMonthDay:
		var m, d int
		if n, _ := fmt.Sscanf(v, "%d-%d", &m, &d); n != 2 || len(v) != 5 || m < 1 || m > 12 || d < 1 || d > 31 ||
			time.Date(2024, time.Month(m), d, 0, 0, 0, 0, time.UTC).Day() != d {
			return errors.New("must be a day of the year as MM-DD, such as 10-15")
		}
	}
	return nil
}

// SaveSettings validates s and stores it; nothing changes when it is not
// valid.
func SaveSettings(ctx context.Context, db *store.DB, s Settings, now time.Time) error {
	for code, st := range s {
		for k, v := range st.Params {
			st.Params[k] = strings.TrimSpace(v)
		}
		s[code] = st
	}
	if err := s.Validate(); err != nil {
		return err
	}
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	_, err = db.ExecContext(ctx, `INSERT INTO settings(key, value, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, settingsKey, string(b), now.UTC())
	return err
}
