package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"wanhu/internal/org"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestWanhuProcess is not a test: it runs wanhu's main with the arguments
// after "--" when WANHU_TEST_PROCESS is set, so the contract tests below
// see wanhu as scripts do, with its exit status and its output.
func TestWanhuProcess(t *testing.T) {
	if os.Getenv("WANHU_TEST_PROCESS") != "1" {
		t.Skip("a helper of the contract tests: runs wanhu as a process")
	}
	i := slices.Index(os.Args, "--")
	os.Args = append([]string{"wanhu"}, os.Args[i+1:]...)
	main()
	os.Exit(0)
}

// wanhuCmd is wanhu as a process with args, stdin as given; nothing of
// the environment's WANHU_ variables reaches it.
func wanhuCmd(ctx context.Context, stdin string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, os.Args[0], append([]string{"-test.run=^TestWanhuProcess$", "--"}, args...)...)
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "WANHU_") {
			cmd.Env = append(cmd.Env, e)
		}
	}
	cmd.Env = append(cmd.Env, "WANHU_TEST_PROCESS=1")
	cmd.Stdin = strings.NewReader(stdin)
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	return cmd
}

// wanhu runs wanhu to the end and returns its exit status and output.
func wanhu(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errs bytes.Buffer
	cmd := wanhuCmd(t.Context(), stdin, args...)
	cmd.Stdout, cmd.Stderr = &out, &errs
	err := cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode(), out.String(), errs.String()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0, out.String(), errs.String()
}

// engines gives the contract tests a new database on each engine: a
// SQLite path that does not exist yet, and a fresh PostgreSQL schema.
func engines(t *testing.T, fn func(t *testing.T, dsn string)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, filepath.Join(t.TempDir(), "wanhu.db")) })
	t.Run("postgres", func(t *testing.T) { fn(t, storetest.PostgresDSN(t)) })
}

