package main

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestPprofAddress: --pprof listens on loopback only, unless
// --pprof-allow-remote says otherwise; an empty host (every interface)
// is refused too.
func TestPprofAddress(t *testing.T) {
	for _, c := range []struct {
		addr   string
		remote bool
		ok     bool
	}{
		{"127.0.0.1:6060", false, true},
		{"[::1]:6060", false, true},
		{"localhost:6060", false, true},
		{"0.0.0.0:6060", false, false},
		{":6060", false, false},
		{"192.168.1.10:6060", false, false},
		{"wanhu.example.org:6060", false, false},
		{"6060", false, false},
		{"0.0.0.0:6060", true, true},
	} {
		err := checkPprofAddr(c.addr, c.remote)
		if (err == nil) != c.ok {
			t.Errorf("checkPprofAddr(%q, remote %v) = %v, want ok %v", c.addr, c.remote, err, c.ok)
		}
	}
	if _, _, err := startPprof("0.0.0.0:0", false); err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Errorf("startPprof on every interface: %v", err)
	}
}

// TestPprofServes: the profiles are served on their own listener, and
// stop with it.
func TestPprofServes(t *testing.T) {
	addr, stop, err := startPprof("127.0.0.1:0", false)
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.Get("http://" + addr + "/debug/pprof/cmdline")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || len(b) == 0 {
		t.Fatalf("cmdline: %d %q", res.StatusCode, b)
	}
	stop()
	if _, err := http.Get("http://" + addr + "/debug/pprof/"); err == nil {
		t.Error("the profiles are still served after stop")
	}
}
