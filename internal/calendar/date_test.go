package calendar

import (
	"encoding/json"
	"testing"
	"time"

	"wanhu/internal/apperr"
)

// TestDayRange: a period of China days runs from the midnight of its
// first day in China to the midnight after its last; without bounds, from
// 1970 to the end of today; a bad day names its field, and so does a to
// before from.
func TestDayRange(t *testing.T) {
	today := Date{Y: 2026, M: 11, D: 29}
	start, end, err := DayRange("2026-01-01", "2026-09-30", today)
	if err != nil || !start.Equal(time.Date(2025, 12, 31, 16, 0, 0, 0, time.UTC)) || !end.Equal(time.Date(2026, 9, 30, 16, 0, 0, 0, time.UTC)) {
		t.Errorf("2026-01-01..2026-09-30: %v – %v, %v", start, end, err)
	}
	start, end, err = DayRange("", "", today)
	if err != nil || start.Format(time.RFC3339) != "1970-01-01T00:00:00+08:00" || end.Format(time.RFC3339) != "2026-11-30T00:00:00+08:00" {
		t.Errorf("no bounds: %v – %v, %v", start, end, err)
	}
	for _, c := range []struct{ from, to, field, code string }{
		{"2026-02-30", "", "from", "date_invalid"}, {"", "yesterday", "to", "date_format"},
		{"2026-12-01", "", "to", "before_from"}, {"2026-03-02", "2026-03-01", "to", "before_from"},
	} {
		_, _, err := DayRange(c.from, c.to, today)
		if fe, ok := apperr.AsField(err); !ok || fe.Field != c.field || fe.Code != c.code {
			t.Errorf("%q %q: %v, want %s on %s", c.from, c.to, err, c.code, c.field)
		}
	}
	// The bounds a caller gives stand where a day is left out; a day given
	// with spaces round it is read.
	first, last, err := Days(" 2026-03-01 ", "", Date{Y: 2026, M: 1, D: 1}, today)
	if err != nil || first.String() != "2026-03-01" || last != today {
		t.Errorf("Days: %s – %s, %v", first, last, err)
	}
}

// TestDateRange: the faces take days from FirstDate to LastDate, both
// included, as days or inside instants; anything beyond is a date_range
// error on the field (issue 11: ?to=9999-12-31 gave a year no JSON time
// can hold). Stored days are read whatever their year.
func TestDateRange(t *testing.T) {
	for _, s := range []string{"1900-01-01", "2199-12-31"} {
		if _, err := ParseDate("on", s); err != nil {
			t.Errorf("%s: %v", s, err)
		}
	}
	for _, s := range []string{"1899-12-31", "2200-01-01", "0001-01-01", "9999-12-31"} {
		_, err := ParseDate("on", s)
		if fe, ok := apperr.AsField(err); !ok || fe.Field != "on" || fe.Code != "date_range" {
			t.Errorf("ParseDate %s: %v, want date_range on on", s, err)
		}
		_, _, err = DayRange("", s, Date{Y: 2026, M: 1, D: 1})
		if fe, ok := apperr.AsField(err); !ok || fe.Field != "to" || fe.Code != "date_range" {
			t.Errorf("DayRange to %s: %v, want date_range on to", s, err)
		}
	}
	for _, c := range []struct {
		s, code string
		end     bool
		want    string
	}{
		{"2026-03-01", "", false, "2026-02-28T16:00:00Z"},
		{"2026-03-01", "", true, "2026-03-01T16:00:00Z"},
		{"2026-03-01T08:30:00+08:00", "", false, "2026-03-01T00:30:00Z"},
		{"2199-12-31T23:59:59+08:00", "", false, "2199-12-31T15:59:59Z"},
		{"2199-12-31T23:00:00-05:00", "date_range", false, ""}, // 2200 in China
		{"9999-12-31T00:00:00Z", "date_range", false, ""},
		{"0001-01-01T00:00:00Z", "date_range", false, ""},
		{"0001-01-01", "date_range", false, ""},
		{"soon", "date_format", false, ""},
		{" 2026-03-01 ", "", false, "2026-02-28T16:00:00Z"},
		{"", "", true, "0001-01-01T00:00:00Z"}, // no bound
	} {
		got, err := ParseInstant("from", c.s, c.end)
		fe, _ := apperr.AsField(err)
		switch {
		case c.code == "" && (err != nil || got.UTC().Format(time.RFC3339) != c.want):
			t.Errorf("ParseInstant %s: %v %v, want %s", c.s, got, err, c.want)
		case c.code != "" && (fe == nil || fe.Field != "from" || fe.Code != c.code):
			t.Errorf("ParseInstant %s: %v, want %s on from", c.s, err, c.code)
		}
	}
	var d Date
	if err := d.Scan("1850-06-01"); err != nil || d.Y != 1850 {
		t.Errorf("Scan 1850-06-01: %v %v", d, err)
	}
}

