package proactive

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
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
//
// At city scale a rule finds hundreds of thousands of households (every
// household with an elderly member, each quarter), so the findings are
// written in batches of runBatch: the tasks of a batch that are there
// already are read first, outside any transaction (on the days after the
// first of a period a run writes nothing), and the others are inserted
// by one statement in a write transaction of their own, which holds
// SQLite's writer for milliseconds, not for the whole run. A run
// stopped midway has committed whole batches; the next makes the rest.
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
		for b := range slices.Chunk(fs, runBatch) {
			if err := makeTasks(ctx, db, r.Code(), b, on, now, res); err != nil {
				return nil, fmt.Errorf("rule %s: %w", r.Code(), err)
			}
		}
	}
	return res, nil
}

// runBatch is how many findings a run reads and writes at a time: 8
// values a row, well under either engine's limit of a statement's
// parameters.
const runBatch = 500

// taskKey is what makes a task unique within its rule.
type taskKey struct {
	household int64
	period    string
}

// makeTasks makes the tasks of findings fs of rule (sorted by household
// and period) that are not there yet, and adds them all to res in the
// order of fs, counting those that were there already.
func makeTasks(ctx context.Context, db *store.DB, rule string, fs []Finding, on calendar.Date, now time.Time, res *Result) error {
	have, err := existingTasks(ctx, db, rule, fs)
	if err != nil {
		return err
	}
	var missing []Finding
	for _, f := range fs {
		if _, ok := have[taskKey{f.HouseholdID, f.Period}]; !ok {
			missing = append(missing, f)
		}
	}
	made := map[taskKey]int64{}
	if len(missing) > 0 {
		err := db.InTx(ctx, func(tx *store.Tx) error {
			var err error
			if made, err = insertTasks(ctx, tx, rule, missing, on, now); err != nil {
				return err
			}
			if len(made) == len(missing) {
				return nil
			}
			// Another run (a second server) made some of them meanwhile.
			again, err := existingTasks(ctx, tx, rule, missing)
			maps.Copy(have, again)
			return err
		})
		if err != nil {
			return err
		}
	}
	for _, f := range fs {
		k := taskKey{f.HouseholdID, f.Period}
		if id, ok := made[k]; ok {
			res.Created++
			res.Tasks = append(res.Tasks, RunTask{ID: id, Rule: rule, HouseholdID: f.HouseholdID, Reason: f.Reason, Due: f.Due})
			continue
		}
		t, ok := have[k]
		if !ok {
			return fmt.Errorf("task of household %d, %s: neither made nor found", f.HouseholdID, f.Period)
		}
		res.Existing++
		res.Tasks = append(res.Tasks, t)
	}
	return nil
}

// existingTasks reads the tasks of rule that findings fs (sorted by
// household) would make, by household and period.
func existingTasks(ctx context.Context, q store.Querier, rule string, fs []Finding) (map[taskKey]RunTask, error) {
	var households, periods []any
	want := map[taskKey]bool{}
	for i, f := range fs {
		want[taskKey{f.HouseholdID, f.Period}] = true
		if i == 0 || f.HouseholdID != fs[i-1].HouseholdID {
			households = append(households, f.HouseholdID)
		}
		if !slices.Contains(periods, any(f.Period)) && len(periods) <= fewPeriods {
			periods = append(periods, f.Period)
		}
	}
	query := `SELECT id, household_id, period, reason, due_on FROM proactive_tasks WHERE rule = ? AND household_id IN (?` + strings.Repeat(", ?", len(households)-1) + `)`
	args := append([]any{rule}, households...)
	if len(periods) <= fewPeriods { // most rules have one period a run (the quarter, the season): look up only it
		query += ` AND period IN (?` + strings.Repeat(", ?", len(periods)-1) + `)`
		args = append(args, periods...)
	}
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[taskKey]RunTask{}
	for rows.Next() {
		t := RunTask{Rule: rule}
		var period string
		if err := rows.Scan(&t.ID, &t.HouseholdID, &period, &t.Reason, &t.Due); err != nil {
			return nil, err
		}
		if k := (taskKey{t.HouseholdID, period}); want[k] {
			out[k] = t
		}
	}
	return out, rows.Err()
}

// fewPeriods is how many distinct periods a batch's lookup names: with
// more (a period per person or event), it reads all the batch's
// households' tasks of the rule and keeps those of its periods.
const fewPeriods = 4

// insertTasks inserts the tasks of findings fs of rule, in their order,
// and returns the ids of those it made (the others were there already).
func insertTasks(ctx context.Context, tx *store.Tx, rule string, fs []Finding, on calendar.Date, now time.Time) (map[taskKey]int64, error) {
	args := make([]any, 0, 8*len(fs))
	for _, f := range fs {
		args = append(args, rule, f.HouseholdID, nullID(f.PersonID), f.Period, f.Reason, f.Due, on, now.UTC())
	}
	rows, err := tx.QueryContext(ctx, `INSERT INTO proactive_tasks(rule, household_id, person_id, period, reason, due_on, created_on, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`+strings.Repeat(", (?, ?, ?, ?, ?, ?, ?, ?)", len(fs)-1)+`
		ON CONFLICT (rule, household_id, period) DO NOTHING RETURNING id, household_id, period`, args...)
	if err != nil {
		return nil, fmt.Errorf("insert tasks: %w", err)
	}
	defer rows.Close()
	made := map[taskKey]int64{}
	for rows.Next() {
		var id int64
		var k taskKey
		if err := rows.Scan(&id, &k.household, &k.period); err != nil {
			return nil, fmt.Errorf("insert tasks: %w", err)
		}
		made[k] = id
	}
	return made, rows.Err()
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
