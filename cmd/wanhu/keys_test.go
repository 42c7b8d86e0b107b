package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"wanhu/internal/secret"
	"wanhu/internal/store"
)

func TestKeyRotateRetire(t *testing.T) {
	path, _ := seedDB(t)
	ctx := context.Background()
	cmd := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := run(ctx, args, &out)
		return out.String(), err
	}
	if _, err := cmd("key", "retire", "--db", path, "--key-id", "1"); err == nil || !strings.Contains(err.Error(), "current") {
		t.Fatalf("retired the current key: %v", err)
	}
	// A rotation that stopped right after adding its key (as if killed).
	keys, err := secret.Load(path + ".key")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := keys.BeginRotation(); err != nil {
		t.Fatal(err)
	}
	if _, err := cmd("key", "retire", "--db", path, "--key-id", "1"); err == nil || !strings.Contains(err.Error(), "still seals") {
		t.Fatalf("retired a key in use: %v", err)
	}
	out, err := cmd("key", "rotate", "--db", path, "--batch", "1")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "Resuming the rotation to key 2") || !strings.Contains(out, "wanhu key retire --key-id 1") {
		t.Errorf("rotate said:\n%s", out)
	}
	if out, err = cmd("key", "retire", "--db", path, "--key-id", "1"); err != nil {
		t.Fatal(err)
	}
	// A new rotation adds key 3; everything still reads and is found.
	if out, err = cmd("key", "rotate", "--db", path); err != nil || !strings.Contains(out, "Added key 3") {
		t.Fatalf("second rotation: %v\n%s", err, out)
	}
	if out, err = cmd("household", "list", "--db", path, "--q", "13912345678", "--format", "json"); err != nil {
		t.Fatal(err)
	}
	var got struct{ Total int }
	if json.Unmarshal([]byte(out), &got); got.Total != 1 {
		t.Errorf("search by phone after rotation: %s", out)
	}
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE action IN ('key.rotate', 'key.retire') AND result = 'ok'`).Scan(&n); err != nil || n != 3 {
		t.Errorf("%d key entries in the audit log (%v), want 3", n, err)
	}
}

func TestServeNeedsKeyFile(t *testing.T) {
	var out bytes.Buffer
	err := run(context.Background(), []string{"serve", "--db", filepath.Join(t.TempDir(), "x.db"), "--addr", "127.0.0.1:0"}, &out)
	if err == nil || !strings.Contains(err.Error(), "--key-file") {
		t.Fatalf("serve without a key file: %v", err)
	}
	err = run(context.Background(), []string{"serve", "--db", filepath.Join(t.TempDir(), "x.db"), "--key-file", "/nonexistent/k"}, &out)
	if err == nil || !strings.Contains(err.Error(), "--key-file") {
		t.Fatalf("serve with a missing key file: %v", err)
	}
}

func TestGenCreatesKeyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "g.db")
	var out bytes.Buffer
	if err := run(context.Background(), []string{"gen", "--db", path, "--households", "50"}, &out); err != nil {
		t.Fatal(err)
	}
	if !secret.Exists(path+".key") || !strings.Contains(out.String(), "Created the key file") {
		t.Fatalf("no key file beside the database:\n%s", out.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"household", "show", "--db", path, "--id", "1"}, &out); err != nil {
		t.Fatal(err)
	}
}
