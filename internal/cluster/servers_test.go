package cluster

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// buildWanhu builds the wanhu binary into a temporary directory, without
// the race detector whatever the test runs under: the servers are the
// program as shipped.
func buildWanhu(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "wanhu")
	cmd := exec.Command("go", "build", "-o", bin, "wanhu/cmd/wanhu")
	cmd.Env = append(os.Environ(), "GOFLAGS=")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// freshDatabase creates an empty database of its own on the test server
// (storetest.PostgresURLEnv) and returns its URL; it is dropped at
// cleanup. It skips the test without a test server.
func freshDatabase(t *testing.T) string {
	t.Helper()
	base := os.Getenv(storetest.PostgresURLEnv)
	if base == "" {
		t.Skip("the multi-server test needs PostgreSQL: set " + storetest.PostgresURLEnv + " (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable)")
	}
	ctx := context.Background()
	admin, err := store.OpenNoMigrate(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 5)
	rand.Read(b)
	name := "wanhu_cluster_" + hex.EncodeToString(b)
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// server is one `wanhu serve` process.
type server struct {
	name    string
	url     string
	cmd     *exec.Cmd
	logPath string
	exited  chan struct{}
	killed  bool
	// setup is the first-run link the server printed, while the database
	// had no administrator.
	setup string
}

// startServers starts n servers at once with args (and env added to the
// test's environment), each on a port of its own, and waits until every
// one says where it serves. They are stopped (SIGTERM, then SIGKILL) at
// cleanup, and their logs shown if the test failed.
func startServers(t *testing.T, bin string, n int, args, env []string) []*server {
	t.Helper()
	dir := t.TempDir()
	servers := make([]*server, n)
	urls := make(chan error, n)
	for i := range servers {
		s := &server{name: fmt.Sprintf("server%d", i), logPath: filepath.Join(dir, fmt.Sprintf("server%d.log", i)), exited: make(chan struct{})}
		servers[i] = s
		logf, err := os.Create(s.logPath)
		if err != nil {
			t.Fatal(err)
		}
		s.cmd = exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0", "--log-format", "text"}, args...)...)
		s.cmd.Env = append(os.Environ(), env...)
		s.cmd.Stderr = logf
		dieWithTest(s.cmd)
		stdout, err := s.cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := s.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		go func() {
			sc := bufio.NewScanner(stdout)
			found := false
			for sc.Scan() {
				line := sc.Text()
				fmt.Fprintln(logf, "stdout: "+line)
				if i := strings.Index(line, "/setup?token="); i >= 0 {
					s.setup = strings.TrimSpace(line[i:])
				}
				if u, ok := strings.CutPrefix(line, "Wanhu is serving on "); ok && !found {
					s.url, found = strings.TrimSpace(u), true
					urls <- nil
				}
			}
			if !found {
				urls <- fmt.Errorf("%s exited before serving", s.name)
			}
			// Wait only once stdout is read to its end: it closes the pipe.
			s.cmd.Wait()
			logf.Close()
			close(s.exited)
		}()
	}
	t.Cleanup(func() {
		for _, s := range servers {
			s.stop()
		}
		if t.Failed() {
			for _, s := range servers {
				b, _ := os.ReadFile(s.logPath)
				t.Logf("--- log of %s (last 6,000 bytes) ---\n%s", s.name, tail(string(b), 6000))
			}
		}
	})
	deadline := time.After(90 * time.Second)
	for range servers {
		select {
		case err := <-urls:
			if err != nil {
				t.Fatal(err)
			}
		case <-deadline:
			t.Fatal("the servers did not start within 90 s")
		}
	}
	for _, s := range servers {
		waitReady(t, s)
	}
	return servers
}

// waitReady waits until s answers /readyz with 200.
func waitReady(t *testing.T, s *server) {
	t.Helper()
	for start := time.Now(); time.Since(start) < 30*time.Second; time.Sleep(100 * time.Millisecond) {
		res, err := http.Get(s.url + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
	}
	t.Fatalf("%s is not ready after 30 s", s.name)
}

// kill ends s at once, as a power cut or the OOM killer would: no
// request finishes, no claim is released.
func (s *server) kill(t *testing.T) {
	t.Helper()
	s.killed = true
	if err := s.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatalf("kill %s: %v", s.name, err)
	}
	<-s.exited
}

// stop asks s to end (SIGTERM) and kills it if it has not within 15 s.
func (s *server) stop() {
	select {
	case <-s.exited:
		return
	default:
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(15 * time.Second):
		s.cmd.Process.Kill()
		<-s.exited
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// runWanhu runs the binary with args and returns its combined output.
func runWanhu(bin string, args ...string) (string, error) {
	out, err := exec.Command(bin, args...).CombinedOutput()
	return string(out), err
}