func TestAgeOn(t *testing.T) {
	tests := []struct {
		birth, on Date
		want      int
	}{
		{Date{Y: 1980, M: 6, D: 15}, Date{Y: 2026, M: 6, D: 14}, 45},
		{Date{Y: 1980, M: 6, D: 15}, Date{Y: 2026, M: 6, D: 15}, 46},
		{Date{Y: 1980, M: 6, D: 15}, Date{Y: 2026, M: 6, D: 16}, 46},
		{Date{Y: 1980, M: 6, D: 15}, Date{Y: 2026, M: 5, D: 31}, 45},
		{Date{Y: 1980, M: 6, D: 15}, Date{Y: 2026, M: 7, D: 1}, 46},
		{Date{Y: 1980, M: 12, D: 31}, Date{Y: 2026, M: 1, D: 1}, 45},
		{Date{Y: 2026, M: 3, D: 1}, Date{Y: 2026, M: 3, D: 1}, 0},
		{Date{Y: 2008, M: 2, D: 29}, Date{Y: 2026, M: 2, D: 28}, 17},
		{Date{Y: 2008, M: 2, D: 29}, Date{Y: 2026, M: 3, D: 1}, 18},
		{Date{Y: 2008, M: 2, D: 29}, Date{Y: 2028, M: 2, D: 28}, 19},
		{Date{Y: 2008, M: 2, D: 29}, Date{Y: 2028, M: 2, D: 29}, 20},
		{Date{Y: 2008, M: 3, D: 1}, Date{Y: 2028, M: 2, D: 29}, 19},
		{Date{Y: 2026, M: 3, D: 2}, Date{Y: 2026, M: 3, D: 1}, -1},
	}
	for _, tt := range tests {
		if got := AgeOn(tt.birth, tt.on); got != tt.want {
			t.Errorf("AgeOn(%s, %s) = %d, want %d", tt.birth, tt.on, got, tt.want)
		}
	}
}

func TestParseDate(t *testing.T) {
	valid := []struct {
		in   string
		want Date
	}{
		{"2024-02-29", Date{Y: 2024, M: 2, D: 29}},
		{"2000-02-29", Date{Y: 2000, M: 2, D: 29}},
		{"1900-01-01", Date{Y: 1900, M: 1, D: 1}},
		{"2026-12-31", Date{Y: 2026, M: 12, D: 31}},
	}
	for _, tt := range valid {
		got, err := ParseDate("birth_date", tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseDate(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
		if s := got.String(); s != tt.in {
			t.Errorf("ParseDate(%q).String() = %q", tt.in, s)
		}
	}
	invalid := []struct {
		in, code string
	}{
		{"", "date_format"},
		{"2024-2-29", "date_format"},
		{"2024/02/29", "date_format"},
		{"20240229", "date_format"},
		{"2024-02-29T00:00:00Z", "date_format"},
		{" 2024-02-29", "date_format"},
		{"+024-02-29", "date_format"},
		{"2024-0a-29", "date_format"},
		{"2023-02-29", "date_invalid"},
		{"1900-02-29", "date_invalid"},
		{"2024-02-30", "date_invalid"},
		{"2024-13-01", "date_invalid"},
		{"2024-00-10", "date_invalid"},
		{"2024-04-31", "date_invalid"},
		{"2024-01-00", "date_invalid"},
		{"0000-01-01", "date_invalid"},
	}
	for _, tt := range invalid {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseDate("birth_date", tt.in)
			if fe, ok := apperr.AsField(err); !ok || fe.Field != "birth_date" || fe.Code != tt.code {
				t.Fatalf("got %v, want a %s error on birth_date", err, tt.code)
			}
			if !got.IsZero() {
				t.Errorf("got %v alongside the error", got)
			}
		})
	}
}

