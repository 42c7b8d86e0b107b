package proactive

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"wanhu/internal/calendar"
	"wanhu/internal/store"
)

// RunTask is a task as a run reports it.
type RunTask struct {
	ID          int64         `json:"id"`
	Rule        string        `json:"rule"`
	HouseholdID int64         `json:"household_id"`
	Reason      string        `json:"reason"`
	Due         calendar.Date `json:"due"`
}

// Result is what a run found: the tasks it made, those that were there
// already, and all of them.
type Result struct {
	Created  int       `json:"created"`
	Existing int       `json:"existing"`
	Tasks    []RunTask `json:"tasks"`
}

// Run applies every enabled rule on day on and makes the tasks they find
// that are not there yet. It is safe to run again and on several servers
// at once: each task is inserted with ON CONFLICT DO NOTHING on (rule,
// household, period), in the same order everywhere (so two servers'
// transactions wait for each other rather than deadlock).
func Run(ctx context.Context, db *store.DB, on calendar.Date, now time.Time) (*Result, error) {
	set, err := LoadSettings(ctx, db)
	if err != nil {
		return nil, err
	}
	res := &Result{Tasks: []RunTask{}}
	for _, r := range Rules {
		st := set[r.Code()]
		if !st.Enabled {
			continue
		}
		fs, err := r.Find(ctx, db, on, st.Params)
		if err != nil {
			return nil, fmt.Errorf("rule %s: %w", r.Code(), err)
		}
		slices.SortFunc(fs, func(a, b Finding) int {
			return cmp.Or(cmp.Compare(a.HouseholdID, b.HouseholdID), cmp.Compare(a.Period, b.Period))
		})
		fs = slices.CompactFunc(fs, func(a, b Finding) bool { return a.HouseholdID == b.HouseholdID && a.Period == b.Period })
		if err := db.InTx(ctx, func(tx *store.Tx) error {
			return insert(ctx, tx, r.Code(), fs, on, now, res)
		}); err != nil {
			return nil, fmt.Errorf("rule %s: %w", r.Code(), err)
		}
	}
	return res, nil
}

// insert makes the tasks of findings fs of rule, counting those that were
// there already.
func insert(ctx context.Context, tx *store.Tx, rule string, fs []Finding, on calendar.Date, now time.Time, res *Result) error {
	ins, err := tx.Prepared(ctx, `INSERT INTO proactive_tasks(rule, household_id, person_id, period, reason, due_on, created_on, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (rule, household_id, period) DO NOTHING RETURNING id`)
	if err != nil {
		return err
	}
	sel, err := tx.Prepared(ctx, `SELECT id, reason, due_on FROM proactive_tasks WHERE rule = ? AND household_id = ? AND period = ?`)
	if err != nil {
		return err
	}
	for _, f := range fs {
		t := RunTask{Rule: rule, HouseholdID: f.HouseholdID, Reason: f.Reason, Due: f.Due}
		err := ins.QueryRowContext(ctx, rule, f.HouseholdID, nullID(f.PersonID), f.Period, f.Reason, f.Due, on, now.UTC()).Scan(&t.ID)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			if err := sel.QueryRowContext(ctx, rule, f.HouseholdID, f.Period).Scan(&t.ID, &t.Reason, &t.Due); err != nil {
				return err
			}
			res.Existing++
		case err != nil:
			return fmt.Errorf("insert task: %w", err)
		default:
			res.Created++
		}
		res.Tasks = append(res.Tasks, t)
	}
	return nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
