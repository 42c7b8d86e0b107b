package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"
)

// pprofFlags adds --pprof, Go's profiles (net/http/pprof) on a listener of
// their own, off by default, and returns what starts it. The profiles show
// the program's memory and stacks, so the address must be on loopback
// unless --pprof-allow-remote says otherwise; the application's own
// listener never serves them.
func pprofFlags(fs *flag.FlagSet) func(ctx context.Context, log *slog.Logger) (stop func(), err error) {
	addr := fs.String("pprof", "", "serve Go's profiles (/debug/pprof/) on this separate address, such as 127.0.0.1:6060 (off when empty; loopback only)")
	remote := fs.Bool("pprof-allow-remote", false, "allow --pprof on an address that is not loopback (anyone who reaches it reads the process's memory profile)")
	return func(ctx context.Context, log *slog.Logger) (func(), error) {
		if *addr == "" {
			return func() {}, nil
		}
		bound, stop, err := startPprof(*addr, *remote)
		if err != nil {
			return nil, err
		}
		log.Info("pprof: profiles served", "addr", "http://"+bound+"/debug/pprof/")
		return stop, nil
	}
}

// checkPprofAddr refuses a --pprof address whose host is not loopback
// (an empty host listens on every interface), unless allowRemote.
func checkPprofAddr(addr string, allowRemote bool) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--pprof %q: give host:port, such as 127.0.0.1:6060", addr)
	}
	if allowRemote {
		return nil
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("--pprof %q is not a loopback address: the profiles expose the process's memory; use 127.0.0.1:PORT, or add --pprof-allow-remote", addr)
}

// startPprof serves net/http/pprof's handlers on addr and returns the
// address it listens on and the function that stops it.
func startPprof(addr string, allowRemote bool) (string, func(), error) {
	if err := checkPprofAddr(addr, allowRemote); err != nil {
		return "", nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, fmt.Errorf("--pprof: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan struct{})
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			slog.Error("pprof", "err", err)
		}
		close(done)
	}()
	return ln.Addr().String(), func() { srv.Close(); <-done }, nil
}
