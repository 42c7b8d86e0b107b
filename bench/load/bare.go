package main

import (
	"bufio"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
)

// bare serves GET /bare?n=SIZE with SIZE bytes of text, the least a Go
// server can do for a body of that size, and prints its address on its
// first line of output. run starts it as a process of its own, so that it
// competes for the CPU as the server does.
func bare(args []string) error {
	fs := flag.NewFlagSet("bare", flag.ExitOnError)
	addr := fs.String("addr", "127.0.0.1:0", "address to listen on (loopback)")
	fs.Parse(args)
	if err := loopback(*addr); err != nil {
		return err
	}
	l, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	body := []byte(strings.Repeat("万户 wanhu bare body.\n", 1<<15)) // 832 KB
	fmt.Println(l.Addr().String())
	return http.Serve(l, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		n = max(0, min(n, len(body)))
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Content-Length", strconv.Itoa(n))
		w.Write(body[:n])
	}))
}

// startBare starts this program's bare command and returns the base URL
// it serves on and the function that stops it.
func startBare() (string, func(), error) {
	self, err := os.Executable()
	if err != nil {
		return "", nil, err
	}
	cmd := exec.Command(self, "bare")
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", nil, err
	}
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	stop := func() { cmd.Process.Kill(); cmd.Wait() }
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		stop()
		return "", nil, fmt.Errorf("bare handler: %w", err)
	}
	return "http://" + strings.TrimSpace(line), stop, nil
}

// loopback refuses an address (host:port) or URL host that is not on
// this machine's loopback: the load is never sent elsewhere.
func loopback(hostport string) error {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		host = hostport
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("%s is not a loopback address: the load generator only sends to this machine", hostport)
	}
	return nil
}
