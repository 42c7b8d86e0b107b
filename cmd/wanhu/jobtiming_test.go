package main

import (
	"testing"
	"time"
)

func TestReadJobTiming(t *testing.T) {
	for _, c := range []struct {
		env  string
		want jobTiming
		ok   bool
	}{
		{"", jobTiming{}, true},
		{"outbox-poll=200ms, outbox-lease=5s,escalate-every=300ms", jobTiming{200 * time.Millisecond, 5 * time.Second, 300 * time.Millisecond}, true},
		{"outbox-lease=5s", jobTiming{outboxLease: 5 * time.Second}, true},
		{"outbox-lease=0s", jobTiming{}, false},
		{"outbox-lease", jobTiming{}, false},
		{"lease=5s", jobTiming{}, false},
	} {
		t.Setenv(jobTimingEnv, c.env)
		got, err := readJobTiming()
		if (err == nil) != c.ok || (c.ok && got != c.want) {
			t.Errorf("%s=%q: %+v, %v; want %+v (ok %v)", jobTimingEnv, c.env, got, err, c.want, c.ok)
		}
	}
}
