package main

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestKillLoop is the short form of bench/killloop.sh: five kills of a
// SQLite server while it writes, and after each one nothing acknowledged
// lost and the database whole.
func TestKillLoop(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the kill loop builds wanhu and starts it six times (about 30 s); bench/killloop.sh runs 50 kills")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "wanhu")
	build := exec.Command("go", "build", "-o", bin, "wanhu/cmd/wanhu")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	var log strings.Builder
	res, err := Run(context.Background(), Config{Bin: bin, Dir: dir, Kills: 5, Addr: freeAddr(t), Households: 100,
		Writers: 2, MinRun: 300 * time.Millisecond, MaxRun: time.Second, Seed: uint64(time.Now().UnixNano()), Log: &log})
	t.Log("\n" + log.String())
	if err != nil {
		if b, _ := os.ReadFile(filepath.Join(dir, "server.log")); len(b) > 0 {
			t.Logf("server log (end):\n%s", tail(string(b), 3000))
		}
		t.Fatal(err)
	}
	if res.Kills != 5 || res.Visits == 0 || res.Steps == 0 {
		t.Errorf("%d kills, %d visits and %d request steps acknowledged: the loop did not write", res.Kills, res.Visits, res.Steps)
	}
	if res.Lost != 0 || res.Broken != 0 {
		t.Errorf("lost %d acknowledged writes, %d other problems:\n%s", res.Lost, res.Broken, strings.Join(res.Problems, "\n"))
	}
}

// freeAddr returns a loopback address no one listens on now.
func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
