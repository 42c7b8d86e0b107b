package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCalendarCLI: `wanhu calendar add` prints exactly the date (and warns
// on stderr when estimated); `load` makes a year known, and a bad file
// names the line and changes nothing.
func TestCalendarCLI(t *testing.T) {
	ctx := context.Background()
	var warn bytes.Buffer
	stderr = &warn
	t.Cleanup(func() { stderr = os.Stderr })
	db := filepath.Join(t.TempDir(), "cal.db")
	call := func(args ...string) (string, error) {
		t.Helper()
		warn.Reset()
		var out bytes.Buffer
		err := run(ctx, append([]string{"calendar"}, args...), &out)
		return out.String(), err
	}
	for _, tc := range []struct {
		args       []string
		out, warns string
	}{
		{[]string{"add", "--from", "2026-09-30", "--working-days", "5"}, "2026-10-13\n", ""},
		{[]string{"add", "--from", "2026-09-30", "--working-days", "3"}, "2026-10-10\n", ""},
		{[]string{"add", "--from", "2027-02-04", "--working-days", "1"}, "2027-02-14\n", ""},
		{[]string{"add", "--db", db, "--from", "2028-03-03", "--working-days", "5"}, "2028-03-10\n", "estimated"},
	} {
		out, err := call(tc.args...)
		if err != nil || out != tc.out {
			t.Errorf("%v: %q, %v; want %q", tc.args, out, err, tc.out)
		}
		if got := warn.String(); tc.warns == "" && got != "" || !strings.Contains(got, tc.warns) {
			t.Errorf("%v: stderr %q, want %q", tc.args, got, tc.warns)
		}
	}

	file := func(body string) string {
		f := filepath.Join(t.TempDir(), "2028.csv")
		if err := os.WriteFile(f, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return f
	}
	if _, err := call("load", "--db", db, file("2028-03-06,off,测试\n2028-03-32,off\n")); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("bad file: %v, want an error naming line 2", err)
	}
	if out, _ := call("show", "--db", db, "--year", "2028"); out != "2028: estimated\n" {
		t.Errorf("after a bad load, show = %q", out)
	}
	out, err := call("load", "--db", db, file("# 2028\n2028-03-06,off,测试\n2028-03-11,work,测试调休\n"))
	if err != nil || !strings.Contains(out, "2028 loaded: 2 days") {
		t.Fatalf("load: %q, %v", out, err)
	}
	out, err = call("add", "--db", db, "--from", "2028-03-03", "--working-days", "5")
	// 03-06 off, 03-07..03-10 (4), the make-up Saturday 03-11 (5).
	if err != nil || out != "2028-03-11\n" || warn.Len() != 0 {
		t.Errorf("add after load: %q, %v, stderr %q; want 2028-03-11 and no warning", out, err, warn.String())
	}
	out, _ = call("show", "--db", db, "--year", "2028")
	if want := "2028: loaded\n2028-03-06 Mon off  测试\n2028-03-11 Sat work 测试调休\n"; out != want {
		t.Errorf("show = %q, want %q", out, want)
	}
	if out, err := call("set", "--db", db, "2028-03-13,off,更正"); err != nil || out != "1 days corrected\n" {
		t.Errorf("set: %q, %v", out, err)
	}
	if out, _ := call("add", "--db", db, "--from", "2028-03-10", "--working-days", "2"); out != "2028-03-14\n" {
		t.Errorf("add after set = %q, want 2028-03-14", out)
	}
	if _, err := call("add", "--from", "2026-9-30", "--working-days", "1"); err == nil {
		t.Error("a malformed --from was accepted")
	}
}
