package app

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"wanhu/internal/auth"
	"wanhu/internal/calendar"
	"wanhu/internal/gen"
	"wanhu/internal/importjob"
	"wanhu/internal/proactive"
	"wanhu/internal/server"
	"wanhu/internal/store"
	"wanhu/internal/visit"
)

// walk is the demo community served, with what the walk looks for.
type walk struct {
	db       *store.DB
	url      string
	grids    map[int]int64   // grid number → id
	resident map[string]bool // every full ID and phone number of a resident
	staff    map[string]bool // every team member's phone
	fixed    map[string]string
}

const walkPassword = "walk-password-2026"

func newWalk(t *testing.T, db *store.DB) *walk {
	ctx := t.Context()
	if _, err := gen.Generate(ctx, db, gen.Options{Households: 300}); err != nil {
		t.Fatal(err)
	}
	if _, err := gen.DemoAccounts(ctx, db, walkPassword); err != nil {
		t.Fatal(err)
	}
	d := server.NewDeps(db, slog.New(slog.DiscardHandler))
	srv := httptest.NewServer(Handler(d))
	t.Cleanup(srv.Close)
	w := &walk{db: db, url: srv.URL, grids: map[int]int64{}, resident: map[string]bool{}, staff: map[string]bool{}, fixed: map[string]string{}}
	rows := query(t, db, `SELECT number, id FROM org_units WHERE kind = 'grid'`)
	for _, r := range rows {
		w.grids[int(r[0].(int64))] = r[1].(int64)
	}
	w.addRecords(t, ctx, d)
	if _, err := proactive.Run(ctx, db, calendar.Today(), time.Now()); err != nil {
		t.Fatal(err)
	}
	w.collect(t)
	return w
}

