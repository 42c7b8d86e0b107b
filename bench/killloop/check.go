package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"

	_ "modernc.org/sqlite"
)

// checked is what one check found.
type checked struct {
	lost     int      // acknowledged writes missing (each also in problems)
	problems []string // every problem found
	applied  int      // acknowledged imports applied
	pending  int      // acknowledged imports not applied, found with none of their households
}

func (c *checked) fail(lost bool, format string, args ...any) {
	if lost {
		c.lost++
	}
	if len(c.problems) < 20 {
		c.problems = append(c.problems, fmt.Sprintf(format, args...))
	}
}

// open opens the loop's database file with the server down.
func (w *world) open() (*sql.DB, error) {
	return sql.Open("sqlite", "file:"+w.db+"?_pragma=busy_timeout(10000)")
}

// baseline counts each household's needs and need_added ledger events
// before the loop writes any.
func (w *world) baseline(ctx context.Context) error {
	db, err := w.open()
	if err != nil {
		return err
	}
	defer db.Close()
	w.baseNeeds, err = countBy(ctx, db, `SELECT household_id, COUNT(*) FROM needs GROUP BY household_id`)
	if err != nil {
		return err
	}
	w.baseLedger, err = countBy(ctx, db, `SELECT household_id, COUNT(*) FROM ledger_events WHERE type = 'need_added' GROUP BY household_id`)
	return err
}

func countBy(ctx context.Context, db *sql.DB, q string, args ...any) (map[int64]int, error) {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]int{}
	for rows.Next() {
		var k int64
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			return nil, err
		}
		out[k] = n
	}
	return out, rows.Err()
}

// check opens the database after a kill and checks it: integrity, every
// acknowledged write present, the ledger and the request timelines
// agreeing with the records, every import whole or absent.
func (w *world) check(ctx context.Context) (*checked, error) {
	db, err := w.open()
	if err != nil {
		return nil, err
	}
	defer db.Close()
	c := &checked{}
	var integrity string
	if err := db.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&integrity); err != nil {
		return nil, err
	}
	if integrity != "ok" {
		c.fail(false, "integrity_check: %s", integrity)
	}
	var fkRows int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM pragma_foreign_key_check`).Scan(&fkRows); err != nil {
		return nil, err
	}
	if fkRows != 0 {
		c.fail(false, "foreign_key_check: %d rows point nowhere", fkRows)
	}
	w.acked.mu.Lock()
	defer w.acked.mu.Unlock()
	if err := w.checkVisits(ctx, db, c); err != nil {
		return nil, err
	}
	if err := w.checkRequests(ctx, db, c); err != nil {
		return nil, err
	}
	if err := w.checkImports(ctx, db, c); err != nil {
		return nil, err
	}
	return c, nil
}

// checkVisits: every acknowledged visit is there; for every household,
// the loop's visits (kl-…, each with one need) match the needs and the
// need_added ledger events added since the baseline, one for one; a
// household's last visit is not older than its newest visit recorded.
func (w *world) checkVisits(ctx context.Context, db *sql.DB, c *checked) error {
	present := map[string]int64{}
	rows, err := db.QueryContext(ctx, `SELECT client_id, household_id FROM visits WHERE client_id LIKE 'kl-%'`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id string
		var h int64
		if err := rows.Scan(&id, &h); err != nil {
			rows.Close()
			return err
		}
		present[id] = h
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for id, h := range w.acked.visits {
		if got, ok := present[id]; !ok || got != h {
			c.fail(true, "acknowledged visit %s (household %d) is missing", id, h)
		}
	}
	perHousehold := map[int64]int{}
	for _, h := range present {
		perHousehold[h]++
	}
	needs, err := countBy(ctx, db, `SELECT household_id, COUNT(*) FROM needs GROUP BY household_id`)
	if err != nil {
		return err
	}
	ledger, err := countBy(ctx, db, `SELECT household_id, COUNT(*) FROM ledger_events WHERE type = 'need_added' GROUP BY household_id`)
	if err != nil {
		return err
	}
	for _, h := range w.households {
		if n := needs[h] - w.baseNeeds[h]; n != perHousehold[h] {
			c.fail(false, "household %d: %d visits with a need, %d needs added", h, perHousehold[h], n)
		}
		if n := ledger[h] - w.baseLedger[h]; n != perHousehold[h] {
			c.fail(false, "household %d: %d visits with a need, %d need_added ledger events", h, perHousehold[h], n)
		}
	}
	var behind int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM households h JOIN (SELECT household_id, MAX(at) AS at FROM visits
		WHERE outcome = 'met' AND client_id LIKE 'kl-%' GROUP BY household_id) v ON v.household_id = h.id
		WHERE h.last_visit_at IS NULL OR h.last_visit_at < v.at`).Scan(&behind); err != nil {
		return err
	}
	if behind != 0 {
		c.fail(false, "%d households' last visit is older than their newest met visit", behind)
	}
	return nil
}

