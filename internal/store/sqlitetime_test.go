package store

import (
	"math/rand/v2"
	"testing"
	"time"
)

// sameTime reports whether a and b are the same instant in the same
// location as far as anyone can tell: equal, the same zone name and
// offset, both in time.Local or neither, the same text and JSON.
func sameTime(a, b time.Time) bool {
	an, ao := a.Zone()
	bn, bo := b.Zone()
	aj, _ := a.MarshalJSON()
	bj, _ := b.MarshalJSON()
	return a.Equal(b) && an == bn && ao == bo && (a.Location() == time.Local) == (b.Location() == time.Local) &&
		a.Location().String() == b.Location().String() && a.String() == b.String() && string(aj) == string(bj)
}

// checkWritten fails unless SQLiteTime reads s as time.Parse does in the
// driver's format, and writtenTime takes it when want says so.
func checkWritten(t *testing.T, s string, want bool) {
	t.Helper()
	pt, perr := time.Parse(sqliteTimeFormats[0], s)
	wt, ok := writtenTime(s)
	if ok != want {
		t.Fatalf("writtenTime(%q) ok = %v, want %v", s, ok, want)
	}
	if ok && (perr != nil || !sameTime(wt, pt)) {
		t.Fatalf("writtenTime(%q) = %v; time.Parse: %v, %v", s, wt, pt, perr)
	}
	if perr == nil {
		if st, err := SQLiteTime(s); err != nil || !sameTime(st, pt) {
			t.Fatalf("SQLiteTime(%q) = %v, %v; time.Parse: %v", s, st, err, pt)
		}
	}
}

// TestSQLiteTimeAsTimeParse: what the driver writes, at random instants
// in zones with whole and half hours, east and west, in Local or not (with
// Local as UTC and as Asia/Shanghai), is read without time.Parse and as
// time.Parse reads it; shapes the driver does not write are left to
// time.Parse.
func TestSQLiteTimeAsTimeParse(t *testing.T) {
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Skip("no time zone database:", err)
	}
	zones := []*time.Location{time.UTC, shanghai, time.FixedZone("", 5*3600+1800), time.FixedZone("X", -7*3600), time.FixedZone("", -3*3600-1800)}
	saved := time.Local
	defer func() { time.Local = saved }()
	r := rand.New(rand.NewPCG(1, 2))
	for _, local := range []*time.Location{time.UTC, shanghai} {
		time.Local = local
		for i := 0; i < 20000; i++ {
			at := time.Unix(r.Int64N(5e9)-1e9, 0)
			switch i % 3 {
			case 1:
				at = at.Add(time.Duration(r.Int64N(1e9)))
			case 2:
				at = at.Add(time.Duration(r.Int64N(1000)) * time.Millisecond)
			}
			s := at.In(zones[i%len(zones)]).Format(sqliteTimeFormats[0])
			checkWritten(t, s, true)
		}
	}
	time.Local = saved
	for _, s := range []string{
		"2026-01-09 06:28:14+00:00", "2026-12-07 13:48:55.840123266+00:00", "2024-02-29 23:59:59.5-00:00",
		"0001-01-01 00:00:00+00:00", "9999-12-31 23:59:59.999999999+14:00", "2026-06-01 08:00:00.1+08:00",
	} {
		checkWritten(t, s, true)
	}
	for _, s := range []string{
		"2026-01-09 06:28:14", "2026-01-09T06:28:14+00:00", "2026-01-09 06:28:14Z", "2026-01-09 06:28:14+0000",
		"2025-02-29 06:28:14+00:00", "2026-13-01 06:28:14+00:00", "2026-00-01 06:28:14+00:00", "2026-04-31 06:28:14+00:00",
		"2026-01-09 24:00:00+00:00", "2026-01-09 06:60:14+00:00", "2026-01-09 06:28:60+00:00", "2026-01-09 06:28:14.+00:00",
		"2026-01-09 06:28:14.1234567890+00:00", "2026-01-09 06:28:14,5+00:00", "2026-01-09 06:28:14+24:00",
		"2026-01-09 06:28:14+08:60", "2026-01-09 06:28:14 +00:00", "2026-01-09 06:28:14+00:00 ", "+026-01-09 06:28:14+00:00",
		"2026-1-09 06:28:14+00:00", "2026-01-09 06:28:14.000000000 +0000 UTC", "", "2026",
	} {
		checkWritten(t, s, false)
	}
}

// FuzzSQLiteTime: whatever writtenTime takes, time.Parse reads in the
// driver's format, to the same time.
func FuzzSQLiteTime(f *testing.F) {
	for _, s := range []string{"2026-01-09 06:28:14+00:00", "2026-12-07 13:48:55.840123266+08:00", "2024-02-29 23:59:59.5-03:30"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		wt, ok := writtenTime(s)
		if !ok {
			return
		}
		pt, err := time.Parse(sqliteTimeFormats[0], s)
		if err != nil || !sameTime(wt, pt) {
			t.Fatalf("writtenTime(%q) = %v; time.Parse: %v, %v", s, wt, pt, err)
		}
	})
}
