package main

import (
	"bytes"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"wanhu/bench/benchkit"
	"wanhu/internal/household"
	"wanhu/internal/store"
)

// shell runs SQL in the engine's own command-line shell: sqlite3 on the
// same file (read-only), psql on the same database.
type shell struct {
	dialect store.Dialect
	dsn     string
	cmd     string
}

func newShell(d store.Dialect, dsn, sqlite3, psql string) *shell {
	if d == store.Postgres {
		return &shell{d, dsn, psql}
	}
	return &shell{d, dsn, sqlite3}
}

// run feeds script to the shell and returns its output.
func (s *shell) run(script string) ([]byte, error) {
	var cmd *exec.Cmd
	if s.dialect == store.Postgres {
		cmd = exec.Command(s.cmd, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", s.dsn)
	} else {
		cmd = exec.Command(s.cmd, "-readonly", "-bail", "-list", s.dsn)
	}
	cmd.Stdin = strings.NewReader(script)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%w: %s", err, stderr.String())
	}
	return out, nil
}

func (s *shell) sql(st household.Stmt) string {
	return benchkit.Inline(st.SQL, st.Args) + ";\n"
}

// silent is the shell's command that discards what follows.
func (s *shell) silent() string {
	if s.dialect == store.Postgres {
		return "\\o /dev/null\n"
	}
	return ".output /dev/null\n"
}

// count runs the count statement of st: a COUNT, or for the plan
// "search" the ids of the households found, one a line. Without one (the
// drive's ids are the answer), it runs the drive's probe and counts its
// distinct ids, at most household.CountCap() for a walk.
func (s *shell) count(st household.Statements) (int, error) {
	if st.Count.SQL == "" {
		return s.countFound(st)
	}
	out, err := s.run(s.sql(st.Count))
	if err != nil {
		return 0, err
	}
	if st.Plan == "search" {
		return len(strings.Fields(string(out))), nil
	}
	return strconv.Atoi(strings.TrimSpace(string(out)))
}

// countFound counts the distinct households the probe of st's drive
// found (the Asked statement that selects x.id).
func (s *shell) countFound(st household.Statements) (int, error) {
	for _, x := range st.Asked {
		if !strings.HasPrefix(x.SQL, "SELECT x.id FROM (") {
			continue
		}
		out, err := s.run(s.sql(x))
		if err != nil {
			return 0, err
		}
		ids := map[string]bool{}
		for _, id := range strings.Fields(string(out)) {
			ids[id] = true
		}
		if st.Plan == "walk" {
			return min(len(ids), household.CountCap()), nil
		}
		return len(ids), nil
	}
	return 0, fmt.Errorf("%s: no count and no drive", st.Plan)
}

// reps is how many times one shell process runs the statements, so that
// its start-up cost (measured alone and subtracted) is spread thin.
const reps = 20

// time times every statement of st (those that chose the plan, the count
// and the page): each of runs+1 invocations (the first a warm-up) runs
// them reps times with output discarded, and an invocation that does
// nothing is subtracted. It returns the time of one search.
func (s *shell) time(st household.Statements, runs int) ([]time.Duration, error) {
	var body strings.Builder
	body.WriteString(s.silent())
	for range reps {
		for _, x := range st.Asked {
			body.WriteString(s.sql(x))
		}
		if st.Count.SQL != "" {
			body.WriteString(s.sql(st.Count))
		}
		body.WriteString(s.sql(st.Page))
	}
	work, empty := body.String(), s.silent()
	var per []time.Duration
	for i := 0; i <= runs; i++ {
		t0 := time.Now()
		if _, err := s.run(empty); err != nil {
			return nil, err
		}
		t1 := time.Now()
		if _, err := s.run(work); err != nil {
			return nil, err
		}
		t2 := time.Now()
		if i > 0 {
			per = append(per, max(t2.Sub(t1)-t1.Sub(t0), 0)/reps)
		}
	}
	return per, nil
}

// explain returns the plan of one statement.
func (s *shell) explain(st household.Stmt) (string, error) {
	prefix := "EXPLAIN QUERY PLAN "
	if s.dialect == store.Postgres {
		prefix = "EXPLAIN (ANALYZE, COSTS OFF) "
	}
	out, err := s.run(prefix + s.sql(st))
	return firstLine(st.SQL) + "\n" + string(out), err
}

func firstLine(s string) string {
	f := strings.Fields(s)
	return strings.Join(f[:min(6, len(f))], " ") + " …"
}
