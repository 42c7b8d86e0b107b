package main

import (
	"math"
	"testing"
)

func TestParseMemoryLimit(t *testing.T) {
	for in, want := range map[string]int64{"": 200 << 20, "off": math.MaxInt64, "300MiB": 300 << 20, "1GiB": 1 << 30, "512KiB": 512 << 10, "1000000": 1000000} {
		if got, err := parseMemoryLimit(in); err != nil || got != want {
			t.Errorf("parseMemoryLimit(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"200MB", "-1MiB", "0", "lots", "MiB"} {
		if _, err := parseMemoryLimit(bad); err == nil {
			t.Errorf("parseMemoryLimit(%q) accepted", bad)
		}
	}
}
