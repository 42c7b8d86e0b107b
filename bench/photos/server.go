package main

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"syscall"
	"time"

	"wanhu/bench/benchkit"
)

// server is a running `wanhu serve`.
type server struct {
	cmd    *exec.Cmd
	base   string
	log    *os.File
	exited chan struct{} // closed when the process has exited, err set
	err    error
}

// startServer starts bin serve on dsn (its key file beside it) on a free
// port and waits until it answers.
func startServer(bin, dsn string, args []string) (*server, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	logf, err := os.CreateTemp("", "wanhu-photos-bench-serve-*.log")
	if err != nil {
		return nil, err
	}
	args = append([]string{"serve", "--db", dsn, "--key-file", dsn + ".key", "--addr", addr}, args...)
	s := &server{cmd: exec.Command(bin, args...), base: "http://" + addr, log: logf, exited: make(chan struct{})}
	s.cmd.Stdout, s.cmd.Stderr = logf, logf
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	go func() { s.err = s.cmd.Wait(); close(s.exited) }()
	if err := s.waitUp(); err != nil {
		s.stop()
		return nil, fmt.Errorf("%w (server log: %s)", err, logf.Name())
	}
	return s, nil
}

// stop ends the server (SIGTERM, then SIGKILL after 10 s).
func (s *server) stop() {
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(10 * time.Second):
		s.cmd.Process.Kill()
		<-s.exited
	}
	s.log.Close()
	if os.Getenv("BENCH_PHOTOS_KEEP_LOG") == "" {
		os.Remove(s.log.Name())
	} else {
		fmt.Fprintln(os.Stderr, "server log:", s.log.Name())
	}
}

// waitUp waits up to a minute for the server to answer.
func (s *server) waitUp() error {
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		select {
		case <-s.exited:
			return fmt.Errorf("wanhu serve exited: %v", s.err)
		default:
		}
		if resp, err := http.Get(s.base + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
	}
	return errors.New("wanhu serve did not answer within a minute")
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// mem is a process's resident set now and at its peak, in MB.

// memory reads the server's resident set, now and at its peak.
func (s *server) memory() (benchkit.Mem, error) { return benchkit.Memory(s.cmd.Process.Pid) }
