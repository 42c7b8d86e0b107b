package proactive_test

import (
	"context"
	"testing"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/proactive"
	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// TestSettings: every rule has its defaults until set; what is saved is
// read back; a bad value is refused naming the rule and parameter, and
// changes nothing.
func TestSettings(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, err := proactive.LoadSettings(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		if len(s) != len(proactive.Rules) || len(s) != 9 || s["alone_elderly_visit"].Params["days"] != "7" || !s["heating_check"].Enabled {
			t.Fatalf("defaults: %+v", s)
		}
		s["heating_check"].Params["start"] = "10-20"
		if err := proactive.SaveSettings(ctx, db, s, time.Now()); err != nil {
			t.Fatal(err)
		}
		for _, bad := range []struct{ rule, key, value, field string }{
			{"alone_elderly_visit", "days", "0", "rules.alone_elderly_visit.days"},
			{"alone_elderly_visit", "days", "x", "rules.alone_elderly_visit.days"},
			{"heating_check", "start", "02-30", "rules.heating_check.start"},
			{"heating_check", "start", "1015", "rules.heating_check.start"},
			{"birthday", "ages", "60,,80", "rules.birthday.ages"},
			{"birthday", "colour", "red", "rules.birthday.colour"},
		} {
			s, _ := proactive.LoadSettings(ctx, db)
			s[bad.rule].Params[bad.key] = bad.value
			err := proactive.SaveSettings(ctx, db, s, time.Now())
			if fe, ok := apperr.AsField(err); !ok || fe.Field != bad.field {
				t.Errorf("%s.%s = %q: %v, want a field error on %s", bad.rule, bad.key, bad.value, err, bad.field)
			}
		}
		got, err := proactive.LoadSettings(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		if got["heating_check"].Params["start"] != "10-20" || got["alone_elderly_visit"].Params["days"] != "7" {
			t.Errorf("read back: %+v", got)
		}
	})
}
