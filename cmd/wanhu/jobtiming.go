package main

import (
	"fmt"
	"os"
	"strings"
	"time"
)

// jobTimingEnv shortens the timing of the background jobs for the test
// that runs several servers on one database and kills one of them
// (internal/cluster): "outbox-poll=200ms,outbox-lease=3s,escalate-every=500ms".
// Left unset, the jobs keep their defaults (the outbox looked at every 15
// s, a claimed message leased for 10 min, escalations every minute). It
// is not meant for production: a lease shorter than a sender's HTTP
// timeout (15 s) could send a slow message twice.
const jobTimingEnv = "WANHU_TEST_JOB_TIMING"

// jobTiming is what jobTimingEnv sets; zero values keep the defaults.
type jobTiming struct {
	outboxPoll, outboxLease, escalateEvery time.Duration
}

// readJobTiming reads jobTimingEnv, refusing a malformed value.
func readJobTiming() (jobTiming, error) {
	var jt jobTiming
	spec := os.Getenv(jobTimingEnv)
	for item := range strings.SplitSeq(spec, ",") {
		if strings.TrimSpace(item) == "" {
			continue
		}
		name, value, _ := strings.Cut(strings.TrimSpace(item), "=")
		d, err := time.ParseDuration(value)
		if err != nil || d <= 0 {
			return jt, fmt.Errorf("%s: %q: give name=duration, such as outbox-lease=3s", jobTimingEnv, item)
		}
		switch name {
		case "outbox-poll":
			jt.outboxPoll = d
		case "outbox-lease":
			jt.outboxLease = d
		case "escalate-every":
			jt.escalateEvery = d
		default:
			return jt, fmt.Errorf("%s: %q: the names are outbox-poll, outbox-lease and escalate-every", jobTimingEnv, name)
		}
	}
	return jt, nil
}
