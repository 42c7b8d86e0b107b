package request

import (
	"errors"
	"testing"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/org"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestArrive: an urgent request records its arrival on site once, with a
// timeline entry; a general one, a time before the submission or in the
// future, and a second arrival are refused and change nothing; the report
// shows the arrival beside the 24-hour deadline.
func TestArrive(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		start := w.now
		pipe := w.submit(t, Input{Category: "water_supply", Description: "凌晨暖气管漏水", Channel: "hotline", HouseholdID: w.red.ID})
		lamp := w.submit(t, Input{Category: "repairs", Description: "楼道灯坏了", Channel: "grid_group", HouseholdID: w.red.ID})
		w.now = start.Add(2 * time.Minute)
		w.apply(t, pipe.ID, Change{Action: Accept, Urgency: Urgent, Handling: Community})
		w.apply(t, lamp.ID, Change{Action: Accept, Urgency: General, Handling: Community, WorkingDays: 3})

		_, err := w.s.Apply(t.Context(), clerk, lamp.ID, Change{Action: Arrive})
		var te *TransitionError
		if !errors.As(err, &te) {
			t.Errorf("arrival of a general request: %v, want a TransitionError", err)
		}
		w.now = start.Add(20 * time.Minute)
		for _, at := range []time.Time{start.Add(-time.Minute), start.Add(time.Hour)} {
			_, err := w.s.Apply(t.Context(), clerk, pipe.ID, Change{Action: Arrive, ArrivedAt: &at})
			if fe, ok := apperr.AsField(err); !ok || fe.Field != "arrived_at" {
				t.Errorf("arrived at %v: %v, want a field error on arrived_at", at, err)
			}
		}
		at := start.Add(9 * time.Minute)
		got := w.apply(t, pipe.ID, Change{Action: Arrive, ArrivedAt: &at, Note: "社区干部和水暖工"})
		if got.ArrivedAt == nil || !got.ArrivedAt.Equal(at) || got.ArrivalSeconds == nil || *got.ArrivalSeconds != 9*60 || got.ArrivedBy != clerk.Name {
			t.Errorf("arrival %v %v %q", got.ArrivedAt, got.ArrivalSeconds, got.ArrivedBy)
		}
		if last := got.Timeline[len(got.Timeline)-1]; last.Kind != Arrive || last.Note != "社区干部和水暖工" || got.State != Accepted {
			t.Errorf("timeline %+v, state %s", last, got.State)
		}
		if _, err := w.s.Apply(t.Context(), clerk, pipe.ID, Change{Action: Arrive}); !errors.As(err, &te) {
			t.Errorf("second arrival: %v, want a TransitionError", err)
		}

		rep, err := Report(t.Context(), db, org.Everything, start.Add(-time.Hour), start.Add(48*time.Hour), w.now, 0)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Urgent != 1 || rep.Arrived != 1 || rep.Arrival.MedianSeconds == nil || *rep.Arrival.MedianSeconds != 540 {
			t.Errorf("arrival figures %d %d %v", rep.Urgent, rep.Arrived, rep.Arrival)
		}
		if len(rep.Arrivals) != 1 || rep.Arrivals[0].RequestID != pipe.ID || *rep.Arrivals[0].ArrivalSeconds != 540 ||
			rep.Arrivals[0].DueAt == nil || !rep.Arrivals[0].DueAt.Equal(start.Add(24*time.Hour)) {
			t.Errorf("arrivals %+v", rep.Arrivals)
		}
	})
}
