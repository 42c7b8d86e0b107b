package main

import (
	"context"
	"io"
	"strings"
	"testing"
)

// TestEscalationFlags: an escalation timing out of range stops serve and
// demo before they open the database, naming the flag.
func TestEscalationFlags(t *testing.T) {
	for _, c := range []struct{ cmd, flag, value string }{
		{"serve", "--warn-urgent-before", "0s"},
		{"serve", "--warn-general-at", "25h"},
		{"demo", "--tell-secretary-after", "-1h"},
	} {
		err := run(context.Background(), []string{c.cmd, "--db", t.TempDir() + "/never.db", c.flag, c.value}, io.Discard)
		if err == nil || !strings.Contains(err.Error(), c.flag) {
			t.Errorf("%s %s %s: %v", c.cmd, c.flag, c.value, err)
		}
	}
}

// TestPhotoDecodersFlag: a number of photo decoders out of range stops
// serve and demo before they open the database, naming the flag.
func TestPhotoDecodersFlag(t *testing.T) {
	for _, c := range []struct{ cmd, value string }{{"serve", "0"}, {"demo", "65"}, {"serve", "-1"}} {
		err := run(context.Background(), []string{c.cmd, "--db", t.TempDir() + "/never.db", "--photo-decoders", c.value}, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "--photo-decoders") {
			t.Errorf("%s --photo-decoders %s: %v", c.cmd, c.value, err)
		}
	}
}

// TestLifecycleFlags: a bad --daily-at or --shutdown-grace stops serve and
// demo before they open the database, naming the flag.
func TestLifecycleFlags(t *testing.T) {
	for _, c := range []struct{ cmd, flag, value string }{
		{"serve", "--daily-at", "25:00"},
		{"demo", "--daily-at", "3am"},
		{"serve", "--shutdown-grace", "0s"},
		{"demo", "--shutdown-grace", "1h"},
	} {
		err := run(context.Background(), []string{c.cmd, "--db", t.TempDir() + "/never.db", c.flag, c.value}, io.Discard)
		if err == nil || !strings.Contains(err.Error(), c.flag) {
			t.Errorf("%s %s %s: %v", c.cmd, c.flag, c.value, err)
		}
	}
}