func TestDateMethods(t *testing.T) {
	d := Date{Y: 2024, M: 2, D: 29}
	if got := (Date{}).String(); got != "" {
		t.Errorf("zero Date String() = %q, want empty", got)
	}
	if !(Date{}).IsZero() || d.IsZero() {
		t.Error("IsZero is wrong")
	}
	if got := d.AddYears(1); got != (Date{Y: 2025, M: 3, D: 1}) {
		t.Errorf("%v.AddYears(1) = %v, want 2025-03-01", d, got)
	}
	if got := d.AddYears(4); got != (Date{Y: 2028, M: 2, D: 29}) {
		t.Errorf("%v.AddYears(4) = %v, want 2028-02-29", d, got)
	}
	if got := d.AddYears(-1); got != (Date{Y: 2023, M: 3, D: 1}) {
		t.Errorf("%v.AddYears(-1) = %v, want 2023-03-01", d, got)
	}
	order := []Date{{Y: 1999, M: 12, D: 31}, {Y: 2024, M: 1, D: 31}, {Y: 2024, M: 2, D: 1}, {Y: 2024, M: 2, D: 29}, {Y: 2024, M: 3, D: 1}}
	for i, a := range order {
		for j, b := range order {
			if a.Before(b) != (i < j) || a.After(b) != (i > j) {
				t.Errorf("%v vs %v: Before=%v After=%v", a, b, a.Before(b), a.After(b))
			}
		}
	}
	if got, want := d.Time(), time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC); !got.Equal(want) || got.Location() != time.UTC {
		t.Errorf("Time() = %v, want %v", got, want)
	}
	// Late evening in Shanghai is still the previous day in UTC.
	sh := time.FixedZone("CST", 8*3600)
	if got := DateOf(time.Date(2026, 3, 1, 7, 0, 0, 0, sh)); got != (Date{Y: 2026, M: 3, D: 1}) {
		t.Errorf("DateOf = %v, want 2026-03-01", got)
	}
	if got := DateOf(time.Date(2026, 3, 1, 7, 0, 0, 0, sh).UTC()); got != (Date{Y: 2026, M: 2, D: 28}) {
		t.Errorf("DateOf(UTC) = %v, want 2026-02-28", got)
	}
	if got := DayOf(time.Date(2026, 2, 28, 16, 0, 0, 0, time.UTC)); got != (Date{Y: 2026, M: 3, D: 1}) {
		t.Errorf("DayOf(16:00 UTC) = %v, want 2026-03-01: midnight in China", got)
	}
	before := DateOf(time.Now().In(sh))
	got := Today()
	after := DateOf(time.Now().In(sh))
	if got != before && got != after { // the two differ only across midnight
		t.Errorf("Today() = %v, want %v", got, after)
	}
}

func TestDateJSON(t *testing.T) {
	type rec struct {
		Birth Date `json:"birth_date"`
	}
	for _, d := range []Date{{Y: 2024, M: 2, D: 29}, {Y: 1949, M: 10, D: 1}, {}} {
		b, err := json.Marshal(rec{d})
		if err != nil {
			t.Fatal(err)
		}
		var back rec
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("Unmarshal(%s): %v", b, err)
		}
		if back.Birth != d {
			t.Errorf("round trip of %v through %s gave %v", d, b, back.Birth)
		}
	}
	if b, _ := json.Marshal(rec{Date{Y: 2024, M: 2, D: 9}}); string(b) != `{"birth_date":"2024-02-09"}` {
		t.Errorf("Marshal = %s", b)
	}
	if b, _ := json.Marshal(rec{}); string(b) != `{"birth_date":null}` {
		t.Errorf("Marshal(zero) = %s", b)
	}
	for _, in := range []string{`{"birth_date":null}`, `{"birth_date":""}`, `{}`} {
		back := rec{Date{Y: 2000, M: 1, D: 1}}
		if in == `{}` {
			back = rec{}
		}
		if err := json.Unmarshal([]byte(in), &back); err != nil || !back.Birth.IsZero() {
			t.Errorf("Unmarshal(%s) = %v, %v; want zero Date", in, back.Birth, err)
		}
	}
	for _, in := range []string{`{"birth_date":"2023-02-29"}`, `{"birth_date":"29/02/2024"}`, `{"birth_date":20240229}`} {
		var back rec
		err := json.Unmarshal([]byte(in), &back)
		if _, ok := apperr.AsField(err); !ok {
			t.Errorf("Unmarshal(%s) error = %v, want a FieldError", in, err)
		}
	}
}

func TestDateSQL(t *testing.T) {
	if v, err := (Date{}).Value(); v != nil || err != nil {
		t.Errorf("zero Date Value() = %v, %v; want nil", v, err)
	}
	if v, err := (Date{Y: 2024, M: 2, D: 29}).Value(); v != "2024-02-29" || err != nil {
		t.Errorf("Value() = %v, %v", v, err)
	}
	shanghai := time.FixedZone("CST", 8*3600)
	tests := []struct {
		src  any
		want Date
	}{
		{nil, Date{}},
		{"", Date{}},
		{"2024-02-29", Date{Y: 2024, M: 2, D: 29}},
		{[]byte("1949-10-01"), Date{Y: 1949, M: 10, D: 1}},
		{time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC), Date{Y: 2024, M: 2, D: 29}},
		{time.Date(2024, 3, 1, 1, 0, 0, 0, shanghai), Date{Y: 2024, M: 3, D: 1}},
	}
	for _, tt := range tests {
		d := Date{Y: 1, M: 1, D: 1}
		if err := d.Scan(tt.src); err != nil || d != tt.want {
			t.Errorf("Scan(%#v) = %v, %v; want %v", tt.src, d, err, tt.want)
		}
	}
	for _, src := range []any{"2023-02-29", []byte("x"), int64(20240229), 3.5} {
		var d Date
		err := d.Scan(src)
		if err == nil {
			t.Errorf("Scan(%#v) succeeded, want an error", src)
		}
		if _, ok := apperr.AsField(err); ok {
			t.Errorf("Scan(%#v) returned a FieldError; stored data is not user input", src)
		}
	}
}
