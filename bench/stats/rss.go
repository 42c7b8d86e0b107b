package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"

	"wanhu/bench/benchkit"
	"wanhu/internal/apperr"
	"wanhu/internal/auth"
	"wanhu/internal/store"
)

// benchAdmin is the account the benchmark signs in as: an administrator
// of the city (the root of the org tree), given a new password each run.
const benchAdmin = "bench-admin"

// probe is one page or API call of the dashboard.
type probe struct {
	name string
	path string
	web  bool // a page (web session cookie), else the API (bearer token)
}

// dashboardProbes are the requests of the population dashboard.
func dashboardProbes() []probe {
	return []probe{
		{"api population", "/api/v1/stats/population", false},
		{"api population census", "/api/v1/stats/population?preset=census", false},
		{"api households", "/api/v1/stats/households", false},
		{"page population", "/stats/population", true},
		{"page households", "/stats/households", true},
	}
}

// exportRoster is the roster of the export step: the people aged 7-11,
// about 110,000 of the city's 2.5 million (issue 6: "Exporting a
// 100,000-row roster to xlsx streams within that memory").
const exportRoster = "/api/v1/rosters/people?age=7-11"

// peakRSS serves the database with a built wanhu binary, requests the
// dashboard as the city's administrator, first one request after the
// other and then several at once, and prints the server's peak resident
// set (VmHWM of /proc/PID/status).
func peakRSS(args []string) error {
	fs := flag.NewFlagSet("rss", flag.ExitOnError)
	bin := fs.String("wanhu", "", "built wanhu binary")
	dsn := fs.String("db", "", "SQLite file or postgres:// URL made by gen")
	keyFile := fs.String("key", "", "its key file (default DB.key beside a SQLite file)")
	rounds := fs.Int("rounds", 8, "rounds of requests one after the other (each: every endpoint once)")
	parallel := fs.Int("parallel", 4, "then as many clients at once, each doing -rounds/4 rounds")
	limitMB := fs.Float64("limit", 300, "the goal: peak RSS under this many MB")
	fs.Parse(args)
	if *keyFile == "" && !store.IsPostgresURL(*dsn) {
		*keyFile = *dsn + ".key"
	}
	password, err := ensureAdmin(*dsn)
	if err != nil {
		return err
	}
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	logf, err := os.CreateTemp("", "wanhu-bench-serve-*.log")
	if err != nil {
		return err
	}
	defer logf.Close()
	srv := exec.Command(*bin, "serve", "--db", *dsn, "--addr", addr, "--key-file", *keyFile)
	srv.Stdout, srv.Stderr = logf, logf
	if err := srv.Start(); err != nil {
		return err
	}
	pid := srv.Process.Pid
	var waitErr error
	exited := make(chan struct{}) // closed when the server has exited, waitErr set
	go func() { waitErr = srv.Wait(); close(exited) }()
	defer func() {
		srv.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			srv.Process.Kill()
			<-exited
		}
	}()
	base := "http://" + addr
	if err := waitUp(base, exited, &waitErr); err != nil {
		return fmt.Errorf("%w (server log: %s)", err, logf.Name())
	}
	started, err := benchkit.Memory(pid)
	if err != nil {
		return err
	}
	c, err := signIn(base, password)
	if err != nil {
		return err
	}
	probes := dashboardProbes()
	lat := map[string][]time.Duration{}
	size := map[string]int64{}
	var mu sync.Mutex
	round := func(record bool) error {
		for _, p := range probes {
			status, n, d, err := c.get(p)
			if err != nil {
				return err
			}
			if status != http.StatusOK {
				return fmt.Errorf("%s answers %d", p.path, status)
			}
			if record {
				mu.Lock()
				lat[p.name], size[p.name] = append(lat[p.name], d), n
				mu.Unlock()
			}
		}
		return nil
	}
	for range *rounds {
		if err := round(true); err != nil {
			return err
		}
	}
	serial, err := benchkit.Memory(pid)
	if err != nil {
		return err
	}
	errs := make(chan error, *parallel)
	parStart := time.Now()
	for range *parallel {
		go func() {
			for range max(*rounds/4, 1) {
				if err := round(false); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range *parallel {
		if err := <-errs; err != nil {
			return err
		}
	}
	parTime := time.Since(parStart)
	end, err := benchkit.Memory(pid)
	if err != nil {
		return err
	}
	fmt.Printf("wanhu serve on %s (%s), as %s (administrator of the city):\n", store.Redact(*dsn), base, benchAdmin)
	fmt.Printf("  one request at a time, %d rounds:\n  %-24s %9s %12s %12s\n", *rounds, "request", "bytes", "median (ms)", "max (ms)")
	for _, p := range probes {
		fmt.Printf("  %-24s %9d %12.1f %12.1f\n", p.name, size[p.name], ms(median(lat[p.name])), ms(maxOf(lat[p.name])))
	}
	fmt.Printf("  then %d clients at once, %d rounds each: %.1f s\n", *parallel, max(*rounds/4, 1), parTime.Seconds())
	fmt.Printf("  RSS after start-up %.1f MB; after %d rounds one by one: now %.1f MB, peak %.1f MB; after %d clients at once: now %.1f MB, peak (VmHWM) %.1f MB\n",
		started.HWM, *rounds, serial.RSS, serial.HWM, *parallel, end.RSS, end.HWM)
	// The export: the roster's rows counted, then its xlsx downloaded
	// twice, one after the other.
	status, body, err := c.body(probe{path: exportRoster + "&per_page=1"})
	if err != nil || status != http.StatusOK {
		return fmt.Errorf("%s: %d %v", exportRoster, status, err)
	}
	var page struct{ Total int }
	if err := json.Unmarshal(body, &page); err != nil {
		return err
	}
	var exp []time.Duration
	var expSize int64
	for range 2 {
		status, n, d, err := c.get(probe{path: exportRoster + "&format=xlsx"})
		if err != nil || status != http.StatusOK {
			return fmt.Errorf("%s&format=xlsx: %d %v", exportRoster, status, err)
		}
		exp, expSize = append(exp, d), n
	}
	end, err = benchkit.Memory(pid)
	if err != nil {
		return err
	}
	fmt.Printf("  export of %s to xlsx: %d rows, %.1f MB, %.1f s (median of %d); then RSS now %.1f MB, peak (VmHWM) %.1f MB\n",
		exportRoster, page.Total, float64(expSize)/1e6, median(exp).Seconds(), len(exp), end.RSS, end.HWM)
	verdict := "meets"
	if end.HWM >= *limitMB {
		verdict = "MISSES"
	}
	fmt.Printf("  peak RSS %.1f MB %s the goal of < %.0f MB\n", end.HWM, verdict, *limitMB)
	return nil
}

// ensureAdmin makes benchAdmin an administrator of the root org unit with
// a new random password, and returns the password.
func ensureAdmin(dsn string) (string, error) {
	ctx := context.Background()
	db, err := store.OpenNoMigrate(ctx, dsn)
	if err != nil {
		return "", err
	}
	defer db.Close()
	b := make([]byte, 12)
	rand.Read(b)
	password := "bench-" + hex.EncodeToString(b)
	var root int64
	if err := db.QueryRowContext(ctx, `SELECT id FROM org_units WHERE parent_id IS NULL ORDER BY id LIMIT 1`).Scan(&root); err != nil {
		return "", fmt.Errorf("the root of the org tree: %w", err)
	}
	as := auth.NewStore(db)
	_, err = as.UserByUsername(ctx, benchAdmin)
	switch {
	case errors.Is(err, apperr.ErrNotFound):
		_, err = as.CreateUser(ctx, benchAdmin, "基准测试管理员", password, auth.Grant{Role: auth.Admin, OrgUnitID: root})
		return password, err
	case err != nil:
		return "", err
	}
	if err := as.SetPassword(ctx, benchAdmin, password); err != nil {
		return "", err
	}
	return password, as.Unlock(ctx, benchAdmin)
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// waitUp waits up to two minutes for the server to answer.
func waitUp(base string, exited <-chan struct{}, waitErr *error) error {
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return fmt.Errorf("wanhu serve exited: %v", *waitErr)
		default:
		}
		if resp, err := http.Get(base + "/login"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	return errors.New("wanhu serve did not answer within two minutes")
}

// client holds an API token and a web session of the same account.
type client struct {
	base  string
	token string
	web   *http.Client
}

// signIn gets an API token and a web session for benchAdmin.
func signIn(base, password string) (*client, error) { return signInAs(base, benchAdmin, password) }

// signInAs gets an API token and a web session for user.
func signInAs(base, user, password string) (*client, error) {
	token, err := benchkit.Token(base, user, password)
	if err != nil {
		return nil, err
	}
	jar, _ := cookiejar.New(nil)
	web := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := web.Get(base + "/login")
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	u, _ := url.Parse(base)
	csrf := ""
	for _, ck := range jar.Cookies(u) {
		if ck.Name == "wanhu_login_csrf" {
			csrf = ck.Value
		}
	}
	resp, err = web.PostForm(base+"/login", url.Values{"csrf": {csrf}, "username": {user}, "password": {password}, "next": {"/stats"}})
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	signedIn := false
	for _, ck := range jar.Cookies(u) {
		signedIn = signedIn || ck.Name == "wanhu_session" && ck.Value != ""
	}
	if resp.StatusCode != http.StatusSeeOther || !signedIn {
		return nil, fmt.Errorf("web login: status %d, no session cookie", resp.StatusCode)
	}
	return &client{base, token, web}, nil
}

// get requests p and reads its whole body: the status, the body's size
// and the time to the last byte. A page that redirects (to the login)
// counts as its status, 303.
func (c *client) get(p probe) (int, int64, time.Duration, error) {
	return c.into(p, io.Discard)
}

// body answers p with its body.
func (c *client) body(p probe) (int, []byte, error) {
	var b bytes.Buffer
	status, _, _, err := c.into(p, &b)
	return status, b.Bytes(), err
}

// into requests p and copies the body to dst: the status, the size and
// the time until the last byte.
func (c *client) into(p probe, dst io.Writer) (int, int64, time.Duration, error) {
	req, err := http.NewRequest(http.MethodGet, c.base+p.path, nil)
	if err != nil {
		return 0, 0, 0, err
	}
	hc := c.web
	if !p.web {
		req.Header.Set("Authorization", "Bearer "+c.token)
		hc = http.DefaultClient
	}
	start := time.Now()
	resp, err := hc.Do(req)
	if err != nil {
		return 0, 0, 0, err
	}
	defer resp.Body.Close()
	n, err := io.Copy(dst, resp.Body)
	return resp.StatusCode, n, time.Since(start), err
}

func maxOf(ds []time.Duration) time.Duration {
	var m time.Duration
	for _, d := range ds {
		m = max(m, d)
	}
	return m
}