// addRecords adds what the generator makes none of, in grids 1 and 3: an
// appointment, a photo, a training record, and the administrator's token
// and saved roster.
func (w *walk) addRecords(t *testing.T, ctx context.Context, d server.Deps) {
	phone, err := w.db.Keys().Seal("13700001111")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	var img bytes.Buffer
	png.Encode(&img, image.NewGray(image.Rect(0, 0, 4, 4)))
	for _, n := range []int{1, 3} {
		g := w.grids[n]
		h := one(t, w.db, `SELECT id FROM households WHERE grid_id = ? ORDER BY id LIMIT 1`, g)
		exec(t, w.db, `INSERT INTO appointments(household_id, grid_id, slot_start, slot_end, slot_kind, phone, booked_via, booked_by, state, created_at, updated_at)
			VALUES (?, ?, ?, ?, 'evening', ?, 'staff', 'walk', 'booked', ?, ?)`, h, g, now.Add(48*time.Hour), now.Add(50*time.Hour), phone, now, now)
		v := one(t, w.db, `SELECT id FROM visits WHERE grid_id = ? ORDER BY id LIMIT 1`, g)
		exec(t, w.db, `INSERT INTO visit_photos(visit_id, content_type, size, data, created_at) VALUES (?, 'image/png', ?, ?, ?)`, v, img.Len(), img.Bytes(), now)
		m := one(t, w.db, `SELECT id FROM team_members WHERE grid_id = ? ORDER BY id LIMIT 1`, g)
		exec(t, w.db, `INSERT INTO rounds(template, grid_id, org_path, state, started_at, created_at)
			VALUES ('night_public', ?, (SELECT path FROM org_units WHERE id = ?), 'started', ?, ?)`, g, g, now, now)
		exec(t, w.db, `INSERT INTO training_records(team_member_id, course, kind, completed_on, hours, created_at) VALUES (?, '岗前培训', 'pre_job', '2026-01-05', 8, ?)`, m, now)
		// A plan of a past week: this week's would give the households to
		// the member's visitor.
		var plan int64
		if err := w.db.QueryRowContext(ctx, `INSERT INTO plans(grid_id, week, generated_at, generated_by) VALUES (?, '2020-W02', ?, 'walk') RETURNING id`, g, now).Scan(&plan); err != nil {
			t.Fatal(err)
		}
		exec(t, w.db, `INSERT INTO plan_items(plan_id, household_id, team_member_id, position) VALUES (?, ?, ?, 1)`, plan, h, m)
		// A talk session and a mediation case of the grid's households
		// alone, of the community.
		path := oneString(t, w.db, `SELECT c.path FROM org_units g JOIN org_units c ON c.id = g.parent_id WHERE g.id = ?`, g)
		community := one(t, w.db, `SELECT parent_id FROM org_units WHERE id = ?`, g)
		var talk, mc int64
		if err := w.db.QueryRowContext(ctx, `INSERT INTO talk_sessions(community_id, org_path, day, starts, ends, host, created_at, updated_at)
			VALUES (?, ?, '2026-12-01', '09:00', '11:00', 'walk', ?, ?) RETURNING id`, community, path, now, now).Scan(&talk); err != nil {
			t.Fatal(err)
		}
		exec(t, w.db, `INSERT INTO talk_visitors(session_id, household_id, said, created_at) VALUES (?, ?, '走访', ?)`, talk, h, now)
		if err := w.db.QueryRowContext(ctx, `INSERT INTO mediation_cases(community_id, org_path, title, opened_on, created_at, updated_at)
			VALUES (?, ?, 'walk', '2026-12-01', ?, ?) RETURNING id`, community, path, now, now).Scan(&mc); err != nil {
			t.Fatal(err)
		}
		h2 := one(t, w.db, `SELECT id FROM households WHERE grid_id = ? AND id <> ? ORDER BY id LIMIT 1`, g, h)
		exec(t, w.db, `INSERT INTO mediation_parties(case_id, household_id) VALUES (?, ?), (?, ?)`, mc, h, mc, h2)
		exec(t, w.db, `INSERT INTO mediation_mediators(case_id, team_member_id) VALUES (?, ?)`, mc, m)
		// A benefit case of the grid's household.
		var bc int64
		if err := w.db.QueryRowContext(ctx, `INSERT INTO benefit_cases(household_id, kind, applied_on, amount, note, created_at, updated_at)
			VALUES (?, 'temporary_relief', '2026-12-01', 800, 'walk', ?, ?) RETURNING id`, h, now, now).Scan(&bc); err != nil {
			t.Fatal(err)
		}
		exec(t, w.db, `INSERT INTO benefit_persons(case_id, person_id) SELECT ?, MIN(id) FROM persons WHERE household_id = ?`, bc, h)
	}
	exec(t, w.db, `INSERT INTO outbox(kind, channel, recipient, payload, state, next_attempt_at, created_at) VALUES ('request.accept', 'sms', 'request:1', '{}', 'failed', ?, ?)`, now, now)
	admin, err := d.Auth.UserByUsername(ctx, "admin")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := d.Auth.CreateToken(ctx, admin.ID, "walk", []string{auth.ScopeRead}, time.Hour); err != nil {
		t.Fatal(err)
	}
	exec(t, w.db, `INSERT INTO saved_rosters(owner_id, name, entity, filter, created_at) VALUES (?, '走访名单', 'person', '{}', ?)`, admin.ID, now)
	// An import of each grid leader, checked: its report has problems.
	for _, name := range []string{"leader1", "leader3"} {
		u, err := d.Auth.UserByUsername(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		file := "姓名,与户主关系,小区,楼栋,房号\n走访,户主,无此小区,1号楼,101\n"
		if _, err := d.Imports.Create(ctx, u, importjob.Upload{Name: "walk.csv", Body: strings.NewReader(file), Start: importjob.Checking,
			Options: importjob.Options{DryRun: true}}); err != nil {
			t.Fatal(err)
		}
		if n, err := d.Imports.RunPending(ctx); err != nil || n != 1 {
			t.Fatalf("checking %s's import: ran %d, %v", name, n, err)
		}
	}
	tokens, err := visit.CardTokens(ctx, w.db, []int64{one(t, w.db, `SELECT MIN(id) FROM households`)})
	if err != nil {
		t.Fatal(err)
	}
	for _, tok := range tokens {
		w.fixed["card"] = tok
	}
	w.fixed["tracking"] = oneString(t, w.db, `SELECT tracking_code FROM requests ORDER BY id LIMIT 1`)
	w.fixed["survey"] = oneString(t, w.db, `SELECT code FROM survey_questions ORDER BY code LIMIT 1`)
	w.fixed["roster"], w.fixed["year"], w.fixed["username"] = "four_thirty", "2026", "leader1"
}

// collect reads every full number the walk must never find, opening the
// sealed ones.
func (w *walk) collect(t *testing.T) {
	for _, q := range []string{`SELECT COALESCE(id_number, '') FROM persons`, `SELECT phone FROM persons`, `SELECT phone FROM households`,
		`SELECT reporter_phone FROM requests`, `SELECT phone FROM appointments`} {
		for _, r := range query(t, w.db, q) {
			v, err := w.db.Keys().Open(r[0].(string))
			if err != nil {
				t.Fatal(err)
			}
			if v != "" {
				w.resident[number(v)] = true
			}
		}
	}
	for _, r := range query(t, w.db, `SELECT phone FROM team_members WHERE phone <> ''`) {
		w.staff[number(r[0].(string))] = true
	}
	if len(w.resident) < 500 || len(w.staff) < 10 {
		t.Fatalf("%d resident numbers, %d staff phones: the demo has more", len(w.resident), len(w.staff))
	}
}

// number is the form of a number the walk compares: digits and X.
func number(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '0' && r <= '9':
			return r
		case r == 'x' || r == 'X':
			return 'X'
		}
		return -1
	}, s)
}

