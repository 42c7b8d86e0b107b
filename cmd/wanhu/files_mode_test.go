//go:build unix

package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestDemoFilesPrivate: the files wanhu demo makes (the database, its -wal
// and -shm files, the key file beside it) and the key file of wanhu key new
// are readable by their owner only, under the usual umask 022 (the
// database files were 0644).
func TestDemoFilesPrivate(t *testing.T) {
	defer syscall.Umask(syscall.Umask(0o022))
	dir := t.TempDir()
	db := filepath.Join(dir, "demo.db")
	ctx, cancel := context.WithCancel(context.Background())
	out := &readyWriter{mark: "Press Ctrl+C", ready: make(chan struct{})}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"demo", "--db", db, "--addr", "127.0.0.1:0", "--households", "100", "--admin-password", "demo-files-2025"}, out)
	}()
	select {
	case <-out.ready:
	case err := <-done:
		cancel()
		t.Fatalf("demo stopped before serving: %v\n%s", err, out.b.String())
	}
	for _, p := range []string{db, db + "-wal", db + "-shm", db + ".key"} {
		wantPrivate(t, p)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("demo: %v", err)
	}
	key := filepath.Join(dir, "new.key")
	var buf bytes.Buffer
	if err := run(context.Background(), []string{"key", "new", "--key-file", key}, &buf); err != nil {
		t.Fatal(err)
	}
	wantPrivate(t, key)
}

func wantPrivate(t *testing.T, path string) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if m := fi.Mode().Perm(); m != 0o600 {
		t.Errorf("%s: mode %04o, want 0600", filepath.Base(path), m)
	}
}