// checkRequests: every acknowledged step is there (the request at least
// at its acknowledged state, with at least as many events as steps), and
// every request's state is the to_state of its last event that changed
// it.
func (w *world) checkRequests(ctx context.Context, db *sql.DB, c *checked) error {
	for id, a := range w.acked.requests {
		var state string
		var events int
		err := db.QueryRowContext(ctx, `SELECT r.state, (SELECT COUNT(*) FROM request_events e WHERE e.request_id = r.id)
			FROM requests r WHERE r.id = ?`, id).Scan(&state, &events)
		if err == sql.ErrNoRows {
			c.fail(true, "acknowledged request %d is missing", id)
			continue
		}
		if err != nil {
			return err
		}
		if i := slices.Index(stateOrder, state); i < a.state {
			c.fail(true, "request %d is %s, but %s was acknowledged", id, state, stateOrder[a.state])
		}
		if events < a.steps {
			c.fail(true, "request %d has %d events, %d steps were acknowledged", id, events, a.steps)
		}
	}
	var disagree int
	err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM requests r WHERE r.state <> COALESCE((SELECT e.to_state FROM request_events e
		WHERE e.request_id = r.id AND e.to_state <> '' ORDER BY e.id DESC LIMIT 1), r.state)`).Scan(&disagree)
	if err != nil {
		return err
	}
	if disagree != 0 {
		c.fail(false, "%d requests' state differs from their timeline's last state", disagree)
	}
	return nil
}

// checkImports: every acknowledged import job is there. An import is one
// transaction that creates its compound: a job not done has neither the
// compound nor any of its households; a done job's report (written in the
// same transaction) counts all of the file's households created or
// updated, and its compound holds them, less those a later import moved
// out (a generated ID number can recur in a later workbook: the importer
// then moves that household to the later compound, as it should).
func (w *world) checkImports(ctx context.Context, db *sql.DB, c *checked) error {
	type job struct {
		state            string
		created, updated int
		applied          bool
	}
	jobs := map[int64]job{}
	rows, err := db.QueryContext(ctx, `SELECT id, state, report FROM import_jobs`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id int64
		var state, report string
		if err := rows.Scan(&id, &state, &report); err != nil {
			rows.Close()
			return err
		}
		var r struct {
			Created, Updated int
			Applied          bool
		}
		if state == "done" {
			json.Unmarshal([]byte(report), &r)
		}
		jobs[id] = job{state, r.Created, r.Updated, r.Applied}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, im := range w.acked.imports {
		j, ok := jobs[im.job]
		if !ok {
			c.fail(true, "acknowledged import job %d is missing", im.job)
			continue
		}
		var places, n int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM compounds WHERE name = ?`, im.compound).Scan(&places); err != nil {
			return err
		}
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM households h JOIN compounds c ON c.id = h.compound_id
			WHERE c.name = ?`, im.compound).Scan(&n); err != nil {
			return err
		}
		if j.state != "done" {
			if places != 0 || n != 0 {
				c.fail(false, "import job %d is %s, yet %s exists (%d compounds) with %d households", im.job, j.state, im.compound, places, n)
			} else {
				c.pending++
			}
			continue
		}
		movedOut := 0
		for id, later := range jobs {
			if id > im.job && later.state == "done" {
				movedOut += later.updated
			}
		}
		if !j.applied || j.created+j.updated != im.households || places != 1 || n > im.households || n < im.households-movedOut {
			c.fail(false, "import job %d is done (applied %v, %d created, %d updated) with %d of %d households in %s (later imports updated %d)",
				im.job, j.applied, j.created, j.updated, n, im.households, im.compound, movedOut)
			continue
		}
		c.applied++
	}
	return nil
}