// idFor returns a record of kind in grid number n (0: none), by the
// kind's query; "" when there is none.
func (w *walk) idFor(t *testing.T, kind string, n int) string {
	if v, ok := w.fixed[kind]; ok {
		return v
	}
	if n == 0 {
		return ""
	}
	q := map[string]string{
		"household": `SELECT h.id FROM households h WHERE h.grid_id = ? ORDER BY h.id`,
		"person":    `SELECT p.id FROM persons p JOIN households h ON h.id = p.household_id WHERE h.grid_id = ? ORDER BY p.id`,
		"need":      `SELECT n.id FROM needs n JOIN households h ON h.id = n.household_id WHERE h.grid_id = ? ORDER BY n.id`,
		"measure":   `SELECT m.id FROM plan_measures m JOIN households h ON h.id = m.household_id WHERE h.grid_id = ? ORDER BY m.id`,
		"visit":     `SELECT v.id FROM visits v JOIN visit_photos ph ON ph.visit_id = v.id WHERE v.grid_id = ? ORDER BY v.id`,
		"photo":     `SELECT ph.id FROM visit_photos ph JOIN visits v ON v.id = ph.visit_id WHERE v.grid_id = ? ORDER BY ph.id`,
		// Requests referred to a department are the officer's: take
		// those handled in the community.
		"request":      `SELECT r.id FROM requests r WHERE r.grid_id = ? AND r.handling <> 'referred' ORDER BY r.id`,
		"appointment":  `SELECT a.id FROM appointments a WHERE a.grid_id = ? ORDER BY a.id`,
		"task":         `SELECT t.id FROM proactive_tasks t JOIN households h ON h.id = t.household_id WHERE h.grid_id = ? ORDER BY t.id`,
		"plan":         `SELECT p.id FROM plans p WHERE p.grid_id = ? ORDER BY p.id`,
		"member":       `SELECT m.id FROM team_members m WHERE m.grid_id = ? ORDER BY m.id`,
		"training":     `SELECT t.id FROM training_records t JOIN team_members m ON m.id = t.team_member_id WHERE m.grid_id = ? ORDER BY t.id`,
		"grid":         `SELECT id FROM org_units WHERE id = ?`,
		"compound":     `SELECT b.compound_id FROM buildings b WHERE b.grid_id = ? ORDER BY b.id`,
		"building":     `SELECT b.id FROM buildings b WHERE b.grid_id = ? ORDER BY b.id`,
		"round":        `SELECT r.id FROM rounds r WHERE r.grid_id = ? ORDER BY r.id`,
		"token":        `SELECT t.id FROM access_tokens t JOIN users u ON u.id = t.user_id WHERE u.username = 'admin' AND ? > 0 ORDER BY t.id`,
		"saved":        `SELECT s.id FROM saved_rosters s WHERE ? > 0 ORDER BY s.id`,
		"notification": `SELECT o.id FROM outbox o WHERE ? > 0 ORDER BY o.id`,
		// The import of the grid's leader (see addRecords).
		"import": `SELECT j.id FROM import_jobs j JOIN user_roles r ON r.user_id = j.user_id AND r.role = 'grid_leader' WHERE r.org_unit_id = ? ORDER BY j.id`,
		// The talk session and mediation case of the grid's households
		// alone (see addRecords).
		"talk": `SELECT t.id FROM talk_sessions t JOIN talk_visitors v ON v.session_id = t.id JOIN households h ON h.id = v.household_id
			WHERE t.host = 'walk' AND h.grid_id = ? ORDER BY t.id`,
		"case": `SELECT m.id FROM mediation_cases m JOIN mediation_parties p ON p.case_id = m.id JOIN households h ON h.id = p.household_id
			WHERE m.title = 'walk' AND h.grid_id = ? ORDER BY m.id`,
		"benefit": `SELECT c.id FROM benefit_cases c JOIN households h ON h.id = c.household_id WHERE c.note = 'walk' AND h.grid_id = ? ORDER BY c.id`,
		// Thanks and complaints about the grid's members.
		"feedback": `SELECT f.id FROM feedback f WHERE f.grid_id = ? ORDER BY f.id`,
	}[kind]
	if q == "" {
		t.Fatalf("no record of kind %q to walk to", kind)
	}
	rows := query(t, w.db, q+` LIMIT 1`, w.grids[n])
	if len(rows) == 0 {
		return ""
	}
	return fmt.Sprint(rows[0][0])
}

func query(t *testing.T, db *store.DB, q string, args ...any) [][]any {
	t.Helper()
	rows, err := db.QueryContext(t.Context(), q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out [][]any
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for i, v := range vals {
			switch x := v.(type) {
			case []byte:
				vals[i] = string(x)
			case int32:
				vals[i] = int64(x)
			}
		}
		out = append(out, vals)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func one(t *testing.T, db *store.DB, q string, args ...any) int64 {
	t.Helper()
	var id int64
	if err := db.QueryRowContext(t.Context(), q, args...).Scan(&id); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return id
}

func oneString(t *testing.T, db *store.DB, q string, args ...any) string {
	t.Helper()
	var s string
	if err := db.QueryRowContext(t.Context(), q, args...).Scan(&s); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return s
}

func exec(t *testing.T, db *store.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.ExecContext(t.Context(), q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}
