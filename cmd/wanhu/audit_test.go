package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"wanhu/internal/audit"
	"wanhu/internal/store"
)

func TestAuditVerifyCommand(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "a.db")
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	l := audit.New(db)
	for _, a := range []string{"login.success", "write", "reveal.id_number", "write"} {
		if err := l.Record(ctx, audit.Entry{Username: "admin", Action: a, Object: "household:1"}); err != nil {
			t.Fatal(err)
		}
	}
	var out bytes.Buffer
	if err := run(ctx, []string{"audit", "verify", "--db", path}, &out); err != nil {
		t.Fatalf("verify on an intact log: %v", err)
	}
	if !strings.Contains(out.String(), "intact: 4 entries checked") {
		t.Errorf("verify said %q", out.String())
	}

	out.Reset()
	if err := run(ctx, []string{"audit", "export", "--db", path, "--action", "write", "--from", "2020-01-01"}, &out); err != nil {
		t.Fatal(err)
	}
	if s := out.String(); !strings.HasPrefix(s, "\ufeff编号,") || strings.Count(s, "\n") != 3 {
		t.Errorf("export:\n%s", s)
	}

	if err := run(ctx, []string{"audit", "purge", "--db", path, "--before", time.Now().AddDate(0, -1, 0).Format("2006-01-02")}, &out); err == nil ||
		!strings.Contains(err.Error(), "retention") {
		t.Errorf("purge within 6 months: %v", err)
	}

	if _, err := db.ExecContext(ctx, `UPDATE audit_log SET action = 'read' WHERE id = 3`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	err = run(ctx, []string{"audit", "verify", "--db", path}, &out)
	if err == nil {
		t.Fatal("verify passed on a tampered log")
	}
	for _, want := range []string{"#3", "read", "changed", "2 entries before it verified"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("verify error %q does not say %q", err, want)
		}
	}
}