// rowCounts is the number of rows of the tables init writes.
func rowCounts(t *testing.T, dsn string) string {
	t.Helper()
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	out := ""
	for _, table := range []string{"org_units", "users", "user_roles", "audit_log", "settings"} {
		var n int
		if err := db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM `+table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out += fmt.Sprintf("%s=%d ", table, n)
	}
	return out
}

// TestInitContract is issue 12's contract, run as scripts run it: wanhu
// init with every flag exits 0 without asking anything, creates the key
// file (mode 0600) and grids 1–7 named 第一网格 … 第七网格; run again it
// exits non-zero saying why and changes nothing; wanhu serve then serves
// the database and the administrator signs in through POST
// /api/v1/auth/login.
func TestInitContract(t *testing.T) {
	engines(t, func(t *testing.T, dsn string) {
		key := filepath.Join(t.TempDir(), "wanhu.key")
		args := []string{"init", "--db", dsn, "--key-file", key, "--city", "西宁市", "--district", "城东区", "--street", "韵家口镇",
			"--community", "东兴社区", "--grids", "7", "--admin-username", "zhang", "--admin-password", "dongxing-init-2026"}
		code, out, errs := wanhu(t, "", args...)
		if code != 0 {
			t.Fatalf("init: exit %d\n%s\n%s", code, out, errs)
		}
		if errs != "" {
			t.Errorf("init with every flag wrote to standard error (a prompt?): %q", errs)
		}
		if !strings.Contains(out, "东兴社区 with 7 grids (第一网格 … 第七网格)") || !strings.Contains(out, "wanhu serve --db") {
			t.Errorf("init said:\n%s", out)
		}
		fi, err := os.Stat(key)
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("key file: %v %v, want mode 0600", fi, err)
		}
		keyBytes, _ := os.ReadFile(key)
		db, err := store.Open(t.Context(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		grids, err := org.Grids(t.Context(), db)
		db.Close()
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for i, g := range grids {
			names = append(names, g.Name)
			if g.Number != i+1 {
				t.Errorf("grid %s has number %d, want %d", g.Name, g.Number, i+1)
			}
		}
		if want := []string{"第一网格", "第二网格", "第三网格", "第四网格", "第五网格", "第六网格", "第七网格"}; !slices.Equal(names, want) {
			t.Errorf("grids %v, want %v", names, want)
		}

		before := rowCounts(t, dsn)
		again := slices.Clone(args)
		again[len(again)-3] = "li"
		code, out, errs = wanhu(t, "", again...)
		if code == 0 || !strings.Contains(errs, "already initialised: the database has an org tree (西宁市)") {
			t.Errorf("second init: exit %d\n%s\n%s", code, out, errs)
		}
		if after := rowCounts(t, dsn); after != before {
			t.Errorf("the second init changed %s into %s", before, after)
		}
		if b, _ := os.ReadFile(key); !bytes.Equal(b, keyBytes) {
			t.Error("the second init changed the key file")
		}

		signIn(t, dsn, key, "zhang", "dongxing-init-2026")
	})
}

// serveProcess starts wanhu serve on dsn, with args, and returns its URL
// and what it printed before it and the extra lines after it; it stops
// with the test.
func serveProcess(t *testing.T, dsn, key string, extra int, args ...string) (url, printed string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute) // a guard against a hang, not a measure
	cmd := wanhuCmd(ctx, "", append([]string{"serve", "--db", dsn, "--key-file", key, "--addr", "127.0.0.1:0", "--log-format", "json"}, args...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); cmd.Wait() })
	lines := bufio.NewScanner(stdout)
	var seen []string
	for lines.Scan() {
		seen = append(seen, lines.Text())
		if u, ok := strings.CutPrefix(lines.Text(), "Wanhu is serving on "); ok {
			url = u
			break
		}
	}
	if url == "" {
		t.Fatalf("serve did not start:\n%s", strings.Join(seen, "\n"))
	}
	after := seen[:len(seen)-1]
	for len(after) < len(seen)-1+extra && lines.Scan() {
		after = append(after, lines.Text())
	}
	go io.Copy(io.Discard, stdout)
	return url, strings.Join(after, "\n")
}

// signIn serves dsn with wanhu serve and signs in as username through the
// API, which must answer a token that works.
func signIn(t *testing.T, dsn, key, username, password string) {
	t.Helper()
	url, _ := serveProcess(t, dsn, key, 0)
	body := fmt.Sprintf(`{"username":%q,"password":%q}`, username, password)
	res, err := http.Post(url+"/api/v1/auth/login", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var got struct {
		Token string `json:"token"`
	}
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK || json.Unmarshal(b, &got) != nil || got.Token == "" {
		t.Fatalf("POST /api/v1/auth/login as %s: %d %s", username, res.StatusCode, b)
	}
	req, _ := http.NewRequest("GET", url+"/api/v1/org-units", nil)
	req.Header.Set("Authorization", "Bearer "+got.Token)
	res2, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res2.Body.Close()
	b, _ = io.ReadAll(res2.Body)
	if res2.StatusCode != http.StatusOK || !strings.Contains(string(b), `"name":"第七网格"`) {
		t.Errorf("GET /api/v1/org-units with the token: %d %s", res2.StatusCode, b)
	}
}

// TestInitAsks: what the flags leave out, init asks for on standard error
// and reads from standard input; with no answer it fails naming the flag
// and creates no key file.
func TestInitAsks(t *testing.T) {
	dir := t.TempDir()
	dsn, key := filepath.Join(dir, "w.db"), filepath.Join(dir, "w.key")
	code, out, errs := wanhu(t, "", "init", "--db", dsn, "--key-file", key)
	if code == 0 || !strings.Contains(errs, "--city is required") {
		t.Errorf("init without flags or answers: exit %d\n%s\n%s", code, out, errs)
	}
	if _, err := os.Stat(key); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused init left a key file: %v", err)
	}
	answers := "西宁市\n城东区\n韵家口镇\n东兴社区\n3\nzhang\ndongxing-init-2026\n"
	code, out, errs = wanhu(t, answers, "init", "--db", dsn, "--key-file", key)
	if code != 0 {
		t.Fatalf("init with answers: exit %d\n%s\n%s", code, out, errs)
	}
	for _, prompt := range []string{"城市 City", "网格数 Number of grids", "管理员密码 Administrator's password"} {
		if !strings.Contains(errs, prompt) {
			t.Errorf("no prompt %q on standard error: %q", prompt, errs)
		}
	}
	if !strings.Contains(out, "with 3 grids (第一网格 … 第三网格)") {
		t.Errorf("init said:\n%s", out)
	}
	code, _, errs = wanhu(t, "", "init", "--db", filepath.Join(dir, "x.db"), "--city", "西宁市", "--district", "城东区", "--street", "韵家口镇",
		"--community", "东兴社区", "--grids", "0", "--admin-username", "zhang", "--admin-password", "dongxing-init-2026")
	if code == 0 || !strings.Contains(errs, "--grids") {
		t.Errorf("init with --grids 0: exit %d %s", code, errs)
	}
}

// TestServeFirstRun: serve on a database without an administrator prints
// where to set it up, with the one-time token; the page answers the
// server's own machine.
func TestServeFirstRun(t *testing.T) {
	dir := t.TempDir()
	dsn, key := filepath.Join(dir, "w.db"), filepath.Join(dir, "w.key")
	if code, out, errs := wanhu(t, "", "key", "new", "--key-file", key); code != 0 {
		t.Fatalf("key new: %d %s %s", code, out, errs)
	}
	url, printed := serveProcess(t, dsn, key, 2)
	if !strings.Contains(printed, "首次设置") || !strings.Contains(printed, url+"/setup?token=") {
		t.Errorf("serve printed no first-run link:\n%s", printed)
	}
	res, err := http.Get(url + "/setup")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("GET /setup from this machine: %d", res.StatusCode)
	}
}
