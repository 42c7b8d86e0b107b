package main

import (
	"context"
	"io"
	"strings"
	"testing"
)

// TestMetricsTokenFlag: a metrics token shorter than 16 characters stops
// serve and demo before they open the database, naming the flag; so does
// one given in WANHU_METRICS_TOKEN.
func TestMetricsTokenFlag(t *testing.T) {
	for _, cmd := range []string{"serve", "demo"} {
		err := run(context.Background(), []string{cmd, "--db", t.TempDir() + "/never.db", "--metrics-token", "short"}, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "--metrics-token") {
			t.Errorf("%s --metrics-token short: %v", cmd, err)
		}
	}
	t.Setenv("WANHU_METRICS_TOKEN", "short")
	err := run(context.Background(), []string{"serve", "--db", t.TempDir() + "/never.db"}, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "--metrics-token") {
		t.Errorf("WANHU_METRICS_TOKEN=short: %v", err)
	}
}
