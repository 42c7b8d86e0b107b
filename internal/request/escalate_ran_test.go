package request

import (
	"context"
	"testing"
	"time"

	"wanhu/internal/store/storetest"
)

// TestRunEscalationsRan: each round of the escalation job tells Ran when
// it started and whether it failed (the metrics' job lag).
func TestRunEscalationsRan(t *testing.T) {
	db := storetest.SQLite(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	type run struct {
		start time.Time
		err   error
	}
	runs := make(chan run, 4)
	before := time.Now()
	done := make(chan struct{})
	go func() {
		RunEscalations(ctx, db, time.Hour, EscalationConfig{Ran: func(start time.Time, err error) { runs <- run{start, err} }})
		close(done)
	}()
	r := <-runs
	cancel()
	<-done
	if r.err != nil || r.start.Before(before) {
		t.Errorf("first round: started %v (test began %v), error %v", r.start, before, r.err)
	}

	db.Close() // a round on a closed database fails
	ctx2, cancel2 := context.WithCancel(t.Context())
	defer cancel2()
	go RunEscalations(ctx2, db, time.Hour, EscalationConfig{Ran: func(start time.Time, err error) { runs <- run{start, err} }})
	if r := <-runs; r.err == nil {
		t.Error("a round on a closed database: no error given to Ran")
	}
}
