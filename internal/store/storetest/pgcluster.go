package storetest

// A private PostgreSQL cluster for tests that stop and start the database
// (a restart under load), which the shared server of the other tests must
// not suffer. initdb refuses to run as root, so as root the cluster is made
// and run as the postgres user, through runuser.

import (
	"cmp"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"testing"
)

// Cluster is a PostgreSQL cluster of its own in a temporary directory,
// listening on 127.0.0.1 on a free port, with trust authentication.
type Cluster struct {
	bin, dir, as string
	Port         int
	t            testing.TB
}

// PrivatePostgres initialises and starts a cluster of its own, stopped at
// the end of the test. It skips the test, saying why, when PostgreSQL's
// programs are not found ($WANHU_TEST_PG_BIN, else
// /usr/lib/postgresql/15/bin) or cannot be run by a user other than root.
func PrivatePostgres(t testing.TB) *Cluster {
	t.Helper()
	bin := os.Getenv("WANHU_TEST_PG_BIN")
	if bin == "" {
		bin = "/usr/lib/postgresql/15/bin"
	}
	if _, err := os.Stat(filepath.Join(bin, "initdb")); err != nil {
		t.Skipf("no PostgreSQL programs in %s (set WANHU_TEST_PG_BIN to the directory of initdb and pg_ctl): %v", bin, err)
	}
	c := &Cluster{bin: bin, t: t}
	parent := ""
	if os.Geteuid() == 0 {
		// initdb refuses root: run the cluster as postgres, in a
		// directory it owns.
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Skipf("running as root and there is no postgres user to run initdb as: %v", err)
		}
		if _, err := exec.LookPath("runuser"); err != nil {
			t.Skipf("running as root and runuser is missing to run initdb as postgres: %v", err)
		}
		c.as = u.Username
		d, err := os.MkdirTemp("", "wanhu-pg-")
		if err != nil {
			t.Fatal(err)
		}
		parent = d
		t.Cleanup(func() { os.RemoveAll(d) })
		if out, err := exec.Command("chown", u.Username, d).CombinedOutput(); err != nil {
			t.Skipf("cannot give %s to the postgres user: %v: %s", d, err, out)
		}
	} else {
		parent = t.TempDir()
	}
	c.dir = filepath.Join(parent, "data")
	c.Port = freePort(t)
	if out, err := c.run("initdb", "-D", c.dir, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8", "--locale", "C"); err != nil {
		t.Skipf("initdb of a private cluster failed (the user %q cannot run it?): %v: %s", cmp.Or(c.as, "current"), err, out)
	}
	conf := fmt.Sprintf("\nport = %d\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '%s'\nfsync = off\nshared_buffers = 16MB\nmax_connections = 60\n", c.Port, parent)
	if out, err := c.run("sh", "-c", fmt.Sprintf("cat >> %s/postgresql.conf <<'EOF'%sEOF\n", c.dir, conf)); err != nil {
		t.Fatalf("configure the cluster: %v: %s", err, out)
	}
	c.Start()
	t.Cleanup(func() { c.run(filepath.Join(bin, "pg_ctl"), "-D", c.dir, "-m", "immediate", "-w", "stop") })
	if out, err := c.run(filepath.Join(bin, "createdb"), "-h", "127.0.0.1", "-p", fmt.Sprint(c.Port), "-U", "postgres", "wanhu"); err != nil {
		t.Fatalf("createdb: %v: %s", err, out)
	}
	return c
}

// URL is the address of the cluster's database "wanhu".
func (c *Cluster) URL() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/wanhu?sslmode=disable", c.Port)
}

// Start starts the cluster and waits until it accepts connections.
func (c *Cluster) Start() {
	c.t.Helper()
	if out, err := c.run(filepath.Join(c.bin, "pg_ctl"), "-D", c.dir, "-l", c.dir+"/../log", "-w", "start"); err != nil {
		log, _ := os.ReadFile(filepath.Join(c.dir, "..", "log"))
		c.t.Fatalf("start PostgreSQL: %v: %s\n%s", err, out, log)
	}
}

// Stop stops the cluster in fast mode: sessions are ended, as in a restart
// of the service.
func (c *Cluster) Stop() {
	c.t.Helper()
	if out, err := c.run(filepath.Join(c.bin, "pg_ctl"), "-D", c.dir, "-m", "fast", "-w", "stop"); err != nil {
		c.t.Fatalf("stop PostgreSQL: %v: %s", err, out)
	}
}

// run runs a program as the cluster's user.
func (c *Cluster) run(name string, args ...string) ([]byte, error) {
	if !strings.Contains(name, "/") && name != "sh" {
		name = filepath.Join(c.bin, name)
	}
	if c.as != "" {
		args = append([]string{"-u", c.as, "--", name}, args...)
		name = "runuser"
	}
	return exec.Command(name, args...).CombinedOutput()
}

func freePort(t testing.TB) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
