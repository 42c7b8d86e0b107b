package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"time"
)

// Config says how to run the loop.
type Config struct {
	Bin        string        // the wanhu binary
	Dir        string        // work directory: the database, its key, the server's log, the workbooks
	Kills      int           // rounds: each starts the server, writes, and kills it with SIGKILL
	Addr       string        // loopback address the server listens on
	Households int           // households of the generated demo community
	Writers    int           // concurrent visit writers (one request writer and one importer besides)
	MinRun     time.Duration // the kill comes between MinRun and MaxRun after the server is ready
	MaxRun     time.Duration
	Seed       uint64
	Log        io.Writer // one line per round
}

// password is the demo accounts' password in the loop's database.
const password = "kill-loop-2026"

// Result is what the loop found.
type Result struct {
	Kills int
	// Acknowledged writes: visits (each with a need and its ledger event),
	// request steps (submit, accept, progress, resolve), imports (jobs
	// accepted with 202) and of those the ones applied by the end.
	Visits, Steps, Imports, ImportsApplied int
	// Lost counts acknowledged writes not found after a restart; Broken
	// the other problems (integrity, ledger or timeline disagreeing with
	// the records, a half import). Both must be 0.
	Lost, Broken int
	Problems     []string
	// KilledMidImport counts kills that came while an import job was
	// applying; PendingFound how often a check found an acknowledged
	// import not yet applied, with none of its households (as it must).
	KilledMidImport, PendingFound int
}

// Run runs the loop: a new demo database, then cfg.Kills rounds of start,
// concurrent writes, SIGKILL at a random moment, and the checks on the
// database file with the server down.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return nil, err
	}
	db := filepath.Join(cfg.Dir, "kill.db")
	for _, f := range []string{db, db + "-wal", db + "-shm", db + ".key"} {
		os.Remove(f)
	}
	logf, err := os.Create(filepath.Join(cfg.Dir, "server.log"))
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	rnd := rand.New(rand.NewPCG(cfg.Seed, 15))
	w := &world{cfg: cfg, db: db, base: "http://" + cfg.Addr, acked: newAcked()}

	// Round 0 makes the demo community and takes the baseline.
	srv, err := w.start(ctx, logf, 10*time.Minute)
	if err != nil {
		return nil, err
	}
	if err := w.signIn(ctx); err == nil {
		err = w.pickHouseholds(ctx)
	}
	srv.kill()
	if err != nil {
		return nil, err
	}
	if err := w.baseline(ctx); err != nil {
		return nil, err
	}

	res := &Result{}
	for round := 1; round <= cfg.Kills; round++ {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		if err := writeWorkbook(cfg.Dir, round); err != nil {
			return res, err
		}
		srv, err := w.start(ctx, logf, 2*time.Minute)
		if err != nil {
			return res, fmt.Errorf("round %d: %w", round, err)
		}
		if err := w.signIn(ctx); err != nil {
			srv.kill()
			return res, fmt.Errorf("round %d: %w", round, err)
		}
		wctx, stop := context.WithCancel(ctx)
		var wg sync.WaitGroup
		for i := range cfg.Writers {
			wg.Add(1)
			go func() { defer wg.Done(); w.visits(wctx, round, i) }()
		}
		wg.Add(2)
		go func() { defer wg.Done(); w.requests(wctx, round) }()
		go func() { defer wg.Done(); w.imports(wctx, round) }()
		run := cfg.MinRun + time.Duration(rnd.Int64N(int64(cfg.MaxRun-cfg.MinRun)+1))
		time.Sleep(run)
		midImport := w.importApplying()
		srv.kill()
		stop()
		wg.Wait()
		if midImport {
			res.KilledMidImport++
		}
		c, err := w.check(ctx)
		if err != nil {
			return res, fmt.Errorf("round %d: check: %w", round, err)
		}
		res.Kills++
		res.Lost += c.lost
		res.Broken += len(c.problems) - c.lost
		for _, p := range c.problems {
			res.Problems = append(res.Problems, fmt.Sprintf("round %d: %s", round, p))
		}
		v, s, im := w.acked.counts()
		if cfg.Log != nil {
			fmt.Fprintf(cfg.Log, "round %2d: killed after %4d ms%s; acknowledged so far: %d visits, %d request steps, %d imports (%d applied); lost %d, problems %d\n",
				round, run.Milliseconds(), map[bool]string{true: " (an import applying)", false: ""}[midImport],
				v, s, im, c.applied, res.Lost, len(res.Problems))
		}
		res.ImportsApplied = c.applied
		res.PendingFound += c.pending
	}
	res.Visits, res.Steps, res.Imports = w.acked.counts()
	return res, nil
}

// server is a running wanhu process.
type server struct {
	cmd  *exec.Cmd
	done chan error
}

// start starts wanhu on the loop's database and waits until it
// answers /healthz.
func (w *world) start(ctx context.Context, log io.Writer, wait time.Duration) (*server, error) {
	// The first start makes the demo community; later ones serve it as a
	// community office does, without the demo's start-up work.
	args := []string{"serve", "--db", w.db, "--addr", w.cfg.Addr, "--log-format", "json"}
	if w.households == nil {
		args = []string{"demo", "--db", w.db, "--households", fmt.Sprint(w.cfg.Households),
			"--admin-password", password, "--addr", w.cfg.Addr, "--log-format", "json"}
	}
	cmd := exec.Command(w.cfg.Bin, args...)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &server{cmd: cmd, done: make(chan error, 1)}
	go func() { s.done <- cmd.Wait() }()
	deadline := time.Now().Add(wait)
	for time.Now().Before(deadline) {
		select {
		case err := <-s.done:
			return nil, fmt.Errorf("wanhu demo exited before it served: %v (see %s/server.log)", err, w.cfg.Dir)
		case <-ctx.Done():
			s.kill()
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		res, err := http.Get(w.base + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return s, nil
			}
		}
	}
	s.kill()
	return nil, errors.New("wanhu demo did not answer /healthz in time")
}

// kill sends SIGKILL and waits for the process to be gone.
func (s *server) kill() {
	s.cmd.Process.Signal(syscall.SIGKILL)
	<-s.done
}
